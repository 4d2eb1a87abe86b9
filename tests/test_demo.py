"""The demo dataset: deterministic, faithful to PAPER_FACTS.md in counts, ranges and Table 2."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rpgdash import queries
from rpgdash.db import open_db, table_checksums
from rpgdash.demo import init_demo, level_counts_for_mean


def _rows(db, sql, params=()):
    with db.cursor() as cur:
        return cur.execute(sql, list(params)).fetchall()


def test_same_seed_gives_identical_tables_and_another_seed_does_not(
    tmp_path: Path, demo_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RPGDASH_STORE_VIEWS", "1")  # as demo_path and `make run` build it
    init_demo(tmp_path / "again.duckdb")
    init_demo(tmp_path / "other.duckdb", seed=7)
    with (
        open_db(demo_path, read_only=True) as first,
        open_db(tmp_path / "again.duckdb", read_only=True) as again,
        open_db(tmp_path / "other.duckdb", read_only=True) as other,
    ):
        # schema_version records when the file was created; every data table must match.
        reference = table_checksums(first)
        del reference["schema_version"]
        again_sums = table_checksums(again)
        del again_sums["schema_version"]
        assert again_sums == reference
        changed = {t for t, s in table_checksums(other).items() if reference.get(t, s) != s}
        # survey_results holds the comparisons computed from those responses, and
        # survey_page_views the pages' views of them.
        assert changed == {"responses", "indicator_values", "survey_results", "survey_page_views"}


def test_waves_respondents_and_invited_match_the_paper(demo_db) -> None:
    summary = queries.wave_response_summary(demo_db)
    got = {r.wave: (bool(r.comparable), r.respondents, r.invited) for r in summary.itertuples()}
    assert got["+1 year"] == (True, 47, 214)
    assert got["+3 years"] == (True, 75, 234)
    assert got["Baseline"][0] is False  # recorded, never compared
    fieldwork = _rows(
        demo_db,
        "SELECT label, fieldwork_start::VARCHAR, fieldwork_end::VARCHAR "
        "FROM waves WHERE comparable ORDER BY wave_order",
    )
    assert fieldwork == [
        ("+1 year", "2016-11-01", "2017-03-31"),
        ("+3 years", "2018-11-01", "2019-03-31"),
    ]


def test_roles_are_ordered_and_other_is_small_enough_to_suppress(demo_db) -> None:
    assert queries.roles(demo_db) == [
        "Senior manager",
        "Team manager",
        "Lead practitioner",
        "Senior social worker",
        "Social worker",
        "Other",
    ]
    sizes = queries.group_sizes(demo_db)
    other = sizes[sizes["role"] == "Other"]["respondents"].tolist()
    assert len(other) == 2 and max(other) < 5


def test_disclosure_control_hides_other_and_then_the_next_smallest_group(demo_db) -> None:
    import rpgdash

    table = rpgdash.compare_waves(demo_db, min_group=5)
    hidden = set(table.loc[table["suppressed"].notna(), "role"])
    assert hidden == {"Other", "Senior social worker"}


def test_statements_per_domain(demo_db) -> None:
    counts = dict(_rows(demo_db, "SELECT domain, count(*) FROM statements GROUP BY domain"))
    assert counts == {"professional": 8, "self_efficacy": 6, "relationships": 4}
    illustrative = _rows(
        demo_db, "SELECT domain, count(*) FROM statements WHERE NOT from_paper GROUP BY domain"
    )
    assert illustrative == [("self_efficacy", 5)]


def test_scores_are_on_the_four_point_scale_with_some_no_answers(demo_db) -> None:
    lo, hi, blanks, total = _rows(
        demo_db, "SELECT min(score), max(score), count(*) - count(score), count(*) FROM responses"
    )[0]
    assert (lo, hi) == (1, 4)
    assert total == (47 + 75) * 18
    assert 0 < blanks < 0.06 * total


@pytest.mark.parametrize(
    ("name", "first", "last"),
    [
        ("Children subject to a child protection plan", "2015-10", "2018-12"),
        ("Referrals", "2015-12", "2018-12"),
        ("Re-referrals", "2015-12", "2018-12"),
        ("Looked after children", "2015-10", "2018-10"),
    ],
)
def test_indicator_series_cover_exactly_the_published_months(demo_db, name, first, last):
    series = queries.indicator_series(demo_db, name)
    months = series["month"].dt.strftime("%Y-%m").tolist()
    assert months[0] == first and months[-1] == last
    assert len(months) == len(set(months))
    expected = (int(last[:4]) - int(first[:4])) * 12 + int(last[5:]) - int(first[5:]) + 1
    assert len(months) == expected  # no gaps
    slope = np.polyfit(np.arange(len(series)), series["value"], 1)[0]
    assert slope < 0  # every demo series trends down, as in the paper's figures
    assert (series["value"] >= 0).all()


def test_indicators_improve_downwards(demo_db) -> None:
    assert set(queries.indicators(demo_db)["direction"]) == {"decrease"}


def test_workforce_is_table_2_exactly(demo_db) -> None:
    table = queries.workforce(demo_db)
    got = {(r.measure, r.year): r.value for r in table.itertuples()}
    # PAPER_FACTS.md, Table 2 (published values, % rates)
    expected = {
        "Turnover": (15, 14.7, 14.8, 14.9),
        "Vacancies": (6, 7.2, 0.9, 0.4),
        "Agency staffing": (14, 11.4, 1.4, 0.0),
        "Sickness": (3, 3.7, 3.9, 3.5),
    }
    assert got == {
        (m, y): v
        for m, vals in expected.items()
        for y, v in zip((2015, 2016, 2017, 2018), vals, strict=True)
    }


def test_timeline_events(demo_db) -> None:
    events = queries.events(demo_db)
    assert [(e.event_date.strftime("%Y-%m"), e.label) for e in events.itertuples()] == [
        ("2015-11", "RPGs start"),
        ("2016-11", "+1 year survey fieldwork"),
        ("2017-01", "Facilitator change"),
        ("2018-11", "+3 years survey fieldwork"),
    ]


def test_scale_builds_one_site_each_of_the_same_shape(tmp_path: Path) -> None:
    path = init_demo(tmp_path / "scaled.duckdb", scale=3, precompute=False)
    with open_db(path, read_only=True) as db:
        assert len(queries.site_names(db)) == 3
        per_site = _rows(db, "SELECT site_id, count(*) FROM respondents GROUP BY ALL ORDER BY 1")
        assert [n for _, n in per_site] == [122, 122, 122]
        series = _rows(db, "SELECT count(DISTINCT (site_id, indicator_id)) FROM indicator_values")
        assert series == [(12,)]
        # precompute=False: no stored statistics (the pages compute them on first view)
        assert _rows(db, "SELECT count(*) FROM survey_results") == [(0,)]


def test_existing_database_is_kept_unless_forced(tmp_path: Path) -> None:
    path = init_demo(tmp_path / "keep.duckdb", precompute=False)
    before = path.read_bytes()
    assert init_demo(path, if_missing=True) is None
    with pytest.raises(FileExistsError, match="--force"):
        init_demo(path)
    assert path.read_bytes() == before
    init_demo(path, force=True, seed=3, precompute=False)
    assert path.read_bytes() != before


@pytest.mark.parametrize(("n", "target"), [(47, 2.34), (75, 3.16), (5, 4.0), (12, 1.0), (43, 2.5)])
def test_level_counts_hit_the_target_mean_as_closely_as_possible(n, target) -> None:
    counts = level_counts_for_mean(n, target)
    assert counts.sum() == n and (counts >= 0).all()
    assert abs(counts @ np.arange(1, 5) / n - target) <= 0.5 / n + 1e-12
