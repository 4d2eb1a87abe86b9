"""Qualitative evidence: demo themes, small-group protection, the excerpts upload, the page."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import rpgdash
from rpgdash import evidence, queries
from rpgdash.db import open_db, table_checksums
from rpgdash.demo import ROLES
from rpgdash.demo_evidence import EXCERPTS, THEMES
from rpgdash.ingest import IngestError, commit, list_uploads, parse_upload, preview, revert
from rpgdash.ingest import cli as ingest_cli
from rpgdash.ingest.excerpts import read_source
from rpgdash.present import headlines
from rpgdash.stats import suppress_small_groups
from tests.conftest import ROOT

SENIOR_MANAGERS = "The RPG has improved my relationships and interactions with senior managers"
WHOLE_SYSTEM = "The RPG has improved relationships and interactions across the whole system"
UPLOAD = (
    b"wave,theme,polarity,excerpt,source\n"
    b'+3 years,Whole systems culture change,positive,"Managers now join our case '
    b'discussions.","interview, Team manager"\n'
    b'+3 years,Workload pressure,negative,"Some weeks there is no time to stop and think.",'
    b"focus group (Social worker)\n"
    b'+3 years,Workload pressure,negative,"I missed three sessions because of court work.",'
    b"interview\n"
)


# --- demo content -----------------------------------------------------------------------------


def test_demo_stores_the_studys_themes_by_wave_and_polarity(demo_db) -> None:
    themes = queries.themes(demo_db)
    summary = themes.groupby(["wave", "polarity"]).size().to_dict()
    # PAPER_FACTS: +1 year three positive and one negative; +3 years four positive, one negative.
    assert summary == {
        ("+1 year", "negative"): 1,
        ("+1 year", "positive"): 3,
        ("+3 years", "negative"): 1,
        ("+3 years", "positive"): 4,
    }
    assert themes["from_paper"].all()
    assert themes["description"].str.len().min() > 40


def test_theme_links_follow_the_documented_mapping(demo_db) -> None:
    links = queries.theme_statements(demo_db).merge(queries.themes(demo_db), on="theme_id")
    linked = links.groupby("name")["statement"].apply(set).to_dict()
    assert linked["Emotional support and reassurance"] == {
        "The RPG has helped me to manage the emotional impact of my work"
    }
    assert linked["Better sense of the organisation as a whole"] == {
        "The RPG has strengthened my professional identity"
    }
    assert linked["Whole systems culture change"] == {SENIOR_MANAGERS, WHOLE_SYSTEM}
    assert "Negative group experience" not in linked
    assert "Attendance remained a problem" not in linked
    measures = queries.theme_measures(demo_db).merge(queries.themes(demo_db), on="theme_id")
    assert set(measures["measure"]) == {"Agency staffing", "Vacancies"}
    assert set(measures["name"]) == {"Effects on staffing"}
    unlinked = queries.themes(demo_db).set_index("name")["link_note"]
    assert "No survey statement measures attendance" in unlinked["Negative group experience"]


def test_every_theme_has_two_or_three_illustrative_excerpts_and_other_is_used(demo_db) -> None:
    stored = queries.excerpts(demo_db)
    assert len(stored) == len(EXCERPTS)
    counts = stored.groupby("theme_id").size()
    assert counts.between(2, 3).all() and len(counts) == len(THEMES)
    assert stored["illustrative"].all()
    assert (stored["role"] == "Other").sum() >= 1
    assert set(stored["source_type"]) == {"interview", "focus group"}
    assert stored["text"].str.len().max() < 120


# --- protection -------------------------------------------------------------------------------


def test_attributable_roles_are_the_roles_the_survey_pages_show(demo_db) -> None:
    sizes = queries.group_sizes(demo_db)
    hidden = {(s.role, s.wave) for s in suppress_small_groups(sizes, 5)}
    allowed = evidence.attributable_roles(sizes, 5)
    for row in sizes.itertuples():
        assert (row.role in allowed.get(row.wave, set())) == ((row.role, row.wave) not in hidden)
    assert "Other" not in allowed["+1 year"] and "Other" not in allowed["+3 years"]
    # Senior social workers are hidden too (secondary suppression), so their role is withheld.
    assert "Senior social worker" not in allowed["+1 year"]


def test_all_roles_keeps_every_excerpt_but_withholds_small_roles(demo_db) -> None:
    data = evidence.load_evidence(demo_db)
    result = evidence.protect_excerpts(data.excerpts, data.group_sizes, min_group=5)
    shown = result.shown
    assert len(shown) == len(data.excerpts) and result.held_back == 0
    others = shown[shown["role"] == "Other"]
    assert len(others) >= 1
    assert others["attribution"].isna().all() and others["role_withheld"].all()
    team = shown[shown["role"] == "Team manager"]
    assert (team["attribution"] == "Team manager").all()
    labels = {
        evidence.source_label(r.source_type, r.attribution, r.role_withheld)
        for r in others.itertuples()
    }
    assert all("Other" not in label and "not shown" in label for label in labels)


def test_selecting_a_small_role_shows_none_of_its_excerpts(demo_db) -> None:
    data = evidence.load_evidence(demo_db)
    n_other = int((data.excerpts["role"] == "Other").sum())
    result = evidence.protect_excerpts(data.excerpts, data.group_sizes, min_group=5, role="Other")
    assert result.shown.empty
    assert result.held_back == n_other
    assert result.held_back_themes == set(
        data.excerpts.loc[data.excerpts["role"] == "Other", "theme_id"]
    )


def test_a_lower_threshold_lets_the_role_be_shown(demo_db) -> None:
    data = evidence.load_evidence(demo_db)
    result = evidence.protect_excerpts(data.excerpts, data.group_sizes, min_group=1, role="Other")
    assert len(result.shown) == int((data.excerpts["role"] == "Other").sum())
    assert (result.shown["attribution"] == "Other").all()


def test_a_role_selection_shows_only_that_roles_excerpts(demo_db) -> None:
    data = evidence.load_evidence(demo_db)
    result = evidence.protect_excerpts(
        data.excerpts, data.group_sizes, min_group=5, role="Team manager"
    )
    assert len(result.shown) > 0
    assert set(result.shown["attribution"]) == {"Team manager"}


def test_source_labels() -> None:
    assert evidence.source_label("interview", "Team manager", False) == "Interview, Team manager"
    assert evidence.source_label("focus group", None, False) == "Focus group"
    assert (
        evidence.source_label("focus group", None, True)
        == "Focus group, job role not shown to protect a small group"
    )


def test_plain_markdown_neutralises_links_and_emphasis() -> None:
    text = evidence.plain_markdown("[click](javascript:alert(1)) **bold** <b>x</b>")
    assert "](" not in text.replace("\\]\\(", "")
    assert "\\*\\*bold\\*\\*" in text and "\\<b\\>" in text


# --- the statistics shown for a theme are compare_waves' -------------------------------------


@pytest.mark.parametrize("role", ["All roles", "Team manager", "Lead practitioner"])
def test_theme_statements_are_the_compare_waves_rows(demo_db, role: str) -> None:
    data = evidence.load_evidence(demo_db)
    comps = rpgdash.compare_waves(demo_db)
    theme = data.themes.set_index("name").loc["Whole systems culture change", "theme_id"]
    rows = evidence.theme_statements(int(theme), data.links, comps, role)
    expected = rpgdash.compare_waves(demo_db, role=role, domain="relationships")
    expected = expected[expected["statement"].isin([SENIOR_MANAGERS, WHOLE_SYSTEM])]
    merged = rows.merge(expected, on="statement", suffixes=("", "_expected"))
    assert len(merged) == 2
    for column in ("mean_a", "mean_b", "diff", "p_value"):
        assert (merged[column] == merged[f"{column}_expected"]).all(), column


def test_statement_table_hides_every_number_of_a_suppressed_role(demo_db) -> None:
    data = evidence.load_evidence(demo_db)
    comps = rpgdash.compare_waves(demo_db)
    theme = data.themes.set_index("name").loc["Whole systems culture change", "theme_id"]
    rows = evidence.theme_statements(int(theme), data.links, comps, "Other")
    table = evidence.statement_table(rows, min_group=5)
    assert list(table.columns) == ["Statement", "Survey result"]
    assert set(table["Survey result"]) == {"fewer than 5 responses"}
    sentence = evidence.statements_sentence(rows, min_group=5)
    assert sentence == "Survey results not shown for this group: fewer than 5 responses."


def test_statement_sentence_counts_improvements_and_significance(demo_db) -> None:
    data = evidence.load_evidence(demo_db)
    comps = rpgdash.compare_waves(demo_db)
    theme = data.themes.set_index("name").loc["Whole systems culture change", "theme_id"]
    rows = evidence.theme_statements(int(theme), data.links, comps, "All roles")
    # PAPER_FACTS finding 8: every relationships statement improved significantly.
    assert evidence.statements_sentence(rows, min_group=5) == (
        "Survey: 2 of 2 linked statements more agreed with at +3 years than at +1 year; "
        "2 improved significantly (95%, Mann-Whitney U, not adjusted for testing many "
        "statements)."
    )


def test_staffing_theme_shows_the_table_2_change(demo_db) -> None:
    data = evidence.load_evidence(demo_db)
    changes = headlines.workforce_changes(queries.workforce(demo_db))
    theme = data.themes.set_index("name").loc["Effects on staffing", "theme_id"]
    assert evidence.measure_lines(int(theme), data.measures, changes) == [
        "Agency staffing: 14% in 2015, 0% in 2018 (-14.0 points).",
        "Vacancies: 6% in 2015, 0.4% in 2018 (-5.6 points).",
    ]


# --- the coded-excerpts upload ----------------------------------------------------------------


def test_read_source_accepts_the_documented_forms() -> None:
    assert read_source("interview") == ("interview", None, None)
    assert read_source("Interview, Team manager") == ("interview", "Team manager", None)
    assert read_source("focus group (Social worker)") == ("focus group", "Social worker", None)
    assert read_source("Focus groups; Other") == ("focus group", "Other", None)
    assert read_source("interview - Lead practitioner") == ("interview", "Lead practitioner", None)
    kind, role, error = read_source("podcast")
    assert kind is None and error.startswith("the source 'podcast' does not start")


def test_upload_preview_store_show_and_revert_exactly(writable_demo: Path) -> None:
    with open_db(writable_demo) as db:
        before = table_checksums(db)
        plan = preview(db, parse_upload(db, UPLOAD, "coded.csv", "excerpts"))
        assert (plan.added, plan.changed, plan.unchanged) == (3, 0, 0)
        assert plan.new_themes == ["Workload pressure (+3 years, negative)"]
        assert table_checksums(db) == before
        result = commit(db, plan, user="tester")
        assert result.message == (
            f"Stored as upload {result.upload_id}: 3 excerpts added (1 new themes), "
            "0 already stored."
        )
        stored = queries.excerpts(db)
        mine = stored[~stored["illustrative"]]
        assert mine["theme"].tolist() == [
            "Whole systems culture change",
            "Workload pressure",
            "Workload pressure",
        ]
        assert mine["role"].tolist()[:2] == ["Team manager", "Social worker"]
        assert pd.isna(mine["role"].tolist()[2])
        assert list_uploads(db)["kind"].tolist() == ["excerpts"]
        again = commit(db, preview(db, parse_upload(db, UPLOAD, "coded.csv", "excerpts")))
        assert again.upload_id is None
        message = revert(db, result.upload_id)
        assert message == (
            f"Reverted upload {result.upload_id} ('coded.csv'): removed 3 excerpts and 1 "
            "themes it created."
        )
        after = table_checksums(db)
    changed = {t for t in before if before[t] != after[t]}
    assert changed == {"uploads"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "wave,theme,polarity,excerpt,source\n+3 yeras,T,positive,Text,interview\n",
            "x.csv:2:A: the wave '+3 yeras' is not stored. Did you mean '+3 years' or '+1 year'?",
        ),
        (
            "wave,theme,polarity,excerpt,source\n+3 years,T,neutral,Text,interview\n",
            "x.csv:2:C: the polarity 'neutral' is not positive or negative; write one of "
            "those two words.",
        ),
        (
            "wave,theme,polarity,excerpt,source\n+3 years,T,positive,Text,"
            '"interview, Social worke"\n',
            "x.csv:2:E: the role 'Social worke' is not stored. Did you mean 'Social worker' "
            "or 'Senior social worker'?",
        ),
        (
            "wave,theme,polarity,excerpt,source\n+3 years,Whole systems culture change,"
            "negative,Text,interview\n",
            "x.csv:2: the theme 'Whole systems culture change' at +3 years is stored as "
            "positive, not negative; use the stored polarity or another theme name.",
        ),
        (
            "wave,theme,polarity,excerpt,source\n+3 years,T,positive,,interview\n",
            "x.csv:2:D: the excerpt is blank; fill it in.",
        ),
        (
            "wave,theme\n+3 years,T\n",
            "x.csv:1: the header must be wave, theme, polarity, excerpt, source (optionally "
            "role and site); missing: polarity, excerpt, source. Found: 'wave', 'theme'.",
        ),
        (
            "wave,theme,polarity,excerpt,source\n+3 years,T,positive,Same,interview\n"
            "+3 years,T,positive,Same,focus group\n",
            "x.csv:3: this excerpt is given again for the theme 'T' (first on line 2); keep "
            "one row per excerpt.",
        ),
    ],
)
def test_bad_excerpt_files_are_refused_with_line_and_column(
    demo_db, content: str, message: str
) -> None:
    with pytest.raises(IngestError) as caught:
        parse_upload(demo_db, content.encode(), "x.csv", "excerpts")
    assert str(caught.value) == message


def test_the_cli_stores_coded_excerpts(writable_demo: Path, tmp_path: Path, capsys) -> None:
    path = tmp_path / "coded.csv"
    path.write_bytes(UPLOAD)
    args = ["ingest", "excerpts", str(path), "--db", str(writable_demo), "--user", "cli"]
    assert ingest_cli.main([*args, "--dry-run"]) == 0
    assert "would have added 3" in capsys.readouterr().out
    assert ingest_cli.main(args) == 0
    assert "3 excerpts added (1 new themes)" in capsys.readouterr().out


def test_migration_3_upgrades_a_version_2_file(tmp_path: Path, monkeypatch) -> None:
    import rpgdash.db as dbmod

    path = tmp_path / "old.duckdb"
    monkeypatch.setattr(dbmod, "MIGRATIONS", dbmod.MIGRATIONS[:2])
    monkeypatch.setattr(dbmod, "SCHEMA_VERSION", 2)
    dbmod.open_db(path).close()
    monkeypatch.undo()
    with dbmod.open_db(path) as db, db.cursor() as cur:
        names = {
            r[0] for r in cur.execute("SELECT table_name FROM information_schema.tables").fetchall()
        }
        assert {"themes", "theme_statements", "theme_measures", "excerpts"} <= names
        assert dbmod.schema_version(cur) == dbmod.SCHEMA_VERSION


# --- the page ---------------------------------------------------------------------------------


def _evidence_page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    at.switch_page("pages/evidence.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _tables_by_statement(at: AppTest) -> dict[str, dict]:
    out = {}
    for table in at.table:
        frame = table.value
        for record in frame.to_dict("records"):
            out.setdefault(record["Statement"], record)
    return out


def _quotes(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith("> \u201c")]


@pytest.mark.parametrize("role", ["All roles", "Team manager", "Social worker"])
def test_page_figures_equal_compare_waves_for_the_role(
    reading_app_env: Path, demo_path: Path, role: str
) -> None:
    # The app reads a shared copy of the demo; the expected figures come from the original.
    with open_db(demo_path, read_only=True) as db:
        expected = rpgdash.compare_waves(db, role=role)
    at = _evidence_page()
    at.selectbox(key="role").set_value(role).run()
    assert not at.exception and not at.error
    shown = _tables_by_statement(at)
    assert len(shown) >= 8
    for statement, record in shown.items():
        row = expected[expected["statement"] == statement].iloc[0]
        assert record["Mean (+1 year)"] == f"{row['mean_a']:.2f}"
        assert record["Mean (+3 years)"] == f"{row['mean_b']:.2f}"
        assert record["Change"] == f"{row['diff']:+.2f}"
        assert record["Significant (95%)"] == ("yes" if row["significant"] else "no")


def test_page_shows_themes_polarity_and_illustrative_excerpts(reading_app_env: Path) -> None:
    at = _evidence_page()
    assert [h.value for h in at.header] == ["Themes at +1 year", "Themes at +3 years"]
    shown = [s.value.replace("\\", "") for s in at.subheader]
    assert shown == [t.name for t in THEMES]
    text = " ".join(m.value for m in at.markdown)
    assert "\u25bc Negative theme." in text and "\u25b2 Positive theme." in text
    quotes = _quotes(at)
    assert len(quotes) == len(EXCERPTS)
    assert all(q.endswith("(illustrative)") for q in quotes)
    assert any(evidence.ILLUSTRATIVE_EXCERPTS in c.value for c in at.caption)


def test_role_filter_applies_to_excerpts(reading_app_env: Path) -> None:
    at = _evidence_page()
    at.selectbox(key="role").set_value("Lead practitioner").run()
    quotes = _quotes(at)
    expected = [e for e in EXCERPTS if e[3] == "Lead practitioner"]
    assert len(quotes) == len(expected)
    assert all("Lead practitioner" in q for q in quotes)


def test_a_role_below_the_threshold_has_no_attributed_excerpt(reading_app_env: Path) -> None:
    at = _evidence_page()
    assert not any(re.search(r"\u2014 \w[\w ]*, Other", q) for q in _quotes(at))
    at.selectbox(key="role").set_value("Other").run()
    assert not at.exception and not at.error
    assert _quotes(at) == []
    captions = [c.value for c in at.caption]
    held = [c for c in captions if c.startswith("Excerpts from Other are not shown")]
    assert len(held) == len({e[1] for e in EXCERPTS if e[3] == "Other"})
    for record in _tables_by_statement(at).values():
        assert record == {
            "Statement": record["Statement"],
            "Survey result": "fewer than 5 responses",
        }


def test_uploaded_excerpts_appear_as_coded_excerpts(app_env: Path) -> None:
    with open_db(app_env) as db:
        commit(db, preview(db, parse_upload(db, UPLOAD, "coded.csv", "excerpts")))
    at = _evidence_page()
    assert "Workload pressure" in [s.value for s in at.subheader]
    quotes = _quotes(at)
    assert any("Managers now join our case discussions" in q for q in quotes)
    assert any(q.endswith("Interview, Team manager") for q in quotes)
    assert "**Coded excerpts**" in [m.value for m in at.markdown]


def test_page_runs_for_every_role(reading_app_env: Path) -> None:
    at = _evidence_page()
    for role in ["All roles", *(name for name, _, _ in ROLES)]:
        at.selectbox(key="role").set_value(role).run()
        assert not at.exception and not at.error, role
        assert [t.value for t in at.title] == ["Evidence from interviews"]
