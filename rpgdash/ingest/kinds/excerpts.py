"""Coded interview excerpts (parsed by :mod:`rpgdash.ingest.excerpts`)."""

from __future__ import annotations

import pandas as pd

from rpgdash.ingest.excerpts import parse_excerpts
from rpgdash.ingest.kinds.base import (
    Cursor,
    FunctionStorage,
    NothingToStore,
    UploadKind,
    insert_upload,
    record_counts,
)
from rpgdash.ingest.model import PREVIEW_ROWS, CommitResult, ParsedUpload, Preview, WriteOptions

#: Incoming excerpts matched to what is stored (stored theme and excerpt ids, when found).
_EXCERPTS_MATCHED = """
    SELECT i.*, t.theme_id, e.excerpt_id
    FROM incoming i
    JOIN sites s ON s.name = i.site
    JOIN waves w ON w.label = i.wave
    LEFT JOIN themes t ON t.wave_id = w.wave_id AND t.name = i.theme
    LEFT JOIN excerpts e ON e.theme_id = t.theme_id AND e.site_id = s.site_id
        AND e.text = i.excerpt
"""


def _excerpt_counts(cur) -> tuple[int, int]:
    """(excerpts to add, excerpts already stored)."""
    added, unchanged = cur.execute(
        f"SELECT count(*) FILTER (WHERE excerpt_id IS NULL), "
        f"count(*) FILTER (WHERE excerpt_id IS NOT NULL) FROM ({_EXCERPTS_MATCHED})"
    ).fetchall()[0]
    return int(added), int(unchanged)


def _preview(cur, parsed: ParsedUpload, spec: UploadKind) -> Preview:
    added, unchanged = _excerpt_counts(cur)
    to_add = cur.execute(
        f"SELECT line, wave, theme, polarity, source_type, role, excerpt "
        f"FROM ({_EXCERPTS_MATCHED}) WHERE excerpt_id IS NULL ORDER BY line "
        f"LIMIT {PREVIEW_ROWS}"
    ).df()
    coverage = cur.execute(spec.coverage).df()
    new_themes = [
        f"{theme} ({wave}, {polarity})"
        for wave, theme, polarity in cur.execute(
            f"SELECT wave, theme, any_value(polarity) FROM ({_EXCERPTS_MATCHED}) "
            "WHERE theme_id IS NULL GROUP BY wave, theme ORDER BY min(line)"
        ).fetchall()
    ]
    changes = pd.DataFrame(columns=["line", "wave", "theme", "excerpt"])
    return Preview(
        parsed,
        added,
        0,
        unchanged,
        None,
        to_add,
        changes,
        coverage,
        new_themes=new_themes,
    )


def _write(cur, parsed: ParsedUpload, options: WriteOptions) -> CommitResult:
    user, progress = options.user, options.progress
    added, unchanged = _excerpt_counts(cur)
    if added == 0:
        raise NothingToStore(unchanged)
    upload_id = insert_upload(cur, parsed, user)
    progress(0.8, "Storing: themes")
    created = cur.execute(
        """
        INSERT INTO themes (wave_id, name, polarity, position, upload_id)
        SELECT w.wave_id, f.theme, f.polarity,
               (SELECT coalesce(max(position), 0) FROM themes)
                   + row_number() OVER (ORDER BY f.first_line), $u
        FROM (SELECT wave, theme, arg_min(polarity, line) AS polarity, min(line) AS first_line
              FROM incoming GROUP BY wave, theme) f
        JOIN waves w ON w.label = f.wave
        LEFT JOIN themes t ON t.wave_id = w.wave_id AND t.name = f.theme
        WHERE t.theme_id IS NULL
        ORDER BY f.first_line
        """,
        {"u": upload_id},
    ).fetchall()[0][0]
    progress(0.9, "Storing: excerpts")
    cur.execute(
        """
        INSERT INTO excerpts (theme_id, site_id, source_type, role_id, text, illustrative,
                              upload_id)
        SELECT t.theme_id, s.site_id, i.source_type, ro.role_id, i.excerpt, FALSE, $u
        FROM incoming i
        JOIN sites s ON s.name = i.site
        JOIN waves w ON w.label = i.wave
        JOIN themes t ON t.wave_id = w.wave_id AND t.name = i.theme
        LEFT JOIN roles ro ON ro.name = i.role
        LEFT JOIN excerpts e ON e.theme_id = t.theme_id AND e.site_id = s.site_id
            AND e.text = i.excerpt
        WHERE e.excerpt_id IS NULL
        ORDER BY i.line
        """,
        {"u": upload_id},
    )
    return record_counts(
        cur,
        parsed,
        upload_id,
        added,
        0,
        unchanged,
        f"Stored as upload {upload_id}: {added} excerpts added ({created} new themes), "
        f"{unchanged} already stored.",
    )


def _remove(cur, upload_id: int) -> tuple[int, int]:
    """Delete the upload's excerpts, then its themes that nothing else uses any more."""
    removed = cur.execute("DELETE FROM excerpts WHERE upload_id = ?", [upload_id]).fetchall()[0][0]
    themes = cur.execute(
        "DELETE FROM themes WHERE upload_id = $u "
        "AND theme_id NOT IN (SELECT theme_id FROM excerpts) "
        "AND theme_id NOT IN (SELECT theme_id FROM theme_statements) "
        "AND theme_id NOT IN (SELECT theme_id FROM theme_measures)",
        {"u": upload_id},
    ).fetchall()[0][0]
    return removed, themes


def _revert(cur: Cursor, upload_id: int) -> str:
    removed, themes = _remove(cur, upload_id)
    return f"removed {removed} excerpts and {themes} themes it created"


SPEC = UploadKind(
    name="excerpts",
    label="Coded interview excerpts",
    parse=parse_excerpts,
    table="excerpts",
    key=("theme_id", "site_id", "text"),
    coverage=(
        "SELECT site, wave, theme, polarity, count(*) AS excerpts FROM incoming "
        "GROUP BY ALL ORDER BY site, wave, min(line)"
    ),
    storage=FunctionStorage(_preview, _write, _revert),
    coverage_title="Themes covered",
    can_replace=False,
    help=(
        "One row per excerpt with the columns wave, theme, polarity (positive or negative), "
        "excerpt and source: the source type (interview, focus group, survey comment or "
        "observation), optionally followed by the speaker's job role, e.g. \"interview, Team "
        'manager". A role column may give the role instead, and a site column the site. '
        "Waves must be stored already; a theme not stored for its wave is created. Job roles "
        "are shown on the evidence page only where that role's survey group is large enough."
    ),
)
