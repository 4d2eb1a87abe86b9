"""The one number formatter (rpgdash.present.format) and the survey domain registry."""

import datetime as dt
import math

import pandas as pd
import pytest

from rpgdash import db as rpg_db
from rpgdash.present import domains
from rpgdash.present import format as fmt


@pytest.mark.parametrize(
    ("p", "expected"),
    [
        (0.0, "p < 0.001"),
        (1e-12, "p < 0.001"),
        (0.000999, "p < 0.001"),
        (0.001, "p = 0.001"),
        (0.0423, "p = 0.042"),
        (1.0, "p = 1.000"),
        (None, "p not available"),
        (math.nan, "p not available"),
        (pd.NA, "p not available"),
    ],
)
def test_p_value_never_reads_zero(p, expected):
    assert fmt.p_value(p) == expected


def test_p_value_bare_for_table_cells():
    assert fmt.p_value(0.0, prefix=False) == "< 0.001"
    assert fmt.p_value(0.25, prefix=False) == "0.250"
    assert fmt.p_value(None, prefix=False) == fmt.MISSING


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (40.0, "40%"),
        (14.94, "15%"),
        (0.0, "0%"),
        (0.4, "0.4%"),  # would round to 0 without being 0
        (99.6, "99.6%"),  # would round to 100 without being 100
        (100.0, "100%"),
        (None, "–"),
        (math.nan, "–"),
    ],
)
def test_percent_one_rule_for_decimals(value, expected):
    assert fmt.percent(value) == expected


def test_proportion_and_counts():
    assert fmt.proportion(0.4) == "40%"
    assert fmt.count(1234) == "1,234"
    assert fmt.count(None) == "–"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((2.14, 2.58), "2.1 to 2.6"),
        ((-0.34, 1.2), "-0.3 to 1.2"),
        ((None, 2.0), "–"),
    ],
)
def test_interval(args, expected):
    assert fmt.interval(*args) == expected


def test_signed_interval_and_pairs():
    assert fmt.interval(-0.34, 1.2, signed=True) == "-0.3 to +1.2"
    assert fmt.interval_of((0.641, 0.872), 2) == "0.64 to 0.87"
    assert fmt.interval_of(None) == "–"


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (0.5, "points", "+0.5 points"),
        (-3.0, "children", "-3.0 children"),
        (0.04, "points", "no change"),
        (-0.04, "points", "no change"),
        (None, "points", "–"),
    ],
)
def test_change_has_sign_and_unit(value, unit, expected):
    assert fmt.change(value, unit) == expected


def test_number_has_no_negative_zero():
    assert fmt.number(-0.04) == "0.0"
    assert fmt.signed_number(-0.04) == "0.0"
    assert fmt.number(-1234.56, 1) == "-1,234.6"


@pytest.mark.parametrize(
    "value",
    [
        "2018-12",
        "2018-12-01",
        pd.Timestamp("2018-12-17"),
        dt.date(2018, 12, 3),
        pd.Period("2018-12"),
    ],
)
def test_month(value):
    assert fmt.month(value) == "Dec 2018"


def test_dates_and_timestamps():
    assert fmt.date("2015-10-01 00:00:00") == "1 Oct 2015"
    assert fmt.timestamp(pd.Timestamp("2026-11-30 14:05:59.123")) == "30 Nov 2026, 14:05"
    assert fmt.timestamp(None) == "–"
    assert fmt.text(None) == "–" and fmt.text(math.nan) == "–" and fmt.text("x") == "x"


def test_headers():
    assert fmt.human_header("point_type") == "Point type"
    assert fmt.is_readable_header("Uploaded")
    assert not fmt.is_readable_header("uploaded_at")


def test_domain_registry_matches_the_schema():
    assert domains.KEYS == rpg_db.DOMAINS
    for d in domains.DOMAINS:
        assert d.title and d.intro and d.words and d.page.startswith("pages/")
    assert domains.title("self_efficacy") == "Self-efficacy"
    assert domains.title("new_set") == "New set"


def test_every_domain_page_exists_and_uses_the_registry():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    for d in domains.DOMAINS:
        source = (root / d.page).read_text()
        assert f'domain_page("{d.key}")' in source


@pytest.mark.parametrize(
    ("k", "n", "expected"), [(4, 4, "all 4"), (0, 4, "none"), (3, 4, "3 of 4"), (1, 1, "1 of 1")]
)
def test_share(k, n, expected):
    assert fmt.share(k, n) == expected
