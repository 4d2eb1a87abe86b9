"""The registry of upload kinds: every consumer reads it, and a new kind needs nothing else."""

from __future__ import annotations

import dataclasses

import pyarrow as pa
import pytest

from rpgdash import ingest
from rpgdash.db import table_checksums
from rpgdash.errors import RpgdashError
from rpgdash.ingest import KINDS, commit, parse_upload, preview, revert
from rpgdash.ingest.cli import main
from rpgdash.ingest.kinds import workforce
from rpgdash.ingest.kinds.base import UploadKind
from rpgdash.ingest.model import ParsedUpload
from tests.test_ingest_fixtures import db  # noqa: F401  (fixture)


def test_every_kind_is_declared_once_with_what_the_page_shows():
    assert list(KINDS) == ["indicators", "workforce", "survey", "excerpts", "dfe", "neighbours"]
    for name, spec in KINDS.items():
        assert spec.name == name
        assert spec.label and spec.table and spec.key and spec.coverage
    assert [s.name for s in KINDS.values() if s.asks_wave] == ["survey"]
    assert [s.name for s in KINDS.values() if s.can_replace] == [
        "indicators",
        "workforce",
        "dfe",
        "neighbours",
    ]


def test_cli_offers_exactly_the_registered_kinds(capsys):
    with pytest.raises(SystemExit):
        main(["ingest", "--help"])
    usage = capsys.readouterr().out
    assert "{indicators,workforce,survey,excerpts,dfe,neighbours}" in usage


def test_every_refusal_is_an_rpgdash_error():
    assert issubclass(ingest.IngestError, RpgdashError)
    from rpgdash.db import DatabaseError

    assert issubclass(DatabaseError, RpgdashError)


def _parse_ratios(raw, database, *, site=None):
    """A toy fifth kind: 'year,ratio' rows stored as the workforce measure 'Caseload'."""
    rows = raw.con.sql(
        "SELECT _line AS line, $site AS site, c0::INTEGER AS year, 'Caseload' AS measure, "
        "c1::DOUBLE AS value FROM raw ORDER BY _line",
        params={"site": site},
    ).to_arrow_table()
    return ParsedUpload.of(raw, "caseload", "toy", rows, missing=0)


def test_a_fifth_kind_is_one_spec_in_the_registry(db, monkeypatch):  # noqa: F811
    spec = UploadKind(
        name="caseload",
        label="Caseload ratios",
        parse=_parse_ratios,
        table="workforce",
        key=workforce.SPEC.key,
        coverage=workforce.SPEC.coverage,
        storage=workforce.STORAGE,
    )
    monkeypatch.setitem(KINDS, "caseload", spec)
    before = table_checksums(db)
    parsed = parse_upload(db, b"year,ratio\n2018,17.5\n2019,16\n", "c.csv", "caseload")
    plan = preview(db, parsed)
    assert (plan.added, plan.changed) == (2, 0)
    assert plan.coverage.to_dict("records") == [
        {
            "measure": "Caseload",
            "site": "Demo Borough",
            "first_year": 2018,
            "last_year": 2019,
            "years": 2,
        }
    ]
    result = commit(db, plan)
    assert result.message == "Stored as upload 1: added 2, changed 0, unchanged 0, missing 0."
    changed = dataclasses.replace(
        parsed, rows=parsed.rows.set_column(4, "value", pa.array([18.0, 16.0])), sha256="other"
    )
    assert commit(db, preview(db, changed), replace=True).changed == 1
    assert revert(db, 2).startswith("Reverted upload 2 ('c.csv'): removed 0 values")
    assert revert(db, 1).startswith("Reverted upload 1 ('c.csv'): removed 2 values")
    assert table_checksums(db) != before  # the history keeps both uploads, as reverted
    with db.cursor() as cur:
        assert cur.execute("SELECT count(*) FROM workforce").fetchall() == [(0,)]


def _page_raising(error: str) -> None:
    """An AppTest script: ui.run_page over a page that raises ``error``."""
    from unittest import mock

    import rpgdash.ui as ui
    from rpgdash.errors import RpgdashError

    class Page:
        def run(self) -> None:
            if error == "internal":
                raise ValueError("min() arg is an empty sequence")
            raise RpgdashError("upload 9: there is no upload 9; list them first.")

    # AppTest runs this function in the test's own process: patch only while it runs.
    with (
        mock.patch.object(ui, "get_db", lambda: None),
        mock.patch.object(ui, "sidebar_filters", lambda: None),
    ):
        ui.run_page(Page())


@pytest.mark.parametrize(
    ("error", "shown"),
    [
        ("product", "upload 9: there is no upload 9; list them first."),
        ("internal", "Something went wrong while drawing this page"),
    ],
)
def test_run_page_shows_only_the_products_own_errors_as_sentences(error, shown):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_page_raising, args=(error,)).run(timeout=60)
    assert len(at.error) == 1
    assert at.error[0].value.startswith(shown)
    assert "empty sequence" not in at.error[0].value  # an internal error is not the user's
