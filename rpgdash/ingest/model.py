"""What an upload looks like between the pipeline's stages: parsed, previewed, stored."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

if TYPE_CHECKING:
    from rpgdash.ingest.reading import RawTable

Progress = Callable[[float, str], None]

#: Rows of changed values and rows to add shown in a preview (the counts are always complete).
PREVIEW_ROWS = 500


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

    @classmethod
    def of(cls, raw: RawTable, kind: str, layout: str, rows: pa.Table, **found) -> ParsedUpload:
        """The parsed upload of ``raw``: what every parser returns once its rows pass."""
        return cls(
            kind=kind,
            file_name=raw.file_name,
            sha256=raw.sha256,
            source=raw.source,
            encoding=raw.encoding,
            layout=layout,
            rows=rows,
            **found,
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


@dataclass
class Preview:
    """What storing ``parsed`` would do, computed against the database as it is now."""

    parsed: ParsedUpload
    added: int
    changed: int
    unchanged: int
    already_stored: int | None
    to_add: pd.DataFrame
    changes: pd.DataFrame
    coverage: pd.DataFrame
    unknown_indicators: dict[str, list[str]] = field(default_factory=dict)
    #: The first line of the file naming each unknown indicator.
    unknown_lines: dict[str, int] = field(default_factory=dict)
    #: Values far from their stored series (see ``rpgdash.ingest.kinds.indicators``): the
    #: first rows, and how many there are; storing them needs ``accept_outliers``.
    outliers: pd.DataFrame = field(default_factory=pd.DataFrame)
    n_outliers: int = 0
    new_waves: list[str] = field(default_factory=list)
    new_themes: list[str] = field(default_factory=list)

    @property
    def missing(self) -> int:
        return self.parsed.missing

    @property
    def nothing_to_store(self) -> bool:
        return self.already_stored is not None or (self.added == 0 and self.changed == 0)

    def summary(self) -> str:
        """One line: what storing would do (or did)."""
        if self.already_stored is not None:
            return (
                f"{self.parsed.file_name} is already stored as upload {self.already_stored}; "
                "nothing changed."
            )
        return count_line(self.added, self.changed, self.unchanged, self.missing)


@dataclass(frozen=True)
class CommitResult:
    upload_id: int | None
    added: int
    changed: int
    unchanged: int
    missing: int
    message: str


@dataclass(frozen=True)
class WriteOptions:
    """What the uploader chose when storing (see :func:`rpgdash.ingest.commit`)."""

    user: str | None = None
    replace: bool = False
    new_indicators: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    accept_outliers: bool = False
    progress: Progress = lambda fraction, message: None


def count_line(added: int, changed: int, unchanged: int, missing: int) -> str:
    return f"added {added}, changed {changed}, unchanged {unchanged}, missing {missing}"
