"""Making Data Count icons, their words, and the summary of variation and assurance.

The icons are our own SVG drawings following the Making Data Count grammar (they copy no
artwork): a variation icon is a ring holding a small run of dots, coloured grey for common
cause, blue for improvement, orange for concern and purple for a neutral direction, with H or
L for a high or low special cause; an assurance icon is a ring over a target line with P (the
target is consistently passed, blue), F (consistently failed, orange) or ? (hit and miss,
grey). The vocabulary is NHSRplotthedots' (see :mod:`rpgdash.stats.spc`). Every icon carries
its words as a text alternative (``<title>`` and ``aria-label``); :func:`icon_key` lists
them all for a key.

:func:`summary_rows` builds the table once from trend results; the Indicators page and the
board report both show it (:func:`summary_table`, :func:`summary_csv_frame`).
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

VARIATION_WORDS: dict[str, str] = {
    "common_cause": "Common cause: no sign of change",
    "improvement_high": "Special cause improvement: higher than expected",
    "improvement_low": "Special cause improvement: lower than expected",
    "concern_high": "Special cause concern: higher than expected",
    "concern_low": "Special cause concern: lower than expected",
    "neutral_high": "Special cause: higher than expected (neither better nor worse)",
    "neutral_low": "Special cause: lower than expected (neither better nor worse)",
}

ASSURANCE_WORDS: dict[str, str] = {
    "consistent_pass": "Consistently passes the target",
    "consistent_fail": "Consistently fails the target",
    "inconsistent": "Hit and miss: the target lies within the process limits",
}

#: What the key says about each icon, beyond its words.
_VARIATION_MEANING: dict[str, str] = {
    "common_cause": "The latest month is within what the series' own variation predicts.",
    "improvement_high": "Higher is better, and the latest month is unusually high.",
    "improvement_low": "Lower is better, and the latest month is unusually low.",
    "concern_high": "Lower is better, but the latest month is unusually high.",
    "concern_low": "Higher is better, but the latest month is unusually low.",
    "neutral_high": "No direction is better; the latest month is unusually high.",
    "neutral_low": "No direction is better; the latest month is unusually low.",
}
_ASSURANCE_MEANING: dict[str, str] = {
    "consistent_pass": "Both process limits lie on the good side of the target: it will be "
    "met every month unless the process changes.",
    "consistent_fail": "Both process limits lie on the wrong side of the target: it will "
    "not be met unless the process changes.",
    "inconsistent": "The target lies between the process limits: it will sometimes be met "
    "and sometimes missed.",
}

# Ring and letter colours: the MDC hues, darkened where needed for 4.5:1 against white
# (the same pairs as charts.SPC_STROKE_COLOURS); dots use the MDC fills.
_GREY, _GREY_FILL = "#595959", "#A6A6A6"
_BLUE, _BLUE_FILL = "#0077A3", "#00B0F0"
_ORANGE, _ORANGE_FILL = "#A34A00", "#E46C0A"
_PURPLE = "#490092"
_TARGET_RED = "#B31515"

_VARIATION_STYLE: dict[str, tuple[str, str, str | None]] = {
    # icon: (ring/letter colour, special dot fill, letter)
    "common_cause": (_GREY, _GREY_FILL, None),
    "improvement_high": (_BLUE, _BLUE_FILL, "H"),
    "improvement_low": (_BLUE, _BLUE_FILL, "L"),
    "concern_high": (_ORANGE, _ORANGE_FILL, "H"),
    "concern_low": (_ORANGE, _ORANGE_FILL, "L"),
    "neutral_high": (_PURPLE, _PURPLE, "H"),
    "neutral_low": (_PURPLE, _PURPLE, "L"),
}
_ASSURANCE_STYLE: dict[str, tuple[str, str]] = {
    "consistent_pass": (_BLUE, "P"),
    "consistent_fail": (_ORANGE, "F"),
    "inconsistent": (_GREY, "?"),
}

_DOT_X = (25, 33, 41, 49, 57, 65, 73)
_FLAT = (66, 60, 68, 61, 67, 59, 65)
_HIGH = (72, 68, 72, 67, 60, 53, 46)
_LOW = (54, 58, 54, 59, 65, 71, 77)


def _svg(label: str, body: str, size: int) -> str:
    text = html.escape(label, quote=True)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100" width="{size}" '
        f'height="{size}" role="img" aria-label="{text}"><title>{text}</title>{body}</svg>'
    )


def _ring(colour: str) -> str:
    return f'<circle cx="50" cy="50" r="44" fill="#FFFFFF" stroke="{colour}" stroke-width="7"/>'


def _letter(letter: str, colour: str, y: int, size: int) -> str:
    return (
        f'<text x="50" y="{y}" text-anchor="middle" font-family="Arial, Helvetica, sans-serif" '
        f'font-size="{size}" font-weight="bold" fill="{colour}">{html.escape(letter)}</text>'
    )


def variation_svg(icon: str, size: int = 40) -> str:
    """The SVG of a variation icon (one of ``VARIATION_WORDS``), labelled with its words."""
    colour, fill, letter = _VARIATION_STYLE[icon]
    if letter is None:
        ys, special = _FLAT, 0
    else:
        ys = _HIGH if letter == "H" else _LOW
        special = 3
    points = " ".join(f"{x},{y}" for x, y in zip(_DOT_X, ys, strict=True))
    dots = "".join(
        f'<circle cx="{x}" cy="{y}" r="4.5" '
        f'fill="{fill if i >= len(ys) - special else _GREY_FILL}"/>'
        for i, (x, y) in enumerate(zip(_DOT_X, ys, strict=True))
    )
    body = _ring(colour) + (
        f'<polyline points="{points}" fill="none" stroke="{_GREY_FILL}" stroke-width="2"/>{dots}'
    )
    if letter is not None:
        body += _letter(letter, colour, 40, 28)
    return _svg(VARIATION_WORDS[icon], body, size)


def assurance_svg(assurance: str | None, size: int = 40) -> str | None:
    """The SVG of an assurance icon, or None when there is no assurance (no target)."""
    if assurance is None:
        return None
    colour, letter = _ASSURANCE_STYLE[assurance]
    body = (
        _ring(colour)
        + f'<line x1="22" y1="72" x2="78" y2="72" stroke="{_TARGET_RED}" stroke-width="4" '
        'stroke-dasharray="7 4"/>' + _letter(letter, colour, 62, 44)
    )
    return _svg(ASSURANCE_WORDS[assurance], body, size)


def data_uri(svg: str) -> str:
    """A ``data:`` URL of an SVG, for an image cell (Streamlit ImageColumn)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def assurance_words(assurance: str | None, *, has_target: bool, direction: str) -> str:
    """The words of an assurance, or why there is none."""
    if assurance is not None:
        return ASSURANCE_WORDS[assurance]
    if not has_target:
        return "No target set"
    if direction == "neutral":
        return "No assurance: neither direction is better"
    return "No assurance"


