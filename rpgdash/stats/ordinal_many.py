"""Many proportional-odds fits at once: the models of :mod:`rpgdash.stats.ordinal`, batched.

A survey page shows one model per statement and one per domain, for each site. Fitted one by
one through statsmodels each takes tens of milliseconds, which made a site's first view slow
and ruled out preparing every site at once. Here the fits that share a design (the same
strata, factors and levels in use; e.g. one statement's six roles at every site) are solved
together: the same Newton iterations as statsmodels' ``OrderedModel.fit(method="newton")``
(step ``solve(H / nobs + ridge, g / nobs)``, stop when every parameter moved by at most
1e-8, at most 50 steps, covariance ``inv(-H / nobs) / nobs``) and as the partial
proportional-odds check (:func:`rpgdash.stats.ordinal._newton`, with step halving), on
arrays with one row per fit. Results equal the one-by-one fits to rounding (the tests check
1e-12 on the demo). Any fit the batch cannot reproduce exactly (a constant in the design, a
singular Hessian, no convergence) is handed to :func:`rpgdash.stats.ordinal.fit_wave_model`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import special

from rpgdash.stats import dist, ordinal
from rpgdash.stats.ordinal import _MAX_ABS_LOG_OR, _MAX_SE, ALPHA, WaveModel

_TOL = 1e-8  # statsmodels' Newton tolerance on the parameters
_RIDGE = 1e-10  # statsmodels' ridge on the scaled Hessian
_MAX_ITER = 50

Problem = tuple[np.ndarray, Sequence[np.ndarray], tuple[str, ...]]
_STALLED = "newton stalled"


def fit_wave_models(problems: Sequence[Problem]) -> list[WaveModel]:
    """:func:`rpgdash.stats.ordinal.fit_wave_model` for many ``(counts, factors, names)``.

    Returns the models in the order given. Fits already made are taken from the model cache
    that :func:`~rpgdash.stats.ordinal.fit_wave_model` keeps; new ones are stored there.
    """
    out: list[WaveModel | None] = [None] * len(problems)
    batches: dict[tuple, list[tuple[int, tuple, np.ndarray]]] = {}
    for i, (counts, factors, names) in enumerate(problems):
        counts = np.asarray(counts, dtype=float)
        key = ordinal._cache_key(counts, factors, names)
        cached = ordinal._cached(key)
        if cached is not None:
            out[i] = cached
            continue
        shape = _batch_shape(counts, factors)
        if shape is None:  # answered without fitting, or unusual: the one-by-one path
            out[i] = ordinal.fit_wave_model(counts, factors, names)
            continue
        batches.setdefault((*shape, tuple(names)), []).append((i, key, counts))
    for (levels, design, _, names), members in batches.items():
        counts = np.stack([c[:, :, list(levels)] for _, _, c in members])
        dummies = np.frombuffer(design, dtype=float).reshape(counts.shape[1], -1)
        models = _fit_batch(counts, dummies, names)
        for (i, key, raw), model in zip(members, models, strict=True):
            if model is None:
                model = ordinal.fit_wave_model(raw, problems[i][1], names)
            else:
                if model == _STALLED:  # as statsmodels does next: BFGS from the same start
                    model = ordinal._fit_wave_model(raw, problems[i][1], names, newton=False)
                ordinal._store(key, model)
            out[i] = model
    return out  # type: ignore[return-value]


def _batch_shape(counts: np.ndarray, factors: Sequence[np.ndarray]) -> tuple | None:
    """(levels in use, stratum dummies as bytes, strata), or None to fit one by one."""
    by_wave = counts.sum(axis=(0, 2))
    if by_wave[0] == 0 or by_wave[1] == 0:
        return None
    used = tuple(np.flatnonzero(counts.sum(axis=(0, 1)) > 0).tolist())
    if len(used) < 3:  # one level is not estimable; two levels leave no check to batch
        return None
    answered = counts[:, :, list(used)].sum(axis=(1, 2)) > 0
    columns = []
    for codes in factors:
        codes = np.asarray(codes)
        present = list(dict.fromkeys(codes[answered].tolist()))
        columns += [(codes == level).astype(float) for level in present[1:]]
    dummies = np.column_stack(columns) if columns else np.zeros((counts.shape[0], 0))
    dummies = np.where(answered[:, None], dummies, 0.0)
    return used, np.ascontiguousarray(dummies).tobytes(), counts.shape[0]


class _Design:
    """The cells of a batch: every stratum x wave x level, with their design rows."""

    def __init__(self, strata_dummies: np.ndarray, levels: int) -> None:
        strata = strata_dummies.shape[0]
        s, w, y = np.meshgrid(np.arange(strata), [0, 1], np.arange(levels), indexing="ij")
        self.s, self.wave, self.y = s.ravel(), w.ravel().astype(float), y.ravel()
        self.dummies = strata_dummies[self.s]
        self.x = np.column_stack([self.wave, self.dummies])
        self.j = levels - 1
        self.k = self.x.shape[1]
        j, k, y = self.j, self.k, self.y
        # proportional odds: coefficients then thresholds (as OrderedModel orders them)
        self.po_up, self.po_low = ordinal._cut_design(y, j, k + j, k)
        self.po_up[:, :k] = np.where((y < j)[:, None], -self.x, 0.0)
        self.po_low[:, :k] = np.where((y > 0)[:, None], -self.x, 0.0)
        # partial proportional odds: thresholds, wave effect per threshold, coefficients
        d = self.dummies.shape[1]
        slots = 2 * j + d
        up, low = ordinal._cut_design(y, j, slots, 0)
        g_up, g_low = ordinal._cut_design(y, j, slots, j)
        up -= self.wave[:, None] * g_up
        low -= self.wave[:, None] * g_low
        up[:, 2 * j :] = np.where((y < j)[:, None], -self.dummies, 0.0)
        low[:, 2 * j :] = np.where((y > 0)[:, None], -self.dummies, 0.0)
        self.pp_up, self.pp_low = up, low


def _cell_derivatives(
    upper: np.ndarray, lower: np.ndarray, e_up: np.ndarray, e_low: np.ndarray, w: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`rpgdash.stats.ordinal._cell_derivatives` with one row per fit."""
    f_up, f_low = special.expit(upper), special.expit(lower)
    prob = np.maximum(f_up - f_low, 1e-300)
    d_up = np.where(np.isfinite(upper), f_up * (1 - f_up), 0.0)
    d_low = np.where(np.isfinite(lower), f_low * (1 - f_low), 0.0)
    dd_up = d_up * (1 - 2 * f_up)
    dd_low = d_low * (1 - 2 * f_low)
    a, b = d_up / prob, -d_low / prob
    h_uu, h_ll, h_ul = dd_up / prob - a**2, -dd_low / prob - b**2, -a * b
    ll = (w * np.log(prob)).sum(axis=1)
    grad = (w * a) @ e_up + (w * b) @ e_low
    cross = np.einsum("pc,ci,cj->pij", w * h_ul, e_up, e_low)
    hess = (
        np.einsum("pc,ci,cj->pij", w * h_uu, e_up, e_up)
        + np.einsum("pc,ci,cj->pij", w * h_ll, e_low, e_low)
        + cross
        + cross.transpose(0, 2, 1)
    )
    return ll, grad, hess


