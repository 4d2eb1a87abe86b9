"""axe-core (via axe-playwright-python) on every page of the app and on the board report.

The pages are checked on their first visit (tests/e2e/test_first_visit.py uses
:func:`blocking_violations`); this file checks the board report and holds the rules.

WCAG 2.2 AA is the bar for UK public-sector bodies. The tests fail on any serious or critical
violation in content the product controls. A violation inside Streamlit's own interface (not
our content) may be excluded only through :data:`STREAMLIT_OWNED`, one entry per rule and
element, each with the reason; the report file gets no exclusions at all.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from rpgdash.present.domains import DOMAINS
from tests.e2e.conftest import ROOT, screenshot, wait_for_app

BLOCKING = {"serious", "critical"}
AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
}

#: (rule id, CSS selector of the Streamlit element, why it is Streamlit's and not ours).
#: A violation is excused only if every node it names matches the selector.
STREAMLIT_OWNED: tuple[tuple[str, str, str], ...] = (
    # st.navigation's sidebar menu: Streamlit puts each section heading (a <div>) straight
    # inside the <ul> of page links, so the list holds non-<li> children and axe cannot tie
    # the <li>s to it. The markup is Streamlit's; the page titles are all we supply.
    ("list", '[data-testid="stSidebarNavItems"]', "Streamlit navigation menu markup"),
    ("listitem", '[data-testid="stSidebarNavItems"]', "Streamlit navigation menu markup"),
)


def page_paths() -> list[str]:
    """URL paths of every page in app.py's navigation ("" is the default page).

    app.py names most pages literally and the survey domain pages through the domain
    registry (rpgdash/present/domains.py), so both are read.
    """
    source = (ROOT / "app.py").read_text()
    pages = re.findall(r'st\.Page\(\s*"pages/(\w+)\.py"([^)]*)\)', source)
    paths = ["" if "default=True" in rest else name for name, rest in pages]
    assert "for d in DOMAINS" in source, "app.py no longer reads the domain registry"
    return paths[:1] + [Path(d.page).stem for d in DOMAINS] + paths[1:]


PATHS = page_paths()


def _excused(violation: dict) -> bool:
    selectors = [sel for rule, sel, _ in STREAMLIT_OWNED if rule == violation["id"]]
    if not selectors:
        return False
    return all(any(_matches(node, sel) for sel in selectors) for node in violation["nodes"])


def _matches(node: dict, selector: str) -> bool:
    return node.get("_matched", {}).get(selector, False)


def _mark_matches(page: Page, violations: list[dict]) -> None:
    """Ask the browser whether each violating node lies inside an excluded Streamlit element."""
    for violation in violations:
        for node in violation["nodes"]:
            target = node["target"][0] if node["target"] else None
            node["_matched"] = {
                sel: bool(
                    target
                    and page.evaluate(
                        "([t, s]) => { const e = document.querySelector(t); "
                        "return !!(e && e.closest(s)); }",
                        [target, sel],
                    )
                )
                for _, sel, _ in STREAMLIT_OWNED
            }


def blocking_violations(page: Page) -> list[str]:
    """Serious or critical axe violations on the page, minus the excused Streamlit ones."""
    results = Axe().run(page, options=AXE_OPTIONS)
    violations = [v for v in results.response["violations"] if v["impact"] in BLOCKING]
    _mark_matches(page, violations)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(", ".join(n["target"]) for n in v["nodes"][:5])
        for v in violations
        if not _excused(v)
    ]


def test_the_page_list_covers_the_navigation() -> None:
    assert set(PATHS) >= {"", "evidence", "model", "upload", "about", "indicators"}
    assert {"professional", "self_efficacy", "relationships"} <= set(PATHS)
    # Every st.Page( in app.py is one page, except the one that makes the domain pages.
    literal = (ROOT / "app.py").read_text().count("st.Page(") - 1
    assert len(PATHS) == literal + len(DOMAINS) == len(set(PATHS))


@pytest.mark.xdist_group("report")  # the worker that has built the report already
def test_no_accessibility_violations_in_the_board_report(
    board_report: str, page: Page, tmp_path: Path
) -> None:
    report = tmp_path / "report.html"
    report.write_text(board_report, encoding="utf-8")
    page.goto(report.as_uri())
    page.wait_for_selector("h1")
    results = Axe().run(page, options=AXE_OPTIONS)
    found = [
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(", ".join(n["target"]) for n in v["nodes"][:5])
        for v in results.response["violations"]
    ]
    screenshot(page, "board-report")
    assert found == [], "\n".join(found)


def test_the_overview_download_is_the_board_report(server: str, page: Page) -> None:
    page.goto(server)
    wait_for_app(page)
    button = page.get_by_role("button", name="Download the board report (HTML)")
    # The report is built when the button is pressed: seconds, or a minute on a busy machine.
    with page.expect_download(timeout=180_000) as download:
        button.click()
    saved = Path(download.value.path()).read_text(encoding="utf-8")
    assert download.value.suggested_filename.startswith("rpg-board-report_demo-local-authority_")
    assert saved.startswith('<!DOCTYPE html>\n<html lang="en-GB">')
    assert "Headline findings" in saved and "Data provenance" in saved
