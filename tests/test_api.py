"""The analyst API: compare_waves and analyse_trend over the database."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

import rpgdash
from rpgdash import api, queries
from rpgdash.stats import COMPARISON_COLUMNS, add_all_roles, compare_levels
from tests.conftest import add_copied_wave

# One xdist worker runs this file: the three-site demo (about 5 s to build) is built by one worker
# for this file and test_stats_ordinal.py.
pytestmark = pytest.mark.xdist_group("three_sites")


@pytest.fixture(scope="module")
def three_sites(three_site_demo_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Path(shutil.copy(three_site_demo_path, tmp_path_factory.mktemp("sites")))


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


# --- cached results (api keeps each site's comparisons, keyed on the data) ------------------


@pytest.fixture(scope="module")
def three_waves(three_site_demo_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The three-site demo with a third comparable wave (the +3 years answers, one changed)."""
    path = Path(
        shutil.copy(three_site_demo_path, tmp_path_factory.mktemp("waves") / "waves.duckdb")
    )
    with rpgdash.open_db(path) as db, db.transaction() as cur:
        add_copied_wave(cur, score="CASE WHEN r.respondent_id % 7 = 0 THEN 4 ELSE r.score END")
    return path


def _every_role_the_old_way(db, site, pair, monkeypatch) -> pd.DataFrame:
    """compare_waves as it was before the caches: the pivot, the engine, statsmodels fits
    (it, too, computed every role of the site and kept the one asked for)."""
    from rpgdash.stats import compare_level_matrix, ordinal, ordinal_many

    with monkeypatch.context() as patch:
        patch.setattr(ordinal, "_bfgs", ordinal._statsmodels_bfgs)
        patch.setattr(
            ordinal_many,
            "fit_wave_models",
            lambda problems: [ordinal.fit_wave_model(*p) for p in problems],
        )
        ordinal.clear_model_cache()
        groups, a, b, sizes = queries.paired_level_counts(
            db, wave_a=pair[0], wave_b=pair[1], site=site
        )
        every = compare_level_matrix(
            groups, a, b, wave_a=pair[0], wave_b=pair[1], group_sizes=sizes, min_group=5
        )
        ordinal.clear_model_cache()
    return every


def test_cached_comparisons_equal_the_old_path_for_every_role_site_and_pair(
    three_waves: Path, monkeypatch
) -> None:
    rpgdash.api.clear_results()
    pairs = [("+1 year", "+3 years"), ("+1 year", "+5 years"), ("+3 years", "+5 years")]
    checked = 0
    with rpgdash.open_db(three_waves, read_only=True) as db:
        roles = ["All roles", *queries.roles(db)]
        for site in [None, *queries.site_names(db)]:
            for pair in pairs:
                every = _every_role_the_old_way(db, site, pair, monkeypatch)
                for role in roles:
                    fast = rpgdash.compare_waves(db, site=site, role=role, waves=pair)
                    slow = every[every["role"] == role].reset_index(drop=True)
                    pd.testing.assert_frame_equal(fast, slow, check_exact=False, rtol=1e-12)
                    checked += fast["wave_odds_ratio"].notna().sum()
    assert checked > 50  # the models were compared, not only blanks


def test_a_role_is_looked_up_and_a_write_by_any_connection_is_seen(
    writable_demo: Path, monkeypatch
) -> None:
    from rpgdash import api

    computed = []
    engine = api.compare_level_matrix
    monkeypatch.setattr(
        api, "compare_level_matrix", lambda *a, **k: computed.append(1) or engine(*a, **k)
    )
    with rpgdash.open_db(writable_demo) as db:
        before = rpgdash.compare_waves(db, role="Team manager", model=False)
        again = rpgdash.compare_waves(db, role="Social worker", model=False)
        assert len(computed) == 1 and set(again["role"]) == {"Social worker"}
        with rpgdash.open_db(writable_demo) as other, other.transaction() as cur:
            cur.execute("UPDATE responses SET score = 4 WHERE score = 1")
        after = rpgdash.compare_waves(db, role="Team manager", model=False)
    assert len(computed) == 2
    assert (after["pct_agree_b"] >= before["pct_agree_b"]).all()
    assert not after["mean_b"].equals(before["mean_b"])


def test_callers_cannot_change_the_cached_frames(demo_db) -> None:
    first = rpgdash.compare_waves(demo_db, model=False)
    first["mean_b"] = 0.0
    models = rpgdash.compare_domains(demo_db)
    models["n"] = -1
    assert (rpgdash.compare_waves(demo_db, model=False)["mean_b"].dropna() > 0).all()
    assert (rpgdash.compare_domains(demo_db)["n"] > 0).all()


def test_a_site_is_offered_and_compared_on_the_waves_it_took_part_in(
    three_waves: Path, tmp_path: Path
) -> None:
    """Issue 11 (a second site with a third wave): a site with no answers in the latest wave
    compares its own first and latest waves by default, not a wave it has no answers in."""
    import shutil

    path = tmp_path / "missed.duckdb"
    shutil.copy(three_waves, path)
    missed = "Demo local authority 002"
    with rpgdash.open_db(path) as db:
        with db.transaction() as cur:
            gone = (
                "SELECT respondent_id FROM respondents JOIN sites USING (site_id) "
                "JOIN waves USING (wave_id) WHERE name = $s AND label = '+5 years'"
            )
            cur.execute(f"DELETE FROM responses WHERE respondent_id IN ({gone})", {"s": missed})
            cur.execute(f"DELETE FROM respondents WHERE respondent_id IN ({gone})", {"s": missed})
        assert api.comparable_waves(db) == ["+1 year", "+3 years", "+5 years"]
        assert api.comparable_waves(db, missed) == ["+1 year", "+3 years"]
        assert api.default_wave_pair(db, missed) == ("+1 year", "+3 years")
        assert api.default_wave_pair(db, "Demo local authority") == ("+1 year", "+5 years")
        comps = rpgdash.compare_waves(db, site=missed)
        assert set(comps["wave_b"]) == {"+3 years"}
        assert comps["n_b"].sum() > 0
        # Asked for explicitly, any comparable wave is still allowed.
        asked = rpgdash.compare_waves(db, site=missed, waves=("+1 year", "+5 years"))
        assert set(asked["wave_b"]) == {"+5 years"}
        # A site with answers in fewer than two waves falls back to the database's pair.
        assert api.default_wave_pair(db, "No such site") == ("+1 year", "+5 years")
