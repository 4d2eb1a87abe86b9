"""Wave comparisons from per-level counts, checked against SciPy, statsmodels, R and hand sums."""

from __future__ import annotations

import gc
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from rpgdash.stats.compare import (
    COMPARISON_COLUMNS,
    SCORE_LEVELS,
    add_all_roles,
    benjamini_hochberg,
    cliffs_delta,
    cliffs_delta_interval,
    compare_levels,
    describe_levels,
    exact_mann_whitney_p,
    holm,
    level_shares,
    mann_whitney_from_counts,
    mann_whitney_from_levels,
    newcombe_difference_interval,
    wilson_interval,
)

level_counts = st.lists(st.integers(0, 25), min_size=4, max_size=4)
nonempty_counts = level_counts.filter(lambda c: sum(c) > 0)


def expand(counts: list[int]) -> np.ndarray:
    return np.repeat(np.asarray(SCORE_LEVELS), counts).astype(float)


def counts_frame(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["domain", "role", "statement", "wave", "score", "n"])


def long_counts(domain: str, role: str, statement: str, wave: str, levels: list[int]) -> list:
    return [
        (domain, role, statement, wave, s, n) for s, n in zip(SCORE_LEVELS, levels, strict=True)
    ]


# --- Mann-Whitney -------------------------------------------------------------------------


@settings(deadline=None)  # examples: the Hypothesis profile (tests/conftest.py)
@given(a=nonempty_counts, b=nonempty_counts)
def test_mann_whitney_matches_scipy_on_expanded_data(a, b):
    u, p = mann_whitney_from_levels(a, b)
    # SciPy, independent implementation on the raw answers; statistic is U of the first sample
    ref = sps.mannwhitneyu(expand(b), expand(a), method="asymptotic", use_continuity=True)
    assert u == pytest.approx(ref.statistic, abs=1e-9)
    if len({*expand(a), *expand(b)}) == 1:
        assert p == 1.0  # SciPy's value is NaN/clipped here; ours is defined as 1
    else:
        assert p == pytest.approx(ref.pvalue, rel=1e-9, abs=1e-12)


def test_mann_whitney_r_help_page_example():
    # R ?wilcox.test, "Two-sample test" (Hollander & Wolfe 1973, p. 69f):
    x = [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46]
    y = [1.15, 0.88, 0.90, 0.74, 1.21]
    # R: wilcox.test(x, y, alternative = "greater", exact = FALSE, correct = FALSE)
    #    -> W = 35, p-value = 0.1103  (the H&W large-sample approximation)
    # (R: wilcox.test(x, y, alternative = "g") gives W = 35, p-value = 0.1272, but that is the
    # exact distribution, which this module does not compute.)
    # No ties, so each value is its own ordered category.
    values = sorted(x + y)
    counts_x = [x.count(v) for v in values]
    counts_y = [y.count(v) for v in values]
    w, p_two_sided = mann_whitney_from_counts(counts_y, counts_x, continuity=False)
    assert w == 35
    assert p_two_sided / 2 == pytest.approx(0.1103, abs=5e-5)
    # Same data with correct = TRUE (R's default): z = (35 - 25 - 0.5) / sqrt(10*5*16/12)
    #   = 9.5 / 8.16497 = 1.16351, two-sided p = erfc(1.16351 / sqrt 2) = 0.24462
    _, p = mann_whitney_from_counts(counts_y, counts_x)
    assert p == pytest.approx(math.erfc(9.5 / math.sqrt(10 * 5 * 16 / 12) / math.sqrt(2)))
    assert p == pytest.approx(0.24462, abs=5e-5)


