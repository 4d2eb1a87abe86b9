"""Start the dashboard: `python -m rpgdash.serve [streamlit options]` (used by `make run`).

Why not plain `streamlit run app.py`: Streamlit still has its first multipage design, in which
a folder called `pages/` next to the entry script is turned into pages by itself. Until the
entry script has called `st.navigation` once, Streamlit assumes that design, so the very first
visit after a restart to a page's own address (say /professional) would run that page alone,
without app.py's filters. Switching the old design off before the server starts makes every
run go through app.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app.py"


def use_navigation_only() -> None:
    """Tell Streamlit that this app routes with st.navigation, never with the pages/ folder."""
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False


def main(argv: list[str] | None = None) -> None:
    use_navigation_only()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(APP), *(sys.argv[1:] if argv is None else argv)]
    cli.main()


if __name__ == "__main__":
    main()
