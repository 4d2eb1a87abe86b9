"""Assemble the board report from the functions the pages use.

Nothing here computes a statistic or words a finding: comparisons come from
:func:`rpgdash.compare_waves`, trends from :func:`rpgdash.analyse_trend`, sentences from
:mod:`rpgdash.narrative`, :mod:`rpgdash.headlines`, :mod:`rpgdash.evidence` and
:mod:`rpgdash.model`, charts from :mod:`rpgdash.charts`, and the survey results table from
:mod:`rpgdash.survey_results` (as on the survey pages). This module only lays them out as HTML.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from rpgdash import (
    api,
    charts,
    evidence,
    mdc_icons,
    model,
    narrative,
    queries,
    settings,
)
from rpgdash.about import ABOUT_SECTIONS, wave_table
from rpgdash.db import Database
from rpgdash.present import domains, overview
from rpgdash.present import survey as present_survey
from rpgdash.present.evidence import ThemeView
from rpgdash.present.indicators import (
    ITS_CAVEAT,
    IndicatorPanel,
    build_indicator_panel,
)
from rpgdash.present.overview import OverviewPanel, build_overview_panel
from rpgdash.present.reading import HOW_TO_READ_TITLE
from rpgdash.report import cache
from rpgdash.report import html as h
from rpgdash.report.svg import chart_svg

ALL_ROLES = queries.ALL_ROLES
TITLE = "Reflective practice groups: board report"
ILLUSTRATIVE = (
    "Illustrative demo data: the survey answers, monthly indicator values and interview "
    "excerpts built into the demo are generated or written to match the published findings; "
    "they are not real returns. The workforce figures are the published values (Table 2 of "
    "the evaluation)."
)
NO_CAUSE = overview.NO_CAUSE
DOMAIN_ORDER = domains.KEYS


@dataclass(frozen=True)
class ReportContext:
    """The choices a report is built for, and the comparison every section reads."""

    db: Database
    site: str
    role: str | None  # None for the sections every role's report shares
    min_group: int
    wave_a: str
    wave_b: str
    comparisons: pd.DataFrame
    generated_at: dt.datetime
    version: str  # the data version the comparison was read at (the report cache's key)


def _resolve(db: Database, site: str | None, role: str) -> str:
    names = queries.site_names(db)
    if not names:
        raise ValueError("The database holds no local-authority site; there is nothing to report.")
    if site is None:
        site = queries.default_site(db)
    if site not in names:
        raise ValueError(
            f"There is no site called {site!r}; the sites are "
            + ", ".join(repr(n) for n in names)
            + "."
        )
    if role != ALL_ROLES and role not in queries.roles(db):
        raise ValueError(f"There is no job role called {role!r}.")
    return site


def build_context(
    db: Database,
    *,
    site: str | None = None,
    role: str = ALL_ROLES,
    min_group: int | None = None,
    generated_at: dt.datetime,
) -> ReportContext:
    """Check the choices and run the wave comparison once for every section.

    Raises ValueError (a sentence for the user) for an unknown site or role, or fewer than two
    comparable waves.
    """
    site = _resolve(db, site, role)
    k = settings.get("min_group") if min_group is None else min_group
    wave_a, wave_b = api.default_wave_pair(db, site)
    version = cache.data_version(db)
    comps = cache.cached(
        version,
        "compare_waves",
        (site, k, wave_a, wave_b),
        lambda: api.compare_waves(db, site=site, waves=(wave_a, wave_b), min_group=k),
    )
    return ReportContext(db, site, role, k, wave_a, wave_b, comps, generated_at, version)


# --- sections ---------------------------------------------------------------------------------


def _hidden_text(ctx: ReportContext) -> str:
    return f"fewer than {ctx.min_group} responses"


def _domain_title(domain: str) -> str:
    return domains.title(domain)


def headline_section(ctx: ReportContext, panel: OverviewPanel | None = None) -> str:
    """Headline findings: the overview's sentences word for word, then the interview themes."""
    if panel is None:
        panel = build_overview_panel(ctx.db, site=ctx.site, role=ctx.role, min_group=ctx.min_group)
    lines = panel.headline_sentences()
    themes = queries.themes(ctx.db)
    for wave, group in evidence.themes_by_wave(themes):
        pos = int((group["polarity"] == "positive").sum())
        lines.append(
            f"Interviews and focus groups at {wave}: {len(group)} themes "
            f"({pos} positive, {len(group) - pos} negative)."
        )
    inner = h.bullet_list(lines) + h.paragraph(NO_CAUSE, "caveat")
    return h.section(2, "Headline findings", inner)


