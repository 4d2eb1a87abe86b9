"""The Upload page (AppTest): access, problems, preview, store, history and revert."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.test_ingest_fixtures import build_fixture_db

pytestmark = pytest.mark.page  # AppTest runs of the app's pages

ROOT = Path(__file__).resolve().parent.parent
PAGE = str(ROOT / "pages" / "upload.py")
GOOD_FILE = b"indicator,month,value\nReferrals,2018-01,5\nReferrals,2018-02,NA\n"


@pytest.fixture
def page_env(tmp_path, monkeypatch):
    path = tmp_path / "page.duckdb"
    build_fixture_db(path).close()
    monkeypatch.setenv("RPGDASH_DB", str(path))
    monkeypatch.delenv("RPGDASH_READ_ONLY", raising=False)
    monkeypatch.chdir(tmp_path)  # no .streamlit/secrets.toml here: no sign-in configured
    return path


def run(at: AppTest) -> AppTest:
    at.run(timeout=90)
    assert not at.exception, at.exception
    return at


def test_read_only_refuses_before_any_query(page_env, monkeypatch):
    monkeypatch.setenv("RPGDASH_READ_ONLY", "1")
    at = run(AppTest.from_file(PAGE))
    assert [e.value for e in at.error] == [
        "Uploading is switched off on this dashboard (RPGDASH_READ_ONLY is set); the data can "
        "be viewed but not changed here."
    ]
    assert not at.title


def test_open_uploads_say_so(page_env):
    at = run(AppTest.from_file(PAGE))
    assert at.title[0].value == "Upload data"
    assert any("anyone who can reach it can upload" in w.value for w in at.warning)


def test_problems_are_listed_and_nothing_offered(page_env):
    at = run(AppTest.from_file(PAGE))
    at.file_uploader[0].upload(
        "bad.csv", b"indicator,month,value\nReferrals,2018-01,abc\n", "text/csv"
    )
    run(at)
    assert at.error[0].value.startswith("bad.csv was not stored: fix the problems below")
    assert at.code[0].value == (
        "bad.csv:2:C: 'abc' is not a number; write digits only (e.g. 1,234.5), or NA if the "
        "value is missing."
    )
    assert not [b for b in at.button if b.key == "store_upload"]
    assert not at.get("progress")  # issue 10, item 11: the bar does not stay at 30%


def test_preview_store_then_revert(page_env):
    at = run(AppTest.from_file(PAGE))
    at.file_uploader[0].upload("good.csv", GOOD_FILE, "text/csv")
    run(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Rows to add"] == "1"
    assert metrics["Missing values (not stored)"] == "1"
    store = at.button(key="store_upload")
    assert store.label == "Store these 1 rows"
    store.click()
    run(at)
    assert at.success[0].value == (
        "Stored as upload 1: added 1, changed 0, unchanged 0, missing 1. Every page now shows "
        "the new data."
    )
    # The uploader starts empty again: the file just stored is not previewed again.
    assert not [b for b in at.button if b.key == "store_upload"]
    history = at.dataframe[-1].value
    assert list(history["File"]) == ["good.csv"]

    at.selectbox(key="revert_choice").set_value(1)
    run(at)
    at.checkbox(key="revert_sure_1").check()
    run(at)
    at.button(key="revert_1").click()
    run(at)
    assert at.success[0].value == (
        "Reverted upload 1 ('good.csv'): removed 1 values it added and restored 0 values it "
        "changed."
    )
    assert at.dataframe[-1].value["Status"].str.startswith("Reverted on ").tolist() == [True]
    # Issue 10, item 11: the reverted file is not offered for storing again ("Store these 1
    # rows") until it is uploaded again.
    assert not [b for b in at.button if b.key == "store_upload"]
    assert not at.file_uploader[0].value


def test_with_sign_in_configured_a_visitor_is_refused(page_env):
    at = AppTest.from_file(PAGE)
    at.secrets["auth"] = {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "x",
        "client_id": "x",
        "client_secret": "x",
        "server_metadata_url": "https://id.example.org/.well-known",
    }
    at.secrets["rpgdash"] = {"uploaders": ["a@example.org"]}
    run(at)
    assert [e.value for e in at.error] == ["Sign in to upload data."]
    assert not at.title


def test_new_indicator_needs_unit_and_direction_before_storing(page_env):
    at = run(AppTest.from_file(PAGE))
    at.file_uploader[0].upload(
        "new.csv", b"indicator,month,value\nAssessments,2018-01,5\n", "text/csv"
    )
    run(at)
    assert at.button(key="store_upload").disabled
    at.text_input(key="unit_Assessments").input("assessments")
    at.selectbox(key="dir_Assessments").set_value("neutral")
    run(at)
    at.button(key="store_upload").click()
    run(at)
    assert at.success[0].value.startswith("Stored as upload 1: added 1")
    assert "Assessments" in [s.label for s in at.selectbox]  # now in the direction editor
