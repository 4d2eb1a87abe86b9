"""The overview's headline panel: the sentences the Overview page and the board report share.

:func:`build_overview_panel` reads the database once per choice of site, role and
disclosure threshold. The Overview page draws its cards; the report's "Headline findings"
lists :meth:`OverviewPanel.headline_sentences` word for word (a test checks this).

Every card also carries a :class:`Status` (improving / no clear change / concern / not enough
data) and a plain-English ``status_sentence`` that names no test: the board pack's two-page
summary lists :meth:`OverviewPanel.outcome_lines` and words nothing itself.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import pandas as pd

from rpgdash import api, evidence, queries, settings
from rpgdash.db import Database
from rpgdash.present import domains, headlines
from rpgdash.present import format as fmt
from rpgdash.present.indicators import trend_summary
from rpgdash.stats.compare import ALL_ROLES

TEST = "Mann-Whitney U"
RPG_START_WORDS = "November 2015"

#: How a summary says "significant" without naming a test (survey sets: Holm-adjusted).
ADJUSTED = "statistically significant (adjusted for testing many statements)"
#: Workforce measures where a fall is the better direction (all four published measures).
LOWER_IS_BETTER = frozenset({"Agency staffing", "Sickness", "Turnover", "Vacancies"})
#: A yearly workforce figure moving by less than this many points is "no clear change".
WORKFORCE_CLEAR_CHANGE = 1.0
#: A whole-series trend counts as clear at this Mann-Kendall p-value.
TREND_ALPHA = 0.05

NO_CAUSE = (
    "Figures describe change over time and how the evidence fits together; they do not show "
    "that RPGs caused any change."
)
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
    """An outcome's status in words; ``icon`` is a Material icon name for the pages."""

    IMPROVING = "improving"
    NO_CLEAR_CHANGE = "no clear change"
    CONCERN = "concern"
    NOT_ENOUGH_DATA = "not enough data"

    @property
    def words(self) -> str:
        return self.value[:1].upper() + self.value[1:]

    @property
    def icon(self) -> str:
        return _STATUS_ICONS[self]


_STATUS_ICONS = {
    Status.IMPROVING: ":material/trending_up:",
    Status.NO_CLEAR_CHANGE: ":material/trending_flat:",
    Status.CONCERN: ":material/warning:",
    Status.NOT_ENOUGH_DATA: ":material/help:",
}


@dataclass(frozen=True)
class OutcomeLine:
    """One outcome's status for a summary: its group, name, status and plain sentence."""

    group: str
    outcome: str
    status: Status
    sentence: str


@dataclass(frozen=True)
class WaveCard:
    """One comparable survey wave: a metric (label, value) and its sentence."""

    wave: str
    label: str
    value: str
    sentence: str


@dataclass(frozen=True)
class DomainCard:
    """One survey domain's headline for the chosen role."""

    key: str
    title: str
    page: str
    sentence: str
    suppressed: bool
    status: Status = Status.NOT_ENOUGH_DATA
    status_sentence: str = ""


@dataclass(frozen=True)
class IndicatorCard:
    """One indicator's whole-series trend; ``series`` feeds the sparkline (None: too short)."""

    name: str
    sentence: str
    series: pd.DataFrame | None
    status: Status = Status.NOT_ENOUGH_DATA
    status_sentence: str = "Fewer than 3 months are stored."


@dataclass(frozen=True)
class WorkforceCard:
    """One workforce measure: metric label, value and delta that fit a narrow card."""

    measure: str
    label: str
    value: str
    delta: str
    sentence: str
    status: Status = Status.NOT_ENOUGH_DATA
    status_sentence: str = ""


@dataclass(frozen=True)
class ThemesLine:
    """The latest wave's interview themes: mostly positive, mostly negative, or even."""

    status: Status
    sentence: str