def _plain_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """Floats written as short as they are stored (14.7, 0); missing values left missing."""
    return frame.astype(object).map(
        lambda v: None if pd.isna(v) else (f"{v:g}" if isinstance(v, float) else v)
    )


def _survey_data(ctx: ReportContext) -> present_survey.SurveyData:
    """The survey panels' inputs for the report's site and waves (its comparison reused),
    read once per data version: every survey subsection and role table needs them."""
    return cache.cached(
        ctx.version,
        "survey_data",
        (ctx.site, ctx.wave_a, ctx.wave_b, ctx.min_group),
        lambda: present_survey.load_survey_data(
            ctx.db,
            site=ctx.site,
            wave_a=ctx.wave_a,
            wave_b=ctx.wave_b,
            min_group=ctx.min_group,
            comparisons=ctx.comparisons,
        ),
    )


def _roles_table(ctx: ReportContext, domain: str) -> str:
    """The domain by job role: the role summary the survey page shows under its heatmap."""
    data = _survey_data(ctx)
    breakdown = present_survey.build_role_breakdown(data, domain)
    note = h.paragraph(breakdown.hidden_note, "meta") if breakdown.hidden_note else ""
    return h.table(breakdown.table, caption=breakdown.caption) + note


def domain_section(ctx: ReportContext, domain: str) -> str:
    """One survey domain: the survey page's panel for the report's role, as HTML.

    Summary, n, the set's model, each chart with its takeaway and reading help, the results
    table (the page's default columns), every statistic, and the domain by job role.
    """
    title = _domain_title(domain)
    data = _survey_data(ctx)
    panel = present_survey.build_domain_panels(data, domain, "none", roles=[ctx.role])[ctx.role]
    anchor = f"domain-{domain}"
    if panel.status == "empty":
        return h.section(3, title, h.paragraph(panel.notice), anchor=anchor)
    if panel.status == "hidden":
        inner = h.paragraph(panel.notice) + _roles_table(ctx, domain)
        return h.section(3, title, inner, anchor=anchor)
    figures = "".join(
        h.paragraph(chart.takeaway, "takeaway")
        + h.paragraph(f"{HOW_TO_READ_TITLE}: {chart.how_to_read}", "caveat")
        + chart_svg(chart.parts.spec(), label=chart.alt, key=f"{chart.kind}-{domain}")
        for chart in panel.charts
    )
    where = f"{ctx.role}, {ctx.wave_a} and {ctx.wave_b}"
    inner = (
        f'<p class="summary"><strong>{h.esc(panel.summary)}</strong></p>'
        + h.paragraph(panel.meta, "meta")
        + _domain_model_text(ctx, domain)
        + figures
        + h.table(
            panel.table,
            caption=f"{title}: results per statement, {where}",
            numeric=[c for c in panel.table.columns[1:] if not c.startswith("Significant")],
            css_class="results",
        )
        + h.table(
            panel.statistics,
            caption=f"{title}: every statistic per statement, {where}",
            numeric=[c for c in panel.statistics.columns if c != "Statement"],
            css_class="results",
        )
        + _roles_table(ctx, domain)
    )
    return h.section(3, title, inner, anchor=anchor)


