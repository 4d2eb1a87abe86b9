"""The survey domain panels: one set of statements for one job role, worded and tabled once.

:func:`build_domain_panels` builds every job role's :class:`DomainPanel` for a domain in one
pass over data read once (:class:`SurveyData`), so a page can cache them all when it first
loads and a leader's first look at another role costs only a look-up. The survey pages draw
these panels (``rpgdash.ui.survey``) and the board report renders the same panel as HTML
(``rpgdash.report.build.domain_section``), so a sentence reads the same in both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from rpgdash import api, queries
from rpgdash.charts import (
    ChartParts,
    diverging_parts,
    diverging_parts_by,
    dumbbell_parts_by,
    heatmap_parts,
)
from rpgdash.db import Database
from rpgdash.present import domains, narrative
from rpgdash.present import format as fmt
from rpgdash.present.overview import wave_note
from rpgdash.present.reading import how_to_read
from rpgdash.present.survey_results import (
    default_table,
    download_table,
    n_phrase,
    statistics_table,
)
from rpgdash.stats import add_all_roles, level_shares
from rpgdash.stats.compare import ALL_ROLES
from rpgdash.stats.disclosure import PRIMARY, suppress_small_groups

TOO_FEW = "too few responses"
MODEL_SCOPE = "across the set"
MEASURES = ("mean_b", "mean_a", "diff")
HEATMAP_TITLES = {"mean": "Mean agreement by job role", "diff": "Change by job role"}
DIVERGING_ALT = (
    "Share of answers at each level per statement and wave; the table below gives the % agreeing."
)


@dataclass(frozen=True)
class SurveyData:
    """What the survey panels read, once per site, pair of waves and disclosure threshold.

    ``comparisons`` covers every domain and role (:func:`rpgdash.compare_waves`), ``shares``
    the share of answers at each level (All roles included), ``models`` one
    proportional-odds model per domain, ``sizes`` respondents per role and wave, ``summary``
    the response rates; ``waves`` is every comparable wave (for fixed colours) and ``roles``
    the job roles with All roles first.
    """

    site: str | None
    wave_a: str
    wave_b: str
    waves: tuple[str, ...]
    roles: tuple[str, ...]
    min_group: int
    comparisons: pd.DataFrame
    shares: pd.DataFrame
    models: pd.DataFrame
    sizes: pd.DataFrame
    summary: pd.DataFrame


def load_survey_data(
    db: Database,
    *,
    site: str | None,
    wave_a: str,
    wave_b: str,
    min_group: int,
    comparisons: pd.DataFrame | None = None,
) -> SurveyData:
    """Read and compare everything the survey panels of one site and pair of waves need.

    ``comparisons`` may be given when the caller has compared the waves already (the report).
    """
    pair = (wave_a, wave_b)
    if comparisons is None:
        comparisons = api.compare_waves(db, site=site, waves=pair, min_group=min_group)
    return SurveyData(
        site=site,
        wave_a=wave_a,
        wave_b=wave_b,
        waves=tuple(api.comparable_waves(db, site)),
        roles=(ALL_ROLES, *queries.roles(db)),
        min_group=min_group,
        comparisons=comparisons,
        shares=level_shares(add_all_roles(queries.level_counts(db, site=site), label=ALL_ROLES)),
        models=api.compare_domains(db, site=site, waves=pair, min_group=min_group),
        sizes=queries.group_sizes(db, site=site),
        summary=queries.wave_response_summary(db, site),
    )


@dataclass(frozen=True)
class SurveyChart:
    """One chart of a panel: the sentence above it, its reading help, text alternative and
    what it is drawn from (``parts``: see :class:`rpgdash.charts.ChartParts`)."""

    kind: str  # a key of rpgdash.present.reading.HOW_TO_READ
    takeaway: str
    how_to_read: str
    alt: str
    parts: ChartParts


@dataclass(frozen=True)
class RoleBreakdown:
    """One domain by job role (the same whichever role the filter shows).

    ``charts`` holds the heatmap for each measure ("mean_b", "mean_a", "diff"), labelled by
    ``measure_labels``; ``hidden`` names the roles not shown and ``hidden_note`` says why;
    ``table`` is the role summary (formatted) with its ``caption``.
    """

    charts: dict[str, SurveyChart]
    measure_labels: dict[str, str]
    hidden: tuple[str, ...]
    hidden_note: str | None
    table: pd.DataFrame
    caption: str


@dataclass(frozen=True)
class DomainPanel:
    """One survey domain for one job role, pair of waves and way of deciding "significant".

    ``status`` is "shown", "hidden" (too few answered: ``notice`` says why in plain words)
    or "empty" (no answers stored: ``notice`` says so). Sentences are plain text (escape
    them for Markdown); tables are already formatted, with human headers: ``table`` the
    default columns, ``statistics`` every statistic, ``download`` every statistic with
    numbers as numbers for the CSV (built from ``rows``, the role's comparisons, when it is
    asked for: the page asks only when the CSV is downloaded).
    """

    domain: str
    title: str
    intro: str
    role: str
    wave_a: str
    wave_b: str
    adjust: str
    min_group: int
    status: str
    wave_note: str
    method: str
    caveats: tuple[str, ...]
    roles: RoleBreakdown
    notice: str | None = None
    summary: str | None = None
    n: str | None = None
    model: str | None = None
    model_caveat: str | None = None
    charts: tuple[SurveyChart, ...] = ()
    table: pd.DataFrame | None = None
    statistics: pd.DataFrame | None = None
    rows: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def shown(self) -> bool:
        return self.status == "shown"

    @property
    def download(self) -> pd.DataFrame | None:
        """Every statistic for the CSV download (:func:`download_table` of ``rows``)."""
        return None if self.rows is None else download_table(self.rows)

    @property
    def meta(self) -> str:
        """ "All roles · n = 45–47 at +1 year, …": who the results are for and how many."""
        return f"{self.role} · {self.n}" if self.n else self.role

    def chart(self, kind: str) -> SurveyChart:
        return next(c for c in self.charts if c.kind == kind)

    def sentences(self) -> list[str]:
        """Every sentence the page shows for this panel, in order (the report shows them too).

        The wave note is the page's (and the report's headlines'), so it is not repeated here.
        """
        if not self.shown:
            return [self.notice] if self.notice else []
        lines = [self.summary or "", self.meta]
        lines += [s for s in (self.model, self.model_caveat) if s]
        for chart in self.charts:
            lines += [chart.takeaway, chart.how_to_read]
        return lines


# --- sentences --------------------------------------------------------------------------------


def _valid(rows: pd.DataFrame, column: str) -> pd.DataFrame:
    return rows[pd.to_numeric(rows[column], errors="coerce").notna()]


def dumbbell_takeaway(shown: pd.DataFrame, wave_a: str, wave_b: str) -> str:
    """One sentence: on how many statements the mean rose, and the largest change."""
    rows = _valid(shown, "diff")
    if rows.empty:
        return f"The means at {wave_a} and {wave_b} cannot be compared: a wave has no answers."
    if len(rows) == 1:
        r = rows.iloc[0]
        moved = fmt.signed_number(r["diff"], 2)
        return (
            f"From {wave_a} to {wave_b}, the mean answer went from {fmt.number(r['mean_a'], 2)} "
            f"to {fmt.number(r['mean_b'], 2)} on the 1 to 4 scale ({moved})."
        )
    total = len(rows)
    rose, fell = int((rows["diff"] > 0).sum()), int((rows["diff"] < 0).sum())
    biggest = rows.loc[rows["diff"].abs().idxmax()]
    change = f"the mean answer rose on {narrative._of_the(rose, total)}"
    if fell:
        change += f" and fell on {fell}"
    return (
        f"From {wave_a} to {wave_b}, {change}; the largest change, "
        f"{fmt.signed_number(biggest['diff'], 2)} on the 1 to 4 scale, was for "
        f"“{biggest['statement']}”."
    )


def diverging_takeaway(shown: pd.DataFrame, wave_a: str, wave_b: str) -> str:
    """One sentence: the range of % agreeing at the later wave, and how often it rose."""
    rows = _valid(shown, "pct_agree_b")
    if rows.empty:
        return f"No answers at {wave_b} to show."
    agree = "(Agree or Agree strongly)"
    if len(rows) == 1:
        r = rows.iloc[0]
        before = (
            "" if fmt.is_missing(r["pct_agree_a"]) else f", against {fmt.percent(r['pct_agree_a'])}"
        )
        now = fmt.percent(r["pct_agree_b"])
        return f"At {wave_b}, {now} of staff agreed {agree}{before} at {wave_a}."
    lo, hi = rows["pct_agree_b"].min(), rows["pct_agree_b"].max()
    span = (
        f"{fmt.percent(lo)}"
        if fmt.percent(lo) == fmt.percent(hi)
        else f"between {fmt.percent(lo)} and {fmt.percent(hi)}"
    )
    rose = int((pd.to_numeric(rows["pct_agree_change"], errors="coerce") > 0).sum())
    return (
        f"At {wave_b}, {span} of staff agreed with each statement {agree}; the share agreeing "
        f"rose on {narrative._of_the(rose, len(rows))} since {wave_a}."
    )


def _hidden_clause(hidden: Sequence[str]) -> str:
    if not hidden:
        return ""
    names = (
        " and ".join(hidden) if len(hidden) <= 2 else ", ".join(hidden[:-1]) + f" and {hidden[-1]}"
    )
    return f"; {names} {'is' if len(hidden) == 1 else 'are'} not shown ({TOO_FEW})"


def heatmap_takeaway(
    in_domain: pd.DataFrame, measure: str, wave_a: str, wave_b: str, hidden: Sequence[str]
) -> str:
    """One sentence for the role heatmap of ``measure`` ("mean_a", "mean_b" or "diff")."""
    rows = in_domain[(in_domain["role"] != ALL_ROLES) & in_domain["suppressed"].isna()]
    rows = _valid(rows, measure)
    tail = _hidden_clause(hidden) + "."
    if measure == "diff":
        if rows.empty:
            return f"No single job role has enough answers to compare {wave_a} and {wave_b}{tail}"
        rose = int((rows["diff"] > 0).sum())
        text = (
            f"From {wave_a} to {wave_b}, the mean rose in {fmt.share(rose, len(rows))} of the "
            "job role and statement pairs shown"
        )
        if rose:
            top = rows.loc[rows["diff"].idxmax()]
            text += (
                f"; the largest rise was {fmt.signed_number(top['diff'], 2)}, {top['role']} on "
                f"“{top['statement']}”"
            )
        return text + tail
    wave = wave_a if measure == "mean_a" else wave_b
    if rows.empty:
        return (
            f"At {wave}, no single job role has enough answers to show; only All roles is "
            f"drawn{tail}"
        )
    by_role = rows.groupby("role", sort=False)[measure].mean()
    if len(by_role) == 1:
        return (
            f"At {wave}, {by_role.index[0]} is the only job role with enough answers to show "
            f"(mean {fmt.number(by_role.iloc[0], 2)} across the statements){tail}"
        )
    top, bottom = by_role.idxmax(), by_role.idxmin()
    return (
        f"At {wave}, {top} agreed most on average (mean {fmt.number(by_role[top], 2)} across "
        f"the statements) and {bottom} least ({fmt.number(by_role[bottom], 2)}){tail}"
    )


def _waves_words(waves: Sequence[str]) -> str:
    return " and ".join(waves)


def hidden_notice(role: str, data: SurveyData, reason: str | None) -> str:
    """Why a role's results are not shown, in plain words, and what to do instead."""
    found = [
        s
        for s in suppress_small_groups(data.sizes, data.min_group, total_label=ALL_ROLES)
        if s.role in (role, ALL_ROLES) and s.wave in (data.wave_a, data.wave_b)
    ]
    small = [s.wave for s in found if s.kind == PRIMARY]
    cover = [s.wave for s in found if s.kind != PRIMARY and s.role == role]
    parts = []
    if small:
        parts.append(
            f"fewer than {data.min_group} people in this role answered at {_waves_words(small)}"
        )
    if cover:
        parts.append(
            f"at {_waves_words(cover)}, showing them would let the answers of a smaller group "
            "be worked out from the other roles and All roles"
        )
    why = "; and ".join(parts) if parts else (reason or TOO_FEW)
    return (
        f"No results are shown for {role}: {why}, so they are hidden to protect individuals. "
        "Choose another role, or All roles."
    )


