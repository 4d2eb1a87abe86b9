"""Altair charts as inline, accessible SVG for the board report (vl-convert, no browser).

The SVG is made safe to inline several times in one HTML page: namespace declarations are
dropped (HTML needs none, and they are the only URLs vl-convert writes), any ``id`` is given a
per-chart prefix so two charts never share one, and the root gets ``role="img"``, an
``aria-label`` and a ``<title>`` carrying the chart's summary sentence.
"""

from __future__ import annotations

import re

import altair as alt
import vl_convert as vlc

from rpgdash.charts import fixed_width
from rpgdash.report.html import esc

#: Plot width in px before scaling: the SVG is scaled down to the A4 text width when printed.
REPORT_WIDTH = 720

_NAMESPACE = re.compile(r'\s+xmlns(:\w+)?="[^"]*"')
_ID = re.compile(r'\bid="([^"]+)"')


def _prefix_ids(svg: str, prefix: str) -> str:
    ids = set(_ID.findall(svg))
    for ident in sorted(ids, key=len, reverse=True):
        new = f"{prefix}-{ident}"
        svg = svg.replace(f'id="{ident}"', f'id="{new}"')
        svg = svg.replace(f"url(#{ident})", f"url(#{new})")
        svg = svg.replace(f'href="#{ident}"', f'href="#{new}"')
    return svg


def chart_svg(chart: alt.TopLevelMixin, *, label: str, key: str) -> str:
    """Render ``chart`` to an inline ``<svg role="img">`` labelled by ``label``.

    Parameters
    ----------
    chart : altair chart
        A chart from :mod:`rpgdash.charts` (container width is replaced by a fixed width).
    label : str
        The text alternative: the chart's summary sentence.
    key : str
        A short name unique within the report, used to prefix ids inside the SVG.

    Returns
    -------
    str
        ``<figure>`` HTML holding the SVG.
    """
    spec = fixed_width(chart, REPORT_WIDTH).to_dict()
    svg = vlc.vegalite_to_svg(spec)
    svg = _NAMESPACE.sub("", svg)
    svg = _prefix_ids(svg, f"chart-{key}")
    svg = re.sub(r'\s+version="1\.1"', "", svg, count=1)
    opening = svg[: svg.index(">") + 1]
    root = opening[:-1] + f' role="img" aria-label="{esc(label)}" focusable="false">'
    svg = root + f"<title>{esc(label)}</title>" + svg[len(opening) :]
    return f'<figure class="chart">{svg}</figure>'
