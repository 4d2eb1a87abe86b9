"""The survey domain panels (rpgdash/present/survey.py): sentences, tables, role marks."""

from __future__ import annotations

import re

import pandas as pd
import pytest

import rpgdash
from rpgdash.present import format as fmt
from rpgdash.present import survey as present
from rpgdash.present.reading import HOW_TO_READ
from rpgdash.present.survey_results import SIGNIFICANT_HEADERS
from rpgdash.stats import COMPARISON_COLUMNS

# One xdist worker runs this file: its module panels are built once, by one worker.
pytestmark = pytest.mark.xdist_group("present_survey")

DOMAINS = ("professional", "self_efficacy", "relationships")
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}|\d{2}:\d{2}:\d{2}")


@pytest.fixture(scope="module")
def data(demo_path) -> present.SurveyData:
    with rpgdash.open_db(demo_path, read_only=True) as db:
        return present.load_survey_data(
            db, site=None, wave_a="+1 year", wave_b="+3 years", min_group=5
        )


@pytest.fixture(scope="module")
def panels(data) -> dict[tuple[str, str], present.DomainPanel]:
    out = {}
    for domain in DOMAINS:
        for adjust in ("none", "holm", "bh"):
            for role, panel in present.build_domain_panels(data, domain, adjust).items():
                out[(domain, adjust, role)] = panel
    return out


def _readable(table: pd.DataFrame) -> None:
    assert all(fmt.is_readable_header(c) for c in table.columns), list(table.columns)
    for value in table.to_numpy().ravel():
        assert isinstance(value, str), (value, type(value))
        assert value not in ("None", "nan", "NaN", "NaT", "<NA>", ""), value
        assert not TIMESTAMP.search(value), value
    for column in [c for c in table.columns if c == "p" or c.startswith("p (")]:
        assert not any(re.fullmatch(r"0\.0+", v) for v in table[column]), column  # never 0


def test_tables_are_formatted_text_with_human_headers(panels) -> None:
    shown = [p for p in panels.values() if p.shown]
    assert len(shown) == 3 * 3 * 5  # All roles and four roles with results, per domain
    for panel in shown:
        _readable(panel.table)
        _readable(panel.statistics)
        _readable(panel.roles.table)
        assert all(fmt.is_readable_header(c) for c in panel.download.columns)


def test_default_columns_follow_the_adjustment(panels) -> None:
    for adjust, header in SIGNIFICANT_HEADERS.items():
        panel = panels[("self_efficacy", adjust, "Team manager")]
        assert list(panel.table.columns) == [
            "Statement",
            "% agree (+1 year)",
            "% agree (+3 years)",
            "Change in % agree",
            header,
            "n (+1 year, +3 years)",
        ]


def test_significant_follows_the_chosen_adjustment(data, panels) -> None:
    rows = data.comparisons
    rows = rows[(rows["domain"] == "professional") & (rows["role"] == "Lead practitioner")]
    for adjust, flag in (
        ("none", "significant"),
        ("holm", "significant_holm"),
        ("bh", "significant_bh"),
    ):
        panel = panels[("professional", adjust, "Lead practitioner")]
        column = panel.table[SIGNIFICANT_HEADERS[adjust]]
        assert column.tolist() == ["yes" if v else "no" for v in rows[flag]]
    # for this role, Holm changes which statements are significant: the test can fail
    assert rows["significant"].tolist() != rows["significant_holm"].tolist()


def test_the_download_carries_every_statistic(panels) -> None:
    panel = panels[("relationships", "none", "All roles")]
    columns = set(panel.download.columns)
    # Each statistic of the comparison (bar the keys) has a column; intervals have two.
    words = {
        "n_a": "n (+1 year)",
        "mean_b": "Mean (+3 years)",
        "sd_a": "SD (+1 year)",
        "pct_agree_b": "% agree (+3 years)",
        "pct_agree_ci_a": "% agree, 95% CI lower (+1 year)",
        "pct_agree_change": "Change in % agree (points)",
        "pct_agree_change_ci": "Change in % agree, 95% CI upper",
        "diff": "Change in mean",
        "u": "Mann-Whitney U",
        "p_value": "p",
        "p_method": "p method",
        "p_holm": "p (Holm-adjusted)",
        "p_bh": "p (Benjamini-Hochberg-adjusted)",
        "cliffs_delta": "Cliff's delta",
        "delta_ci": "Cliff's delta, 95% CI lower",
        "significant": "Significant (95%, not adjusted)",
        "significant_holm": "Significant (95%, Holm-adjusted)",
        "significant_bh": "Significant (95%, Benjamini-Hochberg-adjusted)",
        "wave_odds_ratio": "Odds ratio, adjusted for role",
        "wave_or_ci": "Odds ratio, 95% CI lower",
        "wave_or_p": "p (odds ratio)",
        "po_check_p": "p (proportional-odds check)",
        "model_note": "Model note",
        "suppressed": "Not shown because",
    }
    keys = {"domain", "role", "statement", "wave_a", "wave_b", "n_b", "mean_a", "sd_b"}
    keys |= {"pct_agree_a", "pct_agree_ci_b"}
    assert set(COMPARISON_COLUMNS) - keys == set(words)
    assert set(words.values()) <= columns
    numbers = panel.download["p"]
    assert (numbers > 0).all() and numbers.dtype == float


