"""Every read the product makes, each a function returning a DataFrame (or plain values).

All values are bound parameters; SQL is never assembled from user input. Each function takes
its own cursor, so the functions are safe to call from Streamlit's session threads at once.
Note for DuckDB 2.x: a result must be fully fetched before the cursor does other work, which
``_df`` and ``_rows`` guarantee.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from rpgdash import export
from rpgdash.db import Database

ALL_ROLES = "All roles"


def _params(params: Sequence[Any] | dict[str, Any]) -> list[Any] | dict[str, Any]:
    return params if isinstance(params, dict) else list(params)


def _df(db: Database, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> pd.DataFrame:
    with db.cursor() as cur:
        return cur.execute(sql, _params(params)).df()


def _rows(db: Database, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[tuple]:
    with db.cursor() as cur:
        return cur.execute(sql, _params(params)).fetchall()


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


def default_site(db: Database) -> str | None:
    """The site shown first: the earliest stored local authority that holds any data.

    Not the first name alphabetically: a new, empty site ("A new borough") must not become
    every visitor's default. With no data anywhere, the earliest stored local authority.
    """
    rows = _rows(
        db,
        """
        SELECT s.name FROM sites s WHERE s.kind = 'local_authority'
        ORDER BY NOT (
            EXISTS (SELECT 1 FROM respondents r WHERE r.site_id = s.site_id)
            OR EXISTS (SELECT 1 FROM indicator_values v WHERE v.site_id = s.site_id)
            OR EXISTS (SELECT 1 FROM workforce w WHERE w.site_id = s.site_id)
        ), s.site_id
        LIMIT 1
        """,
    )
    return rows[0][0] if rows else None


def roles(db: Database) -> list[str]:
    """Job roles in hierarchy order (most senior first)."""
    return [r[0] for r in _rows(db, "SELECT name FROM roles ORDER BY rank, name")]


def waves(db: Database, *, comparable_only: bool = False, site: str | None = None) -> pd.DataFrame:
    """Survey waves in order: wave_id, label, fieldwork_start, fieldwork_end, comparable, note.

    With ``site``, only the waves in which that site has respondents."""
    return _df(
        db,
        "SELECT wave_id, label, fieldwork_start, fieldwork_end, wave_order, comparable, note "
        "FROM waves WHERE (comparable OR NOT $c) AND ($s IS NULL OR wave_id IN ("
        "SELECT r.wave_id FROM respondents r JOIN sites USING (site_id) WHERE name = $s)) "
        "ORDER BY wave_order, label",
        {"c": comparable_only, "s": site},
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


@dataclass(frozen=True)
class SurveyCounts:
    """What every survey statistic is computed from, read in two queries.

    ``levels``: answers per level (columns domain, role, statement, statement_order, wave,
    score, n; no-answers left out), ordered by domain, role hierarchy, statement position,
    wave and score. ``sizes``: respondents per role and wave (role, wave, respondents), for
    disclosure control. ``waves``: comparable wave labels in fieldwork order.
    """

    levels: pd.DataFrame
    sizes: pd.DataFrame
    waves: list[str]


def survey_counts(db: Database, *, site: str | None = None) -> SurveyCounts:
    """Per-level answer counts and group sizes for the comparable waves of one or all sites.

    One query: DuckDB aggregates on integer keys (so the cost of everything after this does
    not grow with the number of respondents), then joins names onto the few hundred result
    rows. Rows with no statement are the respondent counts per role and wave.
    """
    with db.cursor() as cur:
        site_id = None
        if site is not None:
            found = cur.execute("SELECT site_id FROM sites WHERE name = ?", [site]).fetchall()
            site_id = found[0][0] if found else -1  # an unknown site has no answers
        rows = cur.execute(
            """
            WITH answered AS (
                SELECT p.role_id, p.wave_id, r.statement_id, r.score, count(*) AS n
                FROM responses r JOIN respondents p USING (respondent_id)
                WHERE r.score IS NOT NULL AND (?::INTEGER IS NULL OR p.site_id = ?)
                GROUP BY ALL
            ), people AS (
                SELECT role_id, wave_id, NULL::INTEGER AS statement_id,
                       NULL::TINYINT AS score, count(*) AS n
                FROM respondents
                WHERE ?::INTEGER IS NULL OR site_id = ?
                GROUP BY ALL
            ), counted AS (SELECT * FROM answered UNION ALL SELECT * FROM people)
            SELECT s.domain, ro.name AS role, s.text AS statement,
                   s.position AS statement_order, w.label AS wave, c.score::INTEGER AS score,
                   c.n
            FROM counted c
            JOIN waves w USING (wave_id)
            JOIN roles ro USING (role_id)
            LEFT JOIN statements s USING (statement_id)
            WHERE w.comparable
            ORDER BY s.domain NULLS FIRST, ro.rank, s.position, w.wave_order, c.score
            """,
            [site_id, site_id, site_id, site_id],
        ).df()
    people = rows["statement"].isna().to_numpy()
    sizes = rows.loc[people, ["role", "wave", "n"]].rename(columns={"n": "respondents"})
    return SurveyCounts(
        levels=rows[~people].reset_index(drop=True),
        sizes=sizes.reset_index(drop=True),
        waves=comparable_wave_labels(db),
    )


def comparable_wave_labels(db: Database, site: str | None = None) -> list[str]:
    """Labels of the waves that may be compared, in fieldwork order (with ``site``: those in
    which the site has respondents)."""
    return [
        r[0]
        for r in _rows(
            db,
            "SELECT label FROM waves WHERE comparable AND ($s IS NULL OR wave_id IN ("
            "SELECT r.wave_id FROM respondents r JOIN sites USING (site_id) WHERE name = $s)) "
            "ORDER BY wave_order",
            {"s": site},
        )
    ]


def comparable_waves_by_site(db: Database) -> dict[str, tuple[str, ...]]:
    """For every site with respondents, its :func:`comparable_wave_labels` (one query)."""
    rows = _rows(
        db,
        "SELECT s.name, w.label FROM waves w JOIN (SELECT DISTINCT site_id, wave_id "
        "FROM respondents) p USING (wave_id) JOIN sites s USING (site_id) "
        "WHERE w.comparable ORDER BY s.name, w.wave_order",
    )
    waves: dict[str, tuple[str, ...]] = {}
    for site, label in rows:
        waves[site] = (*waves.get(site, ()), label)
    return waves


def group_sizes_by_site(db: Database) -> pd.DataFrame:
    """Every site's :func:`group_sizes` in one query (columns site, role, wave, respondents;
    within a site in the same order)."""
    return _df(
        db,
        """
        SELECT s.name AS site, ro.name AS role, w.label AS wave, count(*) AS respondents
        FROM respondents p JOIN waves w USING (wave_id) JOIN roles ro USING (role_id)
        JOIN sites s USING (site_id)
        WHERE w.comparable
        GROUP BY s.name, ro.name, ro.rank, w.label, w.wave_order
        ORDER BY s.name, ro.rank, w.wave_order
        """,
    )


# Everything the survey comparisons are computed from: the number of rows and a sum of row
# hashes for each table (one query; about 5 ms at 100 sites).
_SURVEY_VERSION_SQL = """
WITH answers AS (SELECT count(*) AS n, sum(hash(respondent_id, statement_id, score)) AS h
                 FROM responses),
     people AS (SELECT count(*) AS n, sum(hash(respondent_id, site_id, wave_id, role_id)) AS h
                FROM respondents),
     reference AS (
         SELECT count(*) AS n, sum(h) AS h FROM (
             SELECT hash('wave', wave_id, label, wave_order, comparable) AS h FROM waves
             UNION ALL SELECT hash('role', role_id, name, rank) FROM roles
             UNION ALL SELECT hash('statement', statement_id, domain, text, position)
                       FROM statements
             UNION ALL SELECT hash('site', site_id, name) FROM sites
             UNION ALL SELECT hash('invited', wave_id, site_id, invited) FROM wave_sites))
