"""Tests for rpgdash.charts.

Most checks read the Vega scenegraph that vl-convert computes (the marks actually drawn, after
filters and scales), so they fail when a chart would look wrong, not only when its spec changes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

import altair as alt
import pandas as pd
import pytest
import vl_convert as vlc

import rpgdash
from rpgdash import charts, queries

W1, W3 = "+1 year", "+3 years"
WAVES = [W1, W3]
WAVES_DEMO = ["+1 year", "+3 years"]
S1 = "The RPG has helped me to develop better understanding of complex problems in my cases"
S2 = "The RPG has helped me to manage the emotional strain of my work more easily"
S3 = "The RPG has strengthened my professional identity"
S4 = "The RPG has improved my skills in relationship based work with families"


# ------------------------------------------------------------------------------------------
# helpers
# ------------------------------------------------------------------------------------------


def _scene(chart: alt.TopLevelMixin) -> dict[str, Any]:
    return vlc.vegalite_to_scenegraph(charts.fixed_width(chart, 800).to_json())


def _marks(node: Any) -> Iterator[dict[str, Any]]:
    """Every mark node (with its items) in a scenegraph."""
    if isinstance(node, dict):
        if "marktype" in node:
            yield node
        for value in node.values():
            yield from _marks(value)
    elif isinstance(node, list):
        for value in node:
            yield from _marks(value)


def _items(scene: dict[str, Any], marktype: str, role: str = "mark") -> list[dict[str, Any]]:
    return [
        item
        for mark in _marks(scene)
        if mark["marktype"] == marktype and mark.get("role") == role
        for item in mark.get("items", [])
    ]


def _texts(scene: dict[str, Any], role: str = "mark") -> list[Any]:
    return [item.get("text") for item in _items(scene, "text", role)]


def _field(item: dict[str, Any], title: str) -> str | None:
    """A tooltip value from the accessible description Vega gives each mark item."""
    found = re.search(rf"(?:^|; ){re.escape(title)}: (.*?)(?:; |$)", item.get("description", ""))
    return found.group(1) if found else None


def _layers(spec: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every unit spec (one with a mark) in a Vega-Lite dict."""
    if isinstance(spec, dict):
        if "mark" in spec:
            yield spec
        for key in ("layer", "concat", "hconcat", "vconcat"):
            for child in spec.get(key, []):
                yield from _layers(child)


def _dataset(spec: dict[str, Any], unit: dict[str, Any]) -> list[dict[str, Any]]:
    return spec["datasets"][unit["data"]["name"]]


def _rgb(colour: str) -> str:
    """'rgb(166, 192, 219)' or '#a6c0db' -> '#A6C0DB'."""
    if colour.startswith("rgb"):
        r, g, b = (int(float(v)) for v in re.findall(r"[\d.]+", colour)[:3])
        return f"#{r:02X}{g:02X}{b:02X}"
    return colour.upper()


# ------------------------------------------------------------------------------------------
# data
# ------------------------------------------------------------------------------------------


def _comparison(statement: str, **overrides: Any) -> dict[str, Any]:
    row = {
        "domain": "Professional",
        "role": "All",
        "statement": statement,
        "wave_a": W1,
        "wave_b": W3,
        "n_a": 47,
        "n_b": 75,
        "mean_a": 2.4,
        "mean_b": 2.9,
        "sd_a": 0.7,
        "sd_b": 0.6,
        "ci_a": [2.2, 2.6],
        "ci_b": [2.75, 3.05],
        "pct_agree_a": 0.45,
        "pct_agree_b": 0.7,
        "diff": 0.5,
        "u": 1200.0,
        "p_value": 0.2,
        "p_holm": 0.4,
        "cliffs_delta": 0.3,
        "significant": False,
        "significant_holm": False,
        "suppressed": None,
    }
    row.update(overrides)
    return row


@pytest.fixture
def comparisons() -> pd.DataFrame:
    """S1 significant before and after Holm, S2 only before, S3 neither, S4 suppressed."""
    nan = math.nan
    return pd.DataFrame(
        [
            _comparison(S1, p_value=0.001, p_holm=0.003, significant=True, significant_holm=True),
            _comparison(S2, p_value=0.02, p_holm=0.06, significant=True, significant_holm=False),
            _comparison(S3, mean_a=2.8, mean_b=2.9),
            _comparison(
                S4,
                mean_a=nan,
                mean_b=nan,
                ci_a=None,
                ci_b=None,
                diff=nan,
                p_value=nan,
                p_holm=nan,
                significant=None,
                significant_holm=None,
                suppressed="fewer than 5 responses",
            ),
        ]
    )


def _shares_rows(statement: str, wave: str, counts: list[int]) -> list[dict[str, Any]]:
    total = sum(counts)
    return [
        {
            "domain": "Professional",
            "role": "All",
            "statement": statement,
            "wave": wave,
            "score": score,
            "n": n,
            "share": n / total,
            "n_total": total,
        }
        for score, n in enumerate(counts, start=1)
        if n  # a level nobody chose has no row, as in a GROUP BY
    ]


@pytest.fixture
def shares() -> pd.DataFrame:
    return pd.DataFrame(
        _shares_rows(S1, W1, [5, 20, 15, 7])
        + _shares_rows(S1, W3, [3, 12, 40, 20])
        + _shares_rows(S3, W1, [0, 10, 30, 7])
        + _shares_rows(S3, W3, [10, 0, 0, 65])
    )