def test_every_chart_has_a_takeaway_and_reading_help(panels) -> None:
    for panel in panels.values():
        if not panel.shown:
            assert not panel.charts and panel.notice
            continue
        assert [c.kind for c in panel.charts] == ["dumbbell", "diverging"]
        for chart in (*panel.charts, *panel.roles.charts.values()):
            assert chart.takeaway.endswith(".") and len(chart.takeaway) > 40, chart.takeaway
            assert chart.how_to_read == HOW_TO_READ[chart.kind]
        assert set(panel.roles.charts) == {"mean_a", "mean_b", "diff"}


def test_takeaways_count_what_the_data_say(data, panels) -> None:
    rows = data.comparisons
    rows = rows[(rows["domain"] == "self_efficacy") & (rows["role"] == "Team manager")]
    panel = panels[("self_efficacy", "none", "Team manager")]
    rose, total = int((rows["diff"] > 0).sum()), len(rows)
    fell = int((rows["diff"] < 0).sum())
    dumbbell = panel.chart("dumbbell").takeaway
    if rose == total:
        assert f"rose on all {total} statements" in dumbbell
    else:
        assert f"rose on {rose} of the {total} statements" in dumbbell
    assert (f"and fell on {fell}" in dumbbell) == bool(fell)
    biggest = rows.loc[rows["diff"].abs().idxmax()]
    assert f"{biggest['diff']:+.2f} on the 1 to 4 scale, was for “{biggest['statement']}”" in (
        dumbbell
    )
    diverging = panel.chart("diverging").takeaway
    lo, hi = rows["pct_agree_b"].min(), rows["pct_agree_b"].max()
    assert f"between {lo:.0f}% and {hi:.0f}%" in diverging


def test_heatmap_takeaway_names_the_roles_by_their_mean(data, panels) -> None:
    rows = data.comparisons
    rows = rows[(rows["domain"] == "professional") & rows["suppressed"].isna()]
    rows = rows[rows["role"] != "All roles"]
    means = rows.groupby("role")["mean_b"].mean()
    text = panels[("professional", "none", "All roles")].roles.charts["mean_b"].takeaway
    assert text.startswith(
        f"At +3 years, {means.idxmax()} agreed most on average (mean {means.max():.2f}"
    )
    assert f"{means.idxmin()} least ({means.min():.2f})" in text
    assert "Senior social worker and Other are not shown (too few responses)" in text


def test_heatmap_frames_carry_n_per_role_and_wave(data, panels) -> None:
    rows = data.comparisons
    team = rows[(rows["domain"] == "professional") & (rows["role"] == "Team manager")]
    parts = panels[("professional", "none", "All roles")].roles.charts["diff"].parts
    cells = parts.frames["heatmap_cells"]
    labels = dict(zip(cells["role"], cells["role_label"], strict=True))
    assert labels["Team manager"] == f"Team manager\nn = {team['n_a'].max()}, {team['n_b'].max()}"
    assert labels["Other"] == "Other\nn not shown"
    other = cells[cells["role"] == "Other"]
    assert set(other["n_a"]) == {"not shown"} and set(other["n_b"]) == {"not shown"}


def test_hidden_roles_say_why_in_plain_words(panels) -> None:
    other = panels[("professional", "none", "Other")]
    assert other.status == "hidden"
    assert other.notice == (
        "No results are shown for Other: fewer than 5 people in this role answered at +1 year "
        "and +3 years, so they are hidden to protect individuals. Choose another role, or All "
        "roles."
    )
    cover = panels[("professional", "none", "Senior social worker")].notice
    assert "would let the answers of a smaller group be worked out" in cover


def _sizes(rows: list[tuple[str, str, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["role", "wave", "respondents"])


def test_roles_hidden_in_every_wave_are_marked() -> None:
    waves = ("+1 year", "+3 years")
    sizes = _sizes(
        [
            ("Manager", "+1 year", 12),
            ("Manager", "+3 years", 14),
            ("Worker", "+1 year", 20),
            ("Worker", "+3 years", 22),
            ("Tiny", "+1 year", 2),  # below 5 in both waves: marked
            ("Tiny", "+3 years", 3),
            ("Cover", "+1 year", 6),  # hidden at +1 year only to protect Tiny: not marked
            ("Cover", "+3 years", 30),
            ("Late", "+3 years", 3),  # no one at +1 year, too few at +3 years: marked
        ]
    )
    roles = ("All roles", "Manager", "Worker", "Tiny", "Cover", "Late", "Absent")
    hidden = present.roles_hidden_in_every_wave(sizes, waves, roles, 5)
    assert hidden == ("Tiny", "Late", "Absent")
    assert present.role_label("Tiny", hidden) == "Tiny (too few responses)"
    assert present.role_label("Worker", hidden) == "Worker"
    assert present.roles_hidden_in_every_wave(sizes, (), roles, 5) == ()


def test_demo_marks_the_roles_the_pages_cannot_show(data) -> None:
    hidden = present.roles_hidden_in_every_wave(data.sizes, data.waves, data.roles, 5)
    suppressed = data.comparisons.groupby("role")["suppressed"].apply(lambda s: s.notna().all())
    assert set(hidden) == set(suppressed[suppressed].index) == {"Other", "Senior social worker"}


def test_one_role_panel_equals_the_one_built_with_every_role(demo_path, panels) -> None:
    with rpgdash.open_db(demo_path, read_only=True) as db:
        one = present.build_domain_panel(
            db, None, "relationships", "Team manager", "+1 year", "+3 years", "holm", 5
        )
    every = panels[("relationships", "holm", "Team manager")]
    assert one.sentences() == every.sentences()
    pd.testing.assert_frame_equal(one.statistics, every.statistics)
