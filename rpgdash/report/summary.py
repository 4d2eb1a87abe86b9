"""The board pack's executive summary: one status line per outcome, in plain English.

Statuses come from the same results the appendix shows: survey sets from the wave comparison
(Holm-adjusted significance, because a set has many statements), indicators from the
whole-series trend, workforce from the published yearly figures, themes from the latest wave's
coded interviews. No test is named here: the appendix says which test stands behind each word.

When issue 11's findings layer (``rpgdash.present``) lands, these lines should come from its
panels; until then they are worded here, once.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import pandas as pd

from rpgdash import evidence
from rpgdash.present import format as fmt
from rpgdash.present.domains import DOMAINS

#: Workforce measures where a fall is the better direction (all four published measures).
LOWER_IS_BETTER = frozenset({"Agency staffing", "Sickness", "Turnover", "Vacancies"})
#: A yearly workforce figure moving by less than this many points is "no clear change".
WORKFORCE_CLEAR_CHANGE = 1.0
ADJUSTED = "statistically significant (adjusted for testing many statements)"
BASELINE_CAVEAT = (
    "The baseline survey used a different questionnaire, so it is not compared with the "
    "later waves: change is measured between the two later waves only."
)
ILLUSTRATIVE_CAVEAT = (
    "Illustrative data: the survey answers, monthly indicator values and interview excerpts "
    "shown here are generated for the demonstration, not real returns; the workforce figures "
    "are the published values."
)


class Status(enum.Enum):
    IMPROVING = "improving"
    NO_CLEAR_CHANGE = "no clear change"
    CONCERN = "concern"
    NOT_ENOUGH_DATA = "not enough data"

    @property
    def words(self) -> str:
        return self.value[:1].upper() + self.value[1:]


@dataclass(frozen=True)
class OutcomeLine:
    """One outcome in the summary: what it is, its status, and one plain sentence."""

    group: str
    outcome: str
    status: Status
    sentence: str


# Our own icon SVG (no stored text); the words beside it carry the meaning.
_ICONS = {
    Status.IMPROVING: '<circle cx="8" cy="8" r="7" fill="#0b5394"/>'
    '<path d="M8 3.5 L12 8.5 H9.5 V12.5 H6.5 V8.5 H4 Z" fill="#fff"/>',
    Status.NO_CLEAR_CHANGE: '<circle cx="8" cy="8" r="7" fill="#595959"/>'
    '<rect x="4" y="7" width="8" height="2" fill="#fff"/>',
    Status.CONCERN: '<path d="M8 1 L15 14.5 H1 Z" fill="#8a3b00"/>'
    '<rect x="7.1" y="5" width="1.8" height="5" fill="#fff"/>'
    '<rect x="7.1" y="11" width="1.8" height="1.8" fill="#fff"/>',
    Status.NOT_ENOUGH_DATA: '<circle cx="8" cy="8" r="6.2" fill="none" stroke="#595959" '
    'stroke-width="1.6" stroke-dasharray="2 1.6"/>',
}


def status_icon(status: Status) -> str:
    """A 16 px inline SVG for ``status``, hidden from screen readers (the words follow it)."""
    return (
        '<svg class="status-icon" width="16" height="16" viewBox="0 0 16 16" '
        f'aria-hidden="true" focusable="false">{_ICONS[status]}</svg>'
    )


def survey_lines(
    comparisons: pd.DataFrame, role: str, wave_a: str, wave_b: str
) -> list[OutcomeLine]:
    """One line per survey set for ``role``, judged on Holm-adjusted significance."""
    rows = comparisons[comparisons["role"] == role]
    out = []
    for spec in DOMAINS:
        group = rows[rows["domain"] == spec.key]
        title = spec.title
        shown = group[group["suppressed"].isna()]
        if group.empty or shown.empty:
            out.append(
                OutcomeLine(
                    "Staff survey",
                    title,
                    Status.NOT_ENOUGH_DATA,
                    f"Not shown for {role}: too few people answered to report safely.",
                )
            )
            continue
        sig = shown["significant_holm"].fillna(False).astype(bool)
        better = int((sig & (shown["diff"] > 0)).sum())
        worse = int((sig & (shown["diff"] < 0)).sum())
        more = int((shown["diff"] > 0).sum())
        status = Status.CONCERN if worse else Status.IMPROVING if better else Status.NO_CLEAR_CHANGE
        sentence = (
            f"{more} of {len(shown)} statements more agreed with at {wave_b} than at {wave_a}; "
            f"{better} improved and {worse} worsened by an amount that is {ADJUSTED}."
        )
        out.append(OutcomeLine("Staff survey", title, status, sentence))
    return out


def indicator_lines(trends: dict[str, tuple[dict, str]], meta: pd.DataFrame) -> list[OutcomeLine]:
    """One line per stored indicator from its whole-series trend and its better direction."""
    out = []
    for row in meta.itertuples():
        if row.name not in trends:
            out.append(
                OutcomeLine(
                    "Indicators",
                    row.name,
                    Status.NOT_ENOUGH_DATA,
                    "Fewer than 3 months are stored.",
                )
            )
            continue
        result, unit = trends[row.name]
        per_year = result["ols"]["slope_per_year"]
        clear = result["mann_kendall"]["p_value"] < 0.05
        span = f"{fmt.month(result['start'])} to {fmt.month(result['end'])}"
        if not clear or per_year == 0:
            status = Status.NO_CLEAR_CHANGE
            sentence = f"No clear upward or downward trend, {span}."
        else:
            word = "Falling" if per_year < 0 else "Rising"
            good = (per_year < 0) == (row.direction == "decrease")
            status = Status.IMPROVING if good else Status.CONCERN
            if row.direction not in ("decrease", "increase"):
                status = Status.NO_CLEAR_CHANGE
            sentence = (
                f"{word} by about {abs(per_year):.0f} {unit} a year, {span}; the trend is "
                "statistically significant."
            )
        out.append(OutcomeLine("Indicators", row.name, status, sentence))
    return out


def workforce_lines(changes: pd.DataFrame) -> list[OutcomeLine]:
    """One line per published workforce measure: first and latest year, and the change."""
    out = []
    for r in changes.itertuples():
        sentence = (
            f"{r.latest:g}% in {r.latest_year}, {fmt.change(r.change)} since {r.first_year} "
            f"({r.first:g}%); published yearly figures, no test applies."
        )
        if r.first_year == r.latest_year:
            status = Status.NOT_ENOUGH_DATA
        elif abs(r.change) < WORKFORCE_CLEAR_CHANGE or r.measure not in LOWER_IS_BETTER:
            status = Status.NO_CLEAR_CHANGE
        else:
            status = Status.IMPROVING if r.change < 0 else Status.CONCERN
        out.append(OutcomeLine("Workforce", r.measure, status, sentence))
    return out


def theme_lines(themes: pd.DataFrame) -> list[OutcomeLine]:
    """The interview themes of the latest wave: mostly positive, mostly negative or mixed."""
    waves = list(evidence.themes_by_wave(themes))
    if not waves:
        return [
            OutcomeLine(
                "Interviews", "Themes", Status.NOT_ENOUGH_DATA, "No interview themes are stored."
            )
        ]
    wave, group = waves[-1]
    pos = int((group["polarity"] == "positive").sum())
    neg = len(group) - pos
    status = (
        Status.IMPROVING if pos > neg else Status.CONCERN if neg > pos else Status.NO_CLEAR_CHANGE
    )
    sentence = (
        f"At {wave}, {pos} of {len(group)} themes from interviews and focus groups were "
        f"positive and {neg} negative."
    )
    return [OutcomeLine("Interviews", "Themes", status, sentence)]
