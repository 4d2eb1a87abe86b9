"""What a validated upload looks like before it is stored."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pyarrow as pa

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

    Names are the stored spelling when a stored row matched (ignoring case and spacing).
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

    @property
    def n_rows(self) -> int:
        return self.rows.num_rows