def test_mann_whitney_hand_computed_with_ties():
    # A = 1,1,2,3 (counts 2,1,1,0); B = 2,3,4,4 (counts 0,1,1,2). Pooled mid-ranks:
    # level 1: ranks 1,2 -> 1.5; level 2: 3,4 -> 3.5; level 3: 5,6 -> 5.5; level 4: 7,8 -> 7.5
    # R_B = 3.5 + 5.5 + 7.5 + 7.5 = 24; U_B = 24 - 4*5/2 = 14; mu = 4*4/2 = 8
    # ties: four groups of 2, sum(t^3 - t) = 24
    # var = 4*4/12 * (9 - 24/(8*7)) = 11.428571...; z = (14 - 8 - 0.5)/sqrt(var) = 1.62693
    u, p = mann_whitney_from_levels([2, 1, 1, 0], [0, 1, 1, 2])
    assert u == 14
    z = 5.5 / math.sqrt(16 / 12 * (9 - 24 / 56))
    assert p == pytest.approx(math.erfc(z / math.sqrt(2)), rel=1e-12)
    assert p == pytest.approx(0.10376, abs=5e-5)


def test_mann_whitney_degenerate_cases():
    assert mann_whitney_from_levels([0, 0, 5, 0], [0, 0, 3, 0]) == (7.5, 1.0)  # all tied
    u, p = mann_whitney_from_levels([0, 0, 0, 0], [1, 2, 3, 4])
    assert math.isnan(u) and math.isnan(p)
    u, p = mann_whitney_from_levels([1, 0, 0, 0], [0, 0, 0, 1])  # n = 1 each
    assert (u, p) == (1.0, 1.0)  # |U - mu| = 0.5, corrected to 0


def test_mann_whitney_rejects_bad_counts():
    with pytest.raises(ValueError, match="4 counts"):
        mann_whitney_from_levels([1, 2, 3], [1, 2, 3, 4])
    with pytest.raises(ValueError, match="whole numbers"):
        mann_whitney_from_levels([1, -2, 3, 0], [1, 2, 3, 4])


@settings(deadline=None)  # examples: the Hypothesis profile (tests/conftest.py)
@given(a=level_counts, b=level_counts)
def test_swapping_waves_complements_u_and_keeps_p(a, b):
    u_ab, p_ab = mann_whitney_from_levels(a, b)
    u_ba, p_ba = mann_whitney_from_levels(b, a)
    if sum(a) and sum(b):
        assert u_ab + u_ba == sum(a) * sum(b)
        assert p_ab == pytest.approx(p_ba, rel=1e-12)
    else:
        assert math.isnan(p_ab) and math.isnan(p_ba)


# --- describe_levels, Cliff's delta, Holm -------------------------------------------------


@settings(deadline=None)  # examples: the Hypothesis profile (tests/conftest.py)
@given(counts=nonempty_counts)
def test_describe_levels_matches_numpy_and_statsmodels(counts):
    x = expand(counts)
    d = describe_levels(counts)
    assert d["n"] == x.size
    assert d["mean"] == pytest.approx(np.mean(x))
    assert d["pct_agree"] == pytest.approx(100 * np.mean(x >= 3))
    assert d["shares"] == pytest.approx(tuple(np.mean(x == k) for k in SCORE_LEVELS))
    # statsmodels: proportion_confint(count, nobs, method="wilson")
    lo, hi = proportion_confint(int(np.sum(x >= 3)), x.size, alpha=0.05, method="wilson")
    assert d["pct_agree_ci"] == pytest.approx((100 * lo, 100 * hi), abs=1e-9)
    if x.size < 2:
        assert math.isnan(d["sd"])
    else:
        assert d["sd"] == pytest.approx(np.std(x, ddof=1), abs=1e-12)


def test_describe_levels_empty_and_known_values():
    empty = describe_levels([0, 0, 0, 0])
    assert empty["n"] == 0 and empty["pct_agree_ci"] is None and math.isnan(empty["mean"])
    d = describe_levels([1, 1, 1, 1])
    assert d["mean"] == 2.5 and d["pct_agree"] == 50.0
    assert d["sd"] == pytest.approx(1.290994, abs=1e-6)  # sqrt(5/3)
    # all agree and none agree: Wilson stays inside 0-100 and has width. n = 11, z = 1.96:
    # lower = n / (n + z^2) = 11 / 14.8415 = 0.74117 (Wilson's formula with p = 1)
    assert describe_levels([0, 0, 0, 11])["pct_agree_ci"] == pytest.approx(
        (74.1167, 100.0), abs=1e-3
    )
    assert describe_levels([0, 11, 0, 0])["pct_agree_ci"] == pytest.approx((0.0, 25.8833), abs=1e-3)


