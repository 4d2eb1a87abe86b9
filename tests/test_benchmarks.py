"""Benchmarks end to end: DfE files in the published layout -> upload pipeline -> benchmark.

Every figure of ``benchmark --json`` is compared with an independent computation written here
with pandas straight from the same CSV files (``pd.read_csv``, ``Series.median`` and
``Series.rank(method="min")``, R's ``rank(ties.method = "min")``), not with the product's code.
"""

from __future__ import annotations

import io
import json
import math
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pandas as pd
import pytest

from rpgdash import benchmark
from rpgdash.cli import main
from rpgdash.db import table_checksums
from tests.test_ingest_fixtures import SITE, build_fixture_db, db  # noqa: F401  (db: fixture)

# One xdist worker runs this file: its module database is loaded once, by one worker.
pytestmark = pytest.mark.xdist_group("benchmarks")

DATA = Path(__file__).parent / "data" / "dfe"
CSWW = DATA / "csww_indicators_2017_to_2020.csv"
CIN = DATA / "cin_referrals_2018_to_2020.csv"
NEIGHBOURS = DATA / "statistical_neighbours.csv"
CODES = ["c", "z", "x", "low", "k", "u"]


def _cli(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture(scope="module")
def loaded_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture database with the workforce, referrals and neighbours files uploaded.

    Built once per module (three uploads cost seconds); each test gets a copy (``loaded``).
    """
    path = tmp_path_factory.mktemp("benchmarks") / "loaded.duckdb"
    build_fixture_db(path).close()
    for argv in (
        ["ingest", "dfe", str(CSWW), "--la-code", "302"],
        ["ingest", "neighbours", str(NEIGHBOURS)],
        ["ingest", "dfe", str(CIN)],
    ):
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            status = main([*argv, "--db", str(path)])
        assert status == 0, err.getvalue()
    return path


@pytest.fixture
def loaded(loaded_once: Path, tmp_path: Path) -> str:
    """A private copy of ``loaded_once`` that the test may change."""
    copy = tmp_path / "loaded.duckdb"
    shutil.copy(loaded_once, copy)
    return str(copy)


# --- the independent reference ----------------------------------------------------------------


def _reference(csv: Path, column: str, direction: str) -> dict:
    """The benchmark of Barnet (old code 302) for ``column``, computed from the files alone."""
    frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
    frame = frame[~frame["old_la_code"].str.contains("/")]
    values = pd.to_numeric(frame[column].where(~frame[column].isin(CODES + [""])))
    frame = frame.assign(v=values)
    sn = pd.read_csv(NEIGHBOURS, dtype=str, keep_default_na=False)
    names = sn.loc[sn["old_la_code"] == "302", [f"SN_{i}" for i in range(1, 11)]].iloc[0].tolist()
    la = frame[frame["geographic_level"] == "Local authority"]
    periods = sorted(frame["time_period"].unique())
    out = []
    sign = 1 if direction == "decrease" else -1  # rank ascending on sign * value

    def at(level_rows, period):
        got = level_rows.loc[level_rows["time_period"] == period, "v"].dropna()
        return None if got.empty else float(got.iloc[0])

    for period in periods:
        year = la[la["time_period"] == period]
        own = at(year[year["la_name"] == "Barnet"], period)
        near = year[year["la_name"].isin(names)]["v"].dropna()
        group = pd.concat([pd.Series([own]), near], ignore_index=True)
        every = year["v"].dropna().reset_index(drop=True)
        rank = of = quartile = None
        if own is not None:
            rank = int((sign * group).rank(method="min").iloc[0])
            of = len(group)
            mine = every.index[year["v"].dropna().reset_index(drop=True).eq(own)][0]
            all_rank = int((sign * every).rank(method="min").iloc[mine])
            quartile = "ABCD"[min(3, math.floor(4 * (all_rank - 1) / len(every)))]
        out.append(
            {
                "period": period,
                "value": own,
                "neighbours_median": float(near.median()) if len(near) else None,
                "neighbours_min": float(near.min()) if len(near) else None,
                "neighbours_max": float(near.max()) if len(near) else None,
                "neighbours_n": len(near),
                "region": at(frame[frame["geographic_level"] == "Regional"], period),
                "england": at(frame[frame["geographic_level"] == "National"], period),
                "rank": rank,
                "of": of,
                "quartile": quartile,
            }
        )
    first, last = periods[0], periods[-1]
    wide = la.pivot(index="la_name", columns="time_period", values="v")
    change = (wide[last] - wide[first]).round(9)
    own_change = change["Barnet"]
    near_change = change[names].dropna()
    group = pd.concat([pd.Series([own_change]), near_change], ignore_index=True)
    return {
        "periods": out,
        "change": {
            "from": first,
            "to": last,
            "value": float(own_change),
            "neighbours_median": float(near_change.median()),
            "rank": int((sign * group).rank(method="min").iloc[0]),
            "of": len(group),
        },
    }


def _same(got, want) -> None:
    """Equal, with floats compared to 1e-9 (binary floating point), recursively."""
    if isinstance(want, dict):
        assert set(got) >= set(want), set(want) - set(got)
        for k in want:
            _same(got[k], want[k])
    elif isinstance(want, list):
        assert len(got) == len(want)
        for g, w in zip(got, want, strict=True):
            _same(g, w)
    elif isinstance(want, float):
        assert got == pytest.approx(want, abs=1e-9)
    else:
        assert got == want


@pytest.mark.parametrize(
    ("csv", "measure", "column", "direction"),
    [
        (CSWW, "Vacancies", "vacancy_rate_fte", "decrease"),
        (CSWW, "turnover_rate_fte", "turnover_rate_fte", "decrease"),
        (CSWW, "Agency staffing", "agency_rate_fte", "decrease"),
        (CSWW, "Sickness", "absence_rate_fte", "decrease"),
        (CSWW, "Caseload", "caseload_fte", "decrease"),
        (CIN, "rereferral_percent", "rereferral_percent", "decrease"),
    ],
)
def test_every_figure_of_benchmark_json_equals_an_independent_computation(
    loaded, capsys, csv, measure, column, direction
):
    status, out, err = _cli(capsys, "benchmark", measure, "--db", loaded, "--json")
    assert status == 0, err
    result = json.loads(out)
    assert list(result) == ["measure", "site", "direction", "periods", "change"]
    assert list(result["periods"][0]) == [
        "period",
        "value",
        "neighbours_median",
        "neighbours_min",
        "neighbours_max",
        "neighbours_n",
        "region",
        "england",
        "rank",
        "of",
        "quartile",
    ]
    assert list(result["change"]) == ["from", "to", "value", "neighbours_median", "rank", "of"]
    assert result["site"] == SITE and result["direction"] == direction
    _same(result, _reference(csv, column, direction))


def test_the_vacancy_story_and_suppressed_figures(loaded, capsys):
    status, out, _ = _cli(capsys, "benchmark", "Vacancies", "--db", loaded, "--json")
    result = json.loads(out)
    by_period = {p["period"]: p for p in result["periods"]}
    # Bexley's 2018 vacancy rate is 'c' and Enfield's 2020 is blank: neighbours with a figure
    # drop to 9 in those years, and nothing is counted as zero.
    assert [p["neighbours_n"] for p in result["periods"]] == [10, 9, 10, 9]
    assert by_period["2018"]["neighbours_min"] > 0
    assert result["change"]["value"] == pytest.approx(-5.6)
    status, out, _ = _cli(capsys, "benchmark", "Vacancies", "--db", loaded)
    assert "Vacancies fell 5.6 points between 2017 and 2020" in out
    assert "descriptive, not proof" in out


def test_periods_can_be_limited_and_the_change_follows(loaded, capsys):
    status, out, _ = _cli(
        capsys, "benchmark", "Vacancies", "--from", "2018", "--to", "2019", "--db", loaded, "--json"
    )
    result = json.loads(out)
    assert [p["period"] for p in result["periods"]] == ["2018", "2019"]
    assert (result["change"]["from"], result["change"]["to"]) == ("2018", "2019")
    assert result["change"]["value"] == pytest.approx(16.0 - 18.4)


def test_year_spans_keep_dfe_text_and_show_with_a_dash(loaded, capsys):
    result = json.loads(
        _cli(capsys, "benchmark", "Re-referrals within 12 months", "--db", loaded, "--json")[1]
    )
    assert [p["period"] for p in result["periods"]] == ["201718", "201819", "201920"]
    text = _cli(capsys, "benchmark", "rereferral_percent", "--db", loaded)[1]
    assert "2017-18" in text and "between 2017-18 and 2019-20" in text


def test_the_library_function_matches_the_cli(loaded, capsys):
    from rpgdash.db import open_db

    cli = json.loads(_cli(capsys, "benchmark", "Vacancies", "--db", loaded, "--json")[1])
    with open_db(loaded, read_only=True) as database:
        assert benchmark(database, "vacancy_rate_fte") == cli
        assert benchmark(database, "Vacancies", site=SITE, start="2017", end="2020") == cli


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["benchmark", "Nope"], "There is no benchmark measure called 'Nope'"),
        (["benchmark", "Vacancies", "--site", "Elsewhere"], "no local-authority site"),
        (["benchmark", "Vacancies", "--from", "2018/19"], "--from: the time_period '2018/19'"),
    ],
)
def test_refusals_are_sentences_with_exit_status_2(loaded, capsys, argv, message):
    status, out, err = _cli(capsys, *argv, "--db", loaded)
    assert status == 2 and out == ""
    assert message in err


# --- uploads: preview, history, revert ------------------------------------------------------


def test_upload_reports_merged_rows_and_missing_figures(db, capsys):  # noqa: F811
    path = str(db.path)
    db.close()
    status, out, err = _cli(capsys, "ingest", "dfe", str(CSWW), "--la-code", "302", "--db", path)
    assert status == 0
    assert (
        "4 rows for authorities reported together (North Northamptonshire / West "
        "Northamptonshire) skipped: lines 17, 33, 49, 65." in err
    )
    assert "7 figures were suppressed or not given" in err
    assert "Rows for 'Barnet' are Demo Borough's own figures." in err
    # 13 authorities + London + England, 4 years, 6 measures, less the 7 missing figures
    assert out.startswith("Stored as upload 1: added 353, changed 0, unchanged 0, missing 7")


def test_revert_restores_exactly_and_a_second_upload_needs_replace(db, capsys, tmp_path):  # noqa: F811
    path = str(db.path)
    db.close()
    from rpgdash.db import open_db

    with open_db(path) as fresh:
        empty = table_checksums(fresh)
    assert _cli(capsys, "ingest", "dfe", str(CSWW), "--la-code", "302", "--db", path)[0] == 0
    with open_db(path) as fresh:
        after_first = table_checksums(fresh)
    changed = tmp_path / "csww_revised.csv"
    changed.write_text(CSWW.read_text().replace(",21.0,", ",22.0,", 1))
    status, _, err = _cli(capsys, "ingest", "dfe", str(changed), "--db", path)
    assert status == 2
    assert "is stored as 21 (upload 1); this file has 22" in err
    status, out, _ = _cli(capsys, "ingest", "dfe", str(changed), "--replace", "--db", path)
    assert out.startswith("Stored as upload 2: added 0, changed 1, unchanged 352")
    with open_db(path, read_only=True) as fresh:
        assert benchmark(fresh, "Vacancies")["periods"][0]["value"] == 22.0
    status, out, _ = _cli(capsys, "revert", "2", "--db", path)
    assert out.strip() == (
        "Reverted upload 2 ('csww_revised.csv'): removed 1 figures it stored (1 of them had "
        "replaced earlier figures, which are in force again)."
    )
    with open_db(path, read_only=True) as fresh:
        assert benchmark(fresh, "Vacancies")["periods"][0]["value"] == 21.0
    assert _cli(capsys, "revert", "1", "--db", path)[0] == 0
    with open_db(path) as fresh:
        sums = table_checksums(fresh)
    benchmark_tables = [t for t in sums if t.startswith(("benchmark", "statistical", "site_la"))]
    assert benchmark_tables
    for table in benchmark_tables:
        assert sums[table] == empty[table], table
    assert after_first["benchmark_values"] != empty["benchmark_values"]


def test_neighbours_upload_previews_and_reverts(db, capsys):  # noqa: F811
    from rpgdash.ingest import parse_upload, preview

    parsed = parse_upload(db, NEIGHBOURS.read_bytes(), NEIGHBOURS.name, "neighbours")
    plan = preview(db, parsed)
    assert (plan.added, plan.changed, plan.unchanged) == (130, 0, 0)
    assert plan.coverage.to_dict("records") == [
        {"authorities": 13, "neighbours": 130, "with_closeness": 10}
    ]
    assert parsed.notes == [
        "1 row for authorities reported together (such as '940 / 941') skipped: line 15."
    ]
    barnet = parsed.rows.to_pandas().query("la_code == '302'")
    assert barnet["neighbour_code"].tolist()[:3] == ["301", "303", "304"]  # names -> codes
    assert barnet["closeness"].tolist()[0] == "Extremely close"


# --- bad rows: located messages, nothing changed ----------------------------------------------

HEADER = (
    "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
    "region_name,old_la_code,new_la_code,la_name,vacancy_rate_fte\n"
)
GOOD = (
    "2019,Reporting year,Local authority,E92000001,England,E12000007,London,302,E09000003,Barnet,"
)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            GOOD + "12.5\n2019,Reporting year,Local authority,E92000001,England,E12000007,London,"
            "302,E09000003,Barnet,13.0\n",
            "f.csv:3:A: Vacancies for 2019 at 'Barnet' is given again (first on line 2); keep "
            "one row per area and time_period.",
        ),
        (
            GOOD.replace("Local authority", "Ward") + "12.5\n",
            "f.csv:2:C: the geographic_level is 'Ward'; use National, Regional or Local authority.",
        ),
        (
            GOOD.replace(",302,", ",3O2,") + "12.5\n",
            "f.csv:2:H: the old_la_code '3O2' is not a code DfE uses (e.g. 301); correct it or "
            "leave it blank.",
        ),
        (
            GOOD.replace("E09000003", "E9000003") + "12.5\n",
            "f.csv:2:I: the new_la_code 'E9000003' is not a code DfE uses (e.g. E09000002)",
        ),
        (
            GOOD + "supp\n",
            "f.csv:2:K: 'supp' is not a number or a DfE code for a missing figure (c, z, x, low, "
            "k, u); correct it, or leave the cell blank.",
        ),
        (
            GOOD + "120\n",
            "f.csv:2:K: '120' is above 100; Vacancies is a percentage.",
        ),
        (
            GOOD.replace("2019,", "201920x,", 1) + "12.5\n",
            "f.csv:2:A: the time_period '201920x' is not a year (2018) or a DfE year span "
            "(201819).",
        ),
        (
            GOOD.replace("2019,", "201821,", 1) + "12.5\n",
            "f.csv:2:A: the time_period '201821' is not a year span",
        ),
    ],
)
def test_bad_rows_get_located_messages_and_change_nothing(db, body, message):  # noqa: F811
    from rpgdash.ingest import IngestError, commit, parse_upload, preview

    before = table_checksums(db)
    with pytest.raises(IngestError) as caught:
        parsed = parse_upload(db, (HEADER + body).encode(), "f.csv", "dfe")
        commit(db, preview(db, parsed))
    assert message in str(caught.value)
    assert table_checksums(db) == before


def test_a_file_without_the_published_layout_is_refused_at_the_header(db):  # noqa: F811
    from rpgdash.ingest import IngestError, parse_upload

    with pytest.raises(IngestError) as caught:
        parse_upload(db, b"year,measure,value\n2019,Vacancies,3\n", "w.csv", "dfe")
    assert str(caught.value).startswith("w.csv:1: there is no 'time_period' column")


def test_a_column_chosen_on_upload_is_stored_with_its_direction(db, capsys):  # noqa: F811
    path = str(db.path)
    db.close()
    status, out, err = _cli(
        capsys,
        "ingest",
        "dfe",
        str(CSWW),
        "--measures",
        "inpost_fte",
        "agency_rate_fte:increase",
        "--la-code",
        "E09000003",
        "--db",
        path,
    )
    assert status == 0, err
    from rpgdash.benchmarks import queries
    from rpgdash.db import open_db

    with open_db(path, read_only=True) as fresh:
        table = queries.measures(fresh).set_index("dfe_column")
        # the uploader's direction wins over the dashboard's default for a new measure
        assert table.loc["agency_rate_fte", "direction"] == "increase"
        assert table.loc["inpost_fte", "direction"] == "neutral"
        assert benchmark(fresh, "inpost_fte")["periods"][0]["rank"] is None  # neutral: no rank
    status, _, err = _cli(capsys, "ingest", "dfe", str(CSWW), "--measures", "nope", "--db", path)
    assert status == 2 and "there is no column 'nope' to read" in err
    status, _, err = _cli(capsys, "ingest", "workforce", str(CSWW), "--la-code", "1", "--db", path)
    assert status == 2 and "--la-code does not apply to workforce files" in err


def test_a_breakdown_column_keeps_its_total_rows(db):  # noqa: F811
    from rpgdash.ingest import parse_upload

    header = HEADER.replace("la_name,vacancy_rate_fte", "la_name,category,rereferral_percent")
    body = "".join(
        f"{GOOD}{category},{value}\n"
        for category, value in (("Total", "21.5"), ("Boys", "20.1"), ("Girls", "c"))
    )
    parsed = parse_upload(db, (header + body).encode(), "cin.csv", "dfe")
    rows = parsed.rows.to_pandas()
    assert rows[["line", "measure", "value"]].to_dict("records") == [
        {"line": 2, "measure": "Re-referrals within 12 months", "value": 21.5}
    ]
    assert "The file breaks figures down by 'category'; only its total rows were read" in " ".join(
        parsed.notes
    )
    assert parsed.missing == 0  # Girls' 'c' is in a row that was not read


def test_the_benchmarks_migration_upgrades_an_older_file_and_changes_nothing_else(
    tmp_path, monkeypatch
):
    import rpgdash.db as dbmod

    index = dbmod.MIGRATIONS.index(dbmod._MIGRATION_BENCHMARKS)
    path = tmp_path / "old.duckdb"
    monkeypatch.setattr(dbmod, "MIGRATIONS", dbmod.MIGRATIONS[:index])
    monkeypatch.setattr(dbmod, "SCHEMA_VERSION", index)
    with dbmod.open_db(path) as old:
        before = table_checksums(old)
    monkeypatch.undo()
    with dbmod.open_db(path) as upgraded, upgraded.cursor() as cur:
        assert dbmod.schema_version(cur) == dbmod.SCHEMA_VERSION
        after = table_checksums(upgraded)
    new = set(after) - set(before)
    assert {
        "benchmark_measures",
        "benchmark_areas",
        "benchmark_values",
        "statistical_neighbours",
        "site_la_codes",
    } <= new
    assert {t: after[t] for t in before if t != "schema_version"} == {
        t: s for t, s in before.items() if t != "schema_version"
    }
