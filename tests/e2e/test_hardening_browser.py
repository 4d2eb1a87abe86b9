"""Issue 10, items 4 and 11 in Chromium: stored text fetches and links nothing; all stays local.

A trap HTTP server on 127.0.0.1 stands in for an attacker's host: every stored name carries
Markdown and HTML pointing at it. The browser visits every page; the trap must receive no
request, no link or image may point at it, and every request the page makes must go to the
dashboard itself (no font host, no CDN). (The same holds for the plain demo: every page's
one visit in test_first_visit.py checks its requests.)
"""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Page

from tests.e2e.conftest import problems_on, wait_for_app
from tests.e2e.test_accessibility import PATHS as PAGES
from tests.hardening_support import inject_payload, payload
from tests.serving import APP, outside_requests, streamlit_server, trap_server

_TARGETS = (
    "els => els.map(e => e.getAttribute('href') || e.getAttribute('src') || "
    "e.getAttribute('xlink:href') || e.getAttribute('srcset') || '')"
)


def _visit_every_page(page: Page, url: str) -> tuple[list[str], dict[str, list[str]], set[str]]:
    """Visit every page: the URL of every request, each page's link and image targets, and
    the pages whose text shows the escaped payload."""
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    targets: dict[str, list[str]] = {}
    showing: set[str] = set()
    for path in PAGES:
        page.goto(f"{url}/{path}")
        wait_for_app(page)
        problems = problems_on(page)
        assert problems == [], (path, problems)
        assert "Traceback" not in page.content(), path
        targets[path] = page.eval_on_selector_all(
            "a[href], img[src], image, source, iframe, use", _TARGETS
        )
        if page.get_by_text("Leak ![p](http").count():
            showing.add(path)
    return requests, targets, showing


def test_injected_names_fetch_nothing_and_link_nowhere(
    demo_path: Path, tmp_path: Path, page: Page
) -> None:
    with trap_server() as (port, hits):
        db = tmp_path / "hostile.duckdb"
        inject_payload(demo_path, db, payload(port))
        env = {**os.environ, "RPGDASH_DB": str(db)}
        with (
            (tmp_path / "streamlit.log").open("w") as log,
            streamlit_server(APP, env, log) as url,
        ):
            requests, targets, showing = _visit_every_page(page, url)
            host = f"127.0.0.1:{port}"
            assert {p: [t for t in ts if host in t] for p, ts in targets.items()} == {
                p: [] for p in PAGES
            }
            # The payload is on the pages as text, so the check above had something to find.
            assert {"", "indicators", "workforce", "evidence", "model"} <= showing
        assert hits == []
        assert [r for r in requests if host in r] == []
        assert outside_requests(requests, url) == []
