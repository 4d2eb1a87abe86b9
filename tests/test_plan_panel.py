"""AppTest: the Overview's planning panel shows what plan-wave computes."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

import rpgdash
from rpgdash.present.survey_results import plan_table
from tests.conftest import ROOT


def test_overview_plan_panel_equals_the_api(reading_app_env, demo_path) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    with rpgdash.open_db(demo_path, read_only=True) as db:
        latest, rate, invited = rpgdash.api.plan_defaults(db)
        expected = plan_table(
            rpgdash.plan_wave(db, invited, response_rate=round(100 * rate, 1) / 100)
        )
    tables = [d.value for d in at.dataframe if "Job role" in d.value.columns]
    shown = next(t for t in tables if "Expected to answer" in t.columns)
    assert shown.to_dict("list") == expected.to_dict("list")
    assert latest == "+3 years" and "Other" in shown["Job role"].tolist()
    # "Other" (4 respondents at +3 years) is expected to stay below 5 and be hidden
    other = shown[shown["Job role"] == "Other"].iloc[0]
    assert other["Shown?"] == "no: too few to show"
    # a lower response rate changes the expected respondents
    at.number_input(key="plan_rate").set_value(10.0).run()
    tables = [d.value for d in at.dataframe if "Expected to answer" in d.value.columns]
    with rpgdash.open_db(demo_path, read_only=True) as db:
        lower = plan_table(rpgdash.plan_wave(db, invited, response_rate=0.10))
    assert tables[0]["Expected to answer"].tolist() == lower["Expected to answer"].tolist()