def roles_hidden_in_every_wave(
    sizes: pd.DataFrame, waves: Sequence[str], roles: Sequence[str], min_group: int
) -> tuple[str, ...]:
    """The roles that no comparable wave can show (below the disclosure threshold, or hidden
    to protect a smaller group, in every wave): the role filter marks them."""
    if not waves:
        return ()
    hidden = {
        (s.role, s.wave) for s in suppress_small_groups(sizes, min_group, total_label=ALL_ROLES)
    }
    answered = {
        (r.role, r.wave)
        for r in sizes.itertuples(index=False)
        if not fmt.is_missing(r.respondents) and r.respondents > 0
    }
    return tuple(
        role
        for role in roles
        if role != ALL_ROLES
        and all((role, w) in hidden or (role, w) not in answered for w in waves)
    )


def role_label(role: str, hidden: Sequence[str]) -> str:
    """A role as the filter lists it: "Other (too few responses)" when no wave can show it."""
    return f"{role} ({TOO_FEW})" if role in hidden else role


def caveat_sentences(data: SurveyData) -> tuple[str, ...]:
    """The caveats under every survey panel (page and report)."""
    rates = [
        f"{r.wave}: {fmt.count(r.respondents)} of about {fmt.count(r.invited)} invited "
        f"({fmt.percent(r.response_rate)})"
        for r in data.summary.itertuples()
        if r.comparable and not fmt.is_missing(r.invited) and r.invited
    ]
    response = (
        f"Response rates were modest ({'; '.join(rates)}), so those who answered may differ "
        "from those who did not."
        if rates
        else "The number of staff invited is not stored, so response rates are unknown; those "
        "who answered may differ from those who did not."
    )
    return (
        response,
        "The baseline survey used a different instrument and is not comparable, so it is excluded.",
        "Differences between waves are associations, not proof that RPGs caused them.",
        f"Groups with fewer than {data.min_group} respondents are not shown.",
    )


