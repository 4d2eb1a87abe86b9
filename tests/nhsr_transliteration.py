"""A literal Python transliteration of NHSRplotthedots 0.2.2, for tests only.

Source: github.com/nhs-r-community/NHSRplotthedots at commit
050b07d7eacc011767532732f69b8fd7d6a28fd3 (release 0.2.2), files R/ptd_spc_standard.R
(ptd_spc_standard), R/ptd_calculate_point_type.R (ptd_seven_point_one_side_mean,
ptd_part_of_seven_trend, ptd_seven_point_trend, ptd_two_in_three, ptd_part_of_two_in_three,
ptd_special_cause_type, ptd_point_type), R/ptd_add_short_group_warnings.R,
R/ptd_calculate_assurance_type.R, R/geom_ptd_icon.R (ptd_get_icons) and R/ptd_spc.R
(summary.ptd_spc_df).

It is written to be read side by side with the R: 1-based indices are kept (``r[i]`` is R's
``v[[i]]``), R's NA is ``NA`` (a float NaN) with R's three-valued logic for ``&``, ``|``,
comparisons and ``case_when`` (an NA condition counts as FALSE). It is deliberately slow and
loop-by-loop, sharing no code with ``rpgdash.stats.spc``.
"""

from __future__ import annotations

import math
import operator

NA = math.nan


def is_na(x: float) -> bool:
    return isinstance(x, float) and math.isnan(x)


# --- R's three-valued logic, elementwise on scalars ---------------------------------------------
def r_and(a, b):
    if a is False or b is False or a == 0 and not is_na(a) or b == 0 and not is_na(b):
        return False
    if is_na(a) or is_na(b):
        return NA
    return True


def r_or(a, b):
    if (not is_na(a) and bool(a)) or (not is_na(b) and bool(b)):
        return True
    if is_na(a) or is_na(b):
        return NA
    return False


def r_not(a):
    return NA if is_na(a) else not a


def r_cmp(a, b, op):
    if is_na(a) or is_na(b):
        return NA
    return op(a, b)


def r_sum(xs):
    total = 0.0
    for x in xs:
        if is_na(x):
            return NA
        total += float(x)
    return total


def r_mean_na_rm(xs):
    kept = [x for x in xs if not is_na(x)]
    return math.fsum(kept) / len(kept) if kept else NA  # mean(numeric(0)) is NaN


def r_abs(x):
    return NA if is_na(x) else abs(x)


def r_sign(x):
    return NA if is_na(x) else float((x > 0) - (x < 0))


def case_true(cond) -> bool:
    """A case_when condition: NA counts as FALSE."""
    return not is_na(cond) and bool(cond)


# --- R/ptd_spc_standard.R: ptd_spc_standard, for one (facet, rebase_group) ----------------------
def ptd_spc_standard_group(y, fix_after_n_points=None, screen_outliers=True):
    limit = 2.66
    limitclose = 2 * (limit / 3)
    n = len(y)
    fix = math.inf if fix_after_n_points is None else fix_after_n_points
    fix_y = [y[i] if (i + 1) <= fix else NA for i in range(n)]
    mean_col = r_mean_na_rm(fix_y)
    mr = [NA] + [
        NA if is_na(a) or is_na(b) else abs(b - a) for a, b in zip(fix_y, fix_y[1:], strict=False)
    ]
    amr = r_mean_na_rm(mr)
    mr = [
        m if not screen_outliers else (m if case_true(r_cmp(m, 3.267 * amr, operator.lt)) else NA)
        for m in mr
    ]
    amr = r_mean_na_rm(mr)
    lpl = mean_col - limit * amr
    upl = mean_col + limit * amr
    nlpl = mean_col - limitclose * amr
    nupl = mean_col + limitclose * amr
    rows = []
    for v in y:
        outside = r_or(r_cmp(v, upl, operator.gt), r_cmp(v, lpl, operator.lt))
        rtm = r_sign(v - mean_col)
        close = r_and(
            r_not(outside), r_or(r_cmp(v, nlpl, operator.lt), r_cmp(v, nupl, operator.gt))
        )
        rows.append(
            {
                "y": v,
                "mean_col": mean_col,
                "lpl": lpl,
                "upl": upl,
                "outside_limits": outside,
                "relative_to_mean": rtm,
                "close_to_limits": close,
            }
        )
    return rows


