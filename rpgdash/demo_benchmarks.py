"""Illustrative comparison data for the demo: other local authorities, a region and England.

The demo authority's own workforce figures are Table 2 of the evaluation, exactly as published
(:data:`rpgdash.demo.WORKFORCE`). Everything else here is made up, deterministically (a fixed
seed), and every area is flagged ``illustrative`` so the page and the report say so: 150 other
authorities (10 of them the demo authority's statistical neighbours), a region (the mean of
its authorities) and England (the mean of all authorities), for the four workforce measures
over the Table 2 years.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rpgdash.benchmarks.measures import known_measure
from rpgdash.ingest.values import normalise_name

#: Stored measure -> (DfE column, typical level, spread between authorities, yearly drift sd).
_SHAPE = {
    "Turnover": ("turnover_rate_fte", 16.0, 3.5, 1.2),
    "Vacancies": ("vacancy_rate_fte", 16.5, 6.0, 1.5),
    "Agency staffing": ("agency_rate_fte", 15.5, 7.0, 1.5),
    "Sickness": ("absence_rate_fte", 3.2, 0.9, 0.4),
}
_CLOSENESS = ("Extremely close", "Very close", "Very close", "Close", "Close") + ("Close",) * 5
N_OTHERS = 150
N_NEIGHBOURS = 10
N_IN_REGION = 30
SEED = 2015
REGION = "Demo region (illustrative)"
ENGLAND = "England (illustrative)"


def _names() -> list[str]:
    return [f"Comparison authority {i:03d}" for i in range(1, N_OTHERS + 1)]


def demo_benchmark_values(site: str, table2: dict, years: tuple[int, ...]) -> dict:
    """{(area, level): {measure: {year: value}}} for the demo (rounded to 1 decimal, as DfE)."""
    rng = np.random.default_rng(SEED)
    values: dict[tuple[str, str], dict[str, dict[int, float]]] = {}
    own = {m: dict(zip(years, v, strict=True)) for m, v in table2.items()}
    values[(site, "local_authority")] = own
    names = _names()
    for name_index, name in enumerate(names):
        per = {}
        for measure, (_, level, spread, drift) in _SHAPE.items():
            start = max(0.0, rng.normal(level, spread))
            # The neighbours are similar authorities: closer to the demo's own 2015 level.
            if name_index < N_NEIGHBOURS:
                start = max(0.0, 0.5 * start + 0.5 * own[measure][years[0]])
            series, v = {}, start
            for year in years:
                series[year] = round(min(100.0, max(0.0, v)), 1)
                v += rng.normal(-0.2, drift)
            per[measure] = series
        values[(name, "local_authority")] = per
    in_region = [site, *names[: N_IN_REGION - 1]]
    every = [site, *names]
    for area, level, members in ((REGION, "region", in_region), (ENGLAND, "national", every)):
        values[(area, level)] = {
            m: {
                y: round(float(np.mean([values[(a, "local_authority")][m][y] for a in members])), 1)
                for y in years
            }
            for m in _SHAPE
        }
    return values


def insert_demo_benchmarks(cur, site: str, table2: dict, years: tuple[int, ...]) -> None:
    """Write the illustrative comparison areas, figures and neighbours (``upload_id`` 0).

    Areas and figures go in as two set-based inserts (a row at a time, the figures took about
    0.6 s, most of a demo's build), areas numbered in the order of
    :func:`demo_benchmark_values`.
    """
    values = demo_benchmark_values(site, table2, years)
    for measure, (column, *_rest) in _SHAPE.items():
        known = known_measure(column)
        cur.execute(
            "INSERT INTO benchmark_measures (name, dfe_column, unit, direction, release) "
            "VALUES (?, ?, ?, ?, ?)",
            [measure, column, known.unit, known.direction, known.release],
        )
    names = set(_names()[: N_IN_REGION - 1]) | {site}
    keys = {area: "name:" + normalise_name(area) for area, _level in values}
    areas = pd.DataFrame(
        [
            (
                position,
                level,
                keys[area],
                area,
                REGION if level == "local_authority" and area in names else None,
            )
            for position, (area, level) in enumerate(values)
        ],
        columns=["position", "level", "area_key", "name", "region_name"],
    )
    figures = pd.DataFrame(
        [
            (level, keys[area], measure, str(year), value)
            for (area, level), per in values.items()
            for measure, series in per.items()
            for year, value in series.items()
        ],
        columns=["level", "area_key", "measure", "period", "value"],
    )
    cur.register("demo_areas", areas)
    cur.register("demo_figures", figures)
    try:
        cur.execute(
            "INSERT INTO benchmark_areas (level, area_key, name, region_name, illustrative) "
            "SELECT level, area_key, name, region_name, TRUE FROM demo_areas ORDER BY position"
        )
        cur.execute(
            "INSERT INTO benchmark_values (area_id, measure_id, period, value) "
            "SELECT a.area_id, m.measure_id, f.period, f.value FROM demo_figures f "
            "JOIN benchmark_areas a USING (level, area_key) "
            "JOIN benchmark_measures m ON m.name = f.measure"
        )
    finally:
        cur.unregister("demo_areas")
        cur.unregister("demo_figures")
    for position, name in enumerate(_names()[:N_NEIGHBOURS], 1):
        cur.execute(
            "INSERT INTO statistical_neighbours (la_key, la_name, position, neighbour_name, "
            "closeness) VALUES (?, ?, ?, ?, ?)",
            ["name:" + normalise_name(site), site, position, name, _CLOSENESS[position - 1]],
        )
