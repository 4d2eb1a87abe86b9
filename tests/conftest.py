"""Shared fixtures, markers and Hypothesis profiles.

Expensive things are built once per test session (per xdist worker): the demo database, the
three-site demo and the board report. AppTest tests that only read share one copy of the demo
(``reading_app_env``), so the app's caches, which are keyed by the file's path, stay warm.
Tests that share a session-wide resource that is slow to start run on one worker together
(``xdist_group``; `make test` uses ``--dist loadgroup``): every browser test (one Streamlit
server, one Chromium), and every test of the board report (one build).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from _pytest.nodeid import NodeId
from hypothesis import HealthCheck, settings

from rpgdash.db import Database, open_db
from rpgdash.demo import init_demo

ROOT = Path(__file__).resolve().parent.parent
# The board-pack worker builds at the server's priority in the suite (the product lowers it by
# 10 so that other sessions' pages stay fast). With a core kept busy by another process, a
# niced worker gets a tenth of a core, and the tests that wait for a pack wait ten times as
# long. Servers and workers the tests start inherit this. test_report_pdf checks the setting.
os.environ.setdefault("RPGDASH_REPORT_NICENESS", "0")
# Storing the survey pages' views costs about 2 s of CPU per demo built and 1-2 s per survey
# upload or revert, and most databases the tests build are never shown. So the suite stores
# only the statistics, except in the shared demo (demo_path, built with its views as
# `make run` builds it), which most page tests read, and in tests/test_survey_views.py.
os.environ.setdefault("RPGDASH_STORE_VIEWS", "0")
REPORT_TIME = dt.datetime(2025, 3, 1, 9, 30)


def _scan_installed_components_once() -> None:
    """Every new AppTest scans the metadata of every installed package for Streamlit
    components (``discover_and_register_components``): about 0.1 s of CPU each time, for each
    of the suite's several hundred AppTests. Nothing is installed while the suite runs, so
    each process scans once. tests/test_suite_support.py checks this is still in effect.
    """
    from streamlit.components.v2 import manifest_scanner

    scan = manifest_scanner.scan_component_manifests
    if not hasattr(scan, "cache_info"):
        manifest_scanner.scan_component_manifests = functools.cache(scan)


_scan_installed_components_once()

# "ci" (the default): a fixed, modest number of examples drawn the same way on every run, so
# a run's outcome never depends on luck or on machine speed. "thorough" for hunting bugs
# locally: HYPOTHESIS_PROFILE=thorough .venv/bin/python -m pytest -m "not browser and not page".
settings.register_profile(
    "ci",
    max_examples=50,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile("thorough", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/e2e/ drives Chromium: mark it, and keep it on one worker unless
    its file names another group (test_first_visit.py has a worker of its own).

    A test that asks for ``app_env`` or ``reading_app_env`` runs the app's pages with AppTest:
    mark it ``page``.
    """
    for item in items:
        if "e2e" in item.path.relative_to(ROOT).parts[:2]:
            item.add_marker(pytest.mark.browser)
            if not any(item.iter_markers("xdist_group")):
                item.add_marker(pytest.mark.xdist_group("browser"))
        if {"app_env", "reading_app_env"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.page)
    if getattr(items[0].config.option, "loadgroup", False) if items else False:
        _name_groups_in_node_ids(items)


def _name_groups_in_node_ids(items: list[pytest.Item]) -> None:
    """Append ``@<group>`` to each grouped test's node id, which is how a worker tells the
    ``--dist loadgroup`` scheduler a test's group.

    pytest-xdist 3.8 does this by assigning ``item._nodeid``, which pytest 9.2 no longer
    reads (node ids are structured ``NodeId``s now), so without this every xdist_group is
    silently ignored and the browser tests spread over both workers, each starting its own
    Chromium and server (pytest-xdist issue #1386). Remove once xdist sets the id itself.
    """
    for item in items:
        groups = sorted(
            {
                str(m.args[0] if m.args else m.kwargs.get("name", "default"))
                for m in item.iter_markers("xdist_group")
            }
        )
        suffix = "@" + "_".join(groups)
        if groups and not item.nodeid.endswith(suffix):
            item._id = NodeId.parse(item.nodeid + suffix)
            if item.nodeid != str(item._id):  # pytest changed how it stores node ids again
                raise pytest.UsageError(f"cannot name the xdist group of {item.nodeid}")


