"""The SPC chart's finding and the 'recalculate limits from this event' candidates."""

from __future__ import annotations

import pandas as pd

from rpgdash.series import rebase_suggestions, spc_finding
from rpgdash.stats.spc import xmr


def monthly(n: int, start_year: int = 2016) -> list[str]:
    return [f"{start_year + i // 12}-{i % 12 + 1:02d}" for i in range(n)]


def events(*rows: tuple[str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "event_date": pd.to_datetime([d for d, _ in rows]),
            "end_date": pd.NaT,
            "label": [label for _, label in rows],
            "kind": "intervention",
        }
    )


# 10, 12 x 6 then 14, 16 x 4: mean (132 + 120)/20 = 12.6; moving ranges eighteen 2s and the
# step 12 -> 14 (2) -> AMR 2; limits 12.6 +/- 5.32 (7.28 to 17.92), so nothing is outside, but
# the first 12 points are all below the mean and the last 8 all above: two shifts.
SHIFTED = [10, 12] * 6 + [14, 16] * 4


def test_finding_names_runs_and_the_latest_month():
    spc = xmr(monthly(20), SHIFTED, direction="increase")
    assert spc_finding("Visits", spc) == (
        "Visits: concern Jan 2016 to Dec 2016, improvement Jan 2017 to Aug 2017; "
        "latest month improvement"
    )


def test_finding_without_special_cause():
    spc = xmr(monthly(12), [10, 12] * 6)
    assert spc_finding("Visits", spc) == "Visits: common cause variation throughout (12 months)"


def test_finding_counts_single_months():
    spc = xmr(monthly(13), [10, 12, 11] * 4 + [30], direction="decrease")
    # mean (132 + 30)/13 = 12.46: the first 12 points are all below it, a shift (lower is
    # better: improvement); moving ranges sum 15 over 11 plus the 19, which the screen
    # (3.267 * 34/12 = 9.26) drops, AMR 15/11 = 1.36, upper limit 16.09: the 30 is outside,
    # a single month of concern
    assert spc_finding("X", spc) == (
        "X: improvement Jan 2016 to Dec 2016, 1 single month of special cause; latest month concern"
    )


def test_rebase_offered_after_an_event_followed_by_a_shift():
    spc = xmr(monthly(20), SHIFTED, direction="increase")
    found = rebase_suggestions(
        spc,
        events(
            ("2016-06-15", "Before"), ("2017-01-01", "Facilitator change"), ("2019-01-01", "Later")
        ),
    )
    # both events inside the series are followed by shift points in the same segment; the
    # later one falls after the series
    assert found == [
        {"label": "Before", "month": "2016-06"},
        {"label": "Facilitator change", "month": "2017-01"},
    ]
    # once the chart is rebased there, it is not offered again
    rebased = xmr(monthly(20), SHIFTED, direction="increase", rebase=["2017-01"])
    assert {"label": "Facilitator change", "month": "2017-01"} not in rebase_suggestions(
        rebased, events(("2017-01-01", "Facilitator change"))
    )


def test_no_rebase_offered_without_a_shift_or_trend():
    spc = xmr(monthly(12), [10, 12] * 6)
    assert rebase_suggestions(spc, events(("2016-06-01", "Change"))) == []
    assert rebase_suggestions(spc, events()) == []


def test_an_event_in_a_gap_offers_the_next_month():
    months = [m for m in monthly(20) if m != "2017-01"]
    values = [v for m, v in zip(monthly(20), SHIFTED, strict=True) if m != "2017-01"]
    spc = xmr(months, values, direction="increase")
    assert rebase_suggestions(spc, events(("2017-01-01", "Change"))) == [
        {"label": "Change", "month": "2017-02"}
    ]


def test_survey_fieldwork_is_not_offered():
    spc = xmr(monthly(20), SHIFTED, direction="increase")
    fieldwork = events(("2016-06-01", "Survey fieldwork"))
    fieldwork["kind"] = "survey"
    assert rebase_suggestions(spc, fieldwork) == []
