"""Monthly trends: OLS, Mann-Kendall, segmented regression, checked against statsmodels and
pymannkendall (test-only reference implementations)."""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pandas as pd
import pymannkendall
import pytest
import statsmodels.api as sm
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from statsmodels.stats.diagnostic import acorr_breusch_godfrey
from statsmodels.stats.stattools import durbin_watson

from rpgdash.present import indicators
from rpgdash.stats.trend import (
    analyse_series,
    default_maxlags,
    interrupted_time_series,
    level_change_scan,
    mann_kendall,
    ols_trend,
)


def random_series(seed: int, n: int = 40) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = np.arange(n, dtype=float)
    y = 50 - 0.4 * t + np.cumsum(rng.normal(0, 1, n)) * 0.5 + rng.normal(0, 2, n)
    return t, y


def months(n: int, start: str = "2015-10-01") -> list[pd.Timestamp]:
    return list(pd.date_range(start, periods=n, freq="MS"))


# --- OLS -------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_ols_trend_matches_statsmodels(seed):
    t, y = random_series(seed)
    t = np.delete(t, [5, 6, 20])  # gaps: t is months since the first month, not a row index
    y = np.delete(y, [5, 6, 20])
    ref = sm.OLS(y, sm.add_constant(t)).fit()
    out = ols_trend(t, y)
    assert out["intercept"] == pytest.approx(ref.params[0], rel=1e-10)
    assert out["slope_per_month"] == pytest.approx(ref.params[1], rel=1e-10)
    assert out["slope_per_year"] == pytest.approx(12 * ref.params[1], rel=1e-10)
    assert out["slope_ci"] == pytest.approx(list(ref.conf_int()[1]), rel=1e-9)
    assert out["p_value"] == pytest.approx(ref.pvalues[1], rel=1e-8)
    assert out["r_squared"] == pytest.approx(ref.rsquared, rel=1e-10)


def test_ols_trend_hand_computed():
    # y = 1, 3, 2, 4 at t = 0..3: t-bar 1.5, y-bar 2.5,
    # Sxx = 2.25+0.25+0.25+2.25 = 5, Sxy = (-1.5)(-1.5)+(-0.5)(0.5)+(0.5)(-0.5)+(1.5)(1.5) = 4
    # slope 0.8, intercept 2.5 - 0.8*1.5 = 1.3; residuals -0.3, 0.9, -0.9, 0.3 -> SSR 1.8
    # SST 5, R^2 = 0.64
    out = ols_trend([0, 1, 2, 3], [1, 3, 2, 4])
    assert out["slope_per_month"] == pytest.approx(0.8)
    assert out["intercept"] == pytest.approx(1.3)
    assert out["r_squared"] == pytest.approx(0.64)
    # se = sqrt(1.8 / 2 / 5) = 0.424264, t = 0.8 / se, so t^2 = 32/9. With 2 df the t CDF is
    # 1/2 + t / (2 sqrt(2 + t^2)), so two-sided p = 1 - sqrt((32/9) / (50/9)) = 1 - 0.8 = 0.2
    assert out["p_value"] == pytest.approx(0.2, rel=1e-9)
    # t(0.975, 2) = 4.302653 (printed tables): 0.8 +/- 4.302653 * 0.424264
    assert out["slope_ci"] == pytest.approx([0.8 - 1.825460, 0.8 + 1.825460], abs=2e-6)


# --- Mann-Kendall ----------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [4, 5, 6])
@pytest.mark.parametrize("rounded", [False, True])
def test_mann_kendall_matches_pymannkendall(seed, rounded):
    _, y = random_series(seed, n=36)
    if rounded:
        y = np.round(y / 3)  # many ties, to exercise the tie correction
    ref = pymannkendall.original_test(y)
    out = mann_kendall(y)
    assert out["s"] == ref.s
    assert out["var_s"] == pytest.approx(ref.var_s, rel=1e-12)
    assert out["z"] == pytest.approx(ref.z, rel=1e-12)
    assert out["p_value"] == pytest.approx(ref.p, rel=1e-6, abs=1e-12)
    # pymannkendall's Tau is S / (n(n-1)/2), Kendall's tau-a, the definition used here too
    assert out["tau"] == pytest.approx(ref.Tau, rel=1e-12)
    assert out["sen_slope"] == pytest.approx(ref.slope, rel=1e-12)