def model_sentences(
    models: pd.DataFrame, domain: str, wave_a: str, wave_b: str
) -> tuple[str | None, str | None]:
    """The set's proportional-odds model sentence and its caveat (All roles only)."""
    row = models[models["domain"] == domain]
    if row.empty:
        return None, None
    # The model is adjusted for statement and role already: "across the set" says it pools.
    sentence = narrative.model_sentence(row.iloc[0], wave_a, wave_b, scope=MODEL_SCOPE)
    return sentence, (narrative.DOMAIN_MODEL_CAVEAT if sentence else None)


# --- the role breakdown -------------------------------------------------------------------------


def _role_rows(
    in_domain: pd.DataFrame, data: SurveyData, adjust: str, hidden: Sequence[str]
) -> pd.DataFrame:
    flag = narrative.adjustment(adjust).flag
    adjusted = narrative.adjusted_words(adjust).replace(" for testing many statements", "")
    adjusted = adjusted.replace(" and roles", "")
    rows = []
    for role, group in in_domain.groupby("role", sort=False):
        shown = group[group["suppressed"].isna()]
        total = len(group)
        if shown.empty:
            cells = [TOO_FEW] * 5
        else:
            n_a, n_b = (pd.to_numeric(shown[c], errors="coerce").max() for c in ("n_a", "n_b"))
            sig = shown[flag].fillna(False).astype(bool) & (shown["diff"] > 0)
            cells = [
                f"{fmt.count(n_a)}, {fmt.count(n_b)}",
                fmt.share(int((shown["diff"] > 0).sum()), total),
                fmt.share(int(sig.sum()), total),
                fmt.share(int((shown["mean_b"] > narrative.NEUTRAL).sum()), total),
                fmt.share(int((shown["pct_agree_b"] > 50).sum()), total),
            ]
        rows.append(
            [
                str(role),
                *cells,
            ]
        )
    columns = [
        "Job role",
        f"n ({data.wave_a}, {data.wave_b})",
        "More agreed with",
        f"Improved significantly ({adjusted})",
        f"Mean above the 2.5 midpoint at {data.wave_b}",
        f"More than half agreeing at {data.wave_b}",
    ]
    return pd.DataFrame(rows, columns=columns)


