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
