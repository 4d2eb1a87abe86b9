"""Every read the product makes, each a function returning a DataFrame (or plain values).

All values are bound parameters; SQL is never assembled from user input. Each function takes
its own cursor, so the functions are safe to call from Streamlit's session threads at once.
Note for DuckDB 2.x: a result must be fully fetched before the cursor does other work, which
``_df`` and ``_rows`` guarantee.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from rpgdash.db import Database

ALL_ROLES = "All roles"


def _df(db: Database, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
    with db.cursor() as cur:
        return cur.execute(sql, list(params)).df()


def _rows(db: Database, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
    with db.cursor() as cur:
        return cur.execute(sql, list(params)).fetchall()


# --- reference data -------------------------------------------------------------------------

def sites(db: Database, *, include_comparisons: bool = False) -> pd.DataFrame:
    """Sites (site_id, name, kind); the customer's own sites first, by name."""
    return _df(
        db,
        "SELECT site_id, name, kind FROM sites "
        "WHERE ? OR kind = 'local_authority' "
        "ORDER BY kind <> 'local_authority', name",
        [include_comparisons],
    )


def site_names(db: Database) -> list[str]:
    return sites(db)["name"].tolist()


def roles(db: Database) -> list[str]:
    """Job roles in hierarchy order (most senior first)."""
    return [r[0] for r in _rows(db, "SELECT name FROM roles ORDER BY rank, name")]


def waves(db: Database, *, comparable_only: bool = False) -> pd.DataFrame:
    """Survey waves in order: wave_id, label, fieldwork_start, fieldwork_end, comparable, note."""
    return _df(
        db,
        "SELECT wave_id, label, fieldwork_start, fieldwork_end, wave_order, comparable, note "
        "FROM waves WHERE comparable OR NOT ? ORDER BY wave_order, label",
        [comparable_only],
    )


def statements(db: Database, domain: str | None = None) -> pd.DataFrame:
    return _df(
        db,
        "SELECT statement_id, domain, text, position, from_paper FROM statements "
        "WHERE ? IS NULL OR domain = ? ORDER BY domain, position",
        [domain, domain],
    )


# --- survey ---------------------------------------------------------------------------------

def wave_response_summary(db: Database, site: str | None = None) -> pd.DataFrame:
    """Per wave: respondents, invited staff and response rate (percent), for one or all sites."""
    return _df(
        db,
        """
        WITH chosen AS (SELECT site_id FROM sites WHERE kind = 'local_authority'
                        AND (? IS NULL OR name = ?)),
        invited AS (SELECT wave_id, sum(invited) AS invited FROM wave_sites
                    WHERE site_id IN (SELECT site_id FROM chosen) GROUP BY wave_id),
        answered AS (SELECT wave_id, count(*) AS respondents FROM respondents
                     WHERE site_id IN (SELECT site_id FROM chosen) GROUP BY wave_id)
        SELECT w.label AS wave, w.comparable, w.fieldwork_start, w.fieldwork_end,
               coalesce(a.respondents, 0) AS respondents, i.invited,
               round(100.0 * a.respondents / nullif(i.invited, 0), 1) AS response_rate
        FROM waves w LEFT JOIN invited i USING (wave_id) LEFT JOIN answered a USING (wave_id)
        ORDER BY w.wave_order
        """,
        [site, site],
    )


def level_counts(db: Database, *, site: str | None = None,
                 domain: str | None = None) -> pd.DataFrame:
    """Answers per level, aggregated by DuckDB: one row per role, wave, statement and score.

    Columns: domain, role, statement, statement_order, wave, score, n. No-answers are left
    out. Roles are ordered by hierarchy so that callers can keep that order.
    """
    return _df(
        db,
        """
        SELECT s.domain, ro.name AS role, s.text AS statement, s.position AS statement_order,
               w.label AS wave, r.score, count(*) AS n
        FROM responses r
        JOIN respondents p USING (respondent_id)
        JOIN sites si ON si.site_id = p.site_id
        JOIN statements s USING (statement_id)
        JOIN waves w ON w.wave_id = p.wave_id
        JOIN roles ro ON ro.role_id = p.role_id
        WHERE r.score IS NOT NULL AND w.comparable
          AND (? IS NULL OR si.name = ?) AND (? IS NULL OR s.domain = ?)
        GROUP BY ALL
        ORDER BY s.domain, ro.rank, s.position, w.label, r.score
        """,
        [site, site, domain, domain],
    )


