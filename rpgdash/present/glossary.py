"""The glossary on the Method page: each statistical term in plain English, with an anchor.

Pages link a term to its entry with :func:`link` (a Markdown link to the Method page's
heading). The links are built from this module's own constants only: stored text is never
passed through here, so nothing a user typed becomes a link (stored text goes through
:func:`rpgdash.text.as_text`).

Streamlit 1.67 serves ``pages/about.py`` at ``/about`` (``st.Page`` takes the URL path from
the file name) and gives a heading drawn with ``anchor=`` that element id; a page opened at
``about#holm`` scrolls to it. The links are relative (``about#holm``), so they also work when
the app is served under a base path.
"""

from __future__ import annotations

from dataclasses import dataclass

METHOD_PAGE = "about"  # URL path of pages/about.py under st.navigation


@dataclass(frozen=True)
class Term:
    """One glossary entry: ``anchor`` is the heading's id on the Method page."""

    anchor: str
    title: str
    meaning: str


TERMS: tuple[Term, ...] = (
    Term(
        "percent-agree",
        "% agree",
        "The share of people who answered a statement with Agree or Agree strongly. Unlike "
        "the mean, it does not treat the four answers as equally spaced numbers, so it is the "
        "figure the survey pages lead with. Each wave's % agree comes with a Wilson interval.",
    ),
    Term(
        "midpoint",
        "Mean above the 2.5 midpoint",
        "Answers are scored 1 (strongly disagree) to 4 (agree strongly), so 2.5 lies halfway. "
        "A mean above 2.5 leans towards agreement, but it can sit above 2.5 while fewer than "
        "half of people agree (for example 6 disagree and 4 agree strongly), which is why "
        "% agree is shown beside it.",
    ),
    Term(
        "wilson-interval",
        "Wilson interval",
        "A 95% range of plausible values for a percentage, given how many people answered. "
        "It stays between 0% and 100% and still has a width when everyone, or no one, agreed.",
    ),
    Term(
        "mann-whitney",
        "Mann-Whitney U test",
        "A test of whether answers in one wave tend to be higher than in another, using only "
        "their order (strongly disagree < disagree < agree < agree strongly). The two waves "
        "are different groups of people, so they are compared as independent samples.",
    ),
    Term(
        "cliffs-delta",
        "Cliff's delta",
        "How much the answers moved, from -1 to +1: pick one answer from each wave at random; "
        "Cliff's delta is how much more often the later one is higher than lower. 0 means no "
        "shift. A common rule of thumb calls 0.15 small, 0.33 medium and 0.47 large.",
    ),
    Term(
        "significant",
        "Significant (95%)",
        "A change is called significant when a change at least this large would be unlikely "
        "(p below 0.05) if nothing had really changed. It does not say the change is large "
        "or important, nor what caused it.",
    ),
    Term(
        "holm",
        "Holm adjustment",
        "Testing many statements at once makes some look significant by chance. Holm's method "
        "raises the bar step by step (the smallest p-value is compared with 0.05 divided by "
        "the number of tests, the next with 0.05 divided by one fewer, and so on), so the "
        "chance of even one false finding in the set stays at 5%.",
    ),
    Term(
        "benjamini-hochberg",
        "Benjamini-Hochberg adjustment",
        "A gentler correction for testing many statements: instead of guarding against any "
        "false finding, it keeps the expected share of false findings among those called "
        "significant at 5%.",
    ),
    Term(
        "proportional-odds",
        "Proportional-odds model",
        "A model of four-level answers that compares waves within each job role, so a change "
        "in who answered (more managers one year, say) is not mistaken for a change of view. "
        "Its odds ratio above 1 means higher answers at the later wave.",
    ),
    Term(
        "disclosure-threshold",
        "Disclosure threshold",
        "The smallest group whose results are shown. A job role with fewer respondents in a "
        "wave is hidden, and so is the next smallest group when the hidden one could "
        "otherwise be worked out by subtraction, so no one's answers can be identified.",
    ),
    Term(
        "mann-kendall",
        "Mann-Kendall test",
        "A test of whether a monthly series rises or falls steadily, comparing every month "
        "with every later one. It does not assume a straight line, and a few unusual months "
        "sway it little.",
    ),
    Term(
        "sens-slope",
        "Sen's slope",
        "The typical change per month: the median of the slopes between every pair of months. "
        "It goes with the Mann-Kendall test and, unlike a straight-line fit, is hardly moved "
        "by an odd month.",
    ),
    Term(
        "xmr",
        "XmR chart",
        "A statistical process control chart of individual values (X) with limits worked out "
        "from the moving range (mR), the difference between one month and the next. It "
        "separates the ordinary month-to-month wobble of a process (common cause) from "
        "signals worth looking into (special cause), as in NHS England's Making Data Count.",
    ),
    Term(
        "process-limits",
        "Process limits",
        "The two grey lines on an XmR chart: the mean plus and minus 2.66 times the average "
        "moving range. Nearly all months of a stable process fall between them; a point "
        "outside, or a run of points on one side of the mean, is a special cause. They "
        "describe the process, not a target.",
    ),
    Term(
        "trial-limits",
        "Trial limits",
        "Process limits worked out from fewer than 20 months. They are provisional: with so "
        "few points the limits can move noticeably as more months arrive.",
    ),
    Term(
        "its",
        "Interrupted time series",
        "A comparison of a series' level and trend before and after a chosen month (such as "
        "the RPG start), fitted as two straight lines. It estimates how the series changed "
        "around that date; it cannot show that the date's event caused the change.",
    ),
)

BY_ANCHOR = {t.anchor: t for t in TERMS}


def link(anchor: str, words: str | None = None) -> str:
    """A Markdown link to the term's entry on the Method page: ``[Holm](about#holm)``.

    ``words`` is the linked text (by default the term's title); pass only the product's own
    wording, never stored text. Raises KeyError for an unknown anchor, so a typo fails in
    tests rather than linking nowhere.
    """
    term = BY_ANCHOR[anchor]
    return f"[{words or term.title}]({METHOD_PAGE}#{term.anchor})"


def terms_line(anchors: tuple[str, ...] | list[str]) -> str:
    """``Terms: [XmR chart](about#xmr), [Process limits](about#process-limits).``"""
    return "Terms used here: " + ", ".join(link(a) for a in anchors) + " (Method page)."