ROLES = ["Senior managers", "Team managers", "Lead practitioners", "Social workers"]


@pytest.fixture
def role_comparisons() -> pd.DataFrame:
    rows = []
    for statement, base in ((S1, 2.0), (S3, 3.0)):
        for i, role in enumerate(ROLES):
            rows.append(
                _comparison(
                    statement,
                    role=role,
                    n_a=8,
                    n_b=12,
                    mean_a=base + 0.3 * i,
                    mean_b=base + 0.3 * i + 0.25,
                    diff=0.25 - 0.2 * i,
                )
            )
    # Social workers answering S3: too few, so numbers are NaN and a reason is given.
    rows[-1].update(mean_a=math.nan, mean_b=math.nan, diff=math.nan, n_a=2, n_b=3)
    rows[-1]["suppressed"] = "fewer than 5 responses"
    return pd.DataFrame(rows)


@pytest.fixture
def points() -> pd.DataFrame:
    months = pd.date_range("2015-10-01", periods=12, freq="MS")
    types = ["common_cause"] * 12
    types[3] = "special_cause_concern"
    types[8:11] = ["special_cause_improvement"] * 3
    types[5] = "special_cause_neutral_low"
    return pd.DataFrame(
        {
            "month": months,
            "value": [50.0, 52, 49, 70, 51, 40, 50, 48, 41, 40, 39, 47],
            "segment": [0] * 12,
            "special_cause": [t != "common_cause" for t in types],
            # Both accepted forms: a list of rule names and a comma-joined string.
            "rules": [["astronomical"] if t != "common_cause" else [] for t in types[:6]]
            + ["shift, trend" if t != "common_cause" else "" for t in types[6:]],
            "point_type": types,
        }
    )


@pytest.fixture
def segments() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "start": pd.to_datetime(["2015-10-01", "2016-04-01"]),
            "end": pd.to_datetime(["2016-03-01", "2016-09-01"]),
            "n": [6, 6],
            "mean": [52.0, 44.0],
            "amr": [6.0, 5.0],
            "lower": [36.0, 30.7],
            "upper": [68.0, 57.3],
            "near_lower": [41.3, 35.1],
            "near_upper": [62.7, 52.9],
            "trial_limits": [False, True],
        }
    )


@pytest.fixture
def events() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "event_date": pd.to_datetime(["2015-11-01", "2016-05-01"]),
            "end_date": pd.to_datetime([None, "2016-07-01"]),
            "label": ["RPGs start", "Survey fieldwork"],
            "kind": ["intervention", "survey"],
        }
    )


@pytest.fixture
def its() -> dict[str, Any]:
    pre = list(pd.date_range("2015-10-01", periods=5, freq="MS"))
    post = list(pd.date_range("2016-03-01", periods=7, freq="MS"))
    return {
        "months_pre": pre,
        "fitted_pre": [52.0 - 0.5 * i for i in range(5)],
        "months_post": post,
        "fitted_post": [47.0 - 1.0 * i for i in range(7)],
        "counterfactual": [49.5 - 0.5 * i for i in range(7)],
    }


@pytest.fixture
def workforce() -> pd.DataFrame:
    # Table 2 of the paper (local authority); the national series is made up for the test.
    table2 = {"Turnover": [15, 14.7, 14.8, 14.9], "Agency staffing": [14, 11.4, 1.4, 0.0]}
    rows = []
    for measure, values in table2.items():
        for year, value in zip(range(2015, 2019), values, strict=True):
            rows.append(("The local authority", "local_authority", year, measure, value))
            rows.append(("England", "national", year, measure, value + 1.0))
    return pd.DataFrame(rows, columns=["site", "kind", "year", "measure", "value"])


@pytest.fixture
def phases() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "label": ["RPGs running", "+1 year survey", "+3 year survey"],
            "start": pd.to_datetime(["2015-11-01", "2016-11-01", "2018-11-01"]),
            "end": pd.to_datetime(["2019-03-31", "2017-03-31", "2019-03-31"]),
            "kind": ["intervention", "survey fieldwork", "survey fieldwork"],
        }
    )


# ------------------------------------------------------------------------------------------
# conventions
# ------------------------------------------------------------------------------------------


def test_wrap_label_keeps_words_and_width() -> None:
    lines = charts.wrap_label(S1)
    assert len(lines) == 2
    assert all(len(line) <= 45 for line in lines)
    assert " ".join(lines) == S1
    assert charts.wrap_label("") == [""]
    assert charts.wrap_label("short") == ["short"]


def test_scale_labels_and_neutral_midpoint() -> None:
    assert charts.SCALE_LABELS == {
        1: "Strongly disagree",
        2: "Disagree",
        3: "Agree",
        4: "Agree strongly",
    }
    assert charts.NEUTRAL_MIDPOINT == 2.5


def test_wave_scale_colours_by_position_in_full_list() -> None:
    scale = charts.wave_scale(["a", "b", "c"]).to_dict()
    assert scale["domain"] == ["a", "b", "c"]
    assert scale["range"] == list(charts.WAVE_COLOURS[:3])
    shapes = charts.wave_shape_scale(["a", "b", "c"]).to_dict()["range"]
    assert len(set(shapes)) == 3


