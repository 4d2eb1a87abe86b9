"""The overview's headline panel: the sentences the Overview page and the board report share.

:func:`build_overview_panel` reads the database once per choice of site, role and
disclosure threshold. The Overview page draws its cards; the report's "Headline findings"
lists :meth:`OverviewPanel.headline_sentences` word for word (a test checks this).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from rpgdash import api, queries, settings
from rpgdash.db import Database
from rpgdash.present import domains, headlines
from rpgdash.present import format as fmt
from rpgdash.present.indicators import trend_summary
from rpgdash.stats.compare import ALL_ROLES

TEST = "Mann-Whitney U"
RPG_START_WORDS = "November 2015"


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


@dataclass(frozen=True)
class IndicatorCard:
    """One indicator's whole-series trend; ``series`` feeds the sparkline (None: too short)."""

    name: str
    sentence: str
    series: pd.DataFrame | None


@dataclass(frozen=True)
class WorkforceCard:
    """One workforce measure: metric label, value and delta that fit a narrow card."""

    measure: str
    label: str
    value: str
    delta: str
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


def _have(k: int) -> str:
    return "has" if k == 1 else "have"


def _domain_cards(
    comps: pd.DataFrame, role: str, waves: tuple[str, str], k: int
) -> tuple[DomainCard, ...]:
    rows = comps[comps["role"] == role]
    cards = []
    for key in [d for d in domains.KEYS if d in set(rows["domain"])]:
        d = domains.domain(key)
        sentence, hidden = domain_sentence(d.title, role, rows[rows["domain"] == key], waves, k)
        cards.append(DomainCard(key, d.title, d.page, sentence, hidden))
    return tuple(cards)


def _indicator_cards(db: Database, site: str | None) -> tuple[IndicatorCard, ...]:
    cards = []
    for row in queries.indicators(db).itertuples():
        series = queries.indicator_series(db, row.name, site=site)
        if len(series) < 3:
            cards.append(IndicatorCard(row.name, "too few months stored for a trend.", None))
            continue
        result = api.analyse_trend(db, row.name, site=site)
        cards.append(IndicatorCard(row.name, trend_summary(result, row.unit) + ".", series))
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
        )
        for r in changes.itertuples()
    )


def build_overview_panel(
    db: Database, *, site: str | None, role: str = ALL_ROLES, min_group: int | None = None
) -> OverviewPanel:
    """Every headline of the overview for one site, role and disclosure threshold."""
    k = settings.get("min_group") if min_group is None else min_group
    summary = queries.wave_response_summary(db, site)
    waves = api.comparable_waves(db)
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
    )
