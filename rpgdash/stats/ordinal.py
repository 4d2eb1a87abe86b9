"""One model across roles: a proportional-odds (ordinal logistic) model of answer ~ wave + role.

The unadjusted wave comparison (Mann-Whitney, % agree) mixes two things when the mix of job
roles differs between waves: real change, and a different set of people answering. The
proportional-odds model fits every role's answers at once,

    logit P(answer <= j) = threshold_j - (beta_wave * [later wave] + beta_role),

so ``exp(beta_wave)`` is the odds of answering at a higher level at the later wave than at
the earlier one, for people in the same role (adjusted for role mix). The domain model adds the
statement as a second factor.

The fit is statsmodels ``OrderedModel`` (logit link) on per-level counts used as frequency
weights; its sign convention is that of R ``MASS::polr`` (a positive coefficient means higher
answers). Software that models ``threshold_j + x beta`` (e.g. SAS PROC LOGISTIC by default)
reports the opposite sign.

The proportional-odds assumption (one wave effect for every threshold) is checked by a
likelihood-ratio test against the partial proportional-odds model in which the wave effect
may differ at each threshold (role effects stay common); the test has (levels - 2) degrees of
freedom. A model that cannot be estimated (every answer at one level, waves that do not
overlap, a wave confounded with a role) is reported as "not estimable", never raised.
"""

from __future__ import annotations

import math
import threading
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import special

from rpgdash.stats import dist

ALPHA = 0.05
# Beyond these a fit has drifted towards separation: the estimate is not meaningful.
_MAX_ABS_LOG_OR = 8.0
_MAX_SE = 4.0


@dataclass(frozen=True)
class WaveModel:
    """The wave effect of one proportional-odds model.

    ``odds_ratio``: exp(beta_wave), later wave over earlier (NaN when not estimable);
    ``ci``: its 95% Wald interval (``None`` when not estimable); ``p_value``: Wald test of
    beta_wave = 0; ``po_check_p``: likelihood-ratio p of the proportional-odds check (NaN when
    it cannot be run, e.g. with two levels in use); ``note``: ``None`` or a sentence saying
    why no estimate is given or why it should be read with care; ``n``: answers used;
    ``adjusted_for``: the factors in the model besides wave.
    """

    odds_ratio: float
    ci: tuple[float, float] | None
    p_value: float
    po_check_p: float
    note: str | None
    n: int
    adjusted_for: tuple[str, ...]

    @property
    def estimable(self) -> bool:
        return not math.isnan(self.odds_ratio)


def _not_estimable(note: str | None, n: int, adjusted_for: tuple[str, ...]) -> WaveModel:
    return WaveModel(math.nan, None, math.nan, math.nan, note, n, adjusted_for)


def _cell_derivatives(
    upper: np.ndarray, lower: np.ndarray, e_up: np.ndarray, e_low: np.ndarray, w: np.ndarray
) -> tuple[float, np.ndarray, np.ndarray]:
    """Log-likelihood, gradient and Hessian of sum w log(F(upper) - F(lower)), F logistic.

    ``e_up`` and ``e_low`` (cells x parameters) are the derivatives of ``upper`` and
    ``lower`` with respect to the parameters (the linear predictors are linear in them).
    """
    f_up, f_low = special.expit(upper), special.expit(lower)
    prob = np.maximum(f_up - f_low, 1e-300)
    d_up = np.where(np.isfinite(upper), f_up * (1 - f_up), 0.0)
    d_low = np.where(np.isfinite(lower), f_low * (1 - f_low), 0.0)
    dd_up = d_up * (1 - 2 * f_up)
    dd_low = d_low * (1 - 2 * f_low)
    a, b = d_up / prob, -d_low / prob  # d log p / d upper, d log p / d lower
    h_uu, h_ll, h_ul = dd_up / prob - a**2, -dd_low / prob - b**2, -a * b
    ll = float((w * np.log(prob)).sum())
    grad = e_up.T @ (w * a) + e_low.T @ (w * b)
    cross = e_up.T @ ((w * h_ul)[:, None] * e_low)
    hess = (
        e_up.T @ ((w * h_uu)[:, None] * e_up)
        + e_low.T @ ((w * h_ll)[:, None] * e_low)
        + cross
        + cross.T
    )
    return ll, grad, hess


