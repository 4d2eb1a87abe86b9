"""A real `streamlit run` on a free port, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.serving import APP, CHROMIUM, CHROMIUM_ARGS, streamlit_server

ROOT = Path(__file__).resolve().parents[2]
# expect() retries until its condition holds; a loaded CI machine gets 60 s, not 5 (a deadline
# costs nothing while the condition holds, and a too-short one is a flake on a busy machine).
expect.set_options(timeout=60_000)
SCRIPT_DONE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


@pytest.fixture(scope="session")
def server(demo_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboard served from a private copy of the demo database; yields its URL."""
    folder = tmp_path_factory.mktemp("server")
    db = folder / "served.duckdb"
    shutil.copy(demo_path, db)
    env = {**os.environ, "RPGDASH_DB": str(db)}
    with (
        (folder / "streamlit.log").open("w") as log,
        streamlit_server(APP, env, log) as url,
    ):
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    p = context.new_page()
    yield p
    context.close()


def wait_for_app(page: Page, timeout: float = 120_000) -> None:
    """Wait until Streamlit has drawn a page's title and finished running the script.

    Streamlit marks its root element with the script's state; "notRunning" after a title
    exists means the run that drew it is over (stale elements are gone by then).
    """
    page.wait_for_selector('[data-testid="stMainBlockContainer"] h1', timeout=timeout)
    page.wait_for_selector(SCRIPT_DONE, timeout=timeout)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')",
        timeout=timeout,
    )


def wait_for_charts(page: Page, timeout: float = 60_000) -> None:
    """Wait until every Vega-Lite chart on the page has drawn its canvas or SVG."""
    page.wait_for_selector(".vega-embed canvas, .vega-embed svg", timeout=timeout)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.vega-embed')]"
        ".every(e => e.querySelector('canvas, svg'))",
        timeout=timeout,
    )


#: Set RPGDASH_SCREENSHOTS to a folder to keep a full-page screenshot of every page and width
#: the browser tests check (to look at them); unset, none is taken (each costs Chromium a
#: full-page paint and a PNG encode, and nothing reads them).
SCREENSHOTS = os.environ.get("RPGDASH_SCREENSHOTS")


def screenshot(page: Page, name: str) -> Path | None:
    """Save a full-page screenshot as ``name``.png in RPGDASH_SCREENSHOTS, when it is set."""
    if not SCREENSHOTS:
        return None
    path = Path(SCREENSHOTS) / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=path, full_page=True)
    return path


def problems_on(page: Page) -> list[str]:
    """Exceptions and error boxes Streamlit shows on the page."""
    found = [e.inner_text() for e in page.query_selector_all('[data-testid="stException"]')]
    found += [
        e.inner_text() for e in page.query_selector_all('[data-testid="stAlertContentError"]')
    ]
    return found
