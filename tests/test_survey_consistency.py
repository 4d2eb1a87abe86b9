"""The new survey figures are the same from the API, the CLI and on data we make by hand."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

import rpgdash
from rpgdash.cli import main
from rpgdash.stats.compare import COMPARISON_COLUMNS, add_all_roles, compare_levels

NEW_FIELDS = [
    "pct_agree_ci_a",
    "pct_agree_ci_b",
    "pct_agree_change",
    "pct_agree_change_ci",
    "p_method",
    "p_bh",
    "delta_ci",
    "wave_odds_ratio",
    "wave_or_ci",
    "wave_or_p",
    "po_check_p",
    "model_note",
]


def _json_ready(value: object) -> object:
    if isinstance(value, list):
        return value
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def test_cli_json_equals_the_api_on_every_new_field(demo_path: Path, capsys) -> None:
    assert main(["stats", "compare", "--db", str(demo_path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    with rpgdash.open_db(demo_path, read_only=True) as db:
        expected = rpgdash.compare_waves(db)
        domains = rpgdash.compare_domains(db)
    assert len(out["comparisons"]) == len(expected)
    for got, (_, row) in zip(out["comparisons"], expected.iterrows(), strict=True):
        for field in NEW_FIELDS:
            want = _json_ready(row[field])
            if isinstance(want, float | list):
                assert got[field] == pytest.approx(want, rel=1e-12), field
            else:
                assert got[field] == want, field
    assert [d["domain"] for d in out["domain_models"]] == domains["domain"].tolist()
    assert [d["wave_odds_ratio"] for d in out["domain_models"]] == pytest.approx(
        domains["wave_odds_ratio"].tolist()
    )


def made_counts() -> pd.DataFrame:
    """Ties everywhere, a tiny group, an all-agree group, and a third wave."""
    rows = []
    plan = {
        "Big": {"A": [4, 10, 12, 6], "B": [2, 8, 14, 12], "C": [1, 1, 1, 1]},
        "Tiny": {"A": [0, 1, 2, 0], "B": [0, 0, 1, 3], "C": [0, 0, 0, 1]},
        "Agree": {"A": [0, 0, 0, 7], "B": [0, 0, 0, 6], "C": [0, 0, 3, 3]},
    }
    for role, waves in plan.items():
        for wave, levels in waves.items():
            for score, n in zip((1, 2, 3, 4), levels, strict=True):
                rows.append(("professional", role, "s1", wave, score, n))
    return add_all_roles(
        pd.DataFrame(rows, columns=["domain", "role", "statement", "wave", "score", "n"])
    )


def test_made_data_with_ties_tiny_and_all_agree_groups_and_three_waves():
    frame = compare_levels(made_counts(), wave_a="A", wave_b="B")
    assert list(frame.columns) == COMPARISON_COLUMNS
    out = frame.set_index("role")
    agree = out.loc["Agree"]
    # all agree in both waves: Wilson keeps a width; delta 0 with an interval around it
    lo, hi = proportion_confint(7, 7, method="wilson")
    assert agree["pct_agree_ci_a"] == pytest.approx([100 * lo, 100 * hi])
    assert agree["pct_agree_change"] == 0 and agree["pct_agree_change_ci"][0] < 0
    assert agree["p_value"] == 1.0 and agree["p_method"] == "exact"
    assert agree["delta_ci"][0] < 0 < agree["delta_ci"][1]
    tiny = out.loc["Tiny"]
    assert tiny["p_method"] == "exact" and 0 < tiny["p_value"] <= 1
    assert out.loc["Big", "p_method"] == "normal"  # 32 and 36 answers
    # BH over every row of the comparison
    p = out["p_value"].to_numpy()
    np.testing.assert_allclose(out["p_bh"], multipletests(p, method="fdr_bh")[1])
    # the model sits on the total row; the third wave plays no part in A vs B
    assert out["wave_odds_ratio"].notna().tolist() == [True, False, False, False]
    counts = made_counts()
    without_c = counts[counts["wave"] != "C"]
    again = compare_levels(without_c, wave_a="A", wave_b="B").set_index("role")
    assert again.loc["All roles", "wave_odds_ratio"] == pytest.approx(
        out.loc["All roles", "wave_odds_ratio"]
    )
    pd.testing.assert_series_equal(again["p_value"], out["p_value"])
