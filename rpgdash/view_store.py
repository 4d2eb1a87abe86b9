"""Survey pages' views built when the data are stored, so that a first view is a read.

Beside the statistics (:mod:`rpgdash.results_store`), every site (and every site together),
pair of the site's comparable waves and survey domain gets its page-ready
:class:`rpgdash.present.survey_views.DomainViews`, for the default disclosure threshold and
the default adjustment, in ``survey_page_views`` (migration 7), written in the same
transaction as the results it derives from. A stored view is used only when its fingerprint
equals the one computed from the data now stored: a digest of the site's answers,
respondents and invitations and of the waves, roles and statements (one DuckDB query), the
key, and the code that shapes a view (statistics, presentation, charts, text and format
modules, and the pyarrow and altair versions). So a stale view (another program's write, a
killed writer, newer code) is never shown: the page builds the view as it would without one.

The views are stored as pickles. That is acceptable here because the database is the app's
own file, written only by this product (uploads are CSV files parsed and validated into
rows, never loaded as pickles), and anyone able to write the file could equally change the
code the app runs from; nothing read from a user is ever unpickled.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
import pickle
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rpgdash import settings

if TYPE_CHECKING:
    from rpgdash.db import Database
    from rpgdash.present.survey_views import DomainViews

ALL_SITES = 0  # site_id of the row for every site together (as in survey_results)
DEFAULT_ADJUST = "none"  # the page's first choice (rpgdash.present.narrative.ADJUSTMENTS)

# The code a view's content depends on, relative to the rpgdash package.
_SHAPING = ("stats/*.py", "present/*.py", "*.py")


@functools.cache
def code_version() -> str:
    """A digest of the code that shapes a stored view, and of the libraries that write it."""
    root = Path(__file__).parent
    digest = hashlib.sha256()
    for pattern in _SHAPING:
        for path in sorted(root.glob(pattern)):
            digest.update(f"{path.relative_to(root)}\0".encode() + path.read_bytes())
    for package in ("pyarrow", "altair", "pandas"):
        digest.update(f"{package}={importlib.metadata.version(package)}".encode())
    return digest.hexdigest()


# Everything a site's survey views are read from: its answers, respondents, invitations and
# name, and every wave, role and statement; for every site together, every row. One query
# gives every site's digest (one pass over the answers: about 10 ms at 100 sites).
_DIGESTS_SQL = """
WITH answers AS (
         SELECT p.site_id, count(*) AS n, sum(hash(r.respondent_id, r.statement_id, r.score)) AS h
         FROM responses r JOIN respondents p USING (respondent_id) GROUP BY GROUPING SETS
         ((p.site_id), ())),
     people AS (
         SELECT site_id, count(*) AS n, sum(hash(respondent_id, site_id, wave_id, role_id)) AS h
         FROM respondents GROUP BY GROUPING SETS ((site_id), ())),
     shared AS (
         SELECT count(*) AS n, sum(h) AS h FROM (
             SELECT hash('wave', wave_id, label, wave_order, comparable, fieldwork_start,
                         fieldwork_end) AS h FROM waves
             UNION ALL SELECT hash('role', role_id, name, rank) FROM roles
             UNION ALL SELECT hash('statement', statement_id, domain, text, position)
                       FROM statements)),
     own AS (
         SELECT site_id, count(*) AS n, sum(h) AS h FROM (
             SELECT site_id, hash('site', site_id, name, kind) AS h FROM sites
             UNION ALL SELECT site_id, hash('invited', wave_id, site_id, invited) FROM wave_sites)
         GROUP BY GROUPING SETS ((site_id), ())),
     keys AS (SELECT site_id FROM sites UNION ALL SELECT NULL)