def heatmap_chart(
    data: SurveyData, domain: str, measure: str, *, in_domain: pd.DataFrame | None = None
) -> SurveyChart:
    """The role heatmap of one measure ("mean_b", "mean_a" or "diff") with its takeaway."""
    if in_domain is None:
        in_domain = data.comparisons[data.comparisons["domain"] == domain]
    roles = [r for r in data.roles if r in set(in_domain["role"])] or list(data.roles)
    hidden = tuple(
        dict.fromkeys(in_domain.loc[in_domain["suppressed"].notna(), "role"].astype(str))
    )
    takeaway = heatmap_takeaway(in_domain, measure, data.wave_a, data.wave_b, hidden)
    parts = heatmap_parts(
        in_domain,
        value=measure,
        roles=roles,
        min_group=data.min_group,
        title=HEATMAP_TITLES["diff" if measure == "diff" else "mean"],
    )
    return SurveyChart("heatmap", takeaway, how_to_read("heatmap"), takeaway, parts)


def build_role_breakdown(data: SurveyData, domain: str, adjust: str = "none") -> RoleBreakdown:
    """The by-role heatmaps (each measure), hidden roles and the role summary of a domain."""
    in_domain = data.comparisons[data.comparisons["domain"] == domain]
    hidden = tuple(
        dict.fromkeys(in_domain.loc[in_domain["suppressed"].notna(), "role"].astype(str))
    )
    labels = {
        "mean_b": f"Mean at {data.wave_b}",
        "mean_a": f"Mean at {data.wave_a}",
        "diff": "Change between waves",
    }
    charts = {m: heatmap_chart(data, domain, m, in_domain=in_domain) for m in MEASURES}
    note = (
        None
        if not hidden
        else f"Not shown to protect individuals: {', '.join(hidden)} (fewer than "
        f"{data.min_group} respondents in a wave, or needed to stop a small group being worked "
        "out by subtraction)."
    )
    statements = in_domain["statement"].nunique()
    caption = (
        f"Statements by job role, {data.wave_a} to {data.wave_b} (of {statements}); groups "
        f"with fewer than {data.min_group} respondents are not shown"
    )
    return RoleBreakdown(
        charts=charts,
        measure_labels=labels,
        hidden=hidden,
        hidden_note=note,
        table=_role_rows(in_domain, data, adjust, hidden),
        caption=caption,
    )


