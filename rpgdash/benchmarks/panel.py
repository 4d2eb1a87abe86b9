"""One benchmarked measure as the page and the report show it: sentences, a table, chart data.

Built once here from :func:`rpgdash.benchmarks.benchmark`'s result, and rendered by both the
Benchmarks page and the board report, so the two (and the CLI's JSON) cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from rpgdash.benchmarks import queries
from rpgdash.benchmarks.core import BenchmarkError, Who, benchmark, resolve
from rpgdash.benchmarks.measures import period_label
from rpgdash.db import Database

DESCRIPTIVE = (
    "A rank among {n} authorities is descriptive, not proof: it says where the authority "
    "stands among similar authorities, not why. Many other influences acted at the same "
    "time, and a few authorities' figures can move a rank a long way."
)
ILLUSTRATIVE = (
    "Illustrative demo data: the comparison authorities, the region and England are made up. "
    "Only the demo authority's own workforce figures are real (Table 2 of the evaluation)."
)
METHOD = (
    "Rank: 1 = best by the measure's improvement direction, among the authority and its "
    "statistical neighbours with a figure that year; tied figures share the better rank. "
    "Quartile: A (best quarter) to D among all local authorities with a figure, as in DfE's "
    "LAIT. Missing and suppressed figures (c, z, x, low, k, u) are left out, never counted as "
    "zero. Source: DfE's published statistics and statistical neighbours."
)


@dataclass(frozen=True)
class BenchmarkPanel:
    """Everything shown for one measure. ``result`` is the benchmark JSON itself."""

    measure: str
    unit: str
    direction: str
    site: str
    result: dict
    change_sentence: str
    rank_sentence: str
    caveat: str
    table: pd.DataFrame
    chart_data: pd.DataFrame
    neighbour_changes: pd.DataFrame
    illustrative: bool


def _num(value: float | None, unit: str) -> str:
    if value is None or pd.isna(value):
        return "–"
    text = f"{value:,.1f}"
    return text + ("%" if unit == "%" else "")


def _amount(value: float, unit: str) -> str:
    size = f"{abs(value):,.1f}".removesuffix(".0")
    if unit == "%":
        return f"{size} point{'s' if size != '1' else ''}"
    return f"{size} {unit}".strip()


def _moved(value: float, unit: str) -> str:
    if round(value, 1) == 0:
        return "did not change"
    return ("fell " if value < 0 else "rose ") + _amount(value, unit)


def change_sentence(result: dict, unit: str) -> str:
    """ "Vacancies fell 5.6 points between 2015 and 2018; the median neighbour's fell 1.2;
    ours was the largest fall of 11." (or why there is no change to compare)."""
    change, measure = result["change"], result["measure"]
    first, last = change["from"], change["to"]
    if change["value"] is None:
        if first is None or first == last:
            return f"{measure}: there is only one year with a figure, so no change to compare."
        return (
            f"{measure}: {result['site']} has no figure for {period_label(first)} or "
            f"{period_label(last)}, so its change cannot be compared."
        )
    text = (
        f"{measure} {_moved(change['value'], unit)} between {period_label(first)} and "
        f"{period_label(last)}"
    )
    if change["neighbours_median"] is None:
        return text + "; no neighbour has figures for both years."
    text += f"; the median neighbour's {_moved(change['neighbours_median'], unit)}"
    rank, of = change["rank"], change["of"]
    if rank is None:
        return text + " (this measure has no better or worse direction, so no rank)."
    fall = result["direction"] == "decrease"
    if rank == 1 and (change["value"] < 0 if fall else change["value"] > 0):
        return text + f"; ours was the largest {'fall' if fall else 'rise'} of {of}."
    best = "the largest fall" if fall else "the largest rise"
    return text + f"; ours ranked {rank} of {of} (1 = {best})."


def rank_sentence(result: dict) -> str:
    """Where the authority stood in the latest year with a figure."""
    own = [p for p in result["periods"] if p["value"] is not None]
    if not own:
        return f"{result['site']} has no figure for {result['measure']} in these years."
    latest = own[-1]
    when = period_label(latest["period"])
    if latest["rank"] is None:
        return (
            f"In {when}: no rank, because a higher or lower {result['measure']} is neither "
            "better nor worse."
        )
    quartile = (
        f", quartile {latest['quartile']} among all authorities" if latest["quartile"] else ""
    )
    return (
        f"In {when}: rank {latest['rank']} of {latest['of']} among the authority and its "
        f"neighbours (1 = best){quartile}."
    )


