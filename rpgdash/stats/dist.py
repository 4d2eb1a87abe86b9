"""The three distribution functions the ordinal models need, taken from ``scipy.special``.

``scipy.stats`` computes these very functions: ``norm.sf(x)`` is ``ndtr(-x)``, ``norm.ppf(q)``
is ``ndtri(q)`` and ``chi2.sf(x, df)`` is ``chdtrc(df, x)`` on its support (1 below it). But
importing ``scipy.stats`` costs about half a second of CPU in every process that loads the pages
(each server, board-pack worker and CLI run), and ``scipy.special`` is loaded already.
tests/test_stats_dist.py checks every value against ``scipy.stats`` itself.
"""

from __future__ import annotations

import numpy as np
from scipy import special


def chi2_sf(x: float | np.ndarray, df: float) -> np.floating | np.ndarray:
    """P(X > x) for a chi-squared ``df`` variable (1 for x <= 0, as ``scipy.stats``)."""
    return special.chdtrc(df, np.maximum(x, 0.0))


def norm_sf(x: float | np.ndarray) -> np.floating | np.ndarray:
    """P(Z > x) for a standard normal Z."""
    return special.ndtr(-np.asarray(x))


def norm_ppf(q: float | np.ndarray) -> np.floating | np.ndarray:
    """The standard normal quantile at ``q``."""
    return special.ndtri(q)
