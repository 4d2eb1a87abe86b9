"""Chromium against a real server: the role filter changes the figures and persists.

(Every page's one visit with its per-page checks, the time charts' timeline events among
them, is in test_first_visit.py.)"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import SCRIPT_DONE, problems_on, wait_for_app


def choose_role(page: Page, role: str) -> None:
    """Pick a job role in the sidebar; the caller waits for what the rerun should show."""
    box = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(
        has_text="Job role"
    )
    box.click()
    page.locator('[role="option"]').filter(has_text=role).first.click()
    # A role no wave can show is listed as "Other (too few responses)".
    shown = re.compile(f"^{re.escape(role)}( \\(too few responses\\))?$")
    expect(page.locator('[data-testid="stSidebar"] input[aria-label="Job role"]')).to_have_value(
        shown
    )


def shown_for(page: Page, role: str) -> Locator:
    """The line a survey page draws for the chosen role: its n, or why nothing is shown."""
    return page.get_by_text(re.compile(f"^{role} · n =|^No results are shown for {role}")).first


@pytest.mark.parametrize("path", ["professional", "relationships"])
def test_role_filter_changes_the_figures(server: str, page: Page, path: str) -> None:
    page.goto(f"{server}/{path}")
    wait_for_app(page)
    caption_before = page.locator('[data-testid="stCaptionContainer"]').all_inner_texts()
    choose_role(page, "Team manager")
    # The caption under the summary names the role and its n once the rerun has finished.
    page.get_by_text("Team manager · n =").wait_for(timeout=60_000)
    page.wait_for_selector(SCRIPT_DONE)
    caption_after = page.locator('[data-testid="stCaptionContainer"]').all_inner_texts()
    assert caption_after != caption_before
    assert problems_on(page) == []
    choose_role(page, "Other")  # too few respondents: a plain refusal, no numbers
    page.get_by_text("No results are shown for Other").wait_for(timeout=60_000)
    page.wait_for_selector(SCRIPT_DONE)  # the run is over: the last role's figures are gone
    main = page.locator('[data-testid="stMainBlockContainer"]')
    expect(main).not_to_contain_text("n =")
    expect(main).not_to_contain_text("Mean (")
    assert problems_on(page) == []


def test_role_choice_persists_between_pages(server: str, page: Page) -> None:
    page.goto(f"{server}/professional")
    wait_for_app(page)
    choose_role(page, "Lead practitioner")
    shown_for(page, "Lead practitioner").wait_for(timeout=60_000)
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text="Relationships").click()
    expect(page.locator('[data-testid="stMainBlockContainer"] h1')).to_have_text(
        "Relationships", timeout=60_000
    )
    wait_for_app(page)
    chosen = page.locator('[data-testid="stSidebar"] input[aria-label="Job role"]')
    expect(chosen).to_have_value("Lead practitioner")
    shown_for(page, "Lead practitioner").wait_for(timeout=60_000)
