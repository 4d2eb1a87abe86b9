"""The proportional-odds model: statsmodels OrderedModel against R MASS::polr, our wrapper
against OrderedModel on the expanded answers, and the cases with no estimate."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps
from statsmodels.miscmodels.ordinal_model import OrderedModel

from rpgdash.stats.compare import compare_levels, domain_model_frame, paired_counts
from rpgdash.stats.ordinal import _model_class, fit_wave_model

# One xdist worker runs this file: the three-site demo (about 5 s to build) is built by one worker
# for this file and test_api.py.
pytestmark = pytest.mark.xdist_group("three_sites")

# MASS::housing (Madsen 1976; Venables & Ripley, MASS 4th ed., section 7.3): Freq for each
# Infl x Type x Cont cell, Sat Low, Medium, High. Rows in MASS's order (Infl fastest, then Type,
# then Cont).
HOUSING = [
    (21, 21, 28), (34, 22, 36), (10, 11, 36),
    (61, 23, 17), (43, 35, 40), (26, 18, 54),
    (13, 9, 10), (8, 8, 12), (6, 7, 9),
    (18, 6, 7), (15, 13, 13), (7, 5, 11),
    (14, 19, 37), (17, 23, 40), (3, 5, 23),
    (78, 46, 43), (48, 45, 86), (15, 25, 62),
    (20, 23, 20), (10, 22, 24), (7, 10, 21),
    (57, 23, 13), (31, 21, 13), (5, 6, 13),
]  # fmt: skip
# R: summary(polr(Sat ~ Infl + Type + Cont, weights = Freq, data = housing))
#    (MASS 4th ed. p. 205; the same output in the polr help-page example):
POLR_COEF = {
    "InflMedium": (0.5664, 0.10465),
    "InflHigh": (1.2888, 0.12716),
    "TypeApartment": (-0.5724, 0.11924),
    "TypeAtrium": (-0.3662, 0.15517),
    "TypeTerrace": (-1.0910, 0.15149),
    "ContHigh": (0.3603, 0.09554),
}
POLR_ZETA = {"Low|Medium": -0.4961, "Medium|High": 0.6907}
POLR_DEVIANCE = 3479.149


def housing_cells() -> pd.DataFrame:
    rows = []
    for i, freqs in enumerate(HOUSING):
        infl, type_, cont = i % 3, (i // 3) % 4, i // 12
        for sat, freq in enumerate(freqs):
            rows.append((sat, infl, type_, cont, freq))
    cells = pd.DataFrame(rows, columns=["sat", "infl", "type", "cont", "freq"])
    x = pd.DataFrame(
        {
            "InflMedium": cells["infl"] == 1,
            "InflHigh": cells["infl"] == 2,
            "TypeApartment": cells["type"] == 1,
            "TypeAtrium": cells["type"] == 2,
            "TypeTerrace": cells["type"] == 3,
            "ContHigh": cells["cont"] == 1,
        }
    ).astype(float)
    return pd.concat([cells, x], axis=1)


def test_housing_has_the_published_total():
    assert housing_cells()["freq"].sum() == 1681  # MASS: "1681 householders"


def test_ordered_model_reproduces_polr_on_housing():
    cells = housing_cells()
    rows = cells.loc[cells.index.repeat(cells["freq"])]
    x = rows[list(POLR_COEF)].to_numpy()
    result = OrderedModel(rows["sat"].to_numpy(), x, distr="logit").fit(
        method="bfgs", disp=False, maxiter=1000
    )
    # OrderedModel uses polr's sign: logit P(Y <= k) = threshold_k - x beta
    for i, (coef, se) in enumerate(POLR_COEF.values()):
        assert result.params[i] == pytest.approx(coef, abs=1e-4)
        assert result.bse[i] == pytest.approx(se, abs=1e-4)
    cuts = result.model.transform_threshold_params(result.params)[1:-1]
    assert cuts == pytest.approx(list(POLR_ZETA.values()), abs=1e-4)
    assert -2 * result.llf == pytest.approx(POLR_DEVIANCE, abs=1e-3)


def test_weighted_wrapper_reproduces_polr_from_the_72_cells():
    cells = housing_cells()
    model = _model_class()(
        cells["sat"].to_numpy(), cells[list(POLR_COEF)].to_numpy(), cells["freq"]
    )
    result = model.fit(method="bfgs", disp=False, maxiter=1000)
    for i, (coef, se) in enumerate(POLR_COEF.values()):
        assert result.params[i] == pytest.approx(coef, abs=1e-4)
        assert result.bse[i] == pytest.approx(se, abs=1e-4)
    cuts = model.transform_threshold_params(result.params)[1:-1]
    assert cuts == pytest.approx(list(POLR_ZETA.values()), abs=1e-4)
    assert -2 * result.llf == pytest.approx(POLR_DEVIANCE, abs=1e-3)


# --- our wrapper on data we make -------------------------------------------------------------


def expanded_fit(counts: np.ndarray, factors: list[np.ndarray]):
    """OrderedModel on one row per answer (no weights): the independent reference."""
    strata, _, levels = counts.shape
    used = np.flatnonzero(counts.sum(axis=(0, 1)) > 0)
    rows = [
        (s, w, int(np.searchsorted(used, k)))
        for s in range(strata)
        for w in range(2)
        for k in used
        for _ in range(int(counts[s, w, k]))
    ]
    frame = pd.DataFrame(rows, columns=["s", "w", "y"])
    columns = [frame["w"].to_numpy(float)]
    for codes in factors:
        c = np.asarray(codes)[frame["s"]]
        present = list(dict.fromkeys(np.asarray(codes).tolist()))
        columns += [(c == level).astype(float) for level in present[1:]]
    x = np.column_stack(columns)
    return OrderedModel(frame["y"].to_numpy(), x, distr="logit").fit(
        method="bfgs", disp=False, maxiter=2000, gtol=1e-8
    )


ROLE_COUNTS = np.array(
    [
        [[3, 6, 8, 2], [1, 4, 10, 6]],  # role 0: wave A, wave B
        [[0, 2, 5, 5], [0, 1, 3, 9]],  # role 1, with ties and an empty level
        [[4, 5, 2, 0], [2, 6, 5, 1]],  # role 2
    ],
    dtype=float,
)


def test_statement_model_matches_ordered_model_on_the_answers():
    model = fit_wave_model(ROLE_COUNTS, [np.arange(3)], ["role"])
    ref = expanded_fit(ROLE_COUNTS, [np.arange(3)])
    assert model.odds_ratio == pytest.approx(math.exp(ref.params[0]), rel=1e-4)
    assert model.p_value == pytest.approx(ref.pvalues[0], rel=1e-3)
    lo, hi = np.exp(ref.conf_int()[0])
    assert model.ci == pytest.approx((lo, hi), rel=1e-3)
    assert model.adjusted_for == ("role",) and model.n == int(ROLE_COUNTS.sum())
    assert model.note is None


def test_unused_level_is_dropped_like_ordered_model_does():
    counts = ROLE_COUNTS.copy()
    counts[:, :, 0] = 0  # nobody strongly disagrees
    model = fit_wave_model(counts, [np.arange(3)], ["role"])
    ref = expanded_fit(counts, [np.arange(3)])
    assert model.odds_ratio == pytest.approx(math.exp(ref.params[0]), rel=1e-4)


def test_domain_model_adds_statement_and_role():
    # two statements x three roles; strata (statement, role)
    counts = np.concatenate([ROLE_COUNTS, ROLE_COUNTS[:, ::-1, ::-1] + 1])
    statement = np.array([0, 0, 0, 1, 1, 1])
    role = np.array([0, 1, 2, 0, 1, 2])
    model = fit_wave_model(counts, [statement, role], ["statement", "role"])
    ref = expanded_fit(counts, [statement, role])
    assert model.odds_ratio == pytest.approx(math.exp(ref.params[0]), rel=1e-4)
    assert model.p_value == pytest.approx(ref.pvalues[0], rel=1e-3)


def test_proportional_odds_check_without_roles_is_the_deviance_of_the_2xk_table():
    # With wave only, a wave effect per threshold fits each wave's cumulative shares exactly,
    # so the check is the likelihood-ratio (deviance) of the PO model against the saturated
    # 2 x 4 table, on 4 - 2 = 2 degrees of freedom.
    counts = np.array([[[2, 10, 10, 2], [6, 4, 4, 10]]], dtype=float)  # spread, not shift
    model = fit_wave_model(counts)
    ref = expanded_fit(counts, [])
    saturated = sum(n * math.log(n / row.sum()) for row in counts[0] for n in row if n > 0)
    deviance = 2 * (saturated - ref.llf)
    assert model.po_check_p == pytest.approx(sps.chi2.sf(deviance, 2), rel=1e-3)
    assert model.po_check_p < 0.05 and "proportional odds doubtful" in model.note


def test_proportional_odds_check_passes_for_a_shift():
    counts = np.array([[[10, 20, 20, 10], [5, 15, 25, 15]]], dtype=float)
    model = fit_wave_model(counts)
    assert model.po_check_p > 0.5 and model.note is None and model.odds_ratio > 1


@pytest.mark.parametrize(
    ("counts", "factors", "note"),
    [
        # every answer "agree strongly" in both waves
        (np.array([[[0, 0, 0, 5], [0, 0, 0, 6]]]), [], "every answer is at the same level"),
        # waves do not overlap (perfect separation)
        (np.array([[[5, 3, 0, 0], [0, 0, 4, 6]]]), [], "barely overlap"),
        # role 0 answered only in wave A, role 1 only in wave B: wave = role
        (
            np.array([[[2, 3, 4, 1], [0, 0, 0, 0]], [[0, 0, 0, 0], [1, 2, 3, 4]]]),
            [np.array([0, 1])],
            "cannot be separated",
        ),
    ],
)
def test_not_estimable_is_reported_not_raised(counts, factors, note):
    model = fit_wave_model(counts.astype(float), factors, ["role"] * len(factors))
    assert not model.estimable and model.ci is None and math.isnan(model.p_value)
    assert note in model.note


def test_one_empty_wave_gives_no_model_and_no_note():
    model = fit_wave_model(np.array([[[1, 2, 3, 4], [0, 0, 0, 0]]], dtype=float))
    assert not model.estimable and model.note is None


# --- in the comparison table ------------------------------------------------------------------


def role_counts_frame(three_waves: bool = False) -> pd.DataFrame:
    rows = []
    waves = ["A", "B", "C"] if three_waves else ["A", "B"]
    for r, role in enumerate(["SW", "TM", "SM"]):
        for w, wave in enumerate(waves):
            levels = ROLE_COUNTS[r, min(w, 1)] if wave != "B" or not three_waves else [9, 0, 0, 9]
            for score, n in zip((1, 2, 3, 4), levels, strict=True):
                rows.append(("professional", role, "reflect", wave, score, int(n)))
    frame = pd.DataFrame(rows, columns=["domain", "role", "statement", "wave", "score", "n"])
    from rpgdash.stats.compare import add_all_roles

    return add_all_roles(frame)


def test_comparison_puts_the_model_on_the_all_roles_row_only():
    out = compare_levels(role_counts_frame(), wave_a="A", wave_b="B")
    total = out[out["role"] == "All roles"].iloc[0]
    expected = fit_wave_model(ROLE_COUNTS, [np.arange(3)], ["role"])
    assert total["wave_odds_ratio"] == pytest.approx(expected.odds_ratio)
    assert total["wave_or_ci"] == pytest.approx(list(expected.ci))
    assert total["wave_or_p"] == pytest.approx(expected.p_value)
    roles = out[out["role"] != "All roles"]
    assert roles["wave_odds_ratio"].isna().all() and roles["wave_or_ci"].isna().all()


def test_three_waves_compare_the_chosen_pair_only():
    counts = role_counts_frame(three_waves=True)
    out = compare_levels(counts, wave_a="A", wave_b="C")
    total = out[out["role"] == "All roles"].iloc[0]
    expected = fit_wave_model(ROLE_COUNTS, [np.arange(3)], ["role"])
    assert total["wave_odds_ratio"] == pytest.approx(expected.odds_ratio)
    groups, a, b = paired_counts(counts, wave_a="A", wave_b="C")
    domains = domain_model_frame(groups, a, b, wave_a="A", wave_b="C")
    # one statement: the domain model is the statement model
    assert domains["wave_odds_ratio"].iloc[0] == pytest.approx(expected.odds_ratio, rel=1e-6)
    assert domains["adjusted_for"].iloc[0] == ["statement", "role"]


def test_swapping_waves_inverts_the_odds_ratio():
    ab = compare_levels(role_counts_frame(), wave_a="A", wave_b="B").iloc[0]
    ba = compare_levels(role_counts_frame(), wave_a="B", wave_b="A").iloc[0]
    assert ab["wave_odds_ratio"] * ba["wave_odds_ratio"] == pytest.approx(1.0, rel=1e-4)
    assert ab["wave_or_p"] == pytest.approx(ba["wave_or_p"], rel=1e-3)


def test_fits_are_kept_per_counts():
    from rpgdash.stats.ordinal import clear_model_cache

    clear_model_cache()
    first = fit_wave_model(ROLE_COUNTS, [np.arange(3)], ["role"])
    assert fit_wave_model(ROLE_COUNTS.copy(), [np.arange(3)], ["role"]) is first
    other = fit_wave_model(ROLE_COUNTS[:, ::-1], [np.arange(3)], ["role"])
    assert other is not first
    assert other.odds_ratio == pytest.approx(1 / first.odds_ratio, rel=1e-4)  # waves swapped


def test_analytic_derivatives_match_numerical_ones():
    from statsmodels.tools.numdiff import approx_fprime, approx_hess

    from rpgdash.stats.ordinal import _design, _partial_derivatives, _po_derivatives

    y, wave, dummies, weight = _design(ROLE_COUNTS, [np.arange(3)])
    x = np.column_stack([wave, dummies])
    rng = np.random.default_rng(7)
    params = np.concatenate([rng.normal(0, 0.5, x.shape[1]), [-1.0, 0.3, -0.2]])

    def loglike(p):
        return _po_derivatives(p, y, x, weight)[0]

    _, score, hess = _po_derivatives(params, y, x, weight)
    np.testing.assert_allclose(score, approx_fprime(params, loglike, centered=True), rtol=1e-5)
    np.testing.assert_allclose(hess, approx_hess(params, loglike), rtol=1e-4, atol=1e-4)
    j = 3
    partial = np.concatenate([[-1.0, 0.2, 1.1], rng.normal(0, 0.3, j), rng.normal(0, 0.5, 2)])

    def partial_ll(p):
        return _partial_derivatives(p, y, wave, dummies, weight, j)[0]

    _, grad, hess = _partial_derivatives(partial, y, wave, dummies, weight, j)
    np.testing.assert_allclose(grad, approx_fprime(partial, partial_ll, centered=True), rtol=1e-5)
    np.testing.assert_allclose(hess, approx_hess(partial, partial_ll), rtol=1e-4, atol=1e-4)


# --- the batched fits (rpgdash.stats.ordinal_many) are the one-by-one statsmodels fits ------


def _demo_problems(path) -> list[tuple]:
    """Every statement and domain model of every site of a demo, as fit_wave_model inputs."""
    from rpgdash import queries
    from rpgdash.db import open_db
    from rpgdash.stats.ordinal import _codes

    problems = []
    with open_db(path, read_only=True) as db:
        for site in [None, *queries.site_names(db)]:
            groups, a, b, _ = queries.paired_level_counts(
                db, wave_a="+1 year", wave_b="+3 years", site=site
            )
            counts = np.stack([a, b], axis=1)
            roles, domains = groups["role"].to_numpy(), groups["domain"].to_numpy()
            by_role = roles != "All roles"
            for rows in groups.groupby(["domain", "statement"], sort=False).indices.values():
                strata = np.asarray(rows)[by_role[rows]]
                problems.append((counts[strata], [np.arange(strata.size)], ("role",)))
            for domain in dict.fromkeys(domains):
                rows = np.flatnonzero((domains == domain) & by_role)
                factors = [_codes(groups["statement"].to_numpy()[rows]), _codes(roles[rows])]
                problems.append((counts[rows], factors, ("statement", "role")))
    return problems


@pytest.fixture(scope="module")
def demo_problems(three_site_demo_path: Path) -> list[tuple]:
    return _demo_problems(three_site_demo_path)  # opened read-only


def _stalled(problem) -> tuple | None:
    """(model, start) when statsmodels' Newton fit of ``problem`` stalls (it then uses BFGS)."""
    from rpgdash.stats.ordinal import _design, _start_params

    counts = np.asarray(problem[0], dtype=float)
    if counts.sum(axis=(0, 2)).min() == 0 or np.count_nonzero(counts.sum(axis=(0, 1))) < 2:
        return None
    y, wave, dummies, weight = _design(counts, problem[1])
    x = np.column_stack([wave, dummies])
    model = _model_class()(y, x, weight)
    start = _start_params(y, x.shape[1], weight)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            result = model.fit(start_params=start, method="newton", disp=False, maxiter=50)
            if result.mle_retvals["converged"]:
                return None
        except np.linalg.LinAlgError:
            pass
    return model, start


