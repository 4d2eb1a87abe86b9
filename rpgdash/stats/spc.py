"""XmR statistical process control charts, as in NHS England's "Making Data Count".

The defaults follow the NHSRplotthedots R package:

* centre line: the mean of the segment;
* moving ranges ``|x_i - x_(i-1)|`` between consecutive points of a segment (months missing
  from the series are simply skipped; nothing is interpolated);
* moving ranges above 3.267 times their mean are screened out and the average moving range
  (AMR) is recomputed from the rest;
* process limits at mean +/- 2.66 AMR, near limits (two sigma) at mean +/- (2/3) 2.66 AMR.

Special-cause rules, evaluated within each segment:

``outside_limits``
    The point is strictly above the upper or strictly below the lower process limit.
``trend``
    Six consecutive differences ``x_i - x_(i-1)`` with the same non-zero sign, that is seven
    consecutive points each strictly higher (or each strictly lower) than the one before. Equal
    consecutive values break a trend. Every point of the run is flagged (so a run of six
    differences flags seven points). A point that ends one trend and starts the opposite one
    takes the direction of the run it ends.
``two_in_three``
    Three consecutive points all strictly on the same side of the mean, at least two of them
    strictly beyond the near limit on that side (points beyond the process limit count). The
    points beyond the near limit are flagged.
``shift``
    Seven or more consecutive points strictly on the same side of the mean; a point exactly on
    the mean breaks the run. Every point of the run is flagged.

A flagged point takes its type from the first rule that fired, in the order outside_limits,
trend, two_in_three, shift: a trend is high when rising, the other rules by the point's side of
the mean. High is an improvement when the direction is "increase", a concern when it is
"decrease", and ``special_cause_neutral_high`` for a neutral direction (likewise for low).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rpgdash.stats._months import (
    MonthLike,
    clean_float,
    month_label,
    parse_month,
    prepare_series,
)

DIRECTIONS = ("increase", "decrease", "neutral")
LIMIT_FACTOR = 2.66
MR_SCREEN_FACTOR = 3.267
NEAR_FRACTION = 2 / 3
RUN_LENGTH = 7
TRIAL_BELOW = 12
RULE_ORDER = ("outside_limits", "trend", "two_in_three", "shift")

_VARIATION_LABELS = {
    "common_cause": "common cause variation",
    "special_cause_improvement": "special cause improvement",
    "special_cause_concern": "special cause concern",
    "special_cause_neutral_high": "special cause variation (high)",
    "special_cause_neutral_low": "special cause variation (low)",
}


def check_direction(direction: str) -> None:
    """Raise ValueError unless ``direction`` is increase, decrease or neutral."""
    if direction not in DIRECTIONS:
        raise ValueError(
            f"direction {direction!r} is not known; use increase, decrease or neutral."
        )


def _run_lengths(codes: np.ndarray) -> np.ndarray:
    """For each element, the length of the run of equal values it belongs to."""
    if codes.size == 0:
        return np.zeros(0, dtype=int)
    starts = np.r_[0, np.flatnonzero(np.diff(codes) != 0) + 1]
    lengths = np.diff(np.r_[starts, codes.size])
    return np.repeat(lengths, lengths)


def _segment_limits(y: np.ndarray) -> dict:
    mean = float(np.mean(y))
    mr = np.abs(np.diff(y))
    if mr.size == 0:
        amr = float("nan")
        screened = 0
    else:
        keep = mr <= MR_SCREEN_FACTOR * mr.mean()
        amr = float(mr[keep].mean())
        screened = int(mr.size - keep.sum())
    half = LIMIT_FACTOR * amr
    return {
        "mean": mean,
        "amr": amr,
        "lower": mean - half,
        "upper": mean + half,
        "near_lower": mean - NEAR_FRACTION * half,
        "near_upper": mean + NEAR_FRACTION * half,
        "screened_moving_ranges": screened,
    }


def _trend_direction(y: np.ndarray) -> np.ndarray:
    """+1 / -1 for points in a rising / falling run of 7, else 0."""
    n = y.size
    direction = np.zeros(n, dtype=int)
    if n < RUN_LENGTH:
        return direction
    steps = np.sign(np.diff(y)).astype(int)
    lengths = _run_lengths(steps)
    qualifies = (steps != 0) & (lengths >= RUN_LENGTH - 1)
    # walk backwards so that a point shared by two runs keeps the run it ends
    for i in np.flatnonzero(qualifies)[::-1]:
        direction[i] = steps[i]
        direction[i + 1] = steps[i]
    return direction


def _two_in_three(side: np.ndarray, beyond_near: np.ndarray) -> np.ndarray:
    """Mask of points beyond the near limit in a window of 3 meeting the 2-of-3 rule."""
    n = side.size
    flagged = np.zeros(n, dtype=bool)
    if n < 3:
        return flagged
    windows_side = np.lib.stride_tricks.sliding_window_view(side, 3)
    windows_near = np.lib.stride_tricks.sliding_window_view(beyond_near, 3)
    same_side = (windows_side[:, 0] != 0) & np.all(windows_side == windows_side[:, :1], axis=1)
    hits = same_side & (windows_near.sum(axis=1) >= 2)
    for start in np.flatnonzero(hits):
        flagged[start : start + 3] |= beyond_near[start : start + 3]
    return flagged


def _segment_rules(y: np.ndarray, lim: dict) -> tuple[dict[str, np.ndarray], np.ndarray]:
    side = np.sign(y - lim["mean"]).astype(int)
    with np.errstate(invalid="ignore"):
        outside = (y > lim["upper"]) | (y < lim["lower"])
        beyond_near = ((y > lim["near_upper"]) & (side > 0)) | (
            (y < lim["near_lower"]) & (side < 0)
        )
    trend = _trend_direction(y)
    rules = {
        "outside_limits": outside,
        "trend": trend != 0,
        "two_in_three": _two_in_three(side, beyond_near),
        "shift": (side != 0) & (_run_lengths(side) >= RUN_LENGTH),
    }
    # high/low of each point under its first rule: trend by direction, others by side
    high_low = np.where(rules["outside_limits"], side, np.where(rules["trend"], trend, side))
    return rules, high_low


def _point_type(high_low: int, direction: str) -> str:
    if direction == "neutral":
        return "special_cause_neutral_high" if high_low > 0 else "special_cause_neutral_low"
    good = high_low > 0 if direction == "increase" else high_low < 0
    return "special_cause_improvement" if good else "special_cause_concern"


def _assurance(last: dict, direction: str, target: float | None) -> str | None:
    if target is None or direction == "neutral" or not np.isfinite(last["amr"]):
        return None
    lower, upper = last["lower"], last["upper"]
    if direction == "decrease":
        passing, failing = upper < target, lower > target
    else:
        passing, failing = lower > target, upper < target
    if passing:
        return "consistently_passing"
    if failing:
        return "consistently_failing"
    return "inconsistent"


def _segment_ids(numbers: np.ndarray, rebase: Sequence[MonthLike]) -> np.ndarray:
    starts = set()
    present = set(numbers.tolist())
    for month in rebase:
        number = parse_month(month)
        if number not in present:
            raise ValueError(
                f"the rebase month {month_label(number)} has no value in the series; rebase "
                "at a month that has one."
            )
        if number != numbers[0]:
            starts.add(number)
    return np.searchsorted(np.array(sorted(starts), dtype=np.int64), numbers, side="right")


def xmr(
    months: Sequence[MonthLike],
    values: Sequence[float],
    *,
    direction: str = "neutral",
    rebase: Sequence[MonthLike] = (),
    target: float | None = None,
) -> dict:
    """XmR chart of a monthly series: limits, special-cause rules and point types.

    Parameters
    ----------
    months : sequence of Timestamp, datetime.date or "YYYY-MM" str
        One month per value, in any order (they are sorted); gaps are allowed.
    values : sequence of float
        The measure for each month.
    direction : {"increase", "decrease", "neutral"}
        Which way is an improvement.
    rebase : sequence of months
        Months (each present in the series) at which a new segment starts, with its own mean,
        limits and rules.
    target : float, optional
        Target used for the assurance of the last segment.

    Returns
    -------
    dict
        ``segments``: one dict per segment with ``start``/``end`` ("YYYY-MM"), ``n``, ``mean``,
        ``amr`` (average moving range after screening), ``lower``/``upper`` (process limits),
        ``near_lower``/``near_upper`` (two-sigma limits), ``trial_limits`` (True when the
        segment has fewer than 12 points) and ``screened_moving_ranges`` (how many were
        dropped). Limits are ``None`` for a one-point segment.
        ``points``: one dict per month with ``month``, ``value``, ``segment`` (index into
        segments), ``special_cause`` (bool), ``rules`` (names of every rule that fired, in the
        order outside_limits, trend, two_in_three, shift) and ``point_type``.
        ``assurance``: for the last segment, ``consistently_passing`` / ``consistently_failing``
        when the target lies outside the process limits on the good / bad side, else
        ``inconsistent``; ``None`` without a target or with a neutral direction.
        ``variation``: a short label of the latest point's type, e.g. "common cause variation".
    """
    check_direction(direction)
    numbers, y = prepare_series(months, values)
    if y.size == 0:
        raise ValueError("the series has no values; an XmR chart needs at least one month.")
    if target is not None and not np.isfinite(target):
        raise ValueError(f"the target {target!r} is not a finite number.")
    segment_of = _segment_ids(numbers, rebase)
    segments: list[dict] = []
    points: list[dict] = []
    for seg in range(int(segment_of[-1]) + 1):
        idx = np.flatnonzero(segment_of == seg)
        if idx.size == 0:
            continue
        ys = y[idx]
        lim = _segment_limits(ys)
        rules, high_low = _segment_rules(ys, lim)
        seg_index = len(segments)
        segments.append(
            {
                "start": month_label(numbers[idx[0]]),
                "end": month_label(numbers[idx[-1]]),
                "n": int(idx.size),
                **{k: clean_float(v) for k, v in lim.items() if k != "screened_moving_ranges"},
                "trial_limits": bool(idx.size < TRIAL_BELOW),
                "screened_moving_ranges": lim["screened_moving_ranges"],
            }
        )
        for j, i in enumerate(idx):
            fired = [name for name in RULE_ORDER if rules[name][j]]
            points.append(
                {
                    "month": month_label(numbers[i]),
                    "value": float(y[i]),
                    "segment": seg_index,
                    "special_cause": bool(fired),
                    "rules": fired,
                    "point_type": _point_type(int(high_low[j]), direction)
                    if fired
                    else "common_cause",
                }
            )
    last_limits = _segment_limits(y[segment_of == segment_of[-1]])
    return {
        "segments": segments,
        "points": points,
        "assurance": _assurance(last_limits, direction, target),
        "variation": _VARIATION_LABELS[points[-1]["point_type"]],
    }
