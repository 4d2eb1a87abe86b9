"""The ``ingest``, ``uploads`` and ``revert`` commands: the same code path as the upload page.

Exit status: 0 when the file was stored (or nothing needed storing), 2 when it was refused;
refusals are printed on stderr as ``file:line[:column]: what to fix``, and nothing is written.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from rpgdash import queries
from rpgdash.db import DIRECTIONS, Database, open_db
from rpgdash.errors import RpgdashError
from rpgdash.ingest import (
    KINDS,
    InvalidContent,
    WaveDetails,
    check_size,
    commit,
    parse_upload,
    preview,
    revert,
)


def add_parsers(subparsers: argparse._SubParsersAction) -> None:
    """Add ``ingest``, ``uploads`` and ``revert`` to the ``python -m rpgdash`` parser."""
    ingest = subparsers.add_parser(
        "ingest",
        help="validate a data file and store it (all or nothing)",
        description="Validate FILE and store it in one transaction. Without --replace, a file "
        "that would change stored values is refused, listing each conflict.",
    )
    ingest.add_argument(
        "kind",
        choices=list(KINDS),
        help="what the file holds: "
        + "; ".join(f"{name} ({spec.label.lower()})" for name, spec in KINDS.items()),
    )
    ingest.add_argument("file", help="CSV (comma, semicolon or tab) or .xlsx file")
    ingest.add_argument("--db", help="database file (default: RPGDASH_DB or data/rpgdash.duckdb)")
    ingest.add_argument(
        "--site",
        help="site the file is for, when it has no site column "
        "(default: the only local-authority site; a new name creates the site)",
    )
    ingest.add_argument(
        "--wave", help="survey wave label, e.g. '+3 years' (new labels create a wave)"
    )
    ingest.add_argument("--fieldwork-start", type=_date, help="survey fieldwork start, YYYY-MM-DD")
    ingest.add_argument("--fieldwork-end", type=_date, help="survey fieldwork end, YYYY-MM-DD")
    ingest.add_argument("--invited", type=int, help="number of staff invited to the survey")
    ingest.add_argument("--sheet", help="sheet of an .xlsx file (default: the first)")
    ingest.add_argument(
        "--create-indicators",
        action="store_true",
        help="create indicators not stored yet (needs --unit and --direction)",
    )
    ingest.add_argument("--unit", help="unit of the indicators to create, e.g. 'children'")
    ingest.add_argument(
        "--direction", choices=DIRECTIONS, help="improvement direction of the indicators to create"
    )
    ingest.add_argument(
        "--replace", action="store_true", help="change stored values that differ from the file"
    )
    ingest.add_argument(
        "--accept-outliers",
        action="store_true",
        help="store values far from their stored series (outside its process limits or far "
        "outside its range), which are otherwise refused, listing each",
    )
    ingest.add_argument(
        "--dry-run",
        action="store_true",
        help="validate and report what would change; write nothing",
    )
    ingest.add_argument(
        "--user",
        default=os.environ.get("USER"),
        help="name recorded in the upload history (default: $USER)",
    )
    ingest.add_argument(
        "--progress",
        action="store_true",
        help="print progress (reading, checking, storing) on stderr",
    )
    _add_kind_options(ingest)
    ingest.set_defaults(func=run_ingest)

    uploads = subparsers.add_parser("uploads", help="list the upload history")
    uploads.add_argument("--db", help="database file")
    uploads.add_argument("--json", action="store_true", help="print JSON instead of a table")
    uploads.set_defaults(func=run_uploads)

    rev = subparsers.add_parser("revert", help="undo one stored upload exactly")
    rev.add_argument("upload_id", type=int, help="upload number (see 'uploads')")
    rev.add_argument("--db", help="database file")
    rev.set_defaults(func=run_revert)


def _kind_options():
    """Each kind's own options once (a flag two kinds share is added once)."""
    return {o.flag: o for spec in KINDS.values() for o in spec.options}.values()


def _add_kind_options(parser: argparse.ArgumentParser) -> None:
    for option in _kind_options():
        kinds = ", ".join(n for n, s in KINDS.items() if option in s.options)
        parser.add_argument(
            option.flag,
            dest=option.name,
            nargs="+" if option.many else None,
            metavar=option.metavar,
            help=f"{option.help} ({kinds} files)",
        )


