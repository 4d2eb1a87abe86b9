"""`python -m rpgdash ...`: a thin command-line layer over the rpgdash library.

Exit status: 0 on success, 2 when the input or the request is refused (the reason is one
sentence on stderr), 1 for anything unexpected.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from rpgdash import queries
from rpgdash.db import DatabaseError, open_db

EXPORTS: dict[str, Callable] = {
    "survey": queries.survey_export,
    "indicators": queries.indicators_export,
    "workforce": queries.workforce_export,
}


def _cmd_init_demo(args: argparse.Namespace) -> int:
    from rpgdash.demo import init_demo

    path = init_demo(
        args.db,
        force=args.force,
        seed=args.seed,
        scale=args.scale,
        if_missing=args.if_missing,
        on_backup=lambda copy: print(
            f"The replaced database held uploads (or could not be read); a copy of it was "
            f"kept at {copy}. "
            "Delete that copy when it is no longer needed."
        ),
    )
    if path is None:
        print(f"{args.db or 'The database'} already exists; left as it is.")
    else:
        print(
            f"Built the illustrative demo database at {path} (seed {args.seed}, "
            f"{args.scale} site{'s' if args.scale != 1 else ''})."
        )
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    """Faithful UTF-8 CSV (no BOM, text as stored); ``--excel-safe`` for spreadsheets."""
    with open_db(args.db, read_only=True) as db:
        table = EXPORTS[args.table](db, site=args.site)
    if args.excel_safe:
        from rpgdash.ingest.safe_csv import to_safe_csv

        data = to_safe_csv(table)
        how = " (Excel-safe: UTF-8 with BOM; cells starting =, +, - or @ prefixed with ')"
    else:
        data = table.to_csv(index=False).encode("utf-8")
        how = " (UTF-8, values as stored)"
    Path(args.out).write_bytes(data)
    print(f"Wrote {len(table)} rows to {args.out}{how}.")
    return 0


def _add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help="database file (default: RPGDASH_DB or data/rpgdash.duckdb)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m rpgdash",
        description="Outcomes dashboard for reflective practice groups: command-line tools.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser("init-demo", help="build the illustrative demo database")
    _add_db_option(demo)
    demo.add_argument("--force", action="store_true", help="replace an existing database file")
    demo.add_argument(
        "--if-missing", action="store_true", help="do nothing when the database file already exists"
    )
    demo.add_argument("--seed", type=int, default=2019, help="random seed (default 2019)")
    demo.add_argument(
        "--scale",
        type=int,
        default=1,
        help="number of demo sites, each with its own data (default 1)",
    )
    demo.set_defaults(func=_cmd_init_demo)

    export = sub.add_parser("export", help="write tidy CSV files of stored data")
    export.add_argument("table", choices=sorted(EXPORTS))
    export.add_argument("--out", required=True, help="CSV file to write")
    export.add_argument("--site", help="only this site (default: every site)")
    export.add_argument(
        "--excel-safe",
        action="store_true",
        help="for spreadsheets: UTF-8 with BOM, and text that Excel would run as a formula "
        "(starting =, +, - or @) prefixed with an apostrophe; the default writes values as stored",
    )
    _add_db_option(export)
    export.set_defaults(func=_cmd_export)

    _add_plugin_commands(sub)
    return parser


def _add_plugin_commands(sub: argparse._SubParsersAction) -> None:
    """Commands whose implementation lives beside the code they drive."""
    from rpgdash.ingest import cli as ingest_cli
    from rpgdash.report import cli as report_cli
    from rpgdash.stats import cli as stats_cli

    stats_cli.add_parser(sub)
    stats_cli.add_plan_parser(sub)
    ingest_cli.add_parsers(sub)
    report_cli.add_parser(sub)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (DatabaseError, FileExistsError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
