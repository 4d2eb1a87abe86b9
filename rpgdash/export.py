"""Tidy CSV exports of stored data (``python -m rpgdash export``), written without pandas.

An export is a query and a CSV writer; importing pandas would cost more than both, so this
module fetches rows from DuckDB and writes them with :mod:`csv`.

By default the file is faithful data for analysts (pandas, R): UTF-8 without a byte order
mark, every value as stored. ``excel_safe=True`` writes the file the pages' downloads give
(:func:`rpgdash.ingest.safe_csv.to_safe_csv`, byte for byte; a test checks it): UTF-8 with a
byte order mark, CRLF rows, formula-like text prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from rpgdash.db import Database

#: One query per table; ``?`` twice is the site (``NULL``: every site).
SQL: dict[str, str] = {
    "survey": """
        SELECT si.name AS site, w.label AS wave, p.external_id AS respondent_id,
               ro.name AS role, s.domain, s.text AS statement, r.score
        FROM responses r
        JOIN respondents p USING (respondent_id)
        JOIN sites si ON si.site_id = p.site_id
        JOIN waves w ON w.wave_id = p.wave_id
        JOIN roles ro ON ro.role_id = p.role_id
        JOIN statements s USING (statement_id)
        WHERE ? IS NULL OR si.name = ?
        ORDER BY si.name, w.wave_order, p.external_id, s.domain, s.position
        """,
    "indicators": """
        SELECT s.name AS site, i.name AS indicator, strftime(v.month, '%Y-%m') AS month, v.value
        FROM indicator_values v JOIN indicators i USING (indicator_id) JOIN sites s USING (site_id)
        WHERE ? IS NULL OR s.name = ?
        ORDER BY s.name, i.name, v.month
        """,
    "workforce": """
        SELECT s.name AS site, w.year, w.measure, w.value
        FROM workforce w JOIN sites s USING (site_id)
        WHERE ? IS NULL OR s.name = ?
        ORDER BY s.name, w.year, w.measure
        """,
}
TABLES = tuple(sorted(SQL))

# A text cell starting with one of these can run as a formula in a spreadsheet.
_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: Any) -> Any:
    return "'" + value if isinstance(value, str) and value.startswith(_TRIGGERS) else value


def export_rows(db: Database, table: str, site: str | None = None) -> tuple[list[str], list]:
    """The column names and rows of one export table."""
    with db.cursor() as cur:
        cur.execute(SQL[table], [site, site])
        return [d[0] for d in cur.description], cur.fetchall()


def to_csv(header: list[str], rows: list, *, excel_safe: bool = True) -> bytes:
    """Rows as CSV bytes.

    ``excel_safe``: UTF-8 with BOM, CRLF, formula-like text neutralised (for spreadsheets);
    otherwise UTF-8 without BOM, LF, values exactly as stored (for pandas and R).
    """
    out = io.StringIO(newline="")
    if excel_safe:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([_safe(name) for name in header])
        writer.writerows([_safe(v) for v in row] for row in rows)
        return out.getvalue().encode("utf-8-sig")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")
