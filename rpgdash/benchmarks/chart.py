"""The benchmark chart: the authority against its neighbours' median and range, its region and
England over the years (DataFrame in, Altair chart out; no data access)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import altair as alt
import pandas as pd

from rpgdash.charts import FIT_WIDTH, NARROW_TITLE, wrap_label
from rpgdash.chartspec import SpecParts

#: Series colours (the authority darkest); series also differ by line dash and point shape.
_AUTHORITY = "#1d3557"
_OTHERS = ("#8d5a97", "#2a9d8f", "#6c757d")
_DASHES = ([8, 4], [2, 2], [1, 0])


def benchmark_chart(data: pd.DataFrame, *, title: str, unit: str) -> alt.LayerChart:
    """Lines per series with the neighbours' range as a band.

    Parameters
    ----------
    data : pd.DataFrame
        Columns period (label), order, series, value, low, high (see
        :func:`rpgdash.benchmarks.panel.build_panel`); the first series is the authority.
    title : str
        The finding the chart illustrates.
    unit : str
        The measure's unit, for the axis title.
    """
    return benchmark_parts(data, title=title, unit=unit).chart()


def benchmark_parts(data: pd.DataFrame, *, title: str, unit: str) -> SpecParts:
    """:func:`benchmark_chart` as :class:`~rpgdash.chartspec.SpecParts` (the board report
    draws its ``spec()``, built without Altair per chart)."""
    names = list(dict.fromkeys(data["series"]))
    frames = {
        "benchmark_band": data.drop_duplicates("period"),
        "benchmark_lines": data.dropna(subset=["value"]),
    }
    values = {
        "names": names,
        "periods": list(dict.fromkeys(data.sort_values("order")["period"])),
        "axis_title": "percent" if unit == "%" else unit,
        "colours": [_AUTHORITY, *_OTHERS][: len(names)],
        "dashes": [[1, 0], *_DASHES][: len(names)],
        "title": alt.TitleParams(wrap_label(title, NARROW_TITLE), anchor="start"),
    }
    return SpecParts(_benchmark_layout, frames, values)


def _benchmark_layout(frames: Mapping[str, Any], values: Mapping[str, Any]) -> alt.LayerChart:
    """The benchmark chart from :func:`benchmark_parts`' frames and values."""
    names, axis_title = values["names"], values["axis_title"]
    x = alt.X("period:O", sort=values["periods"], title=None, axis=alt.Axis(labelAngle=0))
    # One entry per line below the chart: four names in a row run off a phone's screen.
    legend = alt.Legend(title=None, orient="bottom", direction="vertical", labelLimit=320)
    band = (
        alt.Chart(frames["benchmark_band"])
        .mark_area(opacity=0.18, color=_OTHERS[0])
        .encode(
            x=x,
            y=alt.Y("low:Q", title=axis_title),
            y2="high:Q",
            tooltip=[
                alt.Tooltip("period:O", title="Year"),
                alt.Tooltip("low:Q", title="Lowest neighbour"),
                alt.Tooltip("high:Q", title="Highest neighbour"),
            ],
        )
    )
    lines = (
        alt.Chart(frames["benchmark_lines"])
        .mark_line(point=True, strokeWidth=2)
        .encode(
            x=x,
            y=alt.Y("value:Q", title=axis_title),
            color=alt.Color(
                "series:N", scale=alt.Scale(domain=names, range=values["colours"]), legend=legend
            ),
            strokeDash=alt.StrokeDash(
                "series:N", scale=alt.Scale(domain=names, range=values["dashes"]), legend=legend
            ),
            shape=alt.Shape("series:N", scale=alt.Scale(domain=names), legend=legend),
            tooltip=[
                alt.Tooltip("series:N", title="Series"),
                alt.Tooltip("period:O", title="Year"),
                alt.Tooltip("value:Q", title="Value", format=".1f"),
            ],
        )
    )
    return alt.layer(
        band,
        lines,
        title=values["title"],
        width="container",
        autosize=FIT_WIDTH,  # the height is the plot's; the legend below adds to it
        height=260,
    )
