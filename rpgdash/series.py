"""Shaping monthly-series results for charts and tables (pure functions)."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd


def month_options(series: Iterable[pd.DataFrame]) -> list[str]:
    """Every month (``YYYY-MM``) present in any of the series, in order."""
    months: set[str] = set()
    for frame in series:
        months.update(pd.to_datetime(frame["month"]).dt.strftime("%Y-%m"))
    return sorted(months)


def window(series: pd.DataFrame, start: str, end: str) -> pd.DataFrame:
    """The rows of a monthly series from ``start`` to ``end`` (``YYYY-MM``), inclusive."""
    month = pd.to_datetime(series["month"])
    keep = (month >= pd.Timestamp(f"{start}-01")) & (month <= pd.Timestamp(f"{end}-01"))
    return series[keep].reset_index(drop=True)


def spc_frames(result: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The SPC points and segments of a trend result as DataFrames with Timestamp months."""
    points = pd.DataFrame(result["spc"]["points"])
    points["month"] = pd.to_datetime(points["month"] + "-01")
    points["rules"] = points["rules"].map(", ".join)
    segments = pd.DataFrame(result["spc"]["segments"])
    for col in ("start", "end"):
        segments[col] = pd.to_datetime(segments[col] + "-01")
    return points, segments


def its_overlay(result: dict) -> dict | None:
    """Fitted pre-trend, counterfactual and fitted post segment for the SPC chart."""
    its = result.get("its")
    if its is None:
        return None
    months = pd.to_datetime(pd.Series([p["month"] for p in result["spc"]["points"]]) + "-01")
    fitted = its["fitted"]
    post = months >= pd.Timestamp(its["change_point"] + "-01")
    return {
        "months_pre": months[~post].tolist(),
        "fitted_pre": [v for v, p in zip(fitted["pre_fit"], post, strict=True) if not p],
        "months_post": months[post].tolist(),
        "fitted_post": [v for v, p in zip(fitted["pre_fit"], post, strict=True) if p],
        "counterfactual": list(fitted["counterfactual"]),
    }


_FINDING_WORDS = {
    "special_cause_improvement": "improvement",
    "special_cause_concern": "concern",
    "special_cause_neutral_high": "higher than expected",
    "special_cause_neutral_low": "lower than expected",
}


def _month_words(label: str) -> str:
    return pd.Timestamp(f"{label}-01").strftime("%b %Y")


def spc_finding(name: str, spc: dict) -> str:
    """The whole SPC chart's finding in one line, for its title.

    Runs of two or more consecutive months of the same special-cause type are named with
    their months; single months are counted. E.g. "Looked after children: concern Oct 2015 to
    Oct 2016, improvement Nov 2017 to Dec 2018; latest month improvement".
    """
    points = spc["points"]
    runs: list[tuple[str, str, str, int]] = []  # type, first, last, length
    for point in points:
        kind = point["point_type"]
        if runs and runs[-1][0] == kind:
            runs[-1] = (kind, runs[-1][1], point["month"], runs[-1][3] + 1)
        else:
            runs.append((kind, point["month"], point["month"], 1))
    special = [r for r in runs if r[0] != "common_cause"]
    latest = _FINDING_WORDS.get(points[-1]["point_type"], "common cause")
    if not special:
        return f"{name}: common cause variation throughout ({len(points)} months)"
    named = [
        f"{_FINDING_WORDS[kind]} {_month_words(first)} to {_month_words(last)}"
        for kind, first, last, length in special
        if length >= 2
    ]
    single = sum(1 for r in special if r[3] == 1)
    if single:
        named.append(f"{single} single month{'s' if single > 1 else ''} of special cause")
    return f"{name}: {', '.join(named)}; latest month {latest}"


def rebase_suggestions(spc: dict, events: pd.DataFrame) -> list[dict]:
    """Events after which a shift or trend fires: candidates to recalculate the limits from.

    Making Data Count advises recalculating the limits when a sustained change (a shift or a
    trend) follows a known change in the process. Survey fieldwork (events of kind "survey")
    measures the service rather than changing it, so it is left out. For each other event
    inside the series (not at
    its first month) whose segment has no rebase there yet, and with a shift or trend point
    on or after it in that segment, returns ``{"label", "month"}``: ``month`` is the first
    month with a value on or after the event (``YYYY-MM``), the rebase month to offer.
    """
    if events is None or events.empty:
        return []
    if "kind" in events:
        events = events[events["kind"] != "survey"]
    months = [p["month"] for p in spc["points"]]
    starts = {s["start"] for s in spc["segments"]}
    out = []
    for event in events.sort_values("event_date").itertuples():
        event_month = pd.Timestamp(event.event_date).strftime("%Y-%m")
        month = next((m for m in months if m >= event_month), None)
        if month is None or month == months[0] or month in starts:
            continue
        at = months.index(month)
        segment = spc["points"][at]["segment"]
        fires = any(
            p["segment"] == segment and ({"shift", "trend"} & set(p["rules"]))
            for p in spc["points"][at:]
        )
        if fires and all(s["month"] != month for s in out):
            out.append({"label": str(event.label), "month": month})
    return out
