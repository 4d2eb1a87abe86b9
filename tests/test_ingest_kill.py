"""Killing the process in the middle of storing leaves the database as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from rpgdash.db import open_db, table_checksums
from rpgdash.ingest import commit, parse_upload, preview
from tests.test_ingest_fixtures import build_fixture_db

ROOT = Path(__file__).resolve().parent.parent


def big_file(path: Path, indicators: int = 700, months: int = 300) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write("indicator,month,value\n")
        for i in range(indicators):
            f.writelines(
                f"Generated {i:04d},{2000 + m // 12}-{m % 12 + 1:02d},{(i * m) % 9973}\n"
                for m in range(months)
            )


def _ingest_command(data: Path, db_path: Path, *options: str) -> list[str]:
    """The CLI ingesting the indicators file ``data`` into ``db_path``, reporting progress."""
    return [
        sys.executable,
        "-m",
        "rpgdash.ingest.cli",
        "ingest",
        "indicators",
        str(data),
        "--db",
        str(db_path),
        *options,
        "--progress",
    ]


def _kill_when_storing(db_path: Path, data: Path) -> list[str]:
    """Store ``data`` with the CLI and SIGKILL it as soon as it reports storing."""
    command = _ingest_command(
        data, db_path, "--create-indicators", "--unit", "n", "--direction", "neutral"
    )
    proc = subprocess.Popen(
        command, cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if "Storing:" in line:  # inside the transaction
            os.kill(proc.pid, signal.SIGKILL)
            break
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, (proc.returncode, seen)
    return seen


def test_sigkill_while_storing_leaves_database_unchanged(tmp_path):
    data = tmp_path / "big.csv"
    big_file(data)
    # Storing takes a few tens of milliseconds, so on a busy machine the kill can land after
    # the commit. Each attempt must leave the upload wholly absent or wholly stored, and one
    # (the first, nearly always) must have been killed inside the transaction.
    for attempt in range(5):
        db_path = tmp_path / f"kill{attempt}.duckdb"
        build_fixture_db(db_path).close()
        with open_db(db_path) as db:
            before = table_checksums(db)
        seen = _kill_when_storing(db_path, data)
        with open_db(db_path) as db:
            if table_checksums(db) == before:
                break
            with db.cursor() as cur:  # killed after the commit: all of it is there
                assert cur.execute(
                    "SELECT count(*), count(DISTINCT (indicator_id, site_id, month)) "
                    "FROM indicator_values"
                ).fetchall() == [(210_000, 210_000)], seen
                assert cur.execute("SELECT status FROM uploads").fetchall() == [("stored",)]
    else:
        raise AssertionError("the process was never killed inside the transaction")

    # The file itself was fine: stored to the end, it is all there.
    with open_db(db_path) as db:
        parsed = parse_upload(db, data.read_bytes(), "big.csv", "indicators")
        plan = preview(db, parsed)
        new = {name: ("n", "neutral") for name in plan.unknown_indicators}
        assert commit(db, plan, new_indicators=new).added == 210_000


def test_a_killed_reading_leaves_no_copy_of_the_upload_after_the_next_run(tmp_path):
    """Issue 10, item 8: a process killed while its upload's temporary copy exists leaves it
    behind; the next reading (by any process) removes it."""
    import tempfile

    from rpgdash.ingest import reading

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    data = tmp_path / "big.csv"
    big_file(data, indicators=300, months=300)
    db_path = tmp_path / "scratch.duckdb"
    build_fixture_db(db_path).close()
    command = _ingest_command(data, db_path)
    env = {**os.environ, "TMPDIR": str(scratch)}
    for _attempt in range(5):
        proc = subprocess.Popen(
            command, cwd=ROOT, env=env, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        for line in proc.stderr:
            if "Parsing the file" in line:  # the copy is on disk until DuckDB has read it
                os.kill(proc.pid, signal.SIGKILL)
                break
        proc.wait(timeout=60)
        left = [p for p in scratch.rglob("*") if p.is_file()]
        if left:
            break
    else:
        raise AssertionError("the process was never killed while its copy existed")
    assert proc.returncode == -signal.SIGKILL
    assert any(p.name == "upload.csv" for p in left)

    # The next reading, in this process, cleans up what the killed one left.
    original = tempfile.tempdir
    tempfile.tempdir = str(scratch)
    try:
        with open_db(db_path) as db:
            parse_upload(db, b"indicator,month,value\nReferrals,2018-01,5\n", "s.csv", "indicators")
        assert reading.scratch_root() == scratch / "rpgdash-uploads"
    finally:
        tempfile.tempdir = original
    assert [p for p in scratch.rglob("*") if p.is_file()] == []