# --- R/ptd_calculate_point_type.R ---------------------------------------------------------------
def ptd_seven_point_one_side_mean(v):
    vp = [None] + [0.0] * 6 + list(v)  # vp[1] is R's vp[[1]]
    out = []
    for i in range(7, len(v) + 7):
        out.append(float(all(vp[i] == vp[i - k] for k in range(1, 7)) and vp[i] != 0))
    return out


def ptd_part_of_seven_trend(v):
    vp = [None] + list(v) + [0.0] * 6
    return [float(any(abs(vp[i + k]) == 1 for k in range(7))) for i in range(1, len(v) + 1)]


def ptd_seven_point_trend(y):
    if len(y) < 7:
        return [0.0] * len(y)
    r = [None] + list(y)
    out = [0.0] * 6
    for i in range(7, len(y) + 1):
        window = [r[i - k] for k in range(7)]  # y[i - 0:6]
        d = [
            r_sign(b - a) * -1 for a, b in zip(window, window[1:], strict=False)
        ]  # sign(diff(.)) * -1
        out.append(1.0 if all(x == 1 for x in d) else -1.0 if all(x == -1 for x in d) else 0.0)
    return out


def ptd_two_in_three(v, rtm):
    if len(v) == 0:
        return []
    vp = [None, 0.0, 0.0] + [NA if is_na(x) else float(x) for x in v] + [0.0, 0.0]
    rtmp = [None, 0.0, 0.0] + list(rtm) + [0.0, 0.0]
    out = []
    for i in range(1, len(v) + 1):
        parts = []
        for lo in (0, 1, 2):
            s = r_sum(vp[i + lo + k] for k in range(3))
            s_rtm = r_sum(rtmp[i + lo + k] for k in range(3))
            parts.append(
                r_and(
                    r_cmp(s, 2.0, operator.ge),
                    r_cmp(r_abs(s_rtm), 3.0, operator.eq),
                )
            )
        out.append(r_or(r_or(parts[0], parts[1]), parts[2]))  # `||` on scalars
    return [NA if is_na(x) else float(x) for x in out]


def ptd_part_of_two_in_three(v, x):
    # as.numeric(v == 1 & abs(x) == 1)
    out = []
    for a, b in zip(v, x, strict=True):
        b = NA if is_na(b) else float(b)
        res = r_and(r_cmp(a, 1.0, operator.eq), r_cmp(r_abs(b), 1.0, operator.eq))
        out.append(NA if is_na(res) else float(res))
    return out


def ptd_special_cause_type(y, relative_to_mean, close_to_limits, outside_limits):
    part_seven_point_trend = ptd_part_of_seven_trend(ptd_seven_point_trend(y))
    part_two_in_three = ptd_part_of_two_in_three(
        ptd_two_in_three(close_to_limits, relative_to_mean), close_to_limits
    )
    part_seven_point_one_side_mean = ptd_part_of_seven_trend(
        ptd_seven_point_one_side_mean(relative_to_mean)
    )
    n = len(y)
    sdy = [r_sign(b - a) for a, b in zip(y, y[1:], strict=False)]
    right = sdy + sdy[-1:]  # c(sdy, utils::tail(sdy, 1))
    left = [0.0] + sdy  # c(0, sdy)
    shifted = part_seven_point_trend[1:] + [0.0]  # c(part_seven_point_trend[-1], 0)
    sdy = [right[i] if (shifted[i] and part_seven_point_trend[i]) else left[i] for i in range(n)]
    out = []
    for i in range(n):
        above_or_below = "Above" if relative_to_mean[i] > 0 else "Below"
        if case_true(
            r_cmp(
                float(outside_limits[i]) if not is_na(outside_limits[i]) else NA, 0.0, operator.ne
            )
        ):
            out.append("Above UCL" if relative_to_mean[i] == 1 else "Below LCL")
        elif case_true(part_seven_point_trend[i] != 0):
            out.append("7 Point Trend (" + ("In" if sdy[i] == 1 else "De") + "creasing)")
        elif case_true(r_cmp(part_two_in_three[i], 0.0, operator.ne)):
            out.append("2 in 3 " + above_or_below + " CL")
        elif case_true(part_seven_point_one_side_mean[i] != 0):
            out.append("7 Points " + above_or_below + " CL")
        else:
            out.append("Common Cause")
    return out