def _table(result: dict, unit: str) -> pd.DataFrame:
    rows = []
    for p in result["periods"]:
        spread = (
            f"{_num(p['neighbours_min'], unit)} to {_num(p['neighbours_max'], unit)}"
            if p["neighbours_n"]
            else "–"
        )
        rows.append(
            {
                "Year": period_label(p["period"]),
                result["site"]: _num(p["value"], unit),
                "Neighbours' median": _num(p["neighbours_median"], unit),
                "Neighbours' range": spread,
                "Neighbours with a figure": str(p["neighbours_n"]),
                "Region": _num(p["region"], unit),
                "England": _num(p["england"], unit),
                "Rank": "–" if p["rank"] is None else f"{p['rank']} of {p['of']}",
                "Quartile": p["quartile"] or "–",
            }
        )
    return pd.DataFrame(rows)


def _chart_data(result: dict, who: Who) -> pd.DataFrame:
    rows = []
    series = (
        ("value", who.site),
        ("neighbours_median", "Neighbours' median"),
        ("region", who.region_name or "Region"),
        ("england", "England"),
    )
    for order, p in enumerate(result["periods"]):
        for field, name in series:
            rows.append(
                {
                    "period": period_label(p["period"]),
                    "order": order,
                    "series": name,
                    "value": p[field],
                    "low": p["neighbours_min"],
                    "high": p["neighbours_max"],
                }
            )
    return pd.DataFrame(rows, columns=["period", "order", "series", "value", "low", "high"])


def _neighbour_changes(db: Database, who: Who, result: dict) -> pd.DataFrame:
    first, last = result["change"]["from"], result["change"]["to"]
    values = queries.values(db, who.measure_id)
    at = {
        p: dict(zip(g["area_id"], g["value"], strict=True))
        for p, g in values.groupby("period")
        if p in (first, last)
    }
    a, b = at.get(first, {}), at.get(last, {})
    rows = []
    for n in [None, *who.neighbours]:
        area = who.authority_id if n is None else n.area_id
        start, end = a.get(area), b.get(area)
        rows.append(
            {
                "Authority": who.site if n is None else n.name,
                "Closeness": "" if n is None else (n.closeness or ""),
                period_label(first) if first else "From": _num(start, who.unit),
                period_label(last) if last else "To": _num(end, who.unit),
                "Change": "–"
                if start is None or end is None
                else f"{end - start:+.1f}".replace("+0.0", "0.0").replace("-0.0", "0.0"),
            }
        )
    return pd.DataFrame(rows)


def build_panel(
    db: Database,
    measure: str,
    site: str | None = None,
    start: str | None = None,
    end: str | None = None,
) -> BenchmarkPanel:
    """The panel for one measure (raises :class:`BenchmarkError` with a sentence)."""
    who = resolve(db, measure, site)
    result = benchmark(db, measure, site=who.site, start=start, end=end, who=who)
    of = max((p["of"] or 0 for p in result["periods"]), default=0) or len(who.neighbours) + 1
    caveat = DESCRIPTIVE.format(n=of)
    return BenchmarkPanel(
        measure=who.measure,
        unit=who.unit,
        direction=who.direction,
        site=who.site,
        result=result,
        change_sentence=change_sentence(result, who.unit),
        rank_sentence=rank_sentence(result),
        caveat=caveat,
        table=_table(result, who.unit),
        chart_data=_chart_data(result, who),
        neighbour_changes=_neighbour_changes(db, who, result),
        illustrative=who.illustrative,
    )


def build_panels(
    db: Database, site: str | None = None, start: str | None = None, end: str | None = None
) -> tuple[list[BenchmarkPanel], list[str]]:
    """A panel per stored measure the site has figures for, and why others are left out."""
    panels, skipped = [], []
    for name in queries.measures(db)["name"]:
        try:
            panels.append(build_panel(db, name, site=site, start=start, end=end))
        except BenchmarkError as exc:
            skipped.append(str(exc))
    return panels, skipped
