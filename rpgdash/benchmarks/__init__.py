"""Benchmarks: the authority against its statistical neighbours, its region and England.

>>> import rpgdash
>>> db = rpgdash.open_db(read_only=True)
>>> rpgdash.benchmark(db, "Vacancies")                       # doctest: +SKIP
{"measure": "Vacancies", "site": ..., "direction": "decrease", "periods": [...], "change": {...}}

The figures come from DfE's published files (``python -m rpgdash ingest dfe FILE``) and the
neighbours from DfE's statistical neighbours file (``ingest neighbours FILE``). How ranks,
quartile bands and changes are worked out: :mod:`rpgdash.benchmarks.compute`.
"""

from __future__ import annotations

_PUBLIC = {"BenchmarkError", "Who", "benchmark", "resolve"}


def __getattr__(name: str):
    # Loaded on first use, so that building the command line stays light.
    if name in _PUBLIC:
        from rpgdash.benchmarks import core

        return getattr(core, name)
    raise AttributeError(name)


__all__ = sorted(_PUBLIC)