def test_palettes_meet_wcag_contrast() -> None:
    # Text drawn on a Likert fill (AA, normal text: 4.5:1).
    for level, fill in charts.LIKERT_COLOURS.items():
        assert charts.contrast_ratio(fill, charts.LIKERT_TEXT_COLOURS[level]) >= 4.5
    # Light fills get dark text.
    assert charts.LIKERT_TEXT_COLOURS[2] != "#FFFFFF"
    assert charts.LIKERT_TEXT_COLOURS[3] != "#FFFFFF"
    # SPC marker outlines against a white background.
    for colour in charts.SPC_STROKE_COLOURS.values():
        assert charts.contrast_ratio(colour, "#FFFFFF") >= 4.5
    # Wave markers (graphical objects, 3:1) for the first four waves.
    for colour in charts.WAVE_COLOURS[:4]:
        assert charts.contrast_ratio(colour, "#FFFFFF") >= 3.0


def test_contrast_ratio_matches_wcag_reference_values() -> None:
    # WCAG: black on white is 21:1; #777777 on white is about 4.48:1.
    assert charts.contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert charts.contrast_ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)


# ------------------------------------------------------------------------------------------
# dumbbell
# ------------------------------------------------------------------------------------------


def test_dumbbell_has_neutral_line_and_word_scale(comparisons: pd.DataFrame) -> None:
    chart = charts.dumbbell_chart(comparisons, waves=WAVES, use_holm=False, title="Finding")
    spec = chart.to_dict()
    neutral = [
        unit
        for unit in _layers(spec)
        if unit["mark"]["type"] == "rule" and _dataset(spec, unit) == [{"x": 2.5}]
    ]
    assert len(neutral) == 1
    scene = _scene(chart)
    assert "neutral (2.5)" in _texts(scene)
    ticks = _texts(scene, "axis-label")
    for label in ("1 Strongly disagree", "2 Disagree", "3 Agree", "4 Agree strongly"):
        assert label in ticks


def test_dumbbell_rows_are_statements_in_input_order(comparisons: pd.DataFrame) -> None:
    chart = charts.dumbbell_chart(comparisons, waves=WAVES, use_holm=False, title="Finding")
    labels = [t for t in _texts(_scene(chart), "axis-label") if isinstance(t, list)]
    assert [" ".join(lines) for lines in labels] == [S1, S2, S3, S4]
    assert all(len(line) <= 45 for lines in labels for line in lines)


def _starred(chart: alt.TopLevelMixin, marker: str) -> set[str]:
    """Statements whose row carries the significance marker (matched by y position)."""
    scene = _scene(chart)
    rows = {
        item["y"]: " ".join(item["text"])
        for item in _items(scene, "text", "axis-label")
        if isinstance(item["text"], list)
    }
    stars = [item for item in _items(scene, "text") if item.get("text") == marker]
    return {text for y, text in rows.items() for star in stars if abs(star["y"] - y) < 1}


def test_significance_marker_only_on_significant_rows(comparisons: pd.DataFrame) -> None:
    plain = charts.dumbbell_chart(comparisons, waves=WAVES, use_holm=False, title="Finding")
    holm = charts.dumbbell_chart(comparisons, waves=WAVES, use_holm=True, title="Finding")
    assert _starred(plain, "★ p<0.05") == {S1, S2}
    assert _starred(holm, "★ adj. p<0.05") == {S1}


def test_dumbbell_subtitle_names_test_and_adjustment(comparisons: pd.DataFrame) -> None:
    plain = charts.dumbbell_chart(comparisons, waves=WAVES, use_holm=False, title="Finding")
    holm = charts.dumbbell_chart(comparisons, waves=WAVES, use_holm=True, title="Finding")
    plain_sub = " ".join(plain.to_dict()["title"]["subtitle"])
    holm_sub = " ".join(holm.to_dict()["title"]["subtitle"])
    assert "Mann-Whitney U, two-sided" in plain_sub
    assert "not adjusted" in plain_sub
    assert "Holm-adjusted" in holm_sub


def test_dumbbell_points_whiskers_and_suppressed_row(comparisons: pd.DataFrame) -> None:
    scene = _scene(charts.dumbbell_chart(comparisons, waves=WAVES, use_holm=False, title="F"))
    symbols = _items(scene, "symbol")
    # Two dots for each of the three statements with numbers; none for the suppressed one.
    assert len(symbols) == 6
    assert {_field(s, "Wave") for s in symbols} == {W1, W3}
    assert {_field(s, "n") for s in symbols} == {"47", "75"}
    assert {_field(s, "% agree") for s in symbols} == {"45%", "70%"}
    assert {_field(s, "95% CI") for s in symbols} >= {"2.20 to 2.60", "2.75 to 3.05"}
    assert "fewer than 5 responses" in _texts(scene)
    # Waves differ in shape as well as colour.
    by_wave = {_field(s, "Wave"): (s["shape"], s["fill"]) for s in symbols}
    assert by_wave[W1][0] != by_wave[W3][0]
    assert by_wave[W1][1] != by_wave[W3][1]


