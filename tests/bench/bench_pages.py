"""Issues 4 and 5 speed targets, measured with AppTest over the --scale 100 demo.

Baseline: rerunning a script that only draws one empty chart. Measured: changing the role
filter on each survey page, and switching indicator / change point on the indicators page
(repeat views: target each under 2x the baseline); the first view of each job role and of
another site on a survey page (issue 14: target each under 3x the baseline; the demo has
exactly two comparable waves, so there is no pair of waves to choose), and that page's first
load (target under 1.5 s).
Run: `.venv/bin/python -m tests.bench pages`.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from rpgdash import charts
from rpgdash.demo import init_demo

ROOT = Path(__file__).resolve().parents[2]
REPEATS = 25


def _median(action: Callable[[], None]) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _baseline() -> float:
    at = AppTest.from_file(str(ROOT / "tests/bench/empty_chart_page.py"), default_timeout=60)
    at.run()
    return _median(lambda: at.run())


def _role_switch(page: str) -> float:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page(page).run()
    roles = ["Team manager", "Social worker", "All roles"]
    for role in roles:  # warm the caches once, as a user's first visit does
        at.selectbox(key="role").set_value(role).run()
    state = {"i": 0}

    def switch() -> None:
        state["i"] += 1
        at.selectbox(key="role").set_value(roles[state["i"] % len(roles)]).run()
        assert not at.exception

    return _median(switch)


def _first_views(page: str) -> dict[str, float]:
    """Median time of a first view, and the page's first load, in a fresh AppTest session.

    Every first view is a choice not shown before in this process (a new role, or a new site
    with All roles), so no finished view is cached. Every cache is emptied first, so the first
    load includes reading and comparing the waves.
    """
    st.cache_data.clear()
    charts._layout_dict.cache_clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    start = time.perf_counter()
    at.switch_page(page).run()
    first_load = time.perf_counter() - start

    def timed(widget_key: str, value: object) -> float:
        start = time.perf_counter()
        at.selectbox(key=widget_key).set_value(value).run()
        elapsed = time.perf_counter() - start
        assert not at.exception
        return elapsed

    roles = at.selectbox(key="role").options[1:]
    role_times = [timed("role", role) for role in roles]
    timed("role", "All roles")
    sites = at.selectbox(key="site").options[1:6]
    site_times = [timed("site", site) for site in sites]
    return {
        "first load": first_load,
        "role": statistics.median(role_times),
        "site": statistics.median(site_times),
    }


def _indicator_switch() -> tuple[float, float]:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/indicators.py").run()
    names = at.multiselect(key="ind_chosen").options
    choices = [[n] for n in names]
    points = ["automatic", "2017-05", "2017-09"]  # raw option values, as the page defines them
    for c in choices:
        at.multiselect(key="ind_chosen").set_value(c).run()
    for p in points:
        at.selectbox(key="ind_change").set_value(p).run()
    state = {"i": 0, "j": 0}

    def indicator() -> None:
        state["i"] += 1
        at.multiselect(key="ind_chosen").set_value(choices[state["i"] % len(choices)]).run()
        assert not at.exception

    def change_point() -> None:
        state["j"] += 1
        at.selectbox(key="ind_change").set_value(points[state["j"] % len(points)]).run()
        assert not at.exception

    return _median(indicator), _median(change_point)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "scale.duckdb"
        init_demo(path, scale=100)
        os.environ["RPGDASH_DB"] = str(path)
        os.chdir(ROOT)
        base = _baseline()
        print(f"{'empty-chart rerun (baseline)':44s} {base * 1000:8.1f} ms")
        for page in ("pages/professional.py", "pages/self_efficacy.py", "pages/relationships.py"):
            t = _role_switch(page)
            print(f"{'role change on ' + page:44s} {t * 1000:8.1f} ms  {t / base:5.2f}x")
        for page in ("pages/professional.py", "pages/relationships.py"):
            views = _first_views(page)
            print(f"{'first load of ' + page:44s} {views['first load'] * 1000:8.1f} ms  "
                  f"(target < 1500 ms)")  # fmt: skip
            for what in ("role", "site"):
                t = views[what]
                print(f"{'first view of a ' + what + ' on ' + page:44s} {t * 1000:8.1f} ms  "
                      f"{t / base:5.2f}x (target <= 3x)")  # fmt: skip
        ind, cp = _indicator_switch()
        print(
            f"{'indicator switch on pages/indicators.py':44s} {ind * 1000:8.1f} ms  "
            f"{ind / base:5.2f}x"
        )
        print(
            f"{'change-point switch on pages/indicators.py':44s} {cp * 1000:8.1f} ms  "
            f"{cp / base:5.2f}x"
        )
        print("target: each under 2x the baseline")


if __name__ == "__main__":
    main()