def ptd_point_type(special_cause_type, improvement_direction):
    out = []
    for s in special_cause_type:
        v = (
            1
            if ("Above" in s or "Increasing" in s)
            else -1
            if ("Below" in s or "Decreasing" in s)
            else 0
        )
        if improvement_direction == 0:
            out.append(
                "special_cause_neutral_high"
                if v > 0
                else "special_cause_neutral_low"
                if v < 0
                else "common_cause"
            )
        else:
            v = v * improvement_direction
            out.append(
                "special_cause_improvement"
                if v > 0
                else "special_cause_concern"
                if v < 0
                else "common_cause"
            )
    return out


# --- R/ptd_spc.R: ptd_spc.data.frame and summary.ptd_spc_df, one facet --------------------------
def ptd_spc(
    y,
    rebase_flags,
    improvement_direction="increase",
    target=None,
    fix_after_n_points=None,
    warning_threshold=13,
):
    """``y`` in date order; ``rebase_flags[i]`` is 1 at a rebase date (ptd_add_rebase_column)."""
    direction = {"increase": 1, "neutral": 0, "decrease": -1}[improvement_direction]
    rebase_group, acc = [], 0
    for flag in rebase_flags:  # cumsum(.data$rebase)
        acc += flag
        rebase_group.append(acc)
    rows = []
    for g in sorted(set(rebase_group)):
        ys = [v for v, rg in zip(y, rebase_group, strict=True) if rg == g]
        std = ptd_spc_standard_group(ys, fix_after_n_points)
        sct = ptd_special_cause_type(
            ys,
            [r["relative_to_mean"] for r in std],
            [r["close_to_limits"] for r in std],
            [r["outside_limits"] for r in std],
        )
        pt = ptd_point_type(sct, direction)
        for r, s, p in zip(std, sct, pt, strict=True):
            r.update(
                rebase_group=g,
                special_cause_type=s,
                special_cause_flag=s != "Common Cause",
                point_type=p,
                short_group_warning=len(ys) < warning_threshold,
            )
            rows.append(r)
    return rows


def ptd_calculate_assurance_type(rows, improvement_direction, target):
    if target is None or improvement_direction == "neutral":
        return None
    d = rows[-1]  # slice_tail(n = 1)
    is_increasing = improvement_direction == "increase"
    if case_true(r_cmp(float(target), d["upl"], operator.gt)):
        return "consistent_fail" if is_increasing else "consistent_pass"
    if case_true(r_cmp(float(target), d["lpl"], operator.lt)):
        return "consistent_pass" if is_increasing else "consistent_fail"
    return "inconsistent"


def variation_icon(rows, improvement_direction):
    """ptd_get_icons: the icon file name (without .svg) for the last point."""
    x = rows[-1]["point_type"]
    return {
        "common_cause": "common_cause",
        "special_cause_neutral_high": "neutral_high",
        "special_cause_neutral_low": "neutral_low",
        "special_cause_concern": "concern_"
        + ("low" if improvement_direction == "increase" else "high"),
        "special_cause_improvement": "improvement_"
        + ("high" if improvement_direction == "increase" else "low"),
    }[x]


def summary(rows):
    """summary.ptd_spc_df, one facet: one dict per rebase group."""
    out = []
    for g in sorted({r["rebase_group"] for r in rows}):
        grp = [r for r in rows if r["rebase_group"] == g]
        out.append(
            {
                "mean_col": grp[0]["mean_col"],
                "lpl": grp[0]["lpl"],
                "upl": grp[0]["upl"],
                "n": len(grp),
                "common_cause": len(grp) - sum(r["special_cause_flag"] for r in grp),
                "special_cause_improvement": sum(
                    r["point_type"] == "special_cause_improvement" for r in grp
                ),
                "special_cause_concern": sum(
                    r["point_type"] == "special_cause_concern" for r in grp
                ),
                "variation_type": grp[-1]["point_type"],
            }
        )
    return out
