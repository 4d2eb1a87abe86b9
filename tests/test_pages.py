"""AppTest: the router runs every page, for every job role, without an exception."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from rpgdash.demo import ROLES
from tests.conftest import ROOT

pytestmark = pytest.mark.page  # AppTest runs of the app's pages

PAGES = [
    "pages/overview.py",
    "pages/professional.py",
    "pages/self_efficacy.py",
    "pages/relationships.py",
    "pages/indicators.py",
    "pages/workforce.py",
    "pages/benchmarks.py",
    "pages/evidence.py",
    "pages/model.py",
    "pages/upload.py",
    "pages/about.py",
]
ROLE_OPTIONS = ["All roles", *(name for name, _, _ in ROLES)]


def _app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _errors(at: AppTest) -> list[str]:
    return [e.value for e in at.exception] + [e.value for e in at.error]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_for_every_role(reading_app_env, page: str) -> None:
    at = _app()
    at.switch_page(page).run()
    assert _errors(at) == []
    assert at.title, f"{page} drew no title"
    for role in ROLE_OPTIONS:
        at.selectbox(key="role").set_value(role).run()
        assert _errors(at) == [], (page, role)


def test_sidebar_has_site_and_role_filters_with_all_roles_first(reading_app_env) -> None:
    at = _app()
    assert at.selectbox(key="site").options == ["Demo local authority"]
    assert at.selectbox(key="role").options[0] == "All roles"
    # Roles no wave can show are marked: Other (3 and 4 answered) and Senior social worker
    # (hidden in both waves so that Other cannot be worked out by subtraction).
    marked = {"Other", "Senior social worker"}
    assert at.selectbox(key="role").options[1:] == [
        f"{name} (too few responses)" if name in marked else name for name, _, _ in ROLES
    ]


def test_role_choice_persists_when_moving_between_pages(reading_app_env) -> None:
    at = _app()
    at.switch_page("pages/professional.py").run()
    at.selectbox(key="role").set_value("Team manager").run()
    at.switch_page("pages/relationships.py").run()
    assert at.selectbox(key="role").value == "Team manager"


def test_overview_shows_the_respondents_of_each_wave(reading_app_env) -> None:
    at = _app()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Respondents at +1 year"] == "47"
    assert metrics["Respondents at +3 years"] == "75"


def test_an_unreadable_database_is_reported_as_a_sentence(monkeypatch, tmp_path) -> None:
    bad = tmp_path / "not_a_database.duckdb"
    bad.write_bytes(b"this is not a DuckDB file" * 100)
    monkeypatch.setenv("RPGDASH_DB", str(bad))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception
    assert at.error and "could not be opened" in at.error[0].value


def test_read_only_mode_opens_the_file_read_only_and_hides_uploading(app_env, monkeypatch) -> None:
    import duckdb

    monkeypatch.setenv("RPGDASH_READ_ONLY", "1")
    at = _app()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Respondents at +3 years"] == "75"
    with pytest.raises(ValueError, match="navigation page"):
        at.switch_page("pages/upload.py")  # not among the registered pages
    # DuckDB refuses a second connection with another configuration in one process, so this
    # read-only connection only opens if the dashboard opened the file read-only too.
    other = duckdb.connect(str(app_env), read_only=True)
    assert other.execute("SELECT count(*) FROM respondents").fetchall()[0][0] == 122
    other.close()
