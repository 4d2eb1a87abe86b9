"""The findings layer's panels: one wording for the overview, the indicators and the report."""

from __future__ import annotations

import html

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from rpgdash import queries
from rpgdash.present import format as fmt
from rpgdash.present.indicators import (
    build_indicator_panel,
    change_point_problem,
    trend_sentence,
    trend_summary,
)
from rpgdash.present.overview import build_overview_panel, domain_sentence
from tests.conftest import ROOT


def _panel(db, name: str, **controls):
    unit = queries.indicators(db).set_index("name").loc[name, "unit"]
    return build_indicator_panel(
        db, name, unit=unit, site=None, start="2015-01", end="2019-12", **controls
    )


def _page_text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [m.help or "" for m in at.metric]
    return "\n".join(parts)


@pytest.mark.xdist_group("report")  # the worker that has built the report already
def test_every_overview_headline_is_in_the_report_word_for_word(
    reading_app_env, demo_db, board_report: str
) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    assert not at.exception
    shown = _page_text(at)
    panel = build_overview_panel(demo_db, site=queries.site_names(demo_db)[0])
    report = html.unescape(board_report)  # the demo's report, built once (tests/conftest.py)
    sentences = panel.headline_sentences()
    assert len(sentences) >= 12  # waves, three domains, four indicators, four workforce
    for sentence in sentences:
        overview_part = (
            sentence.split(": ", 1)[1]
            if sentence.startswith(tuple(c.name + ": " for c in panel.indicator_cards))
            else sentence
        )
        assert overview_part in shown, overview_part
        assert f"<li>{sentence}</li>" in report, sentence


def test_a_change_point_before_a_series_starts_is_explained_not_raised(demo_db) -> None:
    panel = _panel(demo_db, "Referrals", change_choice="2015-11")
    assert not panel.too_short and panel.chart is not None and panel.its_text is None
    assert panel.notices[0].startswith(
        "Referrals: the figures start in Dec 2015, so a change point in Nov 2015 leaves no "
        "months before it."
    )
    # The same month suits a series that starts earlier (Oct 2015): 1 month before is too few.
    other = _panel(demo_db, "Looked after children", change_choice="2015-11")
    assert "leaves 1 month before it" in other.notices[0]
    fine = _panel(demo_db, "Looked after children", change_choice="2016-01")
    assert fine.notices == () and fine.its_text.startswith("Compared with the trend before Jan")


@pytest.mark.parametrize(
    ("months", "change", "expected"),
    [
        (["2015-12", "2016-01", "2016-02"], "2015-11", "the figures start in Dec 2015"),
        (["2015-12", "2016-01", "2016-02"], "2016-03", "the figures end in Feb 2016"),
        (["2015-12", "2016-01", "2016-02", "2016-03"], "2016-02", None),
    ],
)
def test_change_point_problem(months, change, expected) -> None:
    problem = change_point_problem("X", pd.Series(pd.to_datetime(months)), change)
    assert (problem is None) if expected is None else (expected in problem)


def test_a_rebase_month_the_series_lacks_is_said_and_skipped(demo_db) -> None:
    panel = _panel(demo_db, "Referrals", rebase=("2015-10", "2017-01"))
    assert len(panel.limits) == 2  # the usable rebase (Jan 2017) still applies
    assert any("Oct 2015" in n and "no value" in n for n in panel.notices)


def _result(slope: float, ci: tuple[float, float], sen: float = 0.0) -> dict:
    return {
        "start": "2016-01",
        "end": "2016-12",
        "n": 12,
        "ols": {"slope_per_month": slope, "slope_ci": list(ci)},
        "mann_kendall": {"p_value": 0.9, "sen_slope": sen},
    }


def test_a_zero_slope_reads_flat() -> None:
    text = trend_sentence(_result(0.01, (-0.4, 0.42)), unit="cases")
    assert "was flat" in text and "fell by about 0.0" not in text
    assert "which includes no change" in text
    assert trend_summary(_result(-0.0, (-1, 1)), "cases").startswith("Flat")


def test_trend_says_the_mann_kendall_test_is_separate() -> None:
    text = trend_sentence(_result(-2.5, (-3.3, -1.7), -2.6), unit="referrals")
    assert "fell by about 2.5 referrals a month on a straight-line (least-squares) fit" in text
    assert "A separate test of a steady rise or fall, Mann-Kendall, gives p = 0.900" in text
    assert "on a straight-line fit" in trend_summary(_result(-2.5, (-3.3, -1.7)), "x")


