"""RPG outcomes dashboard: the product's logic, importable without Streamlit.

The public API for analysts: :func:`open_db`, :func:`compare_waves`, :func:`compare_domains`,
:func:`plan_wave`, :func:`analyse_trend`, :func:`benchmark`.
"""

from rpgdash.db import Database, open_db


def __getattr__(name: str):
    # The statistics API is imported on first use, so that `import rpgdash` stays light.
    if name in {"compare_waves", "compare_domains", "plan_wave", "analyse_trend", "benchmark"}:
        from rpgdash import api

        return getattr(api, name)
    raise AttributeError(name)


__all__ = [
    "Database",
    "analyse_trend",
    "benchmark",
    "compare_domains",
    "compare_waves",
    "open_db",
    "plan_wave",
]