def test_mann_kendall_hand_computed_with_gap():
    # y = 0, 1, 5 at months 0, 1, 3: signs all +, S = 3, var = 3*2*11/18 = 11/3
    # z = (3 - 1)/sqrt(11/3) = 1.044466; pair slopes 1/1, 5/3, 4/2 -> median 5/3
    out = mann_kendall([0, 1, 5], t=[0, 1, 3])
    assert out["s"] == 3 and out["tau"] == 1.0
    assert out["var_s"] == pytest.approx(11 / 3)
    assert out["z"] == pytest.approx(2 / math.sqrt(11 / 3))
    assert out["sen_slope"] == pytest.approx(5 / 3)


def test_mann_kendall_all_tied_is_no_trend():
    out = mann_kendall([2.0, 2.0, 2.0, 2.0])
    assert (out["s"], out["var_s"], out["z"], out["p_value"]) == (0.0, 0.0, 0.0, 1.0)


# --- interrupted time series -----------------------------------------------------------------


def its_design(t: np.ndarray, t0: float) -> np.ndarray:
    d = (t >= t0).astype(float)
    return np.column_stack([np.ones_like(t), t, d, (t - t0) * d])


@pytest.mark.parametrize("seed", [7, 8])
def test_its_ols_matches_statsmodels(seed):
    t, y = random_series(seed, n=36)
    y = y + 4 * (t >= 20)
    ref = sm.OLS(y, its_design(t, 20)).fit()
    out = interrupted_time_series(t, y, 20)
    assert out["pre_slope"] == pytest.approx(ref.params[1], rel=1e-9)
    assert out["level_change"] == pytest.approx(ref.params[2], rel=1e-9)
    assert out["slope_change"] == pytest.approx(ref.params[3], rel=1e-9)
    assert out["level_ci"] == pytest.approx(list(ref.conf_int()[2]), rel=1e-9)
    assert out["slope_ci"] == pytest.approx(list(ref.conf_int()[3]), rel=1e-9)
    assert out["level_p"] == pytest.approx(ref.pvalues[2], rel=1e-8)
    assert out["slope_p"] == pytest.approx(ref.pvalues[3], rel=1e-8)
    assert (out["n_pre"], out["n_post"], out["warning"]) == (20, 16, None)
    assert out["fitted"]["pre_fit"] == pytest.approx(list(ref.fittedvalues))
    cf = ref.params[0] + ref.params[1] * t[20:]
    assert out["fitted"]["counterfactual"] == pytest.approx(list(cf))


@pytest.mark.parametrize(("seed", "maxlags"), [(9, None), (10, 2), (11, 5)])
def test_its_hac_matches_statsmodels(seed, maxlags):
    t, y = random_series(seed, n=48)
    t = np.delete(t, [30])  # a gap: statsmodels' HAC lags count rows, and so do ours
    y = np.delete(y, [30])
    lags = default_maxlags(t.size) if maxlags is None else maxlags
    ref = sm.OLS(y, its_design(t, 24)).fit(
        cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True}
    )
    assert ref.use_t is False  # statsmodels' HAC default: normal-based inference
    out = interrupted_time_series(t, y, 24, hac=True, maxlags=maxlags)
    assert out["maxlags"] == lags and out["se_type"] == "HAC"
    assert out["level_ci"] == pytest.approx(list(ref.conf_int()[2]), rel=1e-9)
    assert out["slope_ci"] == pytest.approx(list(ref.conf_int()[3]), rel=1e-9)
    assert out["level_p"] == pytest.approx(ref.pvalues[2], rel=1e-8)
    assert out["slope_p"] == pytest.approx(ref.pvalues[3], rel=1e-8)


def test_default_maxlags_formula():
    # floor(4 (n/100)^(2/9)): n = 120 -> 4 * 1.0414 = 4.17 -> 4; n = 36 -> 4 * 0.797 -> 3
    assert default_maxlags(120) == 4
    assert default_maxlags(36) == 3


def test_its_warns_with_few_points_and_rejects_too_few():
    t = np.arange(12, dtype=float)
    y = np.array([5, 6, 5, 7, 6, 8, 3, 2, 3, 1, 2, 1], dtype=float)
    out = interrupted_time_series(t, y, 6)
    assert out["warning"] == (
        "Only 6 points before and 6 from the change point; with fewer than 8 on either side "
        "the level and slope changes are unreliable."
    )
    with pytest.raises(ValueError, match="at least 2 points before"):
        interrupted_time_series(t, y, 11)


# --- residual autocorrelation and the choice of errors ---------------------------------------


