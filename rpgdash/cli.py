"""`python -m rpgdash ...`: a thin command-line layer over the rpgdash library.

Exit status: 0 on success, 2 when the input or the request is refused (the reason is one
sentence on stderr), 1 for anything unexpected.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

from rpgdash.db import DatabaseError, open_db
from rpgdash.export import TABLES


@dataclass(frozen=True)
class PluginCommands:
    """Commands whose implementation lives beside the code they drive.

    ``module.adder(subparsers)`` adds the commands' real parsers. It is imported only when one
    of its commands is run, so that ``--help`` and ``export`` stay quick: these modules bring
    in pandas, SciPy, Altair and the report. ``commands`` gives each command's one-line help
    for the overview (a test checks it matches the module's own).
    """

    module: str
    adder: str
    commands: dict[str, str]


PLUGINS = (
    PluginCommands(
        "rpgdash.stats.cli",
        "add_parser",
        {"stats": "compare survey waves or analyse a monthly series from a CSV file"},
    ),
    PluginCommands(
        "rpgdash.stats.cli",
        "add_plan_parser",
        {"plan-wave": "plan the next survey wave: hidden roles and detectable change per role"},
    ),
    PluginCommands(
        "rpgdash.ingest.cli",
        "add_parsers",
        {
            "ingest": "validate a data file and store it (all or nothing)",
            "uploads": "list the upload history",
            "revert": "undo one stored upload exactly",
        },
    ),
    PluginCommands(
        "rpgdash.report.cli",
        "add_parser",
        {"report": "write the board report (self-contained HTML, or an A4 PDF with --format pdf)"},
    ),
    PluginCommands(
        "rpgdash.results_store",
        "add_parser",
        {"precompute": "store every site's survey comparisons, so that first views are reads"},
    ),
    PluginCommands(
        "rpgdash.benchmarks.cli",
        "add_parser",
        {"benchmark": "compare a measure with the statistical neighbours, the region and England"},
    ),
)


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
    from rpgdash.export import export_rows, to_csv

    with open_db(args.db, read_only=True) as db:
        header, rows = export_rows(db, args.table, site=args.site)
    Path(args.out).write_bytes(to_csv(header, rows, excel_safe=args.excel_safe))
    how = (
        " (Excel-safe: UTF-8 with BOM; cells starting =, +, - or @ prefixed with ')"
        if args.excel_safe
        else " (UTF-8, values as stored)"
    )
    print(f"Wrote {len(rows)} rows to {args.out}{how}.")
    return 0


def _add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help="database file (default: RPGDASH_DB or data/rpgdash.duckdb)")


def build_parser(load: Iterable[str] | None = None) -> argparse.ArgumentParser:
    """The ``python -m rpgdash`` parser.

    ``load`` names the plugin commands to build in full (``None``: all of them); the others
    are listed with their one-line help only, without importing their modules.
    """
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
    export.add_argument("table", choices=TABLES)
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

    wanted = None if load is None else set(load)
    for plugin in PLUGINS:
        if wanted is None or wanted & plugin.commands.keys():
            getattr(import_module(plugin.module), plugin.adder)(sub)
        else:
            for name, help_text in plugin.commands.items():
                sub.add_parser(name, help=help_text, add_help=False)
    return parser


def _command_in(argv: Sequence[str]) -> str | None:
    """The command named on the command line (the top level takes no option values)."""
    return next((arg for arg in argv if not arg.startswith("-")), None)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    command = _command_in(argv)
    parser = build_parser(load=[command] if command else [])
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (DatabaseError, FileExistsError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
