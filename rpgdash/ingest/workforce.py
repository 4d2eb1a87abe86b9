"""Yearly workforce measures: long (year, measure, value[, site]) or the DfE children's social
work workforce statistics layout, whose national and regional rows become comparison sites."""

from __future__ import annotations

import pandas as pd

from rpgdash.db import Database
from rpgdash.ingest.checks import (
    Problems,
    cell,
    check_duplicate_headers,
    check_formulas,
    check_values,
    duplicates,
    execute,
    header_index,
    name_map,
)
from rpgdash.ingest.model import ParsedUpload
from rpgdash.ingest.reading import RawTable
from rpgdash.ingest.values import did_you_mean, normalise_name, quote_cell, read_year

#: Measures the dashboard shows (Table 2 of the evaluation), as percent rates.
MEASURES = ("Turnover", "Vacancies", "Agency staffing", "Sickness")

#: DfE column -> measure.
DFE_COLUMNS = {
    "turnover rate fte": "Turnover",
    "vacancy rate fte": "Vacancies",
    "agency rate fte": "Agency staffing",
    "absence rate fte": "Sickness",
}
_LEVELS = {"national": "national", "regional": "region", "local authority": "local_authority"}


def parse_workforce(raw: RawTable, db: Database, *, site: str | None = None) -> ParsedUpload:
    problems = Problems(raw.file_name)
    check_duplicate_headers(raw.header, problems)
    cols = header_index(raw.header)
    con = raw.con
    notes: list[str] = []
    if "time period" in cols and "geographic level" in cols:
        layout = "DfE workforce statistics"
        year_col = cols["time period"]
        measure_cols = {cols[c]: m for c, m in DFE_COLUMNS.items() if c in cols}
        if not measure_cols:
            problems.add(
                1,
                None,
                "none of the DfE columns turnover_rate_fte, vacancy_rate_fte, "
                "agency_rate_fte or absence_rate_fte is in the header.",
            )
            problems.raise_if_any()
        level, la = cols["geographic level"], cols.get("la name")
        region, country = cols.get("region name"), cols.get("country name")
        site_sql = (
            f"CASE lower({cell(f'c{level}')}) "
            f"WHEN 'national' THEN {cell(f'c{country}') if country is not None else 'NULL'} "
            f"WHEN 'regional' THEN {cell(f'c{region}') if region is not None else 'NULL'} "
            f"WHEN 'local authority' THEN {cell(f'c{la}') if la is not None else 'NULL'} END"
        )
        kind_sql = (
            f"CASE lower({cell(f'c{level}')}) WHEN 'national' THEN 'national' "
            "WHEN 'regional' THEN 'region' WHEN 'local authority' THEN 'local_authority' END"
        )
        parts = [
            f"SELECT _line, {site_sql} AS site_text, {kind_sql} AS site_kind, "
            f"{cell(f'c{year_col}')} AS year_text, $m{i} AS measure, NULL::INTEGER AS "
            f"measure_col, {cell(f'c{i}')} AS value_text, {i} AS value_col FROM raw"
            for i in measure_cols
        ]
        params = {f"m{i}": m for i, m in measure_cols.items()}
        execute(con, "CREATE TABLE cells_all AS " + " UNION ALL ".join(parts), params)
        ignored = [
            h
            for i, h in enumerate(raw.header)
            if i not in measure_cols and i not in (year_col, level, la, region, country)
        ]
        if ignored:
            notes.append(f"{len(ignored)} other DfE columns were not read.")
        text_cols = [year_col, level] + [c for c in (la, region, country) if c is not None]
    elif {"year", "measure", "value"} <= cols.keys():
        layout = "long"
        year_col, measure_col, value_col = cols["year"], cols["measure"], cols["value"]
        site_col = cols.get("site")
        site_sql = cell(f"c{site_col}") if site_col is not None else "NULL"
        con.execute(
            f"CREATE TABLE cells_all AS SELECT _line, {site_sql} AS site_text, "
            "NULL::VARCHAR AS site_kind, "
            f"{cell(f'c{year_col}')} AS year_text, {cell(f'c{measure_col}')} AS measure, "
            f"{measure_col} AS measure_col, {cell(f'c{value_col}')} AS value_text, "
            f"{value_col} AS value_col FROM raw"
        )
        text_cols = [year_col, measure_col] + ([site_col] if site_col is not None else [])
    else:
        problems.add(
            1,
            None,
            "the header must be year, measure, value (and optionally site), or the columns of "
            "the DfE workforce statistics (time_period, geographic_level, la_name, "
            "turnover_rate_fte, ...). Found: " + ", ".join(f"'{h}'" for h in raw.header if h) + ".",
        )
        problems.raise_if_any()
    check_formulas(con, problems, text_cols)
    with db.cursor() as cur:
        stored_sites = dict(cur.execute("SELECT name, kind FROM sites").fetchall())
        stored_measures = [
            r[0] for r in cur.execute("SELECT DISTINCT measure FROM workforce").fetchall()
        ]
    new_sites = _resolve_sites(con, raw, layout, stored_sites, site, problems, notes)
    missing = check_values(con, problems, source="cells", target="valued", delimiter=raw.delimiter)
    problems.query(
        con,
        "SELECT _line, value_col, value_text FROM valued WHERE value > 100",
        {},
        lambda r: (
            r["_line"],
            r["value_col"],
            f"{quote_cell(r['value_text'])} is above 100; "
            "workforce measures are percentages (0 to 100).",
        ),
    )
    _map_years(con, problems, year_col)
    measures = sorted(set(MEASURES) | set(stored_measures))
    _map_measures(con, problems, measures)
    con.execute(
        "CREATE TABLE clean AS SELECT v._line, v.site, y.year, m.measure, v.value "
        "FROM valued v JOIN years y USING (year_text) JOIN measure_map m "
        "ON m.text = v.measure WHERE y.year IS NOT NULL AND m.measure IS NOT NULL "
        "AND NOT v.is_missing AND v.value BETWEEN 0 AND 100"
    )
    problems.query(
        con,
        duplicates("clean", "site, year, measure"),
        {},
        lambda r: (
            r["_line"],
            None,
            f"{r['measure']} for {r['year']} at '{r['site']}' is given "
            f"again (first on line {r['first_line']}); keep one row per year and measure.",
        ),
    )
    problems.raise_if_any()
    rows = con.sql("SELECT _line AS line, site, year, measure, value FROM clean").to_arrow_table()
    return ParsedUpload.of(
        raw,
        "workforce",
        layout,
        rows,
        missing=missing,
        notes=notes,
        new_sites=new_sites,
    )