def _rows(counts_b: list[int], diff: float = 0.2) -> pd.DataFrame:
    """One statement row with % agree and mean computed from answer counts (1..4)."""
    n = sum(counts_b)
    mean = sum(s * c for s, c in zip((1, 2, 3, 4), counts_b, strict=True)) / n
    return pd.DataFrame(
        {
            "suppressed": [None],
            "diff": [diff],
            "significant": [True],
            "significant_holm": [False],
            "mean_b": [mean],
            "pct_agree_b": [100 * (counts_b[2] + counts_b[3]) / n],
        }
    )


def test_mean_above_midpoint_and_agree_share_are_both_said() -> None:
    # Counts 0, 6, 0, 4 (issue 11): mean 2.8 with 40% agreeing. The two measures disagree.
    text, hidden = domain_sentence("Set", "All roles", _rows([0, 6, 0, 4]), ("A", "B"), 5)
    assert not hidden
    assert "1 of 1 has a mean above the 2.5 midpoint" in text
    assert "0 of 1 have more than half of staff agreeing" in text
    assert "not adjusted for testing many statements; 0 of 1 with Holm's adjustment" in text
    assert "The one was" not in text


def test_indicator_tables_are_for_people(demo_db) -> None:
    panel = _panel(demo_db, "Children subject to a child protection plan")
    for table in (panel.data, panel.limits):
        assert all(fmt.is_readable_header(c) for c in table.columns), list(table.columns)
        cells = table.astype(str).to_numpy().ravel()
        assert not any(c in ("None", "nan", "NaT", "<NA>") for c in cells)
        assert not any("_" in c or "00:00:00" in c for c in cells)
    assert panel.data["Month"].iloc[0] == "Oct 2015"


def test_workforce_card_parts_are_short(demo_db) -> None:
    panel = build_overview_panel(demo_db, site=None)
    agency = next(c for c in panel.workforce_cards if c.measure == "Agency staffing")
    assert (agency.value, agency.delta) == ("0.0%", "-14.0 points since 2015")
    assert agency.sentence == (
        "Agency staffing: 0.0% in 2018 (-14.0 points since 2015, when it was 14.0%)."
    )
    assert "+1 year" in panel.wave_note and "November 2015" in panel.wave_note


# --- workforce, evidence and model panels (issue 11, item 1) ---------------------------------


def test_workforce_panel_takeaway_and_tables(demo_db) -> None:
    from rpgdash.present.workforce import build_workforce_panel

    panel = build_workforce_panel(demo_db, site=None)
    # Table 2 of the evaluation (PAPER_FACTS): agency 14.0 -> 0.0, sickness 3.0 -> 3.5,
    # turnover 15.0 -> 14.9, vacancies 6.0 -> 0.4, 2015 to 2018.
    assert panel.takeaway == (
        "From 2015 to 2018, agency staffing fell from 14.0% to 0.0%, sickness rose from 3.0% "
        "to 3.5%, turnover stayed about the same (15.0% to 14.9%) and vacancies fell from "
        "6.0% to 0.4%."
    )
    assert list(panel.table.columns) == ["Measure (%)", "2015", "2016", "2017", "2018"]
    assert panel.table.iloc[0].tolist() == ["Agency staffing", "14.0", "11.4", "1.4", "0.0"]
    assert panel.changes_table.iloc[0].tolist() == [
        "Agency staffing",
        "14.0% (2015)",
        "0.0% (2018)",
        "-14.0 points",
    ]
    assert list(panel.download.columns) == ["Site", "Kind", "Year", "Measure", "Value (%)"]
    assert set(panel.download["Kind"]) == {"Local authority"}


def test_workforce_takeaway_names_years_when_measures_differ() -> None:
    from rpgdash.present.workforce import takeaway_sentence

    changes = pd.DataFrame(
        {
            "measure": ["Turnover", "Vacancies"],
            "first_year": [2015, 2016],
            "first": [15.0, 6.0],
            "latest_year": [2018, 2018],
            "latest": [12.0, 6.2],
            "change": [-3.0, 0.2],
        }
    )
    assert takeaway_sentence(changes) == (
        "Turnover fell from 15.0% in 2015 to 12.0% in 2018 and vacancies stayed about the "
        "same (6.0% in 2016 to 6.2% in 2018)."
    )


@pytest.mark.xdist_group("report")  # the worker that has built the report already
def test_workforce_page_and_report_show_the_panel_takeaway(
    reading_app_env, demo_db, board_report: str
) -> None:
    from rpgdash.present.workforce import build_workforce_panel

    panel = build_workforce_panel(demo_db, site=queries.site_names(demo_db)[0])
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    at.switch_page("pages/workforce.py").run()
    assert not at.exception
    assert f"**{panel.takeaway}**" in [m.value for m in at.markdown]
    assert any(e.label == "How to read this chart" for e in at.expander)
    report = html.unescape(board_report)  # the demo's report, built once (tests/conftest.py)
    assert f"<p>{panel.takeaway}</p>" in report