def test_same_wave_same_colour_whatever_subset_is_plotted(comparisons: pd.DataFrame) -> None:
    waves = ["+1 year", "+2 years", "+3 years"]
    first = comparisons.iloc[:2].assign(wave_a="+1 year", wave_b="+3 years")
    second = comparisons.iloc[:2].assign(wave_a="+2 years", wave_b="+3 years")
    colours = {}
    for frame in (first, second):
        chart = charts.dumbbell_chart(frame, waves=waves, use_holm=False, title="F")
        for symbol in _items(_scene(chart), "symbol"):
            colours.setdefault(_field(symbol, "Wave"), set()).add(_rgb(symbol["fill"]))
    assert colours == {
        "+1 year": {charts.WAVE_COLOURS[0]},
        "+2 years": {charts.WAVE_COLOURS[1]},
        "+3 years": {charts.WAVE_COLOURS[2]},
    }


# ------------------------------------------------------------------------------------------
# diverging bars
# ------------------------------------------------------------------------------------------


def test_diverging_bars_split_at_neutral_and_sum_to_100(shares: pd.DataFrame) -> None:
    spec = charts.diverging_bars(shares, waves=WAVES, title="F").to_dict()
    bars = next(u for u in _layers(spec) if u["mark"]["type"] == "bar")
    rows = pd.DataFrame(_dataset(spec, bars))
    assert len(rows) == 4 * 4  # every level present, even one nobody chose
    for _, bar in rows.groupby(["statement", "wave"]):
        level = bar.set_index("score")
        assert (level.loc[[1, 2], "x_end"] <= 0).all()
        assert (level.loc[[3, 4], "x_start"] >= 0).all()
        # Contiguous: 1 | 2 | neutral | 3 | 4.
        assert level.loc[1, "x_end"] == pytest.approx(level.loc[2, "x_start"])
        assert level.loc[2, "x_end"] == pytest.approx(0)
        assert level.loc[3, "x_start"] == pytest.approx(0)
        assert level.loc[3, "x_end"] == pytest.approx(level.loc[4, "x_start"])
        assert level["percent"].sum() == pytest.approx(100)
        assert (level["x_end"] - level["x_start"]).sum() == pytest.approx(100)


def test_diverging_bars_label_agreement_and_axis(shares: pd.DataFrame) -> None:
    chart = charts.diverging_bars(shares, waves=WAVES, title="F")
    scene = _scene(chart)
    texts = _texts(scene)
    # S1 at +3 years: 40 + 20 of 75 agree = 80%; S3 at +3 years: 65 of 75 = 87%.
    assert "80% agree" in texts
    assert "87% agree" in texts
    assert W1 in texts and W3 in texts
    ticks = _texts(scene, "axis-label")
    assert "100%" in ticks and "-100%" not in ticks and "-50%" not in ticks
    assert "% of answers" in " ".join(_texts(scene, "axis-title"))
    assert {_field(b, "n (all answers)") for b in _items(scene, "rect")} == {"47", "75"}


# ------------------------------------------------------------------------------------------
# role heatmap
# ------------------------------------------------------------------------------------------


def test_heatmap_suppressed_cell_has_text_not_number(role_comparisons: pd.DataFrame) -> None:
    chart = charts.role_heatmap(
        role_comparisons, value="mean_a", roles=ROLES, min_group=5, title="F"
    )
    scene = _scene(chart)
    cell_texts = _texts(scene)
    assert cell_texts.count("fewer than 5\nresponses") == 1
    numbers = [t for t in cell_texts if re.fullmatch(r"\d\.\d", t)]
    assert len(numbers) == 7
    # The suppressed cell is grey, and no coloured cell is drawn for it.
    hidden = [
        r
        for r in _items(scene, "rect")
        if _field(r, "Role") == "Social workers" and _field(r, "Statement") == S3
    ]
    assert [_rgb(r["fill"]) for r in hidden] == [charts.SUPPRESSED_FILL]
    assert "fewer than 5 responses" in hidden[0]["description"]


def test_heatmap_columns_in_role_order_and_formats(role_comparisons: pd.DataFrame) -> None:
    roles = list(reversed(ROLES))
    diff = charts.role_heatmap(role_comparisons, value="diff", roles=roles, min_group=5, title="F")
    scene = _scene(diff)
    headers = [t for t in _texts(scene, "axis-label") if isinstance(t, list)]
    role_headers = [" ".join(h[:-1]) for h in headers if " ".join(h[:-1]) in ROLES]
    assert role_headers == roles
    # Under each role, its n at each wave; every role has a shown cell in the fixture.
    assert {h[-1] for h in headers if " ".join(h[:-1]) in ROLES} == {"n = 8, 12"}
    texts = _texts(scene)
    assert "+0.25" in texts and "-0.35" in texts  # signed, two decimals
    with pytest.raises(ValueError, match="mean_a"):
        charts.role_heatmap(role_comparisons, value="mean", roles=roles, min_group=5, title="F")


def test_heatmap_text_contrasts_with_the_fill_vega_draws(role_comparisons: pd.DataFrame) -> None:
    for value in ("mean_a", "diff"):
        chart = charts.role_heatmap(
            role_comparisons, value=value, roles=ROLES, min_group=5, title="F"
        )
        scene = _scene(chart)
        fills = {
            (_field(r, "Statement"), _field(r, "Role")): _rgb(r["fill"])
            for r in _items(scene, "rect")
        }
        for text in _items(scene, "text"):
            fill = fills[(_field(text, "Statement"), _field(text, "Role"))]
            assert charts.contrast_ratio(fill, _rgb(text["fill"])) >= 4.5, (value, text)