@dataclass(frozen=True)
class OverviewPanel:
    site: str | None
    role: str
    min_group: int
    waves: tuple[str, ...]
    wave_note: str
    wave_cards: tuple[WaveCard, ...]
    not_compared: str | None
    survey_heading: str | None
    domain_cards: tuple[DomainCard, ...]
    indicator_cards: tuple[IndicatorCard, ...]
    workforce_cards: tuple[WorkforceCard, ...]
    themes: ThemesLine = ThemesLine(Status.NOT_ENOUGH_DATA, "No interview themes are stored.")
    caveats: tuple[str, ...] = (NO_CAUSE,)

    def outcome_lines(self) -> list[list[OutcomeLine]]:
        """Every outcome's status, grouped: survey sets, indicators, workforce, themes."""
        return [
            [
                OutcomeLine("Staff survey", c.title, c.status, c.status_sentence)
                for c in self.domain_cards
            ],
            [
                OutcomeLine("Indicators", c.name, c.status, c.status_sentence)
                for c in self.indicator_cards
            ],
            [
                OutcomeLine("Workforce", c.measure, c.status, c.status_sentence)
                for c in self.workforce_cards
            ],
            [OutcomeLine("Interviews", "Themes", self.themes.status, self.themes.sentence)],
        ]

    def headline_sentences(self) -> list[str]:
        """Every headline sentence the overview shows, in its order (the report lists them)."""
        return [
            self.wave_note,
            *(c.sentence for c in self.wave_cards),
            *(c.sentence for c in self.domain_cards),
            *(f"{c.name}: {c.sentence}" for c in self.indicator_cards),
            *(c.sentence for c in self.workforce_cards),
        ]


def wave_note(waves: list[str]) -> str:
    """What "+1 year" means, said where the wave names first appear."""
    named = " and ".join(f"“{w}”" for w in waves) if waves else "The waves"
    return (
        f"Survey waves are named by the time since the RPGs began in {RPG_START_WORDS}: "
        f"{named} {'are' if len(waves) != 1 else 'is'} the survey{'s' if len(waves) != 1 else ''}"
        " held about that long after the start."
    )


def _wave_cards(summary: pd.DataFrame) -> tuple[WaveCard, ...]:
    cards = []
    for w in summary[summary["comparable"]].itertuples():
        invited = None if fmt.is_missing(w.invited) or not w.invited else int(w.invited)
        rate = (
            f" of about {fmt.count(invited)} invited ({fmt.percent(w.response_rate)})"
            if invited
            else " (the number invited is not stored)"
        )
        cards.append(
            WaveCard(
                str(w.wave),
                f"Respondents at {w.wave}",
                fmt.count(w.respondents),
                f"Survey at {w.wave}: {fmt.count(w.respondents)} staff answered{rate}.",
            )
        )
    return tuple(cards)


def domain_sentence(
    title: str, role: str, rows: pd.DataFrame, waves: tuple[str, str], min_group: int
) -> tuple[str, bool]:
    """One domain's headline for one role: changes, significance (both ways) and levels."""
    shown = rows[rows["suppressed"].isna()]
    if shown.empty:
        return f"{title}: not shown for {role} (fewer than {min_group} responses).", True
    n = len(rows)
    wave_a, wave_b = waves
    up = shown["diff"] > 0
    sig = int((shown["significant"].fillna(False).astype(bool) & up).sum())
    sig_holm = int((shown["significant_holm"].fillna(False).astype(bool) & up).sum())
    above = int((shown["mean_b"] > 2.5).sum())
    agree = int((shown["pct_agree_b"] > 50).sum())
    return (
        f"{title} ({role}), {fmt.plural(n, 'statement')}: {fmt.share(int(up.sum()), n)} more "
        f"agreed with than at {wave_a}; {fmt.share(sig, n)} improved significantly at the 95% "
        f"level ({TEST}, not adjusted for testing many statements; {fmt.share(sig_holm, n)} with "
        f"Holm's adjustment). At {wave_b}, {fmt.share(above, n)} {_have(above)} a mean above "
        f"the 2.5 midpoint and {fmt.share(agree, n)} {_have(agree)} more than half of staff "
        "agreeing."
    ), False


