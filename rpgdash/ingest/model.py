"""What a validated upload looks like before it is stored."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

KINDS = ("indicators", "workforce", "survey", "excerpts")


@dataclass(frozen=True)
class WaveDetails:
    """What the uploader says about a survey wave (all optional for a wave already stored)."""

    label: str
    fieldwork_start: dt.date | None = None
    fieldwork_end: dt.date | None = None
    invited: int | None = None


@dataclass
class ParsedUpload:
    """A file that passed validation, as normalised rows (nothing stored yet).

    ``rows`` columns by kind (``line`` is the spreadsheet line the row came from):

    - indicators: line, indicator, site, month (DATE), value (DOUBLE)
    - workforce: line, site, year, measure, value
    - survey: line, site, wave, respondent, role, statement_id, score (NULL = no answer)
    - excerpts: line, site, wave, theme, polarity, excerpt, source_type, role (NULL = none)

    Names are the stored spelling when a stored row matched (ignoring case and spacing). The
    indicator and site columns of indicator files are dictionary-encoded (few names, up to
    millions of rows).
    """

    kind: str
    file_name: str
    sha256: str
    source: str
    encoding: str
    layout: str
    rows: pa.Table
    missing: int
    notes: list[str] = field(default_factory=list)
    new_sites: dict[str, str] = field(default_factory=dict)
    waves: dict[str, WaveDetails] = field(default_factory=dict)

    _distinct: dict[str, list[str]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @property
    def n_rows(self) -> int:
        return self.rows.num_rows

    def distinct(self, column: str) -> list[str]:
        """The distinct values of a text column of ``rows``, sorted (worked out once; cheap
        for a dictionary-encoded column, whose codes are counted rather than its rows)."""
        if column not in self._distinct:
            found: set[str] = set()
            for chunk in self.rows.column(column).chunks:
                if pa.types.is_dictionary(chunk.type):
                    chunk = chunk.dictionary.take(pc.unique(chunk.indices.drop_null()))
                found.update(pc.unique(chunk).drop_null().to_pylist())
            self._distinct[column] = sorted(found)
        return self._distinct[column]
