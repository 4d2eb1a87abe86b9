"""Calendar months as integers, shared by the trend and SPC modules.

A month is stored as ``year * 12 + (month - 1)`` so that differences are whole months and gaps
in a series are visible as jumps of more than one.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

MonthLike = pd.Timestamp | dt.date | str

_MONTH_RE = re.compile(r"^\s*(\d{4})-(\d{1,2})(?:-(\d{1,2}))?\s*$")


def parse_month(value: Any) -> int:
    """Return the month number of a ``"YYYY-MM"`` string, a date or a Timestamp.

    Raises
    ------
    ValueError
        If ``value`` is not a month, with a sentence saying how to write one.
    """
    if isinstance(value, dt.date):  # includes datetime.datetime and pandas.Timestamp
        if isinstance(value, pd.Timestamp) and pd.isna(value):
            raise ValueError("a month is missing; write months as YYYY-MM, e.g. 2016-03")
        return value.year * 12 + value.month - 1
    if isinstance(value, np.datetime64):
        return parse_month(pd.Timestamp(value))
    if isinstance(value, str):
        match = _MONTH_RE.match(value)
        if match:
            year, month = int(match.group(1)), int(match.group(2))
            day = match.group(3)
            if 1 <= month <= 12 and (day is None or _valid_day(year, month, int(day))):
                return year * 12 + month - 1
    raise ValueError(f"{value!r} is not a month; write months as YYYY-MM, e.g. 2016-03")


def _valid_day(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def month_label(number: int) -> str:
    """Return the ``"YYYY-MM"`` label of a month number."""
    year, month0 = divmod(int(number), 12)
    return f"{year:04d}-{month0 + 1:02d}"


def prepare_series(
    months: Sequence[MonthLike], values: Sequence[float]
) -> tuple[np.ndarray, np.ndarray]:
    """Parse, validate and sort a monthly series.

    Returns
    -------
    numbers : numpy.ndarray of int
        Month numbers in increasing order.
    values : numpy.ndarray of float
        The values in the same order.

    Raises
    ------
    ValueError
        If the lengths differ, a month is unparseable or repeated, or a value is not finite.
    """
    if len(months) != len(values):
        raise ValueError(
            f"there are {len(months)} months but {len(values)} values; give one value per month."
        )
    numbers = np.array([parse_month(m) for m in months], dtype=np.int64)
    try:
        y = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("every value must be a number.") from None
    bad = ~np.isfinite(y)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"the value for {month_label(numbers[first])} is {values[first]!r}, not a finite "
            "number; leave a month out rather than giving it a blank or infinite value."
        )
    order = np.argsort(numbers, kind="stable")
    numbers, y = numbers[order], y[order]
    repeated = numbers[1:][np.diff(numbers) == 0]
    if repeated.size:
        raise ValueError(
            f"the month {month_label(repeated[0])} appears more than once; give one value per "
            "month."
        )
    return numbers, y


def missing_months(numbers: np.ndarray) -> list[str]:
    """Return the ``"YYYY-MM"`` labels of months absent between the first and last month."""
    if numbers.size == 0:
        return []
    present = set(numbers.tolist())
    return [
        month_label(m) for m in range(int(numbers[0]), int(numbers[-1]) + 1) if m not in present
    ]


def clean_float(value: float) -> float | None:
    """Return ``value`` as a plain float, or ``None`` when it is NaN or infinite (for JSON)."""
    value = float(value)
    return value if math.isfinite(value) else None