# --- Wilson and Newcombe ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x_b", "n_b", "x_a", "n_a", "lo", "hi"),
    [
        # Newcombe RG (1998) Statistics in Medicine 17:873-890, Table II, method 10
        # (hybrid score interval), examples (a), (b), (d)-(h) as p1 - p2; p1 is wave B.
        # (Example (c), 6/7 - 2/7, is left out: we could not re-check its printed value.)
        (56, 70, 48, 80, 0.0524, 0.3339),
        (9, 10, 3, 10, 0.1705, 0.8090),
        (5, 56, 0, 29, -0.0381, 0.1926),
        (0, 10, 0, 20, -0.1611, 0.2775),
        (0, 10, 0, 10, -0.2775, 0.2775),
        (10, 10, 0, 20, 0.6791, 1.0000),
        (10, 10, 0, 10, 0.6075, 1.0000),
    ],
)
def test_newcombe_method_10_matches_the_published_table(x_b, n_b, x_a, n_a, lo, hi):
    got = newcombe_difference_interval(x_a, n_a, x_b, n_b)
    assert (float(got[0]), float(got[1])) == pytest.approx((lo, hi), abs=5e-5)
    # statsmodels implements the same method ("newcomb") independently
    ref = confint_proportions_2indep(x_b, n_b, x_a, n_a, method="newcomb", compare="diff")
    assert (float(got[0]), float(got[1])) == pytest.approx(ref, abs=1e-9)


def test_newcombe_matches_fagerland_et_al():
    # Fagerland, Lydersen & Laake (2015) SMMR 24:224-254, Perondi et al. data 7/34 vs 1/34:
    # Newcombe hybrid score 0.019 to 0.34 (as quoted in statsmodels' test_proportion.py)
    lo, hi = newcombe_difference_interval(1, 34, 7, 34)
    assert (float(lo), float(hi)) == pytest.approx((0.019, 0.340), abs=5e-4)


@settings(deadline=None)  # examples: the Hypothesis profile (tests/conftest.py)
@given(n=st.integers(0, 200), data=st.data())
def test_wilson_matches_statsmodels_including_0_and_n(n, data):
    x = data.draw(st.integers(0, n))
    lo, hi = wilson_interval(x, n)
    if n == 0:
        assert np.isnan(lo) and np.isnan(hi)
        return
    ref = proportion_confint(x, n, alpha=0.05, method="wilson")
    assert (float(lo), float(hi)) == pytest.approx(ref, abs=1e-12)
    assert 0 <= lo < hi <= 1  # never zero width, even at 0 and n


# --- exact Mann-Whitney -----------------------------------------------------------------------


def permutation_reference(a: list[int], b: list[int]) -> float:
    """SciPy's exact permutation test of |U - mu| on the expanded answers."""
    xa, xb = expand(a), expand(b)
    mu = xa.size * xb.size / 2

    def distance(x, y, axis):
        return np.abs(sps.mannwhitneyu(x, y, axis=axis).statistic - mu)

    res = sps.permutation_test(
        (xb, xa),
        distance,
        permutation_type="independent",
        n_resamples=np.inf,
        alternative="greater",
        vectorized=True,
    )
    return float(res.pvalue)


@settings(max_examples=40, deadline=None)
@given(
    a=st.lists(st.integers(0, 4), min_size=4, max_size=4).filter(lambda c: 2 <= sum(c) <= 7),
    b=st.lists(st.integers(0, 4), min_size=4, max_size=4).filter(lambda c: 2 <= sum(c) <= 7),
)
def test_exact_mann_whitney_matches_scipy_permutation_test(a, b):
    # at most C(14, 7) = 3432 splits: SciPy enumerates them all (n_resamples = inf)
    assert exact_mann_whitney_p(a, b) == pytest.approx(permutation_reference(a, b), abs=1e-12)


