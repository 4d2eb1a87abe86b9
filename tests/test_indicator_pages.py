"""AppTest: the indicators and workforce pages show exactly what the engine computes."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import rpgdash
from rpgdash import mdc_icons, queries
from rpgdash.present import format as fmt
from rpgdash.present import headlines
from rpgdash.present import indicators as present
from tests.conftest import ROOT

pytestmark = pytest.mark.page  # AppTest runs of the app's pages

INDICATORS = [
    "Children subject to a child protection plan",
    "Referrals",
    "Re-referrals",
    "Looked after children",
]


def _indicators_page(**controls) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    at.switch_page("pages/indicators.py").run()
    for key, value in controls.items():
        widget = at.multiselect(key=key) if key == "ind_chosen" else at.selectbox(key=key)
        widget.set_value(value).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    return at


def _markdown(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown]


def _limits(at: AppTest) -> list[pd.DataFrame]:
    """Each shown indicator's table of process limits, in page order."""
    frames = [d.value for d in at.dataframe]
    return [f for f in frames if "Lower process limit" in f.columns]


@pytest.mark.parametrize("name", INDICATORS)
def test_page_figures_equal_the_engine(reading_app_env, demo_path, name: str) -> None:
    at = _indicators_page(ind_chosen=[name])
    # The app reads a private copy of the demo; the expected figures come from the original.
    with rpgdash.open_db(demo_path, read_only=True) as db:
        series = queries.indicator_series(db, name)
        change_point = headlines.default_change_point(series["month"], queries.events(db))
        unit = queries.indicators(db).set_index("name").loc[name, "unit"]
        result = rpgdash.analyse_trend(db, name, change_point=change_point)
    # Slope, CI and Sen's slope: the trend sentence, built from the engine's numbers.
    sentence = present.trend_sentence(result, unit=unit)
    assert sentence in _markdown(at)
    sen = fmt.signed_number(result["mann_kendall"]["sen_slope"])
    assert f"Sen's slope (the median slope between pairs of months) is {sen} a month" in sentence
    # ITS level and slope change with CIs.
    assert present.its_sentence(result["its"], unit=unit) in _markdown(at)
    # SPC limits per segment.
    shown = _limits(at)[0]
    segments = result["spc"]["segments"]
    assert shown["Mean"].tolist() == [f"{s['mean']:,.1f}" for s in segments]
    assert shown["Lower process limit"].tolist() == [f"{s['lower']:,.1f}" for s in segments]
    assert shown["Upper process limit"].tolist() == [f"{s['upper']:,.1f}" for s in segments]


def test_changing_the_change_point_changes_the_its_figures(reading_app_env, demo_path) -> None:
    name = "Referrals"
    first = _indicators_page(ind_chosen=[name])
    later = _indicators_page(ind_chosen=[name], ind_change="2017-09")
    its_first = [m for m in _markdown(first) if m.startswith("Compared with the trend before")]
    its_later = [m for m in _markdown(later) if m.startswith("Compared with the trend before")]
    assert its_first and its_later and its_first != its_later
    assert its_later[0].startswith("Compared with the trend before Sep 2017")
    with rpgdash.open_db(demo_path, read_only=True) as db:
        result = rpgdash.analyse_trend(db, name, change_point="2017-09")
    assert its_later[0] == present.its_sentence(result["its"], unit="referrals")


def test_a_short_segment_shows_the_warning(reading_app_env) -> None:
    at = _indicators_page(ind_chosen=["Looked after children"], ind_change="2018-06")
    warnings = [w.value for w in at.warning]
    assert any("fewer than 8" in w for w in warnings), warnings


def test_rebasing_gives_trial_limits_warnings(reading_app_env) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    at.switch_page("pages/indicators.py").run()
    at.multiselect(key="ind_chosen").set_value(["Re-referrals"]).run()
    at.multiselect(key="ind_rebase").set_value(["2018-06"]).run()
    assert not at.exception
    assert any("are trial limits" in w.value for w in at.warning)
    assert len(_limits(at)[0]) == 2  # two segments, each with its own limits


def test_role_filter_is_said_not_to_apply(reading_app_env) -> None:
    at = _indicators_page()
    at.selectbox(key="role").set_value("Team manager").run()
    assert any("does not apply" in i.value for i in at.info)


