"""Monthly indicator series: long (indicator, month, value[, site]) or wide (month + one
column per indicator) layouts."""

from __future__ import annotations

from collections import Counter

import pandas as pd

from rpgdash.db import Database
from rpgdash.ingest.checks import (
    AS_NUMBER,
    IS_MISSING,
    Problems,
    cell,
    check_duplicate_headers,
    check_formulas,
    duplicates,
    execute,
    header_index,
    sql_params,
)
from rpgdash.ingest.errors import InvalidContent
from rpgdash.ingest.model import ParsedUpload
from rpgdash.ingest.reading import RawTable
from rpgdash.ingest.values import (
    MONTH_CONVENTIONS,
    did_you_mean,
    normalise_name,
    quote_cell,
    read_month,
)

MONTH_COLUMNS = ("month", "date", "period")


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
    if "indicator" in cols and "value" in cols:
        layout = "long"
        ind_col, value_col = cols["indicator"], cols["value"]
        used = {ind_col, value_col, month_col, site_col}
        ignored = [h for i, h in enumerate(raw.header) if i not in used and h]
        if ignored:
            notes.append("Columns not read: " + ", ".join(ignored) + ".")
        site_sql = cell(f"c{site_col}") if site_col is not None else "NULL"
        con.execute(
            f"CREATE TABLE cells AS SELECT _line, {cell(f'c{ind_col}')} AS indicator, "
            f"{cell(f'c{month_col}')} AS month_text, {cell(f'c{value_col}')} AS value_text, "
            f"{value_col} AS value_col, {site_sql} AS site_text FROM raw"
        )
        text_cols = [ind_col, month_col] + ([site_col] if site_col is not None else [])
        problems.query(
            con,
            "SELECT _line FROM cells WHERE indicator IS NULL",
            {},
            lambda r: (r["_line"], ind_col, "the indicator name is blank; fill it in."),
        )
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
        site_sql = cell(f"c{site_col}") if site_col is not None else "NULL"
        parts = [
            f"SELECT _line, $n{i} AS indicator, {cell(f'c{month_col}')} AS month_text, "
            f"{cell(f'c{i}')} AS value_text, {i} AS value_col, {site_sql} AS site_text FROM raw"
            for i in value_cols
        ]
        names = {f"n{i}": " ".join(raw.header[i].split()) for i in value_cols}
        execute(con, "CREATE TABLE cells AS " + " UNION ALL ".join(parts), names)
        text_cols = [month_col] + ([site_col] if site_col is not None else [])
    check_formulas(con, problems, text_cols)
    problems.query(
        con,
        "SELECT _line FROM raw WHERE " + cell(f"c{month_col}") + " IS NULL",
        {},
        lambda r: (r["_line"], month_col, "the month is blank; fill it in (e.g. 2018-12)."),
    )
    missing = _check_values(con, problems)
    _check_months(con, problems, month_col)
    stored_sites = _stored_names(db, "SELECT name FROM sites ORDER BY name")
    new_sites = _map_sites(con, problems, stored_sites, site_col, site, raw.file_name)
    stored_inds = _stored_names(db, "SELECT name FROM indicators ORDER BY name")
    _map_names(con, "indicator", stored_inds)
    problems.query(
        con,
        duplicates("clean", "indicator, site, month"),
        {},
        lambda r: (
            r["_line"],
            None,
            f"indicator '{r['indicator']}' for {r['month']:%B %Y}"
            + (f" at site '{r['site']}'" if site_col is not None else "")
            + f" is given again (first on line {r['first_line']}); keep one row per "
            "indicator and month.",
        ),
    )
    problems.raise_if_any()
    rows = con.sql(
        "SELECT _line AS line, indicator, site, month, value FROM clean"
    ).to_arrow_table()
    return ParsedUpload(
        kind="indicators",
        file_name=raw.file_name,
        sha256=raw.sha256,
        source=raw.source,
        encoding=raw.encoding,
        layout=layout,
        rows=rows,
        missing=missing,
        notes=notes,
        new_sites=new_sites,
    )


