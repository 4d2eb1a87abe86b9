"""The board pack as PDF: the report's HTML laid out on A4 by WeasyPrint, built off the server.

WeasyPrint (not Chromium's print-to-PDF) because it implements CSS paged media: margin boxes
with ``counter(page)`` and ``counter(pages)`` for "Page N of M" footers, ``target-counter()``
for a contents list with page numbers, and ``break-inside``/``break-after: avoid`` to keep a
heading with its chart. It needs no browser, only Pango (Debian: libpango-1.0-0,
libpangoft2-1.0-0, libharfbuzz-subset0; ``make run`` installs them).

Everything a pack costs is Python holding the GIL (statistics, Altair, layout) or vl-convert,
which holds it while it draws a chart. So :func:`board_pack` builds the whole pack in one
long-lived worker process; the server thread only waits (without the GIL) and other
sessions' page reruns keep their speed. The worker keeps its own caches (sections by data
version, SVGs by spec), so a second pack for the same data costs little. Finished packs are
also kept here, by data version, options and day.

The worker reads the database itself. A server that opened it read-only shares the file; one
that holds it read-write (uploads) locks it, so the worker reads a snapshot that DuckDB copies
(``COPY FROM DATABASE``) into a file named by the data version, made once per version.
"""

from __future__ import annotations

import atexit
import datetime as dt
import hashlib
import json
import multiprocessing
import os
import shutil
import tempfile
import threading
from collections import OrderedDict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from rpgdash.db import Database
from rpgdash.report.cache import data_version

_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()
_snapshot_lock = threading.Lock()

#: Finished packs kept in memory, keyed by the data version, the format, the options and the
#: day printed on them: a second download of the same pack is immediate.
PACK_CACHE_SIZE = 16
#: Snapshots kept on disk (one per data version; older ones are deleted).
SNAPSHOTS_KEPT = 3
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
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_lower_priority,
                initargs=(worker_niceness(),),  # checked here, where an error can be shown
            )
        return _pool


def worker_niceness() -> int:
    """How much the worker lowers its priority (RPGDASH_REPORT_NICENESS, default 10): on a
    busy machine the server's page reruns get the CPU first."""
    from rpgdash import settings

    niceness = settings.get("report_niceness")
    if not 0 <= niceness <= 19:
        raise ValueError(f"RPGDASH_REPORT_NICENESS={niceness} is not between 0 and 19.")
    return niceness


def _lower_priority(niceness: int) -> None:
    os.nice(niceness)


def _build_in_worker(path: str, format: str, options: dict) -> bytes:
    """In the worker: open the database (or its snapshot) read-only and build the pack."""
    from rpgdash.db import open_db
    from rpgdash.report import build_report

    with open_db(path, read_only=True) as db:
        html = build_report(db, **options)
    return html_to_pdf(html) if format == "pdf" else html.encode("utf-8")


_folder: Path | None = None


def snapshot_folder() -> Path:
    """This process's private folder of snapshots, removed when the process exits."""
    global _folder
    with _snapshot_lock:
        if _folder is None:
            _folder = Path(tempfile.mkdtemp(prefix="rpgdash-board-packs-"))
            atexit.register(shutil.rmtree, _folder, ignore_errors=True)
        return _folder


def _readable_copy(db: Database, version: str) -> Path:
    """A path the worker can open read-only: the file itself, or a snapshot of this version."""
    if db.read_only:
        return db.path
    folder = snapshot_folder()
    path = folder / f"{hashlib.sha256(version.encode()).hexdigest()[:32]}.duckdb"
    with _snapshot_lock:
        if path.exists():
            return path
        part = path.with_suffix(".part")
        part.unlink(missing_ok=True)
        with db.cursor() as cur:
            name = cur.execute("SELECT current_database()").fetchone()[0]
            quoted = str(part).replace("'", "''")  # our own temp path, not user input
            cur.execute(f"ATTACH '{quoted}' AS board_pack_snapshot")
            try:
                cur.execute(f'COPY FROM DATABASE "{name}" TO board_pack_snapshot')
            finally:
                cur.execute("DETACH board_pack_snapshot")
        part.replace(path)
        old = sorted(folder.glob("*.duckdb"), key=lambda p: p.stat().st_mtime, reverse=True)
        for stale in old[SNAPSHOTS_KEPT:]:
            stale.unlink(missing_ok=True)
    return path


def _pack_key(version: str, format: str, options: dict) -> str:
    when = options.get("generated_at") or dt.datetime.now()
    chosen = {k: v for k, v in options.items() if k != "generated_at"}
    text = json.dumps(chosen, sort_keys=True, default=str)
    return f"{version}|{format}|{when:%Y-%m-%d}|{text}"


def board_pack(db: Database, *, format: str = "pdf", **options: object) -> bytes:
    """The board pack (``format`` "pdf" or "html") as bytes, built in the worker process.

    Same options as :func:`rpgdash.report.build_report`. A pack for the same data, format,
    options and day comes from the cache.
    """
    version = data_version(db)
    key = _pack_key(version, format, options)
    with _packs_lock:
        if key in _packs:
            _packs.move_to_end(key)
            return _packs[key]
    path = _readable_copy(db, version)
    if "generated_at" not in options:  # the server's clock and day, not the worker's
        options = {**options, "generated_at": dt.datetime.now()}
    pack = _worker_pool().submit(_build_in_worker, str(path), format, options).result()
    with _packs_lock:
        _packs[key] = pack
        while len(_packs) > PACK_CACHE_SIZE:
            _packs.popitem(last=False)
    return pack


def board_pack_pdf(db: Database, **options: object) -> bytes:
    """The board pack as PDF bytes (see :func:`board_pack`)."""
    return board_pack(db, format="pdf", **options)


def clear_cache() -> None:
    """Forget every finished pack (benchmarks measure a real build with it)."""
    with _packs_lock:
        _packs.clear()


def clear_worker_caches() -> None:
    """Forget the worker's cached sections and SVGs too (benchmarks: a real cold build)."""
    clear_cache()
    _worker_pool().submit(_clear_in_worker).result()


def _clear_in_worker() -> None:
    from rpgdash.report import cache, svg

    cache.clear_cache()
    svg.clear_cache()


__all__ = [
    "board_pack",
    "board_pack_pdf",
    "clear_cache",
    "clear_worker_caches",
    "data_version",
    "html_to_pdf",
    "render_document",
]
