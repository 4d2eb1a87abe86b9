"""Issue 10, item 13: the CLI export is faithful data; --excel-safe and downloads are for Excel."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rpgdash import queries
from rpgdash.cli import main
from rpgdash.db import open_db

RISKY = '=HYPERLINK("x")'


@pytest.fixture
def awkward_db(demo_path: Path, tmp_path: Path) -> Path:
    """The demo plus a measure and a site whose names Excel would treat as formulas."""
    path = tmp_path / "awkward.duckdb"
    shutil.copy(demo_path, path)
    with open_db(path) as db, db.transaction() as cur:
        cur.execute("INSERT INTO sites (name) VALUES (?)", ["-Minus borough"])
        cur.execute(
            "INSERT INTO workforce (site_id, year, measure, value) "
            "SELECT site_id, 2019, ?, -1.5 FROM sites WHERE name = '-Minus borough'",
            [RISKY],
        )
    return path


@pytest.mark.parametrize("table", ["survey", "indicators", "workforce"])
def test_export_round_trips_through_pandas_exactly(awkward_db, tmp_path, table) -> None:
    out = tmp_path / f"{table}.csv"
    assert main(["export", table, "--out", str(out), "--db", str(awkward_db)]) == 0
    data = out.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")  # no BOM
    assert b"'" + b"+1 year" not in data and b"'-" not in data and b"'=" not in data
    read = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8")
    with open_db(awkward_db, read_only=True) as db:
        stored = getattr(queries, f"{table}_export")(db, site=None)
    assert list(read.columns) == list(stored.columns)
    for column in stored.columns:
        if pd.api.types.is_numeric_dtype(stored[column]):
            written = pd.to_numeric(read[column].replace("", None)).to_numpy(float)
            np.testing.assert_array_equal(
                written, stored[column].to_numpy(dtype=float, na_value=np.nan)
            )
        else:
            assert read[column].tolist() == stored[column].fillna("").tolist(), column
    if table == "survey":
        assert "+1 year" in set(read["wave"])
    if table == "workforce":
        assert RISKY in set(read["measure"]) and "-Minus borough" in set(read["site"])


def test_excel_safe_export_prefixes_formulas_and_writes_a_bom(awkward_db, tmp_path) -> None:
    out = tmp_path / "workforce.csv"
    args = ["export", "workforce", "--out", str(out), "--db", str(awkward_db), "--excel-safe"]
    assert main(args) == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    read = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert "'" + RISKY in set(read["measure"]) and "'-Minus borough" in set(read["site"])


def test_export_says_which_kind_of_file_it_wrote(awkward_db, tmp_path, capsys) -> None:
    out = tmp_path / "w.csv"
    main(["export", "workforce", "--out", str(out), "--db", str(awkward_db)])
    assert "values as stored" in capsys.readouterr().out
    main(["export", "workforce", "--out", str(out), "--db", str(awkward_db), "--excel-safe"])
    assert "Excel-safe" in capsys.readouterr().out


@pytest.mark.parametrize(
    "page", ["pages/workforce.py", "pages/professional.py", "pages/indicators.py"]
)
def test_every_csv_download_button_says_it_is_excel_safe(reading_app_env, page) -> None:
    from streamlit.testing.v1 import AppTest

    from rpgdash.ui import EXCEL_SAFE_CSV
    from tests.conftest import ROOT

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    at.switch_page(page).run()
    buttons = [b for b in at.get("download_button") if "CSV" in b.proto.label]
    notes = [c for c in at.caption if c.value == EXCEL_SAFE_CSV]
    assert buttons and len(notes) == len(buttons)
