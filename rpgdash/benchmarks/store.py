"""Comparing, storing and removing the two benchmark kinds of upload (``dfe``, ``neighbours``).

Each function runs on a cursor the upload pipeline opened (a transaction, for writes) with the
file's rows registered as ``incoming``. Storing adds rows tagged with the upload's id and never
overwrites: the value of a key in force is the latest upload's (see ``rpgdash/db.py``). So
reverting an upload deletes its rows, and the values it had replaced are in force again; the
areas and measures it created go too when nothing else uses them.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from rpgdash.ingest.errors import MAX_LISTED, ConflictError, Problem
from rpgdash.ingest.model import ParsedUpload, Preview

Cursor = duckdb.DuckDBPyConnection
PREVIEW_ROWS = 500


@dataclass
class Diff:
    """What storing the incoming rows would do (computed inside the same transaction again)."""

    added: int
    changed: int
    unchanged: int
    to_add: pd.DataFrame
    changes: pd.DataFrame
    coverage: pd.DataFrame
    la_code_changes: bool = False

    def preview(self, parsed: ParsedUpload) -> Preview:
        """The upload pipeline's preview of storing ``parsed`` (nothing written)."""
        return Preview(
            parsed,
            self.added,
            self.changed,
            self.unchanged,
            None,
            self.to_add,
            self.changes,
            self.coverage,
        )


# --- DfE figures --------------------------------------------------------------------------

_CURRENT = (
    "SELECT area_id, measure_id, period, arg_max(value, upload_id) AS value, "
    "arg_max(upload_id, upload_id) AS upload_id FROM benchmark_values GROUP BY ALL"
)
_MATCHED = f"""
    SELECT i.*, v.value AS stored_value, v.upload_id AS stored_upload
    FROM incoming i
    LEFT JOIN benchmark_areas a ON a.level = i.level AND a.area_key = i.area_key
    LEFT JOIN benchmark_measures m ON m.name = i.measure
    LEFT JOIN ({_CURRENT}) v ON v.area_id = a.area_id AND v.measure_id = m.measure_id
        AND v.period = i.period
"""
DFE_COVERAGE = (
    "SELECT measure, level, count(DISTINCT area_key) AS areas, min(period) AS first_period, "
    "max(period) AS last_period, count(*) AS figures FROM incoming GROUP BY measure, level "
    "ORDER BY measure, level"
)


def _tally(cur: Cursor, matched: str, *conditions: str) -> tuple[int, ...]:
    """How many incoming rows meet each condition (added, changed, unchanged)."""
    counts = ", ".join(f"count(*) FILTER (WHERE {c})" for c in conditions)
    return tuple(int(x) for x in cur.execute(f"SELECT {counts} FROM ({matched})").fetchone())


def _counts(cur: Cursor) -> tuple[int, ...]:
    return _tally(
        cur, _MATCHED, "stored_value IS NULL", "stored_value <> value", "stored_value = value"
    )


def _la_code_changes(cur: Cursor, la_code: tuple[str, str] | None) -> bool:
    if la_code is None:
        return False
    site, code = la_code
    stored = cur.execute(
        "SELECT arg_max(c.la_code, c.seq) FROM site_la_codes c JOIN sites s USING (site_id) "
        "WHERE s.name = ?",
        [site],
    ).fetchall()[0][0]
    return stored != code


def diff_dfe(cur: Cursor, la_code: tuple[str, str] | None = None) -> Diff:
    added, changed, unchanged = _counts(cur)
    show = "line, measure, area, level, period"
    to_add = cur.execute(
        f"SELECT {show}, value FROM ({_MATCHED}) WHERE stored_value IS NULL "
        f"ORDER BY line, measure LIMIT {PREVIEW_ROWS}"
    ).df()
    changes = cur.execute(
        f"SELECT {show}, stored_value, value AS new_value FROM ({_MATCHED}) "
        f"WHERE stored_value <> value ORDER BY line, measure LIMIT {PREVIEW_ROWS}"
    ).df()
    coverage = cur.execute(DFE_COVERAGE).df()
    return Diff(
        added, changed, unchanged, to_add, changes, coverage, _la_code_changes(cur, la_code)
    )