def test_heatmap_tooltip_has_n(role_comparisons: pd.DataFrame) -> None:
    chart = charts.role_heatmap(role_comparisons, value="diff", roles=ROLES, min_group=5, title="F")
    rects = _items(_scene(chart), "rect")
    earlier, later = "n (+1 year)", "n (+3 years)"
    pairs = {(_field(r, earlier), _field(r, later)) for r in rects}
    # A hidden cell does not give away its small n (2 and 3 in the fixture) in the tooltip.
    assert pairs == {("8", "12"), ("not shown", "not shown")}


def test_heatmap_labels_of_a_hidden_role_do_not_show_its_n(role_comparisons) -> None:
    hidden = role_comparisons.copy()
    last = hidden["role"] == ROLES[-1]
    hidden.loc[last, "suppressed"] = "fewer than 5 responses"
    hidden.loc[last, ["mean_a", "mean_b", "diff"]] = math.nan
    chart = charts.role_heatmap(hidden, value="mean_b", roles=ROLES, min_group=5, title="F")
    headers = [t for t in _texts(_scene(chart), "axis-label") if isinstance(t, list)]
    by_role = {" ".join(h[:-1]): h[-1] for h in headers if " ".join(h[:-1]) in ROLES}
    assert by_role[ROLES[-1]] == "n not shown"
    assert by_role[ROLES[0]] == "n = 8, 12"


def test_long_statements_make_taller_rows_instead_of_overlapping() -> None:
    short = [charts._wrapped("A short statement")]
    long = [charts._wrapped("word " * 50)]  # 250 characters: six lines of 45
    assert charts.row_step(short) == charts.ROW_STEP
    assert charts.row_step(long) >= 6 * charts.LINE_HEIGHT
    assert charts.row_step(long, bars=2) * 2 >= 6 * charts.LINE_HEIGHT
    assert charts.row_step(short, bars=2) == charts.BAR_STEP


# ------------------------------------------------------------------------------------------
# series charts
# ------------------------------------------------------------------------------------------


def test_spc_point_types_differ_in_shape_and_colour(
    points: pd.DataFrame, segments: pd.DataFrame
) -> None:
    chart = charts.spc_chart(points, segments, events=None, unit="Referrals", title="F")
    shapes = charts.SPC_SHAPES.values()
    assert len(set(shapes)) == len(charts.POINT_TYPES)
    scene = _scene(chart)
    symbols = _items(scene, "symbol")
    style = {_field(s, "Point type"): (s["shape"], _rgb(s["stroke"])) for s in symbols}
    assert set(style) == {
        "Common cause",
        "Special cause – concern",
        "Special cause – improvement",
        "Special cause – neutral (low)",
    }
    assert len({shape for shape, _ in style.values()}) == 4
    assert style["Special cause – improvement"] == ("diamond", "#0077A3")
    legend = _texts(scene, "legend-label")
    assert "Special cause – improvement" in legend
    assert "Special cause – neutral (high)" not in legend  # only types that occur


def test_spc_tooltips_month_and_rules(points: pd.DataFrame, segments: pd.DataFrame) -> None:
    chart = charts.spc_chart(points, segments, events=None, unit="Referrals", title="F")
    symbols = _items(_scene(chart), "symbol")
    months = [_field(s, "Month") for s in symbols]
    assert months[0] == "Oct 2015"
    fired = {_field(s, "Rules fired") for s in symbols}
    assert fired == {"none", "astronomical", "shift, trend"}


def test_spc_limits_drawn_per_segment(points: pd.DataFrame, segments: pd.DataFrame) -> None:
    spec = charts.spc_chart(points, segments, events=None, unit="Referrals", title="F").to_dict()
    reference = next(u for u in _layers(spec) if u["encoding"].get("y", {}).get("field") == "level")
    lines = pd.DataFrame(_dataset(spec, reference))
    assert len(lines) == 6  # mean, upper, lower for each of two segments
    trial = lines[lines["start"].str.startswith("2016-04")]
    assert set(trial["style"]) == {"Mean", "Trial process limits"}
    dash = reference["encoding"]["strokeDash"]["scale"]
    assert dict(zip(dash["domain"], dash["range"], strict=True))["Mean"] == [1, 0]


def test_event_rules_present_with_labels(
    points: pd.DataFrame, segments: pd.DataFrame, events: pd.DataFrame
) -> None:
    alone = _scene(charts.event_rules(events).properties(width=400, height=100))
    assert len(_items(alone, "rule")) == 2
    assert len(_items(alone, "rect")) == 1  # only the event with an end date gets a band
    assert {"RPGs start", "Survey fieldwork"} <= set(_texts(alone))

    with_events = charts.spc_chart(points, segments, events=events, unit="Referrals", title="F")
    without = charts.spc_chart(points, segments, events=None, unit="Referrals", title="F")
    assert {"RPGs start", "Survey fieldwork"} <= set(_texts(_scene(with_events)))
    assert "RPGs start" not in _texts(_scene(without))


