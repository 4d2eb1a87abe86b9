"""Every width (issue 11, item 5): no metric, page link or heading cut off at 1280, 1024, 390 px.

A text is cut off when its box is narrower than its text and hides the rest (an ellipsis or
hidden overflow). Screenshots of each page at each width are saved under the test's tmp dir.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.e2e.conftest import problems_on, wait_for_app

WIDTHS = (1280, 1024, 390)
PAGES = ("", "indicators", "workforce", "professional")
CUT_OFF = """() => {
  const sel = '[data-testid="stMetricValue"], [data-testid="stMetricLabel"], '
    + '[data-testid="stMetricDelta"], [data-testid="stPageLink"] a, '
    + '[data-testid="stMainBlockContainer"] h1, [data-testid="stMainBlockContainer"] h2, '
    + '[data-testid="stMainBlockContainer"] h3';
  const out = [];
  for (const el of document.querySelectorAll(sel)) {
    for (const e of [el, ...el.querySelectorAll('*')]) {
      const s = getComputedStyle(e);
      const hides = s.overflow !== 'visible' || s.overflowX !== 'visible'
        || s.textOverflow === 'ellipsis';
      if (e.scrollWidth > e.clientWidth + 1 && hides) { out.push(el.innerText.trim()); break; }
    }
  }
  return out;
}"""


@pytest.mark.parametrize("width", WIDTHS)
def test_no_text_is_cut_off(server: str, browser: Browser, width: int, tmp_path: Path) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        for slug in PAGES:
            page.goto(f"{server}/{slug}")
            wait_for_app(page)
            if slug in ("", "indicators", "workforce"):  # pages with metric cards
                page.wait_for_selector('[data-testid="stMetricValue"]', timeout=60_000)
            page.screenshot(
                path=str(tmp_path / f"{slug or 'overview'}-{width}.png"), full_page=True
            )
            assert not problems_on(page), (slug, width, problems_on(page))
            assert page.evaluate(CUT_OFF) == [], (slug, width)
        if width == 390:  # the sidebar starts collapsed on a phone
            sidebar = page.query_selector('[data-testid="stSidebar"]')
            assert sidebar is None or sidebar.get_attribute("aria-expanded") != "true"
    finally:
        context.close()
