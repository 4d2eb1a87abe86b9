"""Monthly indicator series (parsed by :mod:`rpgdash.ingest.indicators`)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from rpgdash.db import DIRECTIONS
from rpgdash.ingest.errors import InvalidContent, Problem
from rpgdash.ingest.indicators import parse_indicators
from rpgdash.ingest.kinds.base import Cursor, UploadKind
from rpgdash.ingest.kinds.keyed import KeyedValues
from rpgdash.ingest.model import PREVIEW_ROWS, ParsedUpload, Preview, WriteOptions
from rpgdash.ingest.values import close_matches


class IndicatorValues(KeyedValues):
    """Indicator values, joined by code: a file's rows are also registered as
    ``incoming_codes`` (line, ind, site, month, value) with ``incoming_names`` and
    ``incoming_sites`` (code, name), since joining a million rows on small integers costs less
    than on their names. Indicators the file names that are not stored are created with the
    unit and direction the uploader gives."""

    @contextlib.contextmanager
    def incoming(self, cur: Cursor, parsed: ParsedUpload) -> Iterator[None]:
        ind, ind_names = _codes(parsed.rows.column("indicator"))
        site, site_names = _codes(parsed.rows.column("site"))
        rows = parsed.rows
        tables = {
            "incoming_codes": pa.table(
                {
                    "line": rows.column("line"),
                    "ind": ind,
                    "site": site,
                    "month": rows.column("month"),
                    "value": rows.column("value"),
                }
            ),
            "incoming_names": _code_table(ind_names),
            "incoming_sites": _code_table(site_names),
        }
        with super().incoming(cur, parsed):
            for name, table in tables.items():
                cur.register(name, table)
            try:
                yield
            finally:
                for name in tables:
                    cur.unregister(name)

    def per_series(self, join: str, compare: str) -> str:
        if join:
            return super().per_series(join, compare)
        # By code, then named.
        return (
            "SELECT n.name AS indicator, s.name AS site, g.* EXCLUDE (ind, site) FROM "
            f"(SELECT ind, site, min(month) AS first, max(month) AS last, count(*) AS n, {compare} "
            "FROM incoming_codes GROUP BY ALL) g JOIN incoming_names n ON n.code = g.ind "
            "JOIN incoming_sites s ON s.code = g.site"
        )

    def preview(self, cur: Cursor, parsed: ParsedUpload, spec: UploadKind) -> Preview:
        result = super().preview(cur, parsed, spec)
        stored = [r[0] for r in cur.execute("SELECT name FROM indicators").fetchall()]
        for name in sorted(set(parsed.distinct("indicator")) - set(stored)):
            result.unknown_indicators[name] = close_matches(name, stored)
        if result.unknown_indicators:
            result.unknown_lines = dict(
                cur.execute(
                    "SELECT n.name, min(p.line) FROM incoming_codes p JOIN incoming_names n "
                    "ON n.code = p.ind WHERE list_contains($names, n.name) GROUP BY n.name",
                    {"names": list(result.unknown_indicators)},
                ).fetchall()
            )
        if self.may_meet_stored(cur, parsed):
            found = cur.execute(_OUTLIERS).df()
            result.n_outliers = int(found["_n"].iloc[0]) if len(found) else 0
            result.outliers = found.drop(columns="_n")
        return result

    def check(self, parsed: ParsedUpload, preview: Preview, options: WriteOptions) -> None:
        problems = []
        for name, matches in preview.unknown_indicators.items():
            unit, direction = options.new_indicators.get(name, ("", ""))
            if not unit or direction not in DIRECTIONS:
                hint = ""
                if matches:
                    hint = (
                        " (or correct the name: stored indicators include "
                        + ", ".join(f"'{m}'" for m in matches)
                        + ")"
                    )
                problems.append(
                    Problem(
                        parsed.file_name,
                        preview.unknown_lines.get(name),
                        None,
                        f"the indicator '{name}' is not stored yet; give its unit and "
                        f"improvement direction (increase, decrease or neutral) to create "
                        f"it{hint}.",
                    )
                )
        if preview.n_outliers and not options.accept_outliers:
            for r in preview.outliers.itertuples():
                limits = (
                    f"; its process limits are {r.lower_limit:g} to {r.upper_limit:g}"
                    if pd.notna(r.lower_limit)
                    else ""
                )
                problems.append(
                    Problem(
                        parsed.file_name,
                        int(r.line),
                        None,
                        f"{r.indicator} for {r.month} at '{r.site}' is {r.value:g}, far from "
                        f"its stored values ({r.stored_min:g} to {r.stored_max:g} over "
                        f"{int(r.stored_months)} months{limits}); check the value, and if it "
                        "is right store the file with --accept-outliers (on the upload page: "
                        "tick that the values are right).",
                    )
                )
        if problems:
            raise InvalidContent(problems, more=max(0, preview.n_outliers - len(preview.outliers)))

    def create_names(
        self, cur: Cursor, parsed: ParsedUpload, upload_id: int, options: WriteOptions
    ) -> None:
        """Create the file's indicators that are not stored, with the unit and direction given."""
        stored = {r[0] for r in cur.execute("SELECT name FROM indicators").fetchall()}
        names = [n for n in parsed.distinct("indicator") if n not in stored]
        if not names:
            return
        given = options.new_indicators
        frame = pd.DataFrame(
            {
                "name": names,
                "unit": [given[n][0] for n in names],
                "direction": [given[n][1] for n in names],
            }
        )
        cur.register("new_indicators", frame)
        try:
            cur.execute(
                "INSERT INTO indicators (name, unit, direction) "
                "SELECT name, unit, direction FROM new_indicators ORDER BY name"
            )
            cur.execute(
                "INSERT INTO upload_created (upload_id, table_name, key_id) "
                "SELECT $u, 'indicators', i.indicator_id FROM indicators i "
                "JOIN new_indicators n ON n.name = i.name",
                {"u": upload_id},
            )
        finally:
            cur.unregister("new_indicators")