def add_copied_wave(cur, *, score: str = "r.score") -> None:
    """Store the +3 years answers again as a later comparable "+5 years" wave (ids offset by
    100000); ``score`` is the SQL of each copied answer, so a test can change some."""
    cur.execute(
        "INSERT INTO waves (label, fieldwork_start, fieldwork_end, wave_order, comparable) "
        "VALUES ('+5 years', DATE '2020-11-01', DATE '2021-03-31', 3, TRUE)"
    )
    cur.execute(
        "INSERT INTO respondents (respondent_id, site_id, wave_id, role_id, external_id) "
        "SELECT respondent_id + 100000, site_id, (SELECT wave_id FROM waves "
        "WHERE label = '+5 years'), role_id, external_id FROM respondents "
        "WHERE wave_id = (SELECT wave_id FROM waves WHERE label = '+3 years')"
    )
    cur.execute(
        f"INSERT INTO responses SELECT r.respondent_id + 100000, r.statement_id, {score} "
        "FROM responses r JOIN respondents p USING (respondent_id) "
        "WHERE p.wave_id = (SELECT wave_id FROM waves WHERE label = '+3 years')"
    )


@pytest.fixture(scope="session")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo database built once, with its survey views stored as the product stores them;
    tests must not write to it (use ``writable_demo``)."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RPGDASH_STORE_VIEWS", "1")
        init_demo(path)
    return path


@pytest.fixture(scope="session")
def three_site_demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo at scale 3 (three sites), built once; tests must not write to it (copy it)."""
    return init_demo(tmp_path_factory.mktemp("three") / "three.duckdb", scale=3)


@pytest.fixture
def demo_db(demo_path: Path) -> Database:
    db = open_db(demo_path, read_only=True)
    yield db
    db.close()


@pytest.fixture
def writable_demo(demo_path: Path, tmp_path: Path) -> Path:
    """A private copy of the demo database that a test may change."""
    copy = tmp_path / "demo.duckdb"
    shutil.copy(demo_path, copy)
    return copy


@pytest.fixture
def app_env(monkeypatch: pytest.MonkeyPatch, writable_demo: Path) -> Path:
    """Point the app at a private demo copy (for AppTest)."""
    monkeypatch.setenv("RPGDASH_DB", str(writable_demo))
    monkeypatch.chdir(ROOT)
    return writable_demo


@pytest.fixture(scope="session")
def _shared_app_db(demo_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("shared-app") / "demo.duckdb"
    shutil.copy(demo_path, copy)
    return copy


def _app_data_version(path: Path) -> str:
    """The data version of ``path`` as the app's own connection sees it (the one AppTest
    opened: DuckDB refuses a second connection with another configuration in one process)."""
    from rpgdash import settings, ui
    from rpgdash.db import data_version

    return data_version(ui._open(str(path), settings.get("read_only")))


def shared_app_env(monkeypatch: pytest.MonkeyPatch, path: Path) -> Iterator[Path]:
    """Point the app at ``path``, a database file shared by tests that only read (for AppTest);
    fail the test if its data changed. Yield from a function-scoped fixture."""
    monkeypatch.setenv("RPGDASH_DB", str(path))
    monkeypatch.chdir(ROOT)
    before = _app_data_version(path)
    yield path
    after = _app_data_version(path)
    assert after == before, f"a test that shares {path.name} (for reading only) wrote to it"


@pytest.fixture
def reading_app_env(monkeypatch: pytest.MonkeyPatch, _shared_app_db: Path) -> Iterator[Path]:
    """Point the app at a demo copy shared by every test that only reads (for AppTest).

    The app caches its reads by the database's path (``rpgdash.ui``), so tests that share one
    path share warm caches: each page's data are computed once per worker instead of once per
    test (``app_env`` gives a test its own copy, and so cold caches). A test that writes must
    use ``app_env``: this fixture fails the test if the shared copy's data changed. (While the
    app holds the file open, read the expected figures from ``demo_path``: DuckDB refuses a
    second connection to one file with another configuration in one process.)
    """
    yield from shared_app_env(monkeypatch, _shared_app_db)


@pytest.fixture(scope="session")
def board_report(demo_path: Path) -> str:
    """The demo's board report (all roles, generated at REPORT_TIME), built once."""
    from rpgdash.report import build_report

    with open_db(demo_path, read_only=True) as db:
        return build_report(db, generated_at=REPORT_TIME)
