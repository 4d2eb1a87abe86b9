"""Planning the next wave, checked against statsmodels NormalIndPower and by hand."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_effectsize

from rpgdash.stats.planning import (
    PLAN_COLUMNS,
    RoleBaseline,
    cohens_h,
    detectable_h,
    plan_next_wave,
    power_two_proportions,
)


@settings(max_examples=30, deadline=None)
@given(
    n1=st.integers(2, 400),
    n2=st.integers(2, 400),
    power=st.floats(0.5, 0.95),
    alpha=st.sampled_from([0.01, 0.05, 0.1]),
)
def test_detectable_h_matches_normal_ind_power(n1, n2, power, alpha):
    # statsmodels: NormalIndPower().solve_power(effect_size=None, nobs1, alpha, power, ratio)
    ref = NormalIndPower().solve_power(
        effect_size=None, nobs1=n1, alpha=alpha, power=power, ratio=n2 / n1
    )
    h = detectable_h(n1, n2, power=power, alpha=alpha)
    # statsmodels stops its root search early (we saw relative errors up to ~1e-5), so the
    # tight check is the power statsmodels computes at our h
    assert h == pytest.approx(ref, rel=1e-3)
    achieved = NormalIndPower().power(h, nobs1=n1, alpha=alpha, ratio=n2 / n1)
    assert achieved == pytest.approx(power, abs=1e-9)


@settings(max_examples=30, deadline=None)
@given(h=st.floats(0.01, 2), n1=st.integers(2, 300), n2=st.integers(2, 300))
def test_power_matches_normal_ind_power(h, n1, n2):
    ref = NormalIndPower().power(h, nobs1=n1, alpha=0.05, ratio=n2 / n1)
    assert power_two_proportions(h, n1, n2, 0.05) == pytest.approx(ref, rel=1e-9)


def test_cohens_h_matches_statsmodels():
    # statsmodels proportion_effectsize(p1, p2) = 2 asin(sqrt p1) - 2 asin(sqrt p2)
    assert cohens_h(0.4, 0.6) == pytest.approx(proportion_effectsize(0.6, 0.4))


def test_plan_row_by_hand():
    rows = plan_next_wave(
        {"Social worker": 100, "Other": 10},
        {"Social worker": RoleBaseline(31, 57.0, 45.0), "Other": RoleBaseline(4, None)},
        response_rate=0.32,
        min_group=5,
    )
    assert [list(r) for r in rows] == [PLAN_COLUMNS, PLAN_COLUMNS]
    sw, other = rows
    assert (sw["expected_n"], sw["hidden"], sw["baseline_n"]) == (32, False, 31)
    h = NormalIndPower().solve_power(
        effect_size=None, nobs1=31, alpha=0.05, power=0.8, ratio=32 / 31
    )
    # back from h to a proportion: p2 = sin(asin(sqrt(p1)) + h / 2)^2
    p2 = math.sin(math.asin(math.sqrt(0.57)) + h / 2) ** 2
    assert sw["min_detectable_change_points"] == pytest.approx(100 * (p2 - 0.57), rel=1e-6)
    # rate needed: the n2 at which the last change (45% -> 57%) is detected, over 100 invited
    seen = proportion_effectsize(0.57, 0.45)
    # with 31 now, even 100 answers next time leave the power for that change below 0.8
    assert NormalIndPower().power(seen, nobs1=31, alpha=0.05, ratio=100 / 31) < 0.8
    assert sw["response_rate_needed"] is None
    assert other == {
        "role": "Other",
        "invited": 10,
        "expected_n": 3,  # 3.2 rounds to 3
        "hidden": True,
        "baseline_n": 4,
        "baseline_pct_agree": None,
        "min_detectable_change_points": None,
        "response_rate_needed": None,
    }


def test_rate_needed_is_reachable_for_a_large_change():
    (row,) = plan_next_wave(
        {"SW": 200}, {"SW": RoleBaseline(80, 70.0, 40.0)}, response_rate=0.3, min_group=5
    )
    seen = proportion_effectsize(0.70, 0.40)
    n2 = row["response_rate_needed"] * 200
    assert NormalIndPower().power(seen, nobs1=80, alpha=0.05, ratio=n2 / 80) == pytest.approx(0.8)


def test_edge_cases():
    rows = plan_next_wave(
        {"All agree": 20, "New role": 15, "Nobody": 0},
        {"All agree": RoleBaseline(9, 100.0, 100.0)},
        response_rate=0.5,
        min_group=5,
    )
    agree, new, nobody = rows
    assert agree["min_detectable_change_points"] is None  # no rise above 100%
    assert agree["response_rate_needed"] is None  # no change seen
    assert new["baseline_n"] == 0 and new["min_detectable_change_points"] is None
    assert nobody["expected_n"] == 0 and nobody["hidden"]
    # half a person rounds up
    (row,) = plan_next_wave({"X": 5}, {}, response_rate=0.5, min_group=3)
    assert row["expected_n"] == 3
    # the override replaces every role's baseline % agree
    (row,) = plan_next_wave(
        {"X": 50}, {"X": RoleBaseline(20, None)}, response_rate=0.4, min_group=5, baseline_agree=50
    )
    assert row["baseline_pct_agree"] == 50 and row["min_detectable_change_points"] > 0


# --- the command ------------------------------------------------------------------------------


def run_cli(argv: list[str], capsys) -> tuple[int, str, str]:
    from rpgdash.cli import main

    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_plan_wave_json_contract(demo_path: Path, capsys):
    code, out, err = run_cli(
        [
            "plan-wave",
            "--db",
            str(demo_path),
            "--invited",
            "Social worker=100,Team manager=40,Other=10",
            "--json",
        ],
        capsys,
    )
    assert code == 0 and err == ""
    rows = json.loads(out)["rows"]
    assert list(json.loads(out)) == ["rows"]
    assert [r["role"] for r in rows] == ["Social worker", "Team manager", "Other"]
    assert all(list(r) == PLAN_COLUMNS for r in rows)
    import rpgdash

    with rpgdash.open_db(demo_path, read_only=True) as db:
        expected = rpgdash.plan_wave(db, {"Social worker": 100, "Team manager": 40, "Other": 10})
        rate = rpgdash.api.queries.wave_response_summary(db)["response_rate"].iloc[-1] / 100
    assert rows == json.loads(json.dumps(expected))
    assert rows[0]["expected_n"] == round(100 * rate)  # the latest wave's rate by default
    assert rows[2]["hidden"] and rows[2]["baseline_pct_agree"] is None  # "Other" is hidden


def test_plan_wave_options(demo_path: Path, capsys):
    code, out, _ = run_cli(
        [
            "plan-wave",
            "--db",
            str(demo_path),
            "--invited",
            "Social worker=100",
            "--response-rate",
            "50%",
            "--min-group",
            "60",
            "--baseline-agree",
            "0.5",
            "--power",
            "0.9",
            "--alpha",
            "0.01",
            "--json",
        ],
        capsys,
    )
    (row,) = json.loads(out)["rows"]
    assert code == 0 and row["expected_n"] == 50 and row["hidden"]
    assert row["baseline_pct_agree"] == 50
    h = NormalIndPower().solve_power(
        effect_size=None,
        nobs1=row["baseline_n"],
        alpha=0.01,
        power=0.9,
        ratio=50 / row["baseline_n"],
    )
    p2 = math.sin(math.asin(math.sqrt(0.5)) + h / 2) ** 2
    assert row["min_detectable_change_points"] == pytest.approx(100 * (p2 - 0.5), rel=1e-6)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--invited", "Social worker"], "is not ROLE=N; write e.g."),
        (["--invited", "Social worker=lots"], '"lots" for "Social worker" is not a whole number'),
        (["--invited", "Social worker=1,Social worker=2"], "is given twice"),
        (["--invited", "Wizard=3"], "There is no job role called 'Wizard'"),
        (["--invited", "Other=3", "--response-rate", "0"], '--response-rate: "0" is not a share'),
        (["--invited", "Other=3", "--power", "1.5"], "--power and --alpha must be between"),
    ],
)
def test_plan_wave_bad_input(demo_path: Path, capsys, argv, message):
    code, out, err = run_cli(["plan-wave", "--db", str(demo_path), *argv], capsys)
    assert code == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1


def test_plan_wave_table(demo_path: Path, capsys):
    code, out, _ = run_cli(
        ["plan-wave", "--db", str(demo_path), "--invited", "Social worker=100,Other=10"], capsys
    )
    assert code == 0 and out.startswith("role")
    assert "Social worker" in out and "Detectable rise" in out
