"""The diff stage: what storing a parsed upload would do, against the database as it is now.
Nothing is written."""

from __future__ import annotations

from rpgdash.db import Database
from rpgdash.ingest.kinds import kind_spec
from rpgdash.ingest.kinds.base import Cursor
from rpgdash.ingest.model import ParsedUpload, Preview


def preview(db: Database, parsed: ParsedUpload) -> Preview:
    """Compare ``parsed`` with what is stored; write nothing."""
    spec = kind_spec(parsed.kind)
    with db.cursor() as cur, spec.storage.incoming(cur, parsed):
        result = spec.storage.preview(cur, parsed, spec)
        # The same file bytes are "already stored" only when they would change nothing: the
        # same workbook with another sheet, or the same file for another site, is new data.
        if result.added == 0 and result.changed == 0:
            result.already_stored = already_stored(cur, parsed)
        return result


def already_stored(cur: Cursor, parsed: ParsedUpload) -> int | None:
    """The first stored upload of the same bytes and kind, if any."""
    row = cur.execute(
        "SELECT min(upload_id) FROM uploads WHERE sha256 = ? AND kind = ? AND status = 'stored'",
        [parsed.sha256, parsed.kind],
    ).fetchall()[0]
    return row[0]
