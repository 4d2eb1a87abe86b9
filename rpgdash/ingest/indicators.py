"""Monthly indicator series: long (indicator, month, value[, site]) or wide (month + one
column per indicator) layouts.

A file of a million rows is checked without cleaning a million text cells. The indicator,
month and site columns hold few distinct values, so each distinct cell is cleaned and read once
(the same SQL as the ``raw`` view, applied to a small table; months and names in Python) and
every row gets the result through a join on its cell as read. Only the value column is read row
by row, and only cells that are not plain numbers go through the full cleaning. Every check
first counts its problems over the whole file; rows are fetched (at most ``MAX_LISTED`` per
check) only to word the problems found, from the cleaned cells of ``raw``'s definition.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from rpgdash.db import Database
from rpgdash.ingest.checks import (
    IS_MISSING,
    Problems,
    arrow,
    as_number,
    check_decimal_commas,
    check_duplicate_headers,
    duplicates,
    formula_message,
    header_index,
    not_a_number,
    plausible_max,
    refuse_look_alikes,
    sql_params,
    too_large_message,
)
from rpgdash.ingest.errors import InvalidContent
from rpgdash.ingest.model import ParsedUpload
from rpgdash.ingest.reading import RawTable, clean_sql, not_blank_row_sql
from rpgdash.ingest.values import (
    MONTH_CONVENTIONS,
    did_you_mean,
    normalise_name,
    quote_cell,
    read_month,
)

MONTH_COLUMNS = ("month", "date", "period")

#: Arrow type of the indicator and site columns of the parsed rows: few names, many rows.
NAME_TYPE = pa.dictionary(pa.int32(), pa.string())


@dataclass
class _Distinct:
    """The distinct cells of one column of ``parsed`` (non-blank rows), each cleaned once."""

    column: int
    raws: list[str | None]
    texts: list[str | None]
    counts: list[int]
    first_lines: list[int]

    def raws_where(self, test: Callable[[str | None], bool]) -> list[str | None]:
        return [r for r, t in zip(self.raws, self.texts, strict=True) if test(t)]

    def rows_with(self, raws: Sequence[str | None]) -> tuple[str, dict[str, Any]]:
        """SQL condition (and its parameter) for rows of ``parsed`` holding one of ``raws``."""
        column = f"c{self.column}"
        parts = [f"{column} IS NULL"] if None in raws else []
        values = [r for r in raws if r is not None]
        if values:
            parts.append(f"list_contains($raws, {column})")
        return "(" + (" OR ".join(parts) or "FALSE") + ")", {"raws": values}


def _distinct(con, column: int, not_blank: str) -> _Distinct:
    rows = con.execute(
        f"SELECT raw, {clean_sql('raw')} AS text, n, first_line FROM (SELECT c{column} AS raw, "
        f"count(*) AS n, min(_line) AS first_line FROM parsed WHERE {not_blank} GROUP BY ALL) "
        "ORDER BY first_line"
    ).fetchall()
    return _Distinct(
        column,
        [r[0] for r in rows],
        [r[1] for r in rows],
        [r[2] for r in rows],
        [r[3] for r in rows],
    )


def _register_map(con, name: str, columns: dict[str, pa.Array]) -> None:
    con.register(f"{name}_frame", pa.table(columns))
    con.execute(f"CREATE TABLE {name} AS SELECT * FROM {name}_frame")
    con.unregister(f"{name}_frame")


def parse_indicators(raw: RawTable, db: Database, *, site: str | None = None) -> ParsedUpload:
    """Validate an indicator file; raise ``InvalidContent`` listing every problem."""
    problems = Problems(raw.file_name)
    check_duplicate_headers(raw.header, problems)
    cols = header_index(raw.header)
    month_col = next((cols[m] for m in MONTH_COLUMNS if m in cols), None)
    site_col = cols.get("site")
    if month_col is None:
        problems.add(
            1,
            None,
            "the header needs a 'month' column: either indicator, month, value (and optionally "
            "site), one row per value; or month followed by one column per indicator. Found: "
            + ", ".join(f"'{h}'" for h in raw.header if h)
            + ".",
        )
        problems.raise_if_any()
    con = raw.con
    notes: list[str] = []
    ind_col = None
    if "indicator" in cols and "value" in cols:
        layout = "long"
        ind_col, value_col = cols["indicator"], cols["value"]
        used = {ind_col, value_col, month_col, site_col}
        ignored = [h for i, h in enumerate(raw.header) if i not in used and h]
        if ignored:
            notes.append("Columns not read: " + ", ".join(ignored) + ".")
        value_cols = [value_col]
        text_cols = [ind_col, month_col] + ([site_col] if site_col is not None else [])
    else:
        layout = "wide"
        value_cols = [
            i for i, h in enumerate(raw.header) if i not in (month_col, site_col) and h.strip()
        ]
        if not value_cols:
            problems.add(
                1,
                None,
                "no indicator columns: give one column per indicator after the month column, "
                "or use the columns indicator, month, value.",
            )
            problems.raise_if_any()
        text_cols = [month_col] + ([site_col] if site_col is not None else [])
    if site_col is None and site is None:
        raise InvalidContent.single(
            raw.file_name,
            "the file has no site column and the database does not have exactly one "
            "local-authority site; choose the site the data is for (--site NAME).",
        )
    not_blank = not_blank_row_sql(len(raw.header))
    if len(raw.header) > 16:
        # The blank-row test reads every column: decide it once per row, not once per
        # value column and text column, so a wide file costs time linear in its columns.
        con.execute("CREATE TABLE kept_lines AS SELECT _line FROM parsed WHERE " + not_blank)
        not_blank = "_line IN (SELECT _line FROM kept_lines)"
    distinct = {c: _distinct(con, c, not_blank) for c in text_cols}
    months = distinct[month_col]

    # Indicator names: the stored spelling when one matches, else the cell tidied.
    with db.cursor() as cur:
        units = dict(cur.execute("SELECT name, unit FROM indicators").fetchall())
    by_key = {normalise_name(s): s for s in units}

    def canonical(text: str) -> str:
        return by_key.get(normalise_name(text), " ".join(text.split()))

    if ind_col is not None:
        inds = distinct[ind_col]
        name_of = [None if t is None else canonical(t) for t in inds.texts]
        names = sorted({n for n in name_of if n is not None})
    else:
        wide_names = {i: canonical(" ".join(raw.header[i].split())) for i in value_cols}
        names = sorted(set(wide_names.values()))
    code = {n: i for i, n in enumerate(names)}
    if ind_col is not None:
        named = zip(inds.texts, inds.first_lines, [ind_col] * len(inds.texts), strict=True)
    else:
        named = ((raw.header[i], 1, i) for i in value_cols)
    refuse_look_alikes(problems, named, units, "indicator")

    # Rows with a blank indicator, and text cells holding formulas.
    if ind_col is not None:
        _query_rows(
            con,
            problems,
            distinct[ind_col],
            lambda t: t is None,
            not_blank,
            lambda r: (r["_line"], ind_col, "the indicator name is blank; fill it in."),
        )
    for c in text_cols:
        _query_rows(
            con,
            problems,
            distinct[c],
            lambda t: t is not None and t.startswith("="),
            not_blank,
            lambda r, c=c: (r["_line"], c, formula_message(r["text"])),
        )
    _query_rows(
        con,
        problems,
        months,
        lambda t: t is None,
        not_blank,
        lambda r: (r["_line"], month_col, "the month is blank; fill it in (e.g. 2018-12)."),
    )
    month_errors, main, first_main = _read_months(months)

    # Sites: the one chosen, or the site column's names (which must be stored).
    stored_sites = _stored_names(db, "SELECT name FROM sites ORDER BY name")
    by_site = {normalise_name(s): s for s in stored_sites}
    new_sites: dict[str, str] = {}
    if site_col is None:
        chosen = by_site.get(normalise_name(site), " ".join(site.split()))
        if normalise_name(site) not in by_site:
            new_sites[chosen] = "local_authority"
        site_names = [chosen]
    else:
        site_cells = distinct[site_col]
        site_of = [None if t is None else by_site.get(normalise_name(t)) for t in site_cells.texts]
        site_names = sorted({s for s in site_of if s is not None})
    site_code = {n: i for i, n in enumerate(site_names)}
    if site_col is None:
        refuse_look_alikes(problems, [(site, None, None)], stored_sites, "site")
    else:
        refuse_look_alikes(
            problems,
            zip(
                site_cells.texts,
                site_cells.first_lines,
                [site_col] * len(site_cells.texts),
                strict=True,
            ),
            stored_sites,
            "site",
        )

    # One pass over the rows: codes for indicator, month and site; the value read.
    month_of = [
        None if t is None or t in month_errors else read_month(t).month for t in months.texts
    ]
    _register_map(
        con,
        "month_map",
        {
            "raw": pa.array(months.raws, pa.string()),
            "month": pa.array(month_of, pa.date32()),
            "ordinal": pa.array(
                [None if m is None else m.year * 12 + m.month - 1 for m in month_of], pa.int32()
            ),
        },
    )
    joins = ["JOIN month_map m ON m.raw IS NOT DISTINCT FROM c.month_raw"]
    if ind_col is not None:
        _register_map(
            con,
            "ind_map",
            {
                "raw": pa.array(inds.raws, pa.string()),
                "code": pa.array([None if n is None else code[n] for n in name_of], pa.int32()),
            },
        )
        joins.append("JOIN ind_map i ON i.raw IS NOT DISTINCT FROM c.ind_raw")
        ind_sql = "i.code"
    else:
        ind_sql = "c.ind"
    if site_col is not None:
        _register_map(
            con,
            "site_map",
            {
                "raw": pa.array(site_cells.raws, pa.string()),
                "code": pa.array(
                    [None if s is None else site_code[s] for s in site_of], pa.int32()
                ),
            },
        )
        joins.append("JOIN site_map s ON s.raw IS NOT DISTINCT FROM c.site_raw")
        site_sql = "s.code"
    else:
        site_sql = "0::INTEGER"
    # A value cell that DuckDB casts to a finite number as read is read no differently by the
    # full cleaning and reading (its cast ignores the white space cleaning would trim), so
    # only the other cells (blank, markers, "1,234", "12%", errors) take the long way.
    site_part = f"c{site_col}" if site_col is not None else "NULL::VARCHAR"
    if len(value_cols) == 1:
        (i,) = value_cols
        ind_part = (
            f"c{ind_col} AS ind_raw" if ind_col is not None else f"{code[wide_names[i]]} AS ind"
        )
        cells = (
            f"SELECT _line, {ind_part}, c{month_col} AS month_raw, {site_part} AS site_raw, "
            f"{i}::INTEGER AS value_col, c{i} AS value_raw, TRY_CAST(c{i} AS DOUBLE) AS fast "
            f"FROM parsed WHERE {not_blank}"
        )
    else:
        # One pass over the rows, each unnested into its value cells (with their column and
        # indicator code): the cost grows with the number of cells, not columns squared.
        values = ", ".join(f"c{i}" for i in value_cols)
        cells = (
            "SELECT *, TRY_CAST(value_raw AS DOUBLE) AS fast FROM (SELECT _line, "
            f"unnest($value_codes)::INTEGER AS ind, c{month_col} AS month_raw, "
            f"{site_part} AS site_raw, unnest($value_cols)::INTEGER AS value_col, "
            f"unnest([{values}]) AS value_raw FROM parsed WHERE {not_blank})"
        )
    # Fetched as Arrow: counting and the repeated-key test run on its arrays, and the rows
    # to store are taken from it; SQL reads it (as ``checked``) only to word problems.
    text = clean_sql("c.value_raw")
    checked = arrow(
        con,
        f"SELECT c._line, c.value_col, {ind_sql}::INTEGER AS ind, {site_sql} AS site, "
        "m.month, m.ordinal, "
        f"CASE WHEN isfinite(c.fast) THEN c.fast ELSE {as_number(text, raw.delimiter)} END "
        "AS value, "
        f"CASE WHEN isfinite(c.fast) THEN FALSE ELSE {IS_MISSING.format(x=text)} END "
        f"AS is_missing FROM ({cells}) c " + " ".join(joins),
        sql_params(value_cols=value_cols, value_codes=[code[wide_names[i]] for i in value_cols])
        if len(value_cols) > 1
        else sql_params(),
    )
    con.register("checked", checked)
    is_missing, value = checked.column("is_missing"), checked.column("value")
    missing = _count(is_missing)
    not_numbers = _count(pc.and_(pc.invert(is_missing), pc.is_null(value)))
    negatives = _count(pc.less(value, 0))
    # A value must be finite and plausible for its unit (an overflow such as 1e309 is read
    # as infinity): one limit per indicator code, looked up for every row.
    limits = pa.array([plausible_max(units.get(n)) for n in names], pa.float64())
    too_large = pc.greater(value, pc.take(limits, checked.column("ind")))
    n_too_large = _count(too_large)
    value_text = (
        "CASE k.value_col "
        + " ".join(f"WHEN {i} THEN {clean_sql(f'p.c{i}')}" for i in value_cols)
        + " END"
    )
    bad_values = (
        f"SELECT k._line, k.value_col, {value_text} AS value_text FROM checked k "
        "JOIN parsed p USING (_line) WHERE "
    )
    if not_numbers and layout == "wide":
        # A wide column without a single number is a column of text, not an indicator: the
        # file has the wrong columns, which one sentence says (not one per cell).
        text_columns = [
            r[0]
            for r in con.execute(
                "SELECT value_col FROM checked GROUP BY value_col HAVING count(value) = 0 "
                "AND count(*) FILTER (WHERE NOT is_missing) > 0 ORDER BY value_col"
            ).fetchall()
        ]
        for i in text_columns:
            problems.add(
                1,
                i,
                f"the column '{raw.header[i]}' holds text, not numbers; an indicator file "
                "has the columns indicator, month, value (and optionally site), one row per "
                "value, or month followed by one column of numbers per indicator. Found: "
                + ", ".join(f"'{h}'" for h in raw.header if h)
                + ".",
            )
        skip = "".join(f" AND k.value_col <> {int(i)}" for i in text_columns)
    else:
        skip = ""
    if not_numbers:
        problems.query(
            con,
            bad_values + "NOT k.is_missing AND k.value IS NULL" + skip,
            {},
            lambda r: (r["_line"], r["value_col"], not_a_number(r["value_text"])),
        )
    if negatives:
        problems.query(
            con,
            bad_values + "k.value < 0",
            {},
            lambda r: (
                r["_line"],
                r["value_col"],
                f"{quote_cell(r['value_text'])} is negative; counts and rates cannot be below "
                "zero. Correct the value, or write NA if it is not known.",
            ),
        )
    if n_too_large:
        con.register(
            "limits", pa.table({"ind": pa.array(range(len(names)), pa.int32()), "lim": limits})
        )
        problems.query(
            con,
            f"SELECT k._line, k.value_col, {value_text} AS value_text, l.lim FROM checked k "
            "JOIN parsed p USING (_line) JOIN limits l ON l.ind = k.ind WHERE k.value > l.lim",
            {},
            lambda r: (r["_line"], r["value_col"], too_large_message(r["value_text"], r["lim"])),
        )
    if raw.delimiter == ";":
        comma_cells = " UNION ALL ".join(
            f"SELECT _line, {i} AS value_col, {clean_sql(f'c{i}')} AS value_text FROM parsed "
            f"WHERE contains(c{i}, ',')"
            for i in value_cols
        )
        check_decimal_commas(con, problems, comma_cells, raw.delimiter)
    _month_problems(con, problems, months, month_errors, main, first_main)
    if site_col is not None:
        _query_rows(
            con,
            problems,
            site_cells,
            lambda t: t is None,
            not_blank,
            lambda r: (r["_line"], site_col, "the site is blank; fill it in."),
        )
        _unknown_sites(problems, site_cells, site_of, stored_sites, site_col)
    valid = pc.and_(
        pc.and_(pc.is_valid(checked.column("ind")), pc.is_valid(checked.column("site"))),
        pc.and_(pc.is_valid(checked.column("month")), pc.invert(is_missing)),
    )
    valid = pc.and_(valid, pc.fill_null(pc.greater_equal(value, 0), False))
    valid = pc.and_(valid, pc.invert(pc.fill_null(too_large, False)))
    if _repeated_keys(con, checked, valid):
        con.execute(
            "CREATE VIEW valid AS SELECT * FROM checked WHERE ind IS NOT NULL "
            "AND site IS NOT NULL AND month IS NOT NULL AND NOT is_missing "
            "AND value IS NOT NULL AND value >= 0"
        )
        problems.query(
            con,
            duplicates("valid", "ind, site, month"),
            {},
            lambda r: (
                r["_line"],
                None,
                f"indicator '{names[r['ind']]}' for {r['month']:%B %Y}"
                + (f" at site '{site_names[r['site']]}'" if site_col is not None else "")
                + f" is given again (first on line {r['first_line']}); keep one row per "
                "indicator and month.",
            ),
        )
    problems.raise_if_any()
    # No problem: every row not missing is valid, and is stored.
    found = checked.filter(pc.invert(is_missing)) if missing else checked
    rows = pa.table(
        {
            "line": found.column("_line"),
            "indicator": _names(found.column("ind"), names),
            "site": _names(found.column("site"), site_names),
            "month": found.column("month"),
            "value": found.column("value"),
        }
    )
    return ParsedUpload.of(
        raw,
        "indicators",
        layout,
        rows,
        missing=missing,
        notes=notes,
        new_sites=new_sites,
    )


def _count(flags: pa.ChunkedArray) -> int:
    """How many of ``flags`` are TRUE (NULL counts as FALSE)."""
    return pc.sum(flags).as_py() or 0


#: The repeated-key test counts rows per key in an array indexed by key when the keys fit in
#: at most this many slots (or four per row); more, and SQL groups the rows instead.
_DENSE_KEYS = 1 << 22


def _repeated_keys(con, checked: pa.Table, valid: pa.ChunkedArray) -> bool:
    """Whether two valid rows have the same indicator, site and month.

    A hash aggregate over a million keys costs more than the rest of the checks; the codes
    and month ordinals are small integers, so the key is usually a dense index instead.
    """
    keys = checked.select(["ind", "site", "ordinal"])
    if _count(valid) < keys.num_rows:
        keys = keys.filter(valid)
    if keys.num_rows < 2:
        return False
    ind, site, ordinal = (keys.column(c).to_numpy() for c in ("ind", "site", "ordinal"))
    first = int(ordinal.min())
    months = int(ordinal.max()) - first + 1
    sites = int(site.max()) + 1
    slots = (int(ind.max()) + 1) * sites * months
    if slots <= max(_DENSE_KEYS, 4 * keys.num_rows):
        key = (ind.astype(np.int64) * sites + site) * months + (ordinal - first)
        return bool(np.bincount(key).max() > 1)
    return bool(
        con.execute(
            "SELECT count(*) FROM (SELECT 1 FROM checked WHERE ind IS NOT NULL AND site IS NOT "
            "NULL AND month IS NOT NULL AND NOT is_missing AND value IS NOT NULL AND value >= 0 "
            "GROUP BY ind, site, month HAVING count(*) > 1)"
        ).fetchall()[0][0]
    )


def _names(codes: pa.ChunkedArray, names: list[str]) -> pa.ChunkedArray:
    """Codes (indexes into ``names``) as a dictionary-encoded text column (no copy)."""
    dictionary = pa.array(names, pa.string())
    return pa.chunked_array(
        [pa.DictionaryArray.from_arrays(chunk, dictionary) for chunk in codes.chunks],
        type=NAME_TYPE,
    )


def _query_rows(con, problems: Problems, cells: _Distinct, test, not_blank: str, make) -> None:
    """Add a problem for each row whose cell (cleaned: ``text``) passes ``test``."""
    raws = cells.raws_where(test)
    if not raws:
        return
    where, params = cells.rows_with(raws)
    problems.query(
        con,
        f"SELECT _line, {clean_sql(f'c{cells.column}')} AS text FROM parsed "
        f"WHERE {where} AND {not_blank}",
        params,
        make,
    )


def _read_months(months: _Distinct) -> tuple[dict[str, str], str | None, tuple | None]:
    """Read each distinct month; return the error (or other convention) of each text that has
    one, the file's main convention, and its first line and text when conventions are mixed."""
    readings = {t: read_month(t) for t in months.texts if t is not None}
    counts: Counter[str] = Counter()
    for text, n in zip(months.texts, months.counts, strict=True):
        if text is not None and readings[text].convention:
            counts[readings[text].convention] += n
    main = None
    if counts:
        order = list(MONTH_CONVENTIONS)
        main = max(counts, key=lambda c: (counts[c], -order.index(c)))
    errors = {}
    for text, reading in readings.items():
        error = reading.error or (None if reading.convention == main else reading.convention)
        if error:
            errors[text] = error
    first_main = None
    if len(counts) > 1:
        fine = [
            (line, text)
            for text, line in zip(months.texts, months.first_lines, strict=True)
            if text is not None and text not in errors
        ]
        first_main = min(fine) if fine else (None, None)
    return errors, main, first_main