def _cut_design(y: np.ndarray, j: int, slots: int, offset: int) -> tuple[np.ndarray, np.ndarray]:
    """Indicator columns of the threshold above and below each cell's level."""
    rows = np.arange(y.size)
    e_up, e_low = np.zeros((y.size, slots)), np.zeros((y.size, slots))
    top, bottom = y < j, y > 0
    e_up[rows[top], offset + y[top]] = 1.0
    e_low[rows[bottom], offset + y[bottom] - 1] = 1.0
    return e_up, e_low


def _po_derivatives(
    params: np.ndarray, y: np.ndarray, x: np.ndarray, w: np.ndarray
) -> tuple[float, np.ndarray, np.ndarray]:
    """Log-likelihood, score and Hessian of the weighted proportional-odds model.

    In OrderedModel's parameters: coefficients, then the first threshold and the logs of
    the steps between thresholds.
    """
    k = x.shape[1]
    beta, raw = params[:k], params[k:]
    j = raw.size
    steps = np.exp(raw[1:])
    cuts = np.cumsum(np.concatenate([raw[:1], steps]))
    padded = np.concatenate([[-np.inf], cuts, [np.inf]])
    xb = x @ beta
    upper, lower = padded[y + 1] - xb, padded[y] - xb
    e_up, e_low = _cut_design(y, j, k + j, k)
    e_up[:, :k] = np.where(np.isfinite(upper)[:, None], -x, 0.0)
    e_low[:, :k] = np.where(np.isfinite(lower)[:, None], -x, 0.0)
    ll, grad, hess = _cell_derivatives(upper, lower, e_up, e_low, w)
    # chain rule from thresholds to OrderedModel's raw parameters
    jac = np.eye(k + j)
    jac[k:, k] = 1.0
    for i in range(1, j):
        jac[k + i :, k + i] = steps[i - 1]
    score = jac.T @ grad
    hess = jac.T @ hess @ jac
    tail = np.cumsum(grad[k:][::-1])[::-1]
    hess[k + 1 :, k + 1 :] += np.diag(steps * tail[1:])
    return ll, score, hess


def _weighted_ordered_model():
    """statsmodels' OrderedModel with frequency weights and analytic derivatives.

    Imported on first use: statsmodels takes about a second to import.
    """
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    class WeightedOrderedModel(OrderedModel):
        def __init__(self, endog, exog, weights, **kwargs):
            super().__init__(endog, exog, distr="logit", **kwargs)
            self.freq_weights = np.asarray(weights, dtype=float)

        # The logistic distribution, without scipy.stats' per-call overhead.
        def cdf(self, x):
            return special.expit(x)

        def pdf(self, x):
            f = special.expit(x)
            return f * (1 - f)

        def loglikeobs(self, params):
            return self.freq_weights * super().loglikeobs(params)

        def _derivatives(self, params):
            params = np.asarray(params, dtype=float)
            last = getattr(self, "_last", None)
            if last is None or not np.array_equal(last[0], params):
                y = np.asarray(self.endog, dtype=np.int64)
                self._last = (
                    params.copy(),
                    _po_derivatives(params, y, self.exog, self.freq_weights),
                )
            return self._last[1]

        def score(self, params):
            return self._derivatives(params)[1]

        def hessian(self, params):
            return self._derivatives(params)[2]

    return WeightedOrderedModel


_MODEL_CLASS = None


def _model_class():
    global _MODEL_CLASS
    if _MODEL_CLASS is None:
        _MODEL_CLASS = _weighted_ordered_model()
    return _MODEL_CLASS


