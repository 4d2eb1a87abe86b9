"""XmR statistical process control charts, point for point as NHSRplotthedots 0.2.2 draws them.

NHSRplotthedots is the NHS-R community's reference implementation of NHS England's "Making
Data Count" (github.com/nhs-r-community/NHSRplotthedots, release 0.2.2, commit 050b07d). Each
rule below follows one of its R functions, read literally; ``tests/test_stats_spc.py`` holds a
line-by-line transliteration of those functions and compares the two on random series.

Limits, per rebase group (``ptd_spc_standard``)
    The points of a group are its months in order; a rebase month starts a new group
    (``ptd_add_rebase_column``). With ``fix_after_n_points = f`` only the group's first ``f``
    points enter the calculation (``fix_y``); all its points are then judged against it.
    mean = mean of those points; moving ranges ``|y_i - y_(i-1)|`` between consecutive points
    (a month missing from the series is skipped, never interpolated); a moving range is kept
    only when it is *strictly below* 3.267 times their mean, and the average moving range (AMR)
    is the mean of those kept. Process limits are mean +/- 2.66 AMR, near limits mean +/-
    (2/3) 2.66 AMR. A group whose moving ranges are all screened out (a constant group: each is
    0, not below 0) or that has one point has no limits (``None``), so nothing is outside them.
    ``outside_limits``: strictly above the upper or below the lower limit. ``close_to_limits``:
    not outside, and strictly beyond a near limit.

Point types (``ptd_calculate_point_type`` and the helpers it calls)
    ``outside_limits``
        As above.
    ``trend`` (``ptd_seven_point_trend``, ``ptd_part_of_seven_trend``)
        Seven consecutive points each strictly higher (or each strictly lower) than the one
        before; every point of such a run is flagged. Its direction
        (``ptd_special_cause_type``): a point flagged together with the next point takes the
        sign of the step to that next point, otherwise the sign of the step from the previous
        point. So a turning point shared by a rising and a falling trend belongs to the run
        it *starts*.
    ``two_in_three`` (``ptd_two_in_three``, ``ptd_part_of_two_in_three``)
        Some window of three consecutive points containing the point has all three strictly on
        the same side of the mean and at least two of them close to a limit. Only points
        close to a limit are flagged, and a point *beyond* a process limit does not count as
        close: outside and near are exclusive.
    ``shift`` (``ptd_seven_point_one_side_mean``)
        Seven or more consecutive points strictly on the same side of the mean (a point on the
        mean breaks the run); every point of the run is flagged.

    The first rule that fires, in that order, names the point (``special_cause_type``, the
    package's own labels such as "2 in 3 Above CL"), and ``ptd_point_type`` orients it: above
    the mean or increasing is an improvement when the direction is "increase", a concern when
    it is "decrease", ``special_cause_neutral_high`` when neutral (likewise below/decreasing).
    As in the package, a "2 in 3" or "7 points" label takes its side from the point's own side
    of the mean, and a trend point whose step is 0 (where two trends touch at equal values)
    is labelled decreasing.

Short groups (``ptd_add_short_group_warnings``)
    A group with fewer than ``warning_threshold`` points has trial limits. The package's
    default threshold is 13 (``getOption("ptd_spc.warning_threshold", 13)``) although its
    warning says "n < 12"; we follow the code, so a 12-point group is a short group.

Summary (``summary.ptd_spc_df``, ``ptd_get_icons``, ``ptd_calculate_assurance_type``)
    Per group: mean, limits, n and the counts of common-cause, improvement and concern points.
    The variation icon is the type of the last point of the series, oriented by the direction
    as the package picks its icon files (``improvement_high`` for an increase, ``_low`` for a
    decrease, ...). Assurance compares the target with the last group's limits: a target above
    the upper limit is ``consistent_fail`` when higher is better and ``consistent_pass`` when
    lower is better, below the lower limit the reverse, else ``inconsistent`` (also when the
    group has no limits); ``None`` without a target or for a neutral direction.
"""

from __future__ import annotations

