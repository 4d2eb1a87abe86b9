"""Issue 13 speed targets for the board pack, on the demo database.

1. Build: building the report (HTML) against the floor, rendering the same charts' Vega-Lite
   specs with vl-convert alone, measured in the same run. Target: at most 2x, cold (no SVG
   cached) and warm (same data, SVGs cached by spec hash). The PDF layout is reported too.
2. Other sessions: a page rerun (AppTest, role change on the professional page) while board
   packs are being built, against the same rerun when idle. Target: at most 1.5x. Shown for
   the overview's path (HTML here, PDF layout in a worker process) and, for comparison,
   for a build that lays the PDF out on the same process.

Run: `.venv/bin/python -m tests.bench report`.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from rpgdash.db import open_db
from rpgdash.demo import init_demo
from rpgdash.report import board_pack_pdf, build_report
from rpgdash.report import pdf as pack_cache
from rpgdash.report import svg as report_svg
from rpgdash.report.pdf import html_to_pdf

ROOT = Path(__file__).resolve().parents[2]
REPEATS = 3


def _median(action: Callable[[], object], repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _report_specs(db) -> list[dict]:
    """The Vega-Lite specs the report renders, captured from one build."""
    specs: list[dict] = []
    real = report_svg.render_svg

    def record(spec: dict) -> str:
        specs.append(spec)
        return real(spec)

    report_svg.render_svg = record
    try:
        build_report(db)
    finally:
        report_svg.render_svg = real
    return specs


def _build_ratios(db) -> None:
    import vl_convert as vlc

    specs = _report_specs(db)
    floor = _median(lambda: [vlc.vegalite_to_svg(s) for s in specs])

    def cold() -> None:
        report_svg.clear_cache()
        build_report(db)

    cold_t = _median(cold)
    warm_t = _median(lambda: build_report(db))
    text = build_report(db)
    pdf_t = _median(lambda: html_to_pdf(text), repeats=1)
    print(f"{f'vl-convert alone, {len(specs)} charts (floor)':44s} {floor:8.2f} s")
    print(f"{'report HTML, cold (no SVG cached)':44s} {cold_t:8.2f} s  {cold_t / floor:5.2f}x")
    print(f"{'report HTML, warm (same data)':44s} {warm_t:8.2f} s  {warm_t / floor:5.2f}x")
    print(f"{'PDF layout of that HTML (WeasyPrint)':44s} {pdf_t:8.2f} s  {pdf_t / floor:5.2f}x")
    print("target: report build at most 2x the floor")


def _rerun_while(build: Callable[[], object], rerun: Callable[[], None]) -> tuple[float, float]:
    """Median and mean page rerun over the whole of two builds running in another thread.

    The mean shows stalls the median hides: vl-convert holds the GIL for a whole chart.
    """
    worker = threading.Thread(target=lambda: [build() for _ in range(2)], daemon=True)
    worker.start()
    times = []
    while worker.is_alive() or len(times) < 5:
        start = time.perf_counter()
        rerun()
        times.append(time.perf_counter() - start)
    worker.join()
    return statistics.median(times), statistics.fmean(times)


def _role_switch_runner(page: str) -> Callable[[], None]:
    """A role change on ``page`` in an AppTest session, caches warmed (as in bench_pages)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.run()
    at.switch_page(page).run()
    roles = ["Team manager", "Social worker", "All roles"]
    for role in roles:
        at.selectbox(key="role").set_value(role).run()
    state = {"i": 0}

    def switch() -> None:
        state["i"] += 1
        at.selectbox(key="role").set_value(roles[state["i"] % len(roles)]).run()
        assert not at.exception

    return switch


def _session_ratios(db) -> None:
    rerun = _role_switch_runner("pages/professional.py")
    idle = _median(rerun, repeats=15)
    board_pack_pdf(db)  # start the worker process, as the first click does

    def pack() -> None:  # a real build each time: no finished pack, no rendered SVG cached
        pack_cache.clear_cache()
        report_svg.clear_cache()
        board_pack_pdf(db)

    def in_process() -> None:
        report_svg.clear_cache()
        html_to_pdf(build_report(db))

    worker = _rerun_while(pack, rerun)
    same = _rerun_while(in_process, rerun)
    idle = min(idle, _median(rerun, repeats=15))  # idle again, after: the quieter of the two
    print(f"{'page rerun, idle (baseline)':44s} {idle * 1000:8.1f} ms")
    for name, (median, mean) in (
        ("board pack (charts, PDF in a worker)", worker),
        ("everything in the server process", same),
    ):
        print(
            f"{'page rerun, ' + name:52s} median {median * 1000:7.1f} ms {median / idle:5.2f}x"
            f"  mean {mean * 1000:7.1f} ms {mean / idle:5.2f}x"
        )
    print("target: a page rerun at most 1.5x idle while a board pack builds")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "demo.duckdb"
        init_demo(path)
        os.environ["RPGDASH_DB"] = str(path)
        os.environ["RPGDASH_READ_ONLY"] = "1"  # one DuckDB configuration for app and bench
        os.chdir(ROOT)
        with open_db(path, read_only=True) as db:
            _build_ratios(db)
            _session_ratios(db)


if __name__ == "__main__":
    main()