def _design(
    counts: np.ndarray, factors: Sequence[np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Cells with answers: level code, wave (0/1), factor dummies and weight."""
    strata, waves, levels = counts.shape
    used_levels = np.flatnonzero(counts.sum(axis=(0, 1)) > 0)
    s, w, k = np.nonzero(counts[:, :, used_levels] > 0)
    weight = counts[:, :, used_levels][s, w, k]
    columns = []
    for codes in factors:
        codes = np.asarray(codes)[s]
        present = list(dict.fromkeys(codes.tolist()))
        columns += [(codes == level).astype(float) for level in present[1:]]
    dummies = np.column_stack(columns) if columns else np.zeros((s.size, 0))
    return k, w.astype(float), dummies, weight.astype(float)


def _fit(model, start: np.ndarray, newton: bool = True):
    """Newton's method with the analytic Hessian; BFGS when Newton stalls.

    ``newton=False`` goes straight to BFGS (for fits whose Newton run is known to stall).
    """
    if newton:
        try:
            result = model.fit(start_params=start, method="newton", disp=False, maxiter=50)
            if result.mle_retvals.get("converged", False):
                return result
        except np.linalg.LinAlgError:
            pass
    return _bfgs(model, start)


class _BfgsFit:
    """What :func:`_fit_wave_model` reads from a statsmodels result, for :func:`_bfgs`."""

    def __init__(self, params: np.ndarray, llf: float, hinv: np.ndarray | None, converged: bool):
        self.params, self.llf, self._hinv = params, llf, hinv
        self.mle_retvals = {"converged": converged}

    @property
    def bse(self) -> np.ndarray:
        if self._hinv is None:  # as statsmodels: no covariance, no standard errors
            return np.full(self.params.shape, np.nan)
        return np.sqrt(np.diag(self._hinv))


def _bfgs(model, start: np.ndarray) -> _BfgsFit:
    """``model.fit(method="bfgs", maxiter=500)`` as statsmodels runs it, without its overhead.

    The same SciPy ``fmin_bfgs`` call on the same objective (-loglike / nobs, statsmodels'
    own log-likelihood) and gradient (the analytic score, without the Hessian that
    :func:`_po_derivatives` also works out), then statsmodels' covariance: the inverse of
    -Hessian by its eigen-decomposition, or none when it is not positive definite. A stalled
    fit evaluates the gradient hundreds of times, so this is most of a site's model time.
    """
    from scipy import optimize

    nobs = model.endog.shape[0]
    y = np.asarray(model.endog, dtype=np.int64)
    x, weights = model.exog, model.freq_weights
    k, j = x.shape[1], int(model.k_levels) - 1
    # The indicator columns _po_score builds on every call (the same while bounds are finite).
    e_up, e_low = _cut_design(y, j, k + j, k)
    e_up[:, :k] = np.where((y < j)[:, None], -x, 0.0)
    e_low[:, :k] = np.where((y > 0)[:, None], -x, 0.0)

    def objective(params: np.ndarray) -> float:
        # OrderedModel.loglike (transform_threshold_params, _bounds, prob), step for step
        params = np.asarray(params)
        thresh = np.concatenate((params[k:][:1], np.exp(params[k:][1:]))).cumsum()
        thresh = np.concatenate(([-np.inf], thresh, [np.inf]))
        xb = x.dot(params[:k])
        low, upp = thresh[y] - xb, thresh[y + 1] - xb
        prob = np.maximum(special.expit(upp) - special.expit(low), 0)
        return -(weights * np.log(prob + 1e-20)).sum() / nobs

    def gradient(params: np.ndarray) -> np.ndarray:
        params = np.asarray(params, dtype=float)
        return -_po_score(params, y, x, weights, (e_up, e_low)) / nobs

    xopt, _, _, _, _, _, warnflag = optimize.fmin_bfgs(
        objective,
        start,
        gradient,
        args=(),
        gtol=1.0000000000000001e-05,
        norm=np.inf,
        epsilon=1.4901161193847656e-08,
        maxiter=500,
        full_output=True,
        disp=False,
        retall=False,
        callback=None,
    )
    hess = -1 * model.hessian(xopt)
    hinv = None
    if np.all(np.isfinite(hess)):
        eigvals, eigvecs = np.linalg.eigh(hess)
        if np.min(eigvals) > 0:
            hinv = eigvecs.dot(np.diag(1.0 / eigvals)).dot(eigvecs.T)
            hinv = np.asfortranarray((hinv + hinv.T) / 2.0)
    return _BfgsFit(xopt, float(model.loglike(xopt)), hinv, not warnflag)


def _po_score(
    params: np.ndarray,
    y: np.ndarray,
    x: np.ndarray,
    w: np.ndarray,
    design: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """The score of :func:`_po_derivatives` (the same operations), without the Hessian.

    ``design`` is the cells' indicator columns when every bound is finite, built once by
    the caller; it is used only when the bounds are indeed finite.
    """
    k = x.shape[1]
    beta, raw = params[:k], params[k:]
    j = raw.size
    steps = np.exp(raw[1:])
    cuts = np.cumsum(np.concatenate([raw[:1], steps]))
    padded = np.concatenate([[-np.inf], cuts, [np.inf]])
    xb = x @ beta
    upper, lower = padded[y + 1] - xb, padded[y] - xb
    finite_up, finite_low = np.isfinite(upper), np.isfinite(lower)
    usual = np.array_equal(finite_up, y < j) and np.array_equal(finite_low, y > 0)
    if design is not None and usual:
        e_up, e_low = design
    else:
        e_up, e_low = _cut_design(y, j, k + j, k)
        e_up[:, :k] = np.where(finite_up[:, None], -x, 0.0)
        e_low[:, :k] = np.where(finite_low[:, None], -x, 0.0)
    f_up, f_low = special.expit(upper), special.expit(lower)
    prob = np.maximum(f_up - f_low, 1e-300)
    d_up = np.where(finite_up, f_up * (1 - f_up), 0.0)
    d_low = np.where(finite_low, f_low * (1 - f_low), 0.0)
    a, b = d_up / prob, -d_low / prob
    grad = e_up.T @ (w * a) + e_low.T @ (w * b)
    jac = np.eye(k + j)
    jac[k:, k] = 1.0
    for i in range(1, j):
        jac[k + i :, k + i] = steps[i - 1]
    return jac.T @ grad


def _statsmodels_bfgs(model, start: np.ndarray):
    """statsmodels' own BFGS fit, which :func:`_bfgs` reproduces (kept for the tests)."""
    return model.fit(start_params=start, method="bfgs", disp=False, maxiter=500)


def _start_params(y: np.ndarray, k: int, weight: np.ndarray) -> np.ndarray:
    """Coefficients 0 and the thresholds of the pooled answers (OrderedModel's coding)."""
    j = int(y.max())
    share = np.bincount(y, weight, minlength=j + 1).cumsum()[:-1] / weight.sum()
    cuts = special.logit(np.clip(share, 1e-6, 1 - 1e-6))
    steps = np.log(np.maximum(np.diff(cuts), 1e-3))
    return np.concatenate([np.zeros(k), cuts[:1], steps])


def _partial_derivatives(
    params: np.ndarray, y: np.ndarray, wave: np.ndarray, x: np.ndarray, w: np.ndarray, j: int
) -> tuple[float, np.ndarray, np.ndarray]:
    """The model with a wave effect per threshold: thresholds, wave effects, coefficients."""
    cut, gamma, beta = params[:j], params[j : 2 * j], params[2 * j :]
    eta = cut[None, :] - (x @ beta)[:, None] - wave[:, None] * gamma[None, :]
    pad = np.column_stack([np.full(y.size, -np.inf), eta, np.full(y.size, np.inf)])
    rows = np.arange(y.size)
    upper, lower = pad[rows, y + 1], pad[rows, y]
    slots = 2 * j + x.shape[1]
    e_up, e_low = _cut_design(y, j, slots, 0)
    gamma_up, gamma_low = _cut_design(y, j, slots, j)
    e_up -= wave[:, None] * gamma_up
    e_low -= wave[:, None] * gamma_low
    e_up[:, 2 * j :] = np.where(np.isfinite(upper)[:, None], -x, 0.0)
    e_low[:, 2 * j :] = np.where(np.isfinite(lower)[:, None], -x, 0.0)
    return _cell_derivatives(upper, lower, e_up, e_low, w)


def _newton(derivatives, start: np.ndarray, max_iter: int = 50) -> tuple[np.ndarray, float, bool]:
    """Maximise by Newton's method with step halving; returns (params, loglike, converged)."""
    params = start.copy()
    ll, grad, hess = derivatives(params)
    for _ in range(max_iter):
        try:
            step = np.linalg.solve(hess, -grad)
        except np.linalg.LinAlgError:
            return params, ll, False
        for _ in range(30):
            trial = params + step
            new_ll, new_grad, new_hess = derivatives(trial)
            if np.isfinite(new_ll) and new_ll >= ll - 1e-10:
                break
            step /= 2
        else:
            return params, ll, False
        params, gain, ll, grad, hess = trial, new_ll - ll, new_ll, new_grad, new_hess
        if abs(gain) < 1e-10 and np.max(np.abs(grad)) < 1e-6:
            return params, ll, True
    return params, ll, bool(np.max(np.abs(grad)) < 1e-6)


def _po_check(params, llf, y, wave, x, weight, j: int) -> float:
    """Likelihood-ratio p of proportional odds against a wave effect per threshold."""
    if j < 2:
        return math.nan
    params = np.asarray(params, dtype=float)
    k = x.shape[1] + 1
    raw = params[k:]
    cuts = np.cumsum(np.concatenate([raw[:1], np.exp(raw[1:])]))
    start = np.concatenate([cuts, np.full(j, params[0]), params[1:k]])
    _, partial_ll, converged = _newton(
        lambda p: _partial_derivatives(p, y, wave, x, weight, j), start
    )
    if not converged:
        return math.nan
    statistic = max(0.0, 2 * (partial_ll - float(llf)))
    return float(dist.chi2_sf(statistic, j - 1))


_CACHE: dict[tuple, WaveModel] = {}
_CACHE_SIZE = 4096
_CACHE_LOCK = threading.Lock()  # Streamlit runs sessions in threads


def clear_model_cache() -> None:
    """Forget every fitted model (benchmarks use this to time cold fits)."""
    with _CACHE_LOCK:
        _CACHE.clear()


def fit_wave_model(
    counts: np.ndarray,
    factors: Sequence[np.ndarray] = (),
    factor_names: Sequence[str] = (),
) -> WaveModel:
    """Fit answer ~ wave (+ factors) as a proportional-odds model and report the wave effect.

    Parameters
    ----------
    counts : numpy.ndarray
        Shape (strata, 2, levels): answers per stratum (e.g. a role), wave (0 = earlier,
        1 = later) and ordered level.
    factors : sequence of numpy.ndarray
        For each adjusting factor, the code of each stratum (length ``strata``): one array of
        role codes for a statement's model; statement codes and role codes for a domain's.
    factor_names : sequence of str
        Names of the factors, for :attr:`WaveModel.adjusted_for`.

    Returns
    -------
    WaveModel
        The same counts give the same model, so results are kept in memory (a fit takes tens
        of milliseconds; the pages, the report and the CLI ask for the same ones).
    """
    counts = np.asarray(counts, dtype=float)
    key = _cache_key(counts, factors, factor_names)
    cached = _cached(key)
    if cached is not None:
        return cached
    model = _fit_wave_model(counts, factors, tuple(factor_names))
    _store(key, model)
    return model


def _cache_key(counts: np.ndarray, factors: Sequence[np.ndarray], names: Sequence[str]) -> tuple:
    return (
        counts.shape,
        counts.tobytes(),
        tuple(np.asarray(f, dtype=np.int64).tobytes() for f in factors),
        tuple(names),
    )


def _cached(key: tuple) -> WaveModel | None:
    with _CACHE_LOCK:
        return _CACHE.get(key)


def _store(key: tuple, model: WaveModel) -> None:
    with _CACHE_LOCK:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = model


def _fit_wave_model(
    counts: np.ndarray, factors: Sequence[np.ndarray], names: tuple[str, ...], newton: bool = True
) -> WaveModel:
    n = int(counts.sum())
    by_wave = counts.sum(axis=(0, 2))
    if by_wave[0] == 0 or by_wave[1] == 0:
        return _not_estimable(None, n, names)
    if np.count_nonzero(counts.sum(axis=(0, 1))) < 2:
        return _not_estimable("not estimable: every answer is at the same level", n, names)
    y, wave, dummies, weight = _design(counts, factors)
    x = np.column_stack([wave, dummies])
    j = int(y.max())  # thresholds = levels in use - 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = None
        try:
            model = _model_class()(y, x, weight)
            start = _start_params(y, x.shape[1], weight)
            result = _fit(model, start, newton)
            beta, se = float(result.params[0]), float(result.bse[0])
        except (np.linalg.LinAlgError, ValueError):
            beta, se = math.nan, math.nan
        converged = bool(getattr(result, "mle_retvals", {}).get("converged", False))
        if not (
            converged
            and math.isfinite(beta)
            and math.isfinite(se)
            and abs(beta) < _MAX_ABS_LOG_OR
            and 0 < se < _MAX_SE
        ):
            return _not_estimable(
                "not estimable: the waves' answers barely overlap, or the wave cannot be "
                "separated from the role mix",
                n,
                names,
            )
        po_p = _po_check(result.params, result.llf, y, wave, dummies, weight, j)
    z = dist.norm_ppf(0.975)
    p = float(2 * dist.norm_sf(abs(beta / se)))
    note = None
    if not math.isnan(po_p) and po_p < ALPHA:
        note = (
            f"proportional odds doubtful (check p = {po_p:.3f}): the change differs between "
            "levels of agreement; read the odds ratio as an average over them"
        )
    return WaveModel(
        math.exp(beta),
        (math.exp(beta - z * se), math.exp(beta + z * se)),
        p,
        po_p,
        note,
        n,
        names,
    )


# --- models for a comparison table ----------------------------------------------------------

MODEL_COLUMNS = ["wave_odds_ratio", "wave_or_ci", "wave_or_p", "po_check_p", "model_note"]


def _record(model: WaveModel) -> dict:
    return {
        "wave_odds_ratio": model.odds_ratio,
        "wave_or_ci": None if model.ci is None else [model.ci[0], model.ci[1]],
        "wave_or_p": model.p_value,
        "po_check_p": model.po_check_p,
        "model_note": model.note,
    }


def _role_strata(
    roles: np.ndarray, is_total: np.ndarray, rows: np.ndarray
) -> tuple[np.ndarray, bool]:
    """The rows to model for one statement: its roles, or the total when it has none."""
    by_role = rows[~is_total[rows]]
    return (by_role, True) if by_role.size else (rows[is_total[rows]], False)


def statement_models(
    groups, a: np.ndarray, b: np.ndarray, total_label: str, block: np.ndarray | None = None
) -> dict[str, list]:
    """One model per statement (answer ~ wave + role), placed on the statement's total row.

    ``groups`` has columns domain, role, statement (one row per role and statement, the total
    under ``total_label``); ``a`` and ``b`` are the (rows, 4) counts per wave; ``block``
    (optional, one code per row) keeps apart rows of different sites in one call. Returns
    the :data:`MODEL_COLUMNS` as lists: values on the total rows, ``None`` / NaN on role rows
    (the model pools the roles). Without role rows the model is answer ~ wave, unadjusted.
    The fits are made together (:func:`rpgdash.stats.ordinal_many.fit_wave_models`).
    """
    from rpgdash.stats.ordinal_many import fit_wave_models

    n_rows = len(groups)
    out: dict[str, list] = {c: [None] * n_rows for c in MODEL_COLUMNS}
    for c in ("wave_odds_ratio", "wave_or_p", "po_check_p"):
        out[c] = [math.nan] * n_rows
    roles = groups["role"].to_numpy()
    is_total = roles == total_label
    blocks = [0] * n_rows if block is None else np.asarray(block).tolist()
    keys = zip(blocks, groups["domain"], groups["statement"], strict=True)
    rows_of: dict = {}
    for i, key in enumerate(keys):
        rows_of.setdefault(key, []).append(i)
    counts = np.stack([a, b], axis=1)
    problems, targets = [], []
    for rows in rows_of.values():
        rows = np.asarray(rows)
        totals = rows[is_total[rows]]
        if totals.size == 0:
            continue
        strata, adjusted = _role_strata(roles, is_total, rows)
        codes = [np.arange(strata.size)] if adjusted else []
        problems.append((counts[strata], codes, ("role",) if adjusted else ()))
        targets.append(totals[0])
    for target, model in zip(targets, fit_wave_models(problems), strict=True):
        for name, value in _record(model).items():
            out[name][target] = value
    return out


def domain_models(
    groups, a: np.ndarray, b: np.ndarray, total_label: str, block: np.ndarray | None = None
) -> list[dict]:
    """One model per domain: answer ~ wave + statement + role, over every role's answers.

    Returns one dict per domain (in order of appearance) with ``domain``, ``n``,
    ``adjusted_for`` and the :data:`MODEL_COLUMNS`; with ``block`` (one code per row), one
    per block and domain, each also carrying its ``block``.
    """
    from rpgdash.stats.ordinal_many import fit_wave_models

    roles = groups["role"].to_numpy()
    statements = groups["statement"].to_numpy()
    domains = groups["domain"].to_numpy()
    is_total = roles == total_label
    counts = np.stack([a, b], axis=1)
    blocks = np.zeros(len(groups), dtype=np.int64) if block is None else np.asarray(block)
    problems, records = [], []
    for code, domain in dict.fromkeys(zip(blocks.tolist(), domains.tolist(), strict=True)):
        in_domain = (blocks == code) & (domains == domain)
        by_role = in_domain & ~is_total
        rows = np.flatnonzero(by_role if by_role.any() else in_domain & is_total)
        factors, names = [_codes(statements[rows])], ["statement"]
        if by_role.any():
            factors.append(_codes(roles[rows]))
            names.append("role")
        problems.append((counts[rows], factors, tuple(names)))
        records.append({"domain": domain, "adjusted_for": list(names)})
        if block is not None:
            records[-1]["block"] = code
    for record, model in zip(records, fit_wave_models(problems), strict=True):
        record.update(n=model.n, **_record(model))
    return records


def _codes(values: np.ndarray) -> np.ndarray:
    """Integer codes of values in order of first appearance."""
    index = {v: i for i, v in enumerate(dict.fromkeys(values.tolist()))}
    return np.array([index[v] for v in values.tolist()], dtype=np.int64)