def test_workforce_page_shows_exactly_table_2(reading_app_env) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    at.switch_page("pages/workforce.py").run()
    assert not at.exception and not at.error
    table = at.dataframe[0].value.set_index("Measure (%)")
    # PAPER_FACTS.md, Table 2 (published values)
    expected = pd.DataFrame(
        {
            "2015": [14.0, 3.0, 15.0, 6.0],
            "2016": [11.4, 3.7, 14.7, 7.2],
            "2017": [1.4, 3.9, 14.8, 0.9],
            "2018": [0.0, 3.5, 14.9, 0.4],
        },
        index=pd.Index(["Agency staffing", "Sickness", "Turnover", "Vacancies"]),
    )
    # Shown as published, one decimal (14.0, not 14).
    pd.testing.assert_frame_equal(
        table.sort_index(), expected.map(lambda v: f"{v:.1f}"), check_names=False
    )


# --- Making Data Count summary, errors control and rebasing from an event (issue 12) -----


def test_summary_of_variation_and_assurance_at_the_top(reading_app_env, demo_path) -> None:
    at = _indicators_page()
    assert at.subheader[0].value == "Summary of variation and assurance"
    summary = at.dataframe[0].value
    assert summary["Indicator"].tolist() == INDICATORS
    with rpgdash.open_db(demo_path, read_only=True) as db:
        events = queries.events(db)
        for name, shown in zip(INDICATORS, summary.itertuples(index=False), strict=True):
            series = queries.indicator_series(db, name)
            change = headlines.default_change_point(series["month"], events)
            result = rpgdash.analyse_trend(db, name, change_point=change)
            icon = result["spc"]["summary"]["variation_icon"]
            last = result["spc"]["segments"][-1]
            assert shown.Variation == mdc_icons.VARIATION_WORDS[icon]
            assert shown.Mean == f"{last['mean']:,.1f}"
            assert shown[5] == mdc_icons.data_uri(mdc_icons.variation_svg(icon))
    download = [b for b in at.get("download_button") if b.proto.label.startswith("Download the")]
    assert download, "no CSV download for the summary"


def test_the_key_lists_every_icon_with_its_words_and_meaning(reading_app_env) -> None:
    at = _indicators_page(ind_chosen=["Referrals"])
    entries = mdc_icons.icon_key()
    lines = [f"**{e.words}.** {e.meaning}" for e in entries]
    assert not set(lines) & set(_markdown(at)), "the key is drawn before it is asked for"
    at.button(key="mdc_icon_key").click().run()
    assert not at.exception
    shown = [m for m in _markdown(at) if m in lines]
    assert shown == lines
    assert len(at.get("image")) == len(entries), "one icon image per entry"


def test_summary_assurance_follows_the_target(reading_app_env) -> None:
    name = "Looked after children"
    at = _indicators_page(ind_chosen=[name])
    target_box = next(n for n in at.number_input if n.label.startswith(f"Target for {name}"))
    target_box.set_value(10000.0).run()  # far above the limits; lower is better
    summary = at.dataframe[0].value
    assert summary.loc[0, "Assurance"] == mdc_icons.ASSURANCE_WORDS["consistent_pass"]
    assert summary.loc[0, "Target"] == "10,000.0"


def test_errors_control_says_which_errors_and_why(reading_app_env) -> None:
    name = "Looked after children"  # DW 2.94, Breusch-Godfrey p 0.004 at Jan 2017
    auto = _markdown(_indicators_page(ind_chosen=[name]))
    assert any("Newey-West standard errors, chosen automatically" in m for m in auto)
    assert any("Durbin-Watson 2.94" in m for m in auto)
    assert any(
        m.startswith("**Change point:** Jan 2017, the facilitator change: the RPG start")
        for m in auto
    )
    ols = _markdown(_indicators_page(ind_chosen=[name], ind_errors="ols"))
    assert any("Ordinary least-squares standard errors, as requested" in m for m in ols)


def test_recalculate_limits_from_an_event_is_one_click(reading_app_env) -> None:
    at = _indicators_page(ind_chosen=["Looked after children"])
    before = len(_limits(at)[0])
    buttons = [b for b in at.button if b.label.startswith("Recalculate limits from this event")]
    assert buttons, [b.label for b in at.button]
    buttons[0].click().run()
    assert not at.exception
    assert len(_limits(at)[0]) == before + 1  # a new period of limits
    assert any(c.value.startswith("Limits of this chart recalculated from") for c in at.caption)
    undo = next(b for b in at.button if b.label == "Undo the recalculation")
    undo.click().run()
    assert len(_limits(at)[0]) == before
