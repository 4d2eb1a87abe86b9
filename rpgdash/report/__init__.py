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

import dataclasses
import datetime as dt
from collections.abc import Callable
from pathlib import Path

from rpgdash import model, queries
from rpgdash.db import Database
from rpgdash.present import format as fmt
from rpgdash.present import headlines
from rpgdash.present.overview import ILLUSTRATIVE_CAVEAT, OverviewPanel, build_overview_panel
from rpgdash.report import cache
from rpgdash.report import html as h
from rpgdash.report.build import (
    ALL_ROLES,
    ILLUSTRATIVE,
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
from rpgdash.report.summary import SUMMARY, summary_section

#: (anchor, title) of every top-level section, in order; tests check each is present.
#: The summary comes first (at most two A4 pages); everything else is the appendix.
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
        f"Generated {fmt.long_date(ctx.generated_at)}",
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
        f"{fmt.long_date(date)}</time> by the RPG outcomes dashboard.</p>"
        f'<p class="running-footer">{h.esc(footer_text(ctx, illustrative))}</p>'
        f"{banner}</header>"
    )


def _contents() -> str:
    def item(anchor: str, title: str) -> str:
        return f'<li><a class="toc" href="#{anchor}">{h.esc(title)}</a></li>'

    appendix = "".join(item(a, t) for a, t in SECTIONS)
    items = item(*SUMMARY) + f"<li>{item(*APPENDIX)[4:-5]}<ol>{appendix}</ol></li>"
    return f'<nav aria-label="Contents"><p><strong>Contents</strong></p><ol>{items}</ol></nav>'


def _page(ctx: ReportContext, header: str, body: str) -> str:
    title = f"{TITLE} \u2013 {ctx.site} ({ctx.role})"
    return (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{h.esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f"{header}{_contents()}<main>{body}</main>"
        f'<footer class="generated">Generated on {fmt.long_date(ctx.generated_at)}. '
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
    version = ctx.version
    options = (ctx.site, ctx.role, ctx.min_group)

    def part(name: str, compute: Callable[[], object]) -> object:
        """One section (or its input), cached by data version and options."""
        return cache.cached(version, name, options, compute)

    # The sections that do not depend on the job role are built from a context without one
    # (so none of them can read it) and shared by every role's report on the same data.
    everyone = dataclasses.replace(ctx, role=None)

    def shared(name: str, compute: Callable[[], object]) -> object:
        return cache.cached(version, name, (ctx.site, ctx.min_group), compute)

    panel: OverviewPanel = part(
        "overview",
        lambda: build_overview_panel(db, site=ctx.site, role=ctx.role, min_group=ctx.min_group),
    )
    figures = queries.workforce(db, site=ctx.site)
    changes = headlines.workforce_changes(figures)
    trends = shared("trends", lambda: model.indicator_trends(db, site=ctx.site))
    indicators_html, mdc_summary = shared("indicators", lambda: indicators_section(everyone))
    appendix = "".join(
        [
            part("headlines", lambda: headline_section(ctx, panel)),
            part("survey", lambda: survey_section(ctx)),
            indicators_html,
            shared("workforce", lambda: workforce_section(everyone, figures, changes)),
            shared("benchmarks", lambda: benchmarks_section(everyone)),
            part("themes", lambda: themes_section(ctx, changes)),
            part("model", lambda: model_section(ctx, trends, changes)),
            shared("method", lambda: method_section(everyone)),
            shared("caveats", lambda: caveats_section(everyone)),
            shared("disclosure", lambda: disclosure_section(everyone)),
            shared("provenance", lambda: provenance_section(everyone)),
        ]
    )
    illustrative = any(c == ILLUSTRATIVE_CAVEAT for c in panel.caveats)
    body = summary_section(panel, mdc_summary) + (
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


def board_pack(db: Database, *, format: str = "pdf", **options: object) -> bytes:
    """The board pack as bytes ("pdf" or "html"), built in a worker process so that other
    sessions' pages stay fast (for the overview page; see :mod:`rpgdash.report.pdf`)."""
    if format not in FORMATS:
        raise ValueError(f"Unknown report format {format!r}; choose html or pdf.")
    from rpgdash.report.pdf import board_pack as build

    return build(db, format=format, **options)


def board_pack_pdf(db: Database, **options: object) -> bytes:
    """The board pack as PDF bytes (see :func:`board_pack`)."""
    return board_pack(db, format="pdf", **options)


__all__ = [
    "APPENDIX",
    "FORMATS",
    "SECTIONS",
    "SUMMARY",
    "board_pack",
    "board_pack_pdf",
    "build_report",
    "footer_text",
    "report_file_name",
    "write_report",
]