def test_exact_mann_whitney_known_values():
    # R: wilcox.test(x, y, exact = TRUE) on the ?wilcox.test two-sample data (no ties):
    # W = 35, p-value = 0.2544 (two-sided; twice the one-sided 0.1272 quoted above)
    x = [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46]
    y = [1.15, 0.88, 0.90, 0.74, 1.21]
    values = sorted(x + y)
    p = exact_mann_whitney_p([y.count(v) for v in values], [x.count(v) for v in values])
    assert p == pytest.approx(0.2544, abs=5e-5)
    # hand: A = 1,1,2,3, B = 2,3,4,4; 70 splits, |U - 8| >= 6 in 10 of them (weighted by ties)
    assert exact_mann_whitney_p([2, 1, 1, 0], [0, 1, 1, 2]) == pytest.approx(1 / 7)
    assert exact_mann_whitney_p([0, 0, 3, 0], [0, 0, 4, 0]) == 1.0  # every answer tied
    assert math.isnan(exact_mann_whitney_p([0, 0, 0, 0], [1, 0, 0, 0]))


def test_exact_p_is_used_below_30_answers_and_the_normal_one_above():
    small = compare_levels(
        counts_frame(
            long_counts("professional", "All roles", "s", "A", [1, 3, 3, 1])
            + long_counts("professional", "All roles", "s", "B", [0, 1, 4, 4])
        ),
        wave_a="A",
        wave_b="B",
        model=False,
    ).iloc[0]
    assert small["p_method"] == "exact"
    assert small["p_value"] == pytest.approx(permutation_reference([1, 3, 3, 1], [0, 1, 4, 4]))
    a_levels, b_levels = [5, 10, 10, 5], [0, 1, 4, 4]  # 30 and 9: still exact (9 < 30)
    big_a = [6, 12, 12, 6]  # 36 and 36: normal
    rows = long_counts("professional", "All roles", "s", "A", a_levels)
    rows += long_counts("professional", "All roles", "s", "B", b_levels)
    rows += long_counts("professional", "All roles", "t", "A", big_a)
    rows += long_counts("professional", "All roles", "t", "B", big_a[::-1])
    out = compare_levels(counts_frame(rows), wave_a="A", wave_b="B", model=False)
    assert out["p_method"].tolist() == ["exact", "normal"]
    _, p_normal = mann_whitney_from_levels(big_a, big_a[::-1])
    assert out["p_value"].iloc[1] == pytest.approx(p_normal)


# --- Cliff's delta interval -------------------------------------------------------------------


def cliff_reference(treatment: np.ndarray, control: np.ndarray) -> tuple[float, float, float]:
    """Cliff (1996) from the full dominance matrix, as R effsize::cliff.delta (defaults)."""
    dom = np.sign(treatment[:, None] - control[None, :])
    d = dom.mean()
    n1, n2 = dom.shape
    di, dj = dom.mean(axis=1), dom.mean(axis=0)
    var = (
        n2**2 * ((di - d) ** 2).sum() + n1**2 * ((dj - d) ** 2).sum() - ((dom - d) ** 2).sum()
    ) / (n1 * n2 * (n1 - 1) * (n2 - 1))
    var = max(var, (1 - d**2) / (n1 * n2 - 1))
    z = sps.t.ppf(0.975, n1 + n2 - 2)
    root = z * np.sqrt(var) * np.sqrt((1 - d**2) ** 2 + z**2 * var)
    return (
        d,
        (d - d**3 - root) / (1 - d**2 + z**2 * var),
        (d - d**3 + root) / (1 - d**2 + z**2 * var),
    )


def test_cliffs_delta_interval_matches_the_effsize_example():
    # R effsize::cliff.delta(treatment, control) help example (Hogarty & Kromrey 1999 data):
    # delta estimate: -0.25 (small); 95 percent confidence interval -0.7265846 to 0.3890062
    treatment = [10, 10, 20, 20, 20, 30, 30, 30, 40, 50]
    control = [10, 20, 30, 40, 40, 50]
    levels = sorted(set(treatment + control))
    d, lo, hi = cliffs_delta_interval(
        [control.count(v) for v in levels], [treatment.count(v) for v in levels]
    )
    assert (d, lo, hi) == pytest.approx((-0.25, -0.7265846, 0.3890062), abs=1e-7)


