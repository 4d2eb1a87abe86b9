"""The board report's computations, cached in memory by data version.

A report reads the same comparisons, trends, benchmark panels and charts as the pages, but
the pages' caches (``st.cache_data`` in :mod:`rpgdash.ui`) are not available to the CLI or to
a worker process, so the report keeps its own: each section's HTML (with its charts) and the
overview panel, keyed by the data version, the section and the report's options. Any upload,
revert or migration changes the data version, so nothing stale is ever served.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from rpgdash.db import data_version  # noqa: F401 (the report's cache key; used as cache.data_version)

T = TypeVar("T")

#: Entries kept (a report has about 15; a few site/role combinations fit).
CACHE_SIZE = 256
_store: OrderedDict[tuple, object] = OrderedDict()
_lock = threading.Lock()


def cached(version: str, name: str, options: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
    """``compute()``'s result for (data ``version``, ``name``, ``options``), computed once.

    Results are shared between builds: callers must not change them.
    """
    key = (version, name, options)
    with _lock:
        if key in _store:
            _store.move_to_end(key)
            return _store[key]  # type: ignore[return-value]
    value = compute()  # outside the lock: two builds may compute at once, both correctly
    with _lock:
        _store[key] = value
        while len(_store) > CACHE_SIZE:
            _store.popitem(last=False)
    return value


def clear_cache() -> None:
    """Forget every cached computation (benchmarks measure a real build with it)."""
    with _lock:
        _store.clear()


__all__ = ["cached", "clear_cache", "data_version"]
