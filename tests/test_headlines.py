"""Headline figures, default change points and the shaping of series results."""

from __future__ import annotations

import pandas as pd

import rpgdash
from rpgdash import queries
from rpgdash.present import headlines
from rpgdash.series import its_overlay, month_options, spc_frames, window


def test_workforce_changes_first_to_latest_year(demo_db) -> None:
    changes = headlines.workforce_changes(queries.workforce(demo_db)).set_index("measure")
    assert changes.loc["Agency staffing", ["first", "latest", "change"]].tolist() == [
        14.0,
        0.0,
        -14.0,
    ]
    assert changes.loc["Vacancies", "change"] == -5.6
    assert set(changes["first_year"]) == {2015} and set(changes["latest_year"]) == {2018}


def test_comparison_rows_do_not_enter_the_local_authority_change() -> None:
    frame = pd.DataFrame(
        {
            "site": ["LA", "LA", "England", "England"],
            "kind": ["local_authority"] * 2 + ["national"] * 2,
            "year": [2015, 2018, 2015, 2018],
            "measure": ["Turnover"] * 4,
            "value": [15.0, 14.9, 16.0, 17.0],
        }
    )
    assert headlines.workforce_changes(frame)["change"].tolist() == [-0.1]


def test_default_change_point_falls_back_to_the_facilitator_change(demo_db) -> None:
    events = queries.events(demo_db)
    cp = queries.indicator_series(demo_db, "Children subject to a child protection plan")
    # Only Oct 2015 precedes the RPG start (Nov 2015): too few, so Jan 2017 is used.
    assert headlines.default_change_point(cp["month"], events) == "2017-01"
    longer = pd.Series(pd.date_range("2014-01-01", "2018-12-01", freq="MS"))
    assert headlines.default_change_point(longer, events) == "2015-11"
    short = pd.Series(pd.date_range("2016-06-01", "2017-06-01", freq="MS"))
    assert headlines.default_change_point(short, events) is None


def test_domain_headlines_count_improved_and_significant(demo_db) -> None:
    table = rpgdash.compare_waves(demo_db)
    heads = {h.domain: h for h in headlines.domain_headlines(table, "All roles")}
    assert (heads["professional"].improved, heads["professional"].significant) == (8, 2)
    assert (heads["relationships"].improved, heads["relationships"].significant) == (4, 4)
    assert (heads["self_efficacy"].improved, heads["self_efficacy"].significant) == (6, 0)
    other = {h.domain: h for h in headlines.domain_headlines(table, "Other")}
    assert all(h.suppressed for h in other.values())


def test_timeline_phases_have_an_end_after_their_start(demo_db) -> None:
    phases = headlines.timeline_phases(queries.events(demo_db))
    assert (phases["end"] > phases["start"]).all()
    fieldwork = phases[phases["label"] == "+3 years survey fieldwork"].iloc[0]
    assert (fieldwork["start"], fieldwork["end"]) == (
        pd.Timestamp("2018-11-01"),
        pd.Timestamp("2019-03-31"),
    )


def test_series_helpers(demo_db) -> None:
    series = queries.indicator_series(demo_db, "Referrals")
    assert month_options([series])[0] == "2015-12"
    part = window(series, "2016-01", "2016-12")
    assert len(part) == 12
    result = rpgdash.analyse_trend(demo_db, "Referrals", change_point="2017-01")
    points, segments = spc_frames(result)
    assert len(points) == len(series) and points["month"].iloc[0] == pd.Timestamp("2015-12-01")
    assert segments["start"].iloc[0] == pd.Timestamp("2015-12-01")
    overlay = its_overlay(result)
    assert len(overlay["months_pre"]) == result["its"]["n_pre"]
    assert len(overlay["counterfactual"]) == len(overlay["months_post"]) == result["its"]["n_post"]


def test_the_default_change_point_is_explained_from_the_data() -> None:
    events = pd.DataFrame(
        {
            "event_date": pd.to_datetime(["2015-11-01", "2017-01-01"]),
            "label": ["RPGs start", "Facilitator change"],
        }
    )
    from_oct = pd.Series(pd.date_range("2015-10-01", "2018-12-01", freq="MS"))
    assert headlines.describe_default_change_point(from_oct, events) == (
        "Jan 2017, the facilitator change: the RPG start (Nov 2015) has only 1 month before "
        "it, and an interrupted time series needs 8."
    )
    from_dec = from_oct[2:]
    assert "the RPG start (Nov 2015) has no months before it" in (
        headlines.describe_default_change_point(from_dec, events)
    )
    early = pd.Series(pd.date_range("2014-01-01", "2018-12-01", freq="MS"))
    assert headlines.describe_default_change_point(early, events) == "Nov 2015, the RPG start."
    short = from_oct[:12]
    assert headlines.describe_default_change_point(short, events) == (
        "No change point: the RPG start (Nov 2015) has only 1 month before it and the "
        "facilitator change (Jan 2017) falls after the last month, and an interrupted time "
        "series needs 8."
    )