def _po_derivatives(params: np.ndarray, design: _Design, w: np.ndarray):
    """:func:`rpgdash.stats.ordinal._po_derivatives` with one row per fit."""
    k, j = design.k, design.j
    beta, raw = params[:, :k], params[:, k:]
    steps = np.exp(raw[:, 1:])
    cuts = np.cumsum(np.concatenate([raw[:, :1], steps], axis=1), axis=1)
    inf = np.full((len(params), 1), np.inf)
    padded = np.concatenate([-inf, cuts, inf], axis=1)
    xb = beta @ design.x.T
    upper, lower = padded[:, design.y + 1] - xb, padded[:, design.y] - xb
    ll, grad, hess = _cell_derivatives(upper, lower, design.po_up, design.po_low, w)
    jac = np.broadcast_to(np.eye(k + j), (len(params), k + j, k + j)).copy()
    jac[:, k:, k] = 1.0
    for i in range(1, j):
        jac[:, k + i :, k + i] = steps[:, i - 1 : i]
    score = np.einsum("pji,pj->pi", jac, grad)
    hess = np.einsum("pki,pkl,plj->pij", jac, hess, jac)
    tail = np.cumsum(grad[:, k:][:, ::-1], axis=1)[:, ::-1]
    diagonal = np.arange(k + 1, k + j)
    hess[:, diagonal, diagonal] += steps * tail[:, 1:]
    return ll, score, hess


def _partial_derivatives(params: np.ndarray, design: _Design, w: np.ndarray):
    """:func:`rpgdash.stats.ordinal._partial_derivatives` with one row per fit."""
    j = design.j
    cut, gamma, beta = params[:, :j], params[:, j : 2 * j], params[:, 2 * j :]
    eta = (
        cut[:, None, :]
        - (beta @ design.dummies.T)[:, :, None]
        - design.wave[None, :, None] * gamma[:, None, :]
    )
    inf = np.full(eta.shape[:2] + (1,), np.inf)
    pad = np.concatenate([-inf, eta, inf], axis=2)
    cells = np.arange(design.y.size)
    upper, lower = pad[:, cells, design.y + 1], pad[:, cells, design.y]
    return _cell_derivatives(upper, lower, design.pp_up, design.pp_low, w)


