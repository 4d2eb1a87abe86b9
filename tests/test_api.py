"""The analyst API: compare_waves and analyse_trend over the database."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import rpgdash
from rpgdash import queries
from rpgdash.demo import init_demo
from rpgdash.stats import COMPARISON_COLUMNS, add_all_roles, compare_levels


@pytest.fixture(scope="module")
def three_sites(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return init_demo(tmp_path_factory.mktemp("sites") / "three.duckdb", scale=3)


@pytest.mark.parametrize("site", [None, "Demo local authority 002"])
def test_fast_path_equals_the_long_format_engine(three_sites: Path, site) -> None:
    # compare_waves pivots counts in numpy; compare_levels takes the long per-level counts.
    # Both must give identical frames (every column, every row, same order).
    with rpgdash.open_db(three_sites, read_only=True) as db:
        fast = rpgdash.compare_waves(db, site=site)
        data = queries.survey_counts(db, site=site)
    slow = compare_levels(
        add_all_roles(data.levels, label="All roles"),
        wave_a="+1 year",
        wave_b="+3 years",
        group_sizes=data.sizes,
        min_group=5,
    )
    pd.testing.assert_frame_equal(fast, slow)
    assert list(fast.columns) == COMPARISON_COLUMNS


def test_site_filter_counts_only_that_site(three_sites: Path) -> None:
    with rpgdash.open_db(three_sites, read_only=True) as db:
        one = rpgdash.compare_waves(db, site="Demo local authority 001", role="All roles")
        every = rpgdash.compare_waves(db, role="All roles")
        unknown = rpgdash.compare_waves(db, site="No such place")
    assert (one["n_b"] < every["n_b"]).all()
    assert unknown.empty


def test_domain_and_role_filters(demo_db) -> None:
    rows = rpgdash.compare_waves(demo_db, domain="relationships", role="Team manager")
    assert len(rows) == 4 and set(rows["role"]) == {"Team manager"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"waves": "+1 year"}, "Give exactly two waves"),
        ({"waves": ["+1 year", "Baseline"]}, "no comparable wave called 'Baseline'"),
        ({"role": "Chief executive"}, "no job role called 'Chief executive'"),
    ],
)
def test_bad_requests_are_explained(demo_db, kwargs, message) -> None:
    with pytest.raises(ValueError, match=message):
        rpgdash.compare_waves(demo_db, **kwargs)


def test_analyse_trend_uses_the_stored_direction_and_window(demo_db) -> None:
    whole = rpgdash.analyse_trend(demo_db, "Referrals")
    part = rpgdash.analyse_trend(demo_db, "Referrals", start="2016-01", end="2016-12")
    assert (whole["n"], part["n"]) == (37, 12)
    assert part["start"] == "2016-01" and part["end"] == "2016-12"
    with pytest.raises(ValueError, match="no indicator called"):
        rpgdash.analyse_trend(demo_db, "Nothing")