import math
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
SHORT_GROUP_THRESHOLD = 13
MIN_FIX_AFTER = 12
RULE_ORDER = ("outside_limits", "trend", "two_in_three", "shift")
VARIATION_ICONS = (
    "common_cause",
    "improvement_high",
    "improvement_low",
    "concern_high",
    "concern_low",
    "neutral_high",
    "neutral_low",
)
ASSURANCE_TYPES = ("consistent_pass", "consistent_fail", "inconsistent")

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


def _group_limits(y: np.ndarray, fix_after: int | None) -> dict:
    """Mean, AMR and limits of one rebase group (``ptd_spc_standard``)."""
    fixed = y if fix_after is None else y[:fix_after]
    mean = float(np.mean(fixed))
    mr = np.abs(np.diff(fixed))
    amr = float(mr.mean()) if mr.size else math.nan
    keep = mr < MR_SCREEN_FACTOR * amr
    amr = float(mr[keep].mean()) if keep.any() else math.nan
    half = LIMIT_FACTOR * amr
    near = NEAR_FRACTION * LIMIT_FACTOR * amr
    return {
        "mean": mean,
        "amr": amr,
        "lower": mean - half,
        "upper": mean + half,
        "near_lower": mean - near,
        "near_upper": mean + near,
        "screened_moving_ranges": int(mr.size - keep.sum()),
        "fixed_points": int(fixed.size),
    }


def _runs_of_seven(ends: np.ndarray) -> np.ndarray:
    """Points among the 7 ending at a flagged point (``ptd_part_of_seven_trend``)."""
    part = np.zeros(ends.size, dtype=bool)
    for i in np.flatnonzero(ends):
        part[max(0, i - RUN_LENGTH + 1) : i + 1] = True
    return part


def _trend_ends(y: np.ndarray) -> np.ndarray:
    """True at the last point of 7 strictly rising or falling points (``ptd_seven_point_trend``)."""
    ends = np.zeros(y.size, dtype=bool)
    if y.size < RUN_LENGTH:
        return ends
    steps = np.sign(np.diff(y))
    window = np.lib.stride_tricks.sliding_window_view(steps, RUN_LENGTH - 1)
    ends[RUN_LENGTH - 1 :] = np.all(window == 1, axis=1) | np.all(window == -1, axis=1)
    return ends


def _shift_ends(side: np.ndarray) -> np.ndarray:
    """True at the 7th or later point on one side (``ptd_seven_point_one_side_mean``)."""
    ends = np.zeros(side.size, dtype=bool)
    if side.size < RUN_LENGTH:
        return ends
    window = np.lib.stride_tricks.sliding_window_view(side, RUN_LENGTH)
    ends[RUN_LENGTH - 1 :] = (window[:, -1] != 0) & np.all(window == window[:, -1:], axis=1)
    return ends


def _two_in_three(close: np.ndarray, side: np.ndarray) -> np.ndarray:
    """``ptd_part_of_two_in_three(ptd_two_in_three(close, side), close)``."""
    padded_close = np.r_[0, 0, close.astype(int), 0, 0]
    padded_side = np.r_[0, 0, side, 0, 0]
    counts = np.lib.stride_tricks.sliding_window_view(padded_close, 3).sum(axis=1)
    sides = np.lib.stride_tricks.sliding_window_view(padded_side, 3).sum(axis=1)
    window_hit = (counts >= 2) & (np.abs(sides) == 3)  # windows starting at i-2 .. n+1
    in_hit = window_hit[:-2] | window_hit[1:-1] | window_hit[2:]
    return in_hit & close


def _trend_sign(y: np.ndarray, trend: np.ndarray) -> np.ndarray:
    """The trend direction of each point, right step when the next point shares the trend."""
    steps = np.sign(np.diff(y))
    right = np.r_[steps, steps[-1:]] if steps.size else np.zeros(1)
    left = np.r_[0.0, steps]
    with_next = np.r_[trend[1:], False] & trend
    return np.where(with_next, right, left)


