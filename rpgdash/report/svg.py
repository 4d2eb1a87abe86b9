"""Altair charts as inline, accessible SVG for the board report (vl-convert, no browser).

The SVG is made safe to inline several times in one HTML page: namespace declarations are
dropped (HTML needs none, and they are the only URLs vl-convert writes), any ``id`` is given a
per-chart prefix so two charts never share one, and the root gets ``role="img"``, an
``aria-label`` and a ``<title>`` carrying the chart's summary sentence.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import OrderedDict

import altair as alt

from rpgdash.report.html import esc

#: Plot width in px. With axes and legends the SVG stays within the A4 text block (180 mm,
#: 680 px at 96 px/inch); CSS scales any wider one down to the block instead of cutting it.
REPORT_WIDTH = 560

#: The font vl-convert lays chart text out with (Debian: fonts-liberation).
CHART_FONT = "Liberation Sans, Arial, sans-serif"

#: Rendered SVGs kept in memory, keyed by the SHA-256 of the Vega-Lite spec (data included),
#: so a chart whose data did not change is not rendered again.
CACHE_SIZE = 128
_cache: OrderedDict[str, str] = OrderedDict()
_cache_lock = threading.Lock()


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


def chart_svg(chart: alt.TopLevelMixin | dict, *, label: str, key: str) -> str:
    """Render ``chart`` to an inline ``<svg role="img">`` labelled by ``label``.

    Parameters
    ----------
    chart : altair chart or dict
        A chart from :mod:`rpgdash.charts`, or its Vega-Lite dict (the survey charts' fast
        spec); container width is replaced by a fixed width.
    label : str
        The text alternative: the chart's summary sentence.
    key : str
        A short name unique within the report, used to prefix ids inside the SVG.

    Returns
    -------
    str
        ``<figure>`` HTML holding the SVG.
    """
    return figure(render_svg(chart_spec(chart)), label=label, key=key)


def figure(svg: str, *, label: str, key: str) -> str:
    """vl-convert's ``svg`` made safe to inline, labelled, in a ``<figure>``."""
    # vl-convert measures "sans-serif" text with Liberation Sans; name it, so that a PDF
    # renderer whose sans-serif is wider (DejaVu Sans) does not push labels off the chart
    svg = svg.replace('font-family="sans-serif"', f'font-family="{CHART_FONT}"')
    svg = _NAMESPACE.sub("", svg)
    svg = _prefix_ids(svg, f"chart-{key}")
    svg = re.sub(r'\s+version="1\.1"', "", svg, count=1)
    opening = svg[: svg.index(">") + 1]
    root = opening[:-1] + f' role="img" aria-label="{esc(label)}" focusable="false">'
    svg = root + f"<title>{esc(label)}</title>" + svg[len(opening) :]
    return f'<figure class="chart">{svg}</figure>'


def chart_spec(chart: alt.TopLevelMixin | dict) -> dict:
    """The chart's Vega-Lite spec at the report width.

    Not validated against the schema again: the chart builders' own tests validate every
    chart, and validation was a third of the report's build time. A dict (a spec built
    without Altair) is used as it is, copied only when its width changes.
    """
    spec = dict(chart) if isinstance(chart, dict) else chart.to_dict(validate=False)
    if spec.get("width") == "container":
        spec["width"] = REPORT_WIDTH
    return spec


def spec_key(spec: dict) -> str:
    """The cache key of a spec: SHA-256 of its canonical JSON (so data changes change it)."""
    text = json.dumps(spec, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def render_svg(spec: dict) -> str:
    """vl-convert's SVG for ``spec``, from the in-memory cache when the spec was seen before."""
    key = spec_key(spec)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    import vl_convert as vlc  # heavy: imported only when a chart is first drawn

    svg = vlc.vegalite_to_svg(spec)
    with _cache_lock:
        _cache[key] = svg
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return svg


def clear_cache() -> None:
    """Forget every rendered SVG (benchmarks measure a cold build with it)."""
    with _cache_lock:
        _cache.clear()