def test_fast_bfgs_takes_exactly_the_steps_statsmodels_takes(demo_problems):
    from rpgdash.stats.ordinal import _bfgs, _statsmodels_bfgs

    stalled = [s for s in map(_stalled, demo_problems) if s is not None]
    assert len(stalled) >= 5  # the demo's small sites have roles all at one level
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for model, start in stalled:
            reference, fast = _statsmodels_bfgs(model, start), _bfgs(model, start)
            np.testing.assert_array_equal(fast.params, reference.params)
            np.testing.assert_array_equal(fast.bse, reference.bse)
            assert fast.llf == reference.llf
            assert fast.mle_retvals["converged"] == reference.mle_retvals["converged"]


def test_batched_fits_equal_statsmodels_fits_one_by_one(demo_problems, monkeypatch):
    from rpgdash.stats import ordinal
    from rpgdash.stats.ordinal_many import fit_wave_models

    ordinal.clear_model_cache()
    batched = fit_wave_models(demo_problems)
    ordinal.clear_model_cache()
    # The reference is the statsmodels path throughout: OrderedModel's Newton, then its BFGS.
    monkeypatch.setattr(ordinal, "_bfgs", ordinal._statsmodels_bfgs)
    reference = [ordinal.fit_wave_model(*p) for p in demo_problems]
    ordinal.clear_model_cache()
    assert sum(m.estimable for m in reference) > len(reference) / 2
    for fast, slow in zip(batched, reference, strict=True):
        assert (fast.note, fast.n, fast.adjusted_for) == (slow.note, slow.n, slow.adjusted_for)
        for name in ("odds_ratio", "p_value", "po_check_p"):
            np.testing.assert_allclose(getattr(fast, name), getattr(slow, name), rtol=1e-12)
        assert (fast.ci is None) == (slow.ci is None)
        if slow.ci is not None:
            np.testing.assert_allclose(fast.ci, slow.ci, rtol=1e-12)
