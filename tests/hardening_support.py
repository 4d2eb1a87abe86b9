"""Databases with awkward content for the hardening tests (issue 10)."""

from __future__ import annotations

from pathlib import Path

from rpgdash.db import open_db

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