# --- the panels ---------------------------------------------------------------------------------


def build_domain_panels(
    data: SurveyData,
    domain: str,
    adjust: bool | str = "none",
    *,
    roles: Sequence[str] | None = None,
) -> dict[str, DomainPanel]:
    """Every job role's panel for one domain, in one pass (``data.roles`` order).

    ``roles`` limits the panels built (the report needs one); by default every role's.
    """
    adjust = narrative.adjustment(adjust).key
    registered = domains.domain(domain)
    in_domain = data.comparisons[data.comparisons["domain"] == domain]
    by_role = {str(r): g.reset_index(drop=True) for r, g in in_domain.groupby("role", sort=False)}
    shares = data.shares[
        (data.shares["domain"] == domain) & data.shares["wave"].isin([data.wave_a, data.wave_b])
    ]
    model, model_caveat = model_sentences(data.models, domain, data.wave_a, data.wave_b)
    # Every role's chart data in one pass: per-role pandas work was most of the build time.
    waves = list(data.waves) or [data.wave_a, data.wave_b]
    dumbbells = dumbbell_parts_by(
        in_domain,
        "role",
        waves=waves,
        use_holm=adjust if adjust != "none" else False,
        title=f"Mean agreement, {data.wave_a} and {data.wave_b}",
    )
    divergings = diverging_parts_by(shares, "role", waves=waves, title="How people answered")
    common = {
        "domain": domain,
        "title": registered.title,
        "intro": registered.intro,
        "wave_a": data.wave_a,
        "wave_b": data.wave_b,
        "adjust": adjust,
        "min_group": data.min_group,
        "wave_note": wave_note(list(data.waves)),
        "method": narrative.survey_method(adjust),
        "caveats": caveat_sentences(data),
        "roles": build_role_breakdown(data, domain, adjust),
    }
    if roles is None:
        roles = list(dict.fromkeys([*data.roles, *by_role]))
    panels = {}
    for role in roles:
        comp = by_role.get(role)
        if comp is None or comp.empty:
            words = "are stored for this set of statements yet"
            notice = (
                f"No answers {words}."
                if role == ALL_ROLES or in_domain.empty
                else f"No answers from {role} {words}."
            )
            panels[role] = DomainPanel(role=role, status="empty", notice=notice, **common)
            continue
        if comp["suppressed"].notna().all():
            notice = hidden_notice(role, data, str(comp["suppressed"].dropna().iloc[0]))
            panels[role] = DomainPanel(role=role, status="hidden", notice=notice, **common)
            continue
        diverging = divergings.get(role) or diverging_parts(
            shares.iloc[:0], waves=waves, title="How people answered"
        )
        panels[role] = _shown_panel(
            comp,
            (dumbbells[role], diverging),
            data,
            role=role,
            adjust=adjust,
            model=(model, model_caveat) if role == ALL_ROLES else (None, None),
            common=common,
        )
    return panels