def _codes(column: pa.ChunkedArray) -> tuple[pa.ChunkedArray, pa.Array]:
    """A text column as codes (int32) into one array of names."""
    if not pa.types.is_dictionary(column.type):
        column = pc.dictionary_encode(column)
    if column.num_chunks == 0:
        return pa.chunked_array([], pa.int32()), pa.array([], pa.string())
    first = column.chunk(0).dictionary
    if any(not c.dictionary.equals(first) for c in column.chunks[1:]):
        column = column.unify_dictionaries()
        first = column.chunk(0).dictionary
    codes = pa.chunked_array([c.indices.cast(pa.int32()) for c in column.chunks], pa.int32())
    return codes, first.cast(pa.string())


def _code_table(names: pa.Array) -> pa.Table:
    return pa.table({"code": pa.array(range(len(names)), pa.int32()), "name": names})


#: Rows of the file far from their stored series, by the rules of NHS England's "Making Data
#: Count" XmR chart: outside the process limits, mean +/- 2.66 x the mean moving range of the
#: stored months (with 12 or more stored; a value inside the stored range is not flagged),
#: or, with 3 or more stored, further outside the stored range than its own width. Values
#: equal to the stored ones are not flagged again.
_OUTLIERS = f"""
    WITH k AS ({{keyed}}),
    series AS (SELECT DISTINCT key_id, site_id FROM k),
    stored AS (
        SELECT v.indicator_id, v.site_id, v.value,
               abs(v.value - lag(v.value) OVER (PARTITION BY v.indicator_id, v.site_id
                                                ORDER BY v.month)) AS mr
        FROM indicator_values v JOIN series s ON s.key_id = v.indicator_id
            AND s.site_id = v.site_id
    ),
    stats AS (
        SELECT indicator_id, site_id, count(*) AS n, min(value) AS lo, max(value) AS hi,
               CASE WHEN count(*) >= 12 AND avg(mr) > 0
                    THEN avg(value) - 2.66 * avg(mr) END AS lower_limit,
               CASE WHEN count(*) >= 12 AND avg(mr) > 0
                    THEN avg(value) + 2.66 * avg(mr) END AS upper_limit
        FROM stored GROUP BY ALL HAVING count(*) >= 3
    )
    SELECT count(*) OVER () AS _n, k.line, i.name AS indicator, s.name AS site,
           strftime(k.key_date, '%Y-%m') AS month, k.value, st.lo AS stored_min,
           st.hi AS stored_max, st.n AS stored_months, st.lower_limit, st.upper_limit
    FROM k JOIN stats st ON st.indicator_id = k.key_id AND st.site_id = k.site_id
    JOIN indicators i ON i.indicator_id = k.key_id JOIN sites s ON s.site_id = k.site_id
    LEFT JOIN indicator_values v ON v.indicator_id = k.key_id AND v.site_id = k.site_id
        AND v.month = k.key_date
    WHERE v.value IS DISTINCT FROM k.value
      AND (((k.value < st.lower_limit OR k.value > st.upper_limit)
            AND (k.value < st.lo OR k.value > st.hi))
           OR (st.hi > st.lo AND (k.value < st.lo - (st.hi - st.lo)
                                  OR k.value > st.hi + (st.hi - st.lo))))
    ORDER BY k.line LIMIT {PREVIEW_ROWS}
"""