def _resolve_sites(con, raw, layout, stored: dict[str, str], site, problems, notes):
    """Create table ``cells`` (rows with a resolved ``site``); return sites to create."""
    by_key = {normalise_name(s): s for s in stored}
    new_sites: dict[str, str] = {}
    if layout == "long":
        texts = [
            r[0]
            for r in con.execute(
                "SELECT DISTINCT site_text FROM cells_all WHERE site_text IS NOT NULL"
            ).fetchall()
        ]
        has_site_column = "site" in header_index(raw.header)
        mapping: dict[str | None, str | None] = {t: by_key.get(normalise_name(t)) for t in texts}
        if not has_site_column:
            if site is None:
                problems.add(
                    None,
                    None,
                    "the file has no site column and the database does "
                    "not have exactly one local-authority site; choose the site the "
                    "data is for (--site NAME).",
                )
                problems.raise_if_any()
            canonical = by_key.get(normalise_name(site), " ".join(site.split()))
            if normalise_name(site) not in by_key:
                new_sites[canonical] = "local_authority"
            mapping = {None: canonical}
        for text, name in mapping.items():
            if name is None:
                problems.query(
                    con,
                    "SELECT min(_line) AS _line FROM cells_all WHERE site_text = $t "
                    "HAVING count(*) > 0",
                    {"t": text},
                    lambda r, text=text: (
                        r["_line"],
                        header_index(raw.header)["site"],
                        f"the site {quote_cell(text)} is not stored."
                        + did_you_mean(text, list(stored)),
                    ),
                )
        frame = pd.DataFrame(
            {"site_text": list(mapping), "site": list(mapping.values())}, dtype=object
        )
    else:
        rows = con.execute(
            "SELECT site_kind, site_text, count(*) FROM cells_all GROUP BY ALL"
        ).fetchall()
        mapping_rows = []
        skipped = 0
        for kind, text, n in rows:
            if kind is None or text is None:
                skipped += n
                continue
            name = by_key.get(normalise_name(text))
            if kind == "local_authority":
                if name is None or stored.get(name) != "local_authority":
                    skipped += n
                    continue
            elif name is None:
                name = " ".join(text.split())
                new_sites[name] = kind
            mapping_rows.append((text, name))
        if skipped:
            notes.append(
                f"{skipped} values for other local authorities (or other geographic levels) "
                "were not stored; only stored sites, regions and England are kept."
            )
        if not mapping_rows:
            problems.add(
                None,
                None,
                "no row is for a stored local authority, a region or "
                "England; check the la_name column matches the site name.",
            )
            problems.raise_if_any()
        frame = pd.DataFrame(mapping_rows, columns=["site_text", "site"], dtype=object)
    con.register("site_pairs", frame)
    con.execute(
        "CREATE TABLE cells AS SELECT c.*, p.site::VARCHAR AS site FROM cells_all c "
        "JOIN site_pairs p ON p.site_text IS NOT DISTINCT FROM c.site_text "
        "WHERE p.site IS NOT NULL"
    )
    con.unregister("site_pairs")
    return new_sites