def _evidence_panel(db, role: str = "All roles"):
    from rpgdash import api
    from rpgdash.evidence import load_evidence
    from rpgdash.present.evidence import evidence_panel
    from rpgdash.present.headlines import workforce_changes

    comps = api.compare_waves(db, min_group=5)
    changes = workforce_changes(queries.workforce(db))
    return evidence_panel(
        load_evidence(db), comps, changes, role=role, min_group=5, waves=("+1 year", "+3 years")
    )


def test_evidence_panel_holds_every_theme_with_its_figures(demo_db) -> None:
    from rpgdash.demo_evidence import THEMES

    panel = _evidence_panel(demo_db)
    views = [t for _, themes in panel.waves for t in themes]
    assert [t.name for t in views] == [t.name for t in THEMES]
    assert [w for w, _ in panel.waves] == ["+1 year", "+3 years"]
    staffing = next(t for t in views if t.name == "Effects on staffing")
    assert staffing.workforce_lines[0] == "Agency staffing: 14% in 2015, 0% in 2018 (-14.0 points)."
    culture = next(t for t in views if t.name == "Whole systems culture change")
    assert culture.statements_sentence.startswith("Survey: 2 of 2 linked statements")
    assert "not adjusted for testing many statements" in culture.statements_sentence
    assert panel.summary.startswith("Interviews and focus groups: at +1 year, ")
    assert (
        panel.scope == "Survey figures and excerpts for All roles, comparing +1 year with +3 years."
    )


def test_evidence_row_without_answers_in_a_wave_says_so() -> None:
    from rpgdash.present.evidence import statement_table, statements_sentence

    rows = pd.DataFrame(
        {
            "statement": ["S"],
            "wave_a": ["+1 year"],
            "wave_b": ["+5 years"],
            "n_a": [40],
            "n_b": [0],
            "mean_a": [2.8],
            "mean_b": [float("nan")],
            "diff": [float("nan")],
            "p_value": [float("nan")],
            "p_holm": [float("nan")],
            "significant": [None],
            "suppressed": [None],
        }
    )
    table = statement_table(rows, min_group=5)
    assert table.iloc[0].tolist() == [
        "S",
        "40 and 0",
        "2.80",
        "–",
        "no answers at +5 years",
        "no answers at +5 years",
        "no answers at +5 years",
    ]
    assert statements_sentence(rows, min_group=5) == (
        "Survey: no answers at +5 years for these statements."
    )


def test_model_panel_columns_and_diagram(demo_db) -> None:
    from rpgdash.present.model import build_model_panel, node_heading

    panel = build_model_panel(demo_db, site=None, role="All roles", min_group=5)
    assert [c.title for c in panel.columns] == ["Context", "Mechanisms", "Outcomes"]
    assert panel.scope == "Survey evidence for All roles, +1 year to +3 years."
    outcomes = panel.columns[2].nodes
    assert node_heading(outcomes[0]) == "Individual staff: Professional practice and support"
    assert all(n.key in panel.dot for c in panel.columns for n in c.nodes)
    assert panel.for_whom.startswith("For whom, as this study observed it")
    assert "not adjusted for testing many statements" in panel.method


def test_model_for_whom_leaves_out_roles_without_answers_in_a_wave() -> None:
    from rpgdash.present.model import for_whom_sentence

    rows = pd.DataFrame(
        {
            "role": ["Team manager", "Social worker"],
            "wave_a": ["+1 year"] * 2,
            "wave_b": ["+5 years"] * 2,
            "n_a": [9, 20],
            "n_b": [0, 22],
            "diff": [float("nan"), 0.3],
            "suppressed": [None, None],
        }
    )
    text = for_whom_sentence(rows, 5)
    assert "Social worker, 1 of 1 (n = 20 and 22)" in text
    assert "Team manager, 0 of 1" not in text
    assert "No answers in one of the two waves: Team manager." in text


# --- glossary and reading help (items 2 and 3) -------------------------------------------------


def test_glossary_anchors_are_unique_ids_and_links_refuse_unknown_terms() -> None:
    import re

    from rpgdash.present import glossary

    anchors = [t.anchor for t in glossary.TERMS]
    assert len(anchors) == len(set(anchors))
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*", a) for a in anchors)
    assert all(len(t.meaning.split()) >= 15 for t in glossary.TERMS)
    assert glossary.link("xmr", "XmR") == "[XmR](about#xmr)"
    with pytest.raises(KeyError):
        glossary.link("no-such-term")


