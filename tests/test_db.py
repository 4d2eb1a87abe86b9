"""Schema, migrations, locking and the write path."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import duckdb
import pytest

from rpgdash import db as dbmod
from rpgdash.db import (
    SCHEMA_VERSION,
    DatabaseBusyError,
    DatabaseError,
    SchemaTooNewError,
    open_db,
    schema_version,
    table_checksums,
)

EXPECTED_TABLES = {
    "schema_version",
    "sites",
    "waves",
    "wave_sites",
    "roles",
    "statements",
    "respondents",
    "responses",
    "indicators",
    "indicator_values",
    "workforce",
    "events",
    "notes",
    "uploads",
    "upload_changes",
    "survey_results",
}


def _tables(path: Path) -> set[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {
            r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
        }
    finally:
        con.close()


def test_new_file_gets_every_table_and_the_current_version(tmp_path: Path) -> None:
    path = tmp_path / "new.duckdb"
    open_db(path).close()
    assert _tables(path) >= EXPECTED_TABLES
    con = duckdb.connect(str(path))
    assert schema_version(con) == SCHEMA_VERSION
    con.close()


def test_every_table_is_documented_in_the_module_docstring() -> None:
    for table in EXPECTED_TABLES:
        assert f"``{table}``" in dbmod.__doc__, table


def test_older_database_is_upgraded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "old.duckdb"
    extra = "CREATE TABLE extra_for_test (x INTEGER);"
    # An "old" file: only the first migration applied.
    monkeypatch.setattr(dbmod, "MIGRATIONS", dbmod.MIGRATIONS[:1])
    monkeypatch.setattr(dbmod, "SCHEMA_VERSION", 1)
    open_db(path).close()
    # The product now knows one more migration: opening the file applies it once.
    monkeypatch.setattr(dbmod, "MIGRATIONS", (*dbmod.MIGRATIONS, extra))
    monkeypatch.setattr(dbmod, "SCHEMA_VERSION", 2)
    with open_db(path) as db, db.cursor() as cur:
        assert "extra_for_test" in {
            r[0] for r in cur.execute("SELECT table_name FROM information_schema.tables").fetchall()
        }
        assert cur.execute("SELECT max(version) FROM schema_version").fetchall()[0][0] == 2
    open_db(path).close()  # a second open does not re-run it (it would fail: table exists)


def test_newer_database_is_refused_and_left_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "newer.duckdb"
    with open_db(path) as db, db.transaction() as cur:
        cur.execute("INSERT INTO schema_version (version) VALUES (?)", [SCHEMA_VERSION + 5])
    before = path.read_bytes()
    with pytest.raises(SchemaTooNewError) as err:
        open_db(path)
    assert str(err.value) == (
        f"The database {path} has schema version {SCHEMA_VERSION + 5}, but this version of "
        f"the dashboard understands up to version {SCHEMA_VERSION}. Upgrade the dashboard "
        "(git pull, then make run); the file was not changed."
    )
    assert path.read_bytes() == before


def test_read_only_open_of_a_missing_file_says_how_to_build_one(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match="init-demo"):
        open_db(tmp_path / "absent.duckdb", read_only=True)


def test_a_file_held_by_another_process_is_reported_in_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "held.duckdb"
    open_db(path).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import duckdb, sys, time
            con = duckdb.connect({str(path)!r})
            print("held", flush=True)
            sys.stdin.readline()
        """),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(DatabaseBusyError) as err:
            open_db(path)
        assert "in use by another program" in str(err.value)
        assert "nothing was written" in str(err.value)
    finally:
        holder.communicate("\n", timeout=30)


def test_a_failed_transaction_leaves_nothing_behind(tmp_path: Path) -> None:
    with open_db(tmp_path / "t.duckdb") as db:
        before = table_checksums(db)
        with pytest.raises(RuntimeError), db.transaction() as cur:
            cur.execute("INSERT INTO sites (name) VALUES ('Half written')")
            raise RuntimeError("interrupted")
        assert table_checksums(db) == before


def test_writes_from_many_threads_are_serialised(tmp_path: Path) -> None:
    with open_db(tmp_path / "threads.duckdb") as db:
        errors: list[BaseException] = []

        def write(i: int) -> None:
            try:
                with db.transaction() as cur:
                    cur.execute("INSERT INTO sites (name) VALUES (?)", [f"site {i}"])
            except BaseException as exc:  # collected and asserted below
                errors.append(exc)

        threads = [threading.Thread(target=write, args=(i,)) for i in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        with db.cursor() as cur:
            assert cur.execute("SELECT count(*) FROM sites").fetchall()[0][0] == 20


def test_read_only_database_refuses_writes(demo_db) -> None:
    with pytest.raises(DatabaseError, match="read-only"), demo_db.transaction():
        pass
