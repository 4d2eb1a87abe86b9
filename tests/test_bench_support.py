"""The benchmarks' server-like reruns draw exactly what AppTest's own reruns draw."""

from __future__ import annotations

import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from tests.bench.server_reruns import as_a_server_reruns
from tests.conftest import ROOT


def _drawn(page: str, role: str) -> list[bytes]:
    """Every element of the sidebar and the page, serialised, after a role change."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    at.switch_page(page).run()
    at.selectbox(key="role").set_value(role).run()
    assert not at.exception, [e.value for e in at.exception]
    protos = [e.proto for e in (*at.sidebar, *at.main) if getattr(e, "proto", None) is not None]
    return [_without_file_ids(p).SerializeToString() for p in protos]


def _without_file_ids(proto):
    """A download's deferred-file id is new on every run, in either mode: leave it out."""
    if "deferred_file_id" not in type(proto).DESCRIPTOR.fields_by_name:
        return proto
    copy = type(proto)()
    copy.CopyFrom(proto)
    copy.ClearField("deferred_file_id")
    return copy


@pytest.mark.parametrize("page", ["pages/professional.py", "pages/indicators.py"])
def test_server_like_reruns_draw_the_same_elements(app_env, page: str) -> None:
    as_apptest = _drawn(page, "Team manager")
    with as_a_server_reruns():
        as_server = _drawn(page, "Team manager")
    assert PagesManager.uses_pages_directory is None  # AppTest's own state, restored
    assert len(as_apptest) > 10, "too few elements to compare"
    assert as_server == as_apptest


def test_server_like_reruns_skip_the_pages_folder_list(app_env) -> None:
    """Inside, a run never takes Streamlit's pages-folder path (the first run's routing)."""
    import streamlit.runtime.scriptrunner.script_runner as runner

    calls: list[str] = []
    original = runner._mpa_v1
    runner._mpa_v1 = lambda path: (calls.append(path), original(path))[1]
    try:
        _drawn("pages/model.py", "All roles")
        outside = len(calls)
        calls.clear()
        with as_a_server_reruns():
            _drawn("pages/model.py", "All roles")
    finally:
        runner._mpa_v1 = original
    assert outside >= 3  # AppTest: every run replays a first run
    assert calls == []
