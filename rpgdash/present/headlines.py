"""Headline figures for the overview and the board report (pure functions over DataFrames)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from rpgdash.present.indicators import automatic_change_point
from rpgdash.present.narrative import significance_column


@dataclass(frozen=True)
class DomainHeadline:
    domain: str
    statements: int
    improved: int
    significant: int
    above_neutral: int
    suppressed: bool


def domain_headlines(
    comparisons: pd.DataFrame, role: str, *, use_holm: bool = False
) -> list[DomainHeadline]:
    """Statements improved / significantly improved / above 2.5 per domain, for one role."""
    rows = comparisons[comparisons["role"] == role]
    out = []
    flag = significance_column(use_holm)
    for domain, group in rows.groupby("domain", sort=False):
        shown = group[group["suppressed"].isna()]
        out.append(
            DomainHeadline(
                domain=str(domain),
                statements=len(group),
                improved=int((shown["diff"] > 0).sum()),
                significant=int(
                    (shown[flag].fillna(False).astype(bool) & (shown["diff"] > 0)).sum()
                ),
                above_neutral=int((shown["mean_b"] > 2.5).sum()),
                suppressed=shown.empty,
            )
        )
    return out


def workforce_changes(workforce: pd.DataFrame) -> pd.DataFrame:
    """First and latest year per measure for the local authority, and the change in points.

    Input columns: site, kind, year, measure, value. Output: measure, first_year, first,
    latest_year, latest, change.
    """
    own = workforce[workforce["kind"] == "local_authority"].sort_values(["measure", "year"])
    rows = []
    for measure, group in own.groupby("measure", sort=False):
        first, latest = group.iloc[0], group.iloc[-1]
        rows.append(
            {
                "measure": measure,
                "first_year": int(first["year"]),
                "first": float(first["value"]),
                "latest_year": int(latest["year"]),
                "latest": float(latest["value"]),
                "change": round(float(latest["value"]) - float(first["value"]), 1),
            }
        )
    return pd.DataFrame(
        rows, columns=["measure", "first_year", "first", "latest_year", "latest", "change"]
    )


def workforce_table(workforce: pd.DataFrame) -> pd.DataFrame:
    """The local authority's figures as published: one row per measure, one column per year."""
    own = workforce[workforce["kind"] == "local_authority"]
    table = own.pivot_table(index="measure", columns="year", values="value", sort=False)
    table.columns = [str(c) for c in table.columns]
    return table.reset_index().rename(columns={"measure": "Measure (%)"})


def default_change_point(months: pd.Series, events: pd.DataFrame) -> str | None:
    """The RPG start if at least 8 months precede it, else the facilitator change, else None
    (``YYYY-MM``): the change point :func:`rpgdash.present.indicators.automatic_change_point`
    picks."""
    return automatic_change_point(months, events)[0]


def describe_default_change_point(months: pd.Series, events: pd.DataFrame) -> str:
    """Say which change point :func:`default_change_point` picks and why, from the data.

    E.g. "Jan 2017, the facilitator change: the RPG start (Nov 2015) has only 1 month
    before it, and an interrupted time series needs 8."
    """
    return automatic_change_point(months, events)[1]


def timeline_phases(events: pd.DataFrame) -> pd.DataFrame:
    """Evaluation timeline bars (label, start, end, kind) from the stored events."""
    phases = events.copy()
    phases["start"] = pd.to_datetime(phases["event_date"])
    one_month = phases["start"] + pd.offsets.MonthEnd(1)
    phases["end"] = pd.to_datetime(phases["end_date"]).fillna(one_month)
    return phases[["label", "start", "end", "kind"]].reset_index(drop=True)