def test_spc_keeps_its_time_span_when_events_fall_outside(
    points: pd.DataFrame, segments: pd.DataFrame, events: pd.DataFrame
) -> None:
    more = pd.concat(
        [
            events,
            pd.DataFrame(
                {
                    "event_date": pd.to_datetime(["2018-11-01", "2015-08-01"]),
                    "end_date": pd.to_datetime([None, "2015-12-01"]),
                    "label": ["Later survey", "Earlier work"],
                    "kind": ["survey", "survey"],
                }
            ),
        ],
        ignore_index=True,
    )
    scene = _scene(charts.spc_chart(points, segments, events=more, unit="R", title="F"))
    texts = _texts(scene)
    assert "Later survey" not in texts  # after the last month shown
    assert "Earlier work" in texts  # overlaps the first months: drawn, clipped
    band = [r for r in _items(scene, "rect") if _field(r, "Event") == "Earlier work"]
    assert _field(band[0], "When") == "Aug 2015 to Dec 2015"
    ticks = [t for t in _texts(scene, "axis-label") if isinstance(t, str)]
    assert not [t for t in ticks if t.endswith("2018") or t.endswith("2017")]


def test_its_lengths_must_match_months(
    points: pd.DataFrame, segments: pd.DataFrame, its: dict[str, Any]
) -> None:
    its["counterfactual"] = its["counterfactual"][:-1]
    with pytest.raises(ValueError, match="one value per month"):
        charts.spc_chart(points, segments, events=None, unit="R", title="F", its=its)


def test_its_layers_only_when_given(
    points: pd.DataFrame, segments: pd.DataFrame, its: dict[str, Any]
) -> None:
    names = set(charts.ITS_STYLES)
    with_its = charts.spc_chart(points, segments, events=None, unit="R", title="F", its=its)
    without = charts.spc_chart(points, segments, events=None, unit="R", title="F")

    def fitted_layers(chart: alt.TopLevelMixin) -> list[dict[str, Any]]:
        spec = chart.to_dict()
        return [u for u in _layers(spec) if u["encoding"].get("y", {}).get("field") == "fitted"]

    assert len(fitted_layers(with_its)) == 1
    assert fitted_layers(without) == []
    assert names <= set(_texts(_scene(with_its), "legend-label"))
    assert not names & set(_texts(_scene(without), "legend-label"))


def test_workforce_years_have_no_thousands_separator(workforce: pd.DataFrame) -> None:
    chart = charts.workforce_small_multiples(workforce, title="F")
    spec = chart.to_dict()
    x_axes = [u["encoding"]["x"]["axis"] for u in _layers(spec)]
    assert x_axes and all(axis["format"] == "d" for axis in x_axes)
    scene = _scene(chart)
    ticks = _texts(scene, "axis-label")
    assert "2015" in ticks and "2018" in ticks
    assert not [t for t in ticks if isinstance(t, str) and re.fullmatch(r"2,0\d\d", t)]
    labels = _texts(scene)
    assert {"14.7%", "11.4%", "0%", "15%"} <= set(labels)
    assert "15.7%" not in labels  # comparison series are not labelled


def test_workforce_styles_local_authority_solid_comparisons_dashed(
    workforce: pd.DataFrame,
) -> None:
    spec = charts.workforce_small_multiples(workforce, title="F").to_dict()
    line = next(u for u in _layers(spec) if u["mark"]["type"] == "line")
    dash = line["encoding"]["strokeDash"]["scale"]
    style = dict(zip(dash["domain"], dash["range"], strict=True))
    assert style["The local authority"] == [1, 0]
    assert style["England"] != [1, 0]
    colour = line["encoding"]["color"]["scale"]
    england = dict(zip(colour["domain"], colour["range"], strict=True))["England"]
    r, g, b = (int(england[i : i + 2], 16) for i in (1, 3, 5))
    assert r == g == b  # grey


def test_timeline_bars_and_labels(phases: pd.DataFrame) -> None:
    scene = _scene(charts.timeline_chart(phases, title="F"))
    assert len(_items(scene, "rect")) == 3
    assert "Nov 2016 – Mar 2017" in _texts(scene)


def test_sparkline_has_no_axes(points: pd.DataFrame) -> None:
    scene = _scene(charts.indicator_sparkline(points[["month", "value"]], title="Referrals"))
    assert _texts(scene, "axis-label") == []
    assert len(_items(scene, "line")) == 12
    assert "Referrals" in _texts(scene, "title-text")
    untitled = charts.indicator_sparkline(points, title="")
    assert "title" not in untitled.to_dict()


def test_fixed_width_replaces_container_width(comparisons: pd.DataFrame) -> None:
    chart = charts.dumbbell_chart(comparisons, waves=WAVES, use_holm=False, title="F")
    assert chart.to_dict()["width"] == "container"
    assert charts.fixed_width(chart, 700).to_dict()["width"] == 700


# ------------------------------------------------------------------------------------------
# every chart renders as the board report embeds it
# ------------------------------------------------------------------------------------------


@pytest.fixture
def every_chart(
    comparisons: pd.DataFrame,
    shares: pd.DataFrame,
    role_comparisons: pd.DataFrame,
    points: pd.DataFrame,
    segments: pd.DataFrame,
    events: pd.DataFrame,
    its: dict[str, Any],
    workforce: pd.DataFrame,
    phases: pd.DataFrame,
) -> dict[str, alt.TopLevelMixin]:
    return {
        "dumbbell": charts.dumbbell_chart(comparisons, waves=WAVES, use_holm=True, title="F"),
        "diverging": charts.diverging_bars(shares, waves=WAVES, title="F"),
        "heatmap_mean": charts.role_heatmap(
            role_comparisons, value="mean_b", roles=ROLES, min_group=5, title="F"
        ),
        "heatmap_diff": charts.role_heatmap(
            role_comparisons, value="diff", roles=ROLES, min_group=5, title="F"
        ),
        "spc": charts.spc_chart(
            points, segments, events=events, unit="Referrals", title="F", its=its
        ),
        "events": charts.event_rules(events),
        "workforce": charts.workforce_small_multiples(workforce, title="F", events=events),
        "timeline": charts.timeline_chart(phases, title="F"),
        "sparkline": charts.indicator_sparkline(points[["month", "value"]], title="Referrals"),
    }


