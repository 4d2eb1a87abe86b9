"""`python -m rpgdash`: help, init-demo and export."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from rpgdash.cli import build_parser, main

ROOT = Path(__file__).resolve().parent.parent


def _commands() -> list[str]:
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    return sorted(sub.choices)


def test_help_lists_every_subcommand() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "rpgdash", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for command in ("init-demo", "export", "stats", "ingest", "uploads", "revert"):
        assert command in out
        assert command in _commands()


def test_every_command_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    for command in _commands():
        assert f"`{command}" in readme, f"README does not document {command!r}"


def test_every_setting_is_documented_in_the_readme() -> None:
    from rpgdash.settings import SETTINGS

    readme = (ROOT / "README.md").read_text()
    for setting in SETTINGS:
        assert f"`{setting.env}`" in readme, setting.env


def test_init_demo_builds_and_refuses_to_overwrite(tmp_path: Path, capsys) -> None:
    path = tmp_path / "cli.duckdb"
    assert main(["init-demo", "--db", str(path)]) == 0
    assert path.exists()
    assert main(["init-demo", "--db", str(path)]) == 2
    assert "--force" in capsys.readouterr().err
    assert main(["init-demo", "--db", str(path), "--if-missing"]) == 0


@pytest.mark.parametrize(
    ("table", "header"),
    [
        ("survey", ["site", "wave", "respondent_id", "role", "domain", "statement", "score"]),
        ("indicators", ["site", "indicator", "month", "value"]),
        ("workforce", ["site", "year", "measure", "value"]),
    ],
)
def test_export_is_tidy_and_byte_stable(demo_path: Path, tmp_path: Path, table, header):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    assert main(["export", table, "--out", str(first), "--db", str(demo_path)]) == 0
    assert main(["export", table, "--out", str(second), "--db", str(demo_path)]) == 0
    assert first.read_bytes() == second.read_bytes()
    with first.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == header
    if table == "survey":
        assert len(rows) - 1 == (47 + 75) * 18
        assert {r[4] for r in rows[1:]} == {"professional", "self_efficacy", "relationships"}
        assert {r[6] for r in rows[1:]} == {"", "1", "2", "3", "4"}
    if table == "indicators":
        assert rows[1][2] == "2015-10" and all(len(r[2]) == 7 for r in rows[1:])
    if table == "workforce":
        assert ["Demo local authority", "2015", "Agency staffing", "14.0"] in rows


def test_export_of_an_unknown_site_writes_only_the_header(demo_path, tmp_path) -> None:
    out = tmp_path / "none.csv"
    assert (
        main(
            [
                "export",
                "workforce",
                "--out",
                str(out),
                "--db",
                str(demo_path),
                "--site",
                "x' OR '1'='1",
            ]
        )
        == 0
    )
    assert out.read_text(encoding="utf-8-sig").strip() == "site,year,measure,value"


def test_stats_compare_from_the_database_equals_the_api(demo_path: Path, capsys) -> None:
    import json

    import rpgdash

    assert (
        main(["stats", "compare", "--db", str(demo_path), "--role", "Team manager", "--json"]) == 0
    )
    got = json.loads(capsys.readouterr().out)["comparisons"]
    with rpgdash.open_db(demo_path, read_only=True) as db:
        expected = rpgdash.compare_waves(db, role="Team manager")
    assert [r["statement"] for r in got] == expected["statement"].tolist()
    assert [r["mean_b"] for r in got] == pytest.approx(expected["mean_b"].tolist())
    assert [r["p_value"] for r in got] == pytest.approx(expected["p_value"].tolist())
    assert {r["role"] for r in got} == {"Team manager"}


def test_stats_compare_from_the_database_keeps_suppression(demo_path: Path, capsys) -> None:
    import json

    assert main(["stats", "compare", "--db", str(demo_path), "--role", "Other", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["comparisons"]
    assert rows and all(r["suppressed"] and r["mean_a"] is None for r in rows)


# What a command imports: `--help` and `export` must not pay for the chart, report and web
# libraries (`python -X importtime -m rpgdash --help` shows the cost).
HEAVY = ("altair", "vl_convert", "streamlit", "scipy", "rpgdash.report")
_IMPORTED = """
import runpy, sys
sys.argv = ["rpgdash", *sys.argv[1:]]
try:
    runpy.run_module("rpgdash", run_name="__main__")
except SystemExit as stop:
    assert not stop.code, stop.code
print(" ".join(sorted(sys.modules)))
"""


def _modules_imported_by(*args: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", _IMPORTED, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return set(done.stdout.splitlines()[-1].split())


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("export", "survey", "--out", "{out}", "--db", "{db}"),
    ],
    ids=["help", "export"],
)
def test_help_and_export_do_not_import_heavy_libraries(args, demo_path, tmp_path) -> None:
    filled = [a.format(out=tmp_path / "out.csv", db=demo_path) for a in args]
    modules = _modules_imported_by(*filled)
    assert "rpgdash.cli" in modules  # the probe ran the command
    assert [m for m in modules if m.startswith(HEAVY)] == []
    if args[0] == "export":
        assert (tmp_path / "out.csv").stat().st_size > 0


def test_the_overview_help_of_each_plugin_command_is_its_own() -> None:
    from rpgdash.cli import PLUGINS

    sub = next(a for a in build_parser()._actions if a.dest == "command")
    full = {c.dest: c.help for c in sub._choices_actions}
    for plugin in PLUGINS:
        for name, help_text in plugin.commands.items():
            assert full[name] == help_text, name


def test_a_plugin_command_is_parsed_by_its_own_parser(tmp_path, capsys) -> None:
    with pytest.raises(SystemExit):
        main(["stats", "trend", "--help"])
    assert "--change-point" in capsys.readouterr().out


@pytest.mark.parametrize("table", ["survey", "indicators", "workforce"])
def test_export_writes_the_same_bytes_as_the_pages_csv_writer(writable_demo, table) -> None:
    """The CLI's pandas-free writer and to_safe_csv (used for the pages' downloads) agree."""
    from rpgdash import export, queries
    from rpgdash.db import open_db
    from rpgdash.ingest.safe_csv import to_safe_csv

    with open_db(writable_demo) as db:
        with db.transaction() as cur:  # text a spreadsheet would run as a formula
            cur.execute("INSERT INTO sites (name) VALUES ('=HYPERLINK(\"x\")')")
            cur.execute(
                "INSERT INTO workforce (site_id, year, measure, value) SELECT site_id, 2020, "
                "'-1 \"quoted\", with comma', -2.5 FROM sites WHERE name LIKE '=%'"
            )
        for site in (None, "Demo local authority", '=HYPERLINK("x")'):
            frame = getattr(queries, f"{table}_export")(db, site=site)
            assert export.to_csv(*export.export_rows(db, table, site)) == to_safe_csv(frame)