def _options_for(kind: str, args: argparse.Namespace, file_name: str) -> dict:
    """The kind's own options from ``args``; refuse one given for a kind that takes none."""
    spec = KINDS[kind]
    for option in _kind_options():
        if getattr(args, option.name, None) is not None and option not in spec.options:
            raise InvalidContent.single(
                file_name, f"{option.flag} does not apply to {kind} files; leave it out."
            )
    return {o.name: getattr(args, o.name, None) for o in spec.options}


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date; write YYYY-MM-DD") from None


def _refuse(message: str) -> int:
    print(message, file=sys.stderr)
    return 2


def run_ingest(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if args.create_indicators and (not args.unit or not args.direction):
        return _refuse(
            f"{path.name}: --create-indicators needs --unit TEXT and --direction "
            f"({'|'.join(DIRECTIONS)})."
        )
    if not path.is_file():
        return _refuse(f"{args.file}: there is no such file.")
    name = path.name
    try:
        check_size(path.stat().st_size, name)
        data = path.read_bytes()
        db = open_db(args.db)
    except RpgdashError as exc:
        return _refuse(str(exc))
    progress = _print_progress if args.progress else None
    try:
        options = _options_for(args.kind, args, name)
        wave = None
        if args.wave:
            wave = WaveDetails(args.wave, args.fieldwork_start, args.fieldwork_end, args.invited)
        parsed = parse_upload(
            db,
            data,
            name,
            args.kind,
            site=args.site,
            wave=wave,
            sheet=args.sheet,
            progress=progress,
            options=options,
        )
        plan = preview(db, parsed)
        for note in parsed.notes:
            print(note, file=sys.stderr)
        if plan.already_stored is not None:
            print(plan.summary())
            return 0
        if args.dry_run:
            if plan.unknown_indicators:
                print("New indicators: " + ", ".join(plan.unknown_indicators), file=sys.stderr)
            print(f"Dry run (nothing written): would have {plan.summary()}.")
            return 0
        new = {}
        if args.create_indicators:
            new = {n: (args.unit, args.direction) for n in plan.unknown_indicators}
        elif plan.unknown_indicators:
            return _refuse(
                "\n".join(
                    f"{name}{_at(plan.unknown_lines.get(n))}: the indicator '{n}' is not stored "
                    "yet; check its name, or create it "
                    "with --create-indicators --unit TEXT --direction increase|decrease|neutral."
                    for n in plan.unknown_indicators
                )
            )
        result = commit(
            db,
            plan,
            user=args.user,
            replace=args.replace,
            new_indicators=new,
            accept_outliers=args.accept_outliers,
            progress=progress,
        )
        print(result.message)
        return 0
    except RpgdashError as exc:
        return _refuse(str(exc))
    finally:
        db.close()


def _at(line: int | None) -> str:
    return f":{line}" if line is not None else ""


def _print_progress(fraction: float, message: str) -> None:
    print(f"progress {fraction:.0%}: {message}", file=sys.stderr, flush=True)


def _open(args: argparse.Namespace) -> Database:
    return open_db(args.db)


def run_uploads(args: argparse.Namespace) -> int:
    try:
        db = _open(args)
    except RpgdashError as exc:
        return _refuse(str(exc))
    with db:
        table = queries.upload_history(db)
    if args.json:
        records = json.loads(table.to_json(orient="records", date_format="iso"))
        print(json.dumps(records, indent=2))
        return 0
    if table.empty:
        print("No uploads yet.")
        return 0
    shown = table[
        [
            "upload_id",
            "uploaded_at",
            "uploaded_by",
            "kind",
            "file_name",
            "rows_added",
            "rows_changed",
            "rows_unchanged",
            "rows_missing",
            "status",
        ]
    ]
    shown = shown.assign(
        uploaded_at=shown["uploaded_at"].dt.strftime("%Y-%m-%d %H:%M"),
        uploaded_by=shown["uploaded_by"].fillna(""),
    )
    print(shown.to_string(index=False))
    return 0


def run_revert(args: argparse.Namespace) -> int:
    try:
        db = _open(args)
    except RpgdashError as exc:
        return _refuse(str(exc))
    with db:
        try:
            print(revert(db, args.upload_id))
        except RpgdashError as exc:
            return _refuse(str(exc))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run one of this module's commands (for tests): ``main(["ingest", "survey", f])``."""
    parser = argparse.ArgumentParser(prog="python -m rpgdash")
    add_parsers(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