def _month_problems(con, problems, months: _Distinct, errors, main, first_main) -> None:
    raws = months.raws_where(lambda t: t is not None and t in errors)
    if not raws:
        return
    where, params = months.rows_with(raws)
    month_col = months.column

    def message(r):
        error = errors[r["month_text"]]
        if error in MONTH_CONVENTIONS:
            example = (
                f" ({quote_cell(first_main[1])} on line {first_main[0]})"
                if first_main and first_main[1] is not None
                else ""
            )
            return (
                r["_line"],
                month_col,
                f"the month {quote_cell(r['month_text'])} is written as {error}, but most of "
                f"this file uses {main}{example}; write every month the same way.",
            )
        return r["_line"], month_col, error + "."

    problems.query(
        con,
        f"SELECT _line, {clean_sql(f'c{month_col}')} AS month_text FROM parsed WHERE {where}",
        params,
        message,
    )


def _unknown_sites(problems, cells: _Distinct, site_of, stored: list[str], site_col) -> None:
    """One problem per site name that is not stored, at its first line."""
    unknown: dict[str, tuple[int, int]] = {}
    for text, name, n, first in zip(
        cells.texts, site_of, cells.counts, cells.first_lines, strict=True
    ):
        if text is not None and name is None:
            lines, line = unknown.get(text, (0, first))
            unknown[text] = (lines + n, min(line, first))
    for text, (n, line) in unknown.items():
        problems.add(
            line,
            site_col,
            f"the site {quote_cell(text)} is not stored"
            + (f" (also on {n - 1} more lines)" if n > 1 else "")
            + "."
            + did_you_mean(text, stored)
            + " Use a stored site name: "
            + ", ".join(stored)
            + "."
            if stored
            else f"the site {quote_cell(text)} is not stored; choose a "
            "site instead of giving a site column.",
        )


def _stored_names(db: Database, sql: str) -> list[str]:
    with db.cursor() as cur:
        return [r[0] for r in cur.execute(sql).fetchall()]
