"""Issue 10, item 2: every page works for every stored site, whatever it holds or lacks."""

from __future__ import annotations

import re
import shutil
from html import unescape
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from rpgdash.db import open_db
from rpgdash.queries import default_site
from tests.conftest import ROOT, shared_app_env
from tests.hardening_support import add_odd_sites
from tests.test_pages import PAGES

# One xdist worker runs this file: its odd-sites demo is built once, and its pages share warm
# caches.
pytestmark = pytest.mark.xdist_group("hardening_sites")


@pytest.fixture(scope="module")
def odd_db(demo_path: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """The demo with the odd sites added, built once for this file."""
    path = Path(shutil.copy(demo_path, tmp_path_factory.mktemp("odd") / "odd.duckdb"))
    return path, add_odd_sites(path)


@pytest.fixture(scope="module")
def _odd_app_db(odd_db: tuple[Path, dict], tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Path(shutil.copy(odd_db[0], tmp_path_factory.mktemp("odd-app") / "odd.duckdb"))


@pytest.fixture
def odd_env(odd_db, _odd_app_db: Path, monkeypatch: pytest.MonkeyPatch):
    """The app on one copy of the odd-sites demo, shared by this file's page tests (they only
    read, and share the app's warm caches; a test that wrote would fail)."""
    for path in shared_app_env(monkeypatch, _odd_app_db):
        yield path, odd_db[1]


def _problems(at: AppTest) -> list[str]:
    return [e.value for e in at.exception] + [e.value for e in at.error]


@pytest.mark.page  # AppTest runs of the app's pages (odd_env does not go through app_env)
@pytest.mark.parametrize("page", PAGES)
def test_every_page_works_for_every_site(odd_env, page: str) -> None:
    _, names = odd_env
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    assert _problems(at) == []
    at.switch_page(page).run()
    sites = at.selectbox(key="site").options
    assert set(names.values()) <= set(sites)
    for site in sites:
        at.selectbox(key="site").set_value(site).run()
        assert _problems(at) == [], (page, site)
        assert at.title, (page, site)


@pytest.mark.page
def test_the_default_site_is_the_first_local_authority_with_data(odd_env) -> None:
    path, names = odd_env
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    # The odd sites sort first by name; the demo's own site was stored first and has data.
    assert at.selectbox(key="site").options[0] == names["empty"]
    assert at.selectbox(key="site").value == "Demo local authority"


def test_default_site_skips_sites_without_data(tmp_path) -> None:
    with open_db(tmp_path / "x.duckdb") as db:
        assert default_site(db) is None
        with db.transaction() as cur:
            cur.execute("INSERT INTO sites (name) VALUES ('Z first stored, empty')")
            cur.execute("INSERT INTO sites (name, kind) VALUES ('England', 'national')")
        assert default_site(db) == "Z first stored, empty"
        with db.transaction() as cur:
            cur.execute("INSERT INTO sites (name) VALUES ('Y with workforce')")
            cur.execute(
                "INSERT INTO workforce (site_id, year, measure, value) "
                "SELECT site_id, 2019, 'Turnover', 10 FROM sites WHERE name = 'Y with workforce'"
            )
            cur.execute(
                "INSERT INTO workforce (site_id, year, measure, value) "
                "SELECT site_id, 2019, 'Turnover', 10 FROM sites WHERE name = 'England'"
            )
        assert default_site(db) == "Y with workforce"


def test_the_board_report_builds_for_every_site(odd_db) -> None:
    from rpgdash.report import build_report

    path, names = odd_db
    with open_db(path, read_only=True) as db:
        for site in [*names.values(), "Demo local authority"]:
            html = build_report(db, site=site, role="All roles", min_group=5)
            assert "<html" in html.lower(), site
            # the line every page of the PDF carries (tests/test_report_pdf.py lays it out)
            footers = re.findall(r'<p class="running-footer">(.*?)</p>', html)
            assert [unescape(f).split(" \u00b7 ")[:2] for f in footers] == [
                [site, "Job role: All roles"]
            ], site
