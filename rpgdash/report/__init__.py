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

from rpgdash import model, queries
from rpgdash.db import Database
from rpgdash.present import headlines
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

#: (anchor, title) of every top-level section, in order; tests check each is present.
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


def _header(ctx: ReportContext) -> str:
    date = ctx.generated_at
    return (
        f"<header><h1>{h.esc(TITLE)}</h1>"
        f'<p class="meta">{h.esc(ctx.site)} \u00b7 job role: {h.esc(ctx.role)} \u00b7 survey '
        f"waves {h.esc(ctx.wave_a)} and {h.esc(ctx.wave_b)} \u00b7 groups under "
        f"{ctx.min_group} respondents hidden</p>"
        f'<p class="meta">Generated on <time datetime="{date:%Y-%m-%d}">'
        f"{date:%d %B %Y}</time> by the RPG outcomes dashboard.</p>"
        f'<p class="banner">{h.esc(ILLUSTRATIVE)}</p></header>'
    )


def _contents() -> str:
    items = "".join(f'<li><a href="#{a}">{h.esc(t)}</a></li>' for a, t in SECTIONS)
    return f'<nav aria-label="Contents"><p><strong>Contents</strong></p><ol>{items}</ol></nav>'


def _page(ctx: ReportContext, body: str) -> str:
    title = f"{TITLE} \u2013 {ctx.site} ({ctx.role})"
    return (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{h.esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f"{_header(ctx)}{_contents()}<main>{body}</main>"
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
    body = "".join(
        [
            headline_section(ctx),
            survey_section(ctx),
            indicators_section(ctx),
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
    return _page(ctx, body)


def report_file_name(site: str | None, role: str, when: dt.date) -> str:
    """A safe download name: ``rpg-board-report_demo-local-authority_all-roles_2025-03-01.html``."""
    return f"rpg-board-report_{h.slug(site or 'site')}_{h.slug(role)}_{when:%Y-%m-%d}.html"


def write_report(path: str | Path, db: Database, **options: object) -> Path:
    """Build the report (see :func:`build_report`) and write it to ``path`` as UTF-8."""
    target = Path(path)
    target.write_text(build_report(db, **options), encoding="utf-8")
    return target


__all__ = ["SECTIONS", "build_report", "report_file_name", "write_report"]
