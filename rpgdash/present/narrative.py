"""Plain-language sentences generated from the statistics (pure functions, no Streamlit).

Every sentence is computed from the same numbers the tables show, so the two cannot disagree.
Wording never claims a cause: it says what changed and how sure we can be.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from rpgdash.present import format as fmt

NEUTRAL = 2.5
TEST_NAME = "Mann-Whitney U test, two-sided"


format_p = fmt.p_value  # the one p-value format (rpgdash.present.format)
month_label = fmt.month


def _of_the(count: int, total: int) -> str:
    """``all 8 statements``, ``none of the 8 statements``, ``3 of the 8 statements``."""
    if count == total:
        return f"all {total} statements"
    return f"none of the {total} statements" if count == 0 else f"{count} of the {total} statements"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


@dataclass(frozen=True)
class Adjustment:
    """One way of deciding "significant" when many statements are tested.

    ``flag`` and ``p`` name the comparison columns; ``label`` is the choice as a control
    shows it; ``method`` the clause for a method note; ``suffix`` what a summary sentence adds
    after the test's name.
    """

    key: str
    flag: str
    p: str
    label: str
    method: str
    suffix: str


ADJUSTMENTS: dict[str, Adjustment] = {
    a.key: a
    for a in (
        Adjustment(
            "none",
            "significant",
            "p_value",
            "None (the study's convention)",
            "p-values are not adjusted for the number of statements (the study's convention)",
            "",
        ),
        Adjustment(
            "holm",
            "significant_holm",
            "p_holm",
            "Holm, within this set of statements",
            "p-values are Holm-adjusted within this set of statements and job role",
            ", Holm-adjusted",
        ),
        Adjustment(
            "bh",
            "significant_bh",
            "p_bh",
            "Benjamini-Hochberg, across every statement and role",
            "p-values are Benjamini-Hochberg-adjusted (false discovery rate) across every "
            "statement of the three sets and every job role",
            ", Benjamini-Hochberg-adjusted",
        ),
    )
}


def adjustment(use: bool | str) -> Adjustment:
    """The :class:`Adjustment` for a key ("none", "holm", "bh"); True is Holm, False none."""
    if isinstance(use, bool):
        return ADJUSTMENTS["holm" if use else "none"]
    return ADJUSTMENTS[use]


def significance_column(use_holm: bool | str) -> str:
    return adjustment(use_holm).flag


def domain_summary(comparisons: pd.DataFrame, *, use_holm: bool | str = False) -> str:
    """A short summary of one domain's comparison for one role.

    ``comparisons`` holds the rows of one role and one domain, with the columns of
    :data:`rpgdash.stats.COMPARISON_COLUMNS`. Suppressed rows are reported as such.
    ``use_holm`` is an adjustment key ("none", "holm", "bh") or a bool (True = Holm).
    """
    if comparisons.empty:
        return "There are no answers to summarise for this selection."
    shown = comparisons[comparisons["suppressed"].isna()]
    if shown.empty:
        return (
            "Results for this group are not shown: too few people in it answered to report "
            "them without risking identifying someone."
        )
    wave_a = shown["wave_a"].iloc[0]
    wave_b = shown["wave_b"].iloc[0]
    total = len(shown)
    above = int((shown["mean_b"] > NEUTRAL).sum())
    agree = int((shown["pct_agree_b"] > 50).sum())
    improved = int((shown["diff"] > 0).sum())
    flags = shown[significance_column(use_holm)].fillna(False).astype(bool)
    sig_up = int((flags & (shown["diff"] > 0)).sum())
    sig_down = int((flags & (shown["diff"] < 0)).sum())

    span = shown["pct_agree_b"].dropna()
    agree_range = (
        f" (% agree {fmt.percent(span.min())} to {fmt.percent(span.max())})"
        if len(span) > 1 and span.min() != span.max()
        else (f" (% agree {fmt.percent(span.iloc[0])})" if len(span) else "")
    )
    if total == 1:
        first = (
            f"At {wave_b}, the statement {'has' if above else 'does not have'} a mean above the "
            f"{NEUTRAL} midpoint, and {'more' if agree else 'no more'} than half of staff agreed "
            f"with it{agree_range}"
        )
    else:
        first = (
            f"At {wave_b}, {_of_the(above, total)} {'has' if above == 1 else 'have'} a mean "
            f"above the {NEUTRAL} midpoint, and {_of_the(agree, total)} "
            f"{'has' if agree == 1 else 'have'} more than half of staff agreeing{agree_range}"
        )
    if 0 < total - above <= 2:
        below = shown.loc[shown["mean_b"] <= NEUTRAL, "statement"].tolist()
        first += "; below the midpoint: " + " and ".join(f"“{s}”" for s in below)
    count = fmt.share(improved, total)
    second = (
        f"It was {'' if improved else 'not '}more agreed with than at {wave_a}"
        if total == 1
        else f"{count[:1].upper()}{count[1:]} {'was' if improved == 1 else 'were'} more agreed "
        f"with than at {wave_a}"
    )
    how = f"at the 95% level ({TEST_NAME}; {adjusted_words(use_holm)})"
    if sig_up == 0 and sig_down == 0:
        third = f"no change was statistically significant {how}"
    else:
        parts = []
        if sig_up:
            parts.append(f"{sig_up} improved significantly")
        if sig_down:
            parts.append(f"{sig_down} fell significantly")
        third = " and ".join(parts) + f" {how}"
    return f"{first}. {second}; {third}."


ADJUSTED_WORDS = {
    "none": "not adjusted for testing many statements",
    "holm": "Holm-adjusted for testing many statements",
    "bh": "Benjamini-Hochberg-adjusted for testing many statements and roles",
}


def adjusted_words(use: bool | str) -> str:
    """Whether "significant" is adjusted for testing many statements, in words."""
    return ADJUSTED_WORDS[adjustment(use).key]


def _model_clause(record: object, wave_a: str, wave_b: str) -> str:
    ratio, (lo, hi) = record["wave_odds_ratio"], record["wave_or_ci"]
    return (
        f"the odds of a higher answer at {wave_b} were {ratio:.2f} times those at {wave_a} "
        f"(95% CI {lo:.2f} to {hi:.2f}, {format_p(record['wave_or_p'])})"
    )


def model_sentence(record: object, wave_a: str, wave_b: str, *, scope: str = "") -> str | None:
    """The proportional-odds wave effect as a sentence, or None when there is no model.

    ``record`` is a comparison row (an "All roles" row) or a domain model row, with
    ``wave_odds_ratio``, ``wave_or_ci``, ``wave_or_p``, ``model_note`` and, for a domain,
    ``adjusted_for``. ``scope`` names what was pooled ("across the set's statements").
    """
    ratio, note = record["wave_odds_ratio"], record["model_note"]
    missing = ratio is None or (isinstance(ratio, float) and math.isnan(ratio))
    if missing and not note:
        return None
    adjusted = list(record.get("adjusted_for") or ["role"])
    by = (
        "job role"
        if adjusted == ["role"]
        else " and ".join("job role" if a == "role" else a for a in adjusted)
    )
    lead = f"Adjusted for {by}{' ' + scope if scope else ''} (proportional-odds model)"
    if missing:
        return f"{lead}: {note}."
    text = f"{lead}, {_model_clause(record, wave_a, wave_b)}."
    return text + (f" Note: {note}." if note else "")


def survey_method(use_holm: bool | str) -> str:
    """The survey method note shown under every results table (page and report)."""
    return (
        f"Each statement is compared between two independent samples of staff with the "
        f"{TEST_NAME}: the p-value is exact (the permutation distribution, ties included) when "
        "either wave has fewer than 30 answers, otherwise the normal approximation with tie "
        f"and continuity correction; {adjustment(use_holm).method}. % agree counts Agree and "
        "Agree strongly, with Wilson 95% intervals, and the change in points has Newcombe's "
        "95% interval. Means (Agree strongly = 4 to Strongly disagree = 1; 2.5 is the neutral "
        "midpoint) are descriptions without an interval. Effect size: Cliff's delta (-1 to 1) "
        "with Cliff's 95% interval. For All roles, a proportional-odds model adjusts the "
        "change for the mix of job roles answering."
    )


DOMAIN_MODEL_CAVEAT = (
    "The set's model pools every statement, treating a person's answers to different "
    "statements as independent; they are not, so its interval is narrower and its p smaller "
    "than they should be. Read it as a summary beside the per-statement results."
)
