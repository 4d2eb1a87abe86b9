"""Plain-language sentences generated from the statistics (pure functions, no Streamlit).

Every sentence is computed from the same numbers the tables show, so the two cannot disagree.
Wording never claims a cause: it says what changed and how sure we can be.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

NEUTRAL = 2.5
TEST_NAME = "Mann-Whitney U test, two-sided"


def format_p(p: float | None) -> str:
    """``p < 0.001`` or ``p = 0.042``; ``p not available`` for a missing value."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "p not available"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def month_label(month: str | pd.Timestamp) -> str:
    """``2017-01`` (or a Timestamp in that month) -> ``Jan 2017``."""
    text = month.strftime("%Y-%m") if isinstance(month, pd.Timestamp) else str(month)
    return f"{calendar.month_abbr[int(text[5:7])]} {text[:4]}"


def _count_phrase(count: int, total: int) -> str:
    if count == total:
        return "all" if total > 1 else "the one"
    return "none" if count == 0 else f"{count} of {total}"


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
    improved = int((shown["diff"] > 0).sum())
    flags = shown[significance_column(use_holm)].fillna(False).astype(bool)
    sig_up = int((flags & (shown["diff"] > 0)).sum())
    sig_down = int((flags & (shown["diff"] < 0)).sum())

    if above == total:
        which = f"all {_plural(total, 'statement')} are" if total > 1 else "the statement is"
    elif above == 0:
        which = f"none of the {_plural(total, 'statement')} is"
    else:
        which = f"{above} of {_plural(total, 'statement')} {'is' if above == 1 else 'are'}"
    first = f"At {wave_b}, {which} more agreed than disagreed with (mean above {NEUTRAL})"
    if 0 < total - above <= 2:
        below = shown.loc[shown["mean_b"] <= NEUTRAL, "statement"].tolist()
        first += "; not " + " or ".join(f"“{s}”" for s in below)
    adjusted = adjustment(use_holm).suffix
    second = (
        f"{_count_phrase(improved, total).capitalize()} "
        f"{'was' if improved == 1 else 'were'} more agreed with than at {wave_a}"
    )
    if sig_up == 0 and sig_down == 0:
        third = f"no change was statistically significant at the 95% level ({TEST_NAME}{adjusted})"
    else:
        parts = []
        if sig_up:
            parts.append(f"{sig_up} improved significantly")
        if sig_down:
            parts.append(f"{sig_down} fell significantly")
        third = " and ".join(parts) + f" at the 95% level ({TEST_NAME}{adjusted})"
    return f"{first}. {second}; {third}."


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


def trend_sentence(result: dict, *, unit: str) -> str:
    """One sentence on the linear trend and the Mann-Kendall test of a monthly series."""
    ols = result["ols"]
    mk = result["mann_kendall"]
    slope = ols["slope_per_month"]
    direction = "rose" if slope > 0 else "fell"
    lo, hi = (
        sorted(abs(x) for x in ols["slope_ci"]) if _same_sign(ols["slope_ci"]) else (None, None)
    )
    ci = (
        f"95% CI {lo:.1f} to {hi:.1f}"
        if lo is not None
        else f"95% CI {ols['slope_ci'][0]:+.1f} to {ols['slope_ci'][1]:+.1f}, including no change"
    )
    return (
        f"From {month_label(result['start'])} to {month_label(result['end'])} "
        f"({result['n']} months) the series {direction} by about {abs(slope):.1f} {unit} per "
        f"month ({ci}; about {abs(slope) * 12:.0f} per year); "
        f"Mann-Kendall {format_p(mk['p_value'])}, Sen's slope {mk['sen_slope']:+.1f} per month."
    )


def _same_sign(ci: Sequence[float]) -> bool:
    return (ci[0] > 0 and ci[1] > 0) or (ci[0] < 0 and ci[1] < 0)


def its_sentence(its: dict, *, unit: str) -> str:
    """Level and slope change at the change point, with CIs; association, not cause."""
    lvl_lo, lvl_hi = its["level_ci"]
    slp_lo, slp_hi = its["slope_ci"]
    if None in (lvl_lo, lvl_hi, slp_lo, slp_hi):  # a degenerate fit: no intervals (see its)
        return (
            f"Compared with the trend before {month_label(its['change_point'])} "
            f"({its['n_pre']} months before, {its['n_post']} from then on), the level changed "
            f"by {its['level_change']:+.1f} {unit} and the monthly slope by "
            f"{its['slope_change']:+.2f}, with no confidence intervals or p-values."
        )
    return (
        f"Compared with the trend before {month_label(its['change_point'])} "
        f"({its['n_pre']} months before, {its['n_post']} from then on), the level changed by "
        f"{its['level_change']:+.1f} {unit} (95% CI {lvl_lo:+.1f} to {lvl_hi:+.1f}, "
        f"{format_p(its['level_p'])}) and the monthly slope by {its['slope_change']:+.2f} "
        f"(95% CI {slp_lo:+.2f} to {slp_hi:+.2f}, {format_p(its['slope_p'])})."
    )


ITS_CAVEAT = (
    "An interrupted time series estimates how the series changed around a date. It shows an "
    "association with the timing, not that RPGs caused the change: many other influences "
    "acted on these services at the same time."
)

VARIATION_WORDS = {
    "common_cause": "common cause variation",
    "special_cause_improvement": "special cause variation – improvement",
    "special_cause_concern": "special cause variation – concern",
    "special_cause_neutral_high": "special cause variation – higher than expected",
    "special_cause_neutral_low": "special cause variation – lower than expected",
}

ASSURANCE_WORDS = {
    "consistent_pass": "the target is consistently met",
    "consistent_fail": "the target is consistently missed",
    "inconsistent": "the target will sometimes be met and sometimes missed",
}


def scan_sentence(its: dict, unit: str) -> str | None:
    """Whether the chosen change point's level change stands out among the months tried."""
    scan = its.get("sensitivity") or []
    chosen = its["change_point"]
    sizes = sorted((abs(r["level_change"]) for r in scan), reverse=True)
    mine = next((r for r in scan if r["month"] == chosen), None)
    if mine is None or not sizes:
        return None
    rank = sizes.index(abs(mine["level_change"])) + 1
    if rank == 1:
        verdict = f"the largest of the {len(scan)}: it stands out from the other months tried"
    elif rank <= 3:
        verdict = (
            f"number {rank} of {len(scan)} by size: only {rank - 1} other month(s) give a "
            "larger one"
        )
    else:
        verdict = (
            f"number {rank} of {len(scan)} by size: {rank - 1} other months give larger changes, "
            "so the change at this month does not stand out"
        )
    return (
        f"Tried at each month with at least 6 months on each side, the level change at "
        f"{month_label(chosen)} ({mine['level_change']:+,.2f} {unit}) is {verdict}."
    )