@dataclass(frozen=True)
class IconKeyEntry:
    kind: str  # "variation" or "assurance"
    code: str
    svg: str
    words: str
    meaning: str


def icon_key(size: int = 32) -> list[IconKeyEntry]:
    """Every icon with its words and what it means, in the order a key lists them."""
    entries = [
        IconKeyEntry("variation", c, variation_svg(c, size), VARIATION_WORDS[c], m)
        for c, m in _VARIATION_MEANING.items()
    ]
    entries += [
        IconKeyEntry("assurance", c, assurance_svg(c, size) or "", ASSURANCE_WORDS[c], m)
        for c, m in _ASSURANCE_MEANING.items()
    ]
    return entries


# --- the summary of variation and assurance --------------------------------------------------


@dataclass(frozen=True)
class SummaryRow:
    """One indicator's line in the summary of variation and assurance."""

    indicator: str
    unit: str
    latest_month: str  # YYYY-MM
    latest_value: float
    mean: float | None
    lower: float | None
    upper: float | None
    variation_icon: str
    target: float | None
    assurance: str | None
    direction: str

    @property
    def variation_words(self) -> str:
        return VARIATION_WORDS[self.variation_icon]

    @property
    def assurance_words(self) -> str:
        return assurance_words(
            self.assurance, has_target=self.target is not None, direction=self.direction
        )


def summary_row(
    indicator: str, unit: str, result: dict, *, target: float | None, direction: str
) -> SummaryRow:
    """The summary line of one trend result (:func:`rpgdash.analyse_trend`)."""
    spc = result["spc"]
    last = spc["segments"][-1]
    latest = spc["points"][-1]
    return SummaryRow(
        indicator=indicator,
        unit=unit,
        latest_month=latest["month"],
        latest_value=float(latest["value"]),
        mean=last["mean"],
        lower=last["lower"],
        upper=last["upper"],
        variation_icon=spc["summary"]["variation_icon"],
        target=target,
        assurance=spc["summary"]["assurance"],
        direction=direction,
    )


def _month(label: str) -> str:
    return pd.Timestamp(f"{label}-01").strftime("%b %Y")


def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:,.1f}"


def summary_table(rows: Sequence[SummaryRow]) -> pd.DataFrame:
    """The table as shown: formatted text, icons as SVG strings (None without assurance)."""
    return pd.DataFrame(
        {
            "Indicator": [r.indicator for r in rows],
            "Latest month": [_month(r.latest_month) for r in rows],
            "Latest value": [_number(r.latest_value) for r in rows],
            "Mean": [_number(r.mean) for r in rows],
            "Process limits": [f"{_number(r.lower)} to {_number(r.upper)}" for r in rows],
            "Variation icon": [variation_svg(r.variation_icon) for r in rows],
            "Variation": [r.variation_words for r in rows],
            "Target": [_number(r.target) for r in rows],
            "Assurance icon": [assurance_svg(r.assurance) for r in rows],
            "Assurance": [r.assurance_words for r in rows],
        }
    )


def summary_csv_frame(rows: Iterable[SummaryRow]) -> pd.DataFrame:
    """The table for download: plain numbers and the NHSRplotthedots codes beside the words."""
    return pd.DataFrame(
        [
            {
                "indicator": r.indicator,
                "unit": r.unit,
                "latest_month": r.latest_month,
                "latest_value": r.latest_value,
                "mean": r.mean,
                "lower_process_limit": r.lower,
                "upper_process_limit": r.upper,
                "variation_icon": r.variation_icon,
                "variation": r.variation_words,
                "target": r.target,
                "assurance": r.assurance,
                "assurance_words": r.assurance_words,
            }
            for r in rows
        ],
        columns=[
            "indicator",
            "unit",
            "latest_month",
            "latest_value",
            "mean",
            "lower_process_limit",
            "upper_process_limit",
            "variation_icon",
            "variation",
            "target",
            "assurance",
            "assurance_words",
        ],
    )
