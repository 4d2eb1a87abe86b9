"""Comparing two survey waves from the number of answers at each agreement level.

The survey uses a 4-point scale with no neutral option (4 = agree strongly, 3 = agree,
2 = disagree, 1 = strongly disagree). The two waves are different samples, so they are compared
as independent groups with the Mann-Whitney U test. Everything here works from per-level counts,
which is all the database needs to hand over and is enough for exact ranks (ties are whole
levels).

Methods (each checked in tests/test_stats_compare.py against an independent reference):

- % agree (3 or 4) with a Wilson score 95% interval per wave, and a Newcombe (1998) hybrid
  score interval ("method 10") for the change in points. Means are descriptive only: a mean
  of a 4-point scale has no interval here (see :data:`MEAN_INTERVAL_NOTE`).
- Mann-Whitney U, two-sided. When either wave has fewer than :data:`EXACT_BELOW` answers the
  p-value is exact: the permutation distribution of U given the tied levels, enumerated over
  every way the smaller wave's answers can fall into the four levels (``p_method`` "exact");
  otherwise the normal approximation with tie and continuity correction ("normal").
- Cliff's delta with Cliff's (1996) unbiased variance and asymmetric 95% interval, using
  Student's t on n_a + n_b - 2 degrees of freedom (Feng & Cliff 2004; R effsize default).
- Holm within each domain and role; Benjamini-Hochberg across every statement and role.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import special

from rpgdash.stats.disclosure import suppress_small_groups, suppressed_roles
from rpgdash.stats.ordinal import MODEL_COLUMNS, domain_models, statement_models

SCORE_LEVELS = (1, 2, 3, 4)
KNOWN_DOMAINS = ("professional", "self_efficacy", "relationships")
ALL_ROLES = "All roles"
ALPHA = 0.05
Z95 = 1.959963984540054  # scipy.stats.norm.ppf(0.975)
EXACT_BELOW = 30
MEAN_INTERVAL_NOTE = (
    "Means are shown as descriptions only, without an interval: the scale has four ordered "
    "levels, so uncertainty is given for the % agreeing (Wilson) and for the rank-based "
    "effect (Cliff's delta)."
)

COMPARISON_COLUMNS = [
    "domain",
    "role",
    "statement",
    "wave_a",
    "wave_b",
    "n_a",
    "n_b",
    "mean_a",
    "mean_b",
    "sd_a",
    "sd_b",
    "pct_agree_a",
    "pct_agree_b",
    "pct_agree_ci_a",
    "pct_agree_ci_b",
    "pct_agree_change",
    "pct_agree_change_ci",
    "diff",
    "u",
    "p_value",
    "p_method",
    "p_holm",
    "p_bh",
    "cliffs_delta",
    "delta_ci",
    "significant",
    "significant_holm",
    "significant_bh",
    *MODEL_COLUMNS,
    "suppressed",
]

_COUNT_COLUMNS = ("domain", "role", "statement", "wave", "score", "n")
_KEY = ["domain", "role", "statement"]
_NAN = float("nan")


def _level_counts(counts: Sequence[int]) -> np.ndarray:
    c = np.asarray(counts, dtype=float)
    if c.shape != (len(SCORE_LEVELS),):
        raise ValueError(f"expected {len(SCORE_LEVELS)} counts (levels 1 to 4), got {c.size}.")
    if not np.all(np.isfinite(c)) or np.any(c < 0) or np.any(c != np.round(c)):
        raise ValueError(f"counts must be whole numbers of at least 0, got {list(counts)}.")
    return c


# --- vectorised kernels: one row per group, one column per level ----------------------------


def _describe_matrix(c: np.ndarray) -> dict[str, np.ndarray]:
    """Row-wise n, mean, sd and % agreeing (with its Wilson interval) of an (m, 4) matrix."""
    levels = np.asarray(SCORE_LEVELS, dtype=float)
    n = c.sum(axis=1)
    agree = c[:, 2] + c[:, 3]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, c @ levels / n, np.nan)
        squares = (c * (levels[None, :] - mean[:, None]) ** 2).sum(axis=1)
        sd = np.where(n >= 2, np.sqrt(squares / np.maximum(n - 1, 1)), np.nan)
        pct_agree = np.where(n > 0, 100.0 * agree / n, np.nan)
        shares = np.where(n[:, None] > 0, c / n[:, None], np.nan)
    lo, hi = wilson_interval(agree, n)
    return {
        "n": n,
        "mean": mean,
        "sd": sd,
        "pct_agree": pct_agree,
        "agree_lo": 100.0 * lo,
        "agree_hi": 100.0 * hi,
        "shares": shares,
    }


def wilson_interval(
    successes: np.ndarray | float, n: np.ndarray | float, z: float = Z95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a proportion, element-wise (as proportions, 0 to 1).

    Defined for 0 and n successes (the interval then touches 0 or 1); NaN when n = 0. The
    same as statsmodels ``proportion_confint(x, n, method="wilson")``.
    """
    x = np.asarray(successes, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = x / n
        denominator = 1.0 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denominator
        half = z / denominator * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
        lo = np.where(n > 0, np.clip(centre - half, 0.0, 1.0), np.nan)
        hi = np.where(n > 0, np.clip(centre + half, 0.0, 1.0), np.nan)
    return lo, hi


def newcombe_difference_interval(
    x_a: np.ndarray | float,
    n_a: np.ndarray | float,
    x_b: np.ndarray | float,
    n_b: np.ndarray | float,
    z: float = Z95,
) -> tuple[np.ndarray, np.ndarray]:
    """Newcombe's hybrid score interval for p_b - p_a (Newcombe 1998, method 10).

    Built from the two Wilson intervals: ``d - sqrt((p_b - l_b)^2 + (u_a - p_a)^2)`` to
    ``d + sqrt((u_b - p_b)^2 + (p_a - l_a)^2)``. Element-wise, as proportions; NaN when
    either n is 0.
    """
    x_a, n_a = np.asarray(x_a, dtype=float), np.asarray(n_a, dtype=float)
    x_b, n_b = np.asarray(x_b, dtype=float), np.asarray(n_b, dtype=float)
    l_a, u_a = wilson_interval(x_a, n_a, z)
    l_b, u_b = wilson_interval(x_b, n_b, z)
    with np.errstate(invalid="ignore", divide="ignore"):
        p_a, p_b = x_a / n_a, x_b / n_b
        d = p_b - p_a
        lo = d - np.sqrt((p_b - l_b) ** 2 + (u_a - p_a) ** 2)
        hi = d + np.sqrt((u_b - p_b) ** 2 + (p_a - l_a) ** 2)
    return lo, hi


def _mann_whitney_matrix(
    a: np.ndarray, b: np.ndarray, continuity: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Row-wise B's U and two-sided p (normal approximation, tie-corrected)."""
    n_a, n_b = a.sum(axis=1), b.sum(axis=1)
    ties = a + b
    n = n_a + n_b
    # mid-rank of each category in the pooled sample
    ranks = np.cumsum(ties, axis=1) - ties + (ties + 1) / 2
    u = (b * ranks).sum(axis=1) - n_b * (n_b + 1) / 2
    mu = n_a * n_b / 2
    tie_term = (ties**3 - ties).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        variance = n_a * n_b / 12 * ((n + 1) - tie_term / (n * (n - 1)))
        # as in R: the correction moves |u - mu| towards 0 but not past it
        numerator = np.maximum(np.abs(u - mu) - (0.5 if continuity else 0.0), 0.0)
        p = np.minimum(1.0, 2 * special.ndtr(-numerator / np.sqrt(variance)))
    p = np.where(np.count_nonzero(ties, axis=1) < 2, 1.0, p)  # every value tied
    empty = (n_a == 0) | (n_b == 0)
    return np.where(empty, np.nan, u), np.where(empty, np.nan, p)


def _cliffs_delta_matrix(u: np.ndarray, n_a: np.ndarray, n_b: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where((n_a > 0) & (n_b > 0), 2.0 * u / (n_a * n_b) - 1.0, np.nan)


@functools.lru_cache(maxsize=64)
def _compositions(m: int, parts: int) -> np.ndarray:
    """Every way of putting m answers into ``parts`` ordered levels, shape (ways, parts)."""
    if parts == 1:
        return np.array([[m]], dtype=np.int64)
    rows = [
        np.column_stack([np.full(len(rest), first), rest])
        for first in range(m + 1)
        for rest in (_compositions(m - first, parts - 1),)
    ]
    out = np.concatenate(rows)
    out.setflags(write=False)
    return out


def exact_mann_whitney_p(counts_a: Sequence[float], counts_b: Sequence[float]) -> float:
    """Exact two-sided Mann-Whitney p from counts per ordered level, ties included.

    Under the null hypothesis every split of the pooled answers into the two waves is equally
    likely; given the number of answers at each level (the ties), the smaller wave's counts
    per level follow a multivariate hypergeometric distribution. Every possible set of counts
    is enumerated (at most C(m + 3, 3) for m answers in the smaller wave: 4,960 for m = 29),
    and p = P(|U - n_a n_b / 2| >= |u - n_a n_b / 2|), the convention of R's
    ``coin::wilcox_test(distribution = "exact")``. NaN when either wave is empty.
    """
    a = np.asarray(counts_a, dtype=np.int64)
    b = np.asarray(counts_b, dtype=np.int64)
    n_a, n_b = int(a.sum()), int(b.sum())
    if n_a == 0 or n_b == 0:
        return _NAN
    ties = a + b
    small_is_a = n_a <= n_b
    ways = _compositions(n_a if small_is_a else n_b, a.size)
    ways = ways[np.all(ways <= ties, axis=1)]
    wa, wb = (ways, ties - ways) if small_is_a else (ties - ways, ways)

    def twice_u(ca: np.ndarray, cb: np.ndarray) -> np.ndarray:
        below = np.cumsum(ca, axis=-1) - ca  # A answers at lower levels
        return (cb * (2 * below + ca)).sum(axis=-1)  # 2U is a whole number

    log_weight = (
        special.gammaln(ties + 1) - special.gammaln(ways + 1) - special.gammaln(ties - ways + 1)
    ).sum(axis=1)
    weight = np.exp(log_weight - log_weight.max())
    distance = np.abs(twice_u(wa, wb) - n_a * n_b)
    observed = abs(int(twice_u(a, b)) - n_a * n_b)
    return float(min(1.0, weight[distance >= observed].sum() / weight.sum()))


def _cliffs_interval_matrix(
    a: np.ndarray, b: np.ndarray, delta: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Cliff's (1996) asymmetric 95% interval for delta of B over A, row-wise from counts.

    Unbiased variance of delta from the dominance matrix (computed per level, not per pair),
    floored at (1 - d^2) / (n_a n_b - 1) as Cliff recommends, and Student's t on
    n_a + n_b - 2 degrees of freedom as in R ``effsize::cliff.delta`` (its default).
    NaN with fewer than 2 answers in a wave or when |delta| = 1 (no overlap: no interval).
    """
    levels = np.arange(a.shape[1])
    sign = np.sign(levels[:, None] - levels[None, :]).astype(float)  # [B level, A level]
    n_a, n_b = a.sum(axis=1), b.sum(axis=1)
    d = delta[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        row = (a @ sign.T) / n_a[:, None]  # d_i. for a B answer at each level
        col = (b @ sign) / n_b[:, None]  # d_.j for an A answer at each level
        rows_ss = (b * (row - d) ** 2).sum(axis=1)
        cols_ss = (a * (col - d) ** 2).sum(axis=1)
        cells_ss = np.einsum("ik,il,ikl->i", b, a, (sign[None] - d[:, :, None]) ** 2)
        var = (n_a**2 * rows_ss + n_b**2 * cols_ss - cells_ss) / (n_a * n_b * (n_a - 1) * (n_b - 1))
        var = np.maximum(var, (1 - delta**2) / (n_a * n_b - 1))
        t = special.stdtrit(np.maximum(n_a + n_b - 2, 1), 0.975)
        root = t * np.sqrt(var) * np.sqrt((1 - delta**2) ** 2 + t**2 * var)
        denominator = 1 - delta**2 + t**2 * var
        lo = (delta - delta**3 - root) / denominator
        hi = (delta - delta**3 + root) / denominator
    ok = (n_a >= 2) & (n_b >= 2) & (np.abs(delta) < 1)
    return np.where(ok, lo, np.nan), np.where(ok, hi, np.nan)


def cliffs_delta_interval(counts_a: Sequence[float], counts_b: Sequence[float]) -> tuple:
    """Cliff's delta of B over A and its 95% interval ``(delta, lo, hi)`` from counts per level.

    See :func:`_cliffs_interval_matrix`; ``lo`` and ``hi`` are NaN when no interval exists.
    """
    a = np.asarray(counts_a, dtype=float)[None, :]
    b = np.asarray(counts_b, dtype=float)[None, :]
    u, _ = _mann_whitney_matrix(a, b)
    delta = _cliffs_delta_matrix(u, a.sum(axis=1), b.sum(axis=1))
    lo, hi = _cliffs_interval_matrix(a, b, delta)
    return float(delta[0]), float(lo[0]), float(hi[0])


# --- public scalar functions ------------------------------------------------------------------


def describe_levels(counts: Sequence[int]) -> dict:
    """Describe one group's answers from its counts at levels 1, 2, 3 and 4.

    Parameters
    ----------
    counts : sequence of 4 ints
        Number of answers scoring 1, 2, 3 and 4.

    Returns
    -------
    dict
        ``n``: number of answers (int).
        ``mean``: mean score (NaN when n = 0), a description without an interval.
        ``sd``: sample standard deviation, ddof=1 (NaN when n < 2).
        ``pct_agree``: percentage of answers scoring 3 or 4 (NaN when n = 0).
        ``pct_agree_ci``: ``(lo, hi)`` Wilson 95% interval of ``pct_agree`` in percent, or
        ``None`` when n = 0.
        ``shares``: tuple of the proportions at levels 1..4 (NaNs when n = 0).
    """
    d = _describe_matrix(_level_counts(counts)[None, :])
    n = int(d["n"][0])
    return {
        "n": n,
        "mean": float(d["mean"][0]),
        "sd": float(d["sd"][0]),
        "pct_agree": float(d["pct_agree"][0]),
        "pct_agree_ci": (float(d["agree_lo"][0]), float(d["agree_hi"][0])) if n else None,
        "shares": tuple(float(x) for x in d["shares"][0]),
    }


def mann_whitney_from_levels(
    counts_a: Sequence[int], counts_b: Sequence[int]
) -> tuple[float, float]:
    """Mann-Whitney U test of wave B against wave A from counts per level.

    Uses the normal approximation with tie correction and continuity correction, the same as
    R ``wilcox.test(b, a, exact = FALSE, correct = TRUE)`` and SciPy
    ``mannwhitneyu(b, a, method="asymptotic", use_continuity=True)``.

    Parameters
    ----------
    counts_a, counts_b : sequence of 4 ints
        Number of answers at levels 1..4 in each wave.

    Returns
    -------
    u : float
        B's U statistic: the number of (a, b) pairs with b > a, plus half the tied pairs.
        ``u / (n_a n_b)`` is the probability that a random B answer beats a random A answer.
    p : float
        Two-sided p-value. 1.0 when every answer is at the same level; NaN when either wave
        has no answers.
    """
    return mann_whitney_from_counts(_level_counts(counts_a), _level_counts(counts_b))


def mann_whitney_from_counts(
    counts_a: Sequence[float], counts_b: Sequence[float], *, continuity: bool = True
) -> tuple[float, float]:
    """Mann-Whitney U test from counts over any number of ordered categories.

    The general form of :func:`mann_whitney_from_levels`; category i is lower than category
    i+1 and equal values share a category. The work is O(categories), whatever the number of
    answers.

    Parameters
    ----------
    counts_a, counts_b : sequence of float
        Counts per category for groups A and B, same length.
    continuity : bool
        Apply the continuity correction (R ``correct = TRUE``).

    Returns
    -------
    u : float
        B's U statistic (pairs with B higher, plus half the ties).
    p : float
        Two-sided normal-approximation p-value with tie correction; 1.0 when all values tie,
        NaN when a group is empty.
    """
    a = np.asarray(counts_a, dtype=float)
    b = np.asarray(counts_b, dtype=float)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError("counts_a and counts_b must be 1-d and of the same length.")
    u, p = _mann_whitney_matrix(a[None, :], b[None, :], continuity)
    return float(u[0]), float(p[0])


def cliffs_delta(u: float, n_a: int, n_b: int) -> float:
    """Cliff's delta of B over A from B's Mann-Whitney U: ``2u / (n_a n_b) - 1``.

    Returns
    -------
    float
        P(B > A) - P(B < A) for a random pair, from -1 (every A higher) to 1 (every B higher);
        NaN when either group is empty.
    """
    if not n_a or not n_b or math.isnan(u):
        return _NAN
    return 2.0 * float(u) / (float(n_a) * float(n_b)) - 1.0


def holm(pvalues: Sequence[float]) -> np.ndarray:
    """Holm step-down adjusted p-values.

    Parameters
    ----------
    pvalues : sequence of float
        Unadjusted p-values of one family. NaNs are ignored: they stay NaN and do not count in
        the family size.

    Returns
    -------
    numpy.ndarray
        Adjusted p-values in the input order: ``max over j <= i of (m - j + 1) p_(j)``, capped
        at 1, so they are monotone in the unadjusted p-values.
    """
    p = np.asarray(pvalues, dtype=float)
    out = np.full(p.shape, np.nan)
    finite = np.flatnonzero(~np.isnan(p))
    m = finite.size
    if m == 0:
        return out
    order = finite[np.argsort(p[finite], kind="stable")]
    factors = m - np.arange(m)
    out[order] = np.minimum(1.0, np.maximum.accumulate(factors * p[order]))
    return out


def benjamini_hochberg(pvalues: Sequence[float]) -> np.ndarray:
    """Benjamini-Hochberg (false discovery rate) adjusted p-values.

    NaNs stay NaN and are not counted in the family. Adjusted p_(i) = min over j >= i of
    m p_(j) / j, capped at 1: statsmodels ``multipletests(p, method="fdr_bh")``.
    """
    p = np.asarray(pvalues, dtype=float)
    out = np.full(p.shape, np.nan)
    finite = np.flatnonzero(~np.isnan(p))
    m = finite.size
    if m == 0:
        return out
    order = finite[np.argsort(p[finite], kind="stable")]
    scaled = p[order] * m / np.arange(1, m + 1)
    out[order] = np.minimum(1.0, np.minimum.accumulate(scaled[::-1])[::-1])
    return out


# --- tables of counts ---------------------------------------------------------------------------


def _check_counts(counts: pd.DataFrame) -> None:
    missing = [c for c in _COUNT_COLUMNS if c not in counts.columns]
    if missing:
        raise ValueError(
            f"counts is missing the column(s) {', '.join(missing)}; it needs "
            f"{', '.join(_COUNT_COLUMNS)}."
        )
    scores = pd.to_numeric(counts["score"], errors="coerce")
    bad = ~scores.isin(SCORE_LEVELS)
    if bad.any():
        raise ValueError(
            f"score {counts['score'][bad].iloc[0]!r} is not a level; scores must be 1, 2, 3 or 4."
        )
    n = pd.to_numeric(counts["n"], errors="coerce")
    if n.isna().any() or (n < 0).any():
        raise ValueError("every n in counts must be a whole number of at least 0.")


def _appearance(values: Sequence) -> dict:
    return {v: i for i, v in enumerate(dict.fromkeys(values))}


def _domain_rank(domains: Sequence) -> dict:
    rank = {d: i for i, d in enumerate(KNOWN_DOMAINS)}
    for d in dict.fromkeys(domains):
        rank.setdefault(d, len(rank))
    return rank


def _group_codes(frame: pd.DataFrame, keys: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Number the distinct combinations of ``keys`` in order of first appearance.

    Returns each row's group number and the position of each group's first row.
    """
    combined = np.zeros(len(frame), dtype=np.int64)
    for key in keys:
        codes, uniques = pd.factorize(frame[key], use_na_sentinel=False)
        # re-number after each step so that the combined codes stay below len(frame)
        combined = pd.factorize(combined * (len(uniques) + 1) + codes)[0]
    _, first, inverse = np.unique(combined, return_index=True, return_inverse=True)
    by_appearance = np.argsort(first, kind="stable")
    rank = np.empty_like(by_appearance)
    rank[by_appearance] = np.arange(by_appearance.size)
    return rank[inverse.ravel()], first[by_appearance]


def _count_matrix(
    counts: pd.DataFrame, keys: list[str], slot: np.ndarray, slots: int
) -> tuple[pd.DataFrame, np.ndarray]:
    """Sum counts into an array (groups, slots, 4).

    Groups are the distinct values of ``keys`` in order of appearance, returned as a frame;
    ``slot`` gives each row's position on the second axis (e.g. 0 for wave A, 1 for wave B).
    """
    codes, first = _group_codes(counts, keys)
    groups = counts[keys].iloc[first].reset_index(drop=True)
    levels = len(SCORE_LEVELS)
    score = pd.to_numeric(counts["score"]).to_numpy(dtype=np.int64) - SCORE_LEVELS[0]
    flat = (codes * slots + slot) * levels + score
    weights = pd.to_numeric(counts["n"]).to_numpy(dtype=float)
    summed = np.bincount(flat, weights=weights, minlength=len(groups) * slots * levels)
    return groups, summed.reshape(len(groups), slots, levels)


def add_all_roles(counts: pd.DataFrame, label: str = ALL_ROLES) -> pd.DataFrame:
    """Prepend rows summing the counts over roles, under the role ``label``.

    Parameters
    ----------
    counts : pandas.DataFrame
        Columns ``domain, role, statement, wave, score, n`` and optionally ``statement_order``.
    label : str
        Role name of the summed rows.

    Returns
    -------
    pandas.DataFrame
        The summed rows (role = ``label``) followed by the original rows, same columns.

    Raises
    ------
    ValueError
        If ``counts`` already has rows with role ``label``.
    """
    _check_counts(counts)
    if (counts["role"] == label).any():
        raise ValueError(f"counts already has rows for {label!r}; add them only once.")
    keys = ["domain", "statement", "wave", "score"]
    if "statement_order" in counts.columns:
        keys.insert(2, "statement_order")
    codes, first = _group_codes(counts, keys)
    n = pd.to_numeric(counts["n"])
    sums = np.bincount(codes, weights=n.to_numpy(dtype=float), minlength=first.size)
    summed = counts.iloc[first].reset_index(drop=True)
    summed["role"] = label
    summed["n"] = sums.astype(n.dtype) if pd.api.types.is_integer_dtype(n.dtype) else sums
    return pd.concat([summed, counts], ignore_index=True)


def level_shares(counts: pd.DataFrame) -> pd.DataFrame:
    """Share of answers at each level, for diverging stacked bar charts.

    Returns
    -------
    pandas.DataFrame
        One row per domain, role, statement, wave and score 1..4 (levels with no answers
        included with n = 0), columns ``domain, role, statement, wave, score, n, share,
        n_total``: ``n_total`` is the number of answers to the statement in the wave and
        ``share`` = n / n_total (NaN when n_total = 0). Groups keep their order of appearance.
    """
    _check_counts(counts)
    keys = ["domain", "role", "statement", "wave"]
    groups, matrix = _count_matrix(counts, keys, np.zeros(len(counts), dtype=np.int64), 1)
    wide = matrix[:, 0, :]
    levels = len(SCORE_LEVELS)
    long = groups.loc[groups.index.repeat(levels)].reset_index(drop=True)
    long["score"] = np.tile(np.asarray(SCORE_LEVELS), len(groups))
    long["n"] = wide.ravel().astype(np.int64)
    totals = np.repeat(wide.sum(axis=1), levels)
    with np.errstate(invalid="ignore", divide="ignore"):
        long["share"] = np.where(totals > 0, wide.ravel() / totals, np.nan)
    long["n_total"] = totals.astype(np.int64)
    return long


# --- compare_levels -------------------------------------------------------------------------------


def _group_sizes_with_fallback(
    counts: pd.DataFrame, group_sizes: pd.DataFrame, total_label: str
) -> pd.DataFrame:
    """Group sizes, filling any (role, wave) the caller left out from the answer counts.

    A role with answers but no size row would otherwise escape disclosure control; its size is
    taken as the number of answers to its most answered statement.
    """
    sizes = group_sizes[["role", "wave", "respondents"]]
    known = set(zip(sizes["role"].tolist(), sizes["wave"].tolist(), strict=True))
    present = set(zip(counts["role"].tolist(), counts["wave"].tolist(), strict=True))
    missing = {rw for rw in present - known if rw[0] != total_label}
    if not missing:
        return sizes
    rows = counts[[rw in missing for rw in zip(counts["role"], counts["wave"], strict=True)]]
    extra = (
        rows.groupby(["role", "wave", "statement"], sort=False)["n"]
        .sum()
        .groupby(level=["role", "wave"], sort=False)
        .max()
        .reset_index(name="respondents")
    )
    return pd.concat([sizes, extra], ignore_index=True)


def compare_levels(
    counts: pd.DataFrame,
    *,
    wave_a: str,
    wave_b: str,
    group_sizes: pd.DataFrame | None = None,
    min_group: int = 5,
    model: bool = True,
) -> pd.DataFrame:
    """Compare two waves statement by statement, for every domain and role in ``counts``.

    Parameters
    ----------
    counts : pandas.DataFrame
        Columns ``domain, role, statement, wave, score, n`` (n = answers with that score, score
        1..4; no-answers are left out) and optionally ``statement_order`` (sort key within a
        domain). Put an "All roles" total first if wanted (see :func:`add_all_roles`).
    wave_a, wave_b : str
        The earlier and the later wave; differences are B minus A.
    group_sizes : pandas.DataFrame, optional
        Columns ``role, wave, respondents``. When given, disclosure control is applied (see
        :func:`rpgdash.stats.disclosure.suppress_small_groups`): roles suppressed in either
        wave keep their rows but every number is blanked and ``suppressed`` says why. A role
        with answers but no size row is sized by its most answered statement.
    min_group : int
        Disclosure threshold k.
    model : bool
        Fit the proportional-odds model for each statement (most of the time taken).

    Returns
    -------
    pandas.DataFrame
        One row per (domain, role, statement) with answers in either wave, columns
        :data:`COMPARISON_COLUMNS`:
        ``n_a, n_b`` answers in each wave (nullable Int64); ``mean_*``, ``sd_*`` per wave
        (descriptive, no interval: see :data:`MEAN_INTERVAL_NOTE`); ``pct_agree_*`` (% scoring
        3 or 4) and ``pct_agree_ci_*`` (``[lo, hi]`` Wilson 95%, in percent) per wave, NaN /
        ``None`` when the wave has no answers; ``pct_agree_change`` (points, B - A) with
        ``pct_agree_change_ci`` (Newcombe method 10); ``diff`` = mean_b - mean_a; ``u`` = B's
        Mann-Whitney U; ``p_value`` two-sided (NaN unless both waves have answers) and
        ``p_method`` ("exact" when either wave has fewer than :data:`EXACT_BELOW` answers,
        else "normal"); ``p_holm`` Holm-adjusted within the family of one domain and one role;
        ``p_bh`` Benjamini-Hochberg across every shown row (all domains, statements and
        roles, "All roles" included); suppressed rows and NaN p-values are in no family;
        ``cliffs_delta`` of B over A with ``delta_ci`` (Cliff's 1996 interval, ``None`` when
        a wave has fewer than 2 answers or the waves do not overlap); ``significant``,
        ``significant_holm``, ``significant_bh`` whether p, p_holm, p_bh < 0.05 (``None``
        when the p-value is missing or the row is suppressed); on "All roles" rows the
        proportional-odds model answer ~ wave + role (:mod:`rpgdash.stats.ordinal`):
        ``wave_odds_ratio``, ``wave_or_ci``, ``wave_or_p``, ``po_check_p`` and ``model_note``
        (blank on role rows, and all blank with ``model=False``); ``suppressed`` ``None`` when
        shown, else the reason. Rows are ordered by domain
        (professional, self_efficacy, relationships, then others as they appear), role (as
        they appear in ``counts``) and statement order (``statement_order``, then appearance).
    """
    _check_counts(counts)
    if wave_a == wave_b:
        raise ValueError(f"wave_a and wave_b are both {wave_a!r}; choose two different waves.")
    sizes = (
        None if group_sizes is None else _group_sizes_with_fallback(counts, group_sizes, ALL_ROLES)
    )
    groups, a, b = paired_counts(counts, wave_a=wave_a, wave_b=wave_b)
    return compare_level_matrix(
        groups,
        a,
        b,
        wave_a=wave_a,
        wave_b=wave_b,
        group_sizes=sizes,
        min_group=min_group,
        model=model,
    )


def paired_counts(
    counts: pd.DataFrame, *, wave_a: str, wave_b: str
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Arrange counts as one row per (domain, role, statement) with each wave's 4 levels.

    Returns ``(groups, a, b)`` in the row order of :func:`compare_levels`, ready for
    :func:`compare_level_matrix` and :func:`domain_model_frame`.
    """
    _check_counts(counts)
    in_waves = counts[counts["wave"].isin([wave_a, wave_b])]
    is_b = (in_waves["wave"] == wave_b).to_numpy(dtype=np.int64)
    groups, matrix = _count_matrix(in_waves, _KEY, is_b, 2)
    order = _row_order(groups, counts)
    groups, matrix = groups.iloc[order].reset_index(drop=True), matrix[order]
    return groups, matrix[:, 0, :], matrix[:, 1, :]


def compare_level_matrix(
    groups: pd.DataFrame,
    a: np.ndarray,
    b: np.ndarray,
    *,
    wave_a: str,
    wave_b: str,
    group_sizes: pd.DataFrame | None = None,
    min_group: int = 5,
    model: bool = True,
) -> pd.DataFrame:
    """:func:`compare_levels` for counts already arranged as one row per comparison.

    Parameters
    ----------
    groups : pandas.DataFrame
        Columns ``domain, role, statement``, one row per comparison, in the order wanted.
    a, b : numpy.ndarray
        Shape (len(groups), 4): answers at levels 1-4 in wave A and wave B for each row.
    wave_a, wave_b, min_group :
        As for :func:`compare_levels`.
    group_sizes : pandas.DataFrame, optional
        Columns ``role, wave, respondents`` for every role and wave (no fallback is applied:
        the caller must give every group's size, as the database always can).

    Returns
    -------
    pandas.DataFrame
        Exactly what :func:`compare_levels` returns for the same counts.
    """
    hidden: dict[str, str] = {}
    if group_sizes is not None:
        sups = suppress_small_groups(group_sizes, min_group, total_label=ALL_ROLES)
        hidden = suppressed_roles(sups, wave_a, wave_b)
    groups = groups[["domain", "role", "statement"]].reset_index(drop=True)
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    return _comparison_frame(groups, a, b, wave_a, wave_b, hidden, model)


def _row_order(groups: pd.DataFrame, counts: pd.DataFrame) -> np.ndarray:
    domain_rank = _domain_rank(counts["domain"].tolist())
    role_rank = _appearance(counts["role"].tolist())
    pairs = list(zip(counts["domain"].tolist(), counts["statement"].tolist(), strict=True))
    appearance = _appearance(pairs)
    statement_rank: dict = {}
    if "statement_order" in counts.columns:
        for pair, rank in zip(pairs, counts["statement_order"].tolist(), strict=True):
            statement_rank.setdefault(pair, rank)
    keys = list(zip(groups["domain"], groups["role"], groups["statement"], strict=True))
    return np.lexsort(
        (
            [appearance[(d, s)] for d, _, s in keys],
            np.array([statement_rank.get((d, s), 0) for d, _, s in keys], dtype=float),
            [role_rank[r] for _, r, _ in keys],
            [domain_rank[d] for d, _, _ in keys],
        )
    )


def _exact_p_values(
    a: np.ndarray, b: np.ndarray, p: np.ndarray, shown: np.ndarray
) -> tuple[np.ndarray, list]:
    """Replace the normal-approximation p by the exact one where either wave is small."""
    n_a, n_b = a.sum(axis=1), b.sum(axis=1)
    small = (np.minimum(n_a, n_b) < EXACT_BELOW) & (n_a > 0) & (n_b > 0)
    p = p.copy()
    for i in np.flatnonzero(small & shown):  # hidden rows show no p
        p[i] = exact_mann_whitney_p(a[i], b[i])
    method = [
        None if (na == 0 or nb == 0) else ("exact" if is_small else "normal")
        for na, nb, is_small in zip(n_a, n_b, small, strict=True)
    ]
    return p, method


def _comparison_frame(
    groups: pd.DataFrame,
    a: np.ndarray,
    b: np.ndarray,
    wave_a: str,
    wave_b: str,
    hidden: dict[str, str],
    model: bool = True,
) -> pd.DataFrame:
    da, db = _describe_matrix(a), _describe_matrix(b)
    u, p_normal = _mann_whitney_matrix(a, b)
    roles = groups["role"].tolist()
    shown = np.array([r not in hidden for r in roles], dtype=bool)
    p, p_method = _exact_p_values(a, b, p_normal, shown)
    delta = _cliffs_delta_matrix(u, da["n"], db["n"])
    delta_lo, delta_hi = _cliffs_interval_matrix(a, b, delta)
    agree_a, agree_b = a[:, 2] + a[:, 3], b[:, 2] + b[:, 3]
    change_lo, change_hi = newcombe_difference_interval(agree_a, da["n"], agree_b, db["n"])
    numbers = {
        "mean_a": da["mean"],
        "mean_b": db["mean"],
        "sd_a": da["sd"],
        "sd_b": db["sd"],
        "pct_agree_a": da["pct_agree"],
        "pct_agree_b": db["pct_agree"],
        "pct_agree_change": db["pct_agree"] - da["pct_agree"],
        "diff": db["mean"] - da["mean"],
        "u": u,
        "p_value": p,
        "cliffs_delta": delta,
    }
    numbers = {k: np.where(shown, v, np.nan) for k, v in numbers.items()}
    families = pd.Series(list(zip(groups["domain"], roles, strict=True))).factorize()[0]
    p_holm = np.full(len(groups), np.nan)
    for family in np.unique(families[shown]):
        members = np.flatnonzero((families == family) & shown)
        p_holm[members] = holm(p[members])
    p_bh = benjamini_hochberg(numbers["p_value"])
    index = pd.RangeIndex(len(groups))

    def column(values: object, dtype: object) -> object:
        if dtype is object:  # a Series, or pandas would infer str and turn None into NaN
            return pd.Series(values, index=index, dtype=object)
        if dtype == "float64":
            return np.asarray(values, dtype=float)
        return pd.array(values, dtype=dtype)

    def interval(lo: np.ndarray, hi: np.ndarray, scale: float = 1.0) -> list:
        return [
            [float(x) * scale, float(y) * scale] if ok and not math.isnan(x) else None
            for x, y, ok in zip(lo, hi, shown, strict=True)
        ]

    def flag(values: np.ndarray) -> list:
        return [None if math.isnan(v) else bool(v < ALPHA) for v in values]

    def count(n: np.ndarray) -> list:
        return [int(k) if ok else None for k, ok in zip(n, shown, strict=True)]

    columns = {
        "domain": column(groups["domain"].tolist(), "str"),
        "role": column(roles, "str"),
        "statement": column(groups["statement"].tolist(), "str"),
        "wave_a": column([wave_a] * len(groups), "str"),
        "wave_b": column([wave_b] * len(groups), "str"),
        "n_a": column(count(da["n"]), "Int64"),
        "n_b": column(count(db["n"]), "Int64"),
        **{k: column(numbers[k], "float64") for k in ("mean_a", "mean_b", "sd_a", "sd_b")},
        "pct_agree_a": column(numbers["pct_agree_a"], "float64"),
        "pct_agree_b": column(numbers["pct_agree_b"], "float64"),
        "pct_agree_ci_a": column(interval(da["agree_lo"], da["agree_hi"]), object),
        "pct_agree_ci_b": column(interval(db["agree_lo"], db["agree_hi"]), object),
        "pct_agree_change": column(numbers["pct_agree_change"], "float64"),
        "pct_agree_change_ci": column(interval(change_lo, change_hi, 100.0), object),
        "diff": column(numbers["diff"], "float64"),
        "u": column(numbers["u"], "float64"),
        "p_value": column(numbers["p_value"], "float64"),
        "p_method": column(
            [m if ok else None for m, ok in zip(p_method, shown, strict=True)], object
        ),
        "p_holm": column(p_holm, "float64"),
        "p_bh": column(p_bh, "float64"),
        "cliffs_delta": column(numbers["cliffs_delta"], "float64"),
        "delta_ci": column(interval(delta_lo, delta_hi), object),
        "significant": column(flag(numbers["p_value"]), object),
        "significant_holm": column(flag(p_holm), object),
        "significant_bh": column(flag(p_bh), object),
        **_model_frame_columns(groups, a, b, shown, model, column),
        "suppressed": column([hidden.get(r) for r in roles], object),
    }
    return pd.DataFrame(columns, index=index)


def _model_frame_columns(
    groups: pd.DataFrame, a: np.ndarray, b: np.ndarray, shown: np.ndarray, model: bool, column
) -> dict:
    """The proportional-odds columns (see :mod:`rpgdash.stats.ordinal`), blank when hidden."""
    if model:
        values = statement_models(groups, a, b, ALL_ROLES)
    else:
        values = {c: [None] * len(groups) for c in MODEL_COLUMNS}
        values["model_note"] = ["not computed"] * len(groups)
    for name in MODEL_COLUMNS:
        values[name] = [v if ok else None for v, ok in zip(values[name], shown, strict=True)]
    floats = ("wave_odds_ratio", "wave_or_p", "po_check_p")
    return {
        name: column(
            [math.nan if v is None else v for v in values[name]]
            if name in floats
            else values[name],
            "float64" if name in floats else object,
        )
        for name in MODEL_COLUMNS
    }


DOMAIN_MODEL_COLUMNS = ["domain", "wave_a", "wave_b", "n", "adjusted_for", *MODEL_COLUMNS]


def domain_model_frame(
    groups: pd.DataFrame,
    a: np.ndarray,
    b: np.ndarray,
    *,
    wave_a: str,
    wave_b: str,
    group_sizes: pd.DataFrame | None = None,
    min_group: int = 5,
) -> pd.DataFrame:
    """One proportional-odds model per domain (answer ~ wave + statement + role).

    Inputs as for :func:`compare_level_matrix`. Returns one row per domain with the columns
    :data:`DOMAIN_MODEL_COLUMNS`; every number is blank (and ``model_note`` says why) when
    the "All roles" total is suppressed.
    """
    hidden: dict[str, str] = {}
    if group_sizes is not None:
        sups = suppress_small_groups(group_sizes, min_group, total_label=ALL_ROLES)
        hidden = suppressed_roles(sups, wave_a, wave_b)
    groups = groups[["domain", "role", "statement"]].reset_index(drop=True)
    records = domain_models(groups, np.asarray(a, float), np.asarray(b, float), ALL_ROLES)
    for record in records:
        record.update(wave_a=wave_a, wave_b=wave_b)
        if ALL_ROLES in hidden:
            record.update({c: None for c in MODEL_COLUMNS}, n=None, model_note=hidden[ALL_ROLES])
    return pd.DataFrame(records, columns=DOMAIN_MODEL_COLUMNS)