def _check_values(con, problems: Problems) -> int:
    """Numbers must be finite and not negative; missing markers are counted, not stored."""
    params = sql_params()
    missing = IS_MISSING.format(x="value_text")
    number = AS_NUMBER.format(x="value_text")
    execute(
        con,
        f"CREATE TABLE valued AS SELECT *, {missing} AS is_missing, {number} AS value FROM cells",
        params,
    )
    n_missing = con.execute("SELECT count(*) FROM valued WHERE is_missing").fetchall()[0][0]
    problems.query(
        con,
        "SELECT _line, value_col, value_text FROM valued WHERE NOT is_missing AND value IS NULL",
        {},
        lambda r: (r["_line"], r["value_col"], _not_a_number(r["value_text"])),
    )
    problems.query(
        con,
        "SELECT _line, value_col, value_text FROM valued WHERE value < 0",
        {},
        lambda r: (
            r["_line"],
            r["value_col"],
            f"{quote_cell(r['value_text'])} is negative; counts and rates cannot be below "
            "zero. Correct the value, or write NA if it is not known.",
        ),
    )
    return n_missing


def _not_a_number(text: str) -> str:
    if text.strip().casefold().lstrip("+-") in {"nan", "inf", "infinity"}:
        return (
            f"{quote_cell(text)} is not a finite number; write the value, or NA if it is missing."
        )
    if text.startswith("="):
        return (
            f"the cell holds a spreadsheet formula ({quote_cell(text, 40)}), not a value; "
            "paste values instead."
        )
    return (
        f"{quote_cell(text)} is not a number; write digits only (e.g. 1,234.5), or NA if the "
        "value is missing."
    )


def _check_months(con, problems: Problems, month_col: int) -> None:
    """Read each distinct month text; refuse unreadable ones and files that mix conventions."""
    texts = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT month_text FROM cells WHERE month_text IS NOT NULL"
        ).fetchall()
    ]
    readings = {t: read_month(t) for t in texts}
    counts = Counter()
    for text, n in con.execute(
        "SELECT month_text, count(*) FROM cells WHERE month_text IS NOT NULL GROUP BY month_text"
    ).fetchall():
        if readings[text].convention:
            counts[readings[text].convention] += n
    main = None
    if counts:
        order = list(MONTH_CONVENTIONS)
        main = max(counts, key=lambda c: (counts[c], -order.index(c)))
    frame = pd.DataFrame(
        {
            "month_text": texts,
            "month": [readings[t].month for t in texts],
            "error": [
                readings[t].error
                or (None if readings[t].convention == main else readings[t].convention)
                for t in texts
            ],
        }
    )
    frame["month"] = pd.to_datetime(frame["month"]).astype("datetime64[s]")
    con.register("month_map", frame)
    con.execute(
        "CREATE TABLE months AS SELECT month_text, month::DATE AS month, error FROM month_map"
    )
    con.unregister("month_map")
    if len(counts) > 1:
        first_main = con.execute(
            "SELECT min(_line), arg_min(month_text, _line) FROM cells JOIN months "
            "USING (month_text) WHERE months.error IS NULL"
        ).fetchall()[0]
    else:
        first_main = None

    def message(r):
        error = r["error"]
        if error in MONTH_CONVENTIONS:
            return (
                r["_line"],
                month_col,
                f"the month {quote_cell(r['month_text'])} is written as {error}, but most of "
                f"this file uses {main} ({quote_cell(first_main[1])} on line {first_main[0]}); "
                "write every month the same way.",
            )
        return r["_line"], month_col, error + "."

    problems.query(
        con,
        "SELECT DISTINCT _line, month_text, error FROM cells JOIN months USING (month_text) "
        "WHERE error IS NOT NULL",
        {},
        message,
    )


