"""`make bench`: run every benchmark module's main() in turn and print its figures."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time

import tests.bench as package


def main(names: list[str]) -> int:
    modules = sorted(
        m.name for m in pkgutil.iter_modules(package.__path__) if m.name.startswith("bench_")
    )
    chosen = [m for m in modules if not names or any(n in m for n in names)]
    for name in chosen:
        print(f"\n=== {name} ===", flush=True)
        started = time.perf_counter()
        importlib.import_module(f"tests.bench.{name}").main()
        print(f"({name} took {time.perf_counter() - started:.1f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