def domain_status(role: str, rows: pd.DataFrame, waves: tuple[str, str]) -> tuple[Status, str]:
    """A survey set's status on Holm-adjusted significance (a set has many statements)."""
    shown = rows[rows["suppressed"].isna()]
    if shown.empty:
        return (
            Status.NOT_ENOUGH_DATA,
            f"Not shown for {role}: too few people answered to report safely.",
        )
    sig = shown["significant_holm"].fillna(False).astype(bool)
    better = int((sig & (shown["diff"] > 0)).sum())
    worse = int((sig & (shown["diff"] < 0)).sum())
    more = int((shown["diff"] > 0).sum())
    status = Status.CONCERN if worse else Status.IMPROVING if better else Status.NO_CLEAR_CHANGE
    wave_a, wave_b = waves
    return status, (
        f"{more} of {len(shown)} statements more agreed with at {wave_b} than at {wave_a}; "
        f"{better} improved and {worse} worsened by an amount that is {ADJUSTED}."
    )


def indicator_status(result: dict, unit: str, direction: str) -> tuple[Status, str]:
    """An indicator's status from its whole-series trend and its better direction."""
    per_year = result["ols"]["slope_per_year"]
    clear = result["mann_kendall"]["p_value"] < TREND_ALPHA
    span = f"{fmt.month(result['start'])} to {fmt.month(result['end'])}"
    if not clear or per_year == 0:
        return Status.NO_CLEAR_CHANGE, f"No clear upward or downward trend, {span}."
    word = "Falling" if per_year < 0 else "Rising"
    sentence = (
        f"{word} by about {fmt.count(abs(per_year))} {unit} a year, {span}; the trend is "
        "statistically significant."
    )
    if direction not in ("decrease", "increase"):
        return Status.NO_CLEAR_CHANGE, sentence
    good = (per_year < 0) == (direction == "decrease")
    return (Status.IMPROVING if good else Status.CONCERN), sentence


def workforce_status(r: object) -> tuple[Status, str]:
    """A published yearly measure: a move of at least a point in its better direction."""
    sentence = (
        f"{r.latest:g}% in {r.latest_year}, {fmt.change(r.change)} since {r.first_year} "
        f"({r.first:g}%); published yearly figures, no test applies."
    )
    if r.first_year == r.latest_year:
        return Status.NOT_ENOUGH_DATA, sentence
    if abs(r.change) < WORKFORCE_CLEAR_CHANGE or r.measure not in LOWER_IS_BETTER:
        return Status.NO_CLEAR_CHANGE, sentence
    return (Status.IMPROVING if r.change < 0 else Status.CONCERN), sentence


def themes_line(themes: pd.DataFrame) -> ThemesLine:
    """The latest wave's themes: improving when more are positive than negative."""
    waves = list(evidence.themes_by_wave(themes))
    if not waves:
        return ThemesLine(Status.NOT_ENOUGH_DATA, "No interview themes are stored.")
    wave, group = waves[-1]
    pos = int((group["polarity"] == "positive").sum())
    neg = len(group) - pos
    status = (
        Status.IMPROVING if pos > neg else Status.CONCERN if neg > pos else Status.NO_CLEAR_CHANGE
    )
    return ThemesLine(
        status,
        f"At {wave}, {pos} of {len(group)} themes from interviews and focus groups were "
        f"positive and {neg} negative.",
    )


def _have(k: int) -> str:
    return "has" if k == 1 else "have"


