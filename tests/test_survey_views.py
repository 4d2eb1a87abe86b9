"""The survey pages' views stored with the data (rpgdash/view_store.py) and their builder
(rpgdash/present/survey_views.py): a stored view is what the page would build, a stale one is
never served, and the Arrow bytes are Streamlit's own."""

from __future__ import annotations

import pickle
from pathlib import Path

import pandas as pd
import pytest
from streamlit.dataframe_util import convert_anything_to_arrow_bytes

from rpgdash import queries, view_store
from rpgdash.charts import ChartParts
from rpgdash.db import open_db
from rpgdash.demo import init_demo
from rpgdash.ingest import revert
from rpgdash.present import domains
from rpgdash.present.survey import load_survey_data
from rpgdash.present.survey_views import (
    DomainViews,
    PageChart,
    arrow_bytes,
    build_domain_views,
    text_table,
)
from tests.conftest import ROOT
from tests.test_results_store import _survey_file, _upload


@pytest.fixture
def writable_demo(writable_demo: Path, monkeypatch) -> Path:
    """The suite's private demo copy (its views stored, as the session's demo is built), with
    uploads and reverts storing views whatever RPGDASH_STORE_VIEWS the suite runs with."""
    monkeypatch.setenv("RPGDASH_STORE_VIEWS", "1")
    return writable_demo


def _fresh(db, site: str | None, pair: tuple[str, str], domain: str) -> DomainViews:
    data = load_survey_data(db, site=site, wave_a=pair[0], wave_b=pair[1], min_group=5)
    return build_domain_views(data, domain, "none")


def _choices(db) -> list[tuple[str | None, tuple[str, str], str]]:
    waves = queries.comparable_wave_labels(db)
    pair = (waves[0], waves[-1])
    return [
        (site, pair, d.key) for site in [None, *queries.site_names(db)] for d in domains.DOMAINS
    ]


def _drawn(views: DomainViews, role: str) -> dict:
    """What the page draws for one role: specs, tables and every sentence."""
    view = views.view(role)
    panel = view.panel
    return {
        "specs": view.specs,
        "heatmaps": {m: views.heatmap(m) for m in views.heatmaps},
        "statistics": None if view.statistics is None else view.statistics.to_pylist(),
        "table": None if view.table is None else view.table.to_pylist(),
        "roles_table": view.roles_table.to_pylist(),
        "text": [
            panel.status,
            panel.notice,
            panel.summary,
            panel.meta,
            panel.model,
            panel.model_caveat,
            panel.method,
            list(panel.caveats),
            [(c.kind, c.takeaway, c.how_to_read, c.alt) for c in panel.charts],
            panel.roles.hidden_note,
            panel.roles.caption,
            dict(panel.roles.measure_labels),
            {m: (c.takeaway, c.how_to_read, c.alt) for m, c in panel.roles.charts.items()},
        ],
    }


def _assert_same_views(stored: DomainViews, fresh: DomainViews) -> None:
    assert set(stored.roles) == set(fresh.roles)
    for role in fresh.roles:
        assert _drawn(stored, role) == _drawn(fresh, role), role
        got, expected = stored.view(role).download(), fresh.view(role).download()
        if expected is None:
            assert got is None
        else:
            pd.testing.assert_frame_equal(got, expected, check_exact=True)


def test_the_stored_views_equal_freshly_built_ones_for_every_role_site_and_domain(
    demo_db,
) -> None:
    checked = 0
    for site, pair, domain in _choices(demo_db):
        stored = view_store.lookup(demo_db, site, pair, 5, "none", domain)
        assert stored is not None, (site, pair, domain)
        _assert_same_views(stored, _fresh(demo_db, site, pair, domain))
        checked += len(stored.roles)
    assert checked >= 2 * 3 * 5  # two sites (one and every one) x three domains x roles


def _rows(db) -> list[tuple]:
    with db.cursor() as cur:
        return cur.execute(
            "SELECT site_id, wave_a, wave_b, domain, fingerprint, views "
            "FROM survey_page_views ORDER BY ALL"
        ).fetchall()


def test_an_upload_stores_views_of_its_data_and_its_revert_restores_them(
    writable_demo: Path,
) -> None:
    with open_db(writable_demo) as db:
        site, pair, domain = _choices(db)[3]  # the demo's site, professional
        before_rows = _rows(db)
        before = view_store.lookup(db, site, pair, 5, "none", domain)
        result = _upload(db, _survey_file(db))
        after = view_store.lookup(db, site, pair, 5, "none", domain)
        assert after is not None
        _assert_same_views(after, _fresh(db, site, pair, domain))
        # The upload's six respondents change what is drawn, so the old view would be wrong.
        assert _drawn(after, "All roles") != _drawn(before, "All roles")
        revert(db, result.upload_id)
        assert [r[:5] for r in _rows(db)] == [r[:5] for r in before_rows]
        restored = view_store.lookup(db, site, pair, 5, "none", domain)
        _assert_same_views(restored, before)


