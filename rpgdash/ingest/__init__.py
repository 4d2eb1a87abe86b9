"""Uploads: reading, validating, previewing, storing and reverting data files.

One implementation serves the upload page and the CLI::

    parsed = parse_upload(db, data, "referrals.csv", "indicators", site="Demo Borough")
    plan = preview(db, parsed)          # counts and tables; nothing written
    result = commit(db, plan)           # one transaction
    revert(db, result.upload_id)        # exact undo

Every refusal raises an :class:`IngestError` whose ``problems`` name file, line and column.
"""

from __future__ import annotations

from rpgdash.db import Database
from rpgdash.ingest.errors import (
    ConflictError,
    FileTooLarge,
    IngestError,
    InvalidContent,
    Problem,
    RevertRefused,
    UnreadableFile,
)
from rpgdash.ingest.excerpts import parse_excerpts
from rpgdash.ingest.indicators import parse_indicators
from rpgdash.ingest.model import KINDS, ParsedUpload, WaveDetails
from rpgdash.ingest.reading import Progress, check_size, read_upload
from rpgdash.ingest.store import (
    CommitResult,
    Preview,
    commit,
    default_site,
    list_uploads,
    local_sites,
    preview,
    revert,
    set_indicator_direction,
    stored_indicators,
    stored_waves,
)
from rpgdash.ingest.survey import parse_survey
from rpgdash.ingest.workforce import parse_workforce


def parse_upload(
    db: Database,
    data: bytes,
    file_name: str,
    kind: str,
    *,
    site: str | None = None,
    wave: WaveDetails | None = None,
    sheet: str | None = None,
    progress: Progress | None = None,
) -> ParsedUpload:
    """Read and validate one file of ``kind`` (indicators, workforce, survey or excerpts).

    ``site`` is for files without a site column; it defaults to the only local-authority
    site stored. A site name not stored yet is created when the upload is stored.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    raw = read_upload(data, file_name, sheet=sheet, progress=progress)
    if site is None:
        # Files without a site column belong to the only local-authority site, if just one.
        site = default_site(db)
    try:
        if kind != "indicators":
            # These parsers query the cleaned cells many times (indicators clean distinct ones).
            raw.materialise()
        if kind == "indicators":
            parsed = parse_indicators(raw, db, site=site)
        elif kind == "workforce":
            parsed = parse_workforce(raw, db, site=site)
        elif kind == "excerpts":
            parsed = parse_excerpts(raw, db, site=site)
        else:
            parsed = parse_survey(raw, db, site=site, wave=wave)
    finally:
        raw.close()
    if progress:
        progress(0.6, "Checked")
    return parsed


__all__ = [
    "KINDS",
    "CommitResult",
    "ConflictError",
    "FileTooLarge",
    "IngestError",
    "InvalidContent",
    "ParsedUpload",
    "Preview",
    "Problem",
    "RevertRefused",
    "UnreadableFile",
    "WaveDetails",
    "check_size",
    "commit",
    "default_site",
    "list_uploads",
    "local_sites",
    "parse_upload",
    "preview",
    "revert",
    "set_indicator_direction",
    "stored_indicators",
    "stored_waves",
]