def _solve(matrices: np.ndarray, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Batched solve; (solutions, ok) with ok False where a matrix is singular."""
    try:
        return np.linalg.solve(matrices, vectors[..., None])[..., 0], np.ones(len(vectors), bool)
    except np.linalg.LinAlgError:
        out, ok = np.zeros_like(vectors), np.ones(len(vectors), bool)
        for i in range(len(vectors)):
            try:
                out[i] = np.linalg.solve(matrices[i], vectors[i])
            except np.linalg.LinAlgError:
                ok[i] = False
        return out, ok


def _has_constant(design: _Design, w: np.ndarray) -> np.ndarray:
    """Where statsmodels would find a constant (explicit or implied) in the answered cells."""
    used = w > 0
    x = design.x
    explicit = np.zeros(len(w), dtype=bool)
    for c in range(x.shape[1]):
        column = np.where(used, x[None, :, c], np.nan)
        explicit |= np.nanmax(column, axis=1) == np.nanmin(column, axis=1)
    augmented = np.where(used[:, :, None], np.concatenate([np.ones((len(x), 1)), x], 1), 0.0)
    plain = np.where(used[:, :, None], x, 0.0)
    implicit = np.linalg.matrix_rank(augmented) == np.linalg.matrix_rank(plain)
    return explicit | implicit


def _start(counts: np.ndarray, k: int) -> np.ndarray:
    """:func:`rpgdash.stats.ordinal._start_params`, one row per fit."""
    totals = counts.sum(axis=(1, 2))
    share = totals.cumsum(axis=1)[:, :-1] / totals.sum(axis=1, keepdims=True)
    cuts = special.logit(np.clip(share, 1e-6, 1 - 1e-6))
    steps = np.log(np.maximum(np.diff(cuts, axis=1), 1e-3))
    return np.concatenate([np.zeros((len(counts), k)), cuts[:, :1], steps], axis=1)


def _statsmodels_newton(counts: np.ndarray, design: _Design, w: np.ndarray, nobs: np.ndarray):
    """OrderedModel.fit(method="newton", maxiter=50): (params, converged, ok)."""
    params = _start(counts, design.k)
    old = np.full_like(params, np.inf)
    iterations = np.zeros(len(w), dtype=int)
    ok = np.ones(len(w), dtype=bool)
    scale = nobs[:, None]
    eye = np.eye(params.shape[1])
    while True:
        active = ok & (iterations < _MAX_ITER) & np.any(np.abs(params - old) > _TOL, axis=1)
        rows = np.flatnonzero(active)
        if rows.size == 0:
            break
        _, score, hess = _po_derivatives(params[rows], design, w[rows])
        h = -hess / scale[rows][:, :, None] + _RIDGE * eye
        step, solved = _solve(h, -score / scale[rows])
        ok[rows[~solved]] = False
        rows, step = rows[solved], step[solved]
        old[rows] = params[rows]
        params[rows] = old[rows] - step
        iterations[rows] += 1
    return params, iterations < _MAX_ITER, ok


def _loglike(params: np.ndarray, design: _Design, w: np.ndarray) -> np.ndarray:
    """OrderedModel's log-likelihood (with its 1e-20 guard), weighted, one row per fit."""
    k = design.k
    raw = params[:, k:]
    cuts = np.cumsum(np.concatenate([raw[:, :1], np.exp(raw[:, 1:])], axis=1), axis=1)
    inf = np.full((len(params), 1), np.inf)
    padded = np.concatenate([-inf, cuts, inf], axis=1)
    xb = params[:, :k] @ design.x.T
    low, upp = padded[:, design.y] - xb, padded[:, design.y + 1] - xb
    prob = np.maximum(special.expit(upp) - special.expit(low), 0)
    return (w * np.log(prob + 1e-20)).sum(axis=1)


def _partial_newton(start: np.ndarray, design: _Design, w: np.ndarray):
    """:func:`rpgdash.stats.ordinal._newton` on the partial model: (loglike, converged)."""
    params = start.copy()
    ll, grad, hess = _partial_derivatives(params, design, w)
    running = np.ones(len(w), dtype=bool)
    converged = np.zeros(len(w), dtype=bool)
    for _ in range(_MAX_ITER):
        rows = np.flatnonzero(running)
        if rows.size == 0:
            break
        step, solved = _solve(hess[rows], -grad[rows])
        running[rows[~solved]] = False
        rows, step = rows[solved], step[solved]
        pending = np.arange(rows.size)
        accepted = np.zeros(rows.size, dtype=bool)
        trial = params[rows].copy()
        new = [np.zeros(rows.size), np.zeros_like(grad[rows]), np.zeros_like(hess[rows])]
        for _ in range(30):
            if pending.size == 0:
                break
            trial[pending] = params[rows[pending]] + step[pending]
            n_ll, n_grad, n_hess = _partial_derivatives(trial[pending], design, w[rows[pending]])
            good = np.isfinite(n_ll) & (n_ll >= ll[rows[pending]] - 1e-10)
            done = pending[good]
            new[0][done], new[1][done], new[2][done] = n_ll[good], n_grad[good], n_hess[good]
            accepted[done] = True
            step[pending[~good]] /= 2
            pending = pending[~good]
        running[rows[~accepted]] = False  # no acceptable step: not converged
        rows, keep = rows[accepted], np.flatnonzero(accepted)
        gain = new[0][keep] - ll[rows]
        params[rows], ll[rows] = trial[keep], new[0][keep]
        grad[rows], hess[rows] = new[1][keep], new[2][keep]
        finished = (np.abs(gain) < 1e-10) & (np.max(np.abs(grad[rows]), axis=1) < 1e-6)
        converged[rows[finished]] = True
        running[rows[finished]] = False
    else:
        rows = np.flatnonzero(running)
        converged[rows] = np.max(np.abs(grad[rows]), axis=1) < 1e-6
    return ll, converged


def _fit_batch(counts: np.ndarray, strata_dummies: np.ndarray, names: tuple[str, ...]) -> list:
    """Fit every model of a batch (counts: fits x strata x 2 x levels).

    Each entry is a :class:`WaveModel`, :data:`_STALLED` (Newton did not converge, as
    statsmodels would find: go on with BFGS) or None (fit it alone from the start).
    """
    fits, _, _, levels = counts.shape
    design = _Design(strata_dummies, levels)
    w = counts.reshape(fits, -1)
    nobs = np.count_nonzero(w, axis=1).astype(float)
    out: list = [None] * fits
    usable = ~_has_constant(design, w)
    params, converged, ok = _statsmodels_newton(counts, design, w, nobs)
    for i in np.flatnonzero(usable & ~(converged & ok)):
        out[i] = _STALLED
    usable &= converged & ok
    # the covariance statsmodels reports: inv(-H / nobs) / nobs at the estimate
    _, _, hess = _po_derivatives(params, design, w)
    se = np.full(fits, np.nan)
    for i in np.flatnonzero(usable):
        try:
            variance = np.linalg.inv(-hess[i] / nobs[i])[0, 0] / nobs[i]
        except np.linalg.LinAlgError:  # statsmodels' Newton fit raises: BFGS next
            out[i], usable[i] = _STALLED, False
            continue
        if not variance > 0:  # no standard error: the one-by-one path says why
            usable[i] = False
            continue
        se[i] = math.sqrt(variance)
    beta = params[:, 0]
    with np.errstate(invalid="ignore"):
        estimable = (
            np.isfinite(beta)
            & np.isfinite(se)
            & (np.abs(beta) < _MAX_ABS_LOG_OR)
            & (se > 0)
            & (se < _MAX_SE)
        )
    n = counts.sum(axis=(1, 2, 3))
    names_note = (
        "not estimable: the waves' answers barely overlap, or the wave cannot be "
        "separated from the role mix"
    )
    for i in np.flatnonzero(usable & ~estimable):
        out[i] = ordinal._not_estimable(names_note, int(n[i]), names)
    rows = np.flatnonzero(usable & estimable)
    if rows.size == 0:
        return out
    j, k = design.j, design.k
    llf = _loglike(params[rows], design, w[rows])
    raw = params[rows, k:]
    cuts = np.cumsum(np.concatenate([raw[:, :1], np.exp(raw[:, 1:])], axis=1), axis=1)
    start = np.concatenate([cuts, np.repeat(params[rows, :1], j, axis=1), params[rows, 1:k]], 1)
    partial_ll, po_ok = _partial_newton(start, design, w[rows])
    statistic = np.maximum(0.0, 2 * (partial_ll - llf))
    po_p = np.where(po_ok, dist.chi2_sf(statistic, j - 1), math.nan)
    z = dist.norm_ppf(0.975)
    for row, i in enumerate(rows):
        b, s, check = float(beta[i]), float(se[i]), float(po_p[row])
        note = None
        if not math.isnan(check) and check < ALPHA:
            note = (
                f"proportional odds doubtful (check p = {check:.3f}): the change differs "
                "between levels of agreement; read the odds ratio as an average over them"
            )
        out[i] = WaveModel(
            math.exp(b),
            (math.exp(b - z * s), math.exp(b + z * s)),
            float(2 * dist.norm_sf(abs(b / s))),
            check,
            note,
            int(n[i]),
            names,
        )
    return out
