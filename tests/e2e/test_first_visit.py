"""Every page, visited first thing on a fresh `streamlit run app.py`, in Chromium.

Streamlit treats a fresh process's first run as its old automatic page list (pages/ sits next
to app.py) until st.navigation has run once; rpgdash/ui/routing.py makes that run go through
app.py all the same. Each test starts its own server, so its visit is the process's first,
and checks what every visit must show: app.py's page list with this page current, the Site
and Job role filters, no error box, every chart drawn, and no serious or critical axe-core
violation (WCAG 2.2 AA; see test_accessibility.py).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from rpgdash.present.domains import DOMAINS
from tests.e2e.conftest import ROOT, problems_on, wait_for_app, wait_for_charts
from tests.e2e.test_accessibility import PATHS, blocking_violations
from tests.serving import APP, streamlit_server

APP_SOURCE = (ROOT / "app.py").read_text()
SECTIONS = ["Survey", "Organisation", "Evidence", "Data"]  # app.py's st.navigation
NAV_TITLES = dict(re.findall(r'st\.Page\(\s*"pages/(\w+)\.py", title="([^"]+)"', APP_SOURCE))
NAV_TITLES.update({Path(d.page).stem: d.title for d in DOMAINS})  # app.py reads the registry
CHART_PAGES = {"", "professional", "self_efficacy", "relationships", "indicators", "workforce"}


@pytest.mark.parametrize("path", PATHS)
def test_the_first_visit_to_each_page(
    demo_path: Path, tmp_path: Path, page: Page, path: str
) -> None:
    db = tmp_path / "served.duckdb"
    shutil.copy(demo_path, db)
    env = {**os.environ, "RPGDASH_DB": str(db)}
    with (tmp_path / "streamlit.log").open("w") as log, streamlit_server(APP, env, log) as url:
        page.goto(f"{url}/{path}")
        wait_for_app(page)
        sidebar = page.locator('[data-testid="stSidebar"]')
        # Streamlit loads each kind of element's code on first use: wait for them to be drawn.
        expect(sidebar.locator('[data-testid="stNavSectionHeader"] p')).to_have_text(SECTIONS)
        current = NAV_TITLES[path or "overview"]
        expect(sidebar.locator('a[aria-current="page"] p')).to_have_text(current)
        expect(sidebar.locator('[data-testid="stSelectbox"] label')).to_have_text(
            ["Site", "Job role"]
        )
        expect(page).to_have_url(f"{url}/{path}")
        if path in CHART_PAGES:
            wait_for_charts(page)
        if path == "model":
            page.wait_for_selector('[data-testid="stGraphVizChart"] svg', timeout=30_000)
        assert problems_on(page) == []
        found = blocking_violations(page)
        page.screenshot(path=tmp_path / f"{path or 'overview'}.png", full_page=True)
    assert found == [], "\n".join(found)