STORAGE = IndicatorValues(
    key={"indicator_id": "key_id", "site_id": "site_id", "month": "key_date"},
    keyed=(
        "SELECT p.line, i.indicator_id AS key_id, s.site_id, p.month AS key_date, "
        "NULL::INTEGER AS key_year, NULL::VARCHAR AS key_measure, p.value FROM incoming_codes p "
        "JOIN (SELECT n.code, x.indicator_id FROM incoming_names n "
        "JOIN indicators x ON x.name = n.name) i ON i.code = p.ind "
        "JOIN (SELECT n.code, x.site_id FROM incoming_sites n "
        "JOIN sites x ON x.name = n.name) s ON s.code = p.site"
    ),
    join=(
        "LEFT JOIN indicators i ON i.name = p.indicator "
        "LEFT JOIN sites s ON s.name = p.site "
        "LEFT JOIN indicator_values v ON v.indicator_id = i.indicator_id "
        "AND v.site_id = s.site_id AND v.month = p.month"
    ),
    show="p.line, p.indicator, p.site, strftime(p.month, '%Y-%m') AS month",
    series="p.indicator, p.site",
    period="p.month",
    name_column="indicator",
    same_series=(
        "SELECT EXISTS (SELECT 1 FROM indicator_values WHERE indicator_id IN "
        "(SELECT indicator_id FROM indicators WHERE name IN (SELECT unnest($names))) "
        "AND site_id IN (SELECT site_id FROM sites WHERE name IN (SELECT unnest($sites))))"
    ),
    conflict_label="i.name",
    conflict_period="strftime(k.key_date, '%B %Y')",
    conflict_join="JOIN indicators i ON i.indicator_id = k.key_id",
)

_OUTLIERS = _OUTLIERS.replace("{keyed}", STORAGE.keyed)

SPEC = UploadKind(
    name="indicators",
    label="Monthly indicator series",
    parse=parse_indicators,
    table="indicator_values",
    key=tuple(STORAGE.key),
    coverage=(
        "indicator, site, strftime(first, '%Y-%m') AS first_month, "
        "strftime(last, '%Y-%m') AS last_month, n AS months"
    ),
    storage=STORAGE,
    # The parser cleans the few distinct cells of its text columns instead.
    materialise=False,
)
