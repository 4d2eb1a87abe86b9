"""Stored notes (short findings with their source) that leaders may edit."""

from __future__ import annotations

from rpgdash.db import Database


def save_note(db: Database, key: str, body: str, source: str) -> None:
    """Replace the text and source of an existing note, in one transaction."""
    body, source = body.strip(), source.strip()
    if not body or not source:
        raise ValueError("A note needs both its text and its source; nothing was saved.")
    with db.transaction() as cur:
        found = cur.execute("SELECT count(*) FROM notes WHERE key = ?", [key]).fetchall()[0][0]
        if not found:
            raise ValueError(f"There is no note called {key!r}; nothing was saved.")
        cur.execute(
            "UPDATE notes SET body = ?, source = ?, updated_at = current_timestamp WHERE key = ?",
            [body, source, key],
        )