@settings(deadline=None)  # examples: the Hypothesis profile (tests/conftest.py)
@given(a=level_counts.filter(lambda c: sum(c) >= 2), b=level_counts.filter(lambda c: sum(c) >= 2))
def test_cliffs_delta_interval_matches_the_dominance_matrix(a, b):
    d, lo, hi = cliffs_delta_interval(a, b)
    ref_d, ref_lo, ref_hi = cliff_reference(expand(b), expand(a))
    assert d == pytest.approx(ref_d, abs=1e-12)
    if abs(ref_d) == 1:
        assert math.isnan(lo) and math.isnan(hi)  # waves do not overlap: no interval
    else:
        assert (lo, hi) == pytest.approx((ref_lo, ref_hi), abs=1e-9)
        assert -1 <= lo <= d <= hi <= 1 and lo < hi


def test_cliffs_delta_interval_all_agree_groups_have_width():
    d, lo, hi = cliffs_delta_interval([0, 0, 0, 11], [0, 0, 0, 9])
    assert d == 0 and lo < 0 < hi


@settings(deadline=None)  # examples: the Hypothesis profile (tests/conftest.py)
@given(a=nonempty_counts, b=nonempty_counts)
def test_cliffs_delta_matches_brute_force_pair_count(a, b):
    xa, xb = expand(a), expand(b)
    diff = xb[:, None] - xa[None, :]
    brute = (np.sum(diff > 0) - np.sum(diff < 0)) / (xa.size * xb.size)
    u, _ = mann_whitney_from_levels(a, b)
    assert cliffs_delta(u, xa.size, xb.size) == pytest.approx(brute, abs=1e-12)


def test_cliffs_delta_empty_group_is_nan():
    assert math.isnan(cliffs_delta(0.0, 0, 5))


@given(p=st.lists(st.floats(0, 1), min_size=1, max_size=12))
def test_benjamini_hochberg_matches_statsmodels(p):
    expected = multipletests(p, method="fdr_bh")[1]
    np.testing.assert_allclose(benjamini_hochberg(p), expected, rtol=1e-12, atol=1e-15)


def test_benjamini_hochberg_ignores_nan():
    out = benjamini_hochberg([0.01, np.nan, 0.04, 0.03])
    # hand: sorted 0.01, 0.03, 0.04 -> 0.03, 0.045, 0.04 -> step-up min: 0.03, 0.04, 0.04
    np.testing.assert_allclose(out[[0, 3, 2]], [0.03, 0.04, 0.04])
    assert np.isnan(out[1])


def statsmodels_holm(p) -> np.ndarray:
    """statsmodels' Holm-adjusted p-values, the reference.

    Its Holm branch ends with ``gc.collect()``: a full collection on every call, about 40 ms
    in a bare interpreter and 200 ms in a test worker's heap. The values do not depend on it,
    so it is a no-op for the call.
    """
    real = gc.collect
    gc.collect = lambda generation=2: 0
    try:
        return multipletests(p, method="holm")[1]
    finally:
        gc.collect = real


@given(p=st.lists(st.floats(0, 1), min_size=1, max_size=12))
def test_holm_matches_statsmodels(p):
    expected = statsmodels_holm(p)
    np.testing.assert_allclose(holm(p), expected, rtol=1e-12, atol=1e-15)


def test_holm_ignores_nan_and_caps_at_one():
    p = [0.01, np.nan, 0.04, 0.03, np.nan, 0.9]
    expected = statsmodels_holm([0.01, 0.04, 0.03, 0.9])
    out = holm(p)
    assert np.isnan(out[[1, 4]]).all()
    np.testing.assert_allclose(out[[0, 2, 3, 5]], expected)
    # hand: sorted 0.01, 0.03, 0.04, 0.9 times 4, 3, 2, 1 -> 0.04, 0.09, 0.08 -> 0.09, 0.9
    np.testing.assert_allclose(out[[0, 3, 2, 5]], [0.04, 0.09, 0.09, 0.9])
    assert np.isnan(holm([np.nan, np.nan])).all()
    assert holm([0.6, 0.7]).tolist() == [1.0, 1.0]


