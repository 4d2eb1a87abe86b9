"""The demo's comparison data, and the page, the report and the CLI showing the same figures."""

from __future__ import annotations

import html
import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from rpgdash import benchmark
from rpgdash.benchmarks.panel import DESCRIPTIVE, ILLUSTRATIVE, build_panel, build_panels
from rpgdash.cli import main
from rpgdash.demo import SITE_NAME, WORKFORCE, WORKFORCE_YEARS
from rpgdash.demo_benchmarks import demo_benchmark_values
from rpgdash.evidence import plain_markdown
from tests.conftest import ROOT


def test_table_2_stays_exactly_as_published_for_the_demo_authority(demo_db):
    for measure, published in WORKFORCE.items():
        result = benchmark(demo_db, measure)
        assert [p["period"] for p in result["periods"]] == [str(y) for y in WORKFORCE_YEARS]
        assert tuple(p["value"] for p in result["periods"]) == published
        # the RPG started in November 2015: the change runs from 2015 to the latest year
        assert (result["change"]["from"], result["change"]["to"]) == ("2015", "2018")
        assert result["change"]["value"] == pytest.approx(published[-1] - published[0])


def test_the_demo_comparisons_are_deterministic_and_complete(demo_db):
    first = demo_benchmark_values(SITE_NAME, WORKFORCE, WORKFORCE_YEARS)
    assert first == demo_benchmark_values(SITE_NAME, WORKFORCE, WORKFORCE_YEARS)
    result = benchmark(demo_db, "Vacancies")
    assert all(p["neighbours_n"] == 10 for p in result["periods"])
    assert all(p["region"] is not None and p["england"] is not None for p in result["periods"])
    assert result["change"]["of"] == 11


def _cli_text(path, measure: str, capsys) -> str:
    assert main(["benchmark", measure, "--db", str(path)]) == 0
    return capsys.readouterr().out


@pytest.mark.xdist_group("report")  # the worker that has built the report already
def test_report_and_cli_say_the_same_sentences(demo_db, demo_path, board_report, capsys):
    report = html.unescape(board_report)  # the demo's report, built once (tests/conftest.py)
    panels, skipped = build_panels(demo_db)
    assert [p.measure for p in panels] == ["Agency staffing", "Sickness", "Turnover", "Vacancies"]
    assert skipped == []
    section = report[report.index('id="benchmarks"') :]
    assert ILLUSTRATIVE in section
    for panel in panels:
        text = _cli_text(demo_path, panel.measure, capsys)
        for sentence in (panel.change_sentence, panel.rank_sentence, panel.caveat):
            assert sentence in text
            assert sentence in section
    assert DESCRIPTIVE.format(n=11) in section
    assert "Vacancies fell 5.6 points between 2015 and 2018; the median neighbour's" in section


def test_the_page_shows_the_panel_the_cli_prints(reading_app_env, demo_db, demo_path, capsys):
    # The app holds its copy open; the session demo it was copied from has the same data.
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    at.switch_page("pages/benchmarks.py").run()
    assert [e.value for e in at.exception] + [e.value for e in at.error] == []
    panel = build_panel(demo_db, "Vacancies")
    assert main(["benchmark", "Vacancies", "--db", str(demo_path), "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    assert panel.result == cli
    shown = [m.value for m in at.markdown]
    assert f"### {plain_markdown(panel.change_sentence)}" in shown
    assert plain_markdown(panel.rank_sentence) in shown
    assert any(ILLUSTRATIVE in c.value for c in at.caption)
    tables = [d.value for d in at.dataframe]
    assert tables[0].equals(panel.table)
    assert tables[1].equals(panel.neighbour_changes)
    # choosing a later start changes the sentence to the one the library gives
    start = next(s for s in at.selectbox if s.label == "Change from")
    start.set_value("2016").run()
    later = build_panel(demo_db, "Vacancies", start="2016", end="2018")
    assert f"### {plain_markdown(later.change_sentence)}" in [m.value for m in at.markdown]
    assert re.search(r"between 2016 and 2018", later.change_sentence)


def test_the_upload_page_takes_a_dfe_file_with_the_sites_la_code(tmp_path, monkeypatch):
    from rpgdash.db import open_db
    from tests.test_ingest_fixtures import build_fixture_db

    path = tmp_path / "page.duckdb"
    build_fixture_db(path).close()
    monkeypatch.setenv("RPGDASH_DB", str(path))
    monkeypatch.delenv("RPGDASH_READ_ONLY", raising=False)
    monkeypatch.chdir(tmp_path)
    at = AppTest.from_file(str(ROOT / "pages" / "upload.py"), default_timeout=120)
    at.session_state["upload_kind"] = "dfe"
    at.run()
    field = next(t for t in at.text_input if t.label.startswith("The site's LA code"))
    field.input("302").run()
    data = (ROOT / "tests" / "data" / "dfe" / "csww_indicators_2017_to_2020.csv").read_bytes()
    at.file_uploader[0].upload("csww.csv", data, "text/csv").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Rows to add"] == "353" and metrics["Missing values (not stored)"] == "7"
    assert any("Rows for 'Barnet' are Demo Borough's own figures." in i.value for i in at.info)
    at.button(key="store_upload").click().run()
    assert at.success[0].value.startswith(
        "Stored as upload 1: added 353, changed 0, unchanged 0, missing 7; Demo Borough now "
        "carries the LA code 302."
    )
    with open_db(path) as db:  # the page's connection is open: same configuration
        assert benchmark(db, "Vacancies")["change"]["value"] == pytest.approx(-5.6)
