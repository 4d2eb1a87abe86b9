"""Issue 13 speed targets for the board pack, on the demo database.

1. Build: building the report (HTML) against the floor, rendering the same charts' Vega-Lite
   specs with vl-convert alone, measured in the same run. Target: at most 2x, cold. Shown
   fresh (nothing cached: no section, no SVG; as after an upload in a running server), for
   another job role on the same data (the comparisons and the sections that do not depend
   on the role are cached, the role's own sections and every SVG are not), and warm (same
   data and options: the sections come from the cache keyed by data version). A first
   build in a new process also builds the charts' Altair layouts (one per chart structure,
   kept for the life of the process whatever the data; see rpgdash.chartspec). The PDF
   layout and the whole pack through the worker process are shown too.
2. Other sessions: a page rerun (AppTest, role change on the professional page) while board
   packs are being built, against the same rerun when idle. Target: at most 1.5x. Shown for
   the overview's path (the whole pack built in a worker process) and, for comparison, for a
   build in the server process itself.

Every time is wall clock and, because the machine may be shared, CPU time of this process
(a build in the worker costs the server almost none). Run: `.venv/bin/python -m tests.bench
report`.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from rpgdash import charts, chartspec
from rpgdash.db import open_db
from rpgdash.demo import init_demo
from rpgdash.report import board_pack_pdf, build_report, cache
from rpgdash.report import pdf as report_pdf
from rpgdash.report import svg as report_svg
from rpgdash.report.pdf import html_to_pdf

ROOT = Path(__file__).resolve().parents[2]
REPEATS = 3


def _measure(action: Callable[[], object], repeats: int = REPEATS) -> tuple[float, float]:
    """Median wall clock and median CPU time (this process) of ``action``."""
    walls, cpus = [], []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        action()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def _report_specs(db) -> list[dict]:
    """The Vega-Lite specs the report renders, captured from one fresh build."""
    specs: list[dict] = []
    real = report_svg.render_svg

    def record(spec: dict) -> str:
        specs.append(spec)
        return real(spec)

    report_svg.render_svg = record
    try:
        cache.clear_cache()
        build_report(db)
    finally:
        report_svg.render_svg = real
    return specs


def _fresh() -> None:
    cache.clear_cache()
    report_svg.clear_cache()


def _row(name: str, measured: tuple[float, float], floor: tuple[float, float]) -> None:
    (wall, cpu), (f_wall, f_cpu) = measured, floor
    print(f"{name:46s} {wall:7.2f} s {wall / f_wall:5.2f}x   cpu {cpu:6.2f} s {cpu / f_cpu:5.2f}x")


def _build_ratios(db) -> None:
    import vl_convert as vlc

    specs = _report_specs(db)
    floor = _measure(lambda: [vlc.vegalite_to_svg(s) for s in specs])

    def fresh() -> None:
        _fresh()
        build_report(db)

    def first_in_process() -> None:
        _fresh()
        chartspec.clear_layouts()  # the series charts' layouts
        charts._layout_dict.cache_clear()  # the survey charts' layouts
        build_report(db)

    roles = iter(["Social worker", "Team manager", "Lead practitioner"] * 3)

    def other_role() -> None:
        report_svg.clear_cache()
        build_report(db, role=next(roles))

    def whole_pack() -> None:
        report_pdf.clear_worker_caches()
        board_pack_pdf(db)

    fresh_t = _measure(fresh)
    first_t = _measure(first_in_process)
    build_report(db)
    role_t = _measure(other_role)
    warm_t = _measure(lambda: build_report(db))
    text = build_report(db)
    pdf_t = _measure(lambda: html_to_pdf(text), repeats=1)
    board_pack_pdf(db)  # start the worker process
    pack_t = _measure(whole_pack, repeats=1)
    print(
        f"{f'vl-convert alone, {len(specs)} charts (floor)':46s} {floor[0]:7.2f} s"
        f"           cpu {floor[1]:6.2f} s"
    )
    _row("report HTML, fresh (nothing cached)", fresh_t, floor)
    _row("report HTML, first build in a new process", first_t, floor)
    _row("report HTML, another role, same data", role_t, floor)
    _row("report HTML, warm (same data and options)", warm_t, floor)
    _row("PDF layout of that HTML (WeasyPrint)", pdf_t, floor)
    _row("whole PDF pack in the worker, fresh", pack_t, floor)
    print("  (the last row's cpu is the server's: the worker does the work)")
    print("target: report build at most 2x the floor, cold (fresh and another role)")


def _rerun_while(build: Callable[[], object], rerun: Callable[[], None]) -> list[float]:
    """Page rerun times over the whole of two builds running in another thread."""
    worker = threading.Thread(target=lambda: [build() for _ in range(2)], daemon=True)
    worker.start()
    times = []
    while worker.is_alive() or len(times) < 5:
        start = time.perf_counter()
        rerun()
        times.append(time.perf_counter() - start)
    worker.join()
    return times


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
    idle = [_measure(rerun, repeats=1)[0] for _ in range(15)]
    board_pack_pdf(db)  # start the worker process, as the first click does

    def pack() -> None:  # a real build each time: nothing cached in the worker
        report_pdf.clear_worker_caches()
        board_pack_pdf(db)

    def in_process() -> None:
        _fresh()
        html_to_pdf(build_report(db))

    worker = _rerun_while(pack, rerun)
    same = _rerun_while(in_process, rerun)
    idle += [_measure(rerun, repeats=1)[0] for _ in range(15)]  # idle again, after
    base = statistics.median(idle)
    print(f"{'page rerun, idle (baseline, median)':52s} {base * 1000:8.1f} ms")
    for name, times in (
        ("whole pack in a worker process", worker),
        ("everything in the server process", same),
    ):
        median, mean = statistics.median(times), statistics.fmean(times)
        print(
            f"{'page rerun while building, ' + name:64s} median {median * 1000:7.1f} ms "
            f"{median / base:5.2f}x  mean {mean * 1000:7.1f} ms {mean / base:5.2f}x  "
            f"max {max(times) * 1000:7.1f} ms  ({len(times)} reruns)"
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
