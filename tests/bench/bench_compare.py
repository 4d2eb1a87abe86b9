"""Issue 3 speed target: compare_waves over the --scale 100 demo, against two baselines.

1. the floor: a bare DuckDB `GROUP BY wave, role, statement, score` count over every answer;
2. the product: `rpgdash.compare_waves` for every statement x role (aggregation included);
3. the obvious pandas approach: load every answer into a DataFrame, group, SciPy per group.
Run: `.venv/bin/python -m tests.bench compare`.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd
from scipy.stats import mannwhitneyu

import rpgdash
from rpgdash.demo import init_demo
from rpgdash.stats.ordinal import clear_model_cache

SCALE = 100
REPEATS = 7


def _median_seconds(fn, repeats: int = REPEATS) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def floor_group_by(db) -> None:
    with db.cursor() as cur:
        cur.execute(
            "SELECT p.wave_id, p.role_id, r.statement_id, r.score, count(*) "
            "FROM responses r JOIN respondents p USING (respondent_id) "
            "WHERE r.score IS NOT NULL GROUP BY ALL"
        ).fetchall()


def product(db) -> None:
    clear_model_cache()  # time the model fits cold, as on the first call
    rpgdash.compare_waves(db, waves=["+1 year", "+3 years"])


def product_warm(db) -> None:
    rpgdash.compare_waves(db, waves=["+1 year", "+3 years"])


def product_without_model(db) -> None:
    rpgdash.compare_waves(db, waves=["+1 year", "+3 years"], model=False)


def pandas_approach(db) -> None:
    with db.cursor() as cur:
        answers = cur.execute(
            "SELECT w.label AS wave, ro.name AS role, s.text AS statement, r.score "
            "FROM responses r JOIN respondents p USING (respondent_id) "
            "JOIN waves w USING (wave_id) JOIN roles ro USING (role_id) "
            "JOIN statements s USING (statement_id) WHERE r.score IS NOT NULL"
        ).df()
    rows = []
    for frame in (answers, answers.assign(role="All roles")):
        for (role, statement), group in frame.groupby(["role", "statement"]):
            a = group.loc[group["wave"] == "+1 year", "score"]
            b = group.loc[group["wave"] == "+3 years", "score"]
            u, p = mannwhitneyu(b, a, method="asymptotic")
            rows.append((role, statement, a.mean(), b.mean(), a.std(), b.std(), u, p))
    pd.DataFrame(rows)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "scale.duckdb"
        started = time.perf_counter()
        init_demo(path, scale=SCALE)
        print(f"built --scale {SCALE} demo in {time.perf_counter() - started:.1f} s")
        with rpgdash.open_db(path, read_only=True) as db, db.cursor() as cur:
            answers = cur.execute("SELECT count(score) FROM responses").fetchall()[0][0]
            print(f"{answers:,} answers")
            floor = _median_seconds(lambda: floor_group_by(db))
            ours = _median_seconds(lambda: product(db))
            no_model = _median_seconds(lambda: product_without_model(db))
            warm = _median_seconds(lambda: product_warm(db))
            naive = _median_seconds(lambda: pandas_approach(db), repeats=3)
    print(f"{'bare DuckDB GROUP BY (floor)':34s} {floor * 1000:9.1f} ms")
    print(f"{'rpgdash.compare_waves':34s} {ours * 1000:9.1f} ms")
    print(f"{'compare_waves(model=False)':34s} {no_model * 1000:9.1f} ms")
    print(f"{'compare_waves, models cached':34s} {warm * 1000:9.1f} ms")
    print(f"{'pandas + SciPy per group':34s} {naive * 1000:9.1f} ms")
    print(
        f"compare_waves is {naive / ours:.1f}x faster than pandas (target >= 10x) and "
        f"{ours / floor:.2f}x the floor (target <= 3x)"
    )
    print(
        f"without the proportional-odds model: {naive / no_model:.1f}x faster than pandas, "
        f"{no_model / floor:.2f}x the floor; the model costs {(ours - no_model) * 1000:.0f} ms "
        "(about 20 fits, one per statement; it does not grow with the number of answers)"
    )


if __name__ == "__main__":
    main()
