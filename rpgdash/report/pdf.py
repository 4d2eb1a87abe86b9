"""The board pack as PDF: the report's HTML laid out on A4 by WeasyPrint.

WeasyPrint (not Chromium's print-to-PDF) because it implements CSS paged media: margin boxes
with ``counter(page)`` and ``counter(pages)`` for "Page N of M" footers, ``target-counter()``
for a contents list with page numbers, and ``break-inside``/``break-after: avoid`` to keep a
heading with its chart. It needs no browser, only Pango (Debian: libpango-1.0-0,
libpangoft2-1.0-0, libharfbuzz-subset0; ``make run`` installs them).

Layout is pure Python and vl-convert holds the GIL while it draws a chart, so
:func:`board_pack_pdf` draws the charts and lays the pages out in a worker process: other
sessions' page reruns in the server keep their speed. Finished packs are cached by data version.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import multiprocessing
import threading
from collections import OrderedDict
from concurrent.futures import ProcessPoolExecutor

from rpgdash.db import Database, table_checksums

_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()

#: Finished packs kept in memory, keyed by the data version (a checksum of every table), the
#: options and the day printed on them: a second download of the same pack is immediate.
PACK_CACHE_SIZE = 16
_packs: OrderedDict[str, bytes] = OrderedDict()
_packs_lock = threading.Lock()


def render_document(html: str):  # -> weasyprint.Document (not imported at module level)
    """Lay ``html`` (a self-contained document from :func:`rpgdash.report.build_report`) out
    on A4 pages, in this process. The document loads nothing from outside itself."""
    from weasyprint import HTML  # heavy: imported only when a PDF is made

    return HTML(string=html, base_url=None).render()


def html_to_pdf(html: str) -> bytes:
    """:func:`render_document`, written as PDF bytes."""
    return render_document(html).write_pdf()


def _worker_pool() -> ProcessPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            # spawn: a fork of a threaded server (Streamlit, DuckDB) may deadlock
            _pool = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn")
            )
        return _pool


def _draw_and_lay_out(html: str, charts: list) -> bytes:
    from rpgdash.report.svg import draw_deferred

    return html_to_pdf(draw_deferred(html, charts))


def html_to_pdf_in_worker(html: str, charts: list | None = None) -> bytes:
    """Draw the deferred ``charts`` into ``html`` and lay it out, in a long-lived worker
    process (whose SVG cache lasts as long as it does); the caller waits without the GIL."""
    return _worker_pool().submit(_draw_and_lay_out, html, charts or []).result()


def data_version(db: Database) -> str:
    """SHA-256 over every table's checksum: changes with any upload, revert or migration."""
    text = json.dumps(table_checksums(db), sort_keys=True)
    return hashlib.sha256(f"{db.path}\n{text}".encode()).hexdigest()


def _pack_key(db: Database, options: dict) -> str:
    when = options.get("generated_at") or dt.datetime.now()
    chosen = {k: v for k, v in options.items() if k != "generated_at"}
    text = json.dumps(chosen, sort_keys=True, default=str)
    return f"{data_version(db)}|{when:%Y-%m-%d}|{text}"


def board_pack_pdf(db: Database, **options: object) -> bytes:
    """The board pack as PDF bytes: the report (see :func:`rpgdash.report.build_report`,
    same options) built here from the database, laid out in a worker process. A pack for
    the same data, options and day comes from the cache."""
    from rpgdash.report import build_report
    from rpgdash.report.svg import deferred_charts

    key = _pack_key(db, options)
    with _packs_lock:
        if key in _packs:
            _packs.move_to_end(key)
            return _packs[key]
    with deferred_charts() as charts:
        html = build_report(db, **options)
    pdf = html_to_pdf_in_worker(html, charts)
    with _packs_lock:
        _packs[key] = pdf
        while len(_packs) > PACK_CACHE_SIZE:
            _packs.popitem(last=False)
    return pdf


def clear_cache() -> None:
    """Forget every finished pack (benchmarks measure a real build with it)."""
    with _packs_lock:
        _packs.clear()


__all__ = [
    "board_pack_pdf",
    "clear_cache",
    "data_version",
    "html_to_pdf",
    "html_to_pdf_in_worker",
    "render_document",
]