def _domain_cards(
    comps: pd.DataFrame, role: str, waves: tuple[str, str], k: int
) -> tuple[DomainCard, ...]:
    rows = comps[comps["role"] == role]
    cards = []
    for key in [d for d in domains.KEYS if d in set(rows["domain"])]:
        d = domains.domain(key)
        mine = rows[rows["domain"] == key]
        sentence, hidden = domain_sentence(d.title, role, mine, waves, k)
        status, status_sentence = domain_status(role, mine, waves)
        cards.append(DomainCard(key, d.title, d.page, sentence, hidden, status, status_sentence))
    return tuple(cards)


def _indicator_cards(db: Database, site: str | None) -> tuple[IndicatorCard, ...]:
    cards = []
    for row in queries.indicators(db).itertuples():
        series = queries.indicator_series(db, row.name, site=site)
        if len(series) < 3:
            cards.append(IndicatorCard(row.name, "too few months stored for a trend.", None))
            continue
        result = api.analyse_trend(db, row.name, site=site)
        status = indicator_status(result, row.unit, str(row.direction))
        cards.append(
            IndicatorCard(row.name, trend_summary(result, row.unit) + ".", series, *status)
        )
    return tuple(cards)


def workforce_cards(changes: pd.DataFrame) -> tuple[WorkforceCard, ...]:
    """Short metric parts ("0.0%", "-14.0 points since 2015") and the full sentence."""
    return tuple(
        WorkforceCard(
            r.measure,
            f"{r.measure}, {r.latest_year}",
            fmt.percent(r.latest, digits=1),
            f"{fmt.change(r.change)} since {r.first_year}",
            f"{r.measure}: {fmt.percent(r.latest, digits=1)} in {r.latest_year} "
            f"({fmt.change(r.change)} since {r.first_year}, when it was "
            f"{fmt.percent(r.first, digits=1)}).",
            *workforce_status(r),
        )
        for r in changes.itertuples()
    )


def is_illustrative(db: Database, site: str | None) -> bool:
    """Whether built-in demo rows other than the (real) workforce figures are shown."""
    origin = queries.data_origin(db, site=site)
    return bool(origin.loc[origin["data"] != "workforce figures", "built_in"].sum() > 0)


def key_caveats(db: Database, site: str | None, not_compared: list[str]) -> tuple[str, ...]:
    """The caveats that matter most: no causal claim, the baseline, illustrative data."""
    out = [NO_CAUSE]
    if not_compared:
        out.append(BASELINE_CAVEAT)
    if is_illustrative(db, site):
        out.append(ILLUSTRATIVE_CAVEAT)
    return tuple(out)


def build_overview_panel(
    db: Database, *, site: str | None, role: str = ALL_ROLES, min_group: int | None = None
) -> OverviewPanel:
    """Every headline of the overview for one site, role and disclosure threshold."""
    k = settings.get("min_group") if min_group is None else min_group
    summary = queries.wave_response_summary(db, site)
    waves = api.comparable_waves(db, site)
    not_compared = summary.loc[~summary["comparable"], "wave"].tolist()
    heading, cards = None, ()
    if len(waves) >= 2:
        comps = api.compare_waves(db, site=site, waves=(waves[0], waves[-1]), min_group=k)
        heading = f"Survey statements, {waves[0]} to {waves[-1]} ({role})"
        cards = _domain_cards(comps, role, (waves[0], waves[-1]), k)
    return OverviewPanel(
        site=site,
        role=role,
        min_group=k,
        waves=tuple(waves),
        wave_note=wave_note(waves),
        wave_cards=_wave_cards(summary),
        not_compared=(
            "Not compared: "
            + ", ".join(map(str, not_compared))
            + " (a different instrument; see Method and caveats)."
            if not_compared
            else None
        ),
        survey_heading=heading,
        domain_cards=cards,
        indicator_cards=_indicator_cards(db, site),
        workforce_cards=workforce_cards(
            headlines.workforce_changes(queries.workforce(db, site=site))
        ),
        themes=themes_line(queries.themes(db)),
        caveats=key_caveats(db, site, not_compared),
    )
