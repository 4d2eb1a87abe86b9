"""Every width (issue 11, item 5): no metric, page link or heading cut off at 1280, 1024, 390 px.

A text is cut off when its box is narrower than its text and hides the rest (an ellipsis or
hidden overflow). Every page is checked at every width on its one visit in
test_first_visit.py (the window is resized there; RPGDASH_SCREENSHOTS=folder keeps screenshots).
This file holds the check, and loads a page at phone width, where the sidebar must start
collapsed (the resized visits check that it collapses when the window narrows).
"""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import problems_on, screenshot, wait_for_app

WIDTHS = (1280, 1024, 390)
PHONE = 390
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


def cut_off_texts(page: Page) -> list[str]:
    """The metrics, page links and headings on the page whose text is cut off."""
    return page.evaluate(CUT_OFF)


def test_the_sidebar_starts_collapsed_on_a_phone(server: str, browser: Browser) -> None:
    context = browser.new_context(viewport={"width": PHONE, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{server}/about")  # a light page: this test is about the frame
        wait_for_app(page)
        expect(page.locator('[data-testid="stSidebar"]')).to_have_attribute(
            "data-collapsed", "true"
        )
        expect(page.locator('[data-testid="stExpandSidebarButton"]')).to_be_visible()
        screenshot(page, f"about-{PHONE}")
        assert problems_on(page) == []
        assert cut_off_texts(page) == []
    finally:
        context.close()