def test_every_chart_renders_to_svg(every_chart: dict[str, alt.TopLevelMixin]) -> None:
    for name, chart in every_chart.items():
        svg = vlc.vegalite_to_svg(chart.to_json())
        assert svg.startswith("<svg"), name
        assert "NaN" not in svg, name


# --- SPC chart: target line, events above the plot, level-change scan (issue 12) ----------


def test_spc_event_labels_sit_above_the_plotting_area(
    points: pd.DataFrame, segments: pd.DataFrame, events: pd.DataFrame
) -> None:
    scene = _scene(charts.spc_chart(points, segments, events=events, unit="R", title="F"))
    labels = [
        t for t in _items(scene, "text") if t.get("text") in {"RPGs start", "Survey fieldwork"}
    ]
    assert len(labels) == 2
    # y is measured down from the top of the plotting area: text ending above 0 is outside it
    assert all(t["y"] < 0 and t.get("baseline") == "bottom" for t in labels)
    assert all(s["y"] >= 0 for s in _items(scene, "symbol"))
    # the timeline and other charts keep their labels inside (default)
    inside = _scene(charts.event_rules(events).properties(width=400, height=100))
    assert all(t["y"] > 0 for t in _items(inside, "text"))


def test_spc_target_line_only_with_a_target(points: pd.DataFrame, segments: pd.DataFrame) -> None:
    with_target = charts.spc_chart(points, segments, events=None, unit="R", title="F", target=45)
    spec = with_target.to_dict()
    reference = next(u for u in _layers(spec) if u["encoding"].get("y", {}).get("field") == "level")
    lines = pd.DataFrame(_dataset(spec, reference))
    target = lines[lines["style"] == "Target"]
    assert target["level"].tolist() == [45.0]
    assert target["start"].iloc[0].startswith("2015-10") and target["end"].iloc[0].startswith(
        "2016-09"
    )
    assert "Target" in _texts(_scene(with_target), "legend-label")
    subtitle = spec["title"]["subtitle"]  # wrapped into lines to fit a phone
    assert "red dash-dot = target" in " ".join(
        subtitle if isinstance(subtitle, list) else [subtitle]
    )
    without = charts.spc_chart(points, segments, events=None, unit="R", title="F")
    assert "Target" not in _texts(_scene(without), "legend-label")


def test_spc_title_is_the_given_finding(points: pd.DataFrame, segments: pd.DataFrame) -> None:
    chart = charts.spc_chart(points, segments, events=None, unit="R", title="R: concern Jan 2016")
    assert chart.to_dict()["title"]["text"] == "R: concern Jan 2016"


def test_level_change_scan_chart_marks_the_chosen_month() -> None:
    scan = [
        {"month": "2016-01", "level_change": 1.0, "level_ci": [-1.0, 3.0]},
        {"month": "2016-02", "level_change": -4.0, "level_ci": [-6.0, -2.0]},
        {"month": "2016-03", "level_change": 0.5, "level_ci": [None, None]},
    ]
    chart = charts.level_change_scan_chart(scan, chosen="2016-02", unit="R", title="F")
    symbols = _items(_scene(chart), "symbol")
    by_month = {_field(s, "Change point"): s for s in symbols}
    assert set(by_month) == {"Jan 2016", "Feb 2016", "Mar 2016"}
    assert (
        by_month["Feb 2016"]["shape"] == "diamond"
        and _rgb(by_month["Feb 2016"]["fill"]) == "#000000"
    )
    assert by_month["Jan 2016"]["shape"] == "circle"
    assert _field(by_month["Feb 2016"], "Level change") == "\u22124.00"  # d3 minus sign


# --- the survey pages' fast path: the same charts, built from a cached layout ---------------


def _same_chart(spec: dict) -> dict:
    """``spec`` with each dataset reference replaced by the dataset's values, for comparing
    two specs that differ only in what their datasets are called."""
    import json

    values = {name: json.dumps(rows, sort_keys=True, default=str) for name, rows in
              spec.get("datasets", {}).items()}  # fmt: skip

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            if set(node) == {"name"} and node["name"] in values:
                return {"values": values[node["name"]]}
            return {k: walk(v) for k, v in node.items() if k != "datasets"}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(spec)