# --- compare_levels ------------------------------------------------------------------------


def two_wave_counts() -> pd.DataFrame:
    rows = []
    rows += long_counts("relationships", "All roles", "peers", "+1 year", [2, 5, 6, 2])
    rows += long_counts("relationships", "All roles", "peers", "+3 years", [0, 3, 9, 8])
    rows += long_counts("professional", "All roles", "reflect", "+1 year", [1, 2, 8, 4])
    rows += long_counts("professional", "All roles", "reflect", "+3 years", [0, 2, 7, 11])
    rows += long_counts("professional", "All roles", "identity", "+1 year", [3, 4, 5, 3])
    rows += long_counts("professional", "All roles", "identity", "+3 years", [1, 4, 9, 6])
    rows += long_counts("extra", "All roles", "new item", "+3 years", [0, 1, 1, 0])
    return counts_frame(rows)


def test_compare_levels_values_match_independent_computation():
    out = compare_levels(two_wave_counts(), wave_a="+1 year", wave_b="+3 years")
    assert list(out.columns) == COMPARISON_COLUMNS
    row = out[out["statement"] == "reflect"].iloc[0]
    a, b = expand([1, 2, 8, 4]), expand([0, 2, 7, 11])
    ref = sps.mannwhitneyu(b, a, method="asymptotic", use_continuity=True)
    assert row["n_a"] == 15 and row["n_b"] == 20
    assert row["mean_a"] == pytest.approx(a.mean()) and row["mean_b"] == pytest.approx(b.mean())
    assert row["sd_b"] == pytest.approx(b.std(ddof=1))
    assert row["diff"] == pytest.approx(b.mean() - a.mean())
    assert row["u"] == ref.statistic
    # 15 and 20 answers: exact p (checked against SciPy's permutation test above)
    assert row["p_method"] == "exact"
    assert row["p_value"] == pytest.approx(exact_mann_whitney_p([1, 2, 8, 4], [0, 2, 7, 11]))
    assert abs(row["p_value"] - ref.pvalue) < 0.01  # close to the normal approximation
    assert row["pct_agree_a"] == pytest.approx(80.0)
    wilson = proportion_confint(12, 15, method="wilson")
    assert row["pct_agree_ci_a"] == pytest.approx([100 * wilson[0], 100 * wilson[1]])
    assert row["pct_agree_change"] == pytest.approx(90.0 - 80.0)
    change = confint_proportions_2indep(18, 20, 12, 15, method="newcomb", compare="diff")
    assert row["pct_agree_change_ci"] == pytest.approx([100 * change[0], 100 * change[1]])
    d, lo, hi = cliff_reference(b, a)
    assert row["cliffs_delta"] == pytest.approx(d) and row["delta_ci"] == pytest.approx([lo, hi])
    assert row["suppressed"] is None
    assert row["significant"] is bool(row["p_value"] < 0.05)
    assert "ci_a" not in out.columns  # means have no interval (see MEAN_INTERVAL_NOTE)


def test_compare_levels_orders_rows_and_forms_holm_families():
    out = compare_levels(two_wave_counts(), wave_a="+1 year", wave_b="+3 years")
    # known domains in the fixed order, unknown ones after; statements in order of appearance
    assert out["statement"].tolist() == ["reflect", "identity", "peers", "new item"]
    prof = out[out["domain"] == "professional"]
    expected = statsmodels_holm(prof["p_value"])
    np.testing.assert_allclose(prof["p_holm"], expected)
    peers = out[out["statement"] == "peers"].iloc[0]
    assert peers["p_holm"] == pytest.approx(peers["p_value"])  # family of one
    assert out["significant_holm"].tolist() == [bool(p < 0.05) for p in out["p_holm"].iloc[:3]] + [
        None
    ]


