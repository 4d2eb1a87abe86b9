"""Issue 10, item 11: viewers never see where the server keeps its files."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from rpgdash.text import without_server_paths
from tests.conftest import ROOT


@pytest.mark.parametrize(
    ("message", "shown"),
    [
        (
            "The database /srv/rpg/data/rpgdash.duckdb is in use.",
            "The database rpgdash.duckdb is in use.",
        ),
        ("at /tmp/x/a b.csv", "at a b.csv"),
        ("open http://127.0.0.1:8501/upload", "open http://127.0.0.1:8501/upload"),
        ("a ratio 3/4 and ./data/x.duckdb", "a ratio 3/4 and ./data/x.duckdb"),
    ],
)
def test_absolute_paths_become_file_names(message, shown) -> None:
    assert without_server_paths(message) == shown


@pytest.mark.parametrize("kind", ["unreadable", "missing"])
def test_database_errors_on_the_page_name_no_server_path(tmp_path, monkeypatch, kind) -> None:
    path = tmp_path / "hidden-folder" / "rpgdash.duckdb"
    path.parent.mkdir()
    if kind == "unreadable":
        path.write_bytes(b"this is not a DuckDB file" * 100)
    else:
        monkeypatch.setenv("RPGDASH_READ_ONLY", "1")  # read-only: a missing file is an error
    monkeypatch.setenv("RPGDASH_DB", str(path))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception
    shown = " ".join(e.value for e in at.error)
    assert "rpgdash\\.duckdb" in shown or "rpgdash.duckdb" in shown
    assert str(tmp_path) not in shown and "hidden-folder" not in shown
