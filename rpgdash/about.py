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
        "compared between waves as two independent groups, with the Mann-Whitney U test "
        "(two-sided, normal approximation with tie and continuity correction). A change is "
        "called significant when p < 0.05; a switch on each page applies Holm's adjustment "
        "for testing several statements at once. Effect sizes are Cliff's delta.",
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
    """The stored waves as a readable table."""
    return pd.DataFrame(
        {
            "Wave": summary["wave"],
            "Fieldwork": [
                f"{s:%b %Y} to {e:%b %Y}" if pd.notna(s) and pd.notna(e) else ""
                for s, e in zip(summary["fieldwork_start"], summary["fieldwork_end"], strict=True)
            ],
            "Respondents": summary["respondents"],
            "Invited": summary["invited"].astype("Int64"),
            "Response rate (%)": summary["response_rate"],
            "Compared": summary["comparable"].map({True: "yes", False: "no (not comparable)"}),
        }
    )
