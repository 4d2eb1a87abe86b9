"""Trends in monthly indicator series: linear trend, Mann-Kendall, segmented regression.

Time is counted in months since the first month of the series, so a missing month is a gap in
``t`` and never interpolated. Everything is plain numpy (and scipy.special for distribution
functions) so that a full analysis of a ten-year series takes about a millisecond.
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


def interrupted_time_series(
    t: Sequence[float],
    y: Sequence[float],
    change_index_t0: float,
    hac: bool = False,
    maxlags: int | None = None,
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
        Use Newey-West (HAC) standard errors instead of the usual OLS ones.
    maxlags : int, optional
        HAC lag truncation; default ``floor(4 (n/100)^(2/9))``.

    Returns
    -------
    dict
        ``change_point`` (t0), ``level_change`` (b2: the jump at t0), ``level_ci``, ``level_p``,
        ``slope_change`` (b3: change in slope per month), ``slope_ci``, ``slope_p``,
        ``pre_slope`` (b1), ``n_pre``/``n_post`` (points before / from t0), ``warning`` (None,
        or a sentence when either side has fewer than 8 points), ``se_type`` ("OLS" or
        "HAC"), ``maxlags`` (None for OLS) and ``fitted``: ``pre_fit`` (fitted values of the
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
    d = post.astype(float)
    x = np.column_stack([np.ones(n), t, d, (t - t0) * d])
    xtx_inv = np.linalg.inv(x.T @ x)
    beta = xtx_inv @ (x.T @ y)
    fit = x @ beta
    resid = y - fit
    k = x.shape[1]
    if hac:
        lags = default_maxlags(n) if maxlags is None else int(maxlags)
        cov = _hac_cov(x, resid, xtx_inv, lags) if n > k else np.full((k, k), np.nan)
        df = math.inf
    else:
        lags = None
        df = n - k
        cov = xtx_inv * float(resid @ resid) / df if df > 0 else np.full((k, k), np.nan)
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
        "se_type": "HAC" if hac else "OLS",
        "maxlags": lags,
        "fitted": {
            "pre_fit": fit.tolist(),
            "counterfactual": (beta[0] + beta[1] * t[post]).tolist(),
        },
    }


def _clean(obj: object) -> object:
    """Plain Python values with NaN/inf as None, for JSON."""
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
    rebase, direction, target
        Passed to :func:`rpgdash.stats.spc.xmr`.
    hac : bool
        Newey-West standard errors for the interrupted time series.

    Returns
    -------
    dict
        ``n`` (months with a value), ``start``/``end`` ("YYYY-MM"), ``missing_months``
        ("YYYY-MM" labels of months without a value between start and end), ``ols`` (see
        :func:`ols_trend`; t = months since start), ``mann_kendall`` (see
        :func:`mann_kendall`; Sen's slope per month), ``its`` (None without a change point,
        else see :func:`interrupted_time_series`, with ``change_point`` as "YYYY-MM" and
        ``fitted`` holding ``months``, ``pre_fit``, ``counterfactual_months`` and
        ``counterfactual``) and ``spc`` (see :func:`rpgdash.stats.spc.xmr`). Numbers are plain
        floats and ints; NaN is given as None.

    Raises
    ------
    ValueError
        For a repeated or unreadable month, a non-finite value, fewer than 3 months, an unknown
        direction, or a change point outside the series or without 2 months on each side.
    """
    spc.check_direction(direction)
    numbers, y = prepare_series(months, values)
    if y.size < MIN_POINTS:
        raise ValueError(
            f"a trend needs at least {MIN_POINTS} months with values; the series has {y.size}."
        )
    t = (numbers - numbers[0]).astype(float)
    labels = [month_label(m) for m in numbers]
    its = None
    if change_point is not None:
        its = _its_for_months(numbers, t, y, labels, parse_month(change_point), hac)
    result = {
        "n": int(y.size),
        "start": labels[0],
        "end": labels[-1],
        "missing_months": missing_months(numbers),
        "ols": ols_trend(t, y),
        "mann_kendall": mann_kendall(y, t),
        "its": its,
        "spc": spc.xmr(labels, y, direction=direction, rebase=rebase, target=target),
    }
    return _clean(result)


def _its_for_months(
    numbers: np.ndarray,
    t: np.ndarray,
    y: np.ndarray,
    labels: list[str],
    change: int,
    hac: bool,
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
    its = interrupted_time_series(t, y, t0, hac=hac)
    post = t >= t0
    its["change_point"] = label
    its["fitted"] |= {
        "months": labels,
        "counterfactual_months": [lab for lab, p in zip(labels, post, strict=True) if p],
    }
    return its