def test_compare_levels_statement_order_and_role_order():
    rows = []
    for role in ("All roles", "Social workers"):
        for statement in ("b", "a"):
            for wave, levels in (("A", [1, 2, 3, 4]), ("B", [0, 2, 3, 5])):
                rows += long_counts("professional", role, statement, wave, levels)
    counts = counts_frame(rows)
    counts["statement_order"] = counts["statement"].map({"a": 1, "b": 2})
    out = compare_levels(counts, wave_a="A", wave_b="B")
    assert list(zip(out["role"], out["statement"], strict=True)) == [
        ("All roles", "a"),
        ("All roles", "b"),
        ("Social workers", "a"),
        ("Social workers", "b"),
    ]


def test_statement_in_one_wave_only_has_nan_for_the_missing_wave():
    out = compare_levels(two_wave_counts(), wave_a="+1 year", wave_b="+3 years")
    row = out[out["statement"] == "new item"].iloc[0]
    assert row["n_a"] == 0 and row["n_b"] == 2
    for col in ("mean_a", "sd_a", "pct_agree_a", "diff", "u", "p_value", "p_holm"):
        assert math.isnan(row[col]), col
    assert row["pct_agree_ci_a"] is None and row["significant"] is None
    assert row["pct_agree_change_ci"] is None and row["p_method"] is None
    assert row["mean_b"] == 2.5


def test_compare_levels_rejects_bad_counts():
    counts = two_wave_counts()
    with pytest.raises(ValueError, match="missing the column"):
        compare_levels(counts.drop(columns="n"), wave_a="+1 year", wave_b="+3 years")
    counts.loc[0, "score"] = 5
    with pytest.raises(ValueError, match="not a level"):
        compare_levels(counts, wave_a="+1 year", wave_b="+3 years")


def test_compare_levels_with_group_sizes_suppresses_and_nulls_numbers():
    rows = []
    for role, a, b in (
        ("Social workers", [2, 4, 5, 3], [1, 3, 6, 6]),  # 14, 16
        ("Senior managers", [0, 0, 2, 1], [0, 0, 1, 3]),  # 3, 4: primary
        ("Lead practitioners", [0, 2, 4, 2], [0, 1, 4, 4]),  # 8, 9: next smallest, secondary
        ("Team managers", [1, 3, 4, 4], [0, 3, 5, 5]),  # 12, 13
    ):
        rows += long_counts("professional", role, "reflect", "+1 year", a)
        rows += long_counts("professional", role, "reflect", "+3 years", b)
    counts = add_all_roles(counts_frame(rows))
    sizes = pd.DataFrame(
        {
            "role": ["Social workers", "Senior managers", "Lead practitioners", "Team managers"]
            * 2,
            "wave": ["+1 year"] * 4 + ["+3 years"] * 4,
            "respondents": [14, 3, 8, 12, 16, 4, 9, 13],
        }
    )
    out = compare_levels(counts, wave_a="+1 year", wave_b="+3 years", group_sizes=sizes)
    by_role = out.set_index("role")
    assert out["role"].tolist()[0] == "All roles"
    assert by_role.loc["Senior managers", "suppressed"] == (
        "fewer than 5 respondents in +1 year and +3 years (primary suppression)"
    )
    assert "secondary suppression" in by_role.loc["Lead practitioners", "suppressed"]
    for role in ("Senior managers", "Lead practitioners"):
        row = by_role.loc[role]
        assert row["n_a"] is pd.NA and row["n_b"] is pd.NA
        for col in ("pct_agree_ci_a", "pct_agree_ci_b", "pct_agree_change_ci", "delta_ci"):
            assert row[col] is None, col
        assert row["p_method"] is None and row["wave_or_ci"] is None
        assert row["significant"] is None and row["significant_holm"] is None
        assert row["significant_bh"] is None
        numeric = ["mean_a", "mean_b", "sd_a", "sd_b", "pct_agree_a", "pct_agree_b", "diff"]
        numeric += ["u", "p_value", "p_holm", "p_bh", "cliffs_delta", "pct_agree_change"]
        assert row[numeric].isna().all()
    shown = by_role.loc[["All roles", "Social workers", "Team managers"]]
    assert shown["suppressed"].isna().all() and shown["n_a"].notna().all()
    assert by_role.loc["All roles", "n_a"] == 37


