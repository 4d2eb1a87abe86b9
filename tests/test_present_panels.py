"""The findings layer's panels: one wording for the overview, the indicators and the report."""

from __future__ import annotations

import datetime as dt
import html

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from rpgdash import queries
from rpgdash.present import format as fmt
from rpgdash.present.indicators import (
    build_indicator_panel,
    change_point_problem,
    trend_sentence,
    trend_summary,
)
from rpgdash.present.overview import build_overview_panel, domain_sentence
from rpgdash.report import build_report
from tests.conftest import ROOT

WHEN = dt.datetime(2026, 1, 1, 9, 0)


def _panel(db, name: str, **controls):
    unit = queries.indicators(db).set_index("name").loc[name, "unit"]
    return build_indicator_panel(
        db, name, unit=unit, site=None, start="2015-01", end="2019-12", **controls
    )


def _page_text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [m.help or "" for m in at.metric]
    return "\n".join(parts)


def test_every_overview_headline_is_in_the_report_word_for_word(app_env, demo_db) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    assert not at.exception
    shown = _page_text(at)
    panel = build_overview_panel(demo_db, site=queries.site_names(demo_db)[0])
    report = html.unescape(build_report(demo_db, generated_at=WHEN))
    sentences = panel.headline_sentences()
    assert len(sentences) >= 12  # waves, three domains, four indicators, four workforce
    for sentence in sentences:
        overview_part = (
            sentence.split(": ", 1)[1]
            if sentence.startswith(tuple(c.name + ": " for c in panel.indicator_cards))
            else sentence
        )
        assert overview_part in shown, overview_part
        assert f"<li>{sentence}</li>" in report, sentence


def test_a_change_point_before_a_series_starts_is_explained_not_raised(demo_db) -> None:
    panel = _panel(demo_db, "Referrals", change_choice="2015-11")
    assert not panel.too_short and panel.chart is not None and panel.its_text is None
    assert panel.notices[0].startswith(
        "Referrals: the figures start in Dec 2015, so a change point in Nov 2015 leaves no "
        "months before it."
    )
    # The same month suits a series that starts earlier (Oct 2015): 1 month before is too few.
    other = _panel(demo_db, "Looked after children", change_choice="2015-11")
    assert "leaves 1 month before it" in other.notices[0]
    fine = _panel(demo_db, "Looked after children", change_choice="2016-01")
    assert fine.notices == () and fine.its_text.startswith("Compared with the trend before Jan")


@pytest.mark.parametrize(
    ("months", "change", "expected"),
    [
        (["2015-12", "2016-01", "2016-02"], "2015-11", "the figures start in Dec 2015"),
        (["2015-12", "2016-01", "2016-02"], "2016-03", "the figures end in Feb 2016"),
        (["2015-12", "2016-01", "2016-02", "2016-03"], "2016-02", None),
    ],
)
def test_change_point_problem(months, change, expected) -> None:
    problem = change_point_problem("X", pd.Series(pd.to_datetime(months)), change)
    assert (problem is None) if expected is None else (expected in problem)


def test_a_rebase_month_the_series_lacks_is_said_and_skipped(demo_db) -> None:
    panel = _panel(demo_db, "Referrals", rebase=("2015-10", "2017-01"))
    assert len(panel.limits) == 2  # the usable rebase (Jan 2017) still applies
    assert any("Oct 2015" in n and "no value" in n for n in panel.notices)


def _result(slope: float, ci: tuple[float, float], sen: float = 0.0) -> dict:
    return {
        "start": "2016-01",
        "end": "2016-12",
        "n": 12,
        "ols": {"slope_per_month": slope, "slope_ci": list(ci)},
        "mann_kendall": {"p_value": 0.9, "sen_slope": sen},
    }


def test_a_zero_slope_reads_flat() -> None:
    text = trend_sentence(_result(0.01, (-0.4, 0.42)), unit="cases")
    assert "was flat" in text and "fell by about 0.0" not in text
    assert "which includes no change" in text
    assert trend_summary(_result(-0.0, (-1, 1)), "cases").startswith("Flat")


def test_trend_says_the_mann_kendall_test_is_separate() -> None:
    text = trend_sentence(_result(-2.5, (-3.3, -1.7), -2.6), unit="referrals")
    assert "fell by about 2.5 referrals a month on a straight-line (least-squares) fit" in text
    assert "A separate test of a steady rise or fall, Mann-Kendall, gives p = 0.900" in text
    assert "on a straight-line fit" in trend_summary(_result(-2.5, (-3.3, -1.7)), "x")


def _rows(counts_b: list[int], diff: float = 0.2) -> pd.DataFrame:
    """One statement row with % agree and mean computed from answer counts (1..4)."""
    n = sum(counts_b)
    mean = sum(s * c for s, c in zip((1, 2, 3, 4), counts_b, strict=True)) / n
    return pd.DataFrame(
        {
            "suppressed": [None],
            "diff": [diff],
            "significant": [True],
            "significant_holm": [False],
            "mean_b": [mean],
            "pct_agree_b": [100 * (counts_b[2] + counts_b[3]) / n],
        }
    )


def test_mean_above_midpoint_and_agree_share_are_both_said() -> None:
    # Counts 0, 6, 0, 4 (issue 11): mean 2.8 with 40% agreeing. The two measures disagree.
    text, hidden = domain_sentence("Set", "All roles", _rows([0, 6, 0, 4]), ("A", "B"), 5)
    assert not hidden
    assert "1 of 1 has a mean above the 2.5 midpoint" in text
    assert "0 of 1 have more than half of staff agreeing" in text
    assert "not adjusted for testing many statements; 0 of 1 with Holm's adjustment" in text
    assert "The one was" not in text


def test_indicator_tables_are_for_people(demo_db) -> None:
    panel = _panel(demo_db, "Children subject to a child protection plan")
    for table in (panel.data, panel.limits):
        assert all(fmt.is_readable_header(c) for c in table.columns), list(table.columns)
        cells = table.astype(str).to_numpy().ravel()
        assert not any(c in ("None", "nan", "NaT", "<NA>") for c in cells)
        assert not any("_" in c or "00:00:00" in c for c in cells)
    assert panel.data["Month"].iloc[0] == "Oct 2015"


def test_workforce_card_parts_are_short(demo_db) -> None:
    panel = build_overview_panel(demo_db, site=None)
    agency = next(c for c in panel.workforce_cards if c.measure == "Agency staffing")
    assert (agency.value, agency.delta) == ("0.0%", "-14.0 points since 2015")
    assert agency.sentence == (
        "Agency staffing: 0.0% in 2018 (-14.0 points since 2015, when it was 14.0%)."
    )
    assert "+1 year" in panel.wave_note and "November 2015" in panel.wave_note