def _stored_names(db: Database, sql: str) -> list[str]:
    with db.cursor() as cur:
        return [r[0] for r in cur.execute(sql).fetchall()]


def _map_sites(
    con,
    problems: Problems,
    stored: list[str],
    site_col: int | None,
    site: str | None,
    file_name: str,
) -> dict[str, str]:
    """Resolve the site of every row; return sites to create (only one named by the user)."""
    by_key = {normalise_name(s): s for s in stored}
    new_sites: dict[str, str] = {}
    if site_col is None:
        if site is None:
            raise InvalidContent.single(
                file_name,
                "the file has no site column and the database does not have exactly one "
                "local-authority site; choose the site the data is for (--site NAME).",
            )
        canonical = by_key.get(normalise_name(site), " ".join(site.split()))
        if normalise_name(site) not in by_key:
            new_sites[canonical] = "local_authority"
        con.execute(
            "CREATE TABLE site_map AS SELECT NULL::VARCHAR AS site_text, $s::VARCHAR AS site",
            {"s": canonical},
        )
    else:
        texts = [
            r[0]
            for r in con.execute(
                "SELECT DISTINCT site_text FROM cells WHERE site_text IS NOT NULL"
            ).fetchall()
        ]
        mapping = {t: by_key.get(normalise_name(t)) for t in texts}
        con.register(
            "site_pairs",
            pd.DataFrame({"site_text": texts, "site": [mapping[t] for t in texts]}, dtype=object),
        )
        con.execute(
            "CREATE TABLE site_map AS SELECT site_text::VARCHAR AS site_text, "
            "site::VARCHAR AS site FROM site_pairs"
        )
        con.unregister("site_pairs")
        problems.query(
            con,
            "SELECT _line FROM raw WHERE " + cell(f"c{site_col}") + " IS NULL",
            {},
            lambda r: (r["_line"], site_col, "the site is blank; fill it in."),
        )
        for text in texts:
            if mapping[text] is None:
                problems.query(
                    con,
                    "SELECT min(_line) AS _line, count(DISTINCT _line) AS n FROM cells "
                    "WHERE site_text = $t HAVING count(*) > 0",
                    {"t": text},
                    lambda r, text=text: (
                        r["_line"],
                        site_col,
                        f"the site {quote_cell(text)} is not stored"
                        + (f" (also on {r['n'] - 1} more lines)" if r["n"] > 1 else "")
                        + "."
                        + did_you_mean(text, stored)
                        + " Use a stored site name: "
                        + ", ".join(stored)
                        + "."
                        if stored
                        else f"the site {quote_cell(text)} is not stored; choose a "
                        "site instead of giving a site column.",
                    ),
                )
    return new_sites


def _map_names(con, what: str, stored: list[str]) -> None:
    """Build table ``clean``: valid rows with indicator names in their stored spelling."""
    by_key = {normalise_name(s): s for s in stored}
    texts = [
        r[0]
        for r in con.execute(
            f"SELECT DISTINCT {what} FROM valued WHERE {what} IS NOT NULL"
        ).fetchall()
    ]
    con.register(
        "name_pairs",
        pd.DataFrame(
            {
                "text": texts,
                "name": [by_key.get(normalise_name(t), " ".join(t.split())) for t in texts],
            },
            dtype=object,
        ),
    )
    con.execute(
        "CREATE TABLE clean AS SELECT v._line, n.name::VARCHAR AS indicator, s.site, m.month, "
        "v.value FROM valued v JOIN name_pairs n ON n.text = v.indicator "
        "JOIN months m ON m.month_text = v.month_text AND m.error IS NULL "
        "JOIN site_map s ON s.site_text IS NOT DISTINCT FROM v.site_text "
        "WHERE NOT v.is_missing AND v.value IS NOT NULL AND v.value >= 0 "
        "AND s.site IS NOT NULL"
    )
    con.unregister("name_pairs")
