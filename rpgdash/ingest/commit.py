"""The commit stage: store a previewed upload in one transaction, or not at all.

Every write happens inside one :meth:`Database.transaction`, so an upload is stored completely
or not at all, even if the process is killed half way. What the preview counted is computed
again inside the transaction, so two sessions storing at the same moment cannot lose data.
"""

from __future__ import annotations

from collections.abc import Mapping

from rpgdash.db import DIRECTIONS, Database
from rpgdash.ingest.diff import already_stored
from rpgdash.ingest.errors import SettingRefused
from rpgdash.ingest.kinds import kind_spec
from rpgdash.ingest.kinds.base import NothingToStore, resync_sequences
from rpgdash.ingest.model import CommitResult, Preview, Progress, WriteOptions


def commit(
    db: Database,
    preview: Preview,
    *,
    user: str | None = None,
    replace: bool = False,
    new_indicators: Mapping[str, tuple[str, str]] | None = None,
    accept_outliers: bool = False,
    progress: Progress | None = None,
) -> CommitResult:
    """Store the previewed upload in one transaction and return what was done.

    ``new_indicators`` gives (unit, direction) for each indicator not stored yet. Without
    ``replace``, a file that would change stored values raises :class:`ConflictError`;
    without ``accept_outliers``, one with values the preview flagged as implausible for their
    stored series is refused (listing them).
    """
    parsed = preview.parsed
    spec = kind_spec(parsed.kind)
    options = WriteOptions(
        user, replace, new_indicators or {}, accept_outliers, progress or WriteOptions.progress
    )
    spec.storage.check(parsed, preview, options)
    options.progress(0.7, "Storing")
    try:
        with db.transaction() as cur, spec.storage.incoming(cur, parsed):
            resync_sequences(cur)
            result = spec.storage.write(cur, parsed, spec, options)
    except NothingToStore as nothing:
        with db.cursor() as cur:
            already = already_stored(cur, parsed)
        message = (
            f"{parsed.file_name} is already stored as upload {already}; nothing changed."
            if already is not None
            else f"Nothing changed: every value in {parsed.file_name} is already stored."
        )
        return CommitResult(None, 0, 0, nothing.unchanged, parsed.missing, message)
    options.progress(1.0, "Stored")
    return result


def set_indicator_direction(db: Database, indicator: str, direction: str) -> None:
    """Change whether a rise in ``indicator`` is an improvement (increase/decrease/neutral)."""
    if direction not in DIRECTIONS:
        raise SettingRefused.single(
            indicator, f"direction must be one of {', '.join(DIRECTIONS)}, not {direction!r}"
        )
    with db.transaction() as cur:
        found = cur.execute(
            "UPDATE indicators SET direction = ? WHERE name = ?", [direction, indicator]
        ).fetchall()[0][0]
    if not found:
        raise SettingRefused.single(indicator, f"there is no stored indicator '{indicator}'.")