def test_compare_levels_fills_missing_group_sizes_from_counts():
    rows = long_counts("professional", "Tiny team", "reflect", "A", [1, 1, 0, 0])
    rows += long_counts("professional", "Tiny team", "reflect", "B", [0, 1, 1, 0])
    rows += long_counts("professional", "Big team", "reflect", "A", [3, 3, 3, 3])
    rows += long_counts("professional", "Big team", "reflect", "B", [3, 3, 3, 3])
    sizes = pd.DataFrame({"role": ["Big team"] * 2, "wave": ["A", "B"], "respondents": [12, 12]})
    out = compare_levels(counts_frame(rows), wave_a="A", wave_b="B", group_sizes=sizes)
    # the tiny team (2 answers) has no size row but must still be hidden, and the big team
    # with it (otherwise total - big team = tiny team)
    assert out["suppressed"].notna().all()


@st.composite
def count_tables(draw):
    roles = draw(st.lists(st.sampled_from(["SW", "LP", "SM", "TM"]), min_size=1, unique=True))
    statements = draw(st.lists(st.sampled_from(["s1", "s2", "s3"]), min_size=1, unique=True))
    rows = []
    for role in roles:
        for statement in statements:
            for wave in ("A", "B"):
                levels = draw(level_counts)
                rows += long_counts("professional", role, statement, wave, levels)
    return counts_frame(rows)


@settings(max_examples=40, deadline=None)
@given(counts=count_tables())
def test_swapping_waves_negates_diff_and_delta_and_keeps_p(counts):
    ab = compare_levels(counts, wave_a="A", wave_b="B")
    ba = compare_levels(counts, wave_a="B", wave_b="A")
    np.testing.assert_allclose(ab["diff"], -ba["diff"], equal_nan=True)
    np.testing.assert_allclose(ab["cliffs_delta"], -ba["cliffs_delta"], atol=1e-12, equal_nan=True)
    np.testing.assert_allclose(ab["p_value"], ba["p_value"], rtol=1e-12, equal_nan=True)
    np.testing.assert_allclose(ab["p_holm"], ba["p_holm"], rtol=1e-12, equal_nan=True)
    assert (ab["n_a"] == ba["n_b"]).all()


@settings(max_examples=40, deadline=None)
@given(counts=count_tables(), seed=st.integers(0, 2**32 - 1))
def test_permuting_count_rows_changes_nothing(counts, seed):
    shuffled = counts.sample(frac=1, random_state=np.random.default_rng(seed))
    key = ["domain", "role", "statement"]
    first = compare_levels(counts, wave_a="A", wave_b="B").sort_values(key, ignore_index=True)
    second = compare_levels(shuffled, wave_a="A", wave_b="B").sort_values(key, ignore_index=True)
    pd.testing.assert_frame_equal(first, second, check_exact=False, rtol=1e-12)


# --- add_all_roles and level_shares --------------------------------------------------------


def test_add_all_roles_sums_over_roles_and_comes_first():
    rows = long_counts("professional", "SW", "reflect", "A", [1, 2, 3, 4])
    rows += long_counts("professional", "LP", "reflect", "A", [0, 1, 0, 2])
    out = add_all_roles(counts_frame(rows))
    total = out[out["role"] == "All roles"]
    assert out["role"].iloc[0] == "All roles" and len(out) == 12
    assert total.sort_values("score")["n"].tolist() == [1, 3, 3, 6]
    with pytest.raises(ValueError, match="already has rows"):
        add_all_roles(out)


def test_level_shares_fills_missing_levels_and_sums_to_one():
    rows = [
        ("professional", "SW", "reflect", "A", 4, 3),
        ("professional", "SW", "reflect", "A", 2, 1),
    ]
    out = level_shares(counts_frame(rows))
    assert list(out.columns) == [
        "domain",
        "role",
        "statement",
        "wave",
        "score",
        "n",
        "share",
        "n_total",
    ]
    assert out["score"].tolist() == [1, 2, 3, 4]
    assert out["n"].tolist() == [0, 1, 0, 3]
    assert out["share"].tolist() == [0.0, 0.25, 0.0, 0.75]
    assert out["n_total"].tolist() == [4, 4, 4, 4]
