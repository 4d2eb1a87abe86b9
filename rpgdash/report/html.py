"""Small HTML builders for the board report: every piece of text goes through html.escape.

Functions return strings of HTML. Text arguments are plain text and are escaped here; only
arguments named ``inner`` or ``body`` take HTML that a builder in this module produced.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

import pandas as pd

__all__ = [
    "bullet_list",
    "esc",
    "paragraph",
    "quote",
    "section",
    "slug",
    "table",
    "text_block",
]


def esc(text: object) -> str:
    """``html.escape`` of ``str(text)``; None and NaN become an empty string."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    return html.escape(str(text), quote=True)


def slug(text: str) -> str:
    """An id for a heading: lower case, letters and digits joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


def paragraph(text: str, css_class: str | None = None) -> str:
    """A ``<p>`` of plain text, with an optional class."""
    cls = f' class="{esc(css_class)}"' if css_class else ""
    return f"<p{cls}>{esc(text)}</p>"


def bullet_list(items: Iterable[str]) -> str:
    """A ``<ul>`` of plain-text items (empty string when there are none)."""
    rows = [f"<li>{esc(item)}</li>" for item in items]
    return f"<ul>{''.join(rows)}</ul>" if rows else ""


def text_block(text: str) -> str:
    """Plain text with "- " bullet lines (as in :data:`rpgdash.about.ABOUT_SECTIONS`)."""
    out, bullets = [], []
    for line in text.splitlines():
        if line.startswith("- "):
            bullets.append(line[2:])
            continue
        if bullets:
            out.append(bullet_list(bullets))
            bullets = []
        if line.strip():
            out.append(paragraph(line))
    if bullets:
        out.append(bullet_list(bullets))
    return "".join(out)


def quote(text: str, source: str) -> str:
    """An excerpt as a ``<blockquote>`` with its source in a ``<footer>``."""
    return (
        f'<blockquote class="excerpt"><p>\u201c{esc(text)}\u201d</p>'
        f"<footer>\u2014 {esc(source)}</footer></blockquote>"
    )


def section(level: int, title: str, inner: str, *, anchor: str | None = None) -> str:
    """A ``<section>`` headed by ``<h{level}>``; ``inner`` is HTML built by this module."""
    ident = anchor or slug(title)
    return (
        f'<section id="{esc(ident)}" aria-labelledby="{esc(ident)}-h">'
        f'<h{level} id="{esc(ident)}-h">{esc(title)}</h{level}>{inner}</section>'
    )


def _cell(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "\u2013"
    if isinstance(value, float):
        return f"{value:g}"
    return esc(value)


def table(
    frame: pd.DataFrame,
    *,
    caption: str,
    row_header: bool = True,
    numeric: Sequence[str] = (),
    css_class: str | None = None,
) -> str:
    """A data table with a ``<caption>`` and ``<th scope>`` on every header cell.

    Parameters
    ----------
    frame : pandas.DataFrame
        Cells are shown as they are (format numbers first); missing values become a dash.
    caption : str
        What the table shows.
    row_header : bool
        Whether the first column labels its row (``<th scope="row">``).
    numeric : sequence of str
        Columns to right-align.
    css_class : str or None
        Class of the ``<table>`` element.
    """
    head = "".join(f'<th scope="col">{esc(c)}</th>' for c in frame.columns)
    opening = []
    for i, column in enumerate(frame.columns):
        cls = ' class="num"' if column in numeric else ""
        tag = "th" if i == 0 and row_header else "td"
        scope = ' scope="row"' if tag == "th" else ""
        opening.append((f"<{tag}{scope}{cls}>", f"</{tag}>"))
    # column by column (plain Python values), not row by row through pandas
    columns = [frame.iloc[:, i].tolist() for i in range(frame.shape[1])]
    body = [
        "<tr>"
        + "".join(f"{start}{_cell(v)}{end}" for (start, end), v in zip(opening, row, strict=True))
        + "</tr>"
        for row in zip(*columns, strict=True)
    ]
    cls = f' class="{esc(css_class)}"' if css_class else ""
    return (
        f"<table{cls}><caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )
