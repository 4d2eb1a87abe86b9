"""The revert stage: undo one stored upload exactly.

Rows an upload added carry its ``upload_id`` and are deleted; each kind's storage puts back
what the upload replaced (see :mod:`rpgdash.ingest.kinds.keyed`). An upload whose values a
later, still stored upload changed again cannot be reverted until that later upload is
reverted (the refusal names it).
"""

from __future__ import annotations

import contextlib

import duckdb

from rpgdash.db import Database
from rpgdash.ingest.errors import RevertRefused
from rpgdash.ingest.kinds import kind_spec


def revert(db: Database, upload_id: int) -> str:
    """Undo one stored upload exactly; return a sentence saying what was done."""
    with db.transaction() as cur:
        found = cur.execute(
            "SELECT kind, file_name, status, reverted_at FROM uploads WHERE upload_id = ?",
            [upload_id],
        ).fetchall()
        name = f"upload {upload_id}"
        if not found:
            raise RevertRefused.single(
                name, f"there is no upload {upload_id}; list them with 'python -m rpgdash uploads'."
            )
        kind, file_name, status, reverted_at = found[0]
        if status == "reverted":
            raise RevertRefused.single(
                name,
                f"upload {upload_id} ('{file_name}') was already reverted on "
                f"{reverted_at:%Y-%m-%d %H:%M}; nothing changed.",
            )
        spec = kind_spec(kind)
        done = spec.storage.revert(cur, upload_id, file_name, spec)
        cur.execute(
            "UPDATE uploads SET status = 'reverted', reverted_at = current_timestamp "
            "WHERE upload_id = ?",
            [upload_id],
        )
    # DuckDB cannot delete a referenced row in the transaction that deleted its references,
    # so rows the upload created are removed in a second one. If the process stops between
    # the two, the next revert removes them (they are unused either way).
    _remove_unused_created(db)
    return f"Reverted upload {upload_id} ('{file_name}'): {done}."


#: Rows of each table still in use (a created row is removed only when unused).
_IN_USE = {
    "indicators": "SELECT indicator_id FROM indicator_values",
    "waves": (
        "SELECT wave_id FROM respondents UNION ALL SELECT wave_id FROM wave_sites "
        "UNION ALL SELECT wave_id FROM themes"
    ),
    "sites": (
        "SELECT site_id FROM indicator_values UNION ALL SELECT site_id FROM workforce "
        "UNION ALL SELECT site_id FROM respondents UNION ALL SELECT site_id FROM wave_sites "
        "UNION ALL SELECT site_id FROM events WHERE site_id IS NOT NULL "
        "UNION ALL SELECT site_id FROM excerpts"
    ),
}
_ID = {"indicators": "indicator_id", "waves": "wave_id", "sites": "site_id"}


def _remove_unused_created(db: Database) -> None:
    """Delete rows that reverted uploads created and nothing uses any more."""
    for table in ("indicators", "waves", "sites"):
        # A row still referenced from a table not listed in _IN_USE simply stays.
        with contextlib.suppress(duckdb.ConstraintException):
            _remove_unused(db, table)


def _remove_unused(db: Database, table: str) -> None:
    with db.transaction() as cur:
        cur.execute(
            f"DELETE FROM {table} WHERE {_ID[table]} IN ("
            "  SELECT c.key_id FROM upload_created c JOIN uploads u USING (upload_id)"
            "  WHERE u.status = 'reverted' AND c.table_name = ?) "
            f"AND {_ID[table]} NOT IN ({_IN_USE[table]})",
            [table],
        )
