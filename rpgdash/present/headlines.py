"""Headline figures for the overview and the board report (pure functions over DataFrames)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from rpgdash.present.narrative import significance_column

MIN_PRE_MONTHS = 8


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
    """The RPG start if at least 8 months precede it, else the facilitator change, else None.

    Returned as ``YYYY-MM``; the month must lie inside the series with 8 months before it.
    """
    months = pd.to_datetime(pd.Series(months)).sort_values()
    candidates = []
    for label in ("RPGs start", "Facilitator change"):
        hit = events[events["label"] == label]
        if not hit.empty:
            candidates.append(pd.Timestamp(hit["event_date"].iloc[0]).to_period("M"))
    for month in candidates:
        before = int((months.dt.to_period("M") < month).sum())
        after = int((months.dt.to_period("M") >= month).sum())
        if before >= MIN_PRE_MONTHS and after >= 1:
            return str(month)
    return None


def describe_default_change_point(months: pd.Series, events: pd.DataFrame) -> str:
    """Say which change point :func:`default_change_point` picks and why, from the data.

    E.g. "Jan 2017, the facilitator change: the RPG start (Nov 2015) has only 1 month
    before it, and an interrupted time series needs 8."
    """
    chosen = default_change_point(months, events)
    periods = pd.to_datetime(pd.Series(months)).dt.to_period("M")
    found = {}
    for label in ("RPGs start", "Facilitator change"):
        hit = events[events["label"] == label]
        if not hit.empty:
            found[label] = pd.Timestamp(hit["event_date"].iloc[0]).to_period("M")
    words = {"RPGs start": "the RPG start", "Facilitator change": "the facilitator change"}

    def before(label: str) -> str:
        month = found[label]
        if month > periods.max():
            return f"{words[label]} ({month:%b %Y}) falls after the last month"
        n = int((periods < month).sum())
        count = "no months" if n == 0 else f"only {n} month{'s' if n > 1 else ''}"
        return f"{words[label]} ({month:%b %Y}) has {count} before it"

    if chosen is None:
        reasons = [before(label) for label in found]
        if not reasons:
            return "No change point: no RPG start or facilitator change is stored."
        return (
            "No change point: "
            + " and ".join(reasons)
            + f", and an interrupted time series needs {MIN_PRE_MONTHS}."
        )
    label = next(k for k, v in found.items() if str(v) == chosen)
    text = f"{pd.Period(chosen, 'M'):%b %Y}, {words[label]}"
    if label == "Facilitator change" and "RPGs start" in found:
        text += f": {before('RPGs start')}, and an interrupted time series needs {MIN_PRE_MONTHS}"
    return text + "."


def timeline_phases(events: pd.DataFrame) -> pd.DataFrame:
    """Evaluation timeline bars (label, start, end, kind) from the stored events."""
    phases = events.copy()
    phases["start"] = pd.to_datetime(phases["event_date"])
    one_month = phases["start"] + pd.offsets.MonthEnd(1)
    phases["end"] = pd.to_datetime(phases["end_date"]).fillna(one_month)
    return phases[["label", "start", "end", "kind"]].reset_index(drop=True)
