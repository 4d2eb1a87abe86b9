"""Issue 10, item 9: init-demo --force never replaces a database in use or loses uploads."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from rpgdash import ingest
from rpgdash.db import DatabaseBusyError, open_db, table_checksums
from rpgdash.demo import init_demo
from tests.conftest import ROOT


def _hold(path: Path, read_only: bool = False) -> subprocess.Popen:
    """A second process holding the database open (as the running dashboard does)."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import duckdb, sys
            con = duckdb.connect({str(path)!r}, read_only={read_only})
            print("held", flush=True)
            sys.stdin.readline()
            """),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    return holder


def _init_demo_cli(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "rpgdash", "init-demo", "--force", "--db", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )


def _upload(path: Path) -> None:
    with open_db(path) as db:
        parsed = ingest.parse_upload(
            db, b"indicator,month,value\nReferrals,2019-01,321\n", "jan.csv", "indicators"
        )
        ingest.commit(db, ingest.preview(db, parsed))


@pytest.mark.parametrize("read_only", [False, True])
def test_force_refuses_while_another_process_holds_the_database(tmp_path, read_only) -> None:
    path = init_demo(tmp_path / "served.duckdb", precompute=False)
    _upload(path)
    before = path.read_bytes()
    holder = _hold(path, read_only=read_only)
    try:
        result = _init_demo_cli(path)
    finally:
        holder.communicate("\n", timeout=30)
    assert result.returncode == 2
    assert "in use by another program" in result.stderr and "nothing was changed" in result.stderr
    assert "Traceback" not in result.stderr
    assert path.read_bytes() == before
    assert list(tmp_path.iterdir()) == [path]  # no backup, no half-built file left


def test_force_keeps_a_copy_of_a_database_that_holds_uploads(tmp_path) -> None:
    path = init_demo(tmp_path / "rpgdash.duckdb", precompute=False)
    _upload(path)
    with open_db(path, read_only=True) as db:
        before = table_checksums(db)
    result = _init_demo_cli(path)
    assert result.returncode == 0, result.stderr
    backups = list(tmp_path.glob("rpgdash.duckdb.bak-*"))
    assert len(backups) == 1
    assert str(backups[0]) in result.stdout
    with open_db(backups[0], read_only=True) as db:
        assert table_checksums(db) == before
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("SELECT count(*) FROM uploads").fetchall() == [(0,)]
    con.close()


def test_force_without_uploads_replaces_without_a_copy(tmp_path) -> None:
    path = init_demo(tmp_path / "rpgdash.duckdb", precompute=False)
    copies = []
    init_demo(path, force=True, seed=3, on_backup=copies.append, precompute=False)
    assert copies == [] and list(tmp_path.glob("*.bak-*")) == []


def test_force_keeps_a_copy_of_a_file_it_cannot_read(tmp_path) -> None:
    path = tmp_path / "rpgdash.duckdb"
    path.write_bytes(b"not a database" * 100)
    copies = []
    init_demo(path, force=True, on_backup=copies.append, precompute=False)
    assert len(copies) == 1 and copies[0].read_bytes() == b"not a database" * 100


def test_the_library_raises_the_busy_error(tmp_path) -> None:
    path = init_demo(tmp_path / "x.duckdb", precompute=False)
    holder = _hold(path)
    try:
        with pytest.raises(DatabaseBusyError, match="was not replaced"):
            init_demo(path, force=True, precompute=False)
    finally:
        holder.communicate("\n", timeout=30)
