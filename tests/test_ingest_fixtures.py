"""Small fixture databases for the upload tests (built directly, independent of the demo)."""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path

import pytest

from rpgdash.db import Database, open_db, table_checksums

SITE = "Demo Borough"
ROLES = [
    "Senior manager",
    "Team manager",
    "Lead practitioner",
    "Senior social worker",
    "Social worker",
]
STATEMENTS = [
    ("professional", "The RPG has further developed my ability to reflect on my work"),
    ("professional", "The RPG has provided other perspectives concerning my work"),
    ("professional", "The RPG has helped me to manage the emotional impact of my work"),
    ("self_efficacy", "I always manage to find time to update and write case reports"),
    ("relationships", "The RPG has improved my relationships with peers"),
]
INDICATORS = [
    ("Children subject to a child protection plan", "children", "decrease"),
    ("Referrals", "referrals per month", "decrease"),
    ("Looked after children", "children", "decrease"),
]


def _fill(db: Database) -> None:
    with db.transaction() as cur:
        cur.execute("INSERT INTO sites (name, kind) VALUES (?, 'local_authority')", [SITE])
        for rank, role in enumerate(ROLES, 1):
            cur.execute("INSERT INTO roles (name, rank) VALUES (?, ?)", [role, rank])
        for position, (domain, text) in enumerate(STATEMENTS, 1):
            cur.execute(
                "INSERT INTO statements (domain, text, position, from_paper) VALUES (?, ?, ?, "
                "TRUE)",
                [domain, text, position],
            )
        cur.execute(
            "INSERT INTO waves (label, fieldwork_start, fieldwork_end, wave_order) VALUES "
            "('+1 year', DATE '2016-11-01', DATE '2017-03-31', 1)"
        )
        for name, unit, direction in INDICATORS:
            cur.execute(
                "INSERT INTO indicators (name, unit, direction) VALUES (?, ?, ?)",
                [name, unit, direction],
            )


@functools.cache
def _template() -> Path:
    """The fixture database, built once per process (a copy and an open cost a third of a
    build: creating the schema is most of it)."""
    folder = Path(tempfile.mkdtemp(prefix="rpgdash-fixture-"))
    atexit.register(shutil.rmtree, folder, True)
    path = folder / "fixture.duckdb"
    with open_db(path) as db:
        _fill(db)
    return path


def build_fixture_db(path: Path) -> Database:
    """A new fixture database at ``path``, open (a copy of :func:`_template`)."""
    shutil.copyfile(_template(), path)
    return open_db(path)


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = build_fixture_db(tmp_path / "fixture.duckdb")
    yield database
    database.close()


def checksums(db: Database) -> dict[str, str]:
    return table_checksums(db)