def dfe_conflicts(cur: Cursor, file_name: str, changed: int) -> ConflictError:
    rows = cur.execute(
        f"SELECT line, measure, period, area, stored_value, value, stored_upload "
        f"FROM ({_MATCHED}) WHERE stored_value <> value ORDER BY line, measure "
        f"LIMIT {MAX_LISTED}"
    ).fetchall()
    problems = [
        Problem(
            file_name,
            line,
            None,
            f"{measure} for {period} at '{area}' is stored as {old:g}"
            + (f" (upload {src})" if src else " (demo data)")
            + f"; this file has {new:g}. Store it with replace (--replace) to change the stored "
            "value, or correct the file.",
        )
        for line, measure, period, area, old, new, src in rows
    ]
    return ConflictError(problems, more=changed - len(problems))


def write_dfe(
    cur: Cursor,
    upload_id: int,
    measures: pd.DataFrame,
    la_code: tuple[str, str] | None,
) -> tuple[int, int, int]:
    """Store the incoming figures as ``upload_id``: areas and measures not stored yet, then
    every figure that is new or differs. Returns (added, changed, unchanged)."""
    added, changed, unchanged = _counts(cur)
    cur.execute(
        "INSERT INTO benchmark_areas (level, area_key, name, new_la_code, old_la_code, "
        "region_code, region_name, upload_id) "
        "SELECT level, area_key, arg_min(area, line), arg_min(new_la_code, line), "
        "arg_min(old_la_code, line), arg_min(region_code, line), arg_min(region_name, line), $u "
        "FROM incoming i WHERE NOT EXISTS (SELECT 1 FROM benchmark_areas a "
        "WHERE a.level = i.level AND a.area_key = i.area_key) "
        "GROUP BY level, area_key ORDER BY min(line)",
        {"u": upload_id},
    )
    cur.register("incoming_measures", measures)
    try:
        cur.execute(
            "INSERT INTO benchmark_measures (name, dfe_column, unit, direction, release, "
            "upload_id) SELECT name, dfe_column, unit, direction, release, $u "
            "FROM incoming_measures n WHERE NOT EXISTS (SELECT 1 FROM benchmark_measures m "
            "WHERE m.name = n.name OR lower(m.dfe_column) = lower(n.dfe_column)) ORDER BY name",
            {"u": upload_id},
        )
    finally:
        cur.unregister("incoming_measures")
    inserted = cur.execute(
        "INSERT INTO benchmark_values (area_id, measure_id, period, value, upload_id) "
        "SELECT a.area_id, m.measure_id, i.period, i.value, $u FROM incoming i "
        "JOIN benchmark_areas a ON a.level = i.level AND a.area_key = i.area_key "
        "JOIN benchmark_measures m ON m.name = i.measure "
        f"LEFT JOIN ({_CURRENT}) v ON v.area_id = a.area_id AND v.measure_id = m.measure_id "
        "AND v.period = i.period WHERE v.value IS NULL OR v.value <> i.value",
        {"u": upload_id},
    ).fetchall()[0][0]
    if inserted != added + changed:
        raise RuntimeError(f"stored {inserted} figures, but {added + changed} were counted")
    if _la_code_changes(cur, la_code):
        site, code = la_code
        cur.execute(
            "INSERT INTO site_la_codes (site_id, la_code, upload_id) "
            "SELECT site_id, ?, ? FROM sites WHERE name = ?",
            [code, upload_id, site],
        )
    return added, changed, unchanged


# --- statistical neighbours ---------------------------------------------------------------

_SN_CURRENT = (
    "SELECT * FROM statistical_neighbours n WHERE upload_id = (SELECT max(upload_id) FROM "
    "statistical_neighbours m WHERE m.la_key = n.la_key)"
)
_SN_MATCHED = f"""
    SELECT i.*, c.la_key IS NOT NULL AS stored,
           c.la_key IS NOT NULL AND (c.neighbour_code IS DISTINCT FROM i.neighbour_code
               OR c.neighbour_name IS DISTINCT FROM i.neighbour_name
               OR c.closeness IS DISTINCT FROM i.closeness) AS differs,
           c.neighbour_name AS stored_neighbour, c.upload_id AS stored_upload
    FROM incoming i LEFT JOIN ({_SN_CURRENT}) c ON c.la_key = i.la_key
        AND c.position = i.position
"""
NEIGHBOURS_COVERAGE = (
    "SELECT count(DISTINCT la_key) AS authorities, count(*) AS neighbours, "
    "count(closeness) AS with_closeness FROM incoming"
)


