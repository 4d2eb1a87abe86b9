"""One formatter for every number a user reads (pages, report, tables, downloads' headers).

The rules, in one place:

- p-values: ``p < 0.001`` below 0.001, otherwise three decimals (``p = 0.042``); never
  ``p = 0.000``; a missing value reads ``p not available``.
- percentages: whole numbers (``40%``), except a value that would round to 0 or 100 without
  being exactly 0 or 100, which keeps one decimal (``0.4%``, ``99.6%``), so a reader never
  sees "0%" for something that happened.
- changes: a sign and a unit (``+0.5 points``, ``-3 children``, ``no change``).
- intervals: ``2.1 to 2.6`` (the word "to", never a dash that reads as minus).
- months: ``Dec 2018``; dates: ``1 Dec 2018``; timestamps: ``1 Dec 2018, 14:05``.
- counts: thousands separators (``1,234``); missing values read as an en dash.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence

import pandas as pd

MISSING = "–"


def is_missing(value: object) -> bool:
    """True for None, NaN, NaT and pandas' NA."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists and arrays are not missing values
        return False


def p_value(p: float | None, *, prefix: bool = True) -> str:
    """``p < 0.001``, ``p = 0.042``; ``p not available`` when missing.

    With ``prefix=False`` the bare number for a table cell: ``< 0.001``, ``0.042``.
    """
    if is_missing(p):
        return "p not available" if prefix else MISSING
    p = float(p)
    if p < 0.001:
        text = "< 0.001"
        return f"p {text}" if prefix else text
    text = f"{min(p, 1.0):.3f}"
    return f"p = {text}" if prefix else text


def percent(value: float | None, *, digits: int | None = None) -> str:
    """A percentage (0-100 scale): ``40%``; ``0.4%`` where rounding would say 0 or 100."""
    if is_missing(value):
        return MISSING
    value = float(value)
    if digits is None:
        rounded = round(value)
        edge = rounded in (0, 100) and value not in (0.0, 100.0)
        digits = 1 if edge else 0
    return f"{value:.{digits}f}%"


def proportion(value: float | None) -> str:
    """A proportion (0-1 scale) as a percentage."""
    return MISSING if is_missing(value) else percent(100 * float(value))


def count(value: float | None) -> str:
    """A whole number with thousands separators: ``1,234``."""
    return MISSING if is_missing(value) else f"{round(float(value)):,}"


def number(value: float | None, digits: int = 1) -> str:
    """A measured value with ``digits`` decimals and thousands separators (``-0.0`` -> ``0``)."""
    if is_missing(value):
        return MISSING
    text = f"{float(value):,.{digits}f}"
    return text[1:] if text.startswith("-") and float(text[1:].replace(",", "")) == 0 else text


def interval(lo: float | None, hi: float | None, digits: int = 1, *, signed: bool = False) -> str:
    """A confidence interval: ``2.1 to 2.6`` (``-0.3 to +1.2`` with ``signed``)."""
    if is_missing(lo) or is_missing(hi):
        return MISSING
    if signed:
        return f"{signed_number(lo, digits)} to {signed_number(hi, digits)}"
    return f"{number(lo, digits)} to {number(hi, digits)}"


def interval_of(values: Sequence[float] | None, digits: int = 1, **kw: bool) -> str:
    """:func:`interval` of a ``(lo, hi)`` pair, or the missing mark."""
    if values is None or (not isinstance(values, Sequence | tuple) and is_missing(values)):
        return MISSING
    lo, hi = values
    return interval(lo, hi, digits, **kw)


def signed_number(value: float, digits: int = 1) -> str:
    """``+0.5``, ``-1.2``, ``0.0`` (no sign on a value that rounds to zero)."""
    text = number(value, digits)
    if text == MISSING or float(text.replace(",", "")) == 0:
        return text
    return text if text.startswith("-") else "+" + text


def change(value: float | None, unit: str = "points", digits: int = 1) -> str:
    """A change with its sign and unit: ``+0.5 points``; ``no change`` when it rounds to 0."""
    if is_missing(value):
        return MISSING
    text = signed_number(float(value), digits)
    if float(text.replace(",", "")) == 0:
        return "no change"
    return f"{text} {unit}".rstrip()


def month(value: str | dt.date | pd.Timestamp | pd.Period) -> str:
    """``2018-12``, ``2018-12-01`` or a date in December 2018 -> ``Dec 2018``."""
    if isinstance(value, pd.Period):
        value = value.to_timestamp()
    if isinstance(value, dt.date):
        return f"{calendar.month_abbr[value.month]} {value.year}"
    text = str(value)
    return f"{calendar.month_abbr[int(text[5:7])]} {text[:4]}"


def date(value: str | dt.date | pd.Timestamp | None) -> str:
    """``1 Dec 2018``."""
    if is_missing(value):
        return MISSING
    stamp = pd.Timestamp(value)
    return f"{stamp.day} {calendar.month_abbr[stamp.month]} {stamp.year}"


def long_date(value: str | dt.date | pd.Timestamp | None) -> str:
    """``1 December 2026`` (the report's date line and footers)."""
    if is_missing(value):
        return MISSING
    stamp = pd.Timestamp(value)
    return f"{stamp.day} {calendar.month_name[stamp.month]} {stamp.year}"


def timestamp(value: str | dt.datetime | pd.Timestamp | None) -> str:
    """``1 Dec 2018, 14:05`` (minutes; seconds and time zones are noise to a reader)."""
    if is_missing(value):
        return MISSING
    stamp = pd.Timestamp(value)
    return f"{date(stamp)}, {stamp:%H:%M}"


def text(value: object) -> str:
    """A stored value for a table cell: the missing mark for None/NaN, else ``str``."""
    return MISSING if is_missing(value) else str(value)


def yes_no(value: object) -> str:
    """``yes``/``no`` for a flag; the missing mark when it is not known."""
    return MISSING if is_missing(value) else ("yes" if bool(value) else "no")


def plural(n: int, word: str, words: str | None = None) -> str:
    """``1 statement``, ``3 statements``."""
    return f"{n:,} {word if n == 1 else (words or word + 's')}"


def share(k: int, n: int) -> str:
    """``all 4``, ``none``, ``3 of 4`` (``1 of 1``, ``0 of 1``): how many of a set."""
    if n == 1:
        return f"{k} of 1"
    if k == n:
        return f"all {n}"
    return "none" if k == 0 else f"{k} of {n}"


def human_header(code: str) -> str:
    """``point_type`` -> ``Point type``: the fallback for a column without a chosen header."""
    words = str(code).replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def is_readable_header(header: str) -> bool:
    """Whether a column header is for people: no snake_case code, not empty."""
    return bool(str(header).strip()) and "_" not in str(header)
