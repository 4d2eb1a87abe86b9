"""``python -m rpgdash benchmark MEASURE``: the authority against its statistical neighbours.

Exit status 0 with the figures on stdout; 2 with one sentence on stderr when the measure, the
site or the periods cannot be benchmarked.
"""

from __future__ import annotations

import argparse
import json
import sys


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "benchmark",
        help="compare a measure with the statistical neighbours, the region and England",
        description="Compare the authority's figures for MEASURE (a stored benchmark measure's "
        "name, e.g. Vacancies, or the DfE column it came from, e.g. vacancy_rate_fte) with its "
        "statistical neighbours, its region and England, year by year, and its change since "
        "the RPG start with theirs. Upload the figures with 'ingest dfe' and the neighbours "
        "with 'ingest neighbours'.",
    )
    parser.add_argument("measure", metavar="MEASURE")
    parser.add_argument("--site", help="site to benchmark (default: the only local authority)")
    parser.add_argument(
        "--from",
        dest="start",
        metavar="PERIOD",
        help="first time period, e.g. 2015 or 201516 (default: the first stored; the change "
        "starts at the year of the RPG start)",
    )
    parser.add_argument(
        "--to", dest="end", metavar="PERIOD", help="last time period (default: the latest)"
    )
    parser.add_argument("--db", help="database file (default: RPGDASH_DB or data/rpgdash.duckdb)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.set_defaults(func=run_benchmark)


def run_benchmark(args: argparse.Namespace) -> int:
    from rpgdash.benchmarks.core import BenchmarkError
    from rpgdash.benchmarks.panel import build_panel
    from rpgdash.db import DatabaseError, open_db

    try:
        with open_db(args.db, read_only=True) as db:
            panel = build_panel(db, args.measure, site=args.site, start=args.start, end=args.end)
    except (BenchmarkError, DatabaseError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(panel.result, indent=2))
        return 0
    print(f"{panel.measure} ({panel.unit}), {panel.site}")
    print(panel.table.to_string(index=False))
    print()
    print(panel.change_sentence)
    print(panel.rank_sentence)
    print(panel.caveat)
    if panel.illustrative:
        from rpgdash.benchmarks.panel import ILLUSTRATIVE

        print(ILLUSTRATIVE)
    return 0