def test_a_view_is_not_served_after_a_write_outside_the_upload_path(writable_demo: Path) -> None:
    with open_db(writable_demo) as db:
        site, pair, domain = _choices(db)[3]
        assert view_store.lookup(db, site, pair, 5, "none", domain) is not None
        with db.transaction() as cur:  # another program changes one answer of the site
            cur.execute(
                "UPDATE responses SET score = 5 - score WHERE respondent_id = (SELECT "
                "min(respondent_id) FROM respondents JOIN sites USING (site_id) WHERE name = ?) "
                "AND statement_id = (SELECT min(statement_id) FROM statements)",
                [site],
            )
        assert view_store.lookup(db, site, pair, 5, "none", domain) is None
        assert view_store.lookup(db, None, pair, 5, "none", domain) is None


def test_views_stored_by_other_code_or_for_other_choices_are_not_served(
    demo_db, monkeypatch
) -> None:
    site, pair, domain = _choices(demo_db)[3]
    assert view_store.lookup(demo_db, site, pair, 5, "none", domain) is not None
    assert view_store.lookup(demo_db, site, pair, 5, "holm", domain) is None
    assert view_store.lookup(demo_db, site, pair, 6, "none", domain) is None
    assert view_store.lookup(demo_db, site, pair[::-1], 5, "none", domain) is None
    monkeypatch.setattr(view_store, "code_version", lambda: "other code")
    assert view_store.lookup(demo_db, site, pair, 5, "none", domain) is None


def test_the_views_arrow_bytes_are_streamlits_own(demo_db) -> None:
    frames: list[pd.DataFrame] = []
    for site, pair, domain in _choices(demo_db)[:4]:
        data = load_survey_data(demo_db, site=site, wave_a=pair[0], wave_b=pair[1], min_group=5)
        from rpgdash.present.survey import build_domain_panels

        for panel in build_domain_panels(data, domain, "none").values():
            charts = [*panel.charts, *panel.roles.charts.values()]
            frames += [f for c in charts for f in c.parts.frames.values()]
            frames += [text_table(t) for t in (panel.table, panel.roles.table) if t is not None]
            if panel.statistics is not None:
                frames.append(panel.statistics)
    assert len(frames) > 50
    for frame in frames:
        assert arrow_bytes(frame) == convert_anything_to_arrow_bytes(frame)


def test_datasets_a_layout_carries_as_records_are_sent_as_streamlit_would(demo_db) -> None:
    # Streamlit converts a spec's record datasets on every rerun; the views carry them as the
    # same Arrow bytes (vega_charts._marshall_chart_data calls convert_anything_to_arrow_bytes).
    site, pair, domain = _choices(demo_db)[0]
    data = load_survey_data(demo_db, site=site, wave_a=pair[0], wave_b=pair[1], min_group=5)
    from rpgdash.present.survey import build_domain_panels

    panel = next(iter(build_domain_panels(data, domain, "none").values()))
    records = 0
    for chart in [*panel.charts, *panel.roles.charts.values()]:
        parts = chart.parts
        layout = ChartParts(parts.build, dict.fromkeys(parts.frames), parts.shape).layout()
        spec = PageChart.of(parts).spec()
        for name, values in layout.get("datasets", {}).items():
            if not isinstance(values, bytes):
                records += 1
                assert spec["datasets"][name] == convert_anything_to_arrow_bytes(values)
    assert records > 0


def test_a_stored_view_is_unpickled_from_our_own_table_only(demo_db) -> None:
    # The rows hold pickles of DomainViews (each role's compressed), nothing else.
    for *_, blob in _rows(demo_db):
        views = pickle.loads(blob)
        assert isinstance(views, DomainViews) and views.compressed


@pytest.mark.parametrize("page", ["pages/professional.py", "pages/relationships.py"])
def test_the_page_draws_a_stored_view_without_building_one(app_env, monkeypatch, page) -> None:
    from streamlit.testing.v1 import AppTest

    from rpgdash.ui import survey

    def refuse(*args, **kwargs):
        raise AssertionError("built a view that is stored")

    monkeypatch.setattr(survey, "build_domain_views", refuse)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page(page).run()
    assert not at.exception
    assert not at.error
    assert len(at.get("vega_lite_chart")) >= 3
    for role in at.selectbox(key="role").options:
        at.selectbox(key="role").set_value(role).run()
        assert not at.exception and not at.error, role


def test_with_store_views_off_nothing_is_stored(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("RPGDASH_STORE_VIEWS", "0")
    path = init_demo(tmp_path / "plain.duckdb")
    with open_db(path, read_only=True) as db:
        assert _rows(db) == []
        with db.cursor() as cur:  # the statistics were stored as before
            assert cur.execute("SELECT count(*) FROM survey_results").fetchall()[0][0] == 2
        site, pair, domain = _choices(db)[3]
        assert view_store.lookup(db, site, pair, 5, "none", domain) is None


def test_after_a_write_the_page_shows_the_new_datas_views(app_env, monkeypatch) -> None:
    from streamlit.testing.v1 import AppTest

    from rpgdash import ui

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/professional.py").run()
    before = [m.value for m in at.markdown]
    with open_db(app_env) as db:
        site, pair, domain = _choices(db)[3]
        _upload(db, _survey_file(db))
        fresh = _fresh(db, site, pair, domain).view("All roles").panel.summary
    ui.data_changed()  # what the upload page calls after storing
    at.run()
    after = [m.value for m in at.markdown]
    assert after != before
    assert f"**{ui.as_text(fresh)}**" in after
