"""rpgdash.stats.dist gives exactly what scipy.stats gives (the reference)."""

from __future__ import annotations

import numpy as np
from scipy import stats

from rpgdash.stats import dist

X = np.array([-1.0, -1e-12, 0.0, 1e-9, 0.5, 1.0, 3.841458820694124, 10.0, 50.0, 700.0, np.inf])


def test_chi2_sf_equals_scipy_stats() -> None:
    for df in (1, 2, 3, 4, 7):
        expected = stats.chi2.sf(X, df)
        assert np.array_equal(dist.chi2_sf(X, df), expected)
        assert all(float(dist.chi2_sf(float(x), df)) == e for x, e in zip(X, expected, strict=True))
    assert np.isnan(dist.chi2_sf(np.nan, 2))
    # The textbook value: 3.841... is the 95th percentile of chi-squared with 1 df.
    assert abs(float(dist.chi2_sf(3.841458820694124, 1)) - 0.05) < 1e-12


def test_normal_tail_and_quantile_equal_scipy_stats() -> None:
    z = np.concatenate([-X[np.isfinite(X)], X])
    assert np.array_equal(dist.norm_sf(z), stats.norm.sf(z))
    q = np.array([1e-12, 0.001, 0.025, 0.3, 0.5, 0.975, 0.999999])
    assert np.array_equal(dist.norm_ppf(q), stats.norm.ppf(q))
    assert float(dist.norm_ppf(0.975)) == stats.norm.ppf(0.975)
    assert abs(float(dist.norm_ppf(0.975)) - 1.959963984540054) < 1e-15
