"""Every read of the benchmark tables, as a function returning a DataFrame (bound parameters).

The value of a key (area, measure, period) in force is the one of the latest upload holding it
(``upload_id`` 0 is the demo); likewise an authority's statistical neighbours and a site's LA
code (see ``rpgdash/db.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from rpgdash.db import Database


def _df(db: Database, sql: str, params: Sequence[Any] | dict = ()) -> pd.DataFrame:
    with db.cursor() as cur:
        return cur.execute(sql, params).df()


def measures(db: Database) -> pd.DataFrame:
    """name, dfe_column, unit, direction, release of every stored benchmark measure."""
    return _df(
        db,
        "SELECT name, dfe_column, unit, direction, release FROM benchmark_measures "
        "WHERE measure_id IN (SELECT DISTINCT measure_id FROM benchmark_values) ORDER BY name",
    )


def all_measures(db: Database) -> pd.DataFrame:
    """Like :func:`measures`, with measure_id, including measures with no value left."""
    return _df(
        db,
        "SELECT measure_id, name, dfe_column, unit, direction, release FROM benchmark_measures "
        "ORDER BY name",
    )


def local_site_names(db: Database) -> list[str]:
    return _df(db, "SELECT name FROM sites WHERE kind = 'local_authority' ORDER BY name")[
        "name"
    ].tolist()


def site_codes(db: Database) -> pd.DataFrame:
    """site, la_code (None when the site has none) of every local-authority site."""
    return _df(
        db,
        "SELECT s.name AS site, c.la_code FROM sites s LEFT JOIN ("
        "  SELECT site_id, arg_max(la_code, seq) AS la_code FROM site_la_codes GROUP BY site_id"
        ") c USING (site_id) WHERE s.kind = 'local_authority' ORDER BY s.name",
    ).astype({"la_code": object})


def areas(db: Database) -> pd.DataFrame:
    """Every stored comparison area (England, regions, local authorities) with its codes."""
    return _df(
        db,
        "SELECT area_id, level, area_key, name AS area, new_la_code, old_la_code, region_code, "
        "region_name, illustrative FROM benchmark_areas ORDER BY level, name",
    )


def values(db: Database, measure_id: int) -> pd.DataFrame:
    """area_id, period, value in force for one measure (the latest upload's per key)."""
    return _df(
        db,
        "SELECT area_id, period, arg_max(value, upload_id) AS value FROM benchmark_values "
        "WHERE measure_id = ? GROUP BY area_id, period ORDER BY area_id, period",
        [measure_id],
    )


def neighbours(db: Database) -> pd.DataFrame:
    """The statistical neighbours in force: la_key, la_code, la_name, position,
    neighbour_code, neighbour_name, closeness (the latest upload's set per authority)."""
    return _df(
        db,
        "SELECT la_key, la_code, la_name, position, neighbour_code, neighbour_name, closeness "
        "FROM statistical_neighbours n WHERE upload_id = (SELECT max(upload_id) FROM "
        "statistical_neighbours m WHERE m.la_key = n.la_key) ORDER BY la_key, position",
    )


def rpg_start_year(db: Database) -> int | None:
    """The year of the earliest intervention event (the RPG start), if one is stored."""
    found = _df(db, "SELECT min(event_date) AS d FROM events WHERE kind = 'intervention'")
    value = found["d"].iloc[0]
    return None if pd.isna(value) else int(pd.Timestamp(value).year)


def benchmark_uploads(db: Database) -> pd.DataFrame:
    """Stored uploads of the two benchmark kinds, newest first (for the page's provenance)."""
    return _df(
        db,
        "SELECT upload_id, uploaded_at, kind, file_name FROM uploads "
        "WHERE kind IN ('dfe', 'neighbours') AND status = 'stored' ORDER BY upload_id DESC",
    )