SELECT answers.n, answers.h, people.n, people.h, reference.n, reference.h
FROM answers, people, reference
"""


def survey_version(db: Database) -> tuple:
    """A fingerprint of the stored survey data: it changes whenever any answer, respondent,
    wave, role, statement or site changes, whoever wrote it (results are cached on it)."""
    return tuple(_rows(db, _SURVEY_VERSION_SQL)[0])


def _site_id(cur, site: str | None) -> int | None:
    """The id of a site name (None for every site; -1, matching nothing, for an unknown one)."""
    if site is None:
        return None
    found = cur.execute("SELECT site_id FROM sites WHERE name = ?", [site]).fetchall()
    return found[0][0] if found else -1


def paired_level_counts(
    db: Database, *, wave_a: str, wave_b: str, site: str | None = None
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, pd.DataFrame]:
    """Answers per level for two waves, arranged as one row per role and statement.

    Returns ``(groups, a, b, sizes)``: ``groups`` has columns domain, role, statement (every
    role with answers, "All roles" first, then hierarchy order; domains in the order
    professional, self_efficacy, relationships; statements by position); ``a`` and ``b`` are
    arrays (len(groups), 4) of answers at levels 1-4 in each wave; ``sizes`` has respondents
    per role and wave (role, wave, respondents) for disclosure control.

    DuckDB does the only pass over the answers (a count on integer keys); the few hundred
    counts are arranged with numpy, so the cost after the query does not grow with the number
    of respondents.
    """
    with db.cursor() as cur:
        return paired_level_counts_in(cur, wave_a=wave_a, wave_b=wave_b, site=site)


def paired_level_counts_in(
    cur, *, wave_a: str, wave_b: str, site: str | None = None
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, pd.DataFrame]:
    """:func:`paired_level_counts` through an open cursor (e.g. inside a write transaction,
    so that it sees the transaction's own writes)."""
    site_id = _site_id(cur, site)
    counted = cur.execute(
        """
        SELECT p.role_id, r.statement_id, p.wave_id, r.score::INTEGER AS score,
               count(*)::INTEGER AS n
        FROM responses r JOIN respondents p USING (respondent_id)
        WHERE r.score IS NOT NULL AND (?::INTEGER IS NULL OR p.site_id = ?)
        GROUP BY ALL
        UNION ALL
        SELECT role_id, -1, wave_id, 0, count(*)::INTEGER FROM respondents
        WHERE ?::INTEGER IS NULL OR site_id = ?
        GROUP BY ALL
        """,
        [site_id] * 4,
    ).fetchnumpy()
    statements = cur.execute(
        "SELECT statement_id, domain, text FROM statements ORDER BY CASE domain "
        "WHEN 'professional' THEN 1 WHEN 'self_efficacy' THEN 2 "
        "WHEN 'relationships' THEN 3 ELSE 4 END, domain, position"
    ).fetchall()
    role_rows = cur.execute("SELECT role_id, name FROM roles ORDER BY rank, name").fetchall()
    wave_ids = dict(cur.execute("SELECT label, wave_id FROM waves").fetchall())
    role_id = np.asarray(counted["role_id"])
    statement_id = np.asarray(counted["statement_id"])
    wave_id = np.asarray(counted["wave_id"])
    score = np.asarray(counted["score"])
    n = np.asarray(counted["n"], dtype=float)
    side = np.where(wave_id == wave_ids[wave_a], 0, np.where(wave_id == wave_ids[wave_b], 1, -1))

    people = statement_id < 0
    role_names = dict(role_rows)
    sizes = pd.DataFrame(
        {
            "role": [role_names[r] for r in role_id[people & (side >= 0)]],
            "wave": [(wave_a, wave_b)[s] for s in side[people & (side >= 0)]],
            "respondents": n[people & (side >= 0)].astype(int),
        }
    )

    keep = ~people & (side >= 0)
    role_pos = {rid: i + 1 for i, (rid, _) in enumerate(role_rows)}  # 0 is "All roles"
    stmt_pos = {sid: i for i, (sid, _, _) in enumerate(statements)}
    cube = np.zeros((len(role_rows) + 1, len(statements), 2, 4))
    np.add.at(
        cube,
        (
            np.array([role_pos[r] for r in role_id[keep]], dtype=int),
            np.array([stmt_pos[s] for s in statement_id[keep]], dtype=int),
            side[keep],
            score[keep] - 1,
        ),
        n[keep],
    )
    cube[0] = cube[1:].sum(axis=0)
    # Rows in reading order: domain, then role (All roles first), then statement position.
    domains = [d for d, _ in itertools.groupby(domain for _, domain, _ in statements)]
    rows = [
        (r, i)
        for domain in domains
        for r in range(len(role_rows) + 1)
        for i, (_, d, _) in enumerate(statements)
        if d == domain and cube[r, i].any()
    ]
    names = [ALL_ROLES, *(name for _, name in role_rows)]
    groups = pd.DataFrame(
        {
            "domain": [statements[i][1] for _, i in rows],
            "role": [names[r] for r, _ in rows],
            "statement": [statements[i][2] for _, i in rows],
        }
    )
    index = tuple(np.array(x, dtype=int) for x in zip(*rows, strict=True)) if rows else ([], [])
    picked = cube[index] if rows else np.zeros((0, 2, 4))
    return groups, picked[:, 0, :], picked[:, 1, :], sizes


LEVEL_COLUMNS = ["domain", "role", "statement", "statement_order", "wave", "score", "n"]


def level_counts(
    db: Database, *, site: str | None = None, domain: str | None = None
) -> pd.DataFrame:
    """Answers per level (the ``levels`` of :func:`survey_counts`), optionally one domain."""
    levels = survey_counts(db, site=site).levels
    if domain is not None:
        levels = levels[levels["domain"] == domain].reset_index(drop=True)
    return levels


def group_sizes(db: Database, *, site: str | None = None) -> pd.DataFrame:
    """Respondents per role and comparable wave (role, wave, respondents), hierarchy order."""
    return survey_counts(db, site=site).sizes


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
    return _df(db, export.SQL["survey"], [site, site]).astype({"score": "Int64"})


def indicators_export(db: Database, *, site: str | None = None) -> pd.DataFrame:
    """Tidy indicator values: site, indicator, month (YYYY-MM), value."""
    return _df(db, export.SQL["indicators"], [site, site])


def workforce_export(db: Database, *, site: str | None = None) -> pd.DataFrame:
    """Tidy workforce figures: site, year, measure, value."""
    return _df(db, export.SQL["workforce"], [site, site])


# --- qualitative evidence: themes and coded excerpts ----------------------------------------


def themes(db: Database) -> pd.DataFrame:
    """Qualitative themes in wave order, then display order.

    Columns: theme_id, wave, wave_order, name, polarity, description, from_paper, link_note.
    """
    return _df(
        db,
        """
        SELECT t.theme_id, w.label AS wave, w.wave_order, t.name, t.polarity, t.description,
               t.from_paper, t.link_note
        FROM themes t JOIN waves w USING (wave_id)
        ORDER BY w.wave_order, t.position, t.theme_id
        """,
    )


def theme_statements(db: Database) -> pd.DataFrame:
    """Survey statements linked to each theme: theme_id, domain, statement, statement_order."""
    return _df(
        db,
        """
        SELECT l.theme_id, s.domain, s.text AS statement, s.position AS statement_order
        FROM theme_statements l JOIN statements s USING (statement_id)
        ORDER BY l.theme_id, s.domain, s.position
        """,
    )


def theme_measures(db: Database) -> pd.DataFrame:
    """Workforce measures linked to each theme: theme_id, measure."""
    return _df(db, "SELECT theme_id, measure FROM theme_measures ORDER BY theme_id, measure")


def excerpts(db: Database, *, site: str | None = None) -> pd.DataFrame:
    """Coded excerpts for one site (or every site), in theme order.

    Columns: excerpt_id, theme_id, wave, theme, source_type, role (None when not recorded),
    text, illustrative.
    """
    return _df(
        db,
        """
        SELECT e.excerpt_id, e.theme_id, w.label AS wave, t.name AS theme, e.source_type,
               ro.name AS role, e.text, e.illustrative
        FROM excerpts e
        JOIN themes t USING (theme_id)
        JOIN waves w ON w.wave_id = t.wave_id
        JOIN sites si ON si.site_id = e.site_id
        LEFT JOIN roles ro ON ro.role_id = e.role_id
        WHERE ? IS NULL OR si.name = ?
        ORDER BY w.wave_order, t.position, t.theme_id, e.excerpt_id
        """,
        [site, site],
    )


def data_origin(db: Database, *, site: str | None = None) -> pd.DataFrame:
    """Where stored rows came from: built in (no upload) or added by an upload, per kind.

    Columns: data (survey respondents, monthly values, workforce figures, coded excerpts),
    built_in, uploaded. Rows without an ``upload_id`` were stored by the demo build.
    """
    return _df(
        db,
        """
        WITH chosen AS (SELECT site_id FROM sites WHERE ? IS NULL OR name = ?),
        tagged AS (
            SELECT 1 AS k, 'survey respondents' AS data, upload_id FROM respondents
                WHERE site_id IN (SELECT site_id FROM chosen)
            UNION ALL SELECT 2, 'monthly indicator values', upload_id FROM indicator_values
                WHERE site_id IN (SELECT site_id FROM chosen)
            UNION ALL SELECT 3, 'workforce figures', upload_id FROM workforce
                WHERE site_id IN (SELECT site_id FROM chosen)
            UNION ALL SELECT 4, 'coded excerpts', upload_id FROM excerpts
                WHERE site_id IN (SELECT site_id FROM chosen)
        )
        SELECT data, count(*) FILTER (WHERE upload_id IS NULL) AS built_in,
               count(*) FILTER (WHERE upload_id IS NOT NULL) AS uploaded
        FROM tagged GROUP BY k, data ORDER BY k
        """,
        [site, site],
    )


# --- the upload page and the ingest command line ---------------------------------------------


def upload_history(db: Database) -> pd.DataFrame:
    """Every upload, newest first."""
    return _df(
        db,
        "SELECT upload_id, uploaded_at, uploaded_by, kind, file_name, sha256, encoding, "
        "rows_added, rows_changed, rows_unchanged, rows_missing, status, reverted_at "
        "FROM uploads ORDER BY upload_id DESC",
    )


def indicator_directions(db: Database) -> pd.DataFrame:
    """name, unit, direction of every stored indicator, by name."""
    return _df(db, "SELECT name, unit, direction FROM indicators ORDER BY name")


def local_site_names(db: Database) -> list[str]:
    """The local-authority sites by name (the sites an upload without a site column is for)."""
    return [
        r[0]
        for r in _rows(db, "SELECT name FROM sites WHERE kind = 'local_authority' ORDER BY name")
    ]


def wave_labels(db: Database) -> list[str]:
    """Survey wave labels in wave order."""
    return [r[0] for r in _rows(db, "SELECT label FROM waves ORDER BY wave_order")]
