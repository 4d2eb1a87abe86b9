"""Every page runs inside app.py, however Streamlit was started (`streamlit run app.py` too).

Streamlit still carries its first multipage design, in which a folder called ``pages/`` next
to the entry script becomes a list of pages by itself. Until ``st.navigation`` has run once in
the server process it assumes that design, so the first visit after a start to a page's own
address (say /professional) runs ``pages/professional.py`` alone: no sidebar filters, no page
list, no access rule from app.py. (AppTest starts every run in that state.)

So each page file begins with :func:`enter_through_app`. Inside app.py's ``pg.run()`` it does
nothing. A page started on its own instead runs app.py, whose ``st.navigation`` picks the same
page from the address and draws it with everything around it, and then ends the stray run.
From that first ``st.navigation`` on, Streamlit routes every run through app.py by itself.
Only public Streamlit calls are used; nothing in Streamlit is patched.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import streamlit as st

APP = Path(__file__).resolve().parents[2] / "app.py"

_state = threading.local()  # one script run per thread


@contextmanager
def inside_app() -> Iterator[None]:
    """app.py wraps ``pg.run()`` in this: the page it runs was chosen by st.navigation."""
    before = getattr(_state, "inside_app", False)
    _state.inside_app = True
    try:
        yield
    finally:
        _state.inside_app = before


def _started_from_app() -> bool:
    """True when the script Streamlit was asked to run is app.py (not this page by itself)."""
    main = getattr(sys.modules.get("__main__"), "__file__", None)
    return main is not None and Path(main).resolve() == APP


def enter_through_app() -> None:
    """First call of every page file: make sure the page is drawn inside app.py.

    A page file run directly as the main script (AppTest on one page) is left alone.
    """
    if getattr(_state, "inside_app", False) or not _started_from_app():
        return
    code = compile(APP.read_text(encoding="utf-8"), str(APP), "exec")
    exec(code, {"__name__": "__main__", "__file__": str(APP)})
    st.stop()
