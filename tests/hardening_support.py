"""Databases with awkward content for the hardening tests (issue 10)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from rpgdash.db import advance_sequences, open_db

#: Sites added beside the demo's own, each missing something (their names sort first).
ODD_SITES = (
    "A borough with nothing stored",
    "B borough with two months of one indicator",
    "C borough with workforce figures only",
    "D borough with a survey and no invited count",
)


def add_odd_sites(path: Path, *, prefix: str = "") -> dict[str, str]:
    """Add the :data:`ODD_SITES` (names prefixed with ``prefix``) and an odd wave.

    The demo site also gets a wave '+5 years' with a few respondents and no invited count.
    Returns the stored names by role (``empty``, ``indicators``, ``workforce``, ``survey``).
    """
    names = dict(zip(("empty", "indicators", "workforce", "survey"), ODD_SITES, strict=True))
    names = {k: prefix + v for k, v in names.items()}
    with open_db(path) as db, db.transaction() as cur:
        ids = {}
        for key, name in names.items():
            ids[key] = cur.execute(
                "INSERT INTO sites (name) VALUES (?) RETURNING site_id", [name]
            ).fetchall()[0][0]
        indicator = cur.execute("SELECT min(indicator_id) FROM indicators").fetchall()[0][0]
        for month in ("2019-01-01", "2019-02-01"):
            cur.execute(
                "INSERT INTO indicator_values (indicator_id, site_id, month, value) "
                "VALUES (?, ?, ?, 3)",
                [indicator, ids["indicators"], month],
            )
        cur.execute(
            "INSERT INTO workforce (site_id, year, measure, value) VALUES (?, 2019, 'Turnover', 9)",
            [ids["workforce"]],
        )
        wave = cur.execute(
            "INSERT INTO waves (label, wave_order, comparable) VALUES ('+5 years', 99, TRUE) "
            "RETURNING wave_id"
        ).fetchall()[0][0]
        demo = cur.execute(
            "SELECT site_id FROM sites WHERE name = 'Demo local authority'"
        ).fetchall()[0][0]
        role = cur.execute("SELECT min(role_id) FROM roles").fetchall()[0][0]
        statement = cur.execute("SELECT min(statement_id) FROM statements").fetchall()[0][0]
        for site in (ids["survey"], demo):
            # No wave_sites row for the odd site; a NULL invited count for the demo site.
            if site == demo:
                cur.execute(
                    "INSERT INTO wave_sites (wave_id, site_id, invited) VALUES (?, ?, NULL)",
                    [wave, site],
                )
            for n in range(3):
                person = cur.execute(
                    "INSERT INTO respondents (site_id, wave_id, role_id, external_id) "
                    "VALUES (?, ?, ?, ?) RETURNING respondent_id",
                    [site, wave, role, f"odd{n}"],
                ).fetchall()[0][0]
                cur.execute(
                    "INSERT INTO responses (respondent_id, statement_id, score) VALUES (?, ?, 3)",
                    [person, statement],
                )
    return names


def payload(port: int = 8999) -> str:
    """Markdown and HTML that would fetch from, or link to, 127.0.0.1:``port`` if interpreted."""
    host = f"127.0.0.1:{port}"
    return (
        f"Leak ![p](http://{host}/x.png) [Sign in](http://{host}/) "
        f'<img src="http://{host}/y.png"> <a href="http://{host}/">here</a> '
        f"http://{host}/auto **bold** :red[red] $x^2$"
    )


# Columns whose values the schema constrains or other rows refer to by value.
_KEEP = {
    ("sites", "kind"),
    ("statements", "domain"),
    ("indicators", "direction"),
    ("uploads", "kind"),
    ("uploads", "status"),
    ("uploads", "sha256"),
    ("uploads", "encoding"),
    ("upload_changes", "table_name"),
    ("upload_changes", "key_measure"),
    ("upload_created", "table_name"),
    ("themes", "polarity"),
    ("excerpts", "source_type"),
    ("events", "kind"),
    ("notes", "key"),
    ("respondents", "external_id"),
    # Benchmarks (issue 15): codes, periods and keys are matched on, not shown as names.
    ("benchmark_measures", "dfe_column"),
    ("benchmark_measures", "unit"),
    ("benchmark_measures", "direction"),
    ("benchmark_measures", "release"),
    ("benchmark_areas", "level"),
    ("benchmark_areas", "area_key"),
    ("benchmark_areas", "new_la_code"),
    ("benchmark_areas", "old_la_code"),
    ("benchmark_areas", "region_code"),
    ("benchmark_values", "period"),
    ("statistical_neighbours", "la_key"),
    ("statistical_neighbours", "la_code"),
    ("statistical_neighbours", "neighbour_code"),
    ("statistical_neighbours", "closeness"),
    ("site_la_codes", "la_code"),
}


# Parents before children (DuckDB refuses to update rows that foreign keys refer to, so the
# copy is built table by table instead of updated in place).
_ORDER = (
    "sites",
    "waves",
    "roles",
    "statements",
    "uploads",
    "indicators",
    "wave_sites",
    "respondents",
    "responses",
    "indicator_values",
    "workforce",
    "events",
    "notes",
    "upload_changes",
    "upload_created",
    "themes",
    "theme_statements",
    "theme_measures",
    "excerpts",
    "benchmark_measures",
    "benchmark_areas",
    "benchmark_values",
    "statistical_neighbours",
    "site_la_codes",
)


def inject_payload(source: Path, target: Path, text: str) -> None:
    """Copy database ``source`` to ``target`` with ``text`` appended to every stored name.

    Every name, label, note, theme, excerpt and file name gets the text; one upload whose
    file name and uploader carry it is added.
    """
    open_db(target).close()  # the current schema
    con = duckdb.connect(str(target))
    try:
        con.execute("ATTACH ? AS src (READ_ONLY)", [str(source)])
        columns = con.execute(
            "SELECT table_name, column_name, data_type FROM duckdb_columns() "
            "WHERE database_name = 'src' AND schema_name = 'main' ORDER BY column_index"
        ).fetchall()
        tables: dict[str, list[str]] = {}
        for table, column, kind in columns:
            # Identifiers come from the catalogue; the payload is bound as a parameter.
            changed = kind == "VARCHAR" and (table, column) not in _KEEP
            tables.setdefault(table, []).append(
                f'CASE WHEN "{column}" IS NULL THEN NULL ELSE "{column}" || \' \' || $1 END'
                if changed
                else f'"{column}"'
            )
        con.execute("BEGIN")
        for table in _ORDER:
            select = ", ".join(tables[table])
            sql = f'INSERT INTO main."{table}" SELECT {select} FROM src.main."{table}"'
            con.execute(sql, [text] if "$1" in select else [])
        con.execute(
            "INSERT INTO uploads (uploaded_by, kind, file_name, sha256) "
            "VALUES ($1, 'indicators', $1 || '.csv', 'x')",
            [text],
        )
        advance_sequences(con)
        con.execute("COMMIT")
        con.execute("DETACH src")
    finally:
        con.close()