def _map_years(con, problems: Problems, year_col: int) -> None:
    texts = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT year_text FROM cells WHERE year_text IS NOT NULL"
        ).fetchall()
    ]
    readings = {t: read_year(t) for t in texts}
    con.register(
        "year_pairs",
        pd.DataFrame(
            {
                "year_text": texts,
                "year": [readings[t][0] for t in texts],
                "error": [readings[t][1] for t in texts],
            }
        ).astype({"year": "Int64"}),
    )
    con.execute(
        "CREATE TABLE years AS SELECT year_text::VARCHAR AS year_text, "
        "year::INTEGER AS year, error::VARCHAR AS error FROM year_pairs"
    )
    con.unregister("year_pairs")
    problems.query(
        con,
        "SELECT DISTINCT _line, error FROM cells JOIN years USING (year_text) "
        "WHERE error IS NOT NULL",
        {},
        lambda r: (r["_line"], year_col, r["error"] + "."),
    )
    problems.query(
        con,
        "SELECT DISTINCT _line FROM cells WHERE year_text IS NULL",
        {},
        lambda r: (r["_line"], year_col, "the year is blank; fill it in."),
    )


def _map_measures(con, problems: Problems, measures: list[str]) -> None:
    pairs = name_map(
        con,
        source="cells",
        column="measure",
        table="measure_map",
        known=measures,
        name_as="measure",
    )
    problems.query(
        con,
        "SELECT _line, measure_col, measure FROM cells WHERE measure IS NULL",
        {},
        lambda r: (r["_line"], r["measure_col"], "the measure is blank; fill it in."),
    )
    for text, name in pairs.items():
        if name is None:
            problems.query(
                con,
                "SELECT _line, measure_col FROM cells WHERE measure = $t",
                {"t": text},
                lambda r, text=text: (
                    r["_line"],
                    r["measure_col"],
                    f"the measure {quote_cell(text)} is not known; use one of "
                    + ", ".join(measures)
                    + "."
                    + did_you_mean(text, measures),
                ),
            )
