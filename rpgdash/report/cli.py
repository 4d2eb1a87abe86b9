"""The ``report`` command: write the board report as one self-contained HTML file or a PDF."""

from __future__ import annotations

import argparse
from pathlib import Path

from rpgdash.db import open_db
from rpgdash.queries import ALL_ROLES


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add ``report`` to the ``python -m rpgdash`` parser."""
    report = subparsers.add_parser(
        "report",
        help="write the board report (self-contained HTML, or an A4 PDF with --format pdf)",
        description="Write the board report: headline findings, survey results, indicators, "
        "workforce, interview themes, the context-mechanism-outcome model, method, caveats and "
        "data provenance, with charts as inline SVG: a two-page summary first, the evidence as "
        "an appendix. --format pdf writes the A4 board pack with page numbers and contents.",
    )
    report.add_argument(
        "--format",
        choices=("html", "pdf"),
        default="html",
        help="file format (default: html)",
    )
    report.add_argument("--out", required=True, help="file to write, e.g. report.html or pack.pdf")
    report.add_argument("--site", help="site to report on (default: the first site)")
    report.add_argument(
        "--role", default=ALL_ROLES, help=f"job role for the survey sections (default: {ALL_ROLES})"
    )
    report.add_argument("--db", help="database file (default: RPGDASH_DB or data/rpgdash.duckdb)")
    report.set_defaults(func=run_report)


def run_report(args: argparse.Namespace) -> int:
    """Build the report for the chosen site and role and write it to ``--out``."""
    from rpgdash.report import write_report

    with open_db(args.db, read_only=True) as db:
        path = write_report(Path(args.out), db, format=args.format, site=args.site, role=args.role)
    print(f"Wrote the board report to {path} ({path.stat().st_size // 1024} KB).")
    return 0