def _shown_panel(
    comp: pd.DataFrame,
    parts: tuple[ChartParts, ChartParts],
    data: SurveyData,
    *,
    role: str,
    adjust: str,
    model: tuple[str | None, str | None],
    common: dict,
) -> DomainPanel:
    shown = comp[comp["suppressed"].isna()]
    summary = narrative.domain_summary(comp, use_holm=adjust)
    dumbbell = SurveyChart(
        "dumbbell",
        dumbbell_takeaway(shown, data.wave_a, data.wave_b),
        how_to_read("dumbbell"),
        summary,
        parts[0],
    )
    diverging = SurveyChart(
        "diverging",
        diverging_takeaway(shown, data.wave_a, data.wave_b),
        how_to_read("diverging"),
        DIVERGING_ALT,
        parts[1],
    )
    return DomainPanel(
        role=role,
        status="shown",
        summary=summary,
        n=n_phrase(comp),
        model=model[0],
        model_caveat=model[1],
        charts=(dumbbell, diverging),
        table=default_table(comp, adjust=adjust),
        statistics=statistics_table(comp),
        rows=comp,
        **common,
    )


def build_domain_panel(
    db: Database,
    site: str | None,
    domain: str,
    role: str,
    wave_a: str,
    wave_b: str,
    adjust: bool | str = "none",
    min_group: int = 5,
) -> DomainPanel:
    """One role's panel, reading the database (the page builds every role's at once)."""
    data = load_survey_data(db, site=site, wave_a=wave_a, wave_b=wave_b, min_group=min_group)
    return build_domain_panels(data, domain, adjust, roles=[role])[role]
