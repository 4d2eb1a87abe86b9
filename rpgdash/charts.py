"""Altair chart builders for the RPG outcomes dashboard.

Every builder takes tidy data (a DataFrame or a dict) and returns an Altair chart; nothing here
reads the database or imports Streamlit. Colour is never the only cue: waves, SPC point types
and significance also differ by marker shape or by a text mark.

Charts use ``width="container"`` so Streamlit stretches them; a renderer without a container
(vl-convert, used by the board report) falls back to 300 px, so call :func:`fixed_width` first.
"""

from __future__ import annotations

import copy
import functools
import math
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import altair as alt
import pandas as pd

from rpgdash.chartspec import SpecParts

__all__ = [
    "LIKERT_COLOURS",
    "LIKERT_TEXT_COLOURS",
    "NEUTRAL_MIDPOINT",
    "POINT_TYPE_LABELS",
    "SCALE_LABELS",
    "SPC_FILL_COLOURS",
    "SPC_SHAPES",
    "SPC_STROKE_COLOURS",
    "WAVE_COLOURS",
    "WAVE_SHAPES",
    "ChartParts",
    "contrast_ratio",
    "diverging_bars",
    "diverging_parts",
    "diverging_spec",
    "dumbbell_chart",
    "dumbbell_parts",
    "dumbbell_spec",
    "event_rules",
    "month_axis",
    "whole_years_axis",
    "fixed_width",
    "indicator_sparkline",
    "level_change_scan_chart",
    "heatmap_parts",
    "heatmap_spec",
    "role_heatmap",
    "spc_chart",
    "spc_parts",
    "text_colour_on",
    "timeline_chart",
    "wave_scale",
    "wave_shape_scale",
    "workforce_measure_chart",
    "workforce_parts",
    "workforce_small_multiples",
    "wrap_label",
]

# --------------------------------------------------------------------------------------------
# Palette and conventions
# --------------------------------------------------------------------------------------------

SCALE_LABELS: dict[int, str] = {
    1: "Strongly disagree",
    2: "Disagree",
    3: "Agree",
    4: "Agree strongly",
}
NEUTRAL_MIDPOINT = 2.5

#: Okabe-Ito, reordered so the first four keep 3:1 contrast with white (WCAG 1.4.11);
#: yellow is left out because it disappears on white.
WAVE_COLOURS: tuple[str, ...] = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#000000",  # black
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
)
WAVE_SHAPES: tuple[str, ...] = (
    "circle",
    "diamond",
    "square",
    "triangle-up",
    "triangle-down",
    "cross",
    "triangle-right",
)

#: Diverging brown/orange (disagree) to blue (agree), colour-blind safe (ColorBrewer BrBG/RdBu).
LIKERT_COLOURS: dict[int, str] = {1: "#8C510A", 2: "#FDB863", 3: "#92C5DE", 4: "#2166AC"}
DARK_TEXT = "#1A1A1A"
#: Text drawn on a coloured fill is black or white: one of the two always reaches 4.58:1.
ON_FILL_DARK = "#000000"
LIGHT_TEXT = "#FFFFFF"
SUPPRESSED_FILL = "#E6E6E6"
HEATMAP_MID = "#F7F7F7"
REFERENCE_GREY = "#595959"

POINT_TYPES: tuple[str, ...] = (
    "common_cause",
    "special_cause_improvement",
    "special_cause_concern",
    "special_cause_neutral_high",
    "special_cause_neutral_low",
)
POINT_TYPE_LABELS: dict[str, str] = {
    "common_cause": "Common cause",
    "special_cause_improvement": "Special cause – improvement",
    "special_cause_concern": "Special cause – concern",
    "special_cause_neutral_high": "Special cause – neutral (high)",
    "special_cause_neutral_low": "Special cause – neutral (low)",
}
#: NHS "Making Data Count" fills.
SPC_FILL_COLOURS: dict[str, str] = {
    "common_cause": "#A6A6A6",
    "special_cause_improvement": "#00B0F0",
    "special_cause_concern": "#E46C0A",
    "special_cause_neutral_high": "#490092",
    "special_cause_neutral_low": "#490092",
}
#: Darker outlines of the same hues, each at least 4.5:1 against white.
SPC_STROKE_COLOURS: dict[str, str] = {
    "common_cause": "#595959",
    "special_cause_improvement": "#0077A3",
    "special_cause_concern": "#A34A00",
    "special_cause_neutral_high": "#490092",
    "special_cause_neutral_low": "#490092",
}
SPC_SHAPES: dict[str, str] = {
    "common_cause": "circle",
    "special_cause_improvement": "diamond",
    "special_cause_concern": "square",
    "special_cause_neutral_high": "triangle-up",
    "special_cause_neutral_low": "triangle-down",
}

# Interrupted time series lines (Paul Tol's colour-blind-safe "muted" green and wine).
ITS_STYLES: dict[str, tuple[str, list[int]]] = {
    "Fitted trend before": ("#117733", [1, 0]),
    "Projection without change (counterfactual)": ("#117733", [2, 3]),
    "Fitted trend after": ("#882255", [1, 0]),
}
LIMIT_STYLES: dict[str, tuple[str, list[int]]] = {
    "Mean": ("#1A1A1A", [1, 0]),
    "Process limits": (REFERENCE_GREY, [6, 4]),
    "Trial process limits": (REFERENCE_GREY, [2, 3]),
    "Target": ("#B31515", [10, 3, 2, 3]),  # MDC's red target line, darkened to 6:1 on white
}
#: Event labels above the plotting area: px from the top of the plot to each label row.
EVENT_LABEL_ROWS = (-4, -17, -30)

SIGNIFICANCE_TEST = "Mann-Whitney U, two-sided"
ROW_STEP = 46  # px per statement row; fits three lines of 11 px labels
BAR_STEP = 22  # px per wave bar within a statement row of the diverging bars
LINE_HEIGHT = 13  # px per line of a wrapped statement label
LABEL_LIMIT = 330  # px for wrapped statement labels (45 characters at 11 px)
TITLE_WIDTH = 95  # characters before a title wraps onto a second line
# Monthly and yearly charts fill the page's width, down to about 340 px on a phone: their
# titles (13 px bold) and subtitles (12 px) wrap at these lengths so Vega never cuts them.
NARROW_TITLE = 44
NARROW_SUBTITLE = 56


def wrap_label(text: str, width: int = 45) -> list[str]:
    """Split a label into lines of at most ``width`` characters.

    Parameters
    ----------
    text : str
        The label, e.g. a survey statement.
    width : int
        Maximum characters per line; words longer than this are kept whole.

    Returns
    -------
    list of str
        At least one line (``[""]`` for empty text).
    """
    lines = textwrap.wrap(str(text), width=width, break_long_words=False, break_on_hyphens=False)
    return lines or [""]


@functools.lru_cache(maxsize=4096)
def _wrapped(text: str, width: int = 45) -> str:
    """Newline-joined :func:`wrap_label`, split again into lines by ``_MULTILINE``.

    Cached: the same statements and roles are wrapped for every chart of every page."""
    return "\n".join(wrap_label(text, width))


#: A column naming the group (job role) of each row, when many groups' charts are built at once.
GROUP = "_group"

# Vega expression that turns a newline-joined label back into a list of lines.
_MULTILINE = "split(datum.value, '\\n')"


def row_step(labels: Sequence[str], *, bars: int = 1) -> int:
    """Pixels per row (or per bar, ``bars`` to a row) so wrapped labels never overlap.

    Three lines fit :data:`ROW_STEP`; a longer statement (an uploaded one may run to five
    lines) makes every row taller rather than spilling into its neighbour.
    """
    lines = max((str(label).count("\n") + 1 for label in labels), default=1)
    needed = lines * LINE_HEIGHT + 8
    if bars > 1:
        return max(BAR_STEP, math.ceil(needed / bars))
    return max(ROW_STEP, needed)


def wave_scale(waves: Sequence[str]) -> alt.Scale:
    """Colour scale that gives each wave a fixed Okabe-Ito colour.

    Parameters
    ----------
    waves : sequence of str
        The full ordered list of wave labels; a wave's colour depends only on its position here,
        so a page that plots a subset still colours each wave as every other page does.

    Returns
    -------
    alt.Scale
    """
    domain = list(waves)
    return alt.Scale(
        domain=domain, range=[WAVE_COLOURS[i % len(WAVE_COLOURS)] for i in range(len(domain))]
    )


def wave_shape_scale(waves: Sequence[str]) -> alt.Scale:
    """Shape scale matching :func:`wave_scale`, so waves differ by more than colour."""
    domain = list(waves)
    return alt.Scale(
        domain=domain, range=[WAVE_SHAPES[i % len(WAVE_SHAPES)] for i in range(len(domain))]
    )


