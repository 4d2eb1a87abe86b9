"""The method, sources and caveats text of the About page (and the board report)."""

from __future__ import annotations

import pandas as pd

ABOUT_SECTIONS: tuple[tuple[str, str], ...] = (
    (
        "What this dashboard shows",
        "Reflective practice groups (RPGs) began in the children's social work service in "
        "November 2015: monthly groups of 10-12 staff at the same level of the hierarchy, "
        "mixed across teams, first run by external facilitators for senior managers, team "
        "managers and lead practitioners, who then facilitated groups for front-line staff. "
        "The dashboard brings together three kinds of evidence used by the mixed-methods "
        "evaluation of that programme: staff surveys, monthly organisational indicators and "
        "yearly workforce figures.",
    ),
    (
        "Survey method",
        "Staff rated agreement with statements on a four-point scale without a neutral "
        "option (Agree strongly = 4, Agree = 3, Disagree = 2, Strongly disagree = 1); 2.5 is "
        "the neutral midpoint. Waves are different samples of staff, so each statement is "
        "compared between waves as two independent groups. Every figure is computed from the "
        "number of answers at each level, for each statement and job role, and the same "
        "figures appear on the survey pages, in the board report and from the command line "
        "(stats compare).\n"
        "- % agree (Agree or Agree strongly) with a Wilson score 95% interval for each wave, "
        "which stays within 0-100% and keeps a width when everyone or no one agrees (Wilson "
        "1927; as statsmodels proportion_confint, method wilson). Shown in the results tables.\n"
        "- Change in % agree, in percentage points, with Newcombe's hybrid score 95% interval "
        "(Newcombe 1998, Statistics in Medicine 17:873-890, method 10). Results tables.\n"
        "- Means are shown as descriptions only, without an interval. A t interval treats "
        "the four levels as equally spaced numbers: it ran past 4 and had zero width for "
        "groups where everyone agreed strongly, and a bootstrap interval has the same zero "
        "width. Uncertainty is therefore given for % agree and for Cliff's delta. Charts and "
        "results tables.\n"
        "- Mann-Whitney U test, two-sided. When either wave has fewer than 30 answers the "
        "p-value is exact: every way the answers could have split between the waves, given "
        "how many answers fell at each level (ties), is counted (the permutation "
        "distribution, as scipy.stats.permutation_test or R coin::wilcox_test with "
        "distribution exact). Otherwise the normal approximation with tie and continuity "
        "correction is used (as R wilcox.test with exact = FALSE). The tables say which "
        "(p method). Results tables and summaries.\n"
        "- Cliff's delta (from -1 to 1: how much more often a later answer is higher than "
        "an earlier one than lower) with Cliff's 95% interval (Cliff 1996, unbiased "
        "variance, Student t on n1 + n2 - 2 degrees of freedom, as R effsize::cliff.delta). "
        "Results tables.\n"
        "- One model across roles: for All roles, a proportional-odds (ordinal logistic) "
        "model of answer by wave and job role for each statement, and by wave, statement and "
        "job role for each set, fitted with statsmodels OrderedModel (checked against R "
        "MASS::polr). Its odds ratio is the odds of a higher answer at the later wave for "
        "people in the same role, so a change in who answered does not show as change. The "
        "proportional-odds assumption is checked by a likelihood-ratio test against a model "
        "whose wave effect may differ at each level; when p < 0.05 the table says so. "
        "Models that cannot be estimated (every answer at one level, waves that do not "
        "overlap) are marked not estimable. The set's model treats one person's answers to "
        "different statements as independent, so its interval is too narrow. Results tables "
        "(All roles), survey pages and the report.",
    ),
    (
        "Testing many statements",
        "Each page tests many statements, so some changes will look significant by chance. "
        "The plan: a change is reported as significant when p < 0.05, unadjusted, as the "
        "evaluation did; every results table also gives two adjusted p-values, and the "
        "control on each survey page (stats compare --adjust on the command line) decides "
        "which one the word significant uses.\n"
        "- Holm's step-down adjustment within each set of statements and job role: controls "
        "the chance of any false finding in that set (Holm 1979; as statsmodels multipletests, "
        "method holm).\n"
        "- Benjamini-Hochberg across every statement of the three sets and every job role, "
        "All roles included: controls the expected share of false findings among those "
        "called significant (Benjamini & Hochberg 1995; as statsmodels multipletests, method "
        "fdr_bh). Groups hidden to protect individuals take no part in either family.",
    ),
    (
        "Planning the next wave",
        "The Overview's planning panel (python -m rpgdash plan-wave on the command line) "
        "takes the number of staff to be invited in each job role and an expected response "
        "rate (by default, the latest wave's). For each role it gives the expected "
        "respondents (rounded to whole people), whether the role will have fewer than "
        "{min_group} and so be hidden, the smallest rise in % agree from the latest wave "
        "that the next wave could detect (two-sided two-proportion test at the 5% level with "
        "80% power, on Cohen's effect size h, as statsmodels NormalIndPower; % agree pools "
        "every statement the role answered), and the response rate needed to detect a change "
        "as large as the one between the last two waves.",
    ),
    (
        "Protecting individuals",
        "Results for a job role are hidden when fewer than {min_group} people in that role "
        "answered in a wave. When hiding one group would still let it be worked out by "
        "subtracting the other groups from the total, the next smallest group is hidden too. "
        "The threshold is a setting (RPGDASH_MIN_GROUP).",
    ),
    (
        "Indicator method",
        "Monthly series are described by a linear trend (ordinary least squares), the "
        "Mann-Kendall test with Sen's slope, statistical process control (XmR charts as in "
        "NHS England's Making Data Count) and an interrupted time series around a chosen "
        "month. Missing months are reported, never filled in.",
    ),
    (
        "Caveats",
        "- Nothing here shows that RPGs caused a change: many other influences acted on the "
        "service at the same time, and the evaluation made no causal claim.\n"
        "- The baseline survey was run by an earlier evaluator with a different instrument; it "
        "is not comparable and is excluded from comparisons.\n"
        "- Response rates were modest (22% at +1 year, 32% at +3 years).\n"
        "- The indicator series cover different months.\n"
        "- In the demo database, survey answers and monthly values are illustrative, generated "
        "to match the published findings; the workforce figures are the published values.",
    ),
    (
        "Source",
        "A mixed-methods, longitudinal evaluation of whole-system reflective practice groups in "
        "one English local authority's children's social work service (Journal of Social Work "
        "Practice, 2019).",
    ),
)


def wave_table(summary: pd.DataFrame) -> pd.DataFrame:
    """The stored waves as a readable table (text cells; a missing figure reads as a dash)."""
    from rpgdash.present import format as fmt

    return pd.DataFrame(
        {
            "Wave": summary["wave"],
            "Fieldwork": [
                f"{fmt.month(s)} to {fmt.month(e)}" if pd.notna(s) and pd.notna(e) else fmt.MISSING
                for s, e in zip(summary["fieldwork_start"], summary["fieldwork_end"], strict=True)
            ],
            "Respondents": [fmt.count(v) for v in summary["respondents"]],
            "Invited": [fmt.count(v) for v in summary["invited"]],
            "Response rate": [fmt.percent(v, digits=1) for v in summary["response_rate"]],
            "Compared": summary["comparable"].map({True: "yes", False: "no (not comparable)"}),
        }
    )
