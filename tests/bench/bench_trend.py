"""Speed of ``analyse_series`` on a ten-year (120-month) series; target well under 20 ms.

Also reported as a ratio to a floor measured in the same run: one NumPy least-squares fit of
the segmented-regression design (the least any trend analysis of the series must do). This
replaces the timed unit test that asserted 20 ms inside `make test`.
Run: `.venv/bin/python -m tests.bench trend`.
"""

from __future__ import annotations

import statistics
import time

import numpy as np
import pandas as pd

from rpgdash.stats import analyse_series

MONTHS = 120
TARGET_MS = 20.0


def benchmark_trend(repeats: int = 200) -> dict:
    """Time a full analysis (OLS, Mann-Kendall, HAC segmented regression, rebased SPC).

    Returns
    -------
    dict
        ``months`` (series length), ``repeats``, ``median_ms``, ``p95_ms`` and ``max_ms`` of
        the wall-clock time per call, and ``target_ms``.
    """
    rng = np.random.default_rng(2019)
    months = list(pd.date_range("2010-01-01", periods=MONTHS, freq="MS"))
    values = (100 - 0.3 * np.arange(MONTHS) + rng.normal(0, 3, MONTHS)).tolist()
    kwargs = {
        "change_point": "2015-01",
        "rebase": ["2015-01"],
        "direction": "decrease",
        "target": 90.0,
        "hac": True,
    }
    analyse_series(months, values, **kwargs)  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        analyse_series(months, values, **kwargs)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    floor = _floor_ms(values, repeats)
    result = {
        "months": MONTHS,
        "repeats": repeats,
        "median_ms": statistics.median(times),
        "p95_ms": times[min(len(times) - 1, int(0.95 * len(times)))],
        "max_ms": times[-1],
        "target_ms": TARGET_MS,
        "floor_ms": floor,
        "ratio": statistics.median(times) / floor,
    }
    print(
        f"analyse_series, {MONTHS} months: median {result['median_ms']:.2f} ms, "
        f"p95 {result['p95_ms']:.2f} ms over {repeats} runs (target < {TARGET_MS:.0f} ms); "
        f"{result['ratio']:.0f}x one least-squares fit ({floor:.3f} ms)"
    )
    return result


def _floor_ms(values: list[float], repeats: int) -> float:
    """Median ms of one least-squares fit of level, slope, step and slope change."""
    t = np.arange(len(values), dtype=float)
    after = (t >= 60).astype(float)
    design = np.column_stack([np.ones_like(t), t, after, after * (t - 60)])
    y = np.asarray(values)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        np.linalg.lstsq(design, y, rcond=None)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    benchmark_trend()


if __name__ == "__main__":
    main()
