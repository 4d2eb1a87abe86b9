"""XmR charts against NHSRplotthedots 0.2.2: hand-derived vectors and a transliteration.

Every expected number below is worked out by hand in the comments (2.66 and 3.267 are the
standard XmR constants; near limits are at 2/3 of the process-limit distance, 1.77333 AMR),
and each rule's test names the NHSRplotthedots function it follows. At the end, Hypothesis
compares :func:`xmr` point by point with ``tests/nhsr_transliteration.py``, a literal
transliteration of the package's R functions (commit 050b07d, release 0.2.2).
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rpgdash.stats.spc import xmr
from tests import nhsr_transliteration as nhsr


def monthly(values: list[float], start_year: int = 2016) -> list[str]:
    return [f"{start_year + i // 12}-{i % 12 + 1:02d}" for i in range(len(values))]


def chart(values: list[float], **kwargs) -> dict:
    return xmr(monthly(values), values, **kwargs)


def rules(result: dict) -> list[list[str]]:
    return [p["rules"] for p in result["points"]]


def flagged(result: dict, rule: str) -> list[int]:
    return [i for i, p in enumerate(result["points"]) if rule in p["rules"]]


# --- limits --------------------------------------------------------------------------------------


def test_limits_arithmetic():
    # y = 2, 4, 3, 5, 4: mean 18/5 = 3.6; moving ranges 2, 1, 2, 1 -> AMR 1.5
    # (screen at 3.267 * 1.5 = 4.9: none dropped); limits 3.6 +/- 2.66*1.5 = 3.6 +/- 3.99
    # near limits 3.6 +/- (2/3)*3.99 = 3.6 +/- 2.66
    seg = chart([2, 4, 3, 5, 4])["segments"][0]
    assert seg["n"] == 5 and seg["start"] == "2016-01" and seg["end"] == "2016-05"
    assert seg["mean"] == pytest.approx(3.6)
    assert seg["amr"] == pytest.approx(1.5)
    assert (seg["lower"], seg["upper"]) == pytest.approx((-0.39, 7.59))
    assert (seg["near_lower"], seg["near_upper"]) == pytest.approx((0.94, 6.26))
    assert seg["trial_limits"] is True


def test_moving_range_screening():
    # y = 10, 11 (x4 pairs), 10, 40: moving ranges eight 1s and one 30, mean 38/9 = 4.222;
    # screen limit 3.267 * 4.222 = 13.79, so 30 is dropped and AMR = 1.
    # mean = (5*10 + 4*11 + 40) / 10 = 13.4; limits 13.4 +/- 2.66
    seg = chart([10, 11, 10, 11, 10, 11, 10, 11, 10, 40])["segments"][0]
    assert seg["amr"] == pytest.approx(1.0)
    assert seg["screened_moving_ranges"] == 1
    assert seg["mean"] == pytest.approx(13.4)
    assert (seg["lower"], seg["upper"]) == pytest.approx((10.74, 16.06))


def test_moving_range_below_three_point_two_six_seven_times_mean_is_kept():
    # y = 0, 1, 0, 1, 0, 3: moving ranges 1, 1, 1, 1, 3, mean 7/5 = 1.4; 3.267 * 1.4 = 4.57 > 3
    seg = chart([0, 1, 0, 1, 0, 3])["segments"][0]
    assert seg["screened_moving_ranges"] == 0
    assert seg["amr"] == pytest.approx(1.4)


def test_single_point_segment_has_no_limits():
    result = chart([5.0])
    assert result["segments"][0]["amr"] is None and result["segments"][0]["upper"] is None
    assert result["points"][0]["point_type"] == "common_cause"


# --- outside_limits ------------------------------------------------------------------------------

BASE = [10, 12, 10, 12, 10]  # then v, then 10, 12, 10, 12


def with_spike(v: float) -> list[float]:
    return [*BASE, v, 10, 12, 10, 12]


def test_outside_limits_fires_above_upper_limit():
    # v = 26.1: mean (98 + 26.1)/10 = 12.41; moving ranges seven 2s and two 16.1s,
    # mean (14 + 32.2)/9 = 5.1333 (screen 16.77: none dropped); upper 12.41 + 2.66*5.1333
    # = 26.0647 < 26.1
    result = chart(with_spike(26.1), direction="increase")
    assert result["segments"][0]["upper"] == pytest.approx(26.064667, abs=1e-6)
    assert flagged(result, "outside_limits") == [5]
    assert result["points"][5]["point_type"] == "special_cause_improvement"
    assert [p["special_cause"] for p in result["points"]] == [i == 5 for i in range(10)]


def test_outside_limits_does_not_fire_just_inside():
    # v = 25.9: mean 12.39; moving ranges mean (14 + 31.8)/9 = 5.0889; upper 12.39 + 13.5364
    # = 25.9264 > 25.9
    result = chart(with_spike(25.9), direction="increase")
    assert result["segments"][0]["upper"] == pytest.approx(25.926444, abs=1e-6)
    assert flagged(result, "outside_limits") == []
    assert all(p["point_type"] == "common_cause" for p in result["points"])


@pytest.mark.parametrize(
    ("direction", "point_type"),
    [
        ("increase", "special_cause_improvement"),
        ("decrease", "special_cause_concern"),
        ("neutral", "special_cause_neutral_high"),
    ],
)
def test_point_type_depends_on_direction(direction, point_type):
    # v = 30: mean 12.8; moving ranges seven 2s and two 20s, mean 54/9 = 6; screen at 19.6
    # drops both 20s -> AMR 2; limits 12.8 +/- 5.32 = 7.48, 18.12; 30 is above
    result = chart(with_spike(30), direction=direction)
    assert result["segments"][0]["amr"] == pytest.approx(2.0)
    assert result["points"][5]["point_type"] == point_type
    assert result["points"][5]["rules"] == ["outside_limits"]


def test_low_point_types():
    # mirror of the spike (v = -6 around the same base): mean (98 - 6)/10 = 9.2; moving ranges
    # seven 2s, two 16s, mean 46/9 = 5.111, screen 16.70 keeps them; lower 9.2 - 13.596 = -4.396
    values = with_spike(-6)
    assert xmr(monthly(values), values, direction="increase")["points"][5]["point_type"] == (
        "special_cause_concern"
    )
    assert xmr(monthly(values), values, direction="decrease")["points"][5]["point_type"] == (
        "special_cause_improvement"
    )
    assert xmr(monthly(values), values)["points"][5]["point_type"] == "special_cause_neutral_low"


# --- shift ---------------------------------------------------------------------------------------


def test_shift_of_seven_points():
    # 7 below then 7 above: sum 34 + 51.5 = 85.5, mean 6.107; moving ranges twelve 2s and one
    # 2.5, AMR 26.5/13 = 2.038; near limits 6.107 -/+ 3.615 = 2.49, 9.72: every point is inside
    values = [4, 6, 4, 6, 4, 6, 4, 6.5, 8.5, 6.5, 8.5, 6.5, 8.5, 6.5]
    result = chart(values, direction="decrease")
    assert rules(result) == [["shift"]] * 14
    types = [p["point_type"] for p in result["points"]]
    assert types == ["special_cause_improvement"] * 7 + ["special_cause_concern"] * 7


def test_run_of_six_is_not_a_shift():
    # the same without the last point: 7 below (mean 79/13 = 6.077), only 6 above
    values = [4, 6, 4, 6, 4, 6, 4, 6.5, 8.5, 6.5, 8.5, 6.5, 8.5]
    assert flagged(chart(values), "shift") == list(range(7))


def test_point_on_the_mean_breaks_a_run():
    # sum 34 + 7 + 57 = 98 over 14 points: the mean is exactly 7, the 4th value. Without it,
    # the first 8 points would be one run below the mean. Moving ranges sum 25 over 13 ->
    # AMR 1.923, limits 7 +/- 5.115, near 7 +/- 3.410: no other rule can fire.
    values = [4, 6, 4, 7, 6, 4, 6, 4, 10, 9, 10, 9, 10, 9]
    result = chart(values)
    assert result["segments"][0]["mean"] == 7.0
    assert rules(result) == [[]] * 14
    # control: 6.9 instead of 7 puts it below the new mean (97.9/14 = 6.993): run of 8
    values[3] = 6.9
    assert flagged(chart(values), "shift") == list(range(8))


# --- trend ---------------------------------------------------------------------------------------


def test_trend_of_seven_rising_points():
    # 5,3,5,3 then 1..7 rising (6 rising differences) then 5,3,5,3.
    # mean 60/15 = 4; moving ranges sum 22 over 14 -> AMR 1.5714; limits 4 +/- 4.18,
    # near 4 +/- 2.787: 1 and 7 are beyond the near limits but alone, no side has a run of 7
    values = [5, 3, 5, 3, 1, 2, 3, 4, 5, 6, 7, 5, 3, 5, 3]
    result = chart(values, direction="increase")
    assert flagged(result, "trend") == list(range(4, 11))
    assert rules(result) == [[]] * 4 + [["trend"]] * 7 + [[]] * 4
    # a rising trend is "high" even for the points below the mean
    types = {p["point_type"] for p in result["points"][4:11]}
    assert types == {"special_cause_improvement"}


def test_six_rising_points_are_not_a_trend():
    # without the 7: only 5 rising differences. Mean 53/14 = 3.786, AMR 20/13 = 1.538,
    # near lower 3.786 - 2.728 = 1.058: 1 is beyond it but alone
    values = [5, 3, 5, 3, 1, 2, 3, 4, 5, 6, 5, 3, 5, 3]
    assert rules(chart(values)) == [[]] * 14


def test_equal_values_break_a_trend():
    # 1, 2, 3, 4, 4, 6, 7: the repeated 4 is a zero difference, leaving runs of 3 and 2
    values = [5, 3, 5, 3, 1, 2, 3, 4, 4, 6, 7, 5, 3, 5, 3]
    assert flagged(chart(values), "trend") == []


def test_rules_combine_and_first_rule_decides_the_type():
    # 1..7..1: mean 49/13 = 3.76923; every moving range is 1, AMR 1; limits 1.10923, 6.42923;
    # near limits 1.99590, 5.54256.
    #   outside: the two 1s (< 1.109) and the 7 (> 6.429)
    #   trend: everything (6 rising then 6 falling differences; the peak ends the rising run)
    #   two_in_three: windows (5,6,7), (6,7,6), (7,6,5) are above the mean with two or three
    #     points above 5.54 -> the 6, 7, 6 (indices 5, 6, 7); on the low side 1,2,3 has only
    #     one point below 1.996
    #   shift: 4,5,6,7,6,5,4 are 7 points above the mean (indices 3..9)
    values = [1, 2, 3, 4, 5, 6, 7, 6, 5, 4, 3, 2, 1]
    result = chart(values, direction="increase")
    seg = result["segments"][0]
    assert (seg["near_lower"], seg["near_upper"]) == pytest.approx((1.995897, 5.542564), abs=1e-6)
    o, t, tw, s = "outside_limits", "trend", "two_in_three", "shift"
    assert rules(result) == [
        [o, t],
        [t],
        [t],
        [t, s],
        [t, s],
        [t, tw, s],
        # ptd_two_in_three counts close_to_limits, which excludes points outside the limits:
        # the 7 is outside, so it is not part of the 2-in-3 pattern of the 6s around it
        [o, t, s],
        [t, tw, s],
        [t, s],
        [t, s],
        [t],
        [t],
        [o, t],
    ]
    imp, con = "special_cause_improvement", "special_cause_concern"
    # ptd_special_cause_type: index 0 outside and low -> concern; 1-5 rising trend; 6 outside
    # and high; 7-11 falling trend (the 6 at index 7 is high, but trend comes before
    # two_in_three and shift)
    assert [p["point_type"] for p in result["points"]] == [con] + [imp] * 6 + [con] * 6


# --- two in three --------------------------------------------------------------------------------


def two_in_three_series(third: float) -> list[float]:
    # alternating -1, 1 (sum 0), then 5, 1, third, then -5, -1, -third, then 1, -1 (sum 0)
    return [-1, 1] * 6 + [5, 1, third] + [-5, -1, -third] + [1, -1] * 6


def test_two_in_three_fires():
    # mean 0. Moving ranges: 22 (eleven 2s) + 4 + 4 + 4 + 10 + 4 + 4 + 6 + 22 = 80 over 29,
    # mean 2.7586, screen at 9.012 drops the 10 -> AMR 70/28 = 2.5; near limits +/- 4.4333,
    # limits +/- 6.65. 5, 1, 5 are above the mean with two beyond 4.43 -> the two 5s (12, 14);
    # likewise -5, -1, -5 (15, 17). The window 1, 5, 1 before them has only one.
    result = chart(two_in_three_series(5), direction="decrease")
    seg = result["segments"][0]
    assert seg["amr"] == pytest.approx(2.5) and seg["near_upper"] == pytest.approx(4.433333)
    assert flagged(result, "two_in_three") == [12, 14, 15, 17]
    assert [i for i, p in enumerate(result["points"]) if p["special_cause"]] == [12, 14, 15, 17]
    assert result["points"][12]["point_type"] == "special_cause_concern"
    assert result["points"][15]["point_type"] == "special_cause_improvement"


def test_two_in_three_needs_two_beyond_the_near_limit():
    # third point 4: moving ranges 22+4+4+3+9+4+3+5+22 = 76, mean 2.6207, screen 8.562 drops
    # the 9 -> AMR 67/28 = 2.392857, near limit (2/3)*2.66*2.392857 = 4.243333: the 4 is
    # inside, so each window has only one point beyond it
    result = chart(two_in_three_series(4))
    assert result["segments"][0]["near_upper"] == pytest.approx(4.243333, abs=1e-6)
    assert rules(result) == [[]] * 30


def test_two_in_three_needs_all_three_on_one_side():
    # 5, -0.5, 5: two points beyond the near limit but the middle one is below the mean
    # (mean 0; moving ranges 86 over 29, screen 9.69 drops the 10, AMR 76/28 = 2.714, near
    # limit 4.813 < 5)
    values = [-1, 1] * 6 + [5, -0.5, 5] + [-5, 0.5, -5] + [1, -1] * 6
    result = chart(values)
    assert result["segments"][0]["near_upper"] == pytest.approx(2.66 * 2 / 3 * 76 / 28)
    assert flagged(result, "two_in_three") == []


# --- rebase, trial limits, assurance, variation --------------------------------------------------


def test_rebase_gives_each_segment_its_own_limits():
    # 1,3,1,3,1,3 (mean 2, AMR 2) then 11,13,... (mean 12, AMR 2); the jump 3 -> 11 is not a
    # moving range of either segment
    values = [1, 3, 1, 3, 1, 3, 11, 13, 11, 13, 11, 13]
    result = chart(values, rebase=["2016-07"])
    first, second = result["segments"]
    assert (first["start"], first["end"], second["start"], second["end"]) == (
        "2016-01",
        "2016-06",
        "2016-07",
        "2016-12",
    )
    assert (first["mean"], first["amr"], second["mean"], second["amr"]) == (2, 2, 12, 2)
    assert (second["lower"], second["upper"]) == pytest.approx((6.68, 17.32))
    assert [p["segment"] for p in result["points"]] == [0] * 6 + [1] * 6
    assert all(p["point_type"] == "common_cause" for p in result["points"])
    # without the rebase, one segment: mean 84/12 = 7, moving ranges ten 2s and the 8,
    # AMR 28/11 = 2.545 (screen 8.32 keeps the 8); near limits 7 -/+ 1.77333*2.545 = 2.486,
    # 11.514, so the 1s (low side) and the 13s (high side) make two-in-three patterns
    single = chart(values)
    assert len(single["segments"]) == 1
    assert single["segments"][0]["amr"] == pytest.approx(28 / 11)
    assert flagged(single, "two_in_three") == [0, 2, 4, 7, 9, 11]


def test_rebase_month_must_be_in_the_series():
    with pytest.raises(ValueError, match="rebase month 2017-01 has no value"):
        chart([1, 2, 3], rebase=["2017-01"])


def test_short_group_warning_below_thirteen_points():
    # ptd_add_short_group_warnings: n() < getOption("ptd_spc.warning_threshold", 13), so a
    # 12-point group is short (the package's message says "n < 12"; its code uses 13)
    twelve, thirteen = chart([1, 2] * 6), chart([1, 2] * 6 + [1])
    assert twelve["segments"][0]["short_group_warning"] is True
    assert twelve["segments"][0]["trial_limits"] is True
    assert thirteen["segments"][0]["short_group_warning"] is False
    assert chart([1, 2] * 6, warning_threshold=12)["segments"][0]["trial_limits"] is False


@pytest.mark.parametrize(
    ("direction", "target", "assurance"),
    [
        # ptd_calculate_assurance_type. y = 10, 12 x 6: mean 11, AMR 2, limits 5.68 and 16.32
        ("decrease", 17, "consistent_pass"),
        ("decrease", 5, "consistent_fail"),
        ("decrease", 11, "inconsistent"),
        ("increase", 5, "consistent_pass"),
        ("increase", 17, "consistent_fail"),
        ("increase", 16.32 - 1e-9, "inconsistent"),
        ("neutral", 17, None),
        ("increase", None, None),
    ],
)
def test_assurance(direction, target, assurance):
    result = chart([10, 12] * 6, direction=direction, target=target)
    assert result["assurance"] == assurance
    assert result["summary"]["assurance"] == assurance


def test_assurance_uses_the_last_segment():
    values = [10, 12] * 6 + [30, 32] * 6
    # first segment limits 5.68..16.32, second 25.68..36.32: target 20 is below the last
    result = chart(values, direction="increase", target=20, rebase=["2017-01"])
    assert result["assurance"] == "consistent_pass"


def test_variation_label_describes_the_latest_point():
    assert chart([10, 12] * 6)["variation"] == "common cause variation"
    spike = [10, 12] * 6 + [30]
    assert chart(spike, direction="increase")["variation"] == "special cause improvement"
    assert chart(spike, direction="decrease")["variation"] == "special cause concern"
    assert chart(spike)["variation"] == "special cause variation (high)"


def test_points_carry_month_and_value_in_month_order():
    result = xmr(["2016-03", "2016-01", "2016-02"], [3.0, 1.0, 2.0])
    assert [(p["month"], p["value"]) for p in result["points"]] == [
        ("2016-01", 1.0),
        ("2016-02", 2.0),
        ("2016-03", 3.0),
    ]


# --- conventions NHSRplotthedots fixes (changed from our earlier ones) ---------------------------


def test_moving_range_equal_to_the_screen_is_dropped():
    # ptd_spc_standard keeps a moving range only when mr < 3.267 * amr (strictly).
    # y = 0, 748, 0, ..., 0, 749, 4016: moving ranges eight 748s, one 749 and 3267; their
    # mean is 10000/10 = 1000 and 3.267 * 1000 = 3267 exactly, so the 3267 is dropped and
    # AMR = 6733/9 = 748.111. mean = (4*748 + 749 + 4016)/11 = 705.18
    result = chart([0, 748, 0, 748, 0, 748, 0, 748, 0, 749, 4016])
    seg = result["segments"][0]
    assert seg["screened_moving_ranges"] == 1
    assert seg["amr"] == pytest.approx(6733 / 9)
    assert seg["upper"] == pytest.approx(7757 / 11 + 2.66 * 6733 / 9)
    # upper 2695.16 < 4016: the last point is outside the limits
    assert result["points"][-1]["special_cause_type"] == "Above UCL"


def test_a_point_beyond_a_limit_is_not_close_to_it():
    # ptd_spc_standard: close_to_limits = !outside_limits & beyond a near limit;
    # ptd_two_in_three counts close_to_limits only.
    # -1, 1 x 6, then 6, 1, 9, then -6, -1, -9, then 1, -1 x 6: mean 0; moving ranges
    # 22 + 5 + 5 + 8 + 15 + 5 + 8 + 10 + 22 = 100 over 29, screen 3.267 * 3.448 = 11.27 drops
    # the 15 -> AMR 85/28 = 3.0357; limits +/- 8.075, near +/- 5.383. In 6, 1, 9 the 6 is close
    # and the 9 outside: one close point, no 2-in-3 (we used to flag the 6).
    values = [-1, 1] * 6 + [6, 1, 9] + [-6, -1, -9] + [1, -1] * 6
    result = chart(values)
    seg = result["segments"][0]
    assert (seg["amr"], seg["upper"]) == pytest.approx((85 / 28, 8.075))
    assert result["points"][12]["close_to_limits"] is True
    assert result["points"][14]["outside_limits"] is True
    assert result["points"][14]["close_to_limits"] is False
    flagged_points = [(i, p["special_cause_type"]) for i, p in enumerate(result["points"])]
    assert [f for f in flagged_points if f[1] != "Common Cause"] == [
        (14, "Above UCL"),
        (17, "Below LCL"),
    ]


def test_turning_point_of_two_trends_belongs_to_the_run_it_starts():
    # ptd_special_cause_type: "if a point is part of a trend either side, use right side".
    # 0, 20 x 3, then 4..10 rising (indices 6-12), then 9..4 falling (12-18), then 20, 0 x 3.
    # mean 208/25 = 8.32; moving ranges sum 244 over 24, AMR 10.17 (none screened at 33.2),
    # limits -18.72 and 35.36: nothing is outside. The peak 10 (index 12) ends the rising run
    # and starts the falling one: it is labelled decreasing.
    values = [0, 20, 0, 20, 0, 20, 4, 5, 6, 7, 8, 9, 10, 9, 8, 7, 6, 5, 4, 20, 0, 20, 0, 20, 0]
    result = chart(values, direction="increase")
    types = [p["special_cause_type"] for p in result["points"]]
    assert types[6:12] == ["7 Point Trend (Increasing)"] * 6
    assert types[12:19] == ["7 Point Trend (Decreasing)"] * 7
    assert types[:6] == types[19:] == ["Common Cause"] * 6
    assert result["points"][12]["point_type"] == "special_cause_concern"


def test_fix_after_n_points_bases_the_limits_on_the_first_points():
    # ptd_spc_standard: fix_y = y for row_number() <= fix_after_n_points, NA after.
    # 10, 12 x 6 then 30, 32 x 3: the first 12 give mean 11, AMR 2, limits 5.68 and 16.32,
    # so all six later points are above the upper limit.
    values = [10, 12] * 6 + [30, 32] * 3
    fixed = chart(values, direction="increase", fix_after_n_points=12)
    seg = fixed["segments"][0]
    assert (seg["mean"], seg["amr"], seg["fixed_points"]) == (11, 2, 12)
    assert (seg["lower"], seg["upper"]) == pytest.approx((5.68, 16.32))
    assert [p["special_cause_type"] for p in fixed["points"][12:]] == ["Above UCL"] * 6
    # without fixing: mean (132 + 186)/18 = 17.67; moving ranges sixteen 2s and one 18,
    # AMR 50/17 = 2.94 (screen at 9.6 drops the 18 -> 32/16 = 2)
    free = chart(values, direction="increase")["segments"][0]
    assert free["mean"] == pytest.approx(318 / 18) and free["amr"] == pytest.approx(2.0)


@pytest.mark.parametrize("bad", [11, 12.5, True, 0])
def test_fix_after_n_points_must_be_twelve_or_more(bad):
    # ptd_spc_options: "fix_after_n_points must be a single numeric that is greater than or
    # equal to 12."
    with pytest.raises(ValueError, match="at least 12"):
        chart([1, 2] * 8, fix_after_n_points=bad)


def test_constant_series_has_no_limits_and_inconsistent_assurance():
    # ptd_spc_standard: every moving range is 0, and 0 < 3.267 * 0 is FALSE, so all are
    # screened out and AMR = mean(numeric(0)) = NaN; NA limits flag nothing.
    # ptd_calculate_assurance_type: target > NA is NA, so case_when falls to "inconsistent".
    result = chart([5.0] * 14, direction="increase", target=3)
    seg = result["segments"][0]
    assert seg["amr"] is None and seg["upper"] is None and seg["lower"] is None
    assert all(p["point_type"] == "common_cause" for p in result["points"])
    assert result["summary"] == {"variation_icon": "common_cause", "assurance": "inconsistent"}


@pytest.mark.parametrize(
    ("values", "direction", "icon"),
    [
        # ptd_get_icons: the last point's type, and the icon file by improvement direction.
        # [10, 12] x 6 + [30]: mean 162/13 = 12.46, moving ranges eleven 2s and 18, AMR 40/12
        # = 3.33 (screen 10.9 drops the 18 -> 2); upper 12.46 + 5.32 = 17.78 < 30
        ([10, 12] * 6 + [30], "increase", "improvement_high"),
        ([10, 12] * 6 + [30], "decrease", "concern_high"),
        ([10, 12] * 6 + [30], "neutral", "neutral_high"),
        # the mirror: [10, 12] x 6 + [-8]: mean 9.54, lower 9.54 - 5.32 = 4.22 > -8
        ([10, 12] * 6 + [-8], "increase", "concern_low"),
        ([10, 12] * 6 + [-8], "decrease", "improvement_low"),
        ([10, 12] * 6 + [-8], "neutral", "neutral_low"),
        ([10, 12] * 6, "increase", "common_cause"),
    ],
)
def test_variation_icon_of_the_latest_point(values, direction, icon):
    assert chart(values, direction=direction)["summary"]["variation_icon"] == icon


def test_group_summary_counts():
    # summary.ptd_spc_df: per rebase group n, common_cause (n - flagged), improvement and
    # concern counts, and variation_type (the group's last point type). Spike example above:
    # the mean 12.46 is above every 10 and 12, so the first 12 points are a run below it
    # (ptd_seven_point_one_side_mean): twelve concerns when higher is better, and the 30 is
    # the one improvement.
    seg = chart([10, 12] * 6 + [30], direction="increase")["segments"][0]
    assert (seg["n"], seg["common_cause"], seg["special_cause_improvement"]) == (13, 0, 1)
    assert (seg["special_cause_concern"], seg["variation_type"]) == (
        12,
        "special_cause_improvement",
    )


# --- point by point against the transliteration of NHSRplotthedots -------------------------------


def _same(a: float | None, b: float) -> bool:
    if a is None:
        return math.isnan(b)
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


@st.composite
def zigzag(draw, n: int) -> list[float]:
    """Rising and falling runs of 1 to 9 steps (some of 0), so 7-point trends and shared
    turning points are common."""
    values = [float(draw(st.integers(0, 10)))]
    sign = draw(st.sampled_from([-1, 1]))
    while len(values) < n:
        for _ in range(draw(st.integers(1, 9))):
            values.append(values[-1] + sign * draw(st.sampled_from([0, 1, 1, 2, 3])))
        sign = -sign
    return values[:n]


@st.composite
def spc_cases(draw):
    n = draw(st.integers(1, 45))
    small = st.integers(0, 4).map(float)  # ties, runs and steps of 0 are common
    wide = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)
    kind = draw(st.sampled_from(["small", "mixed", "zigzag"]))
    if kind == "zigzag":
        values = draw(zigzag(n))
    else:
        element = small if kind == "small" else st.one_of(small, wide)
        values = draw(st.lists(element, min_size=n, max_size=n))
    flags = [0] + [int(draw(st.integers(0, 15)) == 0) for _ in range(n - 1)]
    direction = draw(st.sampled_from(["increase", "decrease", "neutral"]))
    fix = draw(st.sampled_from([None, None, 12, 14]))
    target = draw(st.one_of(st.none(), st.floats(-5, 10, allow_nan=False)))
    return values, flags, direction, fix, target


@settings(deadline=None)  # examples: the Hypothesis profile (tests/conftest.py)
@given(spc_cases())
def test_matches_nhsrplotthedots_point_by_point(case):
    # tests/nhsr_transliteration.py: ptd_spc, ptd_calculate_assurance_type, ptd_get_icons and
    # summary.ptd_spc_df transliterated from NHSRplotthedots 0.2.2 (commit 050b07d)
    values, flags, direction, fix, target = case
    ms = monthly(values)
    rebase = [m for m, f in zip(ms, flags, strict=True) if f]
    ours = xmr(
        ms, values, direction=direction, rebase=rebase, target=target, fix_after_n_points=fix
    )
    rows = nhsr.ptd_spc(values, flags, direction, target, fix)
    for point, row in zip(ours["points"], rows, strict=True):
        seg = ours["segments"][point["segment"]]
        assert _same(seg["mean"], row["mean_col"])
        assert _same(seg["lower"], row["lpl"]) and _same(seg["upper"], row["upl"])
        assert point["special_cause_type"] == row["special_cause_type"]
        assert point["point_type"] == row["point_type"]
        assert point["special_cause"] == row["special_cause_flag"]
        assert seg["short_group_warning"] == row["short_group_warning"]
    groups = nhsr.summary(rows)
    assert len(groups) == len(ours["segments"])
    for seg, group in zip(ours["segments"], groups, strict=True):
        for key in ("n", "common_cause", "special_cause_improvement", "special_cause_concern"):
            assert seg[key] == group[key]
        assert seg["variation_type"] == group["variation_type"]
    assert ours["summary"] == {
        "variation_icon": nhsr.variation_icon(rows, direction),
        "assurance": nhsr.ptd_calculate_assurance_type(rows, direction, target),
    }


def test_transliteration_on_a_hand_vector():
    # the transliteration itself is checked against the hand-derived 2-in-3 example above
    values = [-1, 1] * 6 + [6, 1, 9] + [-6, -1, -9] + [1, -1] * 6
    rows = nhsr.ptd_spc(values, [0] * 30)
    labels = [r["special_cause_type"] for r in rows]
    assert labels[14] == "Above UCL" and labels[17] == "Below LCL"
    assert labels.count("Common Cause") == 28
    assert rows[0]["upl"] == pytest.approx(8.075)
