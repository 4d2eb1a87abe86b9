"""Messy but valid files are stored with the right values."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest

from rpgdash.db import Database
from rpgdash.ingest import WaveDetails, commit, parse_upload, preview
from tests.test_ingest_fixtures import STATEMENTS, db  # noqa: F401  (fixture)

GOOD = Path(__file__).parent / "data" / "good"
S1, S2 = STATEMENTS[0][1], STATEMENTS[1][1]


def store(database: Database, name: str, kind: str = "indicators", data: bytes | None = None, **kw):
    data = data if data is not None else (GOOD / name).read_bytes()
    new = kw.pop("new_indicators", None)
    parsed = parse_upload(database, data, name, kind, **kw)
    result = commit(database, preview(database, parsed), new_indicators=new)
    return parsed, result


def values(database: Database, indicator: str = "Referrals") -> dict[str, float]:
    with database.cursor() as cur:
        rows = cur.execute(
            "SELECT strftime(v.month, '%Y-%m'), v.value FROM indicator_values v "
            "JOIN indicators i USING (indicator_id) WHERE i.name = ? ORDER BY v.month",
            [indicator],
        ).fetchall()
    return dict(rows)


def test_utf8_bom(db):  # noqa: F811
    parsed, result = store(db, "bom_utf8.csv")
    assert parsed.encoding == "UTF-8 with BOM"
    assert values(db) == {"2018-01": 120.0}
    assert (result.added, result.missing) == (1, 1)


def test_windows_1252_with_pound_and_accent(db):  # noqa: F811
    name = "Coût £ per child (dépenses)"
    parsed, result = store(db, "windows_1252.csv", new_indicators={name: ("pounds", "decrease")})
    assert parsed.encoding == "Windows-1252"
    assert "Windows-1252" in parsed.source
    assert values(db, name) == {"2018-01": 1250.5}


def test_semicolons_with_decimal_comma(db):  # noqa: F811
    # Issue 10, item 6: a semicolon file writes decimals with a comma, never thousands.
    parsed, _ = store(db, "semicolon.csv")
    assert parsed.source == "CSV, UTF-8, semicolon-separated"
    assert values(db) == {"2018-01": 1234.5, "2018-02": 99.0}


def test_tabs(db):  # noqa: F811
    parsed, result = store(db, "tabs.tsv")
    assert parsed.source == "CSV, UTF-8, tab-separated"
    assert values(db) == {"2018-01": 12.0}
    assert result.missing == 1


def test_utf16(db):  # noqa: F811
    parsed, _ = store(db, "utf16.csv")
    assert parsed.encoding == "UTF-16"
    assert values(db) == {"2018-01": 7.0}


@pytest.mark.parametrize("name", ["mon_yy.csv", "uk_dates.csv", "month_names.csv"])
def test_month_conventions(db, name):  # noqa: F811
    store(db, name)
    assert values(db) == {"2018-11": 6.0, "2018-12": 5.0}


def test_wide_layout_with_blank_line_and_markers(db):  # noqa: F811
    parsed, result = store(db, "wide.csv")
    assert parsed.layout == "wide"
    assert values(db) == {"2018-01": 1020.0, "2018-03": 998.0}
    assert values(db, "Looked after children") == {"2018-01": 330.0, "2018-02": 331.0}
    assert (result.added, result.missing) == (4, 2)


def test_wide_layout_names_the_spreadsheet_line_after_a_blank_line(db):  # noqa: F811
    data = (GOOD / "wide.csv").read_bytes().replace(b"998", b"lots")
    with pytest.raises(Exception) as caught:
        parse_upload(db, data, "wide.csv", "indicators")
    assert str(caught.value).startswith("wide.csv:5:B: 'lots' is not a number")


def xlsx_bytes(rows, sheet="Data", first_sheet=None) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    if first_sheet:
        ws.title = first_sheet
        ws.append(["nothing here"])
        ws = wb.create_sheet(sheet)
    else:
        ws.title = sheet
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_xlsx_with_dates_and_numbers(db):  # noqa: F811
    data = xlsx_bytes(
        [
            ["indicator", "month", "value"],
            ["Referrals", dt.datetime(2018, 12, 1), 5],
            ["Referrals", dt.datetime(2018, 11, 1), 6.5],
            [None, None, None],
            ["Referrals", dt.datetime(2018, 10, 1), "NA"],
        ]
    )
    parsed, result = store(db, "series.xlsx", data=data)
    assert parsed.source == "Excel workbook, sheet 'Data'"
    assert values(db) == {"2018-11": 6.5, "2018-12": 5.0}
    assert result.missing == 1


def test_xlsx_chosen_sheet_and_formula_refused(db):  # noqa: F811
    data = xlsx_bytes(
        [["indicator", "month", "value"], ["Referrals", "2018-12", "=B2*2"]],
        sheet="Figures",
        first_sheet="Notes",
    )
    with pytest.raises(Exception) as caught:
        parse_upload(db, data, "f.xlsx", "indicators", sheet="Figures")
    assert str(caught.value).startswith("f.xlsx:2:C: the cell holds a spreadsheet formula")
    with pytest.raises(Exception) as caught:
        parse_upload(db, data, "f.xlsx", "indicators", sheet="Nope")
    assert (
        str(caught.value) == "f.xlsx: there is no sheet 'Nope'; the sheets are 'Notes', 'Figures'."
    )


def test_dfe_workforce_layout(db):  # noqa: F811
    parsed, result = store(db, "dfe_workforce.csv", "workforce")
    with db.cursor() as cur:
        rows = cur.execute(
            "SELECT s.name, s.kind, w.year, w.measure, w.value FROM workforce w "
            "JOIN sites s USING (site_id) ORDER BY s.name, w.year, w.measure"
        ).fetchall()
    assert rows == [
        ("Demo Borough", "local_authority", 2017, "Agency staffing", 1.4),
        ("Demo Borough", "local_authority", 2017, "Sickness", 3.9),
        ("Demo Borough", "local_authority", 2017, "Turnover", 14.8),
        ("Demo Borough", "local_authority", 2017, "Vacancies", 0.9),
        ("Demo Borough", "local_authority", 2018, "Agency staffing", 0.0),
        ("Demo Borough", "local_authority", 2018, "Sickness", 3.5),
        ("Demo Borough", "local_authority", 2018, "Turnover", 14.9),
        ("Demo Borough", "local_authority", 2018, "Vacancies", 0.4),
        ("England", "national", 2018, "Agency staffing", 15.4),
        ("England", "national", 2018, "Sickness", 3.2),
        ("England", "national", 2018, "Turnover", 15.2),
        ("England", "national", 2018, "Vacancies", 16.7),
        ("London", "region", 2018, "Agency staffing", 24.0),
        ("London", "region", 2018, "Sickness", 2.9),
        ("London", "region", 2018, "Turnover", 17.1),
        ("London", "region", 2018, "Vacancies", 21.0),
    ]
    assert result.added == 16
    assert any("other local authorities" in n for n in parsed.notes)


def responses(database: Database) -> list[tuple]:
    with database.cursor() as cur:
        return cur.execute(
            "SELECT w.label, p.external_id, ro.name, s.text, r.score FROM responses r "
            "JOIN respondents p USING (respondent_id) JOIN waves w USING (wave_id) "
            "JOIN roles ro USING (role_id) JOIN statements s USING (statement_id) ORDER BY ALL"
        ).fetchall()


def test_surveymonkey_export_drops_personal_columns(db):  # noqa: F811
    parsed, result = store(
        db, "surveymonkey.csv", "survey", wave=WaveDetails("+3 years", invited=234)
    )
    assert parsed.layout == "SurveyMonkey export"
    assert parsed.notes[0] == (
        "Personal columns were dropped and not stored: IP Address, Email Address, First Name, "
        "Last Name, Custom Data 1."
    )
    assert "a@example.org" not in str(parsed.rows.to_pydict())
    assert responses(db) == [
        ("+3 years", "111", "Social worker", S1, 4),
        ("+3 years", "111", "Social worker", S2, 2),
        ("+3 years", "112", "Senior manager", S1, 4),
    ]
    assert (result.added, result.missing) == (3, 1)
    with db.cursor() as cur:
        assert cur.execute("SELECT invited FROM wave_sites").fetchall() == [(234,)]


def test_survey_export_format(db):  # noqa: F811
    parsed, result = store(db, "survey_export.csv", "survey")
    assert parsed.layout == "survey export"
    assert responses(db) == [
        ("+1 year", "R1", "Social worker", S1, 3),
        ("+1 year", "R2", "Team manager", S1, 1),
    ]
    assert result.missing == 1
