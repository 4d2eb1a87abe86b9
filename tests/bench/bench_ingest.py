"""Benchmark: a 1,000,000-row long indicator CSV, validated and stored by the upload library,
against DuckDB's own ``read_csv`` loading the same file into a table.

Target (issue 6): the whole upload (read, validate, preview, store, through ``parse_upload``,
``preview`` and ``commit`` as the CLI and the upload page call them) takes at most 3 times the
``read_csv`` load, with peak memory under 1.5 GB.

Each step runs in its own process on a fresh database, which reports its wall time (the step
only, not Python's start-up) and its peak memory (``ru_maxrss``). The steps take turns, three
rounds, so that a busy machine slows them alike; the best time of each is compared and the
highest peak memory is shown. Run::

    .venv/bin/python tests/bench/bench_ingest.py
    .venv/bin/python -m tests.bench ingest
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ROWS = 1_000_000
INDICATORS = 2500
MONTHS = ROWS // INDICATORS  # 400 months from January 1991

_CHILD_PRELUDE = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
"""

BASELINE = """
import duckdb
con = duckdb.connect({db!r})
started = time.perf_counter()
con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?)", [{csv!r}])
con.close()
elapsed = time.perf_counter() - started
"""

STORE_BASELINE = """
import duckdb
from rpgdash.db import open_db
db = open_db({db!r})
with db.transaction() as cur:
    cur.execute("INSERT INTO sites (name) VALUES ('Bench Borough')")
    cur.execute("INSERT INTO uploads (kind, file_name, sha256) VALUES ('indicators', 'b', 'b')")
    cur.execute("INSERT INTO indicators (name, unit, direction) SELECT DISTINCT indicator, 'n', "
                "'decrease' FROM read_csv(?) ORDER BY 1", [{csv!r}])
started = time.perf_counter()
with db.transaction() as cur:
    cur.execute(
        "INSERT INTO indicator_values SELECT i.indicator_id, 1, (r.month || '-01')::DATE, "
        "r.value, 1 FROM read_csv(?) r JOIN indicators i ON i.name = r.indicator", [{csv!r}])
db.close()
elapsed = time.perf_counter() - started
"""

INGEST = """
from rpgdash.db import open_db
from rpgdash.ingest import commit, parse_upload, preview
db = open_db({db!r})
with db.transaction() as cur:
    cur.execute("INSERT INTO sites (name) VALUES ('Bench Borough')")
    cur.execute("INSERT INTO indicators (name, unit, direction) SELECT DISTINCT indicator, 'n', "
                "'decrease' FROM read_csv(?) ORDER BY 1", [{csv!r}])
started = time.perf_counter()
data = open({csv!r}, 'rb').read()
parsed = parse_upload(db, data, 'bench.csv', 'indicators')
result = commit(db, preview(db, parsed))
db.close()
elapsed = time.perf_counter() - started
assert result.added == {rows}, result
with open_db({db!r}) as db, db.cursor() as cur:  # (not timed) every row stored, once
    assert cur.execute(
        "SELECT count(*), count(DISTINCT (indicator_id, site_id, month)) FROM indicator_values"
    ).fetchall() == [({rows}, {rows})]
"""

_CHILD_END = """
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": elapsed, "peak_mb": peak}))
"""


def write_csv(path: Path) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write("indicator,month,value\n")
        for i in range(INDICATORS):
            name = f"Indicator {i:04d}"
            f.writelines(
                f"{name},{1991 + m // 12}-{m % 12 + 1:02d},{(i * 7919 + m * 104729) % 50000}\n"
                for m in range(MONTHS)
            )


READ_CSV = "duckdb read_csv into a table"
STORE = "duckdb read_csv into indicator_values"
UPLOAD = "rpgdash upload (validate + preview + store)"
TARGET_RATIO = 3.0
TARGET_PEAK_MB = 1536


def run_steps(steps: dict[str, tuple[str, dict]], rounds: int = 3) -> dict[str, list[dict]]:
    """Run every step once per round, taking turns; each run on a fresh database."""
    runs: dict[str, list[dict]] = {name: [] for name in steps}
    for attempt in range(rounds):
        for name, (body, values) in steps.items():
            fresh = {k: (f"{v}.{attempt}" if k == "db" else v) for k, v in values.items()}
            runs[name].append(_run_once(body, **fresh))
    return runs


def _run_once(body: str, **values) -> dict[str, float]:
    code = _CHILD_PRELUDE.format(root=str(ROOT)) + textwrap.dedent(body).format(**values)
    code += _CHILD_END
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="rpgdash-bench-") as tmp:
        tmp_path = Path(tmp)
        csv_path = tmp_path / "bench.csv"
        write_csv(csv_path)
        size_mb = csv_path.stat().st_size / 1024 / 1024
        print(f"{ROWS:,} rows, {size_mb:.1f} MB CSV")
        csv = str(csv_path)
        runs = run_steps(
            {
                READ_CSV: (BASELINE, {"db": str(tmp_path / "a.duckdb"), "csv": csv}),
                STORE: (STORE_BASELINE, {"db": str(tmp_path / "b.duckdb"), "csv": csv}),
                UPLOAD: (INGEST, {"db": str(tmp_path / "c.duckdb"), "csv": csv, "rows": ROWS}),
            }
        )
    best = {name: min(r["seconds"] for r in rs) for name, rs in runs.items()}
    peak = {name: max(r["peak_mb"] for r in rs) for name, rs in runs.items()}
    base = best[READ_CSV]
    print(
        f"{'step (best of ' + str(len(runs[UPLOAD])) + ')':48} {'seconds':>8} {'ratio':>6} "
        f"{'peak MB':>8}"
    )
    for name in runs:
        print(f"{name:48} {best[name]:8.2f} {best[name] / base:6.1f} {peak[name]:8.0f}")
    per_round = [
        u["seconds"] / r["seconds"] for u, r in zip(runs[UPLOAD], runs[READ_CSV], strict=True)
    ]
    ratio = best[UPLOAD] / base
    verdict = "met" if ratio <= TARGET_RATIO and peak[UPLOAD] < TARGET_PEAK_MB else "NOT met"
    print(
        f"upload / read_csv = {ratio:.2f}x (target <= {TARGET_RATIO:g}x; round by round: "
        + ", ".join(f"{x:.2f}x" for x in per_round)
        + f"); peak memory {peak[UPLOAD]:.0f} MB (target < {TARGET_PEAK_MB} MB): target {verdict}"
    )
    return {"ratio": ratio, "peak_mb": peak[UPLOAD], "seconds": best[UPLOAD], "read_csv": base}


if __name__ == "__main__":
    main()
