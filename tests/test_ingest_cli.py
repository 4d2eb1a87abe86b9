"""`python -m rpgdash ingest|uploads|revert`: the same code path as the page."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rpgdash.db import open_db, table_checksums
from rpgdash.ingest.cli import main
from tests.test_ingest_fixtures import build_fixture_db

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "cli.duckdb"
    build_fixture_db(path).close()
    return path


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def checksums(path: Path) -> dict[str, str]:
    with open_db(path) as db:
        return table_checksums(db)


def test_ingest_store_conflict_replace_dry_run(db_path, tmp_path, capsys):
    a = write(tmp_path, "a.csv", "indicator,month,value\nReferrals,2018-01,5\n")
    assert main(["ingest", "indicators", str(a), "--db", str(db_path)]) == 0
    assert capsys.readouterr().out == (
        "Stored as upload 1: added 1, changed 0, unchanged 0, missing 0.\n"
    )
    b = write(tmp_path, "b.csv", "indicator,month,value\nReferrals,2018-01,6\n")
    before = checksums(db_path)
    assert main(["ingest", "indicators", str(b), "--db", str(db_path)]) == 2
    assert capsys.readouterr().err == (
        "b.csv:2: Referrals for January 2018 at 'Demo Borough' is stored as 5 (upload 1); this "
        "file has 6. Store it with replace (--replace) to change the stored value, or correct "
        "the file.\n"
    )
    assert main(["ingest", "indicators", str(b), "--db", str(db_path), "--dry-run"]) == 0
    assert capsys.readouterr().out == (
        "Dry run (nothing written): would have added 0, changed 1, unchanged 0, missing 0.\n"
    )
    assert checksums(db_path) == before
    assert main(["ingest", "indicators", str(b), "--db", str(db_path), "--replace"]) == 0
    assert capsys.readouterr().out.startswith("Stored as upload 2: added 0, changed 1")
    assert main(["ingest", "indicators", str(b), "--db", str(db_path)]) == 0
    assert capsys.readouterr().out == "b.csv is already stored as upload 2; nothing changed.\n"


def test_refusal_lists_every_problem_and_writes_nothing(db_path, tmp_path, capsys):
    bad = write(tmp_path, "bad.csv", "indicator,month,value\nReferrals,2018-01,x1\nA,2018-13,1\n")
    before = checksums(db_path)
    assert main(["ingest", "indicators", str(bad), "--db", str(db_path)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "bad.csv:2:C: 'x1' is not a number; write digits only (e.g. 1,234.5), or NA if the "
        "value is missing.",
        "bad.csv:3:B: '2018-13' is not a month: there is no month 13.",
    ]
    assert checksums(db_path) == before


def test_new_indicators_need_create_flag_unit_and_direction(db_path, tmp_path, capsys):
    f = write(tmp_path, "n.csv", "indicator,month,value\nAssessments,2018-01,5\n")
    assert main(["ingest", "indicators", str(f), "--db", str(db_path)]) == 2
    assert capsys.readouterr().err == (
        "n.csv:2: the indicator 'Assessments' is not stored yet; check its name, or create it "
        "with --create-indicators --unit TEXT --direction increase|decrease|neutral.\n"
    )
    assert main(["ingest", "indicators", str(f), "--db", str(db_path), "--create-indicators"]) == 2
    assert "--create-indicators needs --unit TEXT" in capsys.readouterr().err
    assert (
        main(
            [
                "ingest",
                "indicators",
                str(f),
                "--db",
                str(db_path),
                "--create-indicators",
                "--unit",
                "assessments",
                "--direction",
                "neutral",
            ]
        )
        == 0
    )


def test_survey_with_wave_options_uploads_and_revert(db_path, tmp_path, capsys):
    f = write(
        tmp_path,
        "s.csv",
        "respondent_id,role,statement,answer\n"
        "R1,Social worker,The RPG has further developed my ability to reflect on my work,Agree\n",
    )
    assert (
        main(
            [
                "ingest",
                "survey",
                str(f),
                "--db",
                str(db_path),
                "--wave",
                "+3 years",
                "--fieldwork-start",
                "2018-11-01",
                "--fieldwork-end",
                "2019-03-31",
                "--invited",
                "234",
                "--user",
                "tester",
            ]
        )
        == 0
    )
    assert "Stored as upload 1" in capsys.readouterr().out
    assert main(["uploads", "--db", str(db_path), "--json"]) == 0
    history = json.loads(capsys.readouterr().out)
    assert [
        (u["upload_id"], u["kind"], u["file_name"], u["uploaded_by"], u["status"]) for u in history
    ] == [(1, "survey", "s.csv", "tester", "stored")]
    assert main(["uploads", "--db", str(db_path)]) == 0
    assert "s.csv" in capsys.readouterr().out
    assert main(["revert", "1", "--db", str(db_path)]) == 0
    assert capsys.readouterr().out == (
        "Reverted upload 1 ('s.csv'): removed 1 respondents and their answers.\n"
    )
    assert main(["revert", "1", "--db", str(db_path)]) == 2
    assert "was already reverted" in capsys.readouterr().err


def test_default_site_must_be_unambiguous(db_path, tmp_path, capsys):
    with open_db(db_path) as db, db.transaction() as cur:
        cur.execute("INSERT INTO sites (name) VALUES ('Second Borough')")
    f = write(tmp_path, "a.csv", "indicator,month,value\nReferrals,2018-01,5\n")
    assert main(["ingest", "indicators", str(f), "--db", str(db_path)]) == 2
    assert capsys.readouterr().err == (
        "a.csv: the file has no site column and the database does not have exactly one "
        "local-authority site; choose the site the data is for (--site NAME).\n"
    )
    assert (
        main(["ingest", "indicators", str(f), "--db", str(db_path), "--site", "second borough"])
        == 0
    )


def test_busy_database_is_named_in_one_sentence(db_path, tmp_path):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
            "print('ready', flush=True); time.sleep(60)",
            str(db_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        f = write(tmp_path, "a.csv", "indicator,month,value\nReferrals,2018-01,5\n")
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "rpgdash.ingest.cli",
                "ingest",
                "indicators",
                str(f),
                "--db",
                str(db_path),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,  # a hang guard: the refusal must not wait for the lock
        )
    finally:
        holder.kill()
        holder.wait()
    assert done.returncode == 2
    assert done.stderr == (
        f"The database {db_path} is in use by another program (most likely the running "
        "dashboard). Stop that program, or pass --db with another file, and try again; "
        "nothing was written.\n"
    )
