"""The rank, quartile and change conventions of rpgdash.benchmarks.compute."""

from __future__ import annotations

import pandas as pd
import pytest

from rpgdash.benchmarks.compute import (
    Comparison,
    compute_benchmark,
    default_from,
    quartile_band,
    rank_of,
)
from rpgdash.benchmarks.measures import period_error, period_label


def test_ties_share_the_better_rank():
    # R: rank(c(5, 3, 3, 7), ties.method = "min") gives 3 1 1 4
    assert [
        rank_of(v, [5, 3, 3, 7][:i] + [5, 3, 3, 7][i + 1 :], "decrease")
        for i, v in enumerate([5, 3, 3, 7])
    ] == [3, 1, 1, 4]
    # R: rank(-c(5, 3, 3, 7), ties.method = "min") gives 2 3 3 1 (higher is better)
    assert [
        rank_of(v, [5, 3, 3, 7][:i] + [5, 3, 3, 7][i + 1 :], "increase")
        for i, v in enumerate([5, 3, 3, 7])
    ] == [2, 3, 3, 1]
    assert rank_of(5, [3, 7], "neutral") is None


@pytest.mark.parametrize(
    ("rank", "n", "band"),
    # 152 authorities in quarters of 38: A = ranks 1-38, B = 39-76, C = 77-114, D = 115-152.
    [
        (1, 152, "A"),
        (38, 152, "A"),
        (39, 152, "B"),
        (76, 152, "B"),
        (77, 152, "C"),
        (114, 152, "C"),
        (115, 152, "D"),
        (152, 152, "D"),
        (1, 1, "A"),
        (3, 11, "A"),
        (4, 11, "B"),
        (11, 11, "D"),
        (None, 11, None),
    ],
)
def test_quartile_bands_are_quarters_of_the_ranking(rank, n, band):
    assert quartile_band(rank, n) == band


def test_a_tie_with_the_authority_and_a_change_computed_from_the_same_rows():
    values = pd.DataFrame(
        {
            "area_id": [1, 2, 3, 4, 1, 2, 3, 4],
            "period": ["2018"] * 4 + ["2019"] * 4,
            "value": [6.0, 6.0, 8.0, 9.0, 0.4, 5.0, 8.1, float("nan")],
        }
    )
    who = Comparison(
        authority=1, neighbours=[2, 3], region=None, england=4, all_authorities=[1, 2, 3]
    )
    periods, change = compute_benchmark(values, who, "decrease")
    assert periods[0]["rank"] == 1 and periods[0]["of"] == 3  # tied with area 2: both rank 1
    assert periods[0]["quartile"] == "A"
    assert periods[1]["quartile"] == "A" and periods[1]["rank"] == 1
    assert periods[1]["england"] is None  # NaN is missing, never zero
    assert change == {
        "from": "2018",
        "to": "2019",
        "value": pytest.approx(-5.6),
        "neighbours_median": pytest.approx((-1.0 + 0.1) / 2),
        "rank": 1,
        "of": 3,
    }


def test_the_change_starts_at_the_rpg_start_year_by_default():
    assert default_from(["2014", "2015", "2016"], 2015) == "2015"
    assert default_from(["201415", "201516", "201617"], 2015) == "201516"
    assert default_from(["2013", "2014", "2017"], 2015) == "2014"
    assert default_from(["2017", "2018"], 2015) == "2017"


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("2018", True),
        ("201819", True),
        ("199900", True),
        ("201820", False),
        ("18/19", False),
        ("1890", False),
    ],
)
def test_time_periods(text, ok):
    assert (period_error(text) is None) == ok


def test_year_spans_are_shown_with_a_dash():
    assert period_label("201819") == "2018-19" and period_label("2018") == "2018"