def ar1_series(seed: int, n: int, phi: float) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    e = np.zeros(n)
    for i in range(1, n):
        e[i] = phi * e[i - 1] + rng.normal(0, 1)
    t = np.arange(n, dtype=float)
    return t, 20 - 0.2 * t + 3 * (t >= n // 2) + e


@pytest.mark.parametrize(("seed", "phi"), [(1, 0.0), (2, 0.7), (3, -0.6), (4, 0.3)])
def test_durbin_watson_and_breusch_godfrey_match_statsmodels(seed, phi):
    t, y = ar1_series(seed, 40, phi)
    t = np.delete(t, [11])  # a gap: both count rows
    y = np.delete(y, [11])
    ref = sm.OLS(y, its_design(t, 20)).fit()
    # statsmodels.stats.stattools.durbin_watson and .diagnostic.acorr_breusch_godfrey
    # (nlags=1; the LM test's p-value is the second element)
    _, bg_p, _, _ = acorr_breusch_godfrey(ref, nlags=1, result_object=False)
    out = interrupted_time_series(t, y, 20)
    assert out["durbin_watson"] == pytest.approx(durbin_watson(ref.resid), rel=1e-10)
    assert out["breusch_godfrey_p"] == pytest.approx(bg_p, rel=1e-9)


@pytest.mark.parametrize("seed", range(5, 12))
def test_automatic_errors_follow_breusch_godfrey(seed):
    t, y = ar1_series(seed, 36, 0.6 if seed % 2 else 0.0)
    ref = sm.OLS(y, its_design(t, 18)).fit()
    _, bg_p, _, _ = acorr_breusch_godfrey(ref, nlags=1, result_object=False)
    auto = interrupted_time_series(t, y, 18, errors="auto")
    expected = "newey-west" if bg_p < 0.05 else "ols"
    assert auto["errors"] == expected
    explicit = interrupted_time_series(t, y, 18, errors=expected)
    assert auto == explicit | {"errors_reason": auto["errors_reason"]}
    assert ("chosen automatically" in auto["errors_reason"]) and f"p = {bg_p:.3f}" in (
        auto["errors_reason"]
    )


def test_automatic_newey_west_equals_the_explicit_fit_exactly():
    t, y = ar1_series(2, 40, 0.8)
    auto = interrupted_time_series(t, y, 20, errors="auto")
    assert auto["errors"] == "newey-west" and auto["breusch_godfrey_p"] < 0.05
    for explicit in (
        interrupted_time_series(t, y, 20, errors="newey-west"),
        interrupted_time_series(t, y, 20, hac=True),
    ):
        for key in ("level_change", "level_ci", "level_p", "slope_ci", "slope_p", "maxlags"):
            assert auto[key] == explicit[key]  # equal, not approximately
    ref = sm.OLS(y, its_design(t, 20)).fit(
        cov_type="HAC", cov_kwds={"maxlags": default_maxlags(40), "use_correction": True}
    )
    assert auto["level_p"] == pytest.approx(ref.pvalues[2], rel=1e-8)


def test_errors_options_are_checked():
    t, y = ar1_series(1, 20, 0.0)
    with pytest.raises(ValueError, match="errors 'hac' is not known"):
        interrupted_time_series(t, y, 10, errors="hac")
    with pytest.raises(ValueError, match="contradict"):
        interrupted_time_series(t, y, 10, hac=True, errors="ols")


@pytest.mark.parametrize("errors", ["auto", "ols", "newey-west"])
def test_constant_series_has_no_p_values(errors):
    t = np.arange(20, dtype=float)
    out = interrupted_time_series(t, np.full(20, 7.0), 10, errors=errors)
    assert out["level_change"] == 0.0 and out["slope_change"] == 0.0 and out["pre_slope"] == 0.0
    assert math.isnan(out["level_p"]) and math.isnan(out["slope_p"])
    assert all(math.isnan(v) for v in out["level_ci"] + out["slope_ci"])
    assert out["degenerate"] == (
        "The series is constant, so there is nothing to estimate and no p-values."
    )
    assert math.isnan(out["durbin_watson"]) and math.isnan(out["breusch_godfrey_p"])


def test_zero_residual_degrees_of_freedom_has_no_p_values():
    # 4 points, 4 coefficients: the fit is exact and there are no residual degrees of freedom
    out = interrupted_time_series([0, 1, 2, 3], [1.0, 4.0, 2.0, 9.0], 2, errors="auto")
    assert math.isnan(out["level_p"]) and math.isnan(out["slope_p"])
    assert "no residual degrees of freedom" in out["degenerate"]
    # before: the line through (0, 1), (1, 4) is 1 + 3t, 7 at t = 2; after: 2 at t = 2
    assert out["level_change"] == pytest.approx(2 - 7)


def test_exact_fit_gives_no_noise_p_values():
    # two straight lines: residuals are rounding noise, which must not become p = 0
    t = np.arange(24, dtype=float)
    y = np.where(t < 12, 3 + 0.5 * t, 20 - 0.25 * t)
    out = interrupted_time_series(t, y, 12, errors="auto")
    assert math.isnan(out["level_p"]) and "pass through every point" in out["degenerate"]
    assert out["level_change"] == pytest.approx(20 - 0.25 * 12 - (3 + 0.5 * 12))


def test_level_change_scan_refits_at_every_candidate_month():
    t, y = ar1_series(3, 30, 0.2)
    labels = [f"m{i}" for i in range(30)]
    for errors in ("ols", "newey-west"):
        scan = level_change_scan(t, y, labels, errors=errors)
        # candidates: at least 6 points before and 6 from the month on -> indices 6..24
        assert [row["month"] for row in scan] == labels[6:25]
        for row, i in zip(scan, range(6, 25), strict=True):
            fit = interrupted_time_series(t, y, float(i), errors=errors)
            assert row["level_change"] == pytest.approx(fit["level_change"], rel=1e-9)
            assert row["level_ci"] == pytest.approx(fit["level_ci"], rel=1e-8)
    assert level_change_scan(t[:11], y[:11], labels[:11]) == []


def test_analyse_series_reports_errors_and_sensitivity():
    t, y = ar1_series(2, 40, 0.8)
    out = analyse_series(months(40), y, change_point="2017-06")
    its = out["its"]
    assert its["errors"] == "newey-west" and its["se_type"] == "HAC"
    assert len(its["sensitivity"]) == 40 - 12 + 1
    assert analyse_series(months(40), y, change_point="2017-06", errors="ols")["its"]["errors"] == (
        "ols"
    )
    json.dumps(out, allow_nan=False)


# --- analyse_series --------------------------------------------------------------------------


def test_analyse_series_shape_and_json_ready():
    t, y = random_series(12, n=40)
    out = analyse_series(months(40), y, change_point="2017-01", direction="decrease", target=60)
    assert set(out) == {"n", "start", "end", "missing_months", "ols", "mann_kendall", "its", "spc"}
    assert set(out["spc"]["summary"]) == {"variation_icon", "assurance"}
    assert (out["n"], out["start"], out["end"]) == (40, "2015-10", "2019-01")
    assert out["its"]["change_point"] == "2017-01"
    assert {"intercept", "slope_per_month", "slope_ci", "p_value", "r_squared"} <= set(out["ols"])
    assert set(out["mann_kendall"]) == {"s", "var_s", "z", "p_value", "tau", "sen_slope"}
    its_keys = {"level_change", "level_ci", "level_p", "slope_change", "slope_ci", "slope_p"}
    assert its_keys | {"pre_slope", "n_pre", "n_post", "warning"} <= set(out["its"])
    assert len(out["its"]["fitted"]["months"]) == 40
    assert out["its"]["fitted"]["counterfactual_months"][0] == "2017-01"
    json.dumps(out, allow_nan=False)  # no NaN, no numpy types

    def walk(obj):
        if isinstance(obj, dict):
            for v in obj.values():
                walk(v)
        elif isinstance(obj, list):
            for v in obj:
                walk(v)
        else:
            assert obj is None or type(obj) in (int, float, str, bool), type(obj)

    walk(out)


def test_analyse_series_matches_parts_and_respects_gaps():
    t, y = random_series(13, n=30)
    keep = np.ones(30, dtype=bool)
    keep[[3, 4, 17]] = False
    ms = [m for m, k in zip(months(30), keep, strict=True) if k]
    out = analyse_series(ms, y[keep])
    assert out["missing_months"] == ["2016-01", "2016-02", "2017-03"]
    ref = sm.OLS(y[keep], sm.add_constant(t[keep])).fit()
    assert out["ols"]["slope_per_month"] == pytest.approx(ref.params[1])
    tk, yk = t[keep], y[keep]
    i, j = np.triu_indices(yk.size, 1)
    assert out["mann_kendall"]["sen_slope"] == pytest.approx(
        np.median((yk[j] - yk[i]) / (tk[j] - tk[i]))
    )
    assert out["its"] is None


def test_month_formats_are_equivalent():
    y = [3.0, 1.0, 4.0, 1.0, 5.0]
    as_str = analyse_series(["2016-01", "2016-02", "2016-03", "2016-05", "2016-06"], y)
    as_date = analyse_series(
        [dt.date(2016, 1, 1), dt.date(2016, 2, 1), dt.date(2016, 3, 1)]
        + [dt.date(2016, 5, 1), dt.date(2016, 6, 1)],
        y,
    )
    as_ts = analyse_series(
        pd.to_datetime(["2016-01", "2016-02", "2016-03", "2016-05", "2016-06"]), y
    )
    assert as_str == as_date == as_ts
    assert as_str["missing_months"] == ["2016-04"]


@pytest.mark.parametrize(
    ("months_", "values", "kwargs", "message"),
    [
        (["2016-01", "2016-02", "2016-02"], [1, 2, 3], {}, "2016-02 appears more than once"),
        (["2016-01", "2016-02"], [1, 2], {}, "at least 3 months with values; the series has 2"),
        (["2016-01", "2016-02", "2016-03"], [1, float("nan"), 3], {}, "not a finite number"),
        (["2016-01", "2016-02", "2016-03"], [1, float("inf"), 3], {}, "not a finite number"),
        (["2016-01", "2016-13", "2016-03"], [1, 2, 3], {}, "'2016-13' is not a month"),
        (["2016-01", "2016-02", "2016-03"], [1, 2], {}, "3 months but 2 values"),
        (
            [f"2016-{m:02d}" for m in range(1, 7)],
            range(6),
            {"change_point": "2017-01"},
            r"change point 2017-01 is outside the series \(2016-01 to 2016-06\)",
        ),
        (
            [f"2016-{m:02d}" for m in range(1, 7)],
            range(6),
            {"change_point": "2016-01"},
            "leaves 0 month\\(s\\) with values before it and 6 from it on",
        ),
        (
            [f"2016-{m:02d}" for m in range(1, 7)],
            range(6),
            {"change_point": "2016-06"},
            "leaves 5 month\\(s\\) with values before it and 1 from it on",
        ),
        (["2016-01", "2016-02", "2016-03"], [1, 2, 3], {"direction": "up"}, "direction 'up'"),
        (["2016-01", "2016-02", "2016-03"], [1, 2, 3], {"rebase": ["2016-05"]}, "rebase month"),
    ],
)
def test_analyse_series_errors(months_, values, kwargs, message):
    with pytest.raises(ValueError, match=message):
        analyse_series(months_, list(values), **kwargs)


# --- properties ------------------------------------------------------------------------------

values_strategy = st.lists(
    st.floats(-1000, 1000, allow_nan=False).map(lambda v: round(v, 3)), min_size=12, max_size=40
)


@settings(deadline=None)  # examples: the Hypothesis profile (tests/conftest.py)
@given(values=values_strategy, c=st.floats(0.01, 100))
def test_scaling_the_series_scales_slopes_and_spc(values, c):
    assume(np.ptp(values) > 1e-3)
    ms = months(len(values))
    base = analyse_series(ms, values)
    scaled = analyse_series(ms, [c * v for v in values])
    assert scaled["ols"]["slope_per_month"] == pytest.approx(
        c * base["ols"]["slope_per_month"], rel=1e-7, abs=1e-9
    )
    assert scaled["mann_kendall"]["sen_slope"] == pytest.approx(
        c * base["mann_kendall"]["sen_slope"], rel=1e-7, abs=1e-9
    )
    assert scaled["mann_kendall"]["s"] == base["mann_kendall"]["s"]
    for key in ("mean", "amr", "lower", "upper", "near_lower", "near_upper"):
        assert scaled["spc"]["segments"][0][key] == pytest.approx(
            c * base["spc"]["segments"][0][key], rel=1e-7, abs=1e-7
        )


@settings(max_examples=40, deadline=None)
@given(values=values_strategy, seed=st.integers(0, 2**32 - 1))
def test_permuting_input_rows_changes_nothing(values, seed):
    ms = months(len(values))
    order = np.random.default_rng(seed).permutation(len(values))
    kwargs = {"change_point": ms[len(values) // 2], "rebase": [ms[5]], "direction": "increase"}
    first = analyse_series(ms, values, **kwargs)
    second = analyse_series([ms[i] for i in order], [values[i] for i in order], **kwargs)
    assert first == second


def test_a_constant_series_gives_sentences_not_a_crash():
    out = analyse_series(months(20), [4.0] * 20, change_point="2016-10")
    its = out["its"]
    assert its["level_p"] is None and its["level_ci"] == [None, None]
    assert its["degenerate"].startswith("The series is constant")
    assert indicators.its_sentence(its, unit="cases").endswith(
        "the level changed by 0.0 cases and the monthly slope by 0.00, with no confidence "
        "intervals or p-values."
    )
    assert all(row["level_ci"] == [None, None] for row in its["sensitivity"])
    json.dumps(out, allow_nan=False)
