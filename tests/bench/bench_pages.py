"""Issues 4 and 5 speed targets, measured with AppTest over the --scale 100 demo.

Baseline: rerunning a script that only draws one empty chart. Measured: changing the role
filter on each survey page, and switching indicator / change point on the indicators page.
Target: each under 2x the baseline. Run: `.venv/bin/python -m tests.bench pages`.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from streamlit.testing.v1 import AppTest

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
