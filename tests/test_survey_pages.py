"""AppTest: the survey pages show exactly what the engine computes, for every role."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import rpgdash
from rpgdash.db import open_db
from rpgdash.demo import ROLES
from rpgdash.ingest.safe_csv import to_safe_csv
from rpgdash.present import format as fmt
from rpgdash.present import narrative
from rpgdash.present.overview import wave_note
from rpgdash.present.reading import HOW_TO_READ
from rpgdash.present.survey_results import download_table
from rpgdash.text import as_text
from tests.conftest import ROOT, add_copied_wave

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


def _results(at: AppTest):
    """The default results table (the st.table whose first column is the statement)."""
    return next(t.value for t in at.table if t.value.columns[0] == "Statement")


def _statistics(at: AppTest):
    """The "All statistics" table (the page's only st.dataframe)."""
    (frame,) = [d.value for d in at.dataframe]
    return frame


def _pct(value: float) -> str:
    return f"{value:.0f}%"  # whole numbers: none of the demo's values rounds to 0 or 100


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
        table = _results(at)
        assert table["Statement"].tolist() == [as_text(s) for s in rows["statement"]]
        assert table["% agree (+1 year)"].tolist() == [_pct(v) for v in rows["pct_agree_a"]]
        assert table["% agree (+3 years)"].tolist() == [_pct(v) for v in rows["pct_agree_b"]]
        assert table["n (+1 year, +3 years)"].tolist() == [
            f"{a}, {b}" for a, b in zip(rows["n_a"], rows["n_b"], strict=True)
        ]
        stats = _statistics(at)
        assert stats["Mean (+1 year)"].tolist() == [f"{v:.2f}" for v in rows["mean_a"]]
        assert stats["Mean (+3 years)"].tolist() == [f"{v:.2f}" for v in rows["mean_b"]]
        summary = f"**{narrative.domain_summary(rows)}**"
        assert summary in markdown, role
        # The counts in the sentence agree with the tables on the page.
        above = int((stats["Mean (+3 years)"].astype(float) > 2.5).sum())
        sig = table["Significant (95%, not adjusted)"] == "yes"
        flagged = int((sig & (rows["diff"].to_numpy() > 0)).sum())
        if above == len(table):
            assert f"all {len(table)} statements" in summary
        else:
            assert f"{above} of the {len(table)} statements have a mean above" in summary
        if flagged:
            assert f"{flagged} improved significantly" in summary
        else:
            assert "no change was statistically significant" in summary


def test_default_columns_then_every_statistic_one_click_away(app_env) -> None:
    at = _page("professional", "All roles")
    assert list(_results(at).columns) == [
        "Statement",
        "% agree (+1 year)",
        "% agree (+3 years)",
        "Change in % agree",
        "Significant (95%, not adjusted)",
        "n (+1 year, +3 years)",
    ]
    assert [e.label for e in at.expander if e.label == "All statistics"] == ["All statistics"]
    stats = _statistics(at)
    for column in ("SD (+1 year)", "Mann-Whitney U", "p", "p (Holm-adjusted)", "Cliff's delta"):
        assert column in stats.columns, column
    cells = stats.to_numpy().ravel().tolist()
    assert not any(c in ("None", "nan", "NaN", "0.000", "0.0000") for c in map(str, cells))


@pytest.mark.parametrize(
    ("key", "flag", "p", "header"),
    [
        ("holm", "significant_holm", "p_holm", "Significant (95%, Holm-adjusted)"),
        ("bh", "significant_bh", "p_bh", "Significant (95%, Benjamini-Hochberg-adjusted)"),
    ],
)
def test_adjustment_choice_uses_the_adjusted_p_values(app_env, demo_path, key, flag, p, header):
    with rpgdash.open_db(demo_path, read_only=True) as db:
        rows = rpgdash.compare_waves(db, domain="self_efficacy", role="Team manager")
    at = _page("self_efficacy", "Team manager")
    at.radio(key="self_efficacy_adjust").set_value(key).run()
    table = _results(at)
    flags = rows[flag].map({True: "yes", False: "no"}).tolist()
    assert table[header].tolist() == flags
    assert "Significant (95%, not adjusted)" not in table.columns
    stats = _statistics(at)
    # three decimals, and "< 0.001" rather than 0 (the rule in rpgdash.present.format)
    shown = ["< 0.001" if v < 0.001 else f"{v:.3f}" for v in rows["p_holm"]]
    assert stats["p (Holm-adjusted)"].tolist() == shown
    words = narrative.adjusted_words(key)
    assert f"**{narrative.domain_summary(rows, use_holm=key)}**" in [m.value for m in at.markdown]
    assert any(words in m.value for m in at.markdown)


def test_all_roles_page_shows_intervals_exact_p_and_the_model(app_env, demo_path) -> None:
    with rpgdash.open_db(demo_path, read_only=True) as db:
        rows = rpgdash.compare_waves(db, domain="relationships", role="All roles")
        models = rpgdash.compare_domains(db)
    at = _page("relationships", "All roles")
    stats = _statistics(at)
    lo, hi = zip(*rows["pct_agree_ci_a"], strict=True)
    assert stats["% agree, 95% CI (+1 year)"].tolist() == [
        f"{a:.0f} to {b:.0f}" for a, b in zip(lo, hi, strict=True)
    ]
    assert stats["p method"].tolist() == [
        {"exact": "exact", "normal": "normal approximation"}[m] for m in rows["p_method"]
    ]
    assert stats["Odds ratio, adjusted for role"].tolist() == [
        f"{v:.2f}" for v in rows["wave_odds_ratio"]
    ]
    model = models[models["domain"] == "relationships"].iloc[0]
    sentence = narrative.model_sentence(model, "+1 year", "+3 years", scope="across the set")
    assert sentence in [m.value for m in at.markdown]
    assert "statement and job role across the set" in sentence  # said once, not twice
    assert narrative.DOMAIN_MODEL_CAVEAT in [c.value for c in at.caption]


def test_every_chart_has_a_takeaway_above_it_and_reading_help(app_env) -> None:
    at = _page("professional", "Team manager")
    # In page order: each chart comes right after its reading help, after its takeaway.
    order = [
        (n.type, getattr(n, "value", getattr(n, "label", None))) for n in at.main.children.values()
    ]
    charts = [i for i, (kind, _) in enumerate(order) if kind == "vega_lite_chart"]
    assert len(charts) == 3
    for i in charts:
        assert order[i - 1] == ("expander", "How to read this chart"), order[i - 1]
        kind, text = order[i - 2]
        assert kind == "markdown" and text.startswith("**") and text.endswith(".**"), text
    helps = [e for e in at.expander if e.label == "How to read this chart"]
    assert len(helps) == 3  # dumbbell, diverging bars, heatmap
    texts = {e.markdown[0].value for e in helps}
    assert texts == {as_text(HOW_TO_READ[k]) for k in ("dumbbell", "diverging", "heatmap")}
    markdown = [m.value for m in at.markdown]
    assert any(m.startswith("**From +1 year to +3 years, the mean answer rose") for m in markdown)
    assert any("of staff agreed with each statement" in m for m in markdown)
    assert any("agreed most on average" in m for m in markdown)


def test_wave_names_are_explained_on_the_domain_pages(app_env) -> None:
    at = _page("self_efficacy", "All roles")
    note = as_text(wave_note(["+1 year", "+3 years"]))
    assert note in [c.value for c in at.caption]


def test_roles_no_wave_can_show_are_marked_and_choosing_one_explains(app_env) -> None:
    at = _page("professional", "All roles")
    options = at.selectbox(key="role").options
    # Other (3 and 4 respondents) is below 5 in both waves; Senior social worker is hidden
    # in both to protect it (secondary suppression); every other role is shown.
    assert "Other (too few responses)" in options
    assert "Senior social worker (too few responses)" in options
    assert "Team manager" in options and "Team manager (too few responses)" not in options
    at.selectbox(key="role").set_value("Other").run()
    assert not at.exception and not at.error
    (warning,) = at.warning
    assert "fewer than 5 people in this role answered at +1 year and +3 years" in warning.value
    assert "Choose another role, or All roles" in warning.value


def test_role_heatmap_shows_n_per_role_and_wave(app_env, demo_path) -> None:
    with rpgdash.open_db(demo_path, read_only=True) as db:
        rows = rpgdash.compare_waves(db, domain="relationships", role="Team manager")
    at = _page("relationships", "All roles")
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    heatmap = next(s for s in specs if "by job role" in str(s.get("title")))
    layers = heatmap["layer"]
    domain = layers[0]["encoding"]["x"]["scale"]["domain"]
    label = f"Team manager\nn = {rows['n_a'].max()}, {rows['n_b'].max()}"
    assert label in domain
    assert "Other\nn not shown" in domain
    titles = [t["title"] for t in layers[0]["encoding"]["tooltip"]]
    assert "n (+1 year)" in titles and "n (+3 years)" in titles
    roles = next(t.value for t in at.table if t.value.columns[0] == "Job role")
    team = roles[roles["Job role"] == "Team manager"].iloc[0]
    assert team["n (+1 year, +3 years)"] == f"{rows['n_a'].max()}, {rows['n_b'].max()}"


def test_a_third_wave_brings_a_wave_choice(app_env) -> None:
    # Copy the +3 years answers as a later "+5 years" wave, so that three can be compared.
    with open_db(app_env) as db, db.transaction() as cur:
        add_copied_wave(cur)
    at = _page("relationships", "All roles")
    assert at.selectbox(key="relationships_wave_a").value == "+1 year"
    assert at.selectbox(key="relationships_wave_b").value == "+5 years"
    at.selectbox(key="relationships_wave_a").set_value("+3 years").run()
    table = _statistics(at)
    assert "Mean (+3 years)" in table.columns and "Mean (+5 years)" in table.columns
    assert (table["Change in mean"] == "0.00").all()  # the copied wave is identical
    assert not at.exception


def test_download_is_every_statistic_with_formula_cells_neutralised(demo_path) -> None:
    with rpgdash.open_db(demo_path, read_only=True) as db:
        rows = rpgdash.compare_waves(db, domain="relationships", role="All roles")
    rows.loc[0, "statement"] = '=HYPERLINK("http://example.org","x")'
    rows.loc[1, "p_value"] = 3.2e-07  # a tiny p must not be written as 0
    text = to_safe_csv(download_table(rows)).decode("utf-8-sig")
    frame = pd.read_csv(io.StringIO(text))
    assert all(fmt.is_readable_header(c) for c in frame.columns), list(frame.columns)
    assert list(frame.columns[:4]) == ["Statement", "n (+1 year)", "Mean (+1 year)", "SD (+1 year)"]
    for column in (
        "p",
        "p (Holm-adjusted)",
        "Cliff's delta, 95% CI lower",
        "Odds ratio, 95% CI upper",
    ):
        assert column in frame.columns, column
    assert frame.loc[1, "p"] == pytest.approx(3.2e-07)
    assert (frame["p"] > 0).all()
    assert frame["Mean (+1 year)"].tolist() == pytest.approx(rows["mean_a"].round(3).tolist())
    assert frame["Significant (95%, Holm-adjusted)"].isin(["yes", "no"]).all()
    first = text.splitlines()[1]
    assert first.startswith("\"'=HYPERLINK(")  # text neutralised, numbers left as numbers


def test_each_roles_cached_view_downloads_that_roles_statistics(writable_demo) -> None:
    """Every role's view comes from one pass (each pickled on its own); its CSV, built only
    on a click, is every statistic of that role's own comparisons."""
    from rpgdash import ui
    from rpgdash.ui import survey

    pair, key = ("+1 year", "+3 years"), str(writable_demo)
    db = ui._db(key)  # the pages' own connection (a second one may not differ in mode)
    for role in ("All roles", "Team manager", "Social worker"):
        view = survey.domain_view(key, None, pair, "none", 5, "professional", role)
        assert view.panel.role == role and view.panel.shown
        rows = rpgdash.compare_waves(db, domain="professional", role=role, waves=pair)
        pd.testing.assert_frame_equal(view.download(), download_table(rows))
        assert survey._download_csv(view) == to_safe_csv(download_table(rows))
    other = survey.domain_view(key, None, pair, "none", 5, "professional", "Other")
    assert other.panel.role == "Other"  # not All roles' view in its place


def test_survey_page_offers_the_download(app_env) -> None:
    at = _page("professional", "Team manager")
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Download this table with every statistic (CSV)"]
