"""Trends in monthly indicator series: linear trend, Mann-Kendall, segmented regression.

Time is counted in months since the first month of the series, so a missing month is a gap in
``t`` and never interpolated. Everything is plain numpy (and scipy.special for distribution
functions) so that a full analysis of a ten-year series takes about a millisecond.

The residual diagnostics of the interrupted time series (Durbin-Watson and the Breusch-Godfrey
LM test) are the few lines of arithmetic statsmodels' ``durbin_watson`` and
``acorr_breusch_godfrey`` do, written here so that the CLI and the pages need not import
statsmodels (seconds of start-up and ~100 MB for two sums of squares); the tests compare them
with statsmodels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import special

from rpgdash.stats import spc
from rpgdash.stats._months import (
    MonthLike,
    clean_float,
    missing_months,
    month_label,
    parse_month,
    prepare_series,
)

MIN_POINTS = 3
ITS_MIN_SIDE = 2
ITS_WARN_SIDE = 8
SCAN_MIN_SIDE = 6
BG_ALPHA = 0.05
ERRORS = ("auto", "ols", "newey-west")
_Z975 = float(special.ndtri(0.975))


def _t_inference(est: float, se: float, df: float) -> tuple[list[float], float]:
    """95% interval and two-sided p-value of ``est`` with a t distribution (df=inf: normal)."""
    if not np.isfinite(se) or df <= 0:
        return [math.nan, math.nan], math.nan
    if se == 0:
        return [est, est], (0.0 if est != 0 else math.nan)
    if math.isinf(df):
        crit, p = _Z975, 2 * float(special.ndtr(-abs(est / se)))
    else:
        crit = float(special.stdtrit(df, 0.975))
        p = 2 * float(special.stdtr(df, -abs(est / se)))
    return [est - crit * se, est + crit * se], p


def ols_trend(t: Sequence[float], y: Sequence[float]) -> dict:
    """Least-squares straight line ``y = intercept + slope t``.

    Parameters
    ----------
    t : sequence of float
        Time in months (e.g. months since the first month).
    y : sequence of float
        Values.

    Returns
    -------
    dict
        ``intercept`` (fitted value at t = 0), ``slope_per_month``, ``slope_per_year``
        (12 x slope), ``slope_ci`` ([lo, hi] 95% t interval, n-2 degrees of freedom),
        ``p_value`` (two-sided t test of slope = 0) and ``r_squared``. Inference is NaN with
        fewer than 3 points; ``r_squared`` is NaN for a constant series.
    """
    t = np.asarray(t, dtype=float)
    y = np.asarray(y, dtype=float)
    n = y.size
    if n < 2 or np.ptp(t) == 0:
        raise ValueError("a straight line needs at least 2 points at different times.")
    tc = t - t.mean()
    sxx = float(tc @ tc)
    slope = float(tc @ (y - y.mean())) / sxx
    intercept = float(y.mean() - slope * t.mean())
    resid = y - intercept - slope * t
    ssr = float(resid @ resid)
    sst = float(((y - y.mean()) ** 2).sum())
    df = n - 2
    se = math.sqrt(ssr / df / sxx) if df > 0 else math.nan
    ci, p = _t_inference(slope, se, df)
    return {
        "intercept": intercept,
        "slope_per_month": slope,
        "slope_per_year": 12 * slope,
        "slope_ci": ci,
        "p_value": p,
        "r_squared": 1 - ssr / sst if sst > 0 else math.nan,
    }


def mann_kendall(y: Sequence[float], t: Sequence[float] | None = None) -> dict:
    """Mann-Kendall trend test and Sen's slope.

    Parameters
    ----------
    y : sequence of float
        Values in time order.
    t : sequence of float, optional
        Times of the values (months); defaults to 0, 1, 2, ... Only Sen's slope uses it, so
        that gaps are respected.

    Returns
    -------
    dict
        ``s``: sum of sign(y_j - y_i) over pairs i < j.
        ``var_s``: variance of S under no trend, corrected for tied values.
        ``z``: continuity-corrected score, (S - 1) / sqrt(var_s) for S > 0, (S + 1) / sqrt(var_s)
        for S < 0, 0 for S = 0.
        ``p_value``: two-sided normal p-value of z.
        ``tau``: S / (n(n-1)/2), Kendall's tau-a (the same as pymannkendall's ``Tau``; it is not
        corrected for ties).
        ``sen_slope``: median over pairs of (y_j - y_i) / (t_j - t_i), per unit of t.
    """
    y = np.asarray(y, dtype=float)
    n = y.size
    tt = np.arange(n, dtype=float) if t is None else np.asarray(t, dtype=float)
    if tt.size != n:
        raise ValueError("t and y must have the same length.")
    if n < 2:
        raise ValueError("the Mann-Kendall test needs at least 2 values.")
    i, j = np.triu_indices(n, k=1)
    dy = y[j] - y[i]
    s = float(np.sign(dy).sum())
    _, tie_sizes = np.unique(y, return_counts=True)
    var_s = (
        float(n * (n - 1) * (2 * n + 5) - np.sum(tie_sizes * (tie_sizes - 1) * (2 * tie_sizes + 5)))
        / 18
    )
    z = 0.0 if s == 0 or var_s <= 0 else (s - math.copysign(1.0, s)) / math.sqrt(var_s)
    return {
        "s": s,
        "var_s": var_s,
        "z": z,
        "p_value": 2 * float(special.ndtr(-abs(z))),
        "tau": s / (n * (n - 1) / 2),
        "sen_slope": float(np.median(dy / (tt[j] - tt[i]))),
    }


def default_maxlags(n: int) -> int:
    """Newey-West lag truncation ``floor(4 (n/100)^(2/9))`` (statsmodels' default)."""
    return int(math.floor(4 * (n / 100.0) ** (2.0 / 9.0)))


def _hac_cov(x: np.ndarray, resid: np.ndarray, xtx_inv: np.ndarray, maxlags: int) -> np.ndarray:
    """Newey-West covariance with Bartlett weights and the n/(n-k) correction.

    The same as statsmodels ``OLS(...).fit(cov_type="HAC", cov_kwds={"maxlags": L,
    "use_correction": True})``: lags count rows, not months.
    """
    n, k = x.shape
    xu = x * resid[:, None]
    s = xu.T @ xu
    for lag in range(1, maxlags + 1):
        g = xu[lag:].T @ xu[:-lag]
        s += (1 - lag / (maxlags + 1)) * (g + g.T)
    return xtx_inv @ s @ xtx_inv * (n / (n - k))


def durbin_watson(resid: Sequence[float]) -> float:
    """Durbin-Watson statistic ``sum(diff(e)^2) / sum(e^2)`` (statsmodels ``durbin_watson``).

    NaN when every residual is 0.
    """
    e = np.asarray(resid, dtype=float)
    sse = float(e @ e)
    return float(np.sum(np.diff(e) ** 2)) / sse if sse > 0 else math.nan


def breusch_godfrey(x: np.ndarray, resid: np.ndarray, nlags: int = 1) -> dict:
    """Breusch-Godfrey LM test of residual autocorrelation up to ``nlags`` lags.

    As statsmodels ``acorr_breusch_godfrey(res, nlags)``: the residuals are regressed on the
    model's columns ``x`` (which include a constant) and their own lags, missing lags set to
    0; LM = n R^2 of that regression, referred to chi-squared with ``nlags`` degrees of
    freedom. Returns ``lm`` and ``p_value`` (NaN when the residuals are all 0 or the auxiliary
    regression has no residual degrees of freedom).
    """
    e = np.asarray(resid, dtype=float)
    n = e.size
    padded = np.r_[np.zeros(nlags), e]
    lags = np.column_stack([padded[nlags - k : nlags - k + n] for k in range(1, nlags + 1)])
    aux = np.column_stack([x, lags])
    centred = e - e.mean()
    tss = float(centred @ centred)
    if tss <= 0 or n <= aux.shape[1]:
        return {"lm": math.nan, "p_value": math.nan}
    coef, *_ = np.linalg.lstsq(aux, e, rcond=None)
    ssr = float(np.sum((e - aux @ coef) ** 2))
    lm = n * (1 - ssr / tss)
    return {"lm": lm, "p_value": float(special.chdtrc(nlags, lm))}


def _check_errors(errors: str | None, hac: bool, default: str = "auto") -> str:
    """The errors asked for: ``hac`` means Newey-West, ``None`` the default."""
    if errors is not None and errors not in ERRORS:
        raise ValueError(f"errors {errors!r} is not known; use auto, ols or newey-west.")
    if hac:
        if errors == "ols":
            raise ValueError("hac (Newey-West) and errors 'ols' contradict each other; give one.")
        return "newey-west"
    return errors or default


def _errors_reason(choice: str, used: str, bg_p: float) -> str:
    if math.isnan(bg_p):
        test = "the Breusch-Godfrey test could not be computed"
    else:
        test = f"the Breusch-Godfrey test of lag-1 autocorrelation gives p = {bg_p:.3f}"
    if choice != "auto":
        chosen = "Newey-West" if used == "newey-west" else "ordinary least-squares"
        return f"{chosen.capitalize()} standard errors, as requested ({test})."
    if used == "newey-west":
        return (
            f"Newey-West standard errors, chosen automatically: {test} (below {BG_ALPHA}), so "
            "the residuals are autocorrelated and ordinary standard errors would be too small."
        )
    return (
        f"Ordinary least-squares standard errors, chosen automatically: {test}"
        + ("" if math.isnan(bg_p) else f" (not below {BG_ALPHA})")
        + "."
    )


def _degenerate_reason(y: np.ndarray, resid: np.ndarray, df: int) -> str | None:
    """Why the fit has no usable standard errors, or None."""
    if np.ptp(y) == 0:
        return "The series is constant, so there is nothing to estimate and no p-values."
    if df <= 0:
        return (
            "The model has as many coefficients as points (no residual degrees of freedom), "
            "so there are no standard errors or p-values."
        )
    scale = max(1.0, float(np.abs(y).max()))
    if float(np.sqrt(np.mean(resid**2))) <= 1e-9 * scale:
        return (
            "The segmented lines pass through every point, so the residuals carry no "
            "information for standard errors or p-values."
        )
    return None


def _segmented_fit(t: np.ndarray, y: np.ndarray, t0: float) -> tuple[np.ndarray, ...]:
    """Design matrix, (X'X)^-1 and coefficients of the segmented regression."""
    n = y.size
    d = (t >= t0).astype(float)
    x = np.column_stack([np.ones(n), t, d, (t - t0) * d])
    xtx_inv = np.linalg.inv(x.T @ x)
    # a constant series gets exact estimates rather than rounding noise
    beta = np.array([y[0], 0.0, 0.0, 0.0]) if np.ptp(y) == 0 else xtx_inv @ (x.T @ y)
    return x, xtx_inv, beta


def _covariance(
    x: np.ndarray, resid: np.ndarray, xtx_inv: np.ndarray, used: str, maxlags: int | None
) -> tuple[np.ndarray, float, int | None]:
    """Covariance of the coefficients, degrees of freedom for inference, and HAC lags."""
    n, k = x.shape
    if used == "newey-west":
        lags = default_maxlags(n) if maxlags is None else int(maxlags)
        return _hac_cov(x, resid, xtx_inv, lags), math.inf, lags
    df = n - k
    if df <= 0:
        return np.full((k, k), np.nan), df, None
    return xtx_inv * float(resid @ resid) / df, df, None


def interrupted_time_series(
    t: Sequence[float],
    y: Sequence[float],
    change_index_t0: float,
    hac: bool = False,
    maxlags: int | None = None,
    *,
    errors: str | None = None,
) -> dict:
    """Segmented regression ``y = b0 + b1 t + b2 D + b3 (t - t0) D`` with D = 1 for t >= t0.

    Parameters
    ----------
    t : sequence of float
        Time in months.
    y : sequence of float
        Values.
    change_index_t0 : float
        The time t0 of the change (on the scale of ``t``).
    hac : bool
        Use Newey-West (HAC) standard errors; the same as ``errors="newey-west"``.
    maxlags : int, optional
        HAC lag truncation; default ``floor(4 (n/100)^(2/9))``.
    errors : {"ols", "newey-west", "auto"}, optional
        Standard errors; "auto" takes Newey-West when the Breusch-Godfrey p is below 0.05.
        Default: Newey-West with ``hac``, else OLS.

    Returns
    -------
    dict
        ``change_point`` (t0), ``level_change`` (b2: the jump at t0), ``level_ci``, ``level_p``,
        ``slope_change`` (b3: change in slope per month), ``slope_ci``, ``slope_p``,
        ``pre_slope`` (b1), ``n_pre``/``n_post`` (points before / from t0), ``warning`` (None,
        or a sentence when either side has fewer than 8 points), ``se_type`` ("OLS" or
        "HAC"), ``errors`` ("ols" or "newey-west", the errors used), ``errors_reason`` (a
        sentence saying which and why), ``durbin_watson`` and ``breusch_godfrey_p`` (of the OLS
        residuals, 1 lag, LM test), ``degenerate`` (None, or a sentence when the fit has no
        usable standard errors: a constant series, no residual degrees of freedom or an exact
        fit; its intervals and p-values are then NaN), ``maxlags`` (None for OLS) and
        ``fitted``: ``pre_fit`` (fitted values of the
        segmented model at every point) and ``counterfactual`` (b0 + b1 t at the points from t0
        on, the pre-change line carried forward). Intervals are 95%; OLS inference uses a t
        distribution with n-4 degrees of freedom, HAC inference the normal distribution
        (statsmodels' default ``use_t=False`` for HAC).

    Raises
    ------
    ValueError
        If fewer than 2 points lie before t0 or fewer than 2 from t0 on.
    """
    t = np.asarray(t, dtype=float)
    y = np.asarray(y, dtype=float)
    t0 = float(change_index_t0)
    post = t >= t0
    n = y.size
    n_post = int(post.sum())
    n_pre = n - n_post
    if n_pre < ITS_MIN_SIDE or n_post < ITS_MIN_SIDE:
        raise ValueError(
            f"a segmented regression needs at least {ITS_MIN_SIDE} points before the change "
            f"point and {ITS_MIN_SIDE} from it on; there are {n_pre} before and {n_post} after."
        )
    choice = _check_errors(errors, hac, default="ols")
    x, xtx_inv, beta = _segmented_fit(t, y, t0)
    fit = x @ beta
    resid = y - fit
    k = x.shape[1]
    degenerate = _degenerate_reason(y, resid, n - k)
    dw = durbin_watson(resid) if degenerate is None else math.nan
    bg_p = breusch_godfrey(x, resid)["p_value"] if degenerate is None else math.nan
    used = choice if choice != "auto" else "newey-west" if bg_p < BG_ALPHA else "ols"
    cov, df, lags = _covariance(x, resid, xtx_inv, used, maxlags)
    if degenerate is not None:
        cov = np.full((k, k), np.nan)
    se = np.sqrt(np.clip(np.diag(cov), 0, None))
    level_ci, level_p = _t_inference(float(beta[2]), float(se[2]), df)
    slope_ci, slope_p = _t_inference(float(beta[3]), float(se[3]), df)
    warning = None
    if min(n_pre, n_post) < ITS_WARN_SIDE:
        warning = (
            f"Only {n_pre} points before and {n_post} from the change point; with fewer than "
            f"{ITS_WARN_SIDE} on either side the level and slope changes are unreliable."
        )
    return {
        "change_point": t0,
        "level_change": float(beta[2]),
        "level_ci": level_ci,
        "level_p": level_p,
        "slope_change": float(beta[3]),
        "slope_ci": slope_ci,
        "slope_p": slope_p,
        "pre_slope": float(beta[1]),
        "n_pre": n_pre,
        "n_post": n_post,
        "warning": warning,
        "se_type": "HAC" if used == "newey-west" else "OLS",
        "errors": used,
        "errors_reason": degenerate or _errors_reason(choice, used, bg_p),
        "durbin_watson": dw,
        "breusch_godfrey_p": bg_p,
        "degenerate": degenerate,
        "maxlags": lags,
        "fitted": {
            "pre_fit": fit.tolist(),
            "counterfactual": (beta[0] + beta[1] * t[post]).tolist(),
        },
    }


_PLAIN = (bool, str, int, type(None))


def _clean(obj: object) -> object:
    """Plain Python values with NaN/inf as None, for JSON."""
    kind = type(obj)
    if kind in _PLAIN:  # the common case first: most leaves are already plain
        return obj
    if kind is float:
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if isinstance(obj, bool | str) or obj is None:
        return obj
    if isinstance(obj, int | np.integer):
        return int(obj)
    return clean_float(obj)


def analyse_series(
    months: Sequence[MonthLike],
    values: Sequence[float],
    *,
    change_point: MonthLike | None = None,
    rebase: Sequence[MonthLike] = (),
    direction: str = "neutral",
    target: float | None = None,
    hac: bool = False,
    errors: str = "auto",
    fix_after_n_points: int | None = None,
) -> dict:
    """Everything the trend page shows about one monthly series, as a JSON-ready dict.

    Parameters
    ----------
    months : sequence of Timestamp, datetime.date or "YYYY-MM" str
        One per value, in any order; gaps are allowed and reported.
    values : sequence of float
        Finite values.
    change_point : month, optional
        First month after the change, for the interrupted time series.
    rebase, direction, target, fix_after_n_points
        Passed to :func:`rpgdash.stats.spc.xmr`.
    hac : bool
        Newey-West standard errors for the interrupted time series (``errors="newey-west"``).
    errors : {"auto", "ols", "newey-west"}
        Standard errors of the interrupted time series; "auto" (the default) takes Newey-West
        when the Breusch-Godfrey test of the OLS residuals gives p < 0.05.

    Returns
    -------
    dict
        ``n`` (months with a value), ``start``/``end`` ("YYYY-MM"), ``missing_months``
        ("YYYY-MM" labels of months without a value between start and end), ``ols`` (see
        :func:`ols_trend`; t = months since start), ``mann_kendall`` (see
        :func:`mann_kendall`; Sen's slope per month), ``its`` (None without a change point,
        else see :func:`interrupted_time_series`, with ``change_point`` as "YYYY-MM" and
        ``fitted`` holding ``months``, ``pre_fit``, ``counterfactual_months`` and
        ``counterfactual``, and ``sensitivity``: the level change and its 95% interval with the
        change point at every month with at least 6 months on each side, with the same errors,
        as ``[{"month", "level_change", "level_ci"}]``) and ``spc`` (see
        :func:`rpgdash.stats.spc.xmr`). Numbers are plain floats and ints; NaN is None.

    Raises
    ------
    ValueError
        For a repeated or unreadable month, a non-finite value, fewer than 3 months, an unknown
        direction, or a change point outside the series or without 2 months on each side.
    """
    spc.check_direction(direction)
    _check_errors(errors, hac)
    numbers, y = prepare_series(months, values)
    if y.size < MIN_POINTS:
        raise ValueError(
            f"a trend needs at least {MIN_POINTS} months with values; the series has {y.size}."
        )
    t = (numbers - numbers[0]).astype(float)
    labels = [month_label(m) for m in numbers]
    its = None
    if change_point is not None:
        its = _its_for_months(numbers, t, y, labels, parse_month(change_point), hac, errors)
    result = {
        "n": int(y.size),
        "start": labels[0],
        "end": labels[-1],
        "missing_months": missing_months(numbers),
        "ols": ols_trend(t, y),
        "mann_kendall": mann_kendall(y, t),
        "its": its,
        "spc": spc.xmr(
            labels,
            y,
            direction=direction,
            rebase=rebase,
            target=target,
            fix_after_n_points=fix_after_n_points,
        ),
    }
    return _clean(result)


def _its_for_months(
    numbers: np.ndarray,
    t: np.ndarray,
    y: np.ndarray,
    labels: list[str],
    change: int,
    hac: bool,
    errors: str,
) -> dict:
    label = month_label(change)
    if change < numbers[0] or change > numbers[-1]:
        raise ValueError(
            f"the change point {label} is outside the series ({labels[0]} to {labels[-1]}); "
            "choose a month within it."
        )
    t0 = float(change - numbers[0])
    n_post = int((t >= t0).sum())
    n_pre = y.size - n_post
    if min(n_pre, n_post) < ITS_MIN_SIDE:
        raise ValueError(
            f"the change point {label} leaves {n_pre} month(s) with values before it and "
            f"{n_post} from it on; a segmented regression needs at least {ITS_MIN_SIDE} on "
            "each side."
        )
    its = interrupted_time_series(t, y, t0, errors=_check_errors(errors, hac))
    post = t >= t0
    its["change_point"] = label
    its["fitted"] |= {
        "months": labels,
        "counterfactual_months": [lab for lab, p in zip(labels, post, strict=True) if p],
    }
    its["sensitivity"] = level_change_scan(t, y, labels, errors=its["errors"])
    return its


def level_change_scan(
    t: np.ndarray, y: np.ndarray, labels: list[str], *, errors: str = "ols"
) -> list[dict]:
    """The level change estimated with the change point at each month in turn.

    Only months with at least ``SCAN_MIN_SIDE`` (6) points before and from them on are tried,
    so that the estimates at the edges, each resting on a handful of points, do not swamp
    the rest. ``errors`` is "ols" or "newey-west" (the same for every month, so the
    intervals are comparable).
    """
    n = y.size
    candidates = np.arange(SCAN_MIN_SIDE, n - SCAN_MIN_SIDE + 1)
    if candidates.size == 0:
        return []
    # every candidate's design matrix at once: (candidates, n, 4)
    t0 = t[candidates][:, None]
    d = (t[None, :] >= t0).astype(float)
    x = np.stack([np.ones_like(d), np.broadcast_to(t, d.shape), d, (t - t0) * d], axis=2)
    xt = np.swapaxes(x, 1, 2)
    xtx_inv = np.linalg.inv(xt @ x)
    beta = (xtx_inv @ (xt @ y)[:, :, None])[:, :, 0]
    if np.ptp(y) == 0:  # exact estimates, as _segmented_fit gives
        beta = np.zeros_like(beta)
        beta[:, 0] = y[0]
    resid = y[None, :] - (x @ beta[:, :, None])[:, :, 0]
    k = x.shape[2]
    if errors == "newey-west":
        lags = default_maxlags(n)
        xu = x * resid[:, :, None]
        xut = np.swapaxes(xu, 1, 2)
        meat = xut @ xu
        for lag in range(1, lags + 1):
            g = xut[:, :, lag:] @ xu[:, :-lag]
            meat += (1 - lag / (lags + 1)) * (g + np.swapaxes(g, 1, 2))
        var = (xtx_inv @ meat @ xtx_inv)[:, 2, 2] * (n / (n - k))
        df = math.inf
    else:
        df = n - k
        var = xtx_inv[:, 2, 2] * np.sum(resid**2, axis=1) / df
    # as _degenerate_reason: a constant series or residuals that are rounding noise
    scale = max(1.0, float(np.abs(y).max()))
    exact = (np.ptp(y) == 0) | (np.sqrt(np.mean(resid**2, axis=1)) <= 1e-9 * scale)
    out = []
    for j, i in enumerate(candidates):
        se = math.nan if exact[j] else math.sqrt(max(float(var[j]), 0.0))
        ci, _ = _t_inference(float(beta[j, 2]), se, df)
        out.append({"month": labels[i], "level_change": float(beta[j, 2]), "level_ci": ci})
    return out