def _domain_model_text(ctx: ReportContext, domain: str) -> str:
    """The set's proportional-odds model (All roles only), worded as on the survey page."""
    if ctx.role != ALL_ROLES:
        return ""
    models = api.compare_domains(
        ctx.db, site=ctx.site, waves=(ctx.wave_a, ctx.wave_b), min_group=ctx.min_group
    )
    sentence, caveat = present_survey.model_sentences(models, domain, ctx.wave_a, ctx.wave_b)
    if sentence is None:
        return ""
    return h.paragraph(sentence) + h.paragraph(caveat, "caveat")


def survey_section(ctx: ReportContext) -> str:
    """One subsection per survey domain, for the report's role."""
    shown = [d for d in DOMAIN_ORDER if d in set(ctx.comparisons["domain"])]
    intro = h.paragraph(
        f"Each statement is compared between {ctx.wave_a} and {ctx.wave_b}. "
        f"{narrative.survey_method(False)} Significant means p < 0.05; the tables also give "
        "the Holm and Benjamini-Hochberg adjusted p-values. In the charts, a star marks a "
        "significant change and the two waves differ by marker shape as well as colour."
    )
    body = "".join(domain_section(ctx, d) for d in shown)
    return h.section(2, "Survey results", intro + body, anchor="survey")


def _indicator_panel(ctx: ReportContext, row: object, events: pd.DataFrame) -> IndicatorPanel:
    """The same panel the Indicators page draws for its default controls (every month)."""
    series = queries.indicator_series(ctx.db, row.name, site=ctx.site)
    months = pd.to_datetime(series["month"]).dt.strftime("%Y-%m")
    return build_indicator_panel(
        ctx.db,
        row.name,
        unit=row.unit,
        site=ctx.site,
        start=months.min() if len(months) else "0001-01",
        end=months.max() if len(months) else "9999-12",
        target=None if pd.isna(row.target) else float(row.target),
        direction=str(row.direction),
        events=events,
    )


def _indicator_block(row: object, panel: IndicatorPanel) -> str:
    if panel.too_short:
        return h.section(3, row.name, "".join(h.paragraph(n) for n in panel.notices))
    inner = h.paragraph(
        f"Latest month ({panel.latest_month}): {panel.latest} {panel.unit}; variation at the "
        "latest point: "
        f"{panel.summary_row.variation_words}."
    )
    inner += "".join(h.paragraph(n, "caveat") for n in panel.notices)
    inner += h.paragraph(panel.takeaway)
    inner += chart_svg(
        panel.chart.spec(),
        label=f"{panel.takeaway} {panel.trend_text}",
        key=f"spc-{row.indicator_id}",
    )
    inner += h.paragraph(panel.trend_text)
    if panel.change_text:
        inner += h.paragraph(f"Change point: {panel.change_text}")
    if panel.its_text:
        inner += h.paragraph(panel.its_text)
    inner += "".join(h.paragraph(t, "caveat") for t in (*panel.its_warnings, *panel.its_notes))
    inner += "".join(h.paragraph(t, "caveat") for t in panel.trial_limits)
    if panel.missing_months:
        inner += h.paragraph(f"Missing months (not filled in): {panel.missing_months}.", "caveat")
    return h.section(3, row.name, inner, anchor=f"indicator-{row.indicator_id}")


def _icon_cell(svg: str | None, words: str) -> str:
    # our own icon SVG (no stored text inside it) beside its words, escaped
    if svg is None:
        return h.esc(words)
    inline = svg.replace(' xmlns="http://www.w3.org/2000/svg"', "", 1)  # HTML needs none
    icon = f'<span class="mdc-icon">{inline}</span> '
    return f"{icon}{h.esc(words)}"


