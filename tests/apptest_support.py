"""Make AppTest route every run through app.py's st.navigation, as `make run` does.

AppTest resets Streamlit's "pages/ folder" flag before every run, and our page folder is
called pages/, so without this AppTest.switch_page would run a page on its own, without the
entry script's filters (see rpgdash/serve.py for the same fix in the real server).
"""

from __future__ import annotations

from collections.abc import Callable

from streamlit.runtime.pages_manager import PagesManager


def navigation_only() -> Callable[[], None]:
    """Patch PagesManager so the flag stays off after AppTest resets it; returns the undo."""
    original = PagesManager.__init__

    def init(self, *args, **kwargs) -> None:
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init

    def undo() -> None:
        PagesManager.__init__ = original

    return undo
