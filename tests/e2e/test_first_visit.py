"""Every page, visited once, first thing on a fresh `streamlit run app.py`, in Chromium.

One visit per page does every per-page browser check, so no page is loaded twice for them:

- **First visit** (issue 14, item 3). Streamlit treats a fresh process's first run as its old
  automatic page list (pages/ sits next to app.py) until st.navigation has run once;
  rpgdash/ui/routing.py makes that run go through app.py all the same. Each visit is its
  server's first, and must show app.py's page list with this page current, the Site and Job
  role filters, no error box and every chart drawn.
- **Accessibility**: no serious or critical axe-core violation (WCAG 2.2 AA; the rules are in
  test_accessibility.py).
- **Everything stays local** (issue 10, item 11): every request the page makes goes to the
  dashboard itself (no font host, no CDN). (test_hardening_browser.py visits every page of a
  demo whose stored names point at a trap server.)
- **The time charts carry the timeline's events.**
- **Every width** (issue 11, item 5): no metric, page link or heading cut off at 1280, 1024
  and 390 px (test_widths.py); with RPGDASH_SCREENSHOTS set, a screenshot of each width.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from rpgdash.present.domains import DOMAINS
from tests.e2e.conftest import ROOT, problems_on, screenshot, wait_for_app, wait_for_charts
from tests.e2e.test_accessibility import PATHS, blocking_violations
from tests.e2e.test_widths import PHONE, WIDTHS, cut_off_texts
from tests.serving import APP, StreamlitProcess, outside_requests

# A worker of its own, with its own Chromium: these visits (a fresh server each) are about half
# of the browser tests' time, and the other browser tests share the "browser" worker's server.
pytestmark = pytest.mark.xdist_group("first_visit")

APP_SOURCE = (ROOT / "app.py").read_text()
SECTIONS = ["Survey", "Organisation", "Evidence", "Data"]  # app.py's st.navigation
NAV_TITLES = dict(re.findall(r'st\.Page\(\s*"pages/(\w+)\.py", title="([^"]+)"', APP_SOURCE))
NAV_TITLES.update({Path(d.page).stem: d.title for d in DOMAINS})  # app.py reads the registry
CHART_PAGES = {"", "professional", "self_efficacy", "relationships", "indicators", "workforce"}
METRIC_PAGES = {"", "indicators", "workforce"}
#: Timeline events (stored labels) the time charts must carry.
TIMELINE = {
    "indicators": ["RPGs start", "Facilitator change", "+3 years survey fieldwork"],
    "": ["RPGs start", "Facilitator change"],
}


@pytest.fixture(scope="module")
def fresh_server(
    request: pytest.FixtureRequest, demo_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[], StreamlitProcess]]:
    """Hands out a fresh server per call, each serving its own copy of the demo.

    The next server starts while the current one is in use (start-up is seconds of CPU spent
    importing Streamlit), so the visits do not wait for it in a chain. A started server runs
    no script until a browser visits it.
    """
    folder = tmp_path_factory.mktemp("fresh")
    wanted = sum(
        item.originalname == "test_every_page_on_its_first_visit" for item in request.session.items
    )
    started: list[StreamlitProcess] = []
    logs = []

    def start() -> StreamlitProcess:
        n = len(started)
        db = folder / f"served{n}.duckdb"
        shutil.copy(demo_path, db)
        logs.append((folder / f"streamlit{n}.log").open("w"))
        started.append(StreamlitProcess(APP, {**os.environ, "RPGDASH_DB": str(db)}, logs[-1]))
        return started[-1]

    handed: list[StreamlitProcess] = []

    def take() -> StreamlitProcess:
        if handed:
            handed[-1].stop()  # the previous visit is over
        server = started[len(handed)] if len(started) > len(handed) else start()
        handed.append(server)
        if len(started) < wanted:
            start()  # the next visit's server starts while this one is used
        return server

    try:
        yield take
    finally:
        for server in started:
            server.stop()
        for log in logs:
            log.close()


def _check_first_visit(page: Page, url: str, path: str) -> None:
    sidebar = page.locator('[data-testid="stSidebar"]')
    # Streamlit loads each kind of element's code on first use: wait for them to be drawn.
    expect(sidebar.locator('[data-testid="stNavSectionHeader"] p')).to_have_text(SECTIONS)
    current = NAV_TITLES[path or "overview"]
    expect(sidebar.locator('a[aria-current="page"] p')).to_have_text(current)
    expect(sidebar.locator('[data-testid="stSelectbox"] label')).to_have_text(["Site", "Job role"])
    expect(page).to_have_url(f"{url}/{path}")


def _wait_for_drawings(page: Page, path: str) -> None:
    if path in CHART_PAGES:
        wait_for_charts(page)
    if path in METRIC_PAGES:  # drawn once Streamlit has loaded the metric's code
        page.wait_for_selector('[data-testid="stMetricValue"]', timeout=60_000)
    if path == "model":
        page.wait_for_selector('[data-testid="stGraphVizChart"] svg', timeout=60_000)
    for label in TIMELINE.get(path, []):  # Vega draws an SVG's text after the element exists
        page.wait_for_function(
            "label => [...document.querySelectorAll('.vega-embed svg text')]"
            ".some(t => t.textContent.includes(label))",
            arg=label,
            timeout=60_000,
        )


@pytest.mark.parametrize("path", PATHS)
def test_every_page_on_its_first_visit(
    fresh_server: Callable[[], StreamlitProcess],
    browser: Browser,
    path: str,
) -> None:
    url = fresh_server().wait_healthy()
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900})
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    try:
        page.goto(f"{url}/{path}")
        wait_for_app(page)
        _check_first_visit(page, url, path)
        _wait_for_drawings(page, path)
        assert problems_on(page) == []
        violations = blocking_violations(page)
        assert violations == [], "\n".join(violations)

        cut_off = {}
        for width in WIDTHS:
            if width != WIDTHS[0]:
                page.set_viewport_size({"width": width, "height": 900})
                # Streamlit folds the sidebar away when the window narrows to a phone's.
                collapsed = "true" if width <= PHONE else "false"
                expect(page.locator('[data-testid="stSidebar"]')).to_have_attribute(
                    "data-collapsed", collapsed
                )
                if path in CHART_PAGES:
                    wait_for_charts(page)
            screenshot(page, f"{path or 'overview'}-{width}")
            cut_off[width] = cut_off_texts(page)
        assert cut_off == {width: [] for width in WIDTHS}
        assert problems_on(page) == []
    finally:
        context.close()
    assert requests, "the browser made no request at all"
    assert outside_requests(requests, url) == []
