"""The hostile corpus (issue 10): files a careless or hostile user might upload, each run
through the pipeline and through the CLI, with the outcome its manifest expects.

After every refused file every table's checksum is unchanged, and no traceback reaches the
user. ``tests/data/hostile/expected.json`` says, per file: the kind, ``refused`` or
``accepted``, the message fragment, the ``file:line:column`` the refusal starts with, and
which class of problem (issue item) the file stands for.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rpgdash.db import open_db, table_checksums
from rpgdash.ingest import IngestError, commit, parse_upload, preview
from rpgdash.ingest.cli import main
from tests.test_ingest_fixtures import build_fixture_db

HOSTILE = Path(__file__).parent / "data" / "hostile"
EXPECTED = json.loads((HOSTILE / "expected.json").read_text(encoding="utf-8"))
ROOT = Path(__file__).resolve().parent.parent
CREATE = ["--create-indicators", "--unit", "n", "--direction", "neutral"]


def test_corpus_is_large_and_every_file_has_an_expected_outcome():
    listed = {row["file"] for row in EXPECTED}
    on_disk = {p.name for p in HOSTILE.iterdir() if p.name != "expected.json"}
    assert listed == on_disk
    assert len(listed) >= 40
    assert sum(row["outcome"] == "refused" for row in EXPECTED) >= 30
    for row in EXPECTED:
        assert row["outcome"] in ("refused", "accepted")
        assert row["outcome"] == "accepted" or row["where"].split(":")[0] == row["file"]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture database, built (and migrated) once; each test works on copies of it."""
    path = tmp_path_factory.mktemp("hostile") / "template.duckdb"
    build_fixture_db(path).close()
    return path


@pytest.fixture
def db_path(template: Path, tmp_path: Path) -> Path:
    return Path(shutil.copy(template, tmp_path / "hostile.duckdb"))


def _checksums(path: Path) -> dict[str, str]:
    with open_db(path) as db:
        return table_checksums(db)


@pytest.fixture(scope="module")
def template_checksums(template: Path) -> dict[str, str]:
    """Every table's checksum in the template, which each test's copies start as (computed
    once: a copy's checksums before a test are the template's)."""
    return _checksums(template)


@pytest.mark.parametrize("row", EXPECTED, ids=[r["file"] for r in EXPECTED])
def test_hostile_file_through_pipeline_and_cli(
    db_path, template, template_checksums, tmp_path, row, capsys
):
    data = (HOSTILE / row["file"]).read_bytes()
    before = template_checksums

    # The pipeline, as the upload page calls it.
    with open_db(db_path) as db:
        try:
            parsed = parse_upload(db, data, row["file"], row["kind"])
            plan = preview(db, parsed)
            new = {name: ("n", "neutral") for name in plan.unknown_indicators}
            result = commit(db, plan, new_indicators=new)
        except IngestError as exc:
            refusal = str(exc)
        else:
            refusal = None
    if row["outcome"] == "refused":
        assert refusal is not None, f"{row['file']} was stored: {result.message}"
        assert refusal.startswith(row["where"] + ": "), refusal
        assert row["fragment"] in refusal.splitlines()[0], refusal
        assert _checksums(db_path) == before
    else:
        assert refusal is None, refusal
        assert result.message.startswith(row["fragment"])

    # The CLI, on a fresh copy of the same database.
    fresh = Path(shutil.copy(template, tmp_path / "cli.duckdb"))
    code = main(["ingest", row["kind"], str(HOSTILE / row["file"]), "--db", str(fresh), *CREATE])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    if row["outcome"] == "refused":
        assert code == 2, (out, err)
        assert err.startswith(row["where"] + ": "), err
        assert row["fragment"] in err.splitlines()[0]
        assert _checksums(fresh) == before
    else:
        assert code == 0, err
        assert out.startswith(row["fragment"]), out


@pytest.mark.parametrize(
    "name", ["xlsx_entity_bomb.xlsx", "xlsx_zip_bomb.xlsx", "xlsx_huge_dimension.xlsx"]
)
def test_workbook_bombs_get_a_message_from_the_real_cli(db_path, name):
    """In a process of its own, as a user runs it: a sentence on stderr, exit status 2."""
    row = next(r for r in EXPECTED if r["file"] == name)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "rpgdash.ingest.cli",
            "ingest",
            "indicators",
            str(HOSTILE / name),
            "--db",
            str(db_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(row["where"] + ": ")
    assert "Traceback" not in done.stderr
