"""The suite's own speed-ups stay in effect (each costs minutes of CPU when lost silently)."""

from __future__ import annotations

from streamlit.components.v2 import manifest_scanner
from streamlit.testing.v1 import AppTest


def test_apptests_scan_the_installed_components_once_per_process() -> None:
    scan = manifest_scanner.scan_component_manifests
    assert hasattr(scan, "cache_info"), "tests/conftest.py no longer caches the scan"
    before = scan.cache_info()
    for _ in range(2):
        app = AppTest.from_string("import streamlit as st\nst.write('x')").run()
        assert app.markdown[0].value == "x"
    after = scan.cache_info()
    # both new AppTests asked for the scan (so Streamlit still calls it by this name) ...
    assert after.hits + after.misses == before.hits + before.misses + 2
    # ... and at most the first scan of this process was made for real
    assert after.misses <= 1
