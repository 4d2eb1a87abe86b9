"""AppTest reruns that take the path a running server's reruns take.

A server runs ``app.py`` for every rerun once ``st.navigation`` has run in it (Streamlit then
sets ``PagesManager.uses_pages_directory`` to False for the whole process). AppTest instead
sets that flag back to None before every run (``streamlit/testing/v1/app_test.py``), so each
AppTest run replays a newly started server's first run: Streamlit's old page list built from
the ``pages/`` folder, the page file run by itself, and :func:`rpgdash.ui.routing.
enter_through_app` then compiling and running app.py around it. A server does that once per
process. AppTest also gives every run a new ``ScriptCache``, so every rerun compiles app.py and
the page again; a server compiles each file once. Timing repeat views that way charges every
rerun with a first run's routing and compiling.

:func:`as_a_server_reruns` keeps the flag False while AppTest runs, as a server's process has
it after its first run, and keeps each file's compiled code, as a server's script cache does;
what a page draws is unchanged (tests/test_bench_support.py compares every element). Only the
benchmarks use it; the test suite runs AppTest as it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner.script_cache import ScriptCache


@contextmanager
def as_a_server_reruns() -> Iterator[None]:
    """While inside, every AppTest run routes through app.py's ``st.navigation`` directly."""
    original, compile_script = PagesManager.__init__, ScriptCache.get_bytecode
    compiled: dict[str, object] = {}  # one server's script cache, kept across runs

    def after_first_navigation(self, *args, **kwargs) -> None:
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False  # what st.navigation leaves behind

    def cached(self, script_path: str) -> object:
        if script_path not in compiled:
            compiled[script_path] = compile_script(self, script_path)
        return compiled[script_path]

    PagesManager.__init__ = after_first_navigation
    ScriptCache.get_bytecode = cached
    try:
        yield
    finally:
        PagesManager.__init__, ScriptCache.get_bytecode = original, compile_script
        PagesManager.uses_pages_directory = None
