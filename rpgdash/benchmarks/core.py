"""Resolving who is compared, and :func:`benchmark` itself (see the package docstring)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from rpgdash.benchmarks import queries
from rpgdash.benchmarks.compute import Comparison, compute_benchmark, default_from
from rpgdash.benchmarks.measures import period_error
from rpgdash.db import Database
from rpgdash.errors import RpgdashError
from rpgdash.ingest.values import normalise_name


class BenchmarkError(RpgdashError, ValueError):
    """A benchmark cannot be shown as asked; the message says what to do."""


@dataclass(frozen=True)
class Neighbour:
    position: int
    name: str
    area_id: int | None
    closeness: str | None


@dataclass(frozen=True)
class Who:
    """The measure and the areas one benchmark compares, resolved from what is stored."""

    measure: str
    measure_id: int
    dfe_column: str
    unit: str
    direction: str
    site: str
    authority_id: int
    authority_name: str
    neighbours: tuple[Neighbour, ...]
    region_id: int | None
    region_name: str | None
    england_id: int | None
    all_authorities: tuple[int, ...]
    illustrative: bool

    @property
    def comparison(self) -> Comparison:
        return Comparison(
            self.authority_id,
            [n.area_id for n in self.neighbours if n.area_id is not None],
            self.region_id,
            self.england_id,
            self.all_authorities,
        )


def resolve_measure(db: Database, measure: str) -> pd.Series:
    table = queries.measures(db)
    key = measure.strip().casefold()
    hit = table[(table["name"].str.casefold() == key) | (table["dfe_column"].str.casefold() == key)]
    if hit.empty:
        known = ", ".join(f"'{n}'" for n in table["name"]) or "none yet"
        raise BenchmarkError(
            f"There is no benchmark measure called '{measure}' (give a stored measure's name or "
            f"the DfE column it came from). Stored measures: {known}. Upload a DfE file with "
            "'python -m rpgdash ingest dfe FILE' to add some."
        )
    full = queries.all_measures(db)
    return full[full["name"] == hit["name"].iloc[0]].iloc[0]


def resolve_site(db: Database, site: str | None) -> tuple[str, str | None]:
    codes = queries.site_codes(db)
    if site is None:
        if len(codes) != 1:
            raise BenchmarkError(
                "Choose the site to benchmark (--site NAME): the database has "
                f"{len(codes)} local-authority sites."
            )
        row = codes.iloc[0]
    else:
        found = codes[codes["site"] == site]
        if found.empty:
            raise BenchmarkError(f"There is no local-authority site called '{site}'.")
        row = found.iloc[0]
    code = row["la_code"]
    return str(row["site"]), (None if pd.isna(code) else str(code))


def _area_for_site(areas: pd.DataFrame, site: str, code: str | None) -> pd.Series | None:
    las = areas[areas["level"] == "local_authority"]
    if code:
        hit = las[(las["new_la_code"] == code) | (las["old_la_code"] == code)]
    else:
        hit = las[las["area"].map(normalise_name) == normalise_name(site)]
    return None if hit.empty else hit.iloc[0]


def _neighbours(db: Database, areas: pd.DataFrame, authority: pd.Series) -> list[Neighbour]:
    table = queries.neighbours(db)
    if table.empty:
        return []
    mine = table[
        (table["la_code"].notna() & (table["la_code"] == authority["old_la_code"]))
        | (table["la_name"].map(normalise_name) == normalise_name(authority["area"]))
    ]
    las = areas[areas["level"] == "local_authority"]
    out = []
    for row in mine[mine["la_key"] == mine["la_key"].iloc[0]].itertuples() if len(mine) else []:
        hit = las.iloc[0:0]
        if pd.notna(row.neighbour_code):
            hit = las[
                (las["old_la_code"] == row.neighbour_code)
                | (las["new_la_code"] == row.neighbour_code)
            ]
        if hit.empty and pd.notna(row.neighbour_name):
            hit = las[las["area"].map(normalise_name) == normalise_name(row.neighbour_name)]
        name = row.neighbour_name if pd.notna(row.neighbour_name) else row.neighbour_code
        if not hit.empty:
            name = hit.iloc[0]["area"]
        out.append(
            Neighbour(
                int(row.position),
                str(name),
                None if hit.empty else int(hit.iloc[0]["area_id"]),
                None if pd.isna(row.closeness) else str(row.closeness),
            )
        )
    return out


def _region(areas: pd.DataFrame, authority: pd.Series) -> pd.Series | None:
    regions = areas[areas["level"] == "region"]
    hit = regions.iloc[0:0]
    if pd.notna(authority["region_code"]):
        hit = regions[regions["area_key"] == authority["region_code"]]
    if hit.empty and pd.notna(authority["region_name"]):
        hit = regions[
            regions["area"].map(normalise_name) == normalise_name(authority["region_name"])
        ]
    return None if hit.empty else hit.iloc[0]


def _england(areas: pd.DataFrame) -> pd.Series | None:
    national = areas[areas["level"] == "national"]
    hit = national[(national["area_key"] == "E92000001") | (national["area"] == "England")]
    hit = national if hit.empty else hit
    return None if hit.empty else hit.iloc[0]


def resolve(db: Database, measure: str, site: str | None = None) -> Who:
    """Resolve the measure, the site's own area, its neighbours, region and England."""
    m = resolve_measure(db, measure)
    site_name, code = resolve_site(db, site)
    areas = queries.areas(db)
    authority = _area_for_site(areas, site_name, code)
    if authority is None:
        how = f"its LA code {code}" if code else "its name"
        raise BenchmarkError(
            f"No DfE figures are stored for '{site_name}' (matched by {how}). Upload a DfE "
            "file that includes it, or give the site its LA code (--la-code on upload, or on "
            "the Upload page)."
        )
    region = _region(areas, authority)
    england = _england(areas)
    las = areas[areas["level"] == "local_authority"]["area_id"].astype(int)
    return Who(
        measure=str(m["name"]),
        measure_id=int(m["measure_id"]),
        dfe_column=str(m["dfe_column"]),
        unit=str(m["unit"]),
        direction=str(m["direction"]),
        site=site_name,
        authority_id=int(authority["area_id"]),
        authority_name=str(authority["area"]),
        neighbours=tuple(_neighbours(db, areas, authority)),
        region_id=None if region is None else int(region["area_id"]),
        region_name=None if region is None else str(region["area"]),
        england_id=None if england is None else int(england["area_id"]),
        all_authorities=tuple(las),
        illustrative=bool(areas["illustrative"].any()),
    )


