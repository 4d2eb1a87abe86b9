"""The context-mechanism-outcome model: content, evidence from stored data, DOT, the page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import rpgdash
from rpgdash import model, queries
from rpgdash.db import open_db
from rpgdash.demo import ROLES
from rpgdash.ingest import commit, parse_upload, preview
from rpgdash.present import headlines
from tests.conftest import ROOT


@pytest.fixture
def all_roles(demo_db) -> model.CmoModel:
    return model.build_model(
        model.collect_inputs(demo_db, site=None, role="All roles", min_group=5)
    )


def _node(cmo: model.CmoModel, key: str) -> model.ModelNode:
    return next(n for n in cmo.nodes if n.key == key)


def test_the_model_has_the_studys_contexts_mechanisms_and_outcome_levels(all_roles) -> None:
    contexts = [n.label for n in all_roles.column("context")]
    assert contexts == [
        "Organisational commitment",
        "Trust within groups",
        "Attendance",
        "Facilitation quality",
    ]
    assert len(all_roles.column("mechanism")) == 5
    assert "Holding and valuing staff" in [n.label for n in all_roles.column("mechanism")]
    levels = {n.level for n in all_roles.column("outcome")}
    assert levels == {"individual", "organisational", "family"}
    assert "lead practitioners and senior managers" in all_roles.for_whom
    assert "squeezed" in all_roles.for_whom and "part-time" in all_roles.for_whom
    assert any("no causal link" in c for c in all_roles.caveats)
    # "For whom" is what this study observed, with n, never an effect of RPGs.
    assert all_roles.for_whom.startswith("For whom, as this study observed it (not a measured")
    assert "Social worker, 18 of 18 (n = 14 and 31)" in all_roles.for_whom
    assert all_roles.for_whom.endswith("not effects of RPGs.")


def test_survey_outcome_evidence_equals_the_statistics_engine(demo_db, all_roles) -> None:
    heads = {
        h.domain: h for h in headlines.domain_headlines(rpgdash.compare_waves(demo_db), "All roles")
    }
    rel = heads["relationships"]
    # PAPER_FACTS finding 8: all four relationships statements improved significantly.
    assert (rel.significant, rel.statements) == (4, 4)
    assert _node(all_roles, "out_relationships").evidence == (
        "relationships: 4 of 4 statements improved significantly (95%, Mann-Whitney U, not "
        "adjusted for testing many statements)",
        "4 of 4 with a mean above the 2.5 midpoint now",
    )
    prof = heads["professional"]
    assert _node(all_roles, "out_professional").evidence[0] == (
        f"professional practice: {prof.improved} of {prof.statements} statements improved, "
        f"{prof.significant} significantly (95%, Mann-Whitney U, not adjusted for testing "
        "many statements)"
    )
    assert _node(all_roles, "out_self_efficacy").evidence == (
        "self-efficacy: 6 of 6 statements improved, none significantly (95%, Mann-Whitney U, "
        "not adjusted for testing many statements)",
        "5 of 6 with a mean above the 2.5 midpoint now",
    )


def test_workforce_and_family_evidence(demo_db, all_roles) -> None:
    assert _node(all_roles, "out_workforce").evidence == (
        "agency staffing 14% \u2192 0% (2015\u20132018)",
        "vacancies 6% \u2192 0.4% (2015\u20132018)",
        "turnover 15% \u2192 14.9% (2015\u20132018)",
    )
    family = _node(all_roles, "out_family").evidence
    names = queries.indicators(demo_db)["name"].tolist()
    assert len(family) == len(names)
    for name, line in zip(names, family, strict=True):
        slope = rpgdash.analyse_trend(demo_db, name)["ols"]["slope_per_month"]
        assert line.startswith(f"{name}: falling by about {abs(slope):.1f} ")


def test_a_small_role_gets_no_survey_figures(demo_db) -> None:
    cmo = model.build_model(model.collect_inputs(demo_db, site=None, role="Other", min_group=5))
    for key in ("out_professional", "out_self_efficacy", "out_relationships"):
        (line,) = _node(cmo, key).evidence
        assert line.endswith("not shown for Other (fewer than 5 responses).")
        assert re.sub(r"fewer than 5", "", line).count("5") == 0


def test_evidence_is_recomputed_when_the_data_change(writable_demo: Path) -> None:
    upload = b"year,measure,value\n2018,Agency staffing,5\n"
    with open_db(writable_demo) as db:
        plan = preview(db, parse_upload(db, upload, "agency.csv", "workforce"))
        commit(db, plan, replace=True)
        cmo = model.build_model(model.collect_inputs(db, site=None, role="All roles", min_group=5))
    assert (
        _node(cmo, "out_workforce").evidence[0] == "agency staffing 14% \u2192 5% (2015\u20132018)"
    )


def test_dot_has_three_labelled_columns_and_tooltips_naming_sources(all_roles) -> None:
    dot = model.model_dot(all_roles)
    assert dot.startswith("digraph cmo {") and dot.rstrip().endswith("}")
    for cluster in ("context", "mechanism", "outcome", "individual", "organisational", "family"):
        assert f"subgraph cluster_{cluster} {{" in dot
    node_lines = [line for line in dot.splitlines() if re.match(r"\s+\w+ \[label=", line)]
    assert len(node_lines) == len(all_roles.nodes)
    for line in node_lines:
        assert 'tooltip="' in line and "Sources: " in line
    workforce = next(line for line in node_lines if line.strip().startswith("out_workforce"))
    assert "Table 2" in workforce and "agency staffing 14% \u2192 0%" in workforce
    assert dot.count("->") == 4  # contexts -> mechanisms -> each outcome level
    # Balanced braces and quotes: a DOT parser would accept it.
    assert dot.count("{") == dot.count("}")
    assert all(line.count('"') % 2 == 0 for line in dot.splitlines())


def test_dot_escapes_quotes_in_text() -> None:
    node = model.ModelNode("k", "context", 'Say "hello"', "d\\x", ("a",))
    dot = model.model_dot(model.CmoModel(nodes=(node,), role="All roles"))
    assert 'label="Say \\"hello\\""' in dot and "d\\\\x" in dot


def test_model_summary_is_a_text_alternative(all_roles) -> None:
    summary = model.model_summary(all_roles)
    assert summary.startswith("Context: Organisational commitment")
    assert "relationships: 4 of 4 statements improved significantly" in summary


# --- the page ---------------------------------------------------------------------------------


def _model_page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    at.switch_page("pages/model.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_page_draws_the_diagram_and_its_text(reading_app_env: Path) -> None:
    at = _model_page()
    assert [t.value for t in at.title] == ["How RPGs work (model)"]
    charts = at.get("graphviz_chart")
    assert len(charts) == 1
    spec = charts[0].proto.spec
    assert spec.startswith("digraph cmo") and "relationships: 4 of 4 statements" in spec
    text = [m.value for m in at.markdown]
    assert (
        "- relationships: 4 of 4 statements improved significantly (95%, Mann-Whitney U, not "
        "adjusted for testing many statements)" in text
    )
    assert "- agency staffing 14% \u2192 0% (2015\u20132018)" in text
    assert any("squeezed" in i.value for i in at.info)


@pytest.mark.parametrize("role", ["Team manager", "Other"])
def test_page_evidence_follows_the_role_filter(
    reading_app_env: Path, demo_path: Path, role: str
) -> None:
    # The app reads a shared copy of the demo; the expected model comes from the original.
    with open_db(demo_path, read_only=True) as db:
        expected = model.build_model(
            model.collect_inputs(db, site="Demo local authority", role=role, min_group=5)
        )
    at = _model_page()
    at.selectbox(key="role").set_value(role).run()
    assert not at.exception and not at.error
    text = [m.value for m in at.markdown]
    for key in ("out_professional", "out_relationships", "out_workforce"):
        for line in _node(expected, key).evidence:
            assert f"- {line}" in text
    assert at.get("graphviz_chart")[0].proto.spec == model.model_dot(expected)


def test_page_runs_for_every_role(reading_app_env: Path) -> None:
    at = _model_page()
    for role in ["All roles", *(name for name, _, _ in ROLES)]:
        at.selectbox(key="role").set_value(role).run()
        assert not at.exception and not at.error, role
        assert len(at.get("graphviz_chart")) == 1
