"""Issue 14 start-up targets for `python -m rpgdash`, against a bare `import duckdb`.

Baseline: `python -c "import duckdb"` (the interpreter plus the one library every command
needs). Measured in the same run, taking turns: `python -m rpgdash --help`, and a small
`export` (the survey answers of the one-site demo, about 2,200 rows). Medians of wall-clock
times of fresh processes. Targets: `--help` <= 2x and the export <= 3x the baseline.
Run: `.venv/bin/python -m tests.bench cli`.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rpgdash.demo import init_demo

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 15
TARGETS = {"--help": 2.0, "export": 3.0}


def _seconds(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def measure(db: Path, out: Path, rounds: int = ROUNDS) -> dict[str, float]:
    """Median seconds of each command over ``rounds`` rounds (one run of each per round)."""
    commands = {
        "import duckdb": [sys.executable, "-c", "import duckdb"],
        "--help": [sys.executable, "-m", "rpgdash", "--help"],
        "export": [
            sys.executable,
            *("-m", "rpgdash", "export", "survey", "--db", str(db), "--out", str(out)),
        ],
    }
    for argv in commands.values():  # warm the file cache
        _seconds(argv)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, argv in commands.items():
            times[name].append(_seconds(argv))
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="rpgdash-bench-") as folder:
        db = init_demo(Path(folder) / "demo.duckdb")
        medians = measure(db, Path(folder) / "survey.csv")
    base = medians["import duckdb"]
    print(f"{'command (median of ' + str(ROUNDS) + ')':36s} {'ms':>8} {'ratio':>6} target")
    baseline = 'python -c "import duckdb" (baseline)'
    print(f"{baseline:36s} {base * 1000:8.0f} {1:6.2f}")
    ratios = {}
    for name, target in TARGETS.items():
        ratios[name] = medians[name] / base
        verdict = "met" if ratios[name] <= target else "NOT met"
        print(
            f"{'python -m rpgdash ' + name:36s} {medians[name] * 1000:8.0f} "
            f"{ratios[name]:6.2f} <= {target:g}x {verdict}"
        )
    missed = [name for name, target in TARGETS.items() if ratios[name] > target]
    assert not missed, f"start-up target not met for {', '.join(missed)}"
    return ratios


if __name__ == "__main__":
    main()
