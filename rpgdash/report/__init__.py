"""The board report: one self-contained, accessible HTML file for a board pack.

>>> from rpgdash.report import build_report
>>> html = build_report(db, site="Demo local authority", role="All roles",
...                     generated_at=datetime.datetime(2025, 1, 1))   # doctest: +SKIP

The file has no scripts, no external styles, fonts or images: charts are inline SVG
(vl-convert) with ``role="img"`` and a text alternative. It prints to A4 from any browser.
Everything in it comes from the functions the dashboard's pages use (see
:mod:`rpgdash.report.build`), so the report and the pages cannot disagree. Apart from the
generation date, the same data always give the same file.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from rpgdash import model, queries
from rpgdash.db import Database
from rpgdash.present import format as fmt
from rpgdash.present import headlines
from rpgdash.report import html as h
from rpgdash.report import summary as sm
from rpgdash.report.build import (
    ALL_ROLES,
    ILLUSTRATIVE,
    NO_CAUSE,
    TITLE,
    ReportContext,
    benchmarks_section,
    build_context,
    caveats_section,
    disclosure_section,
    headline_section,
    indicators_section,
    method_section,
    model_section,
    provenance_section,
    survey_section,
    themes_section,
    workforce_section,
)
from rpgdash.report.style import CSS

#: (anchor, title) of every top-level section, in order; tests check each is present.
#: The summary comes first (at most two A4 pages); everything else is the appendix.
SUMMARY = ("summary", "Summary for the board")
APPENDIX = ("appendix", "Appendix")
SECTIONS: tuple[tuple[str, str], ...] = (
    ("headline-findings", "Headline findings"),
    ("survey", "Survey results"),
    ("indicators", "Organisational indicators"),
    ("workforce", "Workforce"),
    ("benchmarks", "Benchmarks"),
    ("themes", "Evidence from interviews"),
    ("model", "How RPGs work (model)"),
    ("method", "Method"),
    ("caveats", "Caveats"),
    ("disclosure", "Disclosure threshold"),
    ("provenance", "Data provenance"),
)


def footer_text(ctx: ReportContext, illustrative: bool) -> str:
    """The line printed in every page's footer (beside "Page N of M")."""
    parts = [
        ctx.site,
        f"Job role: {ctx.role}",
        f"Generated {ctx.generated_at.day} {ctx.generated_at:%B %Y}",
    ]
    if illustrative:
        parts.append("Illustrative data")
    return " \u00b7 ".join(parts)


def _header(ctx: ReportContext, illustrative: bool) -> str:
    date = ctx.generated_at
    banner = f'<p class="banner">{h.esc(ILLUSTRATIVE)}</p>' if illustrative else ""
    return (
        f"<header><h1>{h.esc(TITLE)}</h1>"
        f'<p class="meta">{h.esc(ctx.site)} \u00b7 job role: {h.esc(ctx.role)} \u00b7 survey '
        f"waves {h.esc(ctx.wave_a)} and {h.esc(ctx.wave_b)} \u00b7 groups under "
        f"{ctx.min_group} respondents hidden</p>"
        f'<p class="meta">Generated on <time datetime="{date:%Y-%m-%d}">'
        f"{date:%d %B %Y}</time> by the RPG outcomes dashboard.</p>"
        f'<p class="running-footer">{h.esc(footer_text(ctx, illustrative))}</p>'
        f"{banner}</header>"
    )


def _contents() -> str:
    def item(anchor: str, title: str) -> str:
        return f'<li><a class="toc" href="#{anchor}">{h.esc(title)}</a></li>'

    appendix = "".join(item(a, t) for a, t in SECTIONS)
    items = item(*SUMMARY) + f"<li>{item(*APPENDIX)[4:-5]}<ol>{appendix}</ol></li>"
    return f'<nav aria-label="Contents"><p><strong>Contents</strong></p><ol>{items}</ol></nav>'


def _is_illustrative(ctx: ReportContext) -> bool:
    """Whether built-in demo rows other than the (real) workforce figures are shown."""
    origin = queries.data_origin(ctx.db, site=ctx.site)
    return bool(origin.loc[origin["data"] != "workforce figures", "built_in"].sum() > 0)