def group_sizes(db: Database, *, site: str | None = None) -> pd.DataFrame:
    """Respondents per role and wave (columns role, wave, respondents), hierarchy order."""
    return _df(
        db,
        """
        SELECT ro.name AS role, w.label AS wave, count(*) AS respondents
        FROM respondents p
        JOIN sites si ON si.site_id = p.site_id
        JOIN waves w ON w.wave_id = p.wave_id
        JOIN roles ro ON ro.role_id = p.role_id
        WHERE (? IS NULL OR si.name = ?)
        GROUP BY ro.name, ro.rank, w.label, w.wave_order
        ORDER BY ro.rank, w.wave_order
        """,
        [site, site],
    )


# --- indicators, workforce, events, notes -----------------------------------------------------

def indicators(db: Database) -> pd.DataFrame:
    """Stored indicators: indicator_id, name, unit, direction, description, target."""
    return _df(
        db,
        "SELECT indicator_id, name, unit, direction, description, target FROM indicators "
        "ORDER BY indicator_id",
    )


def indicator_series(db: Database, indicator: str, *, site: str | None = None) -> pd.DataFrame:
    """One monthly series (columns month, value), months as Timestamps, in order.

    With no site given, the series of the first local-authority site is returned.
    """
    return _df(
        db,
        """
        SELECT v.month::TIMESTAMP AS month, v.value
        FROM indicator_values v
        JOIN indicators i USING (indicator_id)
        JOIN sites s USING (site_id)
        WHERE i.name = ? AND s.name = coalesce(?, (
            SELECT name FROM sites WHERE kind = 'local_authority' ORDER BY name LIMIT 1))
        ORDER BY v.month
        """,
        [indicator, site],
    )


def workforce(db: Database, *, site: str | None = None) -> pd.DataFrame:
    """Workforce figures for a site plus any national/regional comparison rows.

    Columns: site, kind, year, measure, value.
    """
    return _df(
        db,
        """
        SELECT s.name AS site, s.kind, w.year, w.measure, w.value
        FROM workforce w JOIN sites s USING (site_id)
        WHERE s.kind <> 'local_authority' OR s.name = coalesce(?, (
            SELECT name FROM sites WHERE kind = 'local_authority' ORDER BY name LIMIT 1))
        ORDER BY s.kind <> 'local_authority', s.name, w.measure, w.year
        """,
        [site],
    )


def events(db: Database, *, site: str | None = None) -> pd.DataFrame:
    """Chart annotations for a site (and those for every site): event_date, end_date, label."""
    return _df(
        db,
        """
        SELECT e.event_date::TIMESTAMP AS event_date, e.end_date::TIMESTAMP AS end_date,
               e.label, e.kind
        FROM events e LEFT JOIN sites s USING (site_id)
        WHERE e.site_id IS NULL OR s.name = ?
        ORDER BY e.event_date, e.label
        """,
        [site],
    )


def notes(db: Database) -> pd.DataFrame:
    return _df(db, "SELECT key, title, body, source, updated_at FROM notes ORDER BY key")


# --- exports --------------------------------------------------------------------------------

def survey_export(db: Database, *, site: str | None = None) -> pd.DataFrame:
    """Tidy survey answers: site, wave, respondent_id, role, domain, statement, score."""
    return _df(
        db,
        """
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
        [site, site],
    ).astype({"score": "Int64"})


def indicators_export(db: Database, *, site: str | None = None) -> pd.DataFrame:
    """Tidy indicator values: site, indicator, month (YYYY-MM), value."""
    return _df(
        db,
        """
        SELECT s.name AS site, i.name AS indicator, strftime(v.month, '%Y-%m') AS month, v.value
        FROM indicator_values v JOIN indicators i USING (indicator_id) JOIN sites s USING (site_id)
        WHERE ? IS NULL OR s.name = ?
        ORDER BY s.name, i.name, v.month
        """,
        [site, site],
    )


def workforce_export(db: Database, *, site: str | None = None) -> pd.DataFrame:
    """Tidy workforce figures: site, year, measure, value."""
    return _df(
        db,
        """
        SELECT s.name AS site, w.year, w.measure, w.value
        FROM workforce w JOIN sites s USING (site_id)
        WHERE ? IS NULL OR s.name = ?
        ORDER BY s.name, w.year, w.measure
        """,
        [site, site],
    )
