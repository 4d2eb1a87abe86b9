"""Shared fixtures: one demo database per test session, copied where a test writes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rpgdash.db import Database, open_db
from rpgdash.demo import init_demo

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo database built once; tests must not write to it (use ``writable_demo``)."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    init_demo(path)
    return path


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