def summary_of_variation_section(
    rows: list[mdc_icons.SummaryRow], *, anchor: str = "mdc-summary", with_key: bool = True
) -> str:
    """The Making Data Count summary table: one row per indicator, with icons and words."""
    table = mdc_icons.summary_table(rows)
    head = [
        "Indicator",
        "Latest month",
        "Latest value",
        "Mean",
        "Process limits",
        "Variation",
        "Target",
        "Assurance",
    ]
    body = []
    for row in table.itertuples(index=False):
        cells = [
            f'<th scope="row">{h.esc(row.Indicator)}</th>',
            f"<td>{h.esc(row[1])}</td>",
            f'<td class="num">{h.esc(row[2])}</td>',
            f'<td class="num">{h.esc(row.Mean)}</td>',
            f'<td class="num">{h.esc(row[4])}</td>',
            f"<td>{_icon_cell(row[5], row.Variation)}</td>",
            f'<td class="num">{h.esc(row.Target)}</td>',
            f"<td>{_icon_cell(row[8], row.Assurance)}</td>",
        ]
        body.append(f"<tr>{''.join(cells)}</tr>")
    caption = (
        "Summary of variation and assurance: the latest month's variation and, where a target "
        "is set, whether the last period's process limits lie wholly on one side of it."
    )
    header = "".join(f'<th scope="col">{h.esc(c)}</th>' for c in head)
    html_table = (
        f'<table class="mdc-summary"><caption>{h.esc(caption)}</caption><thead><tr>{header}'
        f"</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )
    key = "".join(
        f"<li>{_icon_cell(e.svg, e.words)}: {h.esc(e.meaning)}</li>"
        for e in mdc_icons.icon_key(size=24)
    )
    inner = html_table + h.paragraph("Key to the icons:") + f'<ul class="mdc-key">{key}</ul>'
    if not with_key:
        inner = html_table + h.paragraph(
            "Each icon is explained by the words beside it; the appendix has the full key."
        )
    # The board summary's copy is titled apart from the appendix's: two regions of one name
    # are indistinguishable to a screen reader's landmark list (axe: landmark-unique).
    title = "Summary of variation and assurance"
    return h.section(3, title if with_key else f"{title} at a glance", inner, anchor=anchor)


def indicators_section(ctx: ReportContext) -> tuple[str, str]:
    """Every stored indicator: the MDC summary, then SPC chart, trend and ITS sentences.

    Returns the section and, for the executive summary, the MDC summary table on its own.
    """
    events = queries.events(ctx.db, site=ctx.site)
    meta = queries.indicators(ctx.db)
    if meta.empty:
        none = h.paragraph("No indicators stored.")
        return h.section(2, "Organisational indicators", none, anchor="indicators"), ""
    intro = h.paragraph(
        "Monthly series with statistical process control (XmR) limits, a linear trend with "
        "the Mann-Kendall test, and an interrupted time series at the RPG start (or the "
        "facilitator change when fewer than 8 months precede the start). In the charts, "
        "point types differ by marker shape as well as colour."
    ) + h.paragraph(ITS_CAVEAT, "caveat")
    rows = list(meta.itertuples())
    panels = [_indicator_panel(ctx, row, events) for row in rows]
    summary = [p.summary_row for p in panels if not p.too_short]
    blocks = "".join(_indicator_block(row, p) for row, p in zip(rows, panels, strict=True))
    body = intro + summary_of_variation_section(summary) + blocks
    section = h.section(2, "Organisational indicators", body, anchor="indicators")
    return section, summary_of_variation_section(summary, anchor="summary-mdc", with_key=False)


def workforce_section(ctx: ReportContext, figures: pd.DataFrame, changes: pd.DataFrame) -> str:
    """Table 2, the change since the first year, small multiples and the stored notes."""
    from rpgdash.present.reading_more import HOW_TO_READ
    from rpgdash.present.workforce import workforce_panel

    panel = workforce_panel(figures)
    if panel.empty:
        return h.section(2, "Workforce", h.paragraph("No workforce figures are stored."))
    chart = charts.workforce_parts(panel.figures, title=panel.chart_title).spec()
    inner = (
        h.paragraph(panel.takeaway)
        + h.table(
            panel.table,
            caption="Workforce measures by year, percent (Table 2)",
            numeric=[c for c in panel.table.columns if c != "Measure (%)"],
        )
        + h.table(panel.changes_table, caption="Change from the first to the latest year")
        + chart_svg(chart, label=panel.chart_alt, key="workforce")
        + h.paragraph(f"How to read this chart: {HOW_TO_READ['workforce']}", "caveat")
    )
    for note in queries.notes(ctx.db).itertuples():
        inner += h.section(
            3,
            note.title,
            h.paragraph(note.body) + h.paragraph(f"Source: {note.source}", "caveat"),
            anchor=f"note-{note.key}",
        )
    inner += "".join(h.paragraph(c, "caveat") for c in panel.caveats)
    return h.section(2, "Workforce", inner, anchor="workforce")


def benchmarks_section(ctx: ReportContext) -> str:
    """The authority against its statistical neighbours, region and England (the same panels
    as the Benchmarks page)."""
    from rpgdash.benchmarks.chart import benchmark_parts
    from rpgdash.benchmarks.panel import ILLUSTRATIVE as BENCHMARKS_ILLUSTRATIVE
    from rpgdash.benchmarks.panel import METHOD, build_panels

    panels, skipped = build_panels(ctx.db, site=ctx.site)
    if not panels:
        reason = skipped[0] if skipped else "No benchmark figures are stored."
        inner = h.paragraph(reason)
        return h.section(2, "Benchmarks", inner, anchor="benchmarks")
    inner = h.paragraph(
        f"How {ctx.site}'s figures, and their change since the RPG start, compare with its "
        "statistical neighbours, its region and England, from DfE's published statistics."
    )
    if any(p.illustrative for p in panels):
        inner += h.paragraph(BENCHMARKS_ILLUSTRATIVE, "caveat")
    for i, panel in enumerate(panels):
        chart = benchmark_parts(
            panel.chart_data,
            title=f"{panel.measure}: {panel.site}, its neighbours, region and England",
            unit=panel.unit,
        ).spec()
        block = (
            h.paragraph(panel.change_sentence)
            + h.paragraph(panel.rank_sentence)
            + chart_svg(
                chart, label=f"{panel.change_sentence} {panel.rank_sentence}", key=f"benchmark-{i}"
            )
            + h.table(panel.table, caption=f"{panel.measure} by year ({panel.unit})")
            + h.paragraph(panel.caveat, "caveat")
        )
        inner += h.section(3, panel.measure, block, anchor=f"benchmark-{h.slug(panel.measure)}")
    inner += h.paragraph(METHOD, "caveat")
    return h.section(2, "Benchmarks", inner, anchor="benchmarks")


def _theme_block(view: ThemeView) -> str:
    """One theme of the Evidence page's panel: its figures, excerpts and notes."""
    css = f"polarity-{h.esc(view.polarity)}"
    inner = (
        f'<p><span class="{css}">{h.esc(view.polarity_label)}.</span> {h.esc(view.description)}</p>'
    )
    if view.statements_table is not None:
        inner += h.paragraph(view.statements_sentence)
        inner += h.table(view.statements_table, caption=view.statements_caption)
    inner += h.bullet_list(f"Workforce: {line}" for line in view.workforce_lines)
    if view.link_note:
        inner += h.paragraph(view.link_note, "caveat")
    for ex in view.excerpts:
        inner += h.quote(ex.text, ex.attribution)
    if view.held_back:
        inner += h.paragraph(view.held_back, "caveat")
    block = h.section(4, view.name, inner, anchor=f"theme-{view.theme_id}")
    return f'<div class="theme">{block}</div>'


def themes_section(ctx: ReportContext, changes: pd.DataFrame) -> str:
    """Interview themes by wave, their linked figures and the protected excerpts."""
    from rpgdash.present.evidence import evidence_panel

    data = evidence.load_evidence(ctx.db, site=ctx.site)
    panel = evidence_panel(
        data,
        ctx.comparisons,
        changes,
        role=ctx.role,
        min_group=ctx.min_group,
        waves=(ctx.wave_a, ctx.wave_b),
    )
    if panel.empty:
        return h.section(2, "Evidence from interviews", h.paragraph("No themes are stored."))
    intro = h.paragraph(panel.intro) + h.paragraph(panel.summary) + h.paragraph(panel.scope)
    if panel.illustrative:
        intro += f'<p class="banner">{h.esc(panel.illustrative)}</p>'
    body = ""
    for wave, views in panel.waves:  # the page's theme views, each built once
        blocks = "".join(_theme_block(view) for view in views)
        body += h.section(3, f"Themes at {wave}", blocks, anchor=f"themes-{h.slug(wave)}")
    body += h.paragraph(panel.method, "caveat")
    return h.section(2, "Evidence from interviews", intro + body, anchor="themes")


def _model_node(node: model.ModelNode, *, with_sources: bool) -> str:
    from rpgdash.present.model import level_title, sources_text

    level = level_title(node.level)
    inner = f'<p class="cmo-level">{h.esc(level)}</p>' if level else ""
    inner += f"<h4>{h.esc(node.label)}</h4>{h.paragraph(node.detail)}"
    inner += h.bullet_list(node.evidence)
    if with_sources:
        inner += h.paragraph(sources_text(node.sources), "cmo-sources")
    return f'<div class="cmo-node">{inner}</div>'


def _model_column(title: str, what: str, nodes: list[model.ModelNode]) -> str:
    from rpgdash.present.model import ModelColumn, shared_sources, sources_text

    view = ModelColumn(title, what, tuple(nodes), shared_sources(nodes))
    body = h.paragraph(view.description, "meta")
    body += "".join(_model_node(n, with_sources=view.shared_sources is None) for n in view.nodes)
    if view.shared_sources:
        body += h.paragraph(sources_text(view.shared_sources), "cmo-sources")
    return f'<div class="cmo-column"><h3>{h.esc(view.title)}</h3>{body}</div>'


def model_section(ctx: ReportContext, trends: dict, changes: pd.DataFrame) -> str:
    """The context-mechanism-outcome model as three columns of boxes."""
    from rpgdash.present.model import ModelInputs, model_panel

    panel = model_panel(
        ModelInputs(
            comparisons=ctx.comparisons,
            role=ctx.role,
            workforce_changes=changes,
            trends=trends,
            min_group=ctx.min_group,
        )
    )
    if panel.empty:
        return h.section(2, "How RPGs work (model)", h.paragraph(panel.notice), anchor="model")
    columns = "".join(_model_column(c.title, c.what, list(c.nodes)) for c in panel.columns)
    intro = h.paragraph(
        "The evaluation's realist model: contexts (circumstances that helped or hindered), "
        "mechanisms (how the groups worked) and outcomes for staff, the organisation and "
        "families. Contexts and mechanisms come from interviews and focus groups; outcome "
        f"evidence is computed from the stored data. {panel.scope}"
    )
    inner = intro + f'<div class="cmo">{columns}</div>' + h.paragraph(panel.for_whom)
    inner += "".join(h.paragraph(c, "caveat") for c in (*panel.caveats, panel.method))
    return h.section(2, "How RPGs work (model)", inner, anchor="model")


def method_section(ctx: ReportContext) -> str:
    """The About page's method sections, its glossary and the stored survey waves."""
    from rpgdash.present.glossary import TERMS

    inner = ""
    for heading, body in ABOUT_SECTIONS:
        if heading == "Caveats":
            continue
        inner += h.section(
            3,
            heading,
            h.text_block(body.format(min_group=ctx.min_group)),
            anchor=f"method-{h.slug(heading)}",
        )
    # A definition list, not a region per term: "Disclosure threshold" is also a section's
    # name, and landmarks must be unique (axe: landmark-unique).
    glossary = "".join(
        f'<dt id="glossary-{h.esc(term.anchor)}">{h.esc(term.title)}</dt>'
        f"<dd>{h.esc(term.meaning)}</dd>"
        for term in TERMS
    )
    inner += h.section(
        3, "Glossary", f'<dl class="glossary">{glossary}</dl>', anchor="method-glossary"
    )
    waves = _plain_numbers(wave_table(queries.wave_response_summary(ctx.db, ctx.site)))
    inner += h.table(waves, caption=f"Survey waves stored for {ctx.site}")
    return h.section(2, "Method", inner, anchor="method")


def caveats_section(ctx: ReportContext) -> str:
    """Every caveat as one list."""
    body = dict(ABOUT_SECTIONS).get("Caveats", "").format(min_group=ctx.min_group)
    items = [line[2:] for line in body.splitlines() if line.startswith("- ")]
    items += [ITS_CAVEAT, model.FAMILY_CAVEAT, evidence.ILLUSTRATIVE_EXCERPTS]
    inner = h.bullet_list(items)
    return h.section(2, "Caveats", inner, anchor="caveats")


def disclosure_section(ctx: ReportContext) -> str:
    """The disclosure threshold and the groups it hides in this report."""
    hidden = (
        ctx.comparisons.loc[ctx.comparisons["suppressed"].notna(), ["role", "suppressed"]]
        .drop_duplicates("role")
        .itertuples(index=False)
    )
    items = [f"{r.role}: {r.suppressed}." for r in hidden]
    inner = h.paragraph(
        f"Results for a group with fewer than {ctx.min_group} "
        "respondents in a wave are not shown, and where hiding one group would let it be "
        "worked out from the others, the next smallest group is hidden too. Hidden groups "
        f"read \u201c{_hidden_text(ctx)}\u201d and show no number. The same rule decides "
        "whether an excerpt may name its speaker's job role."
    )
    if items:
        inner += h.paragraph(f"Groups hidden in this report ({ctx.wave_a} and {ctx.wave_b}):")
        inner += h.bullet_list(items)
    else:
        inner += h.paragraph("No group is hidden in this report.")
    return h.section(2, "Disclosure threshold", inner, anchor="disclosure")


def provenance_section(ctx: ReportContext) -> str:
    """Where the stored rows came from, and the upload history."""
    from rpgdash.ingest import list_uploads

    origin = queries.data_origin(ctx.db, site=ctx.site)
    origin_table = pd.DataFrame(
        {
            "Data": origin["data"],
            "Built in (demo)": origin["built_in"].astype(int).astype(str),
            "From uploads": origin["uploaded"].astype(int).astype(str),
        }
    )
    inner = h.table(origin_table, caption=f"Where the stored rows for {ctx.site} came from")
    inner += h.paragraph(
        "Built-in rows come from the demo dataset: its survey answers, monthly values and "
        "interview excerpts are illustrative; its workforce figures are real (the published "
        "Table 2). Uploaded rows are the organisation's own data."
    )
    uploads = list_uploads(ctx.db)
    if uploads.empty:
        inner += h.paragraph("No file has been uploaded.")
    else:
        rows = pd.DataFrame(
            {
                "Upload": uploads["upload_id"].astype(str),
                "Date": [f"{t:%Y-%m-%d}" for t in uploads["uploaded_at"]],
                "Data": uploads["kind"],
                "File": uploads["file_name"],
                "Rows added": uploads["rows_added"].astype(str),
                "Values changed": uploads["rows_changed"].astype(str),
                "Status": [
                    s if s == "stored" or pd.isna(r) else f"{s} on {r:%Y-%m-%d}"
                    for s, r in zip(uploads["status"], uploads["reverted_at"], strict=True)
                ],
            }
        )
        inner += h.table(rows, caption="Upload history, newest first")
    return h.section(2, "Data provenance", inner, anchor="provenance")
