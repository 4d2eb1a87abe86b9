"""`rpgdash stats compare|trend`: JSON output and one-line error messages."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from scipy import stats as sps
from statsmodels.stats.proportion import proportion_confint

from rpgdash.stats.cli import main
from rpgdash.stats.compare import COMPARISON_COLUMNS


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RPGDASH_MIN_GROUP", raising=False)
    return tmp_path


def write(name: str, text: str) -> str:
    Path(name).write_text(text, encoding="utf-8")
    return name


def answers_csv(rows: list[tuple], header: str = "wave,statement,score") -> str:
    lines = [header] + [",".join(str(c) for c in row) for row in rows]
    return "\n".join(lines) + "\n"


def run_json(capsys, argv: list[str]) -> dict:
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    return json.loads(captured.out)


def run_error(capsys, argv: list[str]) -> str:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    return lines[0]


# --- compare ---------------------------------------------------------------------------------

A_SCORES = [1, 2, 2, 3, 3, 3, 4]
B_SCORES = [2, 3, 3, 4, 4, 4, 4, 3]


def simple_file() -> str:
    rows = [("+1 year", "I reflect more", s) for s in A_SCORES]
    rows += [("+1 year", "I reflect more", "")]  # no answer
    rows += [("+3 years", "I reflect more", s) for s in B_SCORES]
    return write("scores.csv", answers_csv(rows))


def test_compare_json_fields_and_values(capsys):
    out = run_json(capsys, ["stats", "compare", simple_file(), "--json"])
    assert list(out) == ["comparisons", "domain_models"]
    (row,) = out["comparisons"]
    assert list(row) == COMPARISON_COLUMNS
    a, b = np.array(A_SCORES, float), np.array(B_SCORES, float)
    ref = sps.mannwhitneyu(b, a, method="asymptotic", use_continuity=True)
    assert row["domain"] == "all" and row["role"] == "All roles"
    assert (row["wave_a"], row["wave_b"], row["n_a"], row["n_b"]) == ("+1 year", "+3 years", 7, 8)
    assert row["mean_a"] == pytest.approx(a.mean()) and row["mean_b"] == pytest.approx(b.mean())
    assert row["sd_a"] == pytest.approx(a.std(ddof=1))
    # statsmodels: proportion_confint(4, 7, method="wilson"), in percent
    lo, hi = proportion_confint(4, 7, method="wilson")
    assert row["pct_agree_ci_a"] == pytest.approx([100 * lo, 100 * hi])
    assert row["pct_agree_a"] == pytest.approx(100 * 4 / 7)
    assert row["diff"] == pytest.approx(b.mean() - a.mean())
    assert row["u"] == ref.statistic
    # 7 and 8 answers: the exact permutation p (SciPy enumerates all C(15, 7) splits)
    mu = 28.0
    exact = sps.permutation_test(
        (b, a),
        lambda x, y, axis: np.abs(sps.mannwhitneyu(x, y, axis=axis).statistic - mu),
        permutation_type="independent",
        n_resamples=np.inf,
        alternative="greater",
        vectorized=True,
    ).pvalue
    assert row["p_method"] == "exact" and row["p_value"] == pytest.approx(exact)
    assert row["p_holm"] == pytest.approx(exact) and row["p_bh"] == pytest.approx(exact)
    pairs = b[:, None] - a[None, :]
    assert row["cliffs_delta"] == pytest.approx((np.sum(pairs > 0) - np.sum(pairs < 0)) / 56)
    assert row["significant"] is bool(exact < 0.05)
    assert row["wave_odds_ratio"] > 1 and len(row["wave_or_ci"]) == 2
    assert row["suppressed"] is None
    (model,) = out["domain_models"]
    assert model["domain"] == "all" and model["adjusted_for"] == ["statement"]
    assert model["wave_odds_ratio"] == pytest.approx(row["wave_odds_ratio"], rel=1e-6)


def test_compare_accepts_argv_without_the_stats_word(capsys):
    assert run_json(capsys, ["compare", simple_file(), "--json"])["comparisons"][0]["n_a"] == 7


def test_compare_table_output(capsys):
    assert main(["stats", "compare", simple_file()]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Comparing +1 year (A) with +3 years (B)\n")
    assert "I reflect more" in out and "mean A" in out


def role_file() -> str:
    # wave, role, statement, score (+ domain). Per wave: SW 6 people, TM 6, SM 3 (one with a
    # blank answer, still a respondent): SM is primary, then SW (first of the ties) secondary.
    rows = []
    for wave in ("+1 year", "+3 years"):
        for role, scores in (
            ("SW", [2, 3, 3, 4, 2, 3]),
            ("TM", [3, 3, 4, 4, 2, 1]),
            ("SM", [4, 4, ""]),
        ):
            for s in scores:
                rows.append(("relationships", wave, role, "Peers", s))
                rows.append(("professional", wave, role, "Reflect", 5 - s if s != "" else ""))
    return write("roles.csv", answers_csv(rows, "domain,wave,role,statement,score"))


def test_compare_with_roles_suppresses_small_groups(capsys):
    out = run_json(capsys, ["stats", "compare", role_file(), "--json"])["comparisons"]
    keys = [(r["domain"], r["role"]) for r in out]
    assert keys == [
        ("professional", "All roles"),
        ("professional", "SW"),
        ("professional", "TM"),
        ("professional", "SM"),
        ("relationships", "All roles"),
        ("relationships", "SW"),
        ("relationships", "TM"),
        ("relationships", "SM"),
    ]
    by_role = {r["role"]: r for r in out if r["domain"] == "professional"}
    assert by_role["SM"]["suppressed"] == (
        "fewer than 5 respondents in +1 year and +3 years (primary suppression)"
    )
    assert by_role["SW"]["suppressed"] == (
        "hidden to protect a smaller group in +1 year and +3 years (secondary suppression)"
    )
    for role in ("SM", "SW"):
        assert all(by_role[role][c] is None for c in COMPARISON_COLUMNS[5:-1])
    assert by_role["TM"]["suppressed"] is None and by_role["TM"]["n_a"] == 6
    assert by_role["All roles"]["n_a"] == 14  # 6 + 6 + 2 answers


def test_compare_min_group_option_and_role_filter(capsys):
    out = run_json(
        capsys, ["stats", "compare", role_file(), "--min-group", "3", "--role", "SM", "--json"]
    )["comparisons"]
    assert [(r["role"], r["suppressed"], r["n_a"]) for r in out] == [("SM", None, 2)] * 2


def test_compare_min_group_comes_from_the_setting(capsys, monkeypatch):
    monkeypatch.setenv("RPGDASH_MIN_GROUP", "3")
    out = run_json(capsys, ["stats", "compare", role_file(), "--json"])["comparisons"]
    assert all(r["suppressed"] is None for r in out)


def test_compare_picks_waves(capsys):
    rows = [(w, "s", s) for w in ("W1", "W2", "W3") for s in (1, 2, 3, 4, 4)]
    name = write("three.csv", answers_csv(rows))
    default = run_json(capsys, ["stats", "compare", name, "--json"])["comparisons"][0]
    assert (default["wave_a"], default["wave_b"]) == ("W1", "W2")
    chosen = run_json(capsys, ["stats", "compare", name, "--waves", "W3, W1", "--json"])
    assert (chosen["comparisons"][0]["wave_a"], chosen["comparisons"][0]["wave_b"]) == (
        "W3",
        "W1",
    )


def test_compare_nan_becomes_null(capsys):
    rows = [("A", "s", s) for s in (1, 2, 3, 4, 4)] + [("B", "t", s) for s in (1, 2, 3, 4, 4)]
    out = run_json(capsys, ["stats", "compare", write("x.csv", answers_csv(rows)), "--json"])
    first = out["comparisons"][0]
    assert first["statement"] == "s" and first["n_b"] == 0
    assert first["mean_b"] is None and first["p_value"] is None
    assert first["pct_agree_ci_b"] is None and first["wave_odds_ratio"] is None


def test_compare_reads_excel_style_csv(capsys):
    # UTF-8 BOM, capitalised header, quoted cells, a blank row, scores written as 3.0
    text = '\ufeffWave,Statement,Score\r\n"+1 year","A, B",3.0\r\n,,\r\n'
    text += "".join(f'"+{w} year","A, B",{s}\r\n' for w in (1, 3) for s in (1, 2, 3, 4, 4))
    out = run_json(capsys, ["stats", "compare", write("excel.csv", text), "--json"])
    assert out["comparisons"][0]["statement"] == "A, B"
    assert out["comparisons"][0]["n_a"] == 6


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "wave,statement,score\n+1 year,s,3\n+1 year,s,five\n",
            'scores.csv:3:score: "five" is not a score; use 1-4 or leave blank for no answer',
        ),
        (
            "wave,statement,score\n+1 year,s,3\n+3 years,s,7\n",
            'scores.csv:3:score: "7" is not a score; use 1-4 or leave blank for no answer',
        ),
        (
            "wave,statement,score\n+1 year,s,2.5\n",
            'scores.csv:2:score: "2.5" is not a score; use 1-4 or leave blank for no answer',
        ),
        (
            "wave,statement,score\n+1 year,s,0\n",
            'scores.csv:2:score: "0" is not a score; use 1-4 or leave blank for no answer',
        ),
        (
            "wave,statement\n+1 year,s\n",
            'scores.csv:1:score: the header has no "score" column; the file needs the columns '
            "wave, statement and score.",
        ),
        (
            "",
            "scores.csv:1: the file is empty; it needs a header row naming the columns wave, "
            "statement and score.",
        ),
        ("wave,statement,score\n", "scores.csv:2: the file has a header but no answers."),
        (
            "wave,statement,score\n+1 year,s,3\n+1 year,s,4\n",
            'scores.csv: the wave column has only one wave ("+1 year"); a comparison needs two.',
        ),
        (
            "wave,statement,score\n+1 year,s,3\n,s,4\n",
            "scores.csv:3:wave: the wave is blank; give every row a wave.",
        ),
        (
            "wave,statement,score\n+1 year,,3\n",
            "scores.csv:2:statement: the statement is blank; give every row a statement.",
        ),
    ],
)
def test_compare_bad_input(capsys, text, message):
    write("scores.csv", text)
    assert run_error(capsys, ["stats", "compare", "scores.csv", "--json"]) == message


def test_compare_bad_waves_option(capsys):
    write("scores.csv", "wave,statement,score\nA,s,3\nB,s,4\n")
    assert run_error(capsys, ["stats", "compare", "scores.csv", "--waves", "A,C"]) == (
        'scores.csv: the wave "C" given in --waves is not in the wave column; the file has '
        '"A", "B".'
    )
    assert run_error(capsys, ["stats", "compare", "scores.csv", "--waves", "A"]) == (
        'scores.csv: --waves "A" must name two waves, e.g. "+1 year,+3 years".'
    )


def test_compare_missing_file(capsys):
    assert run_error(capsys, ["stats", "compare", "nope.csv"]) == (
        "nope.csv: no such file; check the name and folder."
    )


def test_quoted_line_break_stays_on_one_line_and_rows_count_as_a_spreadsheet_does(capsys):
    # the quoted statement spans two physical lines but is one row (line 2); the bad score is
    # on spreadsheet line 3
    write("scores.csv", 'wave,statement,score\nA,"two\nlines",3\nA,s,"fi\nve"\n')
    assert run_error(capsys, ["stats", "compare", "scores.csv"]) == (
        'scores.csv:3:score: "fi\\nve" is not a score; use 1-4 or leave blank for no answer'
    )


def test_trend_missing_file(capsys):
    assert run_error(capsys, ["stats", "trend", "nope.csv"]) == (
        "nope.csv: no such file; check the name and folder."
    )


def test_compare_file_and_db_are_exclusive(capsys):
    assert main(["stats", "compare", simple_file(), "--db", "x.duckdb"]) == 2
    assert "not allowed with argument" in capsys.readouterr().err


# --- trend -----------------------------------------------------------------------------------


def series_csv(values: list, start_year: int = 2016) -> str:
    rows = [f"{start_year + i // 12}-{i % 12 + 1:02d},{v}" for i, v in enumerate(values)]
    return write("series.csv", "month,value\n" + "\n".join(rows) + "\n")


def test_trend_json(capsys):
    rng = np.random.default_rng(3)
    values = [round(v, 2) for v in 50 - 0.5 * np.arange(24) + rng.normal(0, 2, 24)]
    values[5] = ""  # a missing month
    name = series_csv(values)
    out = run_json(
        capsys,
        [
            "stats",
            "trend",
            name,
            "--change-point",
            "2017-01",
            "--rebase",
            "2017-01",
            "--direction",
            "decrease",
            "--target",
            "60",
            "--hac",
            "--json",
        ],
    )
    assert set(out) == {"n", "start", "end", "missing_months", "ols", "mann_kendall", "its", "spc"}
    assert (out["n"], out["start"], out["end"]) == (23, "2016-01", "2017-12")
    assert out["missing_months"] == ["2016-06"]
    assert "fitted" not in out["its"]
    assert out["its"]["change_point"] == "2017-01" and out["its"]["se_type"] == "HAC"
    assert (out["its"]["n_pre"], out["its"]["n_post"]) == (11, 12)
    assert [s["start"] for s in out["spc"]["segments"]] == ["2016-01", "2017-01"]
    assert out["spc"]["assurance"] == "consistent_pass"


def test_trend_summary_output(capsys):
    assert main(["stats", "trend", series_csv([5, 4, 6, 3, 2, 1])]) == 0
    out = capsys.readouterr().out
    assert out.startswith("6 months, 2016-01 to 2016-06\n")
    assert "Mann-Kendall" in out


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "month,value\n2016-01,1\n2016-02,2\n2016-01,3\n",
            "series.csv:4:month: 2016-01 appears twice (first on line 2); give one value per "
            "month.",
        ),
        (
            "month,value\n2016-01,1\nMarch 2016,2\n",
            'series.csv:3:month: "March 2016" is not a month; write it as YYYY-MM, e.g. 2016-03.',
        ),
        (
            "month,value\n2016-01,1\n2016-02,lots\n",
            'series.csv:3:value: "lots" is not a number; give a number or leave it blank for a '
            "missing month.",
        ),
        (
            "month,value\n2016-01,1\n2016-02,nan\n",
            'series.csv:3:value: "nan" is not a number; give a number or leave it blank for a '
            "missing month.",
        ),
        (
            "month,value\n2016-01,1\n2016-02,2\n2016-03,\n",
            "series.csv: a trend needs at least 3 months with values; the series has 2.",
        ),
        (
            "month,amount\n2016-01,1\n",
            'series.csv:1:value: the header has no "value" column; the file needs the columns '
            "month and value.",
        ),
        ("month,value\n", "series.csv:2: the file has a header but no months."),
        (
            "",
            "series.csv:1: the file is empty; it needs a header row naming the columns month "
            "and value.",
        ),
    ],
)
def test_trend_bad_input(capsys, text, message):
    write("series.csv", text)
    assert run_error(capsys, ["stats", "trend", "series.csv", "--json"]) == message


def test_trend_bad_change_point(capsys):
    name = series_csv([1, 2, 3, 4, 5, 6])
    assert run_error(capsys, ["stats", "trend", name, "--change-point", "2019-01"]) == (
        "series.csv: the change point 2019-01 is outside the series (2016-01 to 2016-06); "
        "choose a month within it."
    )
    assert run_error(capsys, ["stats", "trend", name, "--change-point", "Jan 2016"]) == (
        'series.csv: --change-point "Jan 2016" is not a month; write it as YYYY-MM, e.g. 2016-03.'
    )


def test_trend_bad_direction_is_an_argparse_error(capsys):
    assert main(["stats", "trend", series_csv([1, 2, 3]), "--direction", "up"]) == 2
    assert "invalid choice" in capsys.readouterr().err


def test_trend_rebase_takes_several_months(capsys):
    name = series_csv([1, 2, 1, 2, 1, 2, 5, 6, 5, 6, 9, 8, 9])
    argv = ["stats", "trend", name, "--rebase", "2016-07", "--rebase", "2016-11", "--json"]
    out = run_json(capsys, argv)
    assert [(s["start"], s["n"]) for s in out["spc"]["segments"]] == [
        ("2016-01", 6),
        ("2016-07", 4),
        ("2016-11", 3),
    ]


# --- trend: errors, autocorrelation and the SPC summary (issue 12) --------------------------


def ar1_values(phi: float, n: int = 40, seed: int = 2) -> list[float]:
    rng = np.random.default_rng(seed)
    e = [0.0]
    for _ in range(n - 1):
        e.append(phi * e[-1] + rng.normal(0, 1))
    return [round(20 - 0.2 * i + 3 * (i >= n // 2) + v, 4) for i, v in enumerate(e)]


def test_trend_errors_option(capsys):
    name = series_csv(ar1_values(0.8))
    base = ["stats", "trend", name, "--change-point", "2017-09", "--json"]
    auto = run_json(capsys, base)
    assert auto["its"]["errors"] == "newey-west" and auto["its"]["breusch_godfrey_p"] < 0.05
    assert set(auto["spc"]["summary"]) == {"variation_icon", "assurance"}
    explicit = run_json(capsys, [*base, "--errors", "newey-west"])
    hac = run_json(capsys, [*base, "--hac"])
    ols = run_json(capsys, [*base, "--errors", "ols"])
    for key in ("level_ci", "level_p", "slope_ci", "slope_p"):
        assert auto["its"][key] == explicit["its"][key] == hac["its"][key]
    assert ols["its"]["errors"] == "ols" and ols["its"]["level_p"] != auto["its"]["level_p"]
    message = run_error(capsys, [*base, "--hac", "--errors", "ols"])
    assert message == f"{name}: hac (Newey-West) and errors 'ols' contradict each other; give one."


def test_trend_fix_after_n_points_option(capsys):
    name = series_csv([10, 12] * 6 + [30, 32] * 3)
    out = run_json(capsys, ["stats", "trend", name, "--fix-after-n-points", "12", "--json"])
    assert out["spc"]["segments"][0]["fixed_points"] == 12
    assert out["spc"]["segments"][0]["mean"] == 11
    message = run_error(capsys, ["stats", "trend", name, "--fix-after-n-points", "5"])
    assert "fix_after_n_points 5 must be a whole number of at least 12" in message


def test_trend_summary_reports_residuals_and_errors(capsys):
    assert main(["stats", "trend", series_csv(ar1_values(0.8)), "--change-point", "2017-09"]) == 0
    out = capsys.readouterr().out
    assert "Residuals: Durbin-Watson " in out and "Breusch-Godfrey (1 lag) p = " in out
    assert "Newey-West standard errors, chosen automatically" in out
    assert "Variation icon: " in out


def test_compare_adjust_option_chooses_the_flag_and_column(capsys):
    assert main(["stats", "compare", role_file(), "--adjust", "bh", "--min-group", "1"]) == 0
    out = capsys.readouterr().out
    assert "BH p" in out and "Benjamini-Hochberg" in out and "Holm p" not in out
    assert main(["stats", "compare", role_file(), "--adjust", "holm", "--min-group", "1"]) == 0
    assert "Holm p" in capsys.readouterr().out


def test_compare_no_model_leaves_the_model_fields_null(capsys):
    out = run_json(capsys, ["stats", "compare", simple_file(), "--no-model", "--json"])
    (row,) = out["comparisons"]
    assert row["wave_odds_ratio"] is None and row["model_note"] == "not computed"
    assert out["domain_models"] == []
