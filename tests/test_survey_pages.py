"""AppTest: the survey pages show exactly what the engine computes, for every role."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

import rpgdash
from rpgdash.db import open_db
from rpgdash.demo import ROLES
from rpgdash.ingest.safe_csv import to_safe_csv
from rpgdash.present import narrative
from rpgdash.present.survey_results import results_table
from tests.conftest import ROOT

pytestmark = pytest.mark.page  # AppTest runs of the app's pages

DOMAINS = ["professional", "self_efficacy", "relationships"]
ROLE_OPTIONS = ["All roles", *(name for name, _, _ in ROLES)]


def _page(domain: str, role: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    at.switch_page(f"pages/{domain}.py").run()
    at.selectbox(key="role").set_value(role).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    return at


@pytest.mark.parametrize("domain", DOMAINS)
def test_tables_and_summaries_match_the_engine_for_every_role(app_env, demo_path, domain):
    # Expected figures come from the original demo file; the app reads a private copy.
    with rpgdash.open_db(demo_path, read_only=True) as db:
        expected = rpgdash.compare_waves(db, domain=domain)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    at.switch_page(f"pages/{domain}.py").run()
    for role in ROLE_OPTIONS:
        at.selectbox(key="role").set_value(role).run()
        assert not at.exception and not at.error, (role, [e.value for e in at.error])
        rows = expected[expected["role"] == role]
        markdown = [m.value for m in at.markdown]
        if rows["suppressed"].notna().all():
            assert not at.dataframe, role
            assert any(f"No results are shown for {role}" in w.value for w in at.warning)
            page_text = " ".join(markdown + [c.value for c in at.caption])
            assert "n = " not in page_text
            continue
        table = at.dataframe[0].value
        assert table["Statement"].tolist() == rows["statement"].tolist()
        assert table["Mean (+1 year)"].tolist() == rows["mean_a"].round(2).tolist()
        assert table["Mean (+3 years)"].tolist() == rows["mean_b"].round(2).tolist()
        assert table["n (+3 years)"].tolist() == rows["n_b"].tolist()
        summary = f"**{narrative.domain_summary(rows)}**"
        assert summary in markdown, role
        # The counts in the sentence agree with the table on the page.
        above = int((table["Mean (+3 years)"] > 2.5).sum())
        flagged = int(((table["Significant (95%)"] == "yes") & (table["Change in mean"] > 0)).sum())
        if above == len(table):
            assert f"all {len(table)} statements" in summary
        else:
            assert f"{above} of the {len(table)} statements have a mean above" in summary
        if flagged:
            assert f"{flagged} improved significantly" in summary
        else:
            assert "no change was statistically significant" in summary


@pytest.mark.parametrize(
    ("key", "flag", "p", "words"),
    [
        ("holm", "significant_holm", "p_holm", "Holm-adjusted"),
        ("bh", "significant_bh", "p_bh", "Benjamini-Hochberg-adjusted"),
    ],
)
def test_adjustment_choice_uses_the_adjusted_p_values(app_env, demo_path, key, flag, p, words):
    with rpgdash.open_db(demo_path, read_only=True) as db:
        rows = rpgdash.compare_waves(db, domain="self_efficacy", role="Team manager")
    at = _page("self_efficacy", "Team manager")
    at.radio(key="self_efficacy_adjust").set_value(key).run()
    table = at.dataframe[0].value
    assert table["p (Holm)"].tolist() == rows["p_holm"].round(4).tolist()
    assert table["p (BH)"].tolist() == rows["p_bh"].round(4).tolist()
    flags = rows[flag].map({True: "yes", False: "no"}).tolist()
    assert table["Significant (95%)"].tolist() == flags
    assert f"**{narrative.domain_summary(rows, use_holm=key)}**" in [m.value for m in at.markdown]
    assert any(words in m.value for m in at.markdown)


def test_all_roles_page_shows_intervals_exact_p_and_the_model(app_env, demo_path) -> None:
    with rpgdash.open_db(demo_path, read_only=True) as db:
        rows = rpgdash.compare_waves(db, domain="relationships", role="All roles")
        models = rpgdash.compare_domains(db)
    at = _page("relationships", "All roles")
    table = at.dataframe[0].value
    expected = results_table(rows, use_holm=False)
    for column in (
        "95% CI (+1 year)",
        "95% CI (change)",
        "p method",
        "95% CI (delta)",
        "Odds ratio, adjusted for role",
        "95% CI (odds ratio)",
    ):
        assert table[column].tolist() == expected[column].tolist(), column
    model = models[models["domain"] == "relationships"].iloc[0]
    sentence = narrative.model_sentence(
        model, "+1 year", "+3 years", scope="and statement, across the set"
    )
    assert sentence in [m.value for m in at.markdown]
    assert narrative.DOMAIN_MODEL_CAVEAT in [c.value for c in at.caption]


def test_a_third_wave_brings_a_wave_choice(app_env) -> None:
    # Copy the +3 years answers as a later "+5 years" wave, so that three can be compared.
    with open_db(app_env) as db, db.transaction() as cur:
        cur.execute(
            "INSERT INTO waves (label, fieldwork_start, fieldwork_end, wave_order, comparable) "
            "VALUES ('+5 years', DATE '2020-11-01', DATE '2021-03-31', 3, TRUE)"
        )
        cur.execute(
            "INSERT INTO respondents (respondent_id, site_id, wave_id, role_id, external_id) "
            "SELECT respondent_id + 100000, site_id, (SELECT wave_id FROM waves "
            "WHERE label = '+5 years'), role_id, external_id FROM respondents "
            "WHERE wave_id = (SELECT wave_id FROM waves WHERE label = '+3 years')"
        )
        cur.execute(
            "INSERT INTO responses SELECT r.respondent_id + 100000, r.statement_id, r.score "
            "FROM responses r JOIN respondents p USING (respondent_id) "
            "WHERE p.wave_id = (SELECT wave_id FROM waves WHERE label = '+3 years')"
        )
    at = _page("relationships", "All roles")
    assert at.selectbox(key="relationships_wave_a").value == "+1 year"
    assert at.selectbox(key="relationships_wave_b").value == "+5 years"
    at.selectbox(key="relationships_wave_a").set_value("+3 years").run()
    table = at.dataframe[0].value
    assert "Mean (+3 years)" in table.columns and "Mean (+5 years)" in table.columns
    assert (table["Change in mean"] == 0).all()  # the copied wave is identical
    assert not at.exception


def test_download_is_the_results_table_with_formula_cells_neutralised(demo_path) -> None:
    with rpgdash.open_db(demo_path, read_only=True) as db:
        rows = rpgdash.compare_waves(db, domain="relationships", role="All roles")
    rows.loc[0, "statement"] = '=HYPERLINK("http://example.org","x")'
    text = to_safe_csv(results_table(rows, use_holm=False)).decode("utf-8-sig")
    header, first = text.splitlines()[:2]
    assert header.startswith("Statement,n (+1 year),Mean (+1 year)")
    assert first.startswith("\"'=HYPERLINK(")  # text neutralised, numbers left as numbers
    assert (
        f",{rows.loc[0, 'mean_a']:.2f}," in first or f",{round(rows.loc[0, 'mean_a'], 2)}," in first
    )


def test_survey_page_offers_the_download(app_env) -> None:
    at = _page("professional", "Team manager")
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Download this table (CSV)"]
