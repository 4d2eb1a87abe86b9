"""The board pack's summary: statuses come from the overview panel's cards, the summary page
only lays them out (the same words, icons and sentences as the panel)."""

from __future__ import annotations

import html
import re
from types import SimpleNamespace

import pandas as pd
import pytest

from rpgdash import queries
from rpgdash.present.overview import (
    ADJUSTED,
    BASELINE_CAVEAT,
    ILLUSTRATIVE_CAVEAT,
    NO_CAUSE,
    Status,
    build_overview_panel,
    domain_status,
    indicator_status,
    themes_line,
    workforce_status,
)
from rpgdash.report import cache

pytestmark = pytest.mark.xdist_group("report")

WAVES = ("+1 year", "+2 years")


def _statements(diffs: list[float], holm: list[bool], hidden: bool = False) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "diff": diffs,
            "significant_holm": holm,
            "suppressed": ["fewer than 5 responses" if hidden else None] * len(diffs),
        }
    )


@pytest.mark.parametrize(
    ("diffs", "holm", "status", "counts"),
    [
        ([0.3, 0.1, -0.1], [True, False, False], Status.IMPROVING, (2, 1, 0)),
        ([0.3, -0.4, 0.1], [True, True, False], Status.CONCERN, (2, 1, 1)),
        ([0.3, -0.4, 0.1], [False, False, False], Status.NO_CLEAR_CHANGE, (2, 0, 0)),
    ],
)
def test_a_survey_set_is_judged_on_adjusted_significance(diffs, holm, status, counts) -> None:
    got, sentence = domain_status("All roles", _statements(diffs, holm), WAVES)
    more, better, worse = counts
    assert got is status
    assert sentence == (
        f"{more} of 3 statements more agreed with at +2 years than at +1 year; {better} "
        f"improved and {worse} worsened by an amount that is {ADJUSTED}."
    )


def test_a_hidden_survey_set_has_not_enough_data() -> None:
    got, sentence = domain_status("Team manager", _statements([0.2], [True], hidden=True), WAVES)
    assert got is Status.NOT_ENOUGH_DATA
    assert "Not shown for Team manager" in sentence


def _trend(per_year: float, p: float) -> dict:
    return {
        "ols": {"slope_per_year": per_year},
        "mann_kendall": {"p_value": p},
        "start": "2015-12",
        "end": "2018-12",
    }


@pytest.mark.parametrize(
    ("per_year", "p", "direction", "status"),
    [
        (-30.0, 0.001, "decrease", Status.IMPROVING),
        (-30.0, 0.001, "increase", Status.CONCERN),
        (12.0, 0.01, "decrease", Status.CONCERN),
        (12.0, 0.01, "neither", Status.NO_CLEAR_CHANGE),
        (-30.0, 0.2, "decrease", Status.NO_CLEAR_CHANGE),
    ],
)
def test_an_indicator_is_judged_on_its_trend_and_better_direction(
    per_year, p, direction, status
) -> None:
    got, sentence = indicator_status(_trend(per_year, p), "referrals", direction)
    assert got is status
    if p < 0.05:
        word = "Falling" if per_year < 0 else "Rising"
        assert sentence.startswith(f"{word} by about {abs(per_year):.0f} referrals a year")
    else:
        assert sentence.startswith("No clear upward or downward trend")
    assert "Mann-Kendall" not in sentence and "p " not in sentence


@pytest.mark.parametrize(
    ("measure", "first", "latest", "years", "status"),
    [
        ("Turnover", 20.0, 10.0, (2015, 2018), Status.IMPROVING),
        ("Sickness", 4.0, 6.5, (2015, 2018), Status.CONCERN),
        ("Vacancies", 10.0, 10.5, (2015, 2018), Status.NO_CLEAR_CHANGE),
        ("Turnover", 10.0, 10.0, (2018, 2018), Status.NOT_ENOUGH_DATA),
    ],
)
def test_a_workforce_measure_needs_a_move_of_a_point(measure, first, latest, years, status):
    row = SimpleNamespace(
        measure=measure,
        first=first,
        latest=latest,
        change=latest - first,
        first_year=years[0],
        latest_year=years[1],
    )
    got, sentence = workforce_status(row)
    assert got is status
    assert sentence.startswith(f"{latest:g}% in {years[1]}")


def test_themes_are_judged_at_the_latest_wave() -> None:
    themes = pd.DataFrame(
        {
            "wave": ["+1 year", "+2 years", "+2 years", "+2 years"],
            "wave_order": [1, 2, 2, 2],
            "polarity": ["negative", "positive", "positive", "negative"],
        }
    )
    line = themes_line(themes)
    assert line.status is Status.IMPROVING
    assert line.sentence == (
        "At +2 years, 2 of 3 themes from interviews and focus groups were positive and 1 negative."
    )
    assert themes_line(themes.iloc[:1]).status is Status.CONCERN
    assert themes_line(themes.iloc[0:0]).status is Status.NOT_ENOUGH_DATA


def test_the_demo_panel_carries_the_key_caveats(demo_db) -> None:
    panel = build_overview_panel(demo_db, site=queries.default_site(demo_db))
    assert panel.caveats == (NO_CAUSE, BASELINE_CAVEAT, ILLUSTRATIVE_CAVEAT)
    groups = panel.outcome_lines()
    assert [len(g) for g in groups] == [3, len(queries.indicators(demo_db)), 4, 1]
    assert all(line.sentence for g in groups for line in g)


def _summary_rows(report: str) -> list[tuple[str, str, str]]:
    summary = report[: report.index('<div class="appendix"')]
    rows = re.findall(
        r'<tr><th scope="row">(.*?)</th><td class="status status-[\w-]+"><svg.*?</svg> '
        r"(.*?)</td><td>(.*?)</td></tr>",
        summary,
    )
    return [tuple(html.unescape(c) for c in row) for row in rows]


def test_the_summary_page_lays_out_the_panel_word_for_word(demo_db, board_report) -> None:
    panel = build_overview_panel(demo_db, site=queries.default_site(demo_db))
    expected = [
        (line.outcome, line.status.words, line.sentence)
        for group in panel.outcome_lines()
        for line in group
    ]
    assert _summary_rows(board_report) == expected
    for caveat in panel.caveats:
        assert html.escape(caveat) in board_report
    for card in panel.wave_cards:
        assert html.escape(card.sentence) in board_report


def test_sections_are_cached_by_data_version(writable_demo) -> None:
    from rpgdash.db import open_db

    calls = []
    with open_db(writable_demo) as db:
        version = cache.data_version(db)
        assert cache.data_version(db) == version
        first = cache.cached(version, "probe", ("x",), lambda: calls.append(1) or "one")
        again = cache.cached(version, "probe", ("x",), lambda: calls.append(1) or "two")
        assert (first, again, len(calls)) == ("one", "one", 1)
        with db.transaction() as cur:
            cur.execute("UPDATE workforce SET value = value + 1 WHERE year = 2015")
        assert cache.data_version(db) != version  # an update changes no row count
