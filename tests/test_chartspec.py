"""The series charts' fast Vega-Lite dicts (rpgdash.chartspec) are the Altair charts.

Each fast spec is compared with the Altair chart's own (validated) ``to_dict()`` for the same
inputs, after replacing every dataset reference by the dataset's rows: the two differ only in
what their datasets are called. Inputs: every demo indicator as the report draws it (events,
interrupted time series, with and without a target), a three-month series, the workforce
figures alone, with a comparison series and with events, and the benchmark panels.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import pytest
import vl_convert as vlc

from rpgdash import charts, chartspec, queries
from rpgdash.benchmarks.chart import benchmark_chart, benchmark_parts
from rpgdash.benchmarks.panel import build_panels
from rpgdash.present.indicators import build_indicator_panel
from rpgdash.present.workforce import workforce_panel


def _same_chart(spec: dict) -> dict:
    """``spec`` with each dataset reference replaced by that dataset's rows."""
    rows = {name: json.dumps(values, sort_keys=True, default=str)
            for name, values in spec.get("datasets", {}).items()}  # fmt: skip

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            if set(node) == {"name"} and node["name"] in rows:
                return {"values": rows[node["name"]]}
            return {k: walk(v) for k, v in node.items() if k != "datasets"}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(spec)


def _assert_same(parts: chartspec.SpecParts) -> dict:
    fast = parts.spec()
    slow = parts.chart().to_dict()  # validated against the Vega-Lite schema
    assert "\x00slot" not in json.dumps(fast)
    assert fast != slow  # the datasets are named differently, so the check below is not vacuous
    assert _same_chart(fast) == _same_chart(slow)
    return fast


def _indicator_charts(db) -> list:
    """Each demo indicator's SPC chart inputs, as the report builds them (every month)."""
    events = queries.events(db, site=None)
    out = []
    for row in queries.indicators(db).itertuples():
        series = queries.indicator_series(db, row.name)
        months = pd.to_datetime(series["month"]).dt.strftime("%Y-%m")
        panel = build_indicator_panel(
            db,
            row.name,
            unit=row.unit,
            site=None,
            start=months.min(),
            end=months.max(),
            target=None if pd.isna(row.target) else float(row.target),
            direction=str(row.direction),
            events=events,
        )
        out.append(panel.chart)
    return out


def _spc(chart: Any, **change: Any) -> chartspec.SpecParts:
    kwargs = {
        "events": chart.events,
        "unit": chart.unit,
        "title": chart.title,
        "its": chart.its,
        "target": chart.target,
    }
    points, segments = change.pop("points", chart.points), change.pop("segments", chart.segments)
    return charts.spc_parts(points, segments, **{**kwargs, **change})


def test_every_demo_spc_chart_is_the_altair_chart(demo_db) -> None:
    drawn = _indicator_charts(demo_db)
    assert len(drawn) == 4
    seen = set()
    for chart in drawn:
        for target in (None, float(chart.points["value"].median())):
            parts = _spc(chart, target=target)
            fast = _assert_same(parts)
            seen |= set(parts.frames) | ({"target"} if target is not None else set())
            if target is not None:
                limits = fast["datasets"]["spc_limits"]
                assert any(r["line"] == "Target" and r["level"] == target for r in limits)
        _assert_same(_spc(chart, events=None, its=None))
    # the inputs covered every optional layer: events, the ITS lines and a target
    assert {"spc_events", "spc_its", "target"} <= seen


def test_a_three_month_series_and_its_point_types(demo_db) -> None:
    chart = _indicator_charts(demo_db)[0]
    points = chart.points.head(3).copy()
    points["point_type"] = ["common_cause", "special_cause_concern", "common_cause"]
    segments = chart.segments.head(1).assign(
        start=points["month"].iloc[0], end=points["month"].iloc[-1]
    )
    parts = _spc(chart, points=points, segments=segments, its=None)
    fast = _assert_same(parts)
    fill = next(
        layer["encoding"]["fill"] for layer in fast["layer"] if "fill" in layer.get("encoding", {})
    )
    assert fill["legend"]["values"] == ["Common cause", "Special cause – concern"]


def test_one_layout_serves_every_indicator(demo_db) -> None:
    # A new data version (new titles, units, point types) must not need a new Altair layout:
    # the layout depends on the chart's structure only.
    drawn = _indicator_charts(demo_db)
    chartspec.clear_layouts()
    specs = [_spc(chart, events=drawn[0].events).spec() for chart in drawn]
    info = chartspec._layout.cache_info()
    assert info.misses == 1 and info.hits == len(drawn) - 1
    titles = {json.dumps(spec["title"]) for spec in specs}
    assert len(titles) == len(drawn)  # each chart kept its own title


def test_the_fast_spc_spec_draws_the_same_svg(demo_db) -> None:
    parts = _spc(_indicator_charts(demo_db)[1])
    fast = vlc.vegalite_to_svg(charts.fixed_width(parts.chart(), 560).to_dict())
    spec = parts.spec()
    spec["width"] = 560
    assert vlc.vegalite_to_svg(spec) == fast


@pytest.mark.parametrize("variant", ["alone", "comparison", "events"])
def test_the_workforce_small_multiples_are_the_altair_chart(demo_db, variant: str) -> None:
    figures = workforce_panel(queries.workforce(demo_db)).figures
    events = None
    if variant == "comparison":
        england = figures.assign(site="England", kind="national", value=figures["value"] * 0.9)
        figures = pd.concat([figures, england], ignore_index=True)
    if variant == "events":
        events = queries.events(demo_db, site=None)
        assert len(events)
    parts = charts.workforce_parts(figures, title="Workforce since the RPG start", events=events)
    fast = _assert_same(parts)
    assert len(fast["concat"]) == figures["measure"].nunique() == 4
    assert _same_chart(fast) == _same_chart(
        charts.workforce_small_multiples(figures, title="Workforce since the RPG start",
                                         events=events).to_dict()
    )  # fmt: skip


def test_the_benchmark_charts_are_the_altair_charts(demo_db) -> None:
    panels, _ = build_panels(demo_db, site=queries.default_site(demo_db))
    assert panels
    for panel in panels:
        title = f"{panel.measure}: {panel.site}, its neighbours, region and England"
        parts = benchmark_parts(panel.chart_data, title=title, unit=panel.unit)
        _assert_same(parts)
        slow = benchmark_chart(panel.chart_data, title=title, unit=panel.unit).to_dict()
        assert _same_chart(parts.spec()) == _same_chart(slow)


def test_records_are_the_rows_altair_stores() -> None:
    import math

    import altair as alt
    import numpy as np

    frame = pd.DataFrame(
        {
            "month": pd.to_datetime(["2016-01-01 00:00", None, "2016-03-15 12:30"]),
            "value": [1.5, math.nan, math.inf],
            "count": np.array([1, 2, 3], dtype="int64"),
            "flag": [True, False, True],
            "maybe": pd.array([1, None, 3], dtype="Int64"),
            "text": pd.array(["a", None, "c"], dtype="str"),
            "mixed": ["x", None, np.int64(4)],
            "kind": pd.Categorical(["a", "b", None]),
        }
    )
    altair_rows = alt.data_transformers.get()(frame)["values"]
    assert chartspec.records(frame) == altair_rows
    assert json.dumps(chartspec.records(frame))  # JSON-ready: no numpy scalars, no NaN
    assert (
        chartspec.records(frame)[1]["month"] == "" and chartspec.records(frame)[2]["value"] is None
    )