def _outcome_table(lines: list[sm.OutcomeLine]) -> str:
    rows = "".join(
        f'<tr><th scope="row">{h.esc(line.outcome)}</th>'
        f'<td class="status status-{h.slug(line.status.value)}">{sm.status_icon(line.status)} '
        f"{h.esc(line.status.words)}</td><td>{h.esc(line.sentence)}</td></tr>"
        for line in lines
    )
    head = "".join(f'<th scope="col">{c}</th>' for c in ("Outcome", "Status", "What the data show"))
    group = h.esc(lines[0].group) if lines else ""
    return (
        f'<table class="outcomes"><caption>{group}</caption><thead><tr>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def _response_rates(ctx: ReportContext) -> str:
    items = []
    for w in queries.wave_response_summary(ctx.db, ctx.site).itertuples():
        if not w.comparable:
            items.append(f"{w.wave}: a different questionnaire, not compared with later waves.")
            continue
        rate = (
            f" of about {fmt.count(w.invited)} invited ({fmt.percent(w.response_rate)})"
            if pd.notna(w.invited) and w.invited
            else ""
        )
        items.append(f"{w.wave}: {w.respondents} staff answered{rate}.")
    return h.section(3, "Who answered the survey", h.bullet_list(items), anchor="summary-responses")


def summary_section(ctx: ReportContext, parts: dict, illustrative: bool) -> str:
    """Pages 1-2: a status per outcome, the variation and assurance table, response rates
    and the three caveats that matter most. Plain English; the appendix has the detail."""
    groups = [
        sm.survey_lines(ctx.comparisons, ctx.role, ctx.wave_a, ctx.wave_b),
        sm.indicator_lines(parts["trends"], queries.indicators(ctx.db)),
        sm.workforce_lines(parts["changes"]),
        sm.theme_lines(queries.themes(ctx.db)),
    ]
    intro = h.paragraph(
        f"Each outcome, {ctx.wave_a} to {ctx.wave_b} for the survey and over the whole "
        "series for the indicators: improving, no clear change, concern (moving the wrong "
        "way), or not enough data to say. The appendix gives every figure and method."
    )
    tables = "".join(_outcome_table(lines) for lines in groups)
    caveats = [NO_CAUSE, sm.BASELINE_CAVEAT]
    if illustrative:
        caveats.append(sm.ILLUSTRATIVE_CAVEAT)
    inner = (
        intro
        + tables
        + parts["mdc_summary"]
        + _response_rates(ctx)
        + h.section(3, "Read with care", h.bullet_list(caveats), anchor="summary-caveats")
    )
    return h.section(2, SUMMARY[1], inner, anchor=SUMMARY[0])


def _page(ctx: ReportContext, header: str, body: str) -> str:
    title = f"{TITLE} \u2013 {ctx.site} ({ctx.role})"
    return (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{h.esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f"{header}{_contents()}<main>{body}</main>"
        f'<footer class="generated">Generated on {ctx.generated_at:%d %B %Y}. '
        f"{h.esc(ctx.site)}; figures as stored at that date.</footer>\n</body>\n</html>\n"
    )


def build_report(
    db: Database,
    *,
    site: str | None = None,
    role: str = ALL_ROLES,
    min_group: int | None = None,
    generated_at: dt.datetime | None = None,
) -> str:
    """Build the board report as one HTML document.

    Parameters
    ----------
    db : Database
        An open database (read-only is enough).
    site : str or None
        Site to report on; defaults to the first local-authority site, as the dashboard does.
    role : str
        Job role for the survey sections and excerpts ("All roles" by default).
    min_group : int or None
        Disclosure threshold k; defaults to the ``RPGDASH_MIN_GROUP`` setting.
    generated_at : datetime or None
        Date printed on the report (now when None); pass it for reproducible output.

    Returns
    -------
    str
        The HTML text. Raises ValueError for an unknown site or role.
    """
    when = generated_at or dt.datetime.now()
    ctx = build_context(db, site=site, role=role, min_group=min_group, generated_at=when)
    figures = queries.workforce(db, site=ctx.site)
    changes = headlines.workforce_changes(figures)
    trends = model.indicator_trends(db, site=ctx.site)
    illustrative = _is_illustrative(ctx)
    indicators_html, mdc_summary = indicators_section(ctx)
    parts = {"trends": trends, "changes": changes, "mdc_summary": mdc_summary}
    appendix = "".join(
        [
            headline_section(ctx),
            survey_section(ctx),
            indicators_html,
            workforce_section(ctx, figures, changes),
            benchmarks_section(ctx),
            themes_section(ctx, changes),
            model_section(ctx, trends, changes),
            method_section(ctx),
            caveats_section(ctx),
            disclosure_section(ctx),
            provenance_section(ctx),
        ]
    )
    body = summary_section(ctx, parts, illustrative) + (
        f'<div class="appendix" id="{APPENDIX[0]}"><h2 class="appendix-title" '
        f'id="{APPENDIX[0]}-h">{APPENDIX[1]}</h2>'
        + h.paragraph(
            "The evidence behind the summary: every survey set, indicator and workforce "
            "measure, the interview themes, the model, the method, caveats, the disclosure "
            "rule and where the data came from."
        )
        + f"{appendix}</div>"
    )
    return _page(ctx, _header(ctx, illustrative), body)


def report_file_name(site: str | None, role: str, when: dt.date, ext: str = "html") -> str:
    """A safe download name: ``rpg-board-report_demo-local-authority_all-roles_2025-03-01.html``."""
    return f"rpg-board-report_{h.slug(site or 'site')}_{h.slug(role)}_{when:%Y-%m-%d}.{ext}"


#: The file formats ``write_report`` and ``python -m rpgdash report --format`` accept.
FORMATS = ("html", "pdf")


def write_report(
    path: str | Path, db: Database, *, format: str = "html", **options: object
) -> Path:
    """Build the report (see :func:`build_report`) and write it to ``path``.

    ``format`` is "html" (UTF-8, the default) or "pdf" (A4, laid out by WeasyPrint).
    """
    if format not in FORMATS:
        raise ValueError(f"Unknown report format {format!r}; choose html or pdf.")
    target = Path(path)
    html_text = build_report(db, **options)
    if format == "pdf":
        from rpgdash.report.pdf import html_to_pdf

        target.write_bytes(html_to_pdf(html_text))
    else:
        target.write_text(html_text, encoding="utf-8")
    return target


def board_pack_pdf(db: Database, **options: object) -> bytes:
    """The board pack as PDF bytes, laid out in a worker process (for the overview page)."""
    from rpgdash.report.pdf import board_pack_pdf as build

    return build(db, **options)


__all__ = [
    "APPENDIX",
    "FORMATS",
    "SECTIONS",
    "SUMMARY",
    "board_pack_pdf",
    "build_report",
    "footer_text",
    "report_file_name",
    "write_report",
]