def _check_period(text: str | None, flag: str) -> str | None:
    if text is None:
        return None
    text = text.strip()
    error = period_error(text)
    if error:
        raise BenchmarkError(f"{flag}: {error}.")
    return text


def benchmark(
    db: Database,
    measure: str,
    site: str | None = None,
    start: str | None = None,
    end: str | None = None,
    *,
    who: Who | None = None,
) -> dict:
    """The benchmark of ``measure`` for ``site`` (default: the only local-authority site).

    Returns ``{"measure", "site", "direction", "periods": [{"period", "value",
    "neighbours_median", "neighbours_min", "neighbours_max", "neighbours_n", "region",
    "england", "rank", "of", "quartile"}], "change": {"from", "to", "value",
    "neighbours_median", "rank", "of"}}``; ``period`` is DfE's ``time_period`` text and missing
    values are None. ``start``/``end`` (time periods) limit the years and set the change's
    ends; the change starts by default at the year of the RPG start. ``who`` is
    :func:`resolve`'s answer for the same measure and site, when the caller has it already.
    """
    start, end = _check_period(start, "--from"), _check_period(end, "--to")
    if who is None:
        who = resolve(db, measure, site)
    values = queries.values(db, who.measure_id)
    periods, change = compute_benchmark(
        values,
        who.comparison,
        who.direction,
        start=start,
        end=end,
        change_from=_default_change_from(db, values, who, start, end),
    )
    return {
        "measure": who.measure,
        "site": who.site,
        "direction": who.direction,
        "periods": periods,
        "change": change,
    }


def _default_change_from(db, values, who: Who, start, end) -> str | None:
    from rpgdash.benchmarks.compute import choose_periods

    own = values[values["area_id"] == who.authority_id]["period"].astype(str).tolist()
    return default_from(choose_periods(own, start, end), queries.rpg_start_year(db))


__all__ = ["BenchmarkError", "Who", "benchmark", "resolve"]
