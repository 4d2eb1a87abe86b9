"""Issue 10, item 1: ids the demo writes keep every sequence right, so uploads never collide."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from rpgdash import db as dbmod
from rpgdash import ingest
from rpgdash.db import advance_sequences, open_db
from rpgdash.demo import init_demo
from tests.conftest import ROOT
from tests.test_ingest_demo import UPLOADS

GOOD = ROOT / "tests" / "data" / "good"
#: The issue's command: the demo's next wave, as the README shows it.
SURVEY_FILE, SURVEY_OPTIONS = UPLOADS["survey"]


def _lagging_sequences(path: Path) -> list[tuple[str, int, int | None]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return _lagging(con)
    finally:
        con.close()


def _lagging(con) -> list[tuple[str, int, int | None]]:
    """(sequence, largest stored id, sequence's last value) where the sequence is behind."""
    columns = con.execute(
        "SELECT table_name, column_name, column_default FROM duckdb_columns() "
        "WHERE schema_name = 'main' AND column_default LIKE 'nextval(%'"
    ).fetchall()
    last = dict(con.execute("SELECT sequence_name, last_value FROM duckdb_sequences()").fetchall())
    behind = []
    for table, column, default in columns:
        sequence = default.split("'")[1]
        top = con.execute(f'SELECT max("{column}") FROM "{table}"').fetchall()[0][0]
        if top is not None and (last[sequence] is None or last[sequence] < top):
            behind.append((sequence, top, last[sequence]))
    return behind


def _store(db, data: bytes, name: str, kind: str, **kwargs) -> int:
    new_indicators = kwargs.pop("new_indicators", None)
    plan = ingest.preview(db, ingest.parse_upload(db, data, name, kind, **kwargs))
    result = ingest.commit(db, plan, new_indicators=new_indicators)
    return result.upload_id


def test_the_demo_leaves_no_sequence_behind_its_ids(tmp_path: Path) -> None:
    path = init_demo(tmp_path / "demo.duckdb", scale=2, precompute=False)
    assert _lagging_sequences(path) == []


def test_every_kind_of_upload_after_the_demo_stores_and_reverts(tmp_path: Path) -> None:
    path = init_demo(tmp_path / "demo.duckdb", precompute=False)
    with open_db(path) as db:
        before = db.cursor().execute("SELECT count(*) FROM respondents").fetchall()[0][0]
        survey = _store(
            db,
            (GOOD / "surveymonkey.csv").read_bytes(),
            "surveymonkey.csv",
            "survey",
            wave=ingest.WaveDetails("+5 years", None, None, 240),
        )
        indicators = _store(
            db,
            b"indicator,month,value\nNew series,2019-01,4\nNew series,2019-02,5\n",
            "new.csv",
            "indicators",
            site="Another borough",
            new_indicators={"New series": ("children", "decrease")},
        )
        workforce = _store(
            db, (GOOD / "dfe_workforce.csv").read_bytes(), "dfe_workforce.csv", "workforce"
        )
        excerpts = _store(
            db,
            b"wave,theme,polarity,excerpt,source\n"
            b"+3 years,A theme not in the demo,positive,Some words.,interview\n",
            "excerpts.csv",
            "excerpts",
            site="Demo local authority",
        )
        with db.cursor() as cur:
            after = cur.execute("SELECT count(*) FROM respondents").fetchall()[0][0]
            assert after > before
        with db.cursor() as cur:
            assert _lagging(cur) == []
        for upload_id in (excerpts, workforce, indicators, survey):
            ingest.revert(db, upload_id)
        with db.cursor() as cur:
            assert cur.execute("SELECT count(*) FROM respondents").fetchall()[0][0] == before


def test_the_cli_example_from_the_issue_stores_a_new_wave_on_the_demo(tmp_path: Path) -> None:
    path = tmp_path / "demo.duckdb"
    run = [sys.executable, "-m", "rpgdash"]
    subprocess.run([*run, "init-demo", "--db", str(path)], check=True, cwd=ROOT)
    result = subprocess.run(
        [
            *run,
            "ingest",
            "survey",
            str(SURVEY_FILE),
            *SURVEY_OPTIONS,
            "--db",
            str(path),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    con = duckdb.connect(str(path), read_only=True)
    stored = con.execute(
        "SELECT count(*) FROM respondents JOIN waves USING (wave_id) WHERE label = '+5 years'"
    ).fetchall()[0][0]
    con.close()
    assert stored > 0


def test_opening_a_file_with_lagging_sequences_repairs_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database written before migration 4 (ids inserted directly) is fixed when opened."""
    path = tmp_path / "old.duckdb"
    monkeypatch.setattr(dbmod, "SCHEMA_VERSION", 3)
    with open_db(path) as db, db.transaction() as cur:
        cur.execute("INSERT INTO sites (site_id, name) VALUES (7, 'Old site')")
        cur.execute("INSERT INTO roles (role_id, name, rank) VALUES (3, 'Social worker', 1)")
        cur.execute("INSERT INTO waves (wave_id, label, wave_order) VALUES (2, 'W', 1)")
        cur.execute(
            "INSERT INTO respondents (respondent_id, site_id, wave_id, role_id, external_id) "
            "VALUES (41, 7, 2, 3, 'a')"
        )
    assert {s for s, _, _ in _lagging_sequences(path)} == {
        "site_ids",
        "role_ids",
        "wave_ids",
        "respondent_ids",
    }
    monkeypatch.undo()
    with open_db(path) as db, db.transaction() as cur:
        new_id = cur.execute(
            "INSERT INTO respondents (site_id, wave_id, role_id, external_id) "
            "VALUES (7, 2, 3, 'b') RETURNING respondent_id"
        ).fetchall()[0][0]
    assert new_id == 42
    assert _lagging_sequences(path) == []


def test_advance_sequences_never_moves_a_sequence_backwards(tmp_path: Path) -> None:
    with open_db(tmp_path / "x.duckdb") as db, db.transaction() as cur:
        for name in ("a", "b", "c"):
            cur.execute("INSERT INTO sites (name) VALUES (?)", [name])
        cur.execute("DELETE FROM sites WHERE name = 'c'")
        assert advance_sequences(cur) == []
        assert cur.execute(
            "INSERT INTO sites (name) VALUES ('d') RETURNING site_id"
        ).fetchall() == [(4,)]
