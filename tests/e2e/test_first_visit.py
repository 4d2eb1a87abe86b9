"""`streamlit run app.py`, fresh, and a first visit straight to a page's own address.

Streamlit treats a fresh process's first run as its old automatic page list (pages/ sits next
to app.py) until st.navigation has run once; rpgdash/ui/routing.py makes that run go through
app.py all the same. Each test starts its own server, so its visit is the process's first.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ROOT, problems_on, wait_for_app
from tests.e2e.test_accessibility import PATHS
from tests.serving import APP, streamlit_server

APP_SOURCE = (ROOT / "app.py").read_text()
SECTIONS = ["Survey", "Organisation", "Evidence", "Data"]  # app.py's st.navigation
NAV_TITLES = dict(re.findall(r'st\.Page\(\s*"pages/(\w+)\.py", title="([^"]+)"', APP_SOURCE))


@pytest.mark.parametrize("path", [p for p in PATHS if p])
def test_the_first_visit_to_a_page_is_drawn_inside_app_py(
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
        expect(sidebar.locator('a[aria-current="page"] p')).to_have_text(NAV_TITLES[path])
        expect(sidebar.locator('[data-testid="stSelectbox"] label')).to_have_text(
            ["Site", "Job role"]
        )
        expect(page).to_have_url(f"{url}/{path}")
        assert problems_on(page) == []