def _special_cause_types(
    y: np.ndarray, side: np.ndarray, close: np.ndarray, outside: np.ndarray
) -> tuple[list[str], dict[str, np.ndarray]]:
    """NHSRplotthedots' label of every point of a group, and which rules fired."""
    rules = {
        "outside_limits": outside,
        "trend": _runs_of_seven(_trend_ends(y)),
        "two_in_three": _two_in_three(close, side),
        "shift": _runs_of_seven(_shift_ends(side)),
    }
    trend_sign = _trend_sign(y, rules["trend"])
    labels = []
    for i in range(y.size):
        above = "Above" if side[i] > 0 else "Below"
        if rules["outside_limits"][i]:
            labels.append("Above UCL" if side[i] == 1 else "Below LCL")
        elif rules["trend"][i]:
            labels.append(f"7 Point Trend ({'In' if trend_sign[i] == 1 else 'De'}creasing)")
        elif rules["two_in_three"][i]:
            labels.append(f"2 in 3 {above} CL")
        elif rules["shift"][i]:
            labels.append(f"7 Points {above} CL")
        else:
            labels.append("Common Cause")
    return labels, rules


def _point_type(special_cause_type: str, direction: str) -> str:
    """``ptd_point_type``: orient a label by the improvement direction."""
    high = any(word in special_cause_type for word in ("Above", "Increasing"))
    low = any(word in special_cause_type for word in ("Below", "Decreasing"))
    sign = 1 if high else -1 if low else 0
    if sign == 0:
        return "common_cause"
    if direction == "neutral":
        return "special_cause_neutral_high" if sign > 0 else "special_cause_neutral_low"
    sign *= 1 if direction == "increase" else -1
    return "special_cause_improvement" if sign > 0 else "special_cause_concern"


def variation_icon(point_type: str, direction: str) -> str:
    """The Making Data Count variation icon of a point type (``ptd_get_icons``)."""
    if point_type == "common_cause":
        return "common_cause"
    if point_type.startswith("special_cause_neutral_"):
        return point_type.removeprefix("special_cause_")
    higher_is_better = direction == "increase"
    if point_type == "special_cause_improvement":
        return "improvement_high" if higher_is_better else "improvement_low"
    return "concern_low" if higher_is_better else "concern_high"


def assurance_type(last: dict, direction: str, target: float | None) -> str | None:
    """``ptd_calculate_assurance_type`` for the last group's limits."""
    if target is None or direction == "neutral":
        return None
    increasing = direction == "increase"
    upper, lower = last["upper"], last["lower"]
    if upper is not None and target > upper:
        return "consistent_fail" if increasing else "consistent_pass"
    if lower is not None and target < lower:
        return "consistent_pass" if increasing else "consistent_fail"
    return "inconsistent"


def _group_ids(numbers: np.ndarray, rebase: Sequence[MonthLike]) -> np.ndarray:
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


def _check_options(target: float | None, fix_after_n_points: int | None) -> None:
    if target is not None and not np.isfinite(target):
        raise ValueError(f"the target {target!r} is not a finite number.")
    if fix_after_n_points is not None and (
        isinstance(fix_after_n_points, bool)
        or int(fix_after_n_points) != fix_after_n_points
        or fix_after_n_points < MIN_FIX_AFTER
    ):
        raise ValueError(
            f"fix_after_n_points {fix_after_n_points!r} must be a whole number of at least "
            f"{MIN_FIX_AFTER}, as NHSRplotthedots requires."
        )


def _judge_group(y: np.ndarray, fix_after: int | None) -> tuple[dict, list[str], dict]:
    lim = _group_limits(y, fix_after)
    side = np.sign(y - lim["mean"]).astype(int)
    if np.isfinite(lim["amr"]):
        outside = (y > lim["upper"]) | (y < lim["lower"])
        close = ~outside & ((y < lim["near_lower"]) | (y > lim["near_upper"]))
    else:  # no limits: R's NA comparisons never flag a point
        outside = close = np.zeros(y.size, dtype=bool)
    labels, rules = _special_cause_types(y, side, close, outside)
    rules["_close"], rules["_side"] = close, side
    return lim, labels, rules


