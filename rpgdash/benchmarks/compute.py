"""The benchmark figures: pure functions over one measure's values (no database, no Streamlit).

Conventions (documented on the Benchmarks page and in the issue 15 note):

- **rank**: among the authority and those of its statistical neighbours with a value that
  period; 1 = best by the measure's improvement direction (lowest value for ``decrease``,
  highest for ``increase``); tied values share the better rank (rank = 1 + the number of
  strictly better values, R's ``rank(ties.method = "min")``). A ``neutral`` measure has no
  better or worse, so no rank and no quartile.
- **quartile**: the band among all local authorities with a value that period, as LAIT shows
  it: authorities ranked as above, then A = the best quarter, B, C, D = the worst quarter
  (band = floor(4 * (rank - 1) / n): with 152 authorities ranks 1-38 are A, 39-76 B, 77-114
  C and 115-152 D; the best authority is always A, whatever n).
- **change**: the value at the ``to`` period minus the value at the ``from`` period, for the
  authority and for each neighbour with both values; ranked like the values (for a
  ``decrease`` measure the largest fall is rank 1). Changes are rounded to 9 decimals before
  ranking so that binary floating-point noise (0.4 - 6.0) cannot split a tie.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from rpgdash.benchmarks.measures import period_sort_key, period_year

BANDS = "ABCD"


def rank_of(value: float, others: Sequence[float], direction: str) -> int | None:
    """1 + the number of ``others`` strictly better than ``value`` (ties share the better rank)."""
    if direction == "decrease":
        return 1 + sum(1 for o in others if o < value)
    if direction == "increase":
        return 1 + sum(1 for o in others if o > value)
    return None


def quartile_band(rank: int | None, n: int) -> str | None:
    """LAIT's quartile band of a rank among ``n``: A (best quarter) to D."""
    if rank is None or n == 0:
        return None
    return BANDS[min(3, (4 * (rank - 1)) // n)]


@dataclass(frozen=True)
class Comparison:
    """Who is compared: area ids of the authority, its neighbours (in order), its region,
    England and every local authority (for the quartile)."""

    authority: int
    neighbours: Sequence[int]
    region: int | None
    england: int | None
    all_authorities: Sequence[int]


def _num(x) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def _median(xs: Sequence[float]) -> float | None:
    return float(statistics.median(xs)) if xs else None


def choose_periods(periods: Sequence[str], start: str | None, end: str | None) -> list[str]:
    """The periods from ``start`` to ``end`` (by first year; either may be None), in order."""
    ordered = sorted(set(periods), key=period_sort_key)
    lo = period_year(start) if start else -math.inf
    hi = period_year(end) if end else math.inf
    return [p for p in ordered if lo <= period_year(p) <= hi]


def default_from(periods: Sequence[str], start_year: int | None) -> str | None:
    """The period of the RPG start year (else the latest before it, else the first)."""
    if not periods:
        return None
    if start_year is None:
        return periods[0]
    same = [p for p in periods if period_year(p) == start_year]
    if same:
        return same[0]
    before = [p for p in periods if period_year(p) < start_year]
    return before[-1] if before else periods[0]


def compute_benchmark(
    values: pd.DataFrame,
    who: Comparison,
    direction: str,
    *,
    start: str | None = None,
    end: str | None = None,
    change_from: str | None = None,
) -> tuple[list[dict], dict]:
    """The ``periods`` list and the ``change`` record of the benchmark JSON contract.

    ``values`` has area_id, period, value (one row per area and period). ``change_from`` is
    the default start of the change when ``start`` is not given.
    """
    table: dict[str, dict[int, float]] = {}
    for area, period, value in zip(
        values["area_id"], values["period"], values["value"], strict=True
    ):
        if _num(value) is not None:
            table.setdefault(str(period), {})[int(area)] = float(value)
    shown = {who.authority, *who.neighbours, who.region, who.england} - {None}
    relevant = [p for p, by_area in table.items() if shown & by_area.keys()]
    periods = choose_periods(relevant, start, end)
    rows = [_period_row(p, table.get(p, {}), who, direction) for p in periods]
    change = _change(table, periods, who, direction, start, end, change_from)
    return rows, change


def _period_row(period: str, by_area: Mapping[int, float], who: Comparison, direction: str):
    value = by_area.get(who.authority)
    near = [by_area[a] for a in who.neighbours if a in by_area]
    rank = of = quartile = None
    if value is not None and direction != "neutral":
        rank, of = rank_of(value, near, direction), len(near) + 1
        every = [by_area[a] for a in who.all_authorities if a in by_area and a != who.authority]
        quartile = quartile_band(rank_of(value, every, direction), len(every) + 1)
    return {
        "period": period,
        "value": value,
        "neighbours_median": _median(near),
        "neighbours_min": min(near) if near else None,
        "neighbours_max": max(near) if near else None,
        "neighbours_n": len(near),
        "region": by_area.get(who.region) if who.region is not None else None,
        "england": by_area.get(who.england) if who.england is not None else None,
        "rank": rank,
        "of": of,
        "quartile": quartile,
    }


def _change(table, periods, who: Comparison, direction, start, end, change_from) -> dict:
    empty = {
        "from": None,
        "to": None,
        "value": None,
        "neighbours_median": None,
        "rank": None,
        "of": None,
    }
    if not periods:
        return empty
    own = [p for p in periods if who.authority in table.get(p, {})]
    first = periods[0] if start else (change_from if change_from in periods else None)
    if first is None:
        first = periods[0]
    last = periods[-1] if end else (own[-1] if own else periods[-1])
    if period_sort_key(last) <= period_sort_key(first):
        return {**empty, "from": first, "to": last}
    a, b = table.get(first, {}), table.get(last, {})

    def diff(area: int) -> float | None:
        if area in a and area in b:
            return round(b[area] - a[area], 9)
        return None

    value = diff(who.authority)
    near = [d for d in (diff(n) for n in who.neighbours) if d is not None]
    rank = of = None
    if value is not None and direction != "neutral":
        rank, of = rank_of(value, near, direction), len(near) + 1
    return {
        "from": first,
        "to": last,
        "value": value,
        "neighbours_median": _median(near),
        "rank": rank,
        "of": of,
    }
