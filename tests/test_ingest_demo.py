"""Every kind of upload on top of the demo database (issue 10, item 1): ids never collide,
even where the demo (or an import) wrote ids directly and a sequence lags behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from rpgdash.db import open_db
from rpgdash.ingest.cli import main

GOOD = Path(__file__).parent / "data" / "good"

UPLOADS = {
    "survey": (
        GOOD / "surveymonkey.csv",
        [
            "--wave",
            "+5 years",
            "--fieldwork-start",
            "2021-11-01",
            "--fieldwork-end",
            "2022-03-31",
            "--invited",
            "240",
        ],
    ),
    "indicators": (
        "indicator,month,value\nAssessments started,2019-01,41\nAssessments started,2019-02,38\n",
        ["--create-indicators", "--unit", "assessments", "--direction", "neutral"],
    ),
    "workforce": ("year,measure,value\n2021,Turnover,12.5\n", []),
    "excerpts": (
        "wave,theme,polarity,excerpt,source\n"
        "+3 years,Time to reflect,positive,We finally had time to think together.,interview\n",
        [],
    ),
}


@pytest.mark.parametrize("kind", list(UPLOADS))
def test_each_kind_stores_on_top_of_the_demo(writable_demo, tmp_path, kind, capsys):
    source, extra = UPLOADS[kind]
    if isinstance(source, str):
        path = tmp_path / f"{kind}.csv"
        path.write_text(source, encoding="utf-8")
    else:
        path = source
    code = main(["ingest", kind, str(path), "--db", str(writable_demo), *extra])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.startswith("Stored as upload "), (out, err)
    assert "Traceback" not in err


def test_ids_never_collide_when_sequences_lag(tmp_path, capsys):
    """A database whose rows were written with explicit ids and untouched sequences."""
    from tests.test_ingest_fixtures import build_fixture_db

    path = tmp_path / "lagging.duckdb"
    build_fixture_db(path).close()
    with open_db(path) as db, db.transaction() as cur:
        cur.execute(
            "INSERT INTO sites (site_id, name, kind) VALUES (7, 'Other Borough', 'local_authority')"
        )
        cur.execute(
            "INSERT INTO uploads (upload_id, kind, file_name, sha256) VALUES "
            "(1, 'indicators', 'old.csv', 'x'), (2, 'indicators', 'old2.csv', 'y')"
        )
        cur.execute(
            "INSERT INTO indicators (indicator_id, name, unit, direction) VALUES "
            "(4, 'Written directly', 'n', 'neutral')"
        )
    site = tmp_path / "site.csv"
    site.write_text("indicator,month,value\nBrand new,2019-01,3\n")
    code = main(
        [
            "ingest",
            "indicators",
            str(site),
            "--db",
            str(path),
            "--site",
            "New Borough",
            "--create-indicators",
            "--unit",
            "n",
            "--direction",
            "neutral",
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.startswith("Stored as upload 3:"), out
