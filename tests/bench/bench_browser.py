"""Issues 4 and 5 speed targets as a person sees them: Chromium against real servers.

Two servers run side by side: the dashboard over the --scale 100 demo, and the baseline page
that draws one empty chart. For each, the time from choosing a job role in the selectbox to
the browser receiving Streamlit's "script finished" message is measured (median of several):
the whole rerun as the browser sees it, without the time Vega takes to paint the charts.
Run: `.venv/bin/python -m tests.bench browser`.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Page, sync_playwright
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from rpgdash.demo import init_demo
from tests.serving import CHROMIUM, CHROMIUM_ARGS, streamlit_server

ROOT = Path(__file__).resolve().parents[2]
ROLES = ["Team manager", "Social worker", "All roles"]
CHANGE_POINT = "Interrupted time series: change point"
CHANGE_POINTS = ["May 2017", "Sep 2017", "RPG start"]
REPEATS = 9


class RerunClock:
    """Times reruns by the server's "script finished" message on the page's websocket."""

    def __init__(self, page: Page) -> None:
        self.finished = 0
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload: bytes | str) -> None:
        if isinstance(payload, bytes):
            msg = ForwardMsg()
            try:
                msg.ParseFromString(payload)
            except Exception:  # not every frame is a ForwardMsg; those are not ours to time
                return
            if msg.WhichOneof("type") == "script_finished":
                self.finished += 1

    def wait(self, page: Page, after: int) -> None:
        deadline = time.monotonic() + 60
        while self.finished <= after:
            if time.monotonic() > deadline:
                raise TimeoutError("no rerun finished within 60 s")
            page.wait_for_timeout(2)


def _settled(page: Page) -> None:
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
    )


def _choose(page: Page, clock: RerunClock, widget: str, choice: str) -> float:
    """Pick ``choice`` in the selectbox labelled ``widget``; seconds until the rerun ends."""
    box = page.locator(f'input[aria-label="{widget}"]').first
    box.click()
    box.fill(choice)  # long option lists are virtualised: filter so the option is drawn
    option = page.locator('[role="option"]').filter(has_text=choice).first
    option.wait_for()
    before = clock.finished
    start = time.perf_counter()
    option.click()
    clock.wait(page, before)
    elapsed = time.perf_counter() - start
    _settled(page)
    return elapsed


def _measure(page: Page, clock: RerunClock, url: str, widget: str, choices: list[str]) -> float:
    page.goto(url)
    page.wait_for_selector('[data-testid="stApp"]')
    page.wait_for_timeout(3000)
    _settled(page)
    for choice in choices:  # first visits fill the caches, as a user's first clicks do
        _choose(page, clock, widget, choice)
    return statistics.median(
        _choose(page, clock, widget, choices[i % len(choices)]) for i in range(REPEATS)
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "scale.duckdb"
        init_demo(db, scale=100)
        env = {**os.environ, "RPGDASH_DB": str(db)}
        empty_page = str(ROOT / "tests/bench/empty_chart_page.py")
        with (
            streamlit_server(["streamlit", "run", "app.py"], env) as app_url,
            streamlit_server(["streamlit", "run", empty_page], env) as base_url,
            sync_playwright() as pw,
        ):
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            clock = RerunClock(page)
            baseline = _measure(page, clock, base_url, "Job role", ROLES)
            print(f"{'empty-chart page, selectbox change':44s} {baseline * 1000:8.0f} ms")
            cases = [
                (f"role change on /{path}", path, "Job role", ROLES)
                for path in ("professional", "self_efficacy", "relationships")
            ] + [("change point on /indicators", "indicators", CHANGE_POINT, CHANGE_POINTS)]
            for label, path, widget, choices in cases:
                t = _measure(page, clock, f"{app_url}/{path}", widget, choices)
                print(f"{label:44s} {t * 1000:8.0f} ms  {t / baseline:5.2f}x")
            browser.close()
    print("target: under 2x the baseline")


if __name__ == "__main__":
    main()
