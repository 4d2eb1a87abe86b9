"""The board pack as PDF: the report's HTML laid out on A4 by WeasyPrint.

WeasyPrint (not Chromium's print-to-PDF) because it implements CSS paged media: margin boxes
with ``counter(page)`` and ``counter(pages)`` for "Page N of M" footers, ``target-counter()``
for a contents list with page numbers, and ``break-inside``/``break-after: avoid`` to keep a
heading with its chart. It needs no browser, only Pango (Debian: libpango-1.0-0,
libpangoft2-1.0-0, libharfbuzz-subset0; ``make run`` installs them).

Layout is pure Python and holds the GIL for seconds, so :func:`board_pack_pdf` lays the pages
out in a worker process: other sessions' page reruns in the server keep their speed.
"""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor

from rpgdash.db import Database

_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


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


def html_to_pdf_in_worker(html: str) -> bytes:
    """:func:`html_to_pdf` in a long-lived worker process; the caller waits without the GIL."""
    return _worker_pool().submit(html_to_pdf, html).result()


def board_pack_pdf(db: Database, **options: object) -> bytes:
    """The board pack as PDF bytes: the report (see :func:`rpgdash.report.build_report`,
    same options) built here from the database, laid out in a worker process."""
    from rpgdash.report import build_report

    return html_to_pdf_in_worker(build_report(db, **options))


__all__ = ["board_pack_pdf", "html_to_pdf", "html_to_pdf_in_worker", "render_document"]
