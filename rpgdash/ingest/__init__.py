"""Uploads: one pipeline, the same for the upload page and the CLI, one module per stage:

read (:mod:`.reading`) -> normalise and validate (the kind's parser, over :mod:`.values` and
:mod:`.checks`) -> diff (:mod:`.diff`) -> commit (:mod:`.commit`) -> revert (:mod:`.revert`).
What differs between kinds of file is one declarative spec per kind in the registry
:data:`KINDS` (:mod:`.kinds`)::

    parsed = parse_upload(db, data, "referrals.csv", "indicators", site="Demo Borough")
    plan = preview(db, parsed)          # counts and tables; nothing written
    result = commit(db, plan)           # one transaction
    revert(db, result.upload_id)        # exact undo

Every refusal raises an :class:`IngestError` whose ``problems`` name file, line and column.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rpgdash import queries
from rpgdash.db import Database
from rpgdash.ingest.commit import commit, set_indicator_direction
from rpgdash.ingest.diff import preview
from rpgdash.ingest.errors import (
    ConflictError,
    FileTooLarge,
    IngestError,
    InvalidContent,
    Problem,
    RevertRefused,
    UnreadableFile,
)
from rpgdash.ingest.kinds import KINDS, UploadKind, kind_spec
from rpgdash.ingest.model import CommitResult, ParsedUpload, Preview, WaveDetails
from rpgdash.ingest.reading import Progress, check_size, read_upload
from rpgdash.ingest.revert import revert

#: The history of uploads (a read; it lives in the query layer).
list_uploads = queries.upload_history


def default_site(db: Database) -> str | None:
    """The only local-authority site, or None when there are none or several."""
    sites = queries.local_site_names(db)
    return sites[0] if len(sites) == 1 else None


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
    options: Mapping[str, Any] | None = None,
) -> ParsedUpload:
    """Read and validate one file of ``kind`` (a name in :data:`KINDS`).

    ``site`` is for files without a site column; it defaults to the only local-authority
    site stored. A site name not stored yet is created when the upload is stored. ``options``
    holds the kind's own choices (its spec's ``options``, by name; others are ignored).
    """
    spec = kind_spec(kind)
    raw = read_upload(data, file_name, sheet=sheet, progress=progress)
    if site is None:
        # Files without a site column belong to the only local-authority site, if just one.
        site = default_site(db)
    try:
        given = {"site": site, "wave": wave} if spec.asks_wave else {"site": site}
        for option in spec.options:
            if (options or {}).get(option.name) is not None:
                given[option.name] = options[option.name]
        parsed = spec.parse_raw(raw, db, **given)
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
    "UploadKind",
    "WaveDetails",
    "check_size",
    "commit",
    "default_site",
    "kind_spec",
    "list_uploads",
    "parse_upload",
    "preview",
    "revert",
    "set_indicator_direction",
]