def test_how_to_read_entries_are_plain_text_for_each_chart_kind() -> None:
    from rpgdash.present.reading_more import HOW_TO_READ

    assert set(HOW_TO_READ) >= {"xmr", "level_scan", "workforce", "benchmarks", "model"}
    assert all(isinstance(v, str) and len(v.split()) >= 30 for v in HOW_TO_READ.values())


# --- the upload history (item 4) ---------------------------------------------------------------


def test_upload_history_table_reads_as_words() -> None:
    from rpgdash.present.uploads import history_table

    history = pd.DataFrame(
        {
            "upload_id": [2, 1],
            "uploaded_at": pd.to_datetime(["2026-01-02 10:15:42", "2026-01-01 09:00:00"]),
            "uploaded_by": ["a@example.org", None],
            "kind": ["indicators", "survey"],
            "file_name": ["referrals.csv", "wave.csv"],
            "sha256": ["ab" * 32, "cd" * 32],
            "encoding": ["utf-8", "cp1252"],
            "rows_added": [1200, 3],
            "rows_changed": [0, 0],
            "rows_unchanged": [0, 0],
            "rows_missing": [1, 0],
            "status": ["stored", "reverted"],
            "reverted_at": [pd.NaT, pd.Timestamp("2026-01-03 08:00")],
        }
    )
    table = history_table(history)
    assert {"Uploaded", "By", "Checksum (SHA-256)"} <= set(table.columns)
    assert all(fmt.is_readable_header(c) for c in table.columns)
    assert table["Uploaded"].tolist() == ["2 Jan 2026, 10:15", "1 Jan 2026, 09:00"]
    assert table["By"].tolist() == ["a@example.org", "–"]
    assert table["Data"].tolist() == ["Monthly indicator series", "A survey wave"]
    assert table["Rows added"].tolist() == ["1,200", "3"]
    assert table["Status"].tolist() == ["Stored", "Reverted on 3 Jan 2026, 08:00"]


def test_the_readability_check_catches_what_it_looks_for() -> None:
    from tests.test_present_everywhere import _frame_problems, _text_problems

    bad = pd.DataFrame({"uploaded_at": [pd.Timestamp("2026-01-01")], "By": [None]})
    problems = _frame_problems("t", bad)
    assert any("header 'uploaded_at'" in p for p in problems)
    assert any("raw date" in p for p in problems) and any("missing" in p for p in problems)
    assert _text_problems("c", "Latest: 2015-10-01 00:00:00")
    assert _text_problems("c", "Value: nan")
    assert _text_problems("c", "By: None.")
    assert not _text_problems("c", "None of this shows that RPGs caused a change.")


# --- charts at a phone's width (item 6) --------------------------------------------------------


def _lines(text) -> list[str]:
    return text if isinstance(text, list) else [text]


def test_monthly_and_yearly_charts_wrap_titles_and_stack_legends(demo_db) -> None:
    from rpgdash import charts
    from rpgdash.benchmarks.chart import benchmark_chart
    from rpgdash.benchmarks.panel import build_panels

    panel = _panel(demo_db, "Looked after children")
    spec = charts.stack_legends(panel.chart.build().to_dict())
    title = spec["title"]
    assert all(len(line) <= charts.NARROW_TITLE for line in _lines(title["text"]))
    assert all(len(line) <= charts.NARROW_SUBTITLE for line in _lines(title["subtitle"]))
    # Three legends share the bottom edge; Vega stacks them only with this layout.
    assert spec["config"]["legend"]["layout"]["bottom"]["direction"] == "vertical"
    figures = queries.workforce(demo_db)
    one = charts.workforce_measure_chart(figures, "Agency staffing").to_dict()
    assert one["width"] == "container" and one["autosize"]["type"] == "fit-x"
    benchmarks, _ = build_panels(demo_db, site=queries.site_names(demo_db)[0])
    bench = benchmark_chart(
        benchmarks[0].chart_data, title="A long finding " * 6, unit="%"
    ).to_dict()
    assert all(len(line) <= charts.NARROW_TITLE for line in _lines(bench["title"]["text"]))
    legends = [
        layer["encoding"][channel]["legend"]
        for layer in bench["layer"]
        for channel in ("color", "strokeDash", "shape")
        if channel in layer.get("encoding", {})
    ]
    assert legends and all(g["direction"] == "vertical" for g in legends)
