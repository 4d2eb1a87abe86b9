"""Sentences generated from the statistics agree with the numbers they summarise."""

from __future__ import annotations

import math

import pandas as pd
import pytest

import rpgdash
from rpgdash.present import indicators, narrative


def _rows(means_a, means_b, significant, *, suppressed=None, agree=None):
    n = len(means_a)
    return pd.DataFrame(
        {
            "domain": ["professional"] * n,
            "role": ["All roles"] * n,
            "statement": [f"Statement {i}" for i in range(n)],
            "wave_a": ["+1 year"] * n,
            "wave_b": ["+3 years"] * n,
            "mean_a": means_a,
            "mean_b": means_b,
            "diff": [b - a for a, b in zip(means_a, means_b, strict=True)],
            "significant": significant,
            "significant_holm": [False] * n,
            "suppressed": suppressed or [None] * n,
            "pct_agree_b": agree or [60.0] * n,
        }
    )


def test_all_above_neutral_and_two_significant() -> None:
    rows = _rows([2.4, 2.6, 3.0], [2.6, 3.1, 3.2], [False, True, True])
    assert narrative.domain_summary(rows) == (
        "At +3 years, all 3 statements have a mean above the 2.5 midpoint, and all 3 statements "
        "have more than half of staff agreeing (% agree 60%). All 3 were more agreed with than "
        "at +1 year; 2 improved significantly at the 95% level (Mann-Whitney U test, two-sided; "
        "not adjusted for testing many statements)."
    )


def test_mean_and_agree_share_can_disagree_and_both_are_said() -> None:
    # Counts 0, 6, 0, 4 (issue 11): mean 2.8 but only 40% agree.
    rows = _rows([2.5, 2.6], [2.8, 3.0], [False, False], agree=[40.0, 70.0])
    text = narrative.domain_summary(rows)
    assert text.startswith(
        "At +3 years, all 2 statements have a mean above the 2.5 midpoint, and 1 of the 2 "
        "statements has more than half of staff agreeing (% agree 40% to 70%)."
    )
    assert "more agreed than disagreed" not in text


def test_exceptions_are_named_and_holm_is_said() -> None:
    rows = _rows([2.1, 2.6], [2.2, 2.9], [False, True])
    text = narrative.domain_summary(rows, use_holm=True)
    assert text.startswith("At +3 years, 1 of the 2 statements has a mean above the 2.5 midpoint")
    assert "below the midpoint: “Statement 0”" in text
    assert "no change was statistically significant" in text
    assert "Holm-adjusted for testing many statements" in text


def test_a_fall_is_reported_as_a_fall() -> None:
    rows = _rows([3.0, 3.0], [2.0, 3.1], [True, False])
    text = narrative.domain_summary(rows)
    assert "1 of 2 was more agreed with" in text and "1 fell significantly" in text
    assert "The one" not in narrative.domain_summary(rows.iloc[:1])
    assert "It was not more agreed with than at +1 year" in narrative.domain_summary(rows.iloc[:1])


def test_a_suppressed_group_gets_no_numbers() -> None:
    rows = _rows([math.nan], [math.nan], [None], suppressed=["fewer than 5 respondents"])
    text = narrative.domain_summary(rows)
    assert "not shown" in text and not any(ch.isdigit() for ch in text)


@pytest.mark.parametrize("domain", ["professional", "self_efficacy", "relationships"])
@pytest.mark.parametrize("role", ["All roles", "Team manager", "Social worker"])
def test_summary_counts_match_the_engine_on_the_demo(demo_db, domain, role) -> None:
    rows = rpgdash.compare_waves(demo_db, role=role, domain=domain)
    text = narrative.domain_summary(rows)
    above, total = int((rows["mean_b"] > 2.5).sum()), len(rows)
    significant = int((rows["significant"].astype(bool) & (rows["diff"] > 0)).sum())
    if above == total:
        assert f"all {total} statements have a mean above the 2.5 midpoint" in text
    else:
        assert f"{above} of the {total} statements" in text
    if significant:
        assert f"{significant} improved significantly" in text
    else:
        assert "no change was statistically significant" in text


def test_p_values_and_months_read_naturally() -> None:
    assert narrative.format_p(0.0004) == "p < 0.001"
    assert narrative.format_p(0.0421) == "p = 0.042"
    assert narrative.format_p(float("nan")) == "p not available"
    assert narrative.month_label("2017-01") == "Jan 2017"


def test_trend_sentence_uses_the_engine_numbers(demo_db) -> None:
    result = rpgdash.analyse_trend(demo_db, "Children subject to a child protection plan")
    text = indicators.trend_sentence(result, unit="children")
    slope = result["ols"]["slope_per_month"]
    assert f"fell by about {abs(slope):.1f} children a month on a straight-line" in text
    assert text.startswith("From Oct 2015 to Dec 2018 (39 months)")
    assert narrative.format_p(result["mann_kendall"]["p_value"]) in text


def test_scan_sentence_says_whether_the_month_stands_out() -> None:
    scan = [
        {"month": f"2016-{m:02d}", "level_change": change, "level_ci": [None, None]}
        for m, change in zip(range(1, 7), [1.0, -5.0, 2.0, 0.5, -3.0, 2.5], strict=True)
    ]
    largest = {"change_point": "2016-02", "sensitivity": scan}
    assert indicators.scan_sentence(largest, unit="cases") == (
        "Tried at each month with at least 6 months on each side, the level change at Feb 2016 "
        "(-5.00 cases) is the largest of the 6: it stands out from the other months tried."
    )
    small = {"change_point": "2016-04", "sensitivity": scan}
    assert indicators.scan_sentence(small, unit="cases").endswith(
        "is number 6 of 6 by size: 5 other months give larger changes, so the change at this "
        "month does not stand out."
    )
    assert (
        indicators.scan_sentence({"change_point": "2017-01", "sensitivity": scan}, unit="x") is None
    )