def test_the_fast_survey_specs_are_the_altair_charts(demo_db) -> None:
    from rpgdash.stats import add_all_roles, level_shares

    everything = rpgdash.compare_waves(demo_db)
    shares_all = level_shares(add_all_roles(queries.level_counts(demo_db), label="All roles"))
    waves = ["+1 year", "+3 years"]
    # All roles, a role with results, a suppressed role; Holm on and off (the title is the
    # same for every role, as on the page, so the second role reuses the cached layout).
    cases = [
        ("All roles", False),
        ("Team manager", False),
        ("Team manager", True),
        ("Other", False),
    ]
    hits = charts._layout_dict.cache_info().hits
    for role, use_holm in cases:
        comp = everything[(everything["domain"] == "relationships") & (everything["role"] == role)]
        comp = comp.reset_index(drop=True)
        kwargs = {"waves": waves, "use_holm": use_holm, "title": "Mean agreement"}
        slow = charts.dumbbell_chart(comp, **kwargs).to_dict()
        fast = charts.dumbbell_spec(comp, **kwargs)
        assert _same_chart(fast) == _same_chart(slow), (role, use_holm)
        assert fast != slow  # (the comparison above is not vacuous: the names do differ)
    part = shares_all[
        (shares_all["domain"] == "relationships") & (shares_all["role"] == "Team manager")
    ]
    part = part[part["wave"].isin(waves)]
    slow = charts.diverging_bars(part, waves=waves, title="How").to_dict()
    fast = charts.diverging_spec(part, waves=waves, title="How")
    assert _same_chart(fast) == _same_chart(slow)
    in_domain = everything[everything["domain"] == "relationships"]
    roles = ["All roles", "Team manager", "Other"]
    for value in ("mean_a", "mean_b", "diff"):
        kwargs = {"value": value, "roles": roles, "min_group": 5, "title": "By role"}
        slow = charts.role_heatmap(in_domain, **kwargs).to_dict()
        fast = charts.heatmap_spec(in_domain, **kwargs)
        assert _same_chart(fast) == _same_chart(slow), value
    assert charts._layout_dict.cache_info().hits > hits


def test_building_every_role_at_once_gives_each_roles_own_chart(demo_db) -> None:
    from rpgdash.stats import add_all_roles, level_shares

    everything = rpgdash.compare_waves(demo_db)
    comp = everything[everything["domain"] == "professional"]
    shares = level_shares(add_all_roles(queries.level_counts(demo_db), label="All roles"))
    shares = shares[(shares["domain"] == "professional") & shares["wave"].isin(WAVES_DEMO)]
    kwargs = {"waves": WAVES_DEMO, "use_holm": "bh", "title": "T"}
    dumbbells = charts.dumbbell_parts_by(comp, "role", **kwargs)
    divergings = charts.diverging_parts_by(shares, "role", waves=WAVES_DEMO, title="D")
    roles = list(dict.fromkeys(comp["role"]))
    assert list(dumbbells) == roles and len(roles) == 7
    for role in roles:
        own = comp[comp["role"] == role].reset_index(drop=True)
        alone = charts.dumbbell_parts(own, **kwargs)
        assert dumbbells[role].shape == alone.shape, role
        assert dumbbells[role].spec() == alone.spec(), role
        part = shares[shares["role"] == role]
        alone = charts.diverging_parts(part, waves=WAVES_DEMO, title="D")
        assert divergings[role].spec() == alone.spec(), role
    # and the role's own rows differ from another's (the comparison is not vacuous)
    assert dumbbells["Team manager"].spec() != dumbbells["Social worker"].spec()


def _heatmap_variants(comp: pd.DataFrame) -> Iterator[tuple[str, pd.DataFrame]]:
    """The demo's comparisons of one domain, changed as another site's would differ: other n
    per role (so other role labels), a role hidden, a long role name, fewer statements."""
    yield "demo", comp
    other_n = comp.assign(n_a=comp["n_a"] + 3, n_b=comp["n_b"] * 2)
    yield "other n", other_n
    hidden = comp.copy()
    hidden.loc[hidden["role"] == "Team manager", "suppressed"] = "fewer than 5"
    yield "a role hidden", hidden
    long_name = "Advanced practitioner in the family safeguarding service"
    yield "long role name", comp.replace({"role": {"Social worker": long_name}})
    first = comp["statement"].drop_duplicates().iloc[:2]
    yield "two statements", comp[comp["statement"].isin(first)]
    yield "no statements", comp.iloc[:0]


def test_a_new_sites_heatmap_layout_is_altairs_own_validated_dict(demo_db) -> None:
    """The heatmap layout built from a cached template equals Altair's own validated dict for
    rows and role columns it has not seen (a first view of a site), and Altair drew only the
    templates (one per measure, title and waves), not each new set of rows and columns."""
    everything = rpgdash.compare_waves(demo_db)
    comp = everything[everything["domain"] == "relationships"].reset_index(drop=True)
    kwargs = {"min_group": 5, "title": "T"}
    cases = [
        (name, value, roles, charts.heatmap_parts(variant, value=value, roles=roles, **kwargs))
        for name, variant in _heatmap_variants(comp)
        for value in ("mean_a", "mean_b", "diff")
        for roles in (
            ["All roles", *queries.roles(demo_db)],
            list(dict.fromkeys(variant["role"])) or ["All roles"],
        )
    ]
    charts._heatmap_layout_dict.cache_clear()
    charts._layout_dict.cache_clear()
    fast = [parts.layout() for *_, parts in cases]
    templates = {
        tuple(item for item in parts.shape if item[0] not in ("rows", "cols"))
        for *_, parts in cases
    }
    assert charts._layout_dict.cache_info().misses == len(templates) < len(cases) // 4
    for (name, value, roles, parts), layout in zip(cases, fast, strict=True):
        named = {key: alt.NamedData(key) for key in parts.frames}
        slow = parts.build(named, **dict(parts.shape)).to_dict(validate=True)
        assert layout == slow, (name, value, roles)
    # The cases do differ (other labels, padding and heights), so the check is not vacuous.
    assert len({repr(layout) for layout in fast}) > len(cases) // 2
