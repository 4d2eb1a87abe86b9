"""Survey wording: the model sentence, the adjustment choices and the plan table."""

from __future__ import annotations

import math

import pandas as pd

from rpgdash.present import narrative
from rpgdash.present.survey_results import plan_table


def test_model_sentence_states_the_odds_ratio_interval_and_p():
    row = {
        "wave_odds_ratio": 2.0523,
        "wave_or_ci": [0.8612, 4.8801],
        "wave_or_p": 0.1034,
        "model_note": None,
    }
    assert narrative.model_sentence(row, "+1 year", "+3 years") == (
        "Adjusted for job role (proportional-odds model), the odds of a higher answer at "
        "+3 years were 2.05 times those at +1 year (95% CI 0.86 to 4.88, p = 0.103)."
    )


def test_model_sentence_for_a_domain_and_with_notes():
    row = pd.Series(
        {
            "wave_odds_ratio": 3.0,
            "wave_or_ci": [2.0, 4.5],
            "wave_or_p": 0.0001,
            "model_note": "proportional odds doubtful (check p = 0.010)",
            "adjusted_for": ["statement", "role"],
        }
    )
    text = narrative.model_sentence(row, "A", "B", scope="across the set")
    assert text.startswith("Adjusted for statement and job role across the set (")
    assert text.endswith("p < 0.001). Note: proportional odds doubtful (check p = 0.010).")
    missing = {"wave_odds_ratio": math.nan, "wave_or_ci": None, "wave_or_p": math.nan}
    assert narrative.model_sentence({**missing, "model_note": None}, "A", "B") is None
    note = "not estimable: every answer is at the same level"
    assert narrative.model_sentence({**missing, "model_note": note}, "A", "B") == (
        f"Adjusted for job role (proportional-odds model): {note}."
    )


def test_adjustments_name_their_columns():
    assert [a.flag for a in narrative.ADJUSTMENTS.values()] == [
        "significant",
        "significant_holm",
        "significant_bh",
    ]
    assert narrative.significance_column(True) == "significant_holm"
    assert narrative.significance_column("bh") == "significant_bh"
    assert "Benjamini-Hochberg" in narrative.survey_method("bh")
    assert "exact" in narrative.survey_method(False)


def test_plan_table_words():
    rows = [
        {
            "role": "<b>Team</b>",
            "invited": 40,
            "expected_n": 13,
            "hidden": False,
            "baseline_n": 12,
            "baseline_pct_agree": 74.4,
            "min_detectable_change_points": None,
            "response_rate_needed": 0.456,
        }
    ]
    table = plan_table(rows)
    assert table.iloc[0].tolist() == [
        "<b>Team</b>",  # stored text stays text (st.dataframe does not render it)
        40,
        13,
        "yes",
        12,
        "74%",
        "not possible (already near 100%)",
        "46%",
    ]