def _luminance(hex_colour: str) -> float:
    h = hex_colour.lstrip("#")
    channels = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(colour_a: str, colour_b: str) -> float:
    """WCAG 2 contrast ratio between two ``#RRGGBB`` colours (1 to 21)."""
    high, low = sorted((_luminance(colour_a), _luminance(colour_b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@functools.lru_cache(maxsize=1024)
def text_colour_on(fill: str) -> str:
    """Dark or white text, whichever contrasts more with ``fill``."""
    dark, light = contrast_ratio(fill, ON_FILL_DARK), contrast_ratio(fill, LIGHT_TEXT)
    return ON_FILL_DARK if dark >= light else LIGHT_TEXT


LIKERT_TEXT_COLOURS: dict[int, str] = {k: text_colour_on(v) for k, v in LIKERT_COLOURS.items()}


#: Stretch to the page's width but keep the declared plot height (Streamlit's default "fit"
#: would squeeze the plot to make room for legends and titles).
FIT_WIDTH = alt.AutoSizeParams(type="fit-x", contains="padding")


def fixed_width(chart: alt.TopLevelMixin, width: int = 900) -> alt.TopLevelMixin:
    """Replace ``width="container"`` by a pixel width, for rendering outside a page.

    Parameters
    ----------
    chart : alt.TopLevelMixin
        A chart from this module.
    width : int
        Plot width in pixels (axes and legends come on top of it).

    Returns
    -------
    alt.TopLevelMixin
        A copy; charts without a container width are returned unchanged.
    """
    if getattr(chart, "width", alt.Undefined) == "container":
        return chart.properties(width=width)
    return chart


def _title(
    title: str, subtitle: str | list[str] | None = None, *, narrow: bool = False
) -> alt.TitleParams:
    """Title and subtitle; ``narrow`` wraps both to fit a phone (Vega cuts long lines off)."""
    width = NARROW_TITLE if narrow else TITLE_WIDTH
    text: str | list[str] = title if len(title) <= width else wrap_label(title, width)
    if narrow and isinstance(subtitle, str) and len(subtitle) > NARROW_SUBTITLE:
        subtitle = wrap_label(subtitle, NARROW_SUBTITLE)
    if subtitle is None:
        return alt.TitleParams(text=text, anchor="start")
    return alt.TitleParams(
        text=text, subtitle=subtitle, anchor="start", subtitleColor="#404040", subtitleFontSize=12
    )


def _is_true(value: Any) -> bool:
    """True only for a real true value; None and NaN count as not significant."""
    if value is None:
        return False
    try:
        if pd.isna(value):
            return False
    except (TypeError, ValueError):
        pass
    return bool(value)


def _is_suppressed(value: Any) -> bool:
    if value is None:
        return False
    try:
        return not pd.isna(value)
    except (TypeError, ValueError):
        return True


def _ci_bounds(value: Any) -> tuple[float, float]:
    """``[lo, hi]`` (list, tuple or array) or None -> two floats, NaN when missing."""
    if value is None or isinstance(value, float | int):
        return math.nan, math.nan
    items = list(value)
    if len(items) != 2:
        return math.nan, math.nan
    return float(items[0]), float(items[1])


def _fmt(value: Any, spec: str, missing: str = "–") -> str:
    if value is None or pd.isna(value):
        return missing
    return format(float(value), spec)


def _statement_axis(title: str | None = "Statement") -> alt.Axis:
    return alt.Axis(
        title=title,
        # Horizontal title above the label column: a rotated one collides with long labels.
        titleAngle=0,
        titleAlign="right",
        titleBaseline="bottom",
        titleX=-6,
        titleY=-6,
        labelExpr=_MULTILINE,
        labelLimit=LABEL_LIMIT,
        labelFontSize=11,
        labelLineHeight=13,
        labelPadding=6,
        domain=False,
        ticks=False,
    )


# --------------------------------------------------------------------------------------------
# Survey charts
# --------------------------------------------------------------------------------------------

_LIKERT_AXIS_EXPR = (
    "datum.value == 1 ? '1 Strongly disagree' : datum.value == 2 ? '2 Disagree' : "
    "datum.value == 3 ? '3 Agree' : datum.value == 4 ? '4 Agree strongly' : ''"
)


# use_holm may also be "bh": Benjamini-Hochberg across every statement and role
_ADJUSTED_FLAG: dict = {
    True: "significant_holm",
    "holm": "significant_holm",
    "bh": "significant_bh",
}


def _dumbbell_rows(comparisons: pd.DataFrame, use_holm: bool | str) -> pd.DataFrame:
    """One row per statement with wrapped label, CI bounds and significance flag."""
    rows = []
    # pct_agree may be a share (0-1) or a percentage (0-100): decide once for the whole table.
    pct = pd.to_numeric(
        pd.concat([comparisons["pct_agree_a"], comparisons["pct_agree_b"]]), errors="coerce"
    )
    pct_factor = 1.0 if pct.max() > 1 else 100.0
    for record in comparisons.to_dict("records"):
        lo_a, hi_a = _ci_bounds(record.get("ci_a"))
        lo_b, hi_b = _ci_bounds(record.get("ci_b"))
        flag = record.get(_ADJUSTED_FLAG.get(use_holm, "significant"))
        suppressed = _is_suppressed(record.get("suppressed"))
        rows.append(
            {
                "statement": record["statement"],
                "label": _wrapped(record["statement"]),
                "wave_a": record["wave_a"],
                "wave_b": record["wave_b"],
                "mean_a": record.get("mean_a"),
                "mean_b": record.get("mean_b"),
                "lo_a": lo_a,
                "hi_a": hi_a,
                "lo_b": lo_b,
                "hi_b": hi_b,
                "n_a": record.get("n_a"),
                "n_b": record.get("n_b"),
                "pct_a": _percent(record.get("pct_agree_a"), pct_factor),
                "pct_b": _percent(record.get("pct_agree_b"), pct_factor),
                "p": _fmt(record.get("p_value"), ".3f"),
                "p_adj": _fmt(record.get("p_bh" if use_holm == "bh" else "p_holm"), ".3f"),
                "significant": (not suppressed) and _is_true(flag),
                "suppressed": str(record["suppressed"]) if suppressed else "",
            }
        )
    return pd.DataFrame(rows)


def _dumbbell_points(rows: pd.DataFrame, side: Literal["a", "b"]) -> pd.DataFrame:
    """Dots for one side of the comparison ("a" = earlier wave) with tooltip text."""
    out = pd.DataFrame(
        {
            "statement": rows["statement"],
            "label": rows["label"],
            "wave": rows[f"wave_{side}"],
            "mean": pd.to_numeric(rows[f"mean_{side}"], errors="coerce"),
            "ci_lo": rows[f"lo_{side}"],
            "ci_hi": rows[f"hi_{side}"],
            "n": pd.to_numeric(rows[f"n_{side}"], errors="coerce"),
            "p": rows["p"],
            "p_adj": rows["p_adj"],
        }
    )
    out["ci"] = [
        f"{_fmt(lo, '.2f')} to {_fmt(hi, '.2f')}"
        for lo, hi in zip(out["ci_lo"], out["ci_hi"], strict=True)
    ]
    out["pct_agree"] = rows[f"pct_{side}"]
    if GROUP in rows:  # rows of many groups at once (see _by_group)
        out[GROUP] = rows[GROUP]
    return out[out["mean"].notna()].reset_index(drop=True)


def _percent(value: Any, factor: float) -> str:
    """A share or percentage as "62%", or a dash when missing."""
    return "–" if value is None or pd.isna(value) else f"{float(value) * factor:.0f}%"


def dumbbell_chart(
    comparisons: pd.DataFrame, *, waves: Sequence[str], use_holm: bool | str, title: str
) -> alt.Chart | alt.LayerChart:
    """Mean agreement per statement at two waves, with 95% CIs and significance stars.

    Parameters
    ----------
    comparisons : pd.DataFrame
        Output of the wave comparison, one row per statement (filter to one role first), in the
        order the rows should appear.
    waves : sequence of str
        Full ordered wave list, for fixed wave colours and shapes.
    use_holm : bool or "bh"
        Star rows by ``significant_holm`` instead of ``significant`` ("bh": by
        ``significant_bh``).
    title : str
        The finding, e.g. "Every professional statement improved by +3 years".

    Returns
    -------
    alt.LayerChart
    """
    frames = dumbbell_frames(comparisons, use_holm=use_holm)
    order = frames["dumbbell_rows"]["label"].tolist()
    has_ci = _has_intervals(frames["dumbbell_rows"])
    return _dumbbell_layout(
        frames, order=order, waves=waves, use_holm=use_holm, title=title, has_ci=has_ci
    )


def _has_intervals(rows: pd.DataFrame) -> bool:
    """Whether any row carries a confidence interval for a mean."""
    return any(
        not math.isnan(v) for c in ("lo_a", "hi_a", "lo_b", "hi_b") for v in rows[c].tolist()
    )


def dumbbell_frames(comparisons: pd.DataFrame, *, use_holm: bool | str) -> dict[str, pd.DataFrame]:
    """The data of :func:`dumbbell_chart`: one row per statement, and the dots of each wave."""
    rows = _dumbbell_rows(comparisons, use_holm)
    return {
        "dumbbell_rows": rows,
        "dumbbell_a": _dumbbell_points(rows, "a"),
        "dumbbell_b": _dumbbell_points(rows, "b"),
    }


def _dumbbell_layout(
    frames: Mapping[str, pd.DataFrame | alt.NamedData],
    *,
    order: Sequence[str],
    waves: Sequence[str],
    use_holm: bool | str,
    title: str,
    has_ci: bool,
) -> alt.LayerChart:
    """The dumbbell chart drawn from ``frames`` (DataFrames, or named datasets)."""
    order = list(order)
    y = alt.Y("label:N", sort=order, axis=_statement_axis(), scale=alt.Scale(domain=order))
    x_scale = alt.Scale(domain=[1, 4], nice=False, zero=False)
    x_axis = alt.Axis(
        title="Mean agreement (1 = strongly disagree, 4 = agree strongly)",
        values=[1, 2, 3, 4],
        labelExpr=_LIKERT_AXIS_EXPR,
        labelFlush=True,
        grid=True,
    )

    neutral = alt.Chart(pd.DataFrame({"x": [NEUTRAL_MIDPOINT]}))
    neutral_rule = neutral.mark_rule(color=REFERENCE_GREY, strokeDash=[4, 3]).encode(
        x=alt.X("x:Q", scale=x_scale, axis=x_axis)
    )
    neutral_text = neutral.mark_text(
        text="neutral (2.5)", baseline="bottom", dy=-4, fontSize=11, color=REFERENCE_GREY
    ).encode(x="x:Q", y=alt.value(0))

    base = alt.Chart(frames["dumbbell_rows"])
    connector = (
        base.transform_filter("isValid(datum.mean_a) && isValid(datum.mean_b)")
        .mark_rule(color="#9E9E9E", strokeWidth=2, yOffset=-5, y2Offset=5)
        .encode(x="mean_a:Q", x2="mean_b:Q", y=y, y2=alt.Y2("label:N"))
    )

    tooltip = [
        alt.Tooltip("statement:N", title="Statement"),
        alt.Tooltip("wave:N", title="Wave"),
        alt.Tooltip("mean:Q", title="Mean", format=".2f"),
        alt.Tooltip("ci:N", title="95% CI"),
        alt.Tooltip("n:Q", title="n", format="d"),
        alt.Tooltip("pct_agree:N", title="% agree"),
        alt.Tooltip("p:N", title="p (Mann-Whitney U)"),
        alt.Tooltip(
            "p_adj:N", title="p (BH-adjusted)" if use_holm == "bh" else "p (Holm-adjusted)"
        ),
    ]
    colour = alt.Color(
        "wave:N", scale=wave_scale(waves), legend=alt.Legend(title="Survey wave", orient="top")
    )
    shape = alt.Shape(
        "wave:N", scale=wave_shape_scale(waves), legend=alt.Legend(title="Survey wave")
    )
    # Whiskers only where the rows have intervals (the survey comparison gives none for
    # means): an empty rule layer is an unlabelled image to a screen reader.
    if not has_ci:
        tooltip = [t for t in tooltip if t.title != "95% CI"]
    layers: list[alt.Chart] = [neutral_rule, neutral_text, connector]
    for side, offset in (("a", -5), ("b", 5)):
        points = alt.Chart(frames[f"dumbbell_{side}"])
        if has_ci:
            whisker = points.mark_rule(strokeWidth=1.5, yOffset=offset, y2Offset=offset).encode(
                x="ci_lo:Q", x2="ci_hi:Q", y=y, color=colour
            )
            layers.append(whisker)
        dots = points.mark_point(
            filled=True, size=90, opacity=1, yOffset=offset, stroke="white", strokeWidth=0.8
        ).encode(x="mean:Q", y=y, color=colour, shape=shape, tooltip=tooltip)
        layers.append(dots)

    marker_text = "★ adj. p<0.05" if use_holm else "★ p<0.05"
    stars = (
        base.transform_filter("datum.significant")
        .mark_text(text=marker_text, align="left", dx=8, fontWeight="bold", fontSize=12)
        .encode(x=alt.value("width"), y=y, color=alt.value(DARK_TEXT))
    )
    suppressed = (
        base.transform_filter("datum.suppressed != ''")
        .mark_text(align="left", dx=4, fontStyle="italic", color=REFERENCE_GREY)
        .encode(
            x=alt.datum(1),
            y=y,
            text=alt.Text("suppressed:N"),
            tooltip=[
                alt.Tooltip("statement:N", title="Statement"),
                alt.Tooltip("suppressed:N", title="Not shown"),
            ],
        )
    )
    layers += [stars, suppressed]

    adjust = (
        "p Benjamini-Hochberg-adjusted across statements and roles"
        if use_holm == "bh"
        else "p Holm-adjusted for multiple comparisons"
        if use_holm
        else "p not adjusted"
    )
    subtitle = [
        "Dots: mean agreement at each wave; whiskers: 95% confidence interval."
        if has_ci
        else "Dots: mean agreement at each wave (a description; the table gives % agree "
        "with 95% intervals).",
        f"★ = significant change at the 95% level ({SIGNIFICANCE_TEST}; {adjust}).",
    ]
    return (
        alt.layer(*layers)
        .resolve_scale(color="shared", shape="shared")
        .properties(
            title=_title(title, subtitle),
            width="container",
            autosize=FIT_WIDTH,
            height=alt.Step(row_step(order)),
        )
    )


def _likert_segments(
    shares: pd.DataFrame, waves: Sequence[str], *, group: str | None = None
) -> pd.DataFrame:
    """Start/end (in %) of each answer level, disagree levels left of 0 and agree right.

    One row per statement, wave and level 1-4, statements in input order, then waves in
    ``waves`` order (others after), then level. With ``group`` (a column such as the job
    role), the rows of every group at once, each group's in that order, and a :data:`GROUP`
    column. Plain Python over the rows: a few hundred rows, where pandas' grouping of text
    keys cost far more than the arithmetic.
    """
    columns = [shares[c].tolist() for c in ("statement", "wave", "score", "n", "share", "n_total")]
    keys = shares[group].tolist() if group is not None else [None] * len(shares)
    first: dict[tuple, int] = {}  # (group, statement) -> order of first appearance
    cells: dict[tuple, list] = {}  # (group, statement, wave) -> [shares, counts, n_total]
    for key, statement, wave, score, n, share, n_total in zip(keys, *columns, strict=True):
        first.setdefault((key, statement), len(first))
        cell = cells.setdefault((key, statement, wave), [[0.0] * 4, [0] * 4, 0])
        level = int(score) - 1
        if 0 <= level < 4:
            cell[0][level] += 0.0 if pd.isna(share) else float(share)
            cell[1][level] += 0 if pd.isna(n) else int(n)
        if not pd.isna(n_total):
            cell[2] = max(cell[2], int(n_total))
    wave_rank = {w: i for i, w in enumerate(waves)}
    ordered = sorted(cells, key=lambda k: (first[k[0], k[1]], wave_rank.get(k[2], len(wave_rank))))
    out: dict[str, list] = {name: [] for name in _SEGMENT_COLUMNS}
    for key, statement, wave in ordered:
        share, count, n_total = cells[key, statement, wave]
        pct = [100 * v for v in share]
        starts = [-(pct[0] + pct[1]), -pct[1], 0.0, pct[2]]
        for level in range(4):
            out["statement"].append(statement)
            out["label"].append(_wrapped(statement))
            out["wave"].append(wave)
            out["score"].append(level + 1)
            out["level"].append(SCALE_LABELS[level + 1])
            out["x_start"].append(float(starts[level]))
            out["x_end"].append(float(starts[level] + pct[level]))
            out["percent"].append(float(pct[level]))
            out["n"].append(count[level])
            out["n_total"].append(n_total)
            out["text_colour"].append(LIKERT_TEXT_COLOURS[level + 1])
            out["pct_agree"].append(float(pct[2] + pct[3]))
            out["pct_disagree"].append(float(pct[0] + pct[1]))
            out[GROUP].append(key)
    frame = pd.DataFrame(out)
    frame["score"] = frame["score"].astype(int)
    frame["n"] = frame["n"].astype(int)
    frame["n_total"] = frame["n_total"].astype(int)
    return frame if group is not None else frame.drop(columns=GROUP)


_SEGMENT_COLUMNS = (
    "statement",
    "label",
    "wave",
    "score",
    "level",
    "x_start",
    "x_end",
    "percent",
    "n",
    "n_total",
    "text_colour",
    "pct_agree",
    "pct_disagree",
    GROUP,
)


def diverging_bars(shares: pd.DataFrame, *, waves: Sequence[str], title: str) -> alt.LayerChart:
    """Diverging stacked bars of the four answer levels, centred on the neutral point.

    Parameters
    ----------
    shares : pd.DataFrame
        Columns statement, wave, score (1-4), n, share (0-1), n_total (domain and role are
        ignored: filter to one role first). Statements keep their input order.
    waves : sequence of str
        Full ordered wave list; each statement gets one bar per wave present, in this order.
    title : str
        The finding.

    Returns
    -------
    alt.LayerChart
    """
    frames = diverging_frames(shares, waves=waves)
    return _diverging_layout(frames, **_diverging_axes(frames, waves), title=title)


def diverging_frames(shares: pd.DataFrame, *, waves: Sequence[str]) -> dict[str, pd.DataFrame]:
    """The data of :func:`diverging_bars`: one row per statement, wave and answer level."""
    return {"likert_segments": _likert_segments(shares, waves)}


def _diverging_axes(frames: Mapping[str, pd.DataFrame], waves: Sequence[str]) -> dict:
    """The statement order and the waves present, which fix the chart's y scales."""
    segments = frames["likert_segments"]
    present = [w for w in waves if w in set(segments["wave"])]
    present += [w for w in dict.fromkeys(segments["wave"]) if w not in present]
    return {"order": list(dict.fromkeys(segments["label"])), "present": present}


def _diverging_layout(
    frames: Mapping[str, pd.DataFrame | alt.NamedData],
    *,
    order: Sequence[str],
    present: Sequence[str],
    title: str,
) -> alt.LayerChart:
    """The diverging bars drawn from ``frames`` (DataFrames, or named datasets)."""
    order, present = list(order), list(present)
    y = alt.Y("label:N", sort=order, scale=alt.Scale(domain=order), axis=_statement_axis())
    y_offset = alt.YOffset(
        "wave:N", sort=present, scale=alt.Scale(domain=present, paddingInner=0.15)
    )
    x = alt.X(
        "x_start:Q",
        scale=alt.Scale(domain=[-100, 100], nice=False),
        axis=alt.Axis(
            title="% of answers (disagree to the left, agree to the right)",
            values=[-100, -75, -50, -25, 0, 25, 50, 75, 100],
            labelExpr="abs(datum.value) + '%'",
        ),
    )
    tooltip = [
        alt.Tooltip("statement:N", title="Statement"),
        alt.Tooltip("wave:N", title="Wave"),
        alt.Tooltip("level:N", title="Answer"),
        alt.Tooltip("percent:Q", title="% of answers", format=".1f"),
        alt.Tooltip("n:Q", title="Answers", format="d"),
        alt.Tooltip("n_total:Q", title="n (all answers)", format="d"),
    ]
    base = alt.Chart(frames["likert_segments"])
    bars = base.mark_bar().encode(
        x=x,
        x2="x_end:Q",
        y=y,
        yOffset=y_offset,
        color=alt.Color(
            "level:N",
            scale=alt.Scale(
                domain=[SCALE_LABELS[k] for k in range(1, 5)],
                range=[LIKERT_COLOURS[k] for k in range(1, 5)],
            ),
            legend=alt.Legend(title="Answer", orient="top"),
        ),
        tooltip=tooltip,
    )
    inside = (
        base.transform_filter("datum.percent >= 10")
        .transform_calculate(mid="(datum.x_start + datum.x_end) / 2")
        .mark_text(fontSize=10)
        .encode(
            x="mid:Q",
            y=y,
            yOffset=y_offset,
            text=alt.Text("percent:Q", format=".0f"),
            color=alt.Color("text_colour:N", scale=None),
            tooltip=tooltip,
        )
    )
    per_bar = base.transform_filter("datum.score == 4")
    agree = (
        per_bar.mark_text(align="left", dx=4, fontSize=11, color=DARK_TEXT)
        .encode(
            x="x_end:Q",
            y=y,
            yOffset=y_offset,
            text=alt.Text("agree_text:N"),
        )
        .transform_calculate(agree_text="format(datum.pct_agree, '.0f') + '% agree'")
    )
    wave_text = (
        base.transform_filter("datum.score == 1")
        .mark_text(align="right", dx=-4, fontSize=10, color="#404040")
        .encode(x="x_start:Q", y=y, yOffset=y_offset, text="wave:N")
    )
    centre = alt.Chart(pd.DataFrame({"x": [0]})).mark_rule(color=DARK_TEXT).encode(x="x:Q")
    chart = alt.layer(bars, inside, centre, agree, wave_text)
    return chart.resolve_scale(color="independent").properties(
        title=_title(
            title,
            "Share of answers at each level; the line at 0 is the neutral point. "
            "Numbers inside bars are % of answers.",
        ),
        width="container",
        autosize=FIT_WIDTH,
        height=alt.Step(row_step(order, bars=len(present))),  # per wave bar (y offset band)
    )


def _heatmap_fill(value: float, kind: str) -> str:
    """The fill Vega draws for ``value`` (piecewise-linear RGB, clamped) as ``#RRGGBB``."""
    low, mid, high = _HEATMAP_DOMAINS[kind]
    colours = [LIKERT_COLOURS[1], HEATMAP_MID, LIKERT_COLOURS[4]]
    v = min(max(value, low), high)
    if v <= mid:
        t, c0, c1 = (v - low) / (mid - low), colours[0], colours[1]
    else:
        t, c0, c1 = (v - mid) / (high - mid), colours[1], colours[2]
    rgb0 = [int(c0[i : i + 2], 16) for i in (1, 3, 5)]
    rgb1 = [int(c1[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(a + (b - a) * t):02X}" for a, b in zip(rgb0, rgb1, strict=True))


_HEATMAP_DOMAINS: dict[str, tuple[float, float, float]] = {
    "mean": (1.0, NEUTRAL_MIDPOINT, 4.0),
    "diff": (-1.0, 0.0, 1.0),  # fixed so a change of 0.5 looks the same on every page
}


def _heatmap_cells(
    comparisons: pd.DataFrame, value: str, roles: Sequence[str], min_group: int
) -> pd.DataFrame:
    """One row per (statement, role) cell: number or suppression text, fill and text colour.

    Plain Python over the rows (a few dozen cells): pandas' per-column overhead was most of
    the cost of a page's three heatmaps.
    """
    kind = "diff" if value == "diff" else "mean"
    wanted = set(roles)
    keep = [r in wanted for r in comparisons["role"].tolist()]
    data = comparisons.loc[keep]  # (a plain [] would read an empty list as no columns)
    names = ("statement", "role", value, "suppressed", "n_a", "n_b")
    rows = list(zip(*(data[c].tolist() for c in names), strict=True))
    spec = "+.2f" if kind == "diff" else ".1f"
    cells: dict[str, list] = {name: [] for name in _CELL_COLUMNS}
    best: dict[str, list] = {}  # role -> [max n_a, max n_b] over its shown cells
    for statement, role, number, suppressed, n_a, n_b in rows:
        number = _as_float(number)
        hide = math.isnan(number) or _is_suppressed(suppressed)
        # round(...) + 0.0 turns -0.001 into +0.00 rather than -0.00.
        text = (
            f"fewer than {min_group}\nresponses" if hide else format(round(number, 2) + 0.0, spec)
        )
        fill = SUPPRESSED_FILL if hide else _heatmap_fill(number, kind)
        if not hide:
            top = best.setdefault(role, [math.nan, math.nan])
            for i, n in enumerate((_as_float(n_a), _as_float(n_b))):
                top[i] = n if math.isnan(top[i]) else max(top[i], n)
        cells["statement"].append(statement)
        cells["label"].append(_wrapped(statement))
        cells["role"].append(role)
        cells["shown"].append(math.nan if hide else number)
        cells["status"].append("suppressed" if hide else "shown")
        cells["cell_text"].append(text)
        cells["fill"].append(fill)
        cells["text_colour"].append(text_colour_on(fill))
        cells["value_text"].append(text.replace("\n", " "))
        cells["n_a"].append(_n_text(n_a, hide))
        cells["n_b"].append(_n_text(n_b, hide))
    columns = _role_columns(best, roles)
    cells["role_label"] = [columns[r] for r in cells["role"]]
    frame = pd.DataFrame(cells)
    frame["shown"] = frame["shown"].astype(float)
    return frame


_CELL_COLUMNS = (
    "statement",
    "label",
    "role",
    "role_label",
    "shown",
    "status",
    "cell_text",
    "fill",
    "text_colour",
    "value_text",
    "n_a",
    "n_b",
)


def _as_float(value: Any) -> float:
    """A number as a float; NaN for None, NA and anything that is not a number."""
    try:
        return math.nan if value is None or pd.isna(value) else float(value)
    except (TypeError, ValueError):
        return math.nan


def _n_text(value: Any, hide: bool) -> str:
    """Answers in a cell as text; a hidden cell's n is not shown either (it would tell)."""
    n = _as_float(value)
    return "not shown" if hide or math.isnan(n) else f"{int(n)}"


def _role_columns(best: Mapping[str, list], roles: Sequence[str]) -> dict[str, str]:
    """Each role's column label: its name wrapped, then "n = 9, 12" (answers at each wave).

    The n is the most answered statement's count in each wave; a hidden role's reads "n not
    shown", so the label never gives away the size of a small group.
    """
    labels = {}
    for role in roles:
        n_a, n_b = best.get(role, [math.nan, math.nan])
        counts = (
            "n not shown" if math.isnan(n_a) or math.isnan(n_b) else f"n = {int(n_a)}, {int(n_b)}"
        )
        labels[role] = f"{_wrapped(role, 14)}\n{counts}"
    return labels


def _heatmap_value_title(comparisons: pd.DataFrame, value: str) -> str:
    if value == "diff":
        return "Change in mean"
    waves = comparisons["wave_a" if value == "mean_a" else "wave_b"].dropna().unique()
    return f"Mean at {waves[0]}" if len(waves) == 1 else "Mean agreement"


def _wave_names(comparisons: pd.DataFrame) -> tuple[str, str]:
    """The earlier and later wave of the comparison ("earlier wave" when none is named)."""
    names = []
    for column, fallback in (("wave_a", "earlier wave"), ("wave_b", "later wave")):
        found = comparisons[column].dropna().unique() if column in comparisons else []
        names.append(str(found[0]) if len(found) == 1 else fallback)
    return names[0], names[1]


_MEAN_LEGEND_EXPR = (
    "datum.value == 1 ? '1 Strongly disagree' : datum.value == 4 ? '4 Agree strongly' : "
    "datum.value == 2.5 ? '2.5 neutral' : ''"
)


def role_heatmap(
    comparisons: pd.DataFrame, *, value: str, roles: Sequence[str], min_group: int, title: str
) -> alt.LayerChart:
    """Statements by job role, coloured and labelled by a mean or by the change.

    Parameters
    ----------
    comparisons : pd.DataFrame
        Wave comparisons with one row per (statement, role); rows keep their input order.
    value : {"mean_a", "mean_b", "diff"}
        What to show; means diverge around 2.5, the change around 0.
    roles : sequence of str
        Column order; other roles are left out. Each column is labelled with the role and
        its n at each wave ("n not shown" for a hidden role).
    min_group : int
        Disclosure threshold, named in the text of suppressed cells (which show no number).
    title : str
        The finding.

    Returns
    -------
    alt.LayerChart
    """
    return heatmap_parts(
        comparisons, value=value, roles=roles, min_group=min_group, title=title
    ).chart()


def heatmap_frames(
    comparisons: pd.DataFrame, *, value: str, roles: Sequence[str], min_group: int
) -> dict[str, pd.DataFrame]:
    """The data of :func:`role_heatmap`: one row per statement and role."""
    if value not in ("mean_a", "mean_b", "diff"):
        raise ValueError(f'value must be "mean_a", "mean_b" or "diff", not {value!r}')
    return {"heatmap_cells": _heatmap_cells(comparisons, value, roles, min_group)}


def heatmap_parts(
    comparisons: pd.DataFrame, *, value: str, roles: Sequence[str], min_group: int, title: str
) -> ChartParts:
    """:func:`role_heatmap` as its data and the shape of its layout (see :class:`ChartParts`)."""
    frames = heatmap_frames(comparisons, value=value, roles=roles, min_group=min_group)
    cells = frames["heatmap_cells"]
    columns = dict(zip(cells["role"], cells["role_label"], strict=True))
    shape = {
        "rows": tuple(dict.fromkeys(cells["label"])),
        "cols": tuple(columns.get(r, f"{_wrapped(r, 14)}\nn not shown") for r in roles),
        "kind": "diff" if value == "diff" else "mean",
        "value_title": _heatmap_value_title(comparisons, value),
        "waves": _wave_names(comparisons),
        "min_group": min_group,
        "title": title,
    }
    return ChartParts(_heatmap_layout, frames, tuple(shape.items()))


def _heatmap_layout(
    frames: Mapping[str, pd.DataFrame | alt.NamedData],
    *,
    rows: Sequence[str],
    cols: Sequence[str],
    kind: str,
    value_title: str,
    waves: tuple[str, str],
    min_group: int,
    title: str,
) -> alt.LayerChart:
    """The role heatmap drawn from ``frames`` (DataFrames, or named datasets)."""
    rows, cols = list(rows), list(cols)
    y = alt.Y("label:N", sort=rows, scale=alt.Scale(domain=rows), axis=_statement_axis())
    x = alt.X(
        "role_label:N",
        sort=cols,
        scale=alt.Scale(domain=cols),
        axis=alt.Axis(
            title="Job role",
            orient="top",
            labelAngle=0,
            labelExpr=_MULTILINE,
            labelPadding=_role_label_padding(cols),
            labelLineHeight=LINE_HEIGHT,
            domain=False,
            ticks=False,
            labelFontSize=11,
        ),
    )
    tooltip = [
        alt.Tooltip("statement:N", title="Statement"),
        alt.Tooltip("role:N", title="Role"),
        alt.Tooltip("value_text:N", title=value_title),
        alt.Tooltip("n_a:N", title=f"n ({waves[0]})"),
        alt.Tooltip("n_b:N", title=f"n ({waves[1]})"),
    ]
    low, mid, high = _HEATMAP_DOMAINS[kind]
    if kind == "mean":
        legend = alt.Legend(
            title=value_title,
            orient="top",
            gradientLength=260,
            values=[1, 2.5, 4],
            labelExpr=_MEAN_LEGEND_EXPR,
        )
    else:
        legend = alt.Legend(
            title=value_title,
            orient="top",
            gradientLength=260,
            values=[-1, -0.5, 0, 0.5, 1],
            format="+.1f",
        )
    base = alt.Chart(frames["heatmap_cells"])
    grey = (
        base.transform_filter("datum.status == 'suppressed'")
        .mark_rect(color=SUPPRESSED_FILL, stroke="white", strokeWidth=2)
        .encode(x=x, y=y, tooltip=tooltip)
    )
    scale = alt.Scale(
        domain=[low, mid, high],
        range=[LIKERT_COLOURS[1], HEATMAP_MID, LIKERT_COLOURS[4]],
        interpolate="rgb",  # the text colours are worked out for RGB interpolation
        clamp=True,
    )
    shown = (
        base.transform_filter("datum.status == 'shown'")
        .mark_rect(stroke="white", strokeWidth=2)
        .encode(x=x, y=y, color=alt.Color("shown:Q", scale=scale, legend=legend), tooltip=tooltip)
    )
    text = base.mark_text(lineBreak="\n", fontSize=11).encode(
        x=x,
        y=y,
        text=alt.Text("cell_text:N"),
        color=alt.Color("text_colour:N", scale=None),
        tooltip=tooltip,
    )
    subtitle = (
        "Mean agreement, 1 = strongly disagree to 4 = agree strongly; 2.5 is neutral."
        if kind == "mean"
        else "Change in mean agreement between waves (later minus earlier)."
    )
    subtitle += (
        f" Under each role: n = answers at {waves[0]}, {waves[1]}. Grey cells: fewer than "
        f"{min_group} responses."
    )
    # Independent colour: the text colours are literal values, not from the fill scale.
    return (
        alt.layer(grey, shown, text)
        .resolve_scale(color="independent")
        .properties(
            title=_title(title, subtitle),
            width="container",
            autosize=FIT_WIDTH,
            height=alt.Step(row_step(rows)),
        )
    )


def _role_label_padding(cols: Sequence[str]) -> int:
    """Extra lines of a wrapped role label grow downwards, so lift the first line."""
    return 4 + LINE_HEIGHT * (max(c.count("\n") for c in cols) if cols else 0)


@functools.lru_cache(maxsize=256)
def _heatmap_layout_dict(
    names: tuple[str, ...], *, rows: tuple[str, ...], cols: tuple[str, ...], **rest: Any
) -> dict:
    """:func:`_heatmap_layout`'s dict, without Altair for a new set of rows or columns.

    Only the statement and role axes (their order and domain, the role labels' padding and
    the row height) depend on ``rows`` and ``cols``, and a new site has new role labels (they
    carry its n). So Altair builds the layout once per title, measure and waves, with no
    rows or columns, and the axes are put in here. tests/test_charts.py checks the result
    equals Altair's own validated dict.
    """
    template = _layout_dict(_heatmap_layout, names, rows=(), cols=(), **rest)
    axes = {"x": list(cols), "y": list(rows)}

    def encoding(old: dict) -> dict:
        new = dict(old)
        for channel, values in axes.items():
            scale = {**old[channel]["scale"], "domain": values}
            new[channel] = {**old[channel], "sort": values, "scale": scale}
        new["x"]["axis"] = {**old["x"]["axis"], "labelPadding": _role_label_padding(cols)}
        return new

    spec = dict(template)  # shallow: the parts not replaced are the template's own
    spec["layer"] = [{**layer, "encoding": encoding(layer["encoding"])} for layer in spec["layer"]]
    spec["height"] = {"step": row_step(rows)}
    return spec


# --------------------------------------------------------------------------------------------
# Series charts
# --------------------------------------------------------------------------------------------


def _decimal_year(ts: pd.Timestamp) -> float:
    return ts.year + (ts.month - 1) / 12 + (ts.day - 1) / 365.25


def _when(starts: pd.Series, ends: pd.Series) -> list[str]:
    """ "Nov 2016 to Mar 2017", or "Nov 2015" for an event without an end date."""
    return [
        f"{s:%b %Y}" + ("" if pd.isna(e) or e == s else f" to {e:%b %Y}")
        for s, e in zip(starts, ends, strict=True)
    ]


def _events_frame(events: pd.DataFrame, year_axis: bool, above: bool = False) -> pd.DataFrame:
    data = pd.DataFrame(
        {
            "start": pd.to_datetime(events["event_date"]),
            "end": pd.to_datetime(events["end_date"]) if "end_date" in events else pd.NaT,
            "label": events["label"].astype(str),
            "kind": events["kind"].astype(str) if "kind" in events else "",
        }
    )
    data["when"] = list(events["when"]) if "when" in events else _when(data["start"], data["end"])
    data = data.sort_values("start", ignore_index=True)
    # Stagger labels over three lines so neighbouring events do not overwrite each other.
    rows = EVENT_LABEL_ROWS if above else (4, 18, 32)
    data["label_y"] = [rows[i % 3] for i in range(len(data))]
    if year_axis:
        data["start"] = [_decimal_year(t) for t in data["start"]]
        data["end"] = [math.nan if pd.isna(t) else _decimal_year(t) for t in data["end"]]
    return data


def month_axis(title: str = "Month") -> alt.Axis:
    """The x axis of every monthly chart: "Oct 2015" labels and no vertical grid."""
    return alt.Axis(title=title, format="%b %Y", labelOverlap=True, grid=False)


def whole_years_axis(years: Sequence[int], title: str = "Year") -> alt.Axis:
    """An axis of whole years, without a thousands separator ("2015", not "2,015")."""
    return alt.Axis(title=title, format="d", values=list(years), tickMinStep=1)


def event_rules(
    events: pd.DataFrame,
    *,
    year_axis: bool = False,
    axis: alt.Axis | None = None,
    above: bool = False,
) -> alt.LayerChart:
    """Labelled vertical rules for events, with a shaded band when an event has an end date.

    Parameters
    ----------
    events : pd.DataFrame
        Columns event_date, end_date (may be NaT), label, kind.
    year_axis : bool
        Place events on a quantitative year axis (2015.8 ...) instead of a time axis.
    axis : alt.Axis or None
        The x axis of the chart this layer is added to (layers merge their axes); by default
        :func:`month_axis`, or a plain "Year" axis when ``year_axis``.
    above : bool
        Put the labels in three rows above the plotting area (as the SPC chart does, so they
        never cover data or limits) instead of inside its top edge.

    Returns
    -------
    alt.LayerChart
        To be layered over a time chart, e.g. ``alt.layer(line, event_rules(events))``.
    """
    if axis is None:
        axis = alt.Axis(title="Year", format="d") if year_axis else month_axis()
    return _event_layer(_events_frame(events, year_axis, above), year_axis, axis, above)


def _event_layer(data: Any, year_axis: bool, axis: Any, above: bool) -> alt.LayerChart:
    """:func:`event_rules` drawn from its frame (a DataFrame or a named dataset)."""
    x_type = "Q" if year_axis else "T"
    # zero=False: a rect layer would otherwise stretch a year axis back to 0.
    x = alt.X(
        f"start:{x_type}",
        axis=axis,
        scale=alt.Scale(zero=False) if year_axis else alt.Undefined,
    )
    tooltip = [
        alt.Tooltip("label:N", title="Event"),
        alt.Tooltip("when:N", title="When"),
        alt.Tooltip("kind:N", title="Kind"),
    ]
    base = alt.Chart(data)
    band = (
        base.transform_filter("isValid(datum.end)")
        .mark_rect(color="#7F7F7F", opacity=0.12)
        .encode(x=x, x2="end", tooltip=tooltip)
    )
    # Solid, so events are not mistaken for the dashed process limits of an SPC chart.
    rule = base.mark_rule(color="#404040", strokeWidth=1).encode(x=x, tooltip=tooltip)
    baseline = "bottom" if above else "top"
    text = base.mark_text(
        align="left", baseline=baseline, dx=3, fontSize=11, color="#262626"
    ).encode(x=x, y=alt.Y("label_y:Q", scale=None, axis=None), text="label:N", tooltip=tooltip)
    return alt.layer(band, rule, text)


def stack_legends(spec: dict) -> dict:
    """A chart's Vega-Lite dict with its bottom legends stacked one below another.

    Vega lays legends that share a side in a row, which runs off a phone's screen when a
    chart has three (the SPC chart's point types, reference lines and ITS lines). Vega's
    ``config.legend.layout`` stacks them; Vega-Lite passes it through, but Altair's schema
    types it as an expression, so it is set on the dict (the page draws the dict).
    """
    config = spec.setdefault("config", {})
    legend = config.setdefault("legend", {})
    legend["layout"] = {"bottom": {"direction": "vertical", "anchor": "start", "margin": 8}}
    return spec


def _line_legend(title: str) -> alt.Legend:
    """Legend whose symbols are short line samples, so dash patterns can be told apart."""
    return alt.Legend(
        title=title,
        orient="bottom",
        direction="vertical",
        symbolType="stroke",
        symbolSize=500,
        symbolStrokeWidth=2,
        labelLimit=320,
    )


def _rules_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return ", ".join(part.strip() for part in value.split(",") if part.strip())
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return ", ".join(str(v) for v in value)


def _limit_lines(segments: pd.DataFrame) -> pd.DataFrame:
    """Segments -> one row per horizontal reference line (mean, upper, lower)."""
    records = []
    for seg in segments.to_dict("records"):
        limit_style = (
            "Trial process limits" if _is_true(seg.get("trial_limits")) else "Process limits"
        )
        start, end = pd.Timestamp(seg["start"]), pd.Timestamp(seg["end"])
        for name, column, style in (
            ("Mean", "mean", "Mean"),
            ("Upper process limit", "upper", limit_style),
            ("Lower process limit", "lower", limit_style),
        ):
            level = seg.get(column)
            if level is None or pd.isna(level):
                continue
            records.append(
                {
                    "start": start,
                    "end": end,
                    "line": name,
                    "style": style,
                    "level": float(level),
                    "n": seg.get("n"),
                    "period": f"{start:%b %Y} to {end:%b %Y}",
                }
            )
    return pd.DataFrame(records, columns=["start", "end", "line", "style", "level", "n", "period"])


def _target_line(target: float, months: pd.Series) -> pd.DataFrame:
    first, last = months.min(), months.max()
    return pd.DataFrame(
        [
            {
                "start": first,
                "end": last,
                "line": "Target",
                "style": "Target",
                "level": float(target),
                "n": len(months),
                "period": f"{first:%b %Y} to {last:%b %Y}",
            }
        ]
    )


def _its_frame(its: dict[str, Any]) -> pd.DataFrame:
    """The three interrupted-time-series lines in long form; lengths must match their months."""
    parts = [
        ("Fitted trend before", its["months_pre"], its["fitted_pre"]),
        ("Projection without change (counterfactual)", its["months_post"], its["counterfactual"]),
        ("Fitted trend after", its["months_post"], its["fitted_post"]),
    ]
    for name, months, values in parts:
        if len(list(months)) != len(list(values)):
            raise ValueError(
                f"The interrupted time series line {name!r} has {len(list(values))} values "
                f"for {len(list(months))} months; pass one value per month."
            )
    frames = [
        pd.DataFrame(
            {"month": pd.to_datetime(list(months)), "fitted": list(values), "series": name}
        )
        for name, months, values in parts
    ]
    return pd.concat(frames, ignore_index=True)


def _events_between(events: pd.DataFrame, first: pd.Timestamp, last: pd.Timestamp) -> pd.DataFrame:
    """Events that overlap the months shown, bands clipped to them, so the axis keeps its span."""
    start = pd.to_datetime(events["event_date"])
    end = pd.to_datetime(events["end_date"]) if "end_date" in events else start
    inside = (start <= last) & (end.fillna(start) >= first)
    kept = events[inside].copy()
    kept["when"] = _when(start[inside], end[inside])  # the tooltip keeps the real dates
    kept["event_date"] = start[inside].clip(lower=first)
    if "end_date" in kept:
        kept["end_date"] = end[inside].clip(upper=last)
    return kept


def spc_chart(
    points: pd.DataFrame,
    segments: pd.DataFrame,
    *,
    events: pd.DataFrame | None,
    unit: str,
    title: str,
    its: dict[str, Any] | None = None,
    target: float | None = None,
) -> alt.LayerChart:
    """XmR (individuals) chart with NHS "Making Data Count" point colours and shapes.

    Parameters
    ----------
    points : pd.DataFrame
        Columns month, value, segment, special_cause, rules, point_type.
    segments : pd.DataFrame
        Columns start, end, n, mean, lower, upper, trial_limits (others ignored); one mean and
        one pair of limits is drawn per segment.
    events : pd.DataFrame or None
        Annotations, see :func:`event_rules`.
    unit : str
        What a value counts, in words; used as y-axis title, e.g. "Referrals per month".
    title : str
        The finding of the whole chart (e.g. from :func:`rpgdash.mdc_icons.spc_finding`).
    its : dict or None
        Interrupted time series fit: months_pre, fitted_pre, months_post, fitted_post,
        counterfactual.
    target : float or None
        Drawn as a red dash-dot line across the whole chart when given.

    Event labels sit above the plotting area, so they never cover data or limits.

    Returns
    -------
    alt.LayerChart
    """
    return spc_parts(
        points, segments, events=events, unit=unit, title=title, its=its, target=target
    ).chart()


def spc_parts(
    points: pd.DataFrame,
    segments: pd.DataFrame,
    *,
    events: pd.DataFrame | None,
    unit: str,
    title: str,
    its: dict[str, Any] | None = None,
    target: float | None = None,
) -> SpecParts:
    """:func:`spc_chart` as :class:`~rpgdash.chartspec.SpecParts` (the board report draws
    its ``spec()``, built without Altair per chart)."""
    data = pd.DataFrame(
        {
            "month": pd.to_datetime(points["month"]),
            "value": pd.to_numeric(points["value"], errors="coerce"),
            "point_type": points["point_type"].astype(str),
        }
    )
    data["type_label"] = data["point_type"].map(POINT_TYPE_LABELS).fillna("Common cause")
    data["rules_fired"] = [_rules_text(r) or "none" for r in points["rules"]]
    limits = _limit_lines(segments)
    if target is not None:
        limits = pd.concat([limits, _target_line(target, data["month"])], ignore_index=True)
    frames = {"spc_points": data, "spc_limits": limits}
    if events is not None and len(events):
        shown = _events_between(events, data["month"].min(), data["month"].max())
        if len(shown):
            frames["spc_events"] = _events_frame(shown, False, True)
    if its is not None:
        frames["spc_its"] = _its_frame(its)
    subtitle = (
        "XmR chart: solid line = mean, dashed = process limits (dotted = trial limits), "
        "per period"
        + ("; red dash-dot = target" if target is not None else "")
        + ". Marker colour and shape show the point type."
    )
    values = {
        "unit": unit,
        "title": _title(title, subtitle, narrow=True),
        "point_types": [POINT_TYPE_LABELS[t] for t in POINT_TYPES if t in set(data["point_type"])],
    }
    return SpecParts(_spc_layout, frames, values, (("has_target", target is not None),))


def _spc_layout(
    frames: Mapping[str, Any], values: Mapping[str, Any], *, has_target: bool
) -> alt.LayerChart:
    """The SPC chart from :func:`spc_parts`' frames and values."""
    unit = values["unit"]
    x = alt.X("month:T", axis=month_axis())
    y = alt.Y("value:Q", title=unit, scale=alt.Scale(zero=False))
    labels = [POINT_TYPE_LABELS[t] for t in POINT_TYPES]
    legend = alt.Legend(
        title="Point type",
        orient="bottom",
        direction="vertical",
        values=values["point_types"],
        labelLimit=320,
    )
    base = alt.Chart(frames["spc_points"])
    line = base.mark_line(color="#7F7F7F", strokeWidth=1.5).encode(x=x, y=y)
    dots = base.mark_point(filled=True, size=70, strokeWidth=1.5, opacity=1).encode(
        x=x,
        y=y,
        fill=alt.Fill(
            "type_label:N",
            scale=alt.Scale(domain=labels, range=[SPC_FILL_COLOURS[t] for t in POINT_TYPES]),
            legend=legend,
        ),
        stroke=alt.Stroke(
            "type_label:N",
            scale=alt.Scale(domain=labels, range=[SPC_STROKE_COLOURS[t] for t in POINT_TYPES]),
            legend=legend,
        ),
        shape=alt.Shape(
            "type_label:N",
            scale=alt.Scale(domain=labels, range=[SPC_SHAPES[t] for t in POINT_TYPES]),
            legend=legend,
        ),
        tooltip=[
            alt.Tooltip("month:T", title="Month", format="%b %Y"),
            alt.Tooltip("value:Q", title=unit, format=",.4~f"),
            alt.Tooltip("type_label:N", title="Point type"),
            alt.Tooltip("rules_fired:N", title="Rules fired"),
        ],
    )
    styles = [s for s in LIMIT_STYLES if s != "Target" or has_target]
    reference = (
        alt.Chart(frames["spc_limits"])
        .mark_rule(strokeWidth=1.5)
        .encode(
            x=alt.X("start:T", axis=month_axis()),
            x2="end:T",
            y=alt.Y("level:Q", title=unit),
            color=alt.Color(
                "style:N",
                scale=alt.Scale(domain=styles, range=[LIMIT_STYLES[s][0] for s in styles]),
                legend=_line_legend("Reference lines"),
            ),
            strokeDash=alt.StrokeDash(
                "style:N",
                scale=alt.Scale(domain=styles, range=[LIMIT_STYLES[s][1] for s in styles]),
                legend=_line_legend("Reference lines"),
            ),
            tooltip=[
                alt.Tooltip("line:N", title="Line"),
                alt.Tooltip("level:Q", title=unit, format=",.2f"),
                alt.Tooltip("period:N", title="Period"),
                alt.Tooltip("n:Q", title="Months in period", format="d"),
            ],
        )
    )
    layers: list[alt.Chart | alt.LayerChart] = []
    if "spc_events" in frames:
        layers.append(_event_layer(frames["spc_events"], False, month_axis(), True))
    layers += [reference, line]
    if "spc_its" in frames:
        series = list(ITS_STYLES)
        layers.append(
            alt.Chart(frames["spc_its"])
            .mark_line(strokeWidth=2.5)
            .encode(
                x=alt.X("month:T", axis=month_axis()),
                y=alt.Y("fitted:Q", title=unit),
                color=alt.Color(
                    "series:N",
                    scale=alt.Scale(domain=series, range=[ITS_STYLES[s][0] for s in series]),
                    legend=_line_legend("Interrupted time series"),
                ),
                strokeDash=alt.StrokeDash(
                    "series:N",
                    scale=alt.Scale(domain=series, range=[ITS_STYLES[s][1] for s in series]),
                    legend=_line_legend("Interrupted time series"),
                ),
                tooltip=[
                    alt.Tooltip("series:N", title="Line"),
                    alt.Tooltip("month:T", title="Month", format="%b %Y"),
                    alt.Tooltip("fitted:Q", title=unit, format=",.2f"),
                ],
            )
        )
    layers.append(dots)
    # One alt.layer call with every property: each .resolve_scale() or .properties() on a
    # layer chart deep-copies all its layers.
    return alt.layer(
        *layers,
        resolve=alt.Resolve(
            scale=alt.ScaleResolveMap(color="independent", strokeDash="independent")
        ),
        title=values["title"],
        width="container",
        autosize=FIT_WIDTH,
        height=320,
    )


def level_change_scan_chart(
    scan: Sequence[dict[str, Any]], *, chosen: str | None, unit: str, title: str
) -> alt.LayerChart:
    """The interrupted time series' level change at every candidate month, with 95% intervals.

    Parameters
    ----------
    scan : sequence of dict
        ``its["sensitivity"]`` rows: month ("YYYY-MM"), level_change, level_ci ([lo, hi],
        entries may be None).
    chosen : str or None
        The change point used ("YYYY-MM"); drawn as a larger black diamond.
    unit : str
        What a value counts, for the axis title.
    title : str
        The finding, e.g. whether the chosen month stands out.
    """
    data = pd.DataFrame(
        {
            "month": pd.to_datetime([f"{r['month']}-01" for r in scan]),
            "level_change": [r["level_change"] for r in scan],
            "lo": [r["level_ci"][0] for r in scan],
            "hi": [r["level_ci"][1] for r in scan],
        }
    )
    data["which"] = [
        "Chosen change point" if r["month"] == chosen else "Other months" for r in scan
    ]
    x = alt.X("month:T", axis=month_axis("Change point tried"))
    y = alt.Y("level_change:Q", title=f"Level change ({unit})")
    base = alt.Chart(data)
    which = alt.Scale(domain=["Other months", "Chosen change point"])
    bars = base.mark_rule(color="#8C8C8C").encode(x=x, y="lo:Q", y2="hi:Q")
    dots = base.mark_point(filled=True, opacity=1).encode(
        x=x,
        y=y,
        color=alt.Color(
            "which:N",
            scale=alt.Scale(domain=which.domain, range=["#8C8C8C", "#000000"]),
            legend=alt.Legend(title=None, orient="bottom"),
        ),
        shape=alt.Shape(
            "which:N", scale=alt.Scale(domain=which.domain, range=["circle", "diamond"])
        ),
        size=alt.Size("which:N", scale=alt.Scale(domain=which.domain, range=[30, 120])),
        tooltip=[
            alt.Tooltip("month:T", title="Change point", format="%b %Y"),
            alt.Tooltip("level_change:Q", title="Level change", format=",.2f"),
            alt.Tooltip("lo:Q", title="95% CI from", format=",.2f"),
            alt.Tooltip("hi:Q", title="95% CI to", format=",.2f"),
        ],
    )
    zero = alt.Chart(pd.DataFrame({"zero": [0.0]})).mark_rule(color="#404040").encode(y="zero:Q")
    subtitle = "Each point refits the interrupted time series with the change at that month."
    return alt.layer(zero, bars, dots).properties(
        title=_title(title, subtitle, narrow=True),
        width="container",
        autosize=FIT_WIDTH,
        height=180,
    )


_SITE_KIND_ORDER = {"local_authority": 0, "region": 1, "national": 2}
_COMPARISON_GREYS = ("#595959", "#8C8C8C", "#404040", "#A6A6A6")
_COMPARISON_DASHES = ([6, 3], [2, 2], [8, 3, 2, 3], [4, 4])


def _workforce_series(df: pd.DataFrame) -> tuple[list[str], list[str], list[list[int]]]:
    """Series names (local authority first) with their colours and dash patterns."""
    sites = df[["site", "kind"]].drop_duplicates()
    sites = sites.assign(rank=sites["kind"].map(_SITE_KIND_ORDER).fillna(3)).sort_values(
        "rank", kind="stable"
    )
    names, colours, dashes = [], [], []
    comparison = 0
    la = 0
    for site, kind in zip(sites["site"], sites["kind"], strict=True):
        names.append(str(site))
        if kind == "local_authority":
            colours.append(WAVE_COLOURS[la % len(WAVE_COLOURS)])
            dashes.append([1, 0])
            la += 1
        else:
            colours.append(_COMPARISON_GREYS[comparison % len(_COMPARISON_GREYS)])
            dashes.append(_COMPARISON_DASHES[comparison % len(_COMPARISON_DASHES)])
            comparison += 1
    return names, colours, dashes


def _workforce_frame(df: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The workforce rows with label texts, and the series and years the encoding needs."""
    data = df.copy()
    data["year"] = data["year"].astype(int)
    data["value_text"] = [f"{v:.1f}".removesuffix(".0") + "%" for v in data["value"]]
    # Label a local authority point below it when a comparison line runs above it.
    # (not when the point is near the bottom of its panel, where the label would hit the axis).
    highest = data.groupby(["measure", "year"])["value"].transform("max")
    panel_top = data.groupby("measure")["value"].transform("max")
    data["label_below"] = (data["value"] < highest) & (data["value"] > 0.2 * panel_top)
    names, colours, dashes = _workforce_series(data)
    years = sorted(data["year"].unique().tolist())
    values = {
        "x_axis": whole_years_axis(years),
        "x_domain": [years[0] - 0.3, years[-1] + 0.3],
        "names": names,
        "colours": colours,
        "dashes": dashes,
    }
    return data, values


def _workforce_encoding(values: Mapping[str, Any], *, legend: bool = True) -> dict[str, Any]:
    """The x, colour and dash encoding every workforce panel shares."""
    shown = (
        alt.Legend(
            title="Series", orient="top", symbolType="stroke", symbolSize=500, symbolStrokeWidth=2
        )
        if legend
        else None
    )
    return {
        "x": alt.X(
            "year:Q",
            scale=alt.Scale(domain=values["x_domain"], nice=False, zero=False),
            axis=values["x_axis"],
        ),
        "color": alt.Color(
            "site:N", scale=alt.Scale(domain=values["names"], range=values["colours"]), legend=shown
        ),
        "strokeDash": alt.StrokeDash(
            "site:N", scale=alt.Scale(domain=values["names"], range=values["dashes"]), legend=shown
        ),
    }


def _workforce_y_domain(subset: pd.DataFrame) -> list[float]:
    top = float(subset["value"].max())
    return [0, top * 1.25 if top > 0 else 1]


def workforce_small_multiples(
    df: pd.DataFrame, *, title: str, events: pd.DataFrame | None = None
) -> alt.ConcatChart:
    """Yearly workforce measures, one small panel per measure, two panels per row.

    Parameters
    ----------
    df : pd.DataFrame
        Columns site, kind ("local_authority", "national" or "region"), year (int), measure,
        value (a percentage, 14.7 meaning 14.7%).
    title : str
        The finding.
    events : pd.DataFrame or None
        Optional annotations (see :func:`event_rules`), placed on the year axis.

    Returns
    -------
    alt.ConcatChart
        Panels have independent y scales; each local authority point is labelled. Fixed
        panel widths (the board report); a page draws :func:`workforce_measure_chart` per
        measure instead, so each panel fits its column at any screen width.
    """
    return workforce_parts(df, title=title, events=events).chart()


def workforce_parts(
    df: pd.DataFrame, *, title: str, events: pd.DataFrame | None = None
) -> SpecParts:
    """:func:`workforce_small_multiples` as :class:`~rpgdash.chartspec.SpecParts`."""
    data, values = _workforce_frame(df)
    frames = {}
    for i, measure in enumerate(dict.fromkeys(data["measure"])):
        subset = data[data["measure"] == measure]
        frames[f"workforce_{i}"] = subset
        values[f"measure_{i}"] = str(measure)
        values[f"y_domain_{i}"] = _workforce_y_domain(subset)
    panels = len(frames)
    if events is not None and len(events):
        frames["workforce_events"] = _events_frame(events, True)
    values["title"] = _title(title, "Yearly rates; the local authority is the solid line.")
    return SpecParts(_workforce_layout, frames, values, (("panels", panels),))


def _workforce_layout(
    frames: Mapping[str, Any], values: Mapping[str, Any], *, panels: int
) -> alt.ConcatChart:
    """The small multiples from :func:`workforce_parts`' frames and values."""
    encoding = _workforce_encoding(values)
    drawn = []
    for i in range(panels):
        layers = _workforce_panel(frames[f"workforce_{i}"], encoding, values[f"y_domain_{i}"])
        if "workforce_events" in frames:
            events = _event_layer(frames["workforce_events"], True, values["x_axis"], False)
            layers.insert(0, events)
        title = alt.TitleParams(values[f"measure_{i}"], anchor="start", fontSize=13)
        drawn.append(alt.layer(*layers, title=title, width=330, height=170))
    # One call with every property: each .resolve_scale() or .properties() on a compound
    # chart deep-copies all its panels.
    return alt.concat(
        *drawn,
        columns=2,
        spacing=30,
        resolve=alt.Resolve(
            scale=alt.ScaleResolveMap(y="independent", color="shared", strokeDash="shared")
        ),
        title=values["title"],
    )


def workforce_measure_chart(
    df: pd.DataFrame, measure: str, *, events: pd.DataFrame | None = None
) -> alt.LayerChart:
    """One measure's panel of :func:`workforce_small_multiples`, as wide as its container.

    The legend is drawn only when there is more than one series (a comparison is stored).
    """
    data, values = _workforce_frame(df)
    encoding = _workforce_encoding(values, legend=data["site"].nunique() >= 2)
    subset = data[data["measure"] == measure]
    layers = _workforce_panel(subset, encoding, _workforce_y_domain(subset))
    if events is not None and len(events):
        layers.insert(0, event_rules(events, year_axis=True, axis=values["x_axis"]))
    return alt.layer(
        *layers,
        title=_title(str(measure), narrow=True),
        width="container",
        autosize=FIT_WIDTH,
        height=170,
    )


def _workforce_panel(subset: Any, encoding: dict[str, Any], y_domain: Any) -> list[alt.Chart]:
    """Lines, points and value labels (local authority only) for one measure."""
    y = alt.Y(
        "value:Q",
        title="Rate (%)",
        scale=alt.Scale(domain=y_domain, nice=False),
        axis=alt.Axis(tickCount=4, labelExpr="datum.value + '%'"),
    )
    tooltip = [
        alt.Tooltip("site:N", title="Series"),
        alt.Tooltip("measure:N", title="Measure"),
        alt.Tooltip("year:Q", title="Year", format="d"),
        alt.Tooltip("value_text:N", title="Rate"),
    ]
    base = alt.Chart(subset)
    lines = base.mark_line(strokeWidth=2).encode(y=y, **encoding)
    points = base.mark_point(filled=True, size=40, opacity=1).encode(
        x=encoding["x"], y=y, color=encoding["color"], tooltip=tooltip
    )
    layers = [lines, points]
    for below, dy in ((False, -11), (True, 13)):
        local = base.transform_filter(
            f"datum.kind == 'local_authority' && datum.label_below == {str(below).lower()}"
        )
        # A white outline under each label keeps it legible where it crosses another line.
        halo = local.mark_text(
            dy=dy, fontSize=11, stroke="white", strokeWidth=4, strokeJoin="round", color="white"
        ).encode(x=encoding["x"], y=y, text="value_text:N")
        labels = local.mark_text(dy=dy, fontSize=11, color=DARK_TEXT).encode(
            x=encoding["x"], y=y, text="value_text:N", tooltip=tooltip
        )
        layers += [halo, labels]
    return layers


def _datetime(ts: pd.Timestamp) -> alt.DateTime:
    return alt.DateTime(year=ts.year, month=ts.month, date=ts.day)


def timeline_chart(phases: pd.DataFrame, *, title: str) -> alt.LayerChart:
    """Compact Gantt chart of the evaluation timeline.

    Parameters
    ----------
    phases : pd.DataFrame
        Columns label, start, end (Timestamps), kind; rows keep their input order.
    title : str
        The point of the timeline.

    Returns
    -------
    alt.LayerChart
    """
    data = pd.DataFrame(
        {
            "label": phases["label"].astype(str),
            "start": pd.to_datetime(phases["start"]),
            "end": pd.to_datetime(phases["end"]),
            "kind": phases["kind"].astype(str),
        }
    )
    data["dates"] = [
        f"{s:%b %Y} – {e:%b %Y}" for s, e in zip(data["start"], data["end"], strict=True)
    ]
    kinds = list(dict.fromkeys(data["kind"]))
    # Room on the right for the date text after the last bar.
    first, last = data["start"].min(), data["end"].max()
    pad_right = (last - first) * 0.22
    x_scale = alt.Scale(
        domainMin=_datetime(first - pd.DateOffset(months=1)), domainMax=_datetime(last + pad_right)
    )
    x_axis = alt.Axis(title=None, format="%Y", tickCount="year", grid=True)
    x = alt.X("start:T", scale=x_scale, axis=x_axis)
    y = alt.Y(
        "label:N",
        sort=data["label"].tolist(),
        axis=alt.Axis(title=None, labelLimit=260, domain=False, ticks=False),
    )
    tooltip = [
        alt.Tooltip("label:N", title="Phase"),
        alt.Tooltip("kind:N", title="Kind"),
        alt.Tooltip("dates:N", title="When"),
    ]
    base = alt.Chart(data)
    bars = base.mark_bar(cornerRadius=2, height={"band": 0.7}).encode(
        x=x,
        x2="end:T",
        y=y,
        color=alt.Color(
            "kind:N",
            scale=alt.Scale(
                domain=kinds, range=[WAVE_COLOURS[i % len(WAVE_COLOURS)] for i in range(len(kinds))]
            ),
            legend=alt.Legend(title=None, orient="bottom", direction="horizontal"),
        ),
        tooltip=tooltip,
    )
    text = base.mark_text(align="left", dx=4, fontSize=11, color=DARK_TEXT).encode(
        x=alt.X("end:T", axis=x_axis), y=y, text="dates:N", tooltip=tooltip
    )
    return alt.layer(bars, text).properties(
        title=_title(title), width="container", autosize=FIT_WIDTH, height=max(110, 26 * len(data))
    )


def indicator_sparkline(df: pd.DataFrame, *, title: str) -> alt.LayerChart:
    """A tiny line of a monthly indicator for an overview card, with the latest value marked.

    Parameters
    ----------
    df : pd.DataFrame
        Columns month, value.
    title : str
        Short name of the indicator.

    Returns
    -------
    alt.LayerChart
    """
    data = pd.DataFrame(
        {"month": pd.to_datetime(df["month"]), "value": pd.to_numeric(df["value"])}
    ).sort_values("month", ignore_index=True)
    x = alt.X("month:T", axis=None)
    y = alt.Y("value:Q", axis=None, scale=alt.Scale(zero=False))
    tooltip = [
        alt.Tooltip("month:T", title="Month", format="%b %Y"),
        alt.Tooltip("value:Q", title=title or "Value", format=",.4~f"),
    ]
    line = (
        alt.Chart(data)
        .mark_line(color=WAVE_COLOURS[0], strokeWidth=1.5)
        .encode(x=x, y=y, tooltip=tooltip)
    )
    last = (
        alt.Chart(data.tail(1))
        .mark_point(filled=True, size=30, color=WAVE_COLOURS[0], opacity=1)
        .encode(x=x, y=y, tooltip=tooltip)
    )
    chart = alt.layer(line, last)
    if title:  # overview cards may put the name in the card instead
        chart = chart.properties(
            title=alt.TitleParams(title, anchor="start", fontSize=12, fontWeight="normal")
        )
    return chart.properties(
        width="container",
        autosize=FIT_WIDTH,
        height=50,
    )


# --------------------------------------------------------------------------------------------
# The survey pages' charts as Vega-Lite dicts, without building an Altair chart per view
# --------------------------------------------------------------------------------------------
#
# A survey page draws the same two charts for every job role, site and pair of waves; only the
# data differ. Altair validates every channel against the Vega-Lite schema when a chart is
# built and again when it is serialised, which was most of a first view's time. So the layout
# is built with Altair once per shape (statement order, waves, title) with named datasets, and
# each view adds its own data. The result is the Altair chart's own dict with its datasets
# renamed (tests/test_charts.py checks that they are the same chart).


@dataclass(frozen=True)
class ChartParts:
    """A survey chart as its data and the shape of its layout, so it can be drawn three ways.

    ``build`` is the layout function (module level, so a panel holding this pickles),
    ``frames`` its named data, ``shape`` the keyword arguments that fix the layout (statement
    order, waves, title: the same for every role, so the layout is built once per shape).
    """

    build: Callable[..., alt.TopLevelMixin]
    frames: Mapping[str, pd.DataFrame]
    shape: tuple[tuple[str, Any], ...]

    def chart(self) -> alt.TopLevelMixin:
        """The Altair chart (the board report renders it to SVG)."""
        return self.build(dict(self.frames), **dict(self.shape))

    def layout(self) -> dict:
        """The chart's Vega-Lite dict without data (cached per shape; do not modify it)."""
        if self.build is _heatmap_layout:
            return _heatmap_layout_dict(tuple(self.frames), **dict(self.shape))
        return _layout_dict(self.build, tuple(self.frames), **dict(self.shape))

    def spec(self) -> dict:
        """The Altair chart's own dict, datasets renamed, built without Altair after the first."""
        return _with_data(self.layout(), self.frames)


def dumbbell_parts(
    comparisons: pd.DataFrame, *, waves: Sequence[str], use_holm: bool | str, title: str
) -> ChartParts:
    """:func:`dumbbell_chart` as :class:`ChartParts`."""
    frames = dumbbell_frames(comparisons, use_holm=use_holm)
    shape = {
        "order": tuple(frames["dumbbell_rows"]["label"]),
        "waves": tuple(waves),
        "use_holm": use_holm,
        "title": title,
        "has_ci": _has_intervals(frames["dumbbell_rows"]),
    }
    return ChartParts(_dumbbell_layout, frames, tuple(shape.items()))


def diverging_parts(shares: pd.DataFrame, *, waves: Sequence[str], title: str) -> ChartParts:
    """:func:`diverging_bars` as :class:`ChartParts`."""
    frames = diverging_frames(shares, waves=waves)
    axes = {key: tuple(value) for key, value in _diverging_axes(frames, waves).items()}
    return ChartParts(_diverging_layout, frames, (*axes.items(), ("title", title)))


def _by_group(frame: pd.DataFrame, groups: Sequence[Any]) -> dict[Any, pd.DataFrame]:
    """``frame`` split by its :data:`GROUP` column, each part as if built on its own."""
    positions: dict[Any, list[int]] = {key: [] for key in groups}
    for i, key in enumerate(frame[GROUP].tolist()):
        positions.setdefault(key, []).append(i)
    rest = frame.drop(columns=GROUP)
    return {key: rest.take(positions[key]).reset_index(drop=True) for key in groups}


def dumbbell_parts_by(
    comparisons: pd.DataFrame,
    by: str,
    *,
    waves: Sequence[str],
    use_holm: bool | str,
    title: str,
) -> dict[Any, ChartParts]:
    """:func:`dumbbell_parts` for each value of the column ``by`` (job role), in one pass.

    The same charts as calling :func:`dumbbell_parts` on each group's rows (a test checks),
    with the frames built once for all groups: small-frame overhead was most of the cost.
    """
    groups = list(dict.fromkeys(comparisons[by]))
    rows = _dumbbell_rows(comparisons, use_holm)
    rows[GROUP] = comparisons[by].to_numpy()
    split = {
        "dumbbell_rows": _by_group(rows, groups),
        "dumbbell_a": _by_group(_dumbbell_points(rows, "a"), groups),
        "dumbbell_b": _by_group(_dumbbell_points(rows, "b"), groups),
    }
    out = {}
    for key in groups:
        frames = {name: split[name][key] for name in split}
        shape = {
            "order": tuple(frames["dumbbell_rows"]["label"]),
            "waves": tuple(waves),
            "use_holm": use_holm,
            "title": title,
            "has_ci": _has_intervals(frames["dumbbell_rows"]),
        }
        out[key] = ChartParts(_dumbbell_layout, frames, tuple(shape.items()))
    return out


def diverging_parts_by(
    shares: pd.DataFrame, by: str, *, waves: Sequence[str], title: str
) -> dict[Any, ChartParts]:
    """:func:`diverging_parts` for each value of the column ``by`` (job role), in one pass."""
    groups = list(dict.fromkeys(shares[by]))
    segments = _by_group(_likert_segments(shares, waves, group=by), groups)
    out = {}
    for key in groups:
        frames = {"likert_segments": segments[key]}
        axes = {name: tuple(value) for name, value in _diverging_axes(frames, waves).items()}
        out[key] = ChartParts(_diverging_layout, frames, (*axes.items(), ("title", title)))
    return out


def dumbbell_spec(
    comparisons: pd.DataFrame, *, waves: Sequence[str], use_holm: bool | str, title: str
) -> dict:
    """:func:`dumbbell_chart` as a Vega-Lite dict, built without Altair after the first call."""
    return dumbbell_parts(comparisons, waves=waves, use_holm=use_holm, title=title).spec()


def diverging_spec(shares: pd.DataFrame, *, waves: Sequence[str], title: str) -> dict:
    """:func:`diverging_bars` as a Vega-Lite dict, built without Altair after the first call."""
    return diverging_parts(shares, waves=waves, title=title).spec()


def heatmap_spec(
    comparisons: pd.DataFrame, *, value: str, roles: Sequence[str], min_group: int, title: str
) -> dict:
    """:func:`role_heatmap` as a Vega-Lite dict, built without Altair after the first call."""
    return heatmap_parts(
        comparisons, value=value, roles=roles, min_group=min_group, title=title
    ).spec()


@functools.lru_cache(maxsize=256)
def _layout_dict(build: Callable[..., alt.TopLevelMixin], names: tuple[str, ...], **shape) -> dict:
    """The chart ``build`` draws from the named datasets ``names``, as a dict (cached).

    Not validated against the Vega-Lite schema here: validation changes nothing in the dict
    and was most of a new layout's cost (a new site's heatmap has new column labels, so a
    new layout). tests/test_charts.py checks these layouts equal Altair's validated dicts.
    """
    chart = build({name: alt.NamedData(name) for name in names}, **shape)
    return chart.to_dict(validate=False)


def _with_data(layout: dict, frames: Mapping[str, pd.DataFrame]) -> dict:
    """A copy of ``layout`` with each frame as the dataset of its name (as Altair stores it)."""
    spec = copy.deepcopy(layout)
    spec["datasets"] = {
        **spec.get("datasets", {}),
        **{name: _records(frame) for name, frame in frames.items()},
    }
    return spec


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as JSON-ready dicts, missing values as None: what Altair stores for these frames
    (their columns are text, numbers and booleans), without its per-column sanitising."""
    return frame.astype(object).where(frame.notna(), None).to_dict("records")
