"""Comparing two survey waves from the number of answers at each agreement level.

The survey uses a 4-point scale with no neutral option (4 = agree strongly, 3 = agree,
2 = disagree, 1 = strongly disagree). The two waves are different samples, so they are compared
as independent groups with the Mann-Whitney U test. Everything here works from per-level counts,
which is all the database needs to hand over and is enough for exact ranks (ties are whole
levels).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import special

from rpgdash.stats.disclosure import suppress_small_groups, suppressed_roles

SCORE_LEVELS = (1, 2, 3, 4)
KNOWN_DOMAINS = ("professional", "self_efficacy", "relationships")
ALL_ROLES = "All roles"
ALPHA = 0.05

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
    "ci_a",
    "ci_b",
    "pct_agree_a",
    "pct_agree_b",
    "diff",
    "u",
    "p_value",
    "p_holm",
    "cliffs_delta",
    "significant",
    "significant_holm",
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
    """Row-wise n, mean, sd, 95% t interval and % agreeing of an (m, 4) count matrix."""
    levels = np.asarray(SCORE_LEVELS, dtype=float)
    n = c.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, c @ levels / n, np.nan)
        squares = (c * (levels[None, :] - mean[:, None]) ** 2).sum(axis=1)
        sd = np.where(n >= 2, np.sqrt(squares / np.maximum(n - 1, 1)), np.nan)
        half = special.stdtrit(np.maximum(n - 1, 1), 0.975) * sd / np.sqrt(n)
        pct_agree = np.where(n > 0, 100.0 * (c[:, 2] + c[:, 3]) / n, np.nan)
        shares = np.where(n[:, None] > 0, c / n[:, None], np.nan)
    return {
        "n": n,
        "mean": mean,
        "sd": sd,
        "lo": mean - half,
        "hi": mean + half,
        "pct_agree": pct_agree,
        "shares": shares,
    }


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
        ``mean``: mean score (NaN when n = 0).
        ``sd``: sample standard deviation, ddof=1 (NaN when n < 2).
        ``ci``: ``(lo, hi)`` 95% t interval of the mean with n-1 degrees of freedom, or ``None``
        when n < 2.
        ``pct_agree``: percentage of answers scoring 3 or 4 (NaN when n = 0).
        ``shares``: tuple of the proportions at levels 1..4 (NaNs when n = 0).
    """
    d = _describe_matrix(_level_counts(counts)[None, :])
    n = int(d["n"][0])
    return {
        "n": n,
        "mean": float(d["mean"][0]),
        "sd": float(d["sd"][0]),
        "ci": (float(d["lo"][0]), float(d["hi"][0])) if n >= 2 else None,
        "pct_agree": float(d["pct_agree"][0]),
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

    Returns
    -------
    pandas.DataFrame
        One row per (domain, role, statement) with answers in either wave, columns
        :data:`COMPARISON_COLUMNS`:
        ``n_a, n_b`` answers in each wave (nullable Int64); ``mean_*``, ``sd_*``,
        ``ci_*`` (``[lo, hi]`` 95% t interval, ``None`` with fewer than 2 answers),
        ``pct_agree_*`` (% scoring 3 or 4) per wave, NaN when the wave has no answers;
        ``diff`` = mean_b - mean_a; ``u`` = B's Mann-Whitney U; ``p_value`` two-sided (NaN
        unless both waves have answers); ``p_holm`` Holm-adjusted within the family of one
        domain and one role (suppressed rows and NaN p-values are not counted);
        ``cliffs_delta`` of B over A; ``significant`` / ``significant_holm`` whether p /
        p_holm < 0.05 (``None`` when the p-value is missing or the row is suppressed);
        ``suppressed`` ``None`` when shown, else the reason. Rows are ordered by domain
        (professional, self_efficacy, relationships, then others as they appear), role (as
        they appear in ``counts``) and statement order (``statement_order``, then appearance).
    """
    _check_counts(counts)
    if wave_a == wave_b:
        raise ValueError(f"wave_a and wave_b are both {wave_a!r}; choose two different waves.")
    sizes = (
        None if group_sizes is None else _group_sizes_with_fallback(counts, group_sizes, ALL_ROLES)
    )
    in_waves = counts[counts["wave"].isin([wave_a, wave_b])]
    is_b = (in_waves["wave"] == wave_b).to_numpy(dtype=np.int64)
    groups, matrix = _count_matrix(in_waves, _KEY, is_b, 2)
    order = _row_order(groups, counts)
    groups, matrix = groups.iloc[order].reset_index(drop=True), matrix[order]
    return compare_level_matrix(
        groups,
        matrix[:, 0, :],
        matrix[:, 1, :],
        wave_a=wave_a,
        wave_b=wave_b,
        group_sizes=sizes,
        min_group=min_group,
    )


def compare_level_matrix(
    groups: pd.DataFrame,
    a: np.ndarray,
    b: np.ndarray,
    *,
    wave_a: str,
    wave_b: str,
    group_sizes: pd.DataFrame | None = None,
    min_group: int = 5,
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
    return _comparison_frame(groups, a, b, wave_a, wave_b, hidden)


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


def _comparison_frame(
    groups: pd.DataFrame,
    a: np.ndarray,
    b: np.ndarray,
    wave_a: str,
    wave_b: str,
    hidden: dict[str, str],
) -> pd.DataFrame:
    da, db = _describe_matrix(a), _describe_matrix(b)
    u, p = _mann_whitney_matrix(a, b)
    roles = groups["role"].tolist()
    shown = np.array([r not in hidden for r in roles], dtype=bool)
    numbers = {
        "mean_a": da["mean"],
        "mean_b": db["mean"],
        "sd_a": da["sd"],
        "sd_b": db["sd"],
        "pct_agree_a": da["pct_agree"],
        "pct_agree_b": db["pct_agree"],
        "diff": db["mean"] - da["mean"],
        "u": u,
        "p_value": p,
        "cliffs_delta": _cliffs_delta_matrix(u, da["n"], db["n"]),
    }
    numbers = {k: np.where(shown, v, np.nan) for k, v in numbers.items()}
    families = pd.Series(list(zip(groups["domain"], roles, strict=True))).factorize()[0]
    p_holm = np.full(len(groups), np.nan)
    for family in np.unique(families[shown]):
        members = np.flatnonzero((families == family) & shown)
        p_holm[members] = holm(p[members])
    index = pd.RangeIndex(len(groups))

    def column(values: object, dtype: object) -> object:
        if dtype is object:  # a Series, or pandas would infer str and turn None into NaN
            return pd.Series(values, index=index, dtype=object)
        if dtype == "float64":
            return np.asarray(values, dtype=float)
        return pd.array(values, dtype=dtype)

    def ci(d: dict) -> list:
        return [
            [float(lo), float(hi)] if ok and n >= 2 else None
            for lo, hi, n, ok in zip(d["lo"], d["hi"], d["n"], shown, strict=True)
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
        "ci_a": column(ci(da), object),
        "ci_b": column(ci(db), object),
        **{k: column(numbers[k], "float64") for k in ("pct_agree_a", "pct_agree_b", "diff")},
        "u": column(numbers["u"], "float64"),
        "p_value": column(numbers["p_value"], "float64"),
        "p_holm": column(p_holm, "float64"),
        "cliffs_delta": column(numbers["cliffs_delta"], "float64"),
        "significant": column(flag(numbers["p_value"]), object),
        "significant_holm": column(flag(p_holm), object),
        "suppressed": column([hidden.get(r) for r in roles], object),
    }
    return pd.DataFrame(columns, index=index)