def xmr(
    months: Sequence[MonthLike],
    values: Sequence[float],
    *,
    direction: str = "neutral",
    rebase: Sequence[MonthLike] = (),
    target: float | None = None,
    fix_after_n_points: int | None = None,
    warning_threshold: int = SHORT_GROUP_THRESHOLD,
) -> dict:
    """XmR chart of a monthly series, as NHSRplotthedots' ``ptd_spc`` computes it.

    Parameters
    ----------
    months : sequence of Timestamp, datetime.date or "YYYY-MM" str
        One month per value, in any order (they are sorted); gaps are allowed.
    values : sequence of float
        The measure for each month.
    direction : {"increase", "decrease", "neutral"}
        Which way is an improvement (``improvement_direction``).
    rebase : sequence of months
        Months (each present in the series) at which a new group starts, with its own mean,
        limits and rules (``rebase``).
    target : float, optional
        Target for the assurance of the last group (``target``).
    fix_after_n_points : int, optional
        Base each group's mean and limits on its first n points only (at least 12).
    warning_threshold : int
        Groups with fewer points have trial limits (``ptd_spc.warning_threshold``, 13).

    Returns
    -------
    dict
        ``segments``: one dict per rebase group with ``start``/``end`` ("YYYY-MM"), ``n``,
        ``mean``, ``amr`` (after screening), ``lower``/``upper`` (process limits),
        ``near_lower``/``near_upper``, ``trial_limits`` and its NHSRplotthedots name
        ``short_group_warning`` (fewer than ``warning_threshold`` points),
        ``screened_moving_ranges``, ``fixed_points`` (points the limits are based on), and the
        ``summary.ptd_spc_df`` columns ``common_cause``, ``special_cause_improvement``,
        ``special_cause_concern`` and ``variation_type`` (the group's last point type). Limits
        are ``None`` when the group has none.
        ``points``: per month ``month``, ``value``, ``segment``, ``relative_to_mean`` (-1, 0,
        1), ``outside_limits``, ``close_to_limits``, ``special_cause_type`` (the package's
        label), ``special_cause`` (flag), ``rules`` (every rule that fired, in the order
        outside_limits, trend, two_in_three, shift) and ``point_type``.
        ``assurance``: ``consistent_pass`` / ``consistent_fail`` / ``inconsistent`` or None.
        ``summary``: ``{"variation_icon": ..., "assurance": ...}`` in the package's vocabulary.
        ``variation``: the latest point's type in words, e.g. "common cause variation".
    """
    check_direction(direction)
    numbers, y = prepare_series(months, values)
    if y.size == 0:
        raise ValueError("the series has no values; an XmR chart needs at least one month.")
    _check_options(target, fix_after_n_points)
    group_of = _group_ids(numbers, rebase)
    segments: list[dict] = []
    points: list[dict] = []
    for group in np.unique(group_of):
        idx = np.flatnonzero(group_of == group)
        lim, labels, rules = _judge_group(y[idx], fix_after_n_points)
        types = [_point_type(label, direction) for label in labels]
        seg_index = len(segments)
        segments.append(
            {
                "start": month_label(numbers[idx[0]]),
                "end": month_label(numbers[idx[-1]]),
                "n": int(idx.size),
                **{
                    k: clean_float(v)
                    for k, v in lim.items()
                    if k not in ("screened_moving_ranges", "fixed_points")
                },
                "trial_limits": bool(idx.size < warning_threshold),
                "short_group_warning": bool(idx.size < warning_threshold),
                "screened_moving_ranges": lim["screened_moving_ranges"],
                "fixed_points": lim["fixed_points"],
                "common_cause": sum(label == "Common Cause" for label in labels),
                "special_cause_improvement": types.count("special_cause_improvement"),
                "special_cause_concern": types.count("special_cause_concern"),
                "variation_type": types[-1],
            }
        )
        for j, i in enumerate(idx):
            points.append(
                {
                    "month": month_label(numbers[i]),
                    "value": float(y[i]),
                    "segment": seg_index,
                    "relative_to_mean": int(rules["_side"][j]),
                    "outside_limits": bool(rules["outside_limits"][j]),
                    "close_to_limits": bool(rules["_close"][j]),
                    "special_cause_type": labels[j],
                    "special_cause": labels[j] != "Common Cause",
                    "rules": [name for name in RULE_ORDER if rules[name][j]],
                    "point_type": types[j],
                }
            )
    assurance = assurance_type(segments[-1], direction, target)
    latest = points[-1]["point_type"]
    return {
        "segments": segments,
        "points": points,
        "assurance": assurance,
        "summary": {"variation_icon": variation_icon(latest, direction), "assurance": assurance},
        "variation": _VARIATION_LABELS[latest],
    }