def _sn_counts(cur: Cursor) -> tuple[int, ...]:
    return _tally(cur, _SN_MATCHED, "NOT stored", "differs", "stored AND NOT differs")


def diff_neighbours(cur: Cursor) -> Diff:
    added, changed, unchanged = _sn_counts(cur)
    to_add = cur.execute(
        f"SELECT line, la_name, position, neighbour_name, neighbour_code, closeness "
        f"FROM ({_SN_MATCHED}) WHERE NOT stored ORDER BY line, position LIMIT {PREVIEW_ROWS}"
    ).df()
    changes = cur.execute(
        f"SELECT line, la_name, position, stored_neighbour, neighbour_name AS new_neighbour "
        f"FROM ({_SN_MATCHED}) WHERE differs ORDER BY line, position LIMIT {PREVIEW_ROWS}"
    ).df()
    coverage = cur.execute(NEIGHBOURS_COVERAGE).df()
    return Diff(added, changed, unchanged, to_add, changes, coverage)


def neighbour_conflicts(cur: Cursor, file_name: str, changed: int) -> ConflictError:
    rows = cur.execute(
        f"SELECT line, la_name, position, stored_neighbour, neighbour_name, stored_upload "
        f"FROM ({_SN_MATCHED}) WHERE differs ORDER BY line, position LIMIT {MAX_LISTED}"
    ).fetchall()
    problems = [
        Problem(
            file_name,
            line,
            None,
            f"neighbour {pos} of '{la}' is stored as '{old}'"
            + (f" (upload {src})" if src else " (demo data)")
            + f"; this file has '{new}'. Store it with replace (--replace) to use the file's "
            "neighbours, or correct the file.",
        )
        for line, la, pos, old, new, src in rows
    ]
    return ConflictError(problems, more=changed - len(problems))


def write_neighbours(cur: Cursor, upload_id: int) -> tuple[int, int, int]:
    """Store, as ``upload_id``, the whole neighbour list of every authority whose list is new
    or differs (so the list in force is exactly the file's). Returns the counts."""
    added, changed, unchanged = _sn_counts(cur)
    cur.execute(
        "INSERT INTO statistical_neighbours (la_key, la_code, la_name, position, "
        "neighbour_code, neighbour_name, closeness, upload_id) "
        "SELECT la_key, la_code, la_name, position, neighbour_code, neighbour_name, closeness, "
        f"$u FROM incoming WHERE la_key IN (SELECT la_key FROM ({_SN_MATCHED}) "
        "WHERE differs OR NOT stored) ORDER BY line, position",
        {"u": upload_id},
    )
    return added, changed, unchanged


# --- revert -------------------------------------------------------------------------------


def remove_upload(cur: Cursor, upload_id: int) -> str:
    """Delete what ``upload_id`` stored in the benchmark tables; say what was done."""
    restored = cur.execute(
        "SELECT count(*) FROM benchmark_values v WHERE v.upload_id = $u AND EXISTS (SELECT 1 "
        "FROM benchmark_values o WHERE o.area_id = v.area_id AND o.measure_id = v.measure_id "
        "AND o.period = v.period AND o.upload_id < $u)",
        {"u": upload_id},
    ).fetchall()[0][0]
    removed = cur.execute(
        "DELETE FROM benchmark_values WHERE upload_id = ?", [upload_id]
    ).fetchall()[0][0]
    neighbours = cur.execute(
        "DELETE FROM statistical_neighbours WHERE upload_id = ?", [upload_id]
    ).fetchall()[0][0]
    cur.execute("DELETE FROM site_la_codes WHERE upload_id = ?", [upload_id])
    cur.execute(
        "DELETE FROM benchmark_areas WHERE upload_id = ? AND area_id NOT IN "
        "(SELECT area_id FROM benchmark_values)",
        [upload_id],
    )
    cur.execute(
        "DELETE FROM benchmark_measures WHERE upload_id = ? AND measure_id NOT IN "
        "(SELECT measure_id FROM benchmark_values)",
        [upload_id],
    )
    if neighbours:
        return f"removed {neighbours} statistical neighbour entries it stored"
    return (
        f"removed {removed} figures it stored ({restored} of them had replaced earlier "
        "figures, which are in force again)"
    )


def incoming_authorities(cur: Cursor) -> int:
    """How many authorities the incoming neighbours file lists."""
    return cur.execute("SELECT count(DISTINCT la_key) FROM incoming").fetchall()[0][0]