SELECT k.site_id, a.n, a.h, p.n, p.h, shared.n, shared.h, o.n, o.h
FROM keys k CROSS JOIN shared
LEFT JOIN answers a ON a.site_id IS NOT DISTINCT FROM k.site_id
LEFT JOIN people p ON p.site_id IS NOT DISTINCT FROM k.site_id
LEFT JOIN own o ON o.site_id IS NOT DISTINCT FROM k.site_id
"""


def digests(cur) -> dict[int, str]:
    """Every site's digest of what its views are read from (``ALL_SITES``: every site's)."""
    return {
        ALL_SITES if row[0] is None else row[0]: json.dumps([str(v) for v in row[1:]])
        for row in cur.execute(_DIGESTS_SQL).fetchall()
    }


def fingerprint(
    digest: str, wave_a: str, wave_b: str, min_group: int, adjust: str, domain: str
) -> str:
    """A digest of everything one stored view is built from."""
    key = json.dumps([code_version(), digest, wave_a, wave_b, int(min_group), adjust, domain])
    return hashlib.sha256(key.encode()).hexdigest()


# --- reading (the view path) ----------------------------------------------------------------


def current_views(
    db: Database, min_group: int, adjust: str, domain: str
) -> dict[tuple[str | None, str, str], bytes]:
    """Every stored view of one domain that matches the stored data, as it is stored
    (:func:`views_from` unpacks one), keyed by (site name or None, wave a, wave b).

    Two queries for every site at once, so that a page can read them once and a first view
    of a site then reads nothing (a blob is read with every other in the table anyway).
    """
    if adjust != DEFAULT_ADJUST or min_group != int(settings.get("min_group")):
        return {}  # only the defaults are stored
    with db.cursor() as cur:
        now = digests(cur)
        names = dict(cur.execute("SELECT site_id, name FROM sites").fetchall())
        rows = cur.execute(
            "SELECT site_id, wave_a, wave_b, fingerprint, views FROM survey_page_views "
            "WHERE min_group = ? AND adjust = ? AND domain = ?",
            [min_group, adjust, domain],
        ).fetchall()
    return {
        (names.get(site_id), wave_a, wave_b): blob
        for site_id, wave_a, wave_b, print_, blob in rows
        if site_id in now
        and print_ == fingerprint(now[site_id], wave_a, wave_b, min_group, adjust, domain)
    }


def views_from(blob: bytes) -> DomainViews:
    """A stored view as the page uses it."""
    return pickle.loads(blob)  # our own file: see the module docstring


def lookup(
    db: Database,
    site: str | None,
    pair: tuple[str, str],
    min_group: int,
    adjust: str,
    domain: str,
) -> DomainViews | None:
    """The stored views of one page choice when they match the stored data, else None."""
    blob = current_views(db, min_group, adjust, domain).get((site, *pair))
    return None if blob is None else views_from(blob)


# --- writing (inside the writer's transaction) ----------------------------------------------


class _InTransaction:
    """The writer's cursor where the reads expect a :class:`rpgdash.db.Database`, so that
    views are built from what the transaction has written (a new cursor would not see it)."""

    def __init__(self, cur, path: Path) -> None:
        self._cur, self.path, self.read_only = cur, path, False

    def cursor(self) -> _InTransaction:
        return self

    def __enter__(self):
        return self._cur

    def __exit__(self, *exc: Any) -> None:
        return None  # the writer's cursor stays open

    def execute(self, *args: Any, **kwargs: Any):
        return self._cur.execute(*args, **kwargs)


def _site_pairs(cur, site_id: int) -> list[tuple[str, str]]:
    """The pairs the page offers at a site: of the comparable waves it has answers in."""
    labels = [
        r[0]
        for r in cur.execute(
            "SELECT label FROM waves WHERE comparable AND wave_id IN (SELECT wave_id FROM "
            "respondents WHERE $site::INTEGER IS NULL OR site_id = $site) ORDER BY wave_order",
            {"site": None if site_id == ALL_SITES else site_id},
        ).fetchall()
    ]
    return [(a, b) for i, a in enumerate(labels) for b in labels[i + 1 :]]


def refresh(cur, path: Path | str = "", *, only: Iterable[int] | None = None) -> int:
    """Bring the stored views up to date inside the caller's transaction; return views built.

    Every site with answers (and every site together) is checked against its digest; only
    views whose fingerprint no longer matches are built again, and views of sites or pairs
    that no longer exist are deleted, so the table depends only on the stored data.
    ``only`` limits the sites checked to those ids (0: every site together); the benchmark
    uses it to store a third wave's views for the site it measures only.
    """
    from rpgdash.present import domains
    from rpgdash.present.survey import load_survey_data
    from rpgdash.present.survey_views import build_domain_views, dumps

    min_group = int(settings.get("min_group"))
    names = dict(
        cur.execute(
            "SELECT site_id, name FROM sites WHERE site_id IN (SELECT site_id FROM respondents)"
        ).fetchall()
    )
    held = {
        (site_id, a, b, domain): fp
        for site_id, a, b, domain, fp in cur.execute(
            "SELECT site_id, wave_a, wave_b, domain, fingerprint FROM survey_page_views "
            "WHERE min_group = ? AND adjust = ?",
            [min_group, DEFAULT_ADJUST],
        ).fetchall()
    }
    wanted: set[tuple[int, str, str, str]] = set()
    db = _InTransaction(cur, Path(path))
    built = 0
    now = digests(cur)
    checked = [ALL_SITES, *sorted(names)] if names else []
    if only is not None:
        checked = [s for s in checked if s in set(only)]
    for site_id in checked:
        digest = now[site_id]
        for wave_a, wave_b in _site_pairs(cur, site_id):
            data = None
            for registered in domains.DOMAINS:
                key = (site_id, wave_a, wave_b, registered.key)
                wanted.add(key)
                print_ = fingerprint(
                    digest, wave_a, wave_b, min_group, DEFAULT_ADJUST, registered.key
                )
                if held.get(key) == print_:
                    continue
                if data is None:
                    data = load_survey_data(
                        db,
                        site=names.get(site_id),
                        wave_a=wave_a,
                        wave_b=wave_b,
                        min_group=min_group,
                    )
                views = build_domain_views(data, registered.key, DEFAULT_ADJUST).for_storage()
                blob = dumps(views)
                _delete(cur, key, min_group)
                cur.execute(
                    "INSERT INTO survey_page_views VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [*key[:3], min_group, DEFAULT_ADJUST, key[3], print_, blob],
                )
                built += 1
    for key in set(held) - wanted:
        if key[0] in checked or key[0] not in names:
            _delete(cur, key, min_group)
    return built


def _delete(cur, key: tuple[int, str, str, str], min_group: int) -> None:
    cur.execute(
        "DELETE FROM survey_page_views WHERE site_id = ? AND wave_a = ? AND wave_b = ? "
        "AND domain = ? AND min_group = ? AND adjust = ?",
        [*key, min_group, DEFAULT_ADJUST],
    )
