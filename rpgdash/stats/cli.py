"""``python -m rpgdash stats ...``: wave comparisons and trends from CSV files or the database.

``rpgdash/cli.py`` wires this in with :func:`add_parser` and :func:`run`; :func:`main` runs the
``stats`` command on its own (used by the tests).

Errors in the input are reported as one line on stderr, ``FILE:LINE:COLUMN: message``, with
lines numbered as a spreadsheet shows them (the header is line 1), and exit status 2.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from rpgdash.stats._months import clean_float, month_label, parse_month
from rpgdash.stats.compare import (
    ALL_ROLES,
    COMPARISON_COLUMNS,
    DOMAIN_MODEL_COLUMNS,
    add_all_roles,
    compare_levels,
    domain_model_frame,
    paired_counts,
)
from rpgdash.stats.spc import DIRECTIONS
from rpgdash.stats.trend import analyse_series

EXIT_INPUT_ERROR = 2
ADJUSTMENTS = ("none", "holm", "bh")
_ADJUSTED_COLUMN = {"none": "p_value", "holm": "p_holm", "bh": "p_bh"}
_FLAG_COLUMN = {"none": "significant", "holm": "significant_holm", "bh": "significant_bh"}
DEFAULT_DOMAIN = "all"
ROLE_NOT_GIVEN = "Role not given"
_SCORE_HELP = "use 1-4 or leave blank for no answer"


class InputError(Exception):
    """A problem with the user's input; the message is the whole line to print."""


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``stats`` command (with ``compare`` and ``trend``) to a subparsers object."""
    stats = subparsers.add_parser(
        "stats",
        help="compare survey waves or analyse a monthly series from a CSV file",
        description="Statistics from a CSV file (or, for compare, the database).",
    )
    stats.set_defaults(func=run)
    commands = stats.add_subparsers(dest="stats_command", required=True, metavar="COMMAND")

    compare = commands.add_parser(
        "compare",
        help="compare two survey waves statement by statement",
        description=(
            "Compare two survey waves. The CSV has one row per answer with columns wave, "
            "statement and score (1-4, blank = no answer), and optionally domain (statements "
            "whose p-values are Holm-adjusted together) and role (adds one comparison per role, "
            "with small groups suppressed)."
        ),
    )
    source = compare.add_mutually_exclusive_group(required=True)
    source.add_argument("file", nargs="?", metavar="FILE.csv", help="answers, one per row")
    source.add_argument("--db", metavar="PATH", help="read the answers from this database")
    compare.add_argument("--site", help="site name (with --db)")
    compare.add_argument("--role", help="show only this role")
    compare.add_argument(
        "--waves", metavar='"A,B"', help="the two waves to compare (default: the first two)"
    )
    compare.add_argument(
        "--min-group",
        type=int,
        metavar="K",
        help="suppress groups of fewer than K respondents (default: the min_group setting)",
    )
    compare.add_argument(
        "--adjust",
        choices=ADJUSTMENTS,
        default="none",
        help="which p-values the table marks significant: none (unadjusted), holm (within a "
        "domain and role) or bh (Benjamini-Hochberg across every statement and role); the "
        "JSON always has all three",
    )
    compare.add_argument(
        "--no-model",
        action="store_true",
        help="skip the proportional-odds model (faster; its fields are null)",
    )
    compare.add_argument("--json", action="store_true", help="print JSON instead of a table")

    trend = commands.add_parser(
        "trend",
        help="trend, Mann-Kendall, segmented regression and SPC of a monthly series",
        description=(
            "Analyse a monthly series. The CSV has columns month (YYYY-MM) and value; a blank "
            "value means the month is missing."
        ),
    )
    trend.add_argument("file", metavar="FILE.csv")
    trend.add_argument("--change-point", metavar="YYYY-MM", help="first month after a change")
    trend.add_argument(
        "--rebase",
        metavar="YYYY-MM",
        nargs="+",
        action="extend",
        default=[],
        help="months starting new SPC segments (one or more; the option may be repeated)",
    )
    trend.add_argument("--direction", choices=DIRECTIONS, default="neutral")
    trend.add_argument("--target", type=float, help="target value for SPC assurance")
    trend.add_argument(
        "--fix-after-n-points",
        type=int,
        metavar="N",
        help="base each SPC segment's limits on its first N points (N >= 12)",
    )
    trend.add_argument(
        "--errors",
        choices=("auto", "ols", "newey-west"),
        default="auto",
        help="standard errors of the interrupted time series: auto (the default) uses "
        "Newey-West when the Breusch-Godfrey test finds lag-1 autocorrelation (p < 0.05)",
    )
    trend.add_argument(
        "--hac",
        action="store_true",
        help="Newey-West standard errors (same as --errors newey-west)",
    )
    trend.add_argument("--json", action="store_true", help="print JSON instead of a summary")


def add_plan_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``plan-wave`` command to a subparsers object."""
    plan = subparsers.add_parser(
        "plan-wave",
        help="plan the next survey wave: hidden roles and detectable change per role",
        description=(
            "For each job role to be invited: the expected respondents, whether the role will "
            "be hidden (fewer than K), the smallest rise in %% agree the next wave could "
            "detect, and the response rate needed to detect a change as large as the last "
            "one. Baselines come from the latest comparable wave in the database."
        ),
    )
    plan.add_argument(
        "--invited",
        required=True,
        metavar='"ROLE=N,..."',
        help='staff to invite per role, e.g. "Social worker=120,Team manager=20"',
    )
    plan.add_argument(
        "--response-rate",
        metavar="R",
        help="expected response rate, 0.3 or 30%% (default: the latest wave's)",
    )
    plan.add_argument(
        "--min-group", type=int, metavar="K", help="disclosure threshold (default: the setting)"
    )
    plan.add_argument("--power", type=float, default=0.8, help="wanted power (default 0.8)")
    plan.add_argument(
        "--alpha", type=float, default=0.05, help="two-sided significance level (default 0.05)"
    )
    plan.add_argument(
        "--baseline-agree",
        metavar="P",
        help="plan from this %% agree for every role, 62 or 62%% or 0.62 (default: each "
        "role's at the latest wave)",
    )
    plan.add_argument("--db", metavar="PATH", help="database (default: RPGDASH_DB)")
    plan.add_argument("--site", help="site name (default: every site)")
    plan.add_argument("--json", action="store_true", help="print JSON instead of a table")
    plan.set_defaults(func=run_plan)


def _parse_invited(text: str) -> dict[str, int]:
    invited: dict[str, int] = {}
    for part in text.split(","):
        role, sep, number = part.rpartition("=")
        role = role.strip()
        if not sep or not role:
            raise InputError(
                f"--invited: {_quote(part.strip())} is not ROLE=N; write e.g. "
                '"Social worker=120,Team manager=20".'
            )
        try:
            count = int(number.strip())
        except ValueError:
            count = -1
        if count < 0:
            raise InputError(
                f"--invited: {_quote(number.strip())} for {_quote(role)} is not a whole number "
                "of staff."
            )
        if role in invited:
            raise InputError(f"--invited: {_quote(role)} is given twice; give each role once.")
        invited[role] = count
    return invited


def _parse_share(option: str, text: str | None, *, upper: float = 1.0) -> float | None:
    """0.3, 30% or 30 -> 0.3 (a number above 1 is read as a percentage)."""
    if text is None:
        return None
    raw = text.strip()
    try:
        value = float(raw.rstrip("%"))
    except ValueError:
        value = math.nan
    if raw.endswith("%") or value > 1:
        value /= 100
    if not (0 < value <= upper):
        raise InputError(
            f"{option}: {_quote(text)} is not a share; give a fraction such as 0.3 or a "
            "percentage such as 30%."
        )
    return value


def run_plan(args: argparse.Namespace) -> int:
    """Run ``plan-wave``; exit status 0, or 2 for bad input."""
    try:
        return _run_plan(args)
    except InputError as error:
        print(str(error), file=sys.stderr)
        return EXIT_INPUT_ERROR


def _run_plan(args: argparse.Namespace) -> int:
    from rpgdash.api import plan_wave
    from rpgdash.db import DatabaseError, open_db

    invited = _parse_invited(args.invited)
    rate = _parse_share("--response-rate", args.response_rate)
    agree = _parse_share("--baseline-agree", args.baseline_agree)
    if not (0 < args.power < 1) or not (0 < args.alpha < 1):
        raise InputError("--power and --alpha must be between 0 and 1, e.g. 0.8 and 0.05.")
    where = args.db or "the database"
    try:
        with open_db(args.db, read_only=True) as db:
            rows = plan_wave(
                db,
                invited,
                site=args.site,
                response_rate=rate,
                min_group=args.min_group,
                power=args.power,
                alpha=args.alpha,
                baseline_agree=None if agree is None else 100 * agree,
            )
    except (DatabaseError, ValueError) as error:
        raise InputError(f"{where}: {error}") from None
    if args.json:
        out = {"rows": [{k: _json_value(v) for k, v in row.items()} for row in rows]}
        print(json.dumps(out, indent=2, ensure_ascii=False, allow_nan=False))
    else:
        print(format_plan(rows, power=args.power, alpha=args.alpha))
    return 0


def format_plan(rows: list[dict], *, power: float, alpha: float) -> str:
    """The plan as a readable table."""
    head = ("role", "invited", "expected", "hidden", "now n", "now % agree", "detectable rise")
    head += ("rate needed",)
    lines = []
    for r in rows:
        lines.append(
            (
                r["role"],
                str(r["invited"]),
                str(r["expected_n"]),
                "yes" if r["hidden"] else "no",
                str(r["baseline_n"]),
                _fmt(r["baseline_pct_agree"], 0),
                "-"
                if r["min_detectable_change_points"] is None
                else f"+{r['min_detectable_change_points']:.0f} points",
                "-"
                if r["response_rate_needed"] is None
                else f"{100 * r['response_rate_needed']:.0f}%",
            )
        )
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(head)]
    out = ["  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)).rstrip()]
    for line in lines:
        cells = [
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(line, widths, strict=True))
        ]
        out.append("  ".join(cells).rstrip())
    out.append("")
    out.append(
        f"Detectable rise: smallest rise in % agree found with power {power:g} by a two-sided "
        f"two-proportion test at alpha {alpha:g}. Rate needed: response rate to detect a change "
        "as large as the one between the last two waves ('-': no change seen, no earlier "
        "wave, or not reachable)."
    )
    return "\n".join(out)


def run(args: argparse.Namespace) -> int:
    """Run a parsed ``stats`` command; return the exit status (0, or 2 for bad input)."""
    try:
        if args.stats_command == "compare":
            return _run_compare(args)
        return _run_trend(args)
    except InputError as error:
        print(str(error), file=sys.stderr)
        return EXIT_INPUT_ERROR


def main(argv: list[str] | None = None) -> int:
    """Run ``stats`` on its own; ``argv`` may start with "stats" or with the subcommand."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] != ["stats"]:
        argv.insert(0, "stats")
    parser = argparse.ArgumentParser(prog="rpgdash")
    add_parser(parser.add_subparsers(dest="command", required=True))
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return run(args)


# --- reading CSV files -----------------------------------------------------------------------


def _read_rows(path: str, required: tuple[str, ...]) -> tuple[dict[str, int], Iterator]:
    """Open a CSV file; return the column positions (by lower-case name) and its data rows.

    Rows come as ``(line, cells)`` with spreadsheet line numbers; blank rows are skipped.
    """
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file; check the name and folder.") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text; save it as CSV UTF-8 and try again.") from None
    except OSError as error:
        raise InputError(f"{path}: cannot be read ({error.strerror}).") from None
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise InputError(f"{path}: not a readable CSV file ({error}).") from None
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise InputError(
            f"{path}:1: the file is empty; it needs a header row naming the columns "
            f"{_and(required)}."
        )
    columns = {cell.strip().lower(): i for i, cell in reversed(list(enumerate(rows[0])))}
    for name in required:
        if name not in columns:
            raise InputError(
                f'{path}:1:{name}: the header has no "{name}" column; the file needs the '
                f"columns {_and(required)}."
            )
    data = (
        (line, cells)
        for line, cells in enumerate(rows[1:], start=2)
        if any(cell.strip() for cell in cells)
    )
    return columns, data


def _quote(text: str) -> str:
    """``text`` in double quotes, with line breaks escaped so that a message stays one line."""
    return json.dumps(text, ensure_ascii=False)


def _and(names: tuple[str, ...]) -> str:
    return ", ".join(names[:-1]) + " and " + names[-1]


def _cell(cells: list[str], columns: dict[str, int], name: str) -> str:
    i = columns.get(name)
    return cells[i].strip() if i is not None and i < len(cells) else ""


def _parse_score(text: str, where: str) -> int | None:
    if text == "":
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if value not in (1, 2, 3, 4):
        raise InputError(f"{where}: {_quote(text)} is not a score; {_SCORE_HELP}")
    return int(value)


def read_answers(path: str) -> tuple[pd.DataFrame, pd.DataFrame, bool]:
    """Read a one-answer-per-row CSV into per-level counts and group sizes.

    Returns
    -------
    counts : pandas.DataFrame
        ``domain, role, statement, wave, score, n, statement_order``.
    group_sizes : pandas.DataFrame
        ``role, wave, respondents``: rows for the role and wave of its most answered statement
        (blank answers count, the person was there).
    has_roles : bool
        Whether the file has a role column.
    """
    columns, data = _read_rows(path, ("wave", "statement", "score"))
    has_domain, has_roles = "domain" in columns, "role" in columns
    records = []
    for line, cells in data:
        wave = _cell(cells, columns, "wave")
        statement = _cell(cells, columns, "statement")
        domain = _cell(cells, columns, "domain") if has_domain else DEFAULT_DOMAIN
        role = _cell(cells, columns, "role") if has_roles else ALL_ROLES
        for name, value in (("wave", wave), ("statement", statement), ("domain", domain)):
            if value == "":
                raise InputError(
                    f"{path}:{line}:{name}: the {name} is blank; give every row a {name}."
                )
        score = _parse_score(_cell(cells, columns, "score"), f"{path}:{line}:score")
        records.append((domain, role or ROLE_NOT_GIVEN, statement, wave, score))
    if not records:
        raise InputError(f"{path}:2: the file has a header but no answers.")
    rows = pd.DataFrame(records, columns=["domain", "role", "statement", "wave", "score"])
    keys = list(zip(rows["domain"], rows["statement"], strict=True))
    order = {k: i for i, k in enumerate(dict.fromkeys(keys))}
    sizes = (
        rows.groupby(["role", "wave", "statement"], sort=False)
        .size()
        .groupby(level=["role", "wave"], sort=False)
        .max()
        .reset_index(name="respondents")
    )
    answered = rows.dropna(subset=["score"]).astype({"score": int})
    counts = (
        answered.groupby(["domain", "role", "statement", "wave", "score"], sort=False)
        .size()
        .reset_index(name="n")
    )
    counts["statement_order"] = [
        order[k] for k in zip(counts["domain"], counts["statement"], strict=True)
    ]
    return counts, sizes, has_roles


def _choose_waves(path: str, waves_in_file: list[str], option: str | None) -> tuple[str, str]:
    if option is None:
        if len(waves_in_file) < 2:
            found = ", ".join(_quote(w) for w in waves_in_file)
            raise InputError(
                f"{path}: the wave column has only one wave ({found}); a comparison needs two."
            )
        return waves_in_file[0], waves_in_file[1]
    chosen = [w.strip() for w in option.split(",")]
    if len(chosen) != 2 or "" in chosen:
        raise InputError(
            f'{path}: --waves {_quote(option)} must name two waves, e.g. "+1 year,+3 years".'
        )
    for wave in chosen:
        if wave not in waves_in_file:
            found = ", ".join(_quote(w) for w in waves_in_file)
            raise InputError(
                f"{path}: the wave {_quote(wave)} given in --waves is not in the wave column; "
                f"the file has {found}."
            )
    return chosen[0], chosen[1]


# --- compare ---------------------------------------------------------------------------------


def _run_compare(args: argparse.Namespace) -> int:
    if args.db is not None:
        frame, models = _compare_from_db(args)
    else:
        frame, models = _compare_from_file(args)
    if args.role is not None:
        frame = frame[frame["role"] == args.role]
    records = comparison_records(frame)
    if args.json:
        out = {"comparisons": records, "domain_models": _records(models, DOMAIN_MODEL_COLUMNS)}
        print(json.dumps(out, indent=2, ensure_ascii=False, allow_nan=False))
    else:
        print(format_comparisons(records, adjust=args.adjust))
    return 0


def _min_group(args: argparse.Namespace) -> int:
    if args.min_group is not None:
        return args.min_group
    from rpgdash import settings

    return int(settings.get("min_group"))


def _compare_from_file(args: argparse.Namespace) -> tuple[pd.DataFrame, pd.DataFrame]:
    path = args.file
    if args.site is not None:
        raise InputError(f"{path}: --site works only with --db; a CSV file holds one site.")
    counts, sizes, has_roles = read_answers(path)
    wave_a, wave_b = _choose_waves(path, list(dict.fromkeys(sizes["wave"])), args.waves)
    if has_roles:
        counts = add_all_roles(counts)
    k = _min_group(args)
    frame = compare_levels(
        counts,
        wave_a=wave_a,
        wave_b=wave_b,
        group_sizes=sizes,
        min_group=k,
        model=not args.no_model,
    )
    if args.no_model:
        return frame, pd.DataFrame(columns=DOMAIN_MODEL_COLUMNS)
    groups, a, b = paired_counts(counts, wave_a=wave_a, wave_b=wave_b)
    models = domain_model_frame(
        groups, a, b, wave_a=wave_a, wave_b=wave_b, group_sizes=sizes, min_group=k
    )
    return frame, models


def _compare_from_db(args: argparse.Namespace) -> tuple[pd.DataFrame, pd.DataFrame]:
    from rpgdash.api import compare_domains, compare_waves
    from rpgdash.db import DatabaseError, open_db

    waves = None
    if args.waves is not None:
        waves = tuple(w.strip() for w in args.waves.split(","))
        if len(waves) != 2 or "" in waves:
            raise InputError(f'{args.db}: --waves "{args.waves}" must name two waves.')
    try:
        with open_db(args.db, read_only=True) as db:
            frame = compare_waves(
                db,
                site=args.site,
                role=args.role,
                waves=waves,
                min_group=args.min_group,
                model=not args.no_model,
            )
            if args.no_model:
                return frame, pd.DataFrame(columns=DOMAIN_MODEL_COLUMNS)
            models = compare_domains(db, site=args.site, waves=waves, min_group=args.min_group)
            return frame, models
    except (DatabaseError, ValueError) as error:
        raise InputError(f"{args.db}: {error}") from None


def _records(frame: pd.DataFrame, columns: list[str]) -> list[dict]:
    return [
        {name: _json_value(value) for name, value in zip(columns, row, strict=True)}
        for row in frame[columns].itertuples(index=False)
    ]


def comparison_records(frame: pd.DataFrame) -> list[dict]:
    """Rows of a comparison frame as JSON-ready dicts (NaN and NA become None)."""
    return _records(frame, COMPARISON_COLUMNS)


def _json_value(value: object) -> object:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, bool | str):
        return value
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
    if isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return clean_float(value)
    return value


def _fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _interval(values: list | None, digits: int = 0) -> str:
    if values is None:
        return "-"
    return f"{values[0]:.{digits}f} to {values[1]:.{digits}f}"


def format_comparisons(records: list[dict], *, adjust: str = "none") -> str:
    """A readable fixed-width table of comparison records.

    ``adjust`` ("none", "holm" or "bh") chooses the p-value column beside the unadjusted one
    and the one that decides "significant".
    """
    if not records:
        return "No statements to compare."
    adjusted = {"none": None, "holm": "Holm p", "bh": "BH p"}[adjust]
    head = ["domain", "role", "statement", "n A", "n B", "mean A", "mean B"]
    head += ["% agree A", "% agree B", "change (95% CI)", "p", "p method"]
    head += [adjusted] if adjusted else []
    head += ["OR adj. (95% CI)"]
    lines = []
    for r in records:
        statement = r["statement"] if len(r["statement"]) <= 48 else r["statement"][:47] + "…"
        if r["suppressed"] is not None:
            numbers: tuple = ("",) * (len(head) - 3)
            note = r["suppressed"]
        else:
            change = (
                "-"
                if r["pct_agree_change"] is None
                else f"{r['pct_agree_change']:+.0f} ({_interval(r['pct_agree_change_ci'])})"
            )
            odds = (
                ""
                if r["wave_odds_ratio"] is None
                else f"{r['wave_odds_ratio']:.2f} ({_interval(r['wave_or_ci'], 2)})"
            )
            numbers = (
                "-" if r["n_a"] is None else str(r["n_a"]),
                "-" if r["n_b"] is None else str(r["n_b"]),
                _fmt(r["mean_a"]),
                _fmt(r["mean_b"]),
                _fmt(r["pct_agree_a"], 0),
                _fmt(r["pct_agree_b"], 0),
                change,
                _fmt(r["p_value"], 3),
                r["p_method"] or "-",
                *([_fmt(r[_ADJUSTED_COLUMN[adjust]], 3)] if adjusted else []),
                odds,
            )
            note = "significant" if r[_FLAG_COLUMN[adjust]] else ""
            if r["role"] == ALL_ROLES and r["model_note"]:
                note = "; ".join(filter(None, [note, r["model_note"]]))
        lines.append((r["domain"], r["role"], statement, *numbers, note))
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(head)]
    first = records[0]
    out = [f"Comparing {first['wave_a']} (A) with {first['wave_b']} (B)", ""]
    out.append("  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)).rstrip())
    for line in lines:
        cells = [
            c.ljust(w) if i < 3 else c.rjust(w)
            for i, (c, w) in enumerate(zip(line, widths, strict=False))
        ]
        out.append(("  ".join(cells) + "  " + line[-1]).rstrip())
    out.append("")
    out.append(
        "% agree: answers of 3 or 4; change in points with Newcombe's 95% interval. p: "
        "Mann-Whitney U, exact where a wave has fewer than 30 answers. OR adj.: odds of a "
        "higher answer at B from the proportional-odds model adjusted for role (All roles "
        "rows). Significant: "
        + {
            "none": "p < 0.05, not adjusted for testing many statements.",
            "holm": "Holm-adjusted p < 0.05 within each domain and role.",
            "bh": "Benjamini-Hochberg adjusted p < 0.05 across every statement and role.",
        }[adjust]
    )
    return "\n".join(out)


# --- trend -----------------------------------------------------------------------------------


def read_series(path: str) -> tuple[list[str], list[float]]:
    """Read a ``month, value`` CSV; blank values are missing months and are left out."""
    columns, data = _read_rows(path, ("month", "value"))
    months: list[str] = []
    values: list[float] = []
    first_line: dict[int, int] = {}
    for line, cells in data:
        month_text = _cell(cells, columns, "month")
        value_text = _cell(cells, columns, "value")
        try:
            number = parse_month(month_text)
        except ValueError:
            raise InputError(
                f"{path}:{line}:month: {_quote(month_text)} is not a month; write it as YYYY-MM, "
                "e.g. 2016-03."
            ) from None
        if number in first_line:
            raise InputError(
                f"{path}:{line}:month: {month_label(number)} appears twice (first on line "
                f"{first_line[number]}); give one value per month."
            )
        first_line[number] = line
        if value_text == "":
            continue
        try:
            value = float(value_text.replace(",", ""))
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise InputError(
                f"{path}:{line}:value: {_quote(value_text)} is not a number; give a number or "
                "leave it blank for a missing month."
            )
        months.append(month_label(number))
        values.append(value)
    if not first_line:
        raise InputError(f"{path}:2: the file has a header but no months.")
    return months, values


def _month_option(path: str, option: str, text: str) -> str:
    try:
        return month_label(parse_month(text))
    except ValueError:
        raise InputError(
            f"{path}: {option} {_quote(text)} is not a month; write it as YYYY-MM, e.g. 2016-03."
        ) from None


def _run_trend(args: argparse.Namespace) -> int:
    path = args.file
    months, values = read_series(path)
    change = None
    if args.change_point is not None:
        change = _month_option(path, "--change-point", args.change_point)
    rebase = [_month_option(path, "--rebase", m) for m in args.rebase]
    try:
        result = analyse_series(
            months,
            values,
            change_point=change,
            rebase=rebase,
            direction=args.direction,
            target=args.target,
            hac=args.hac,
            errors=args.errors,
            fix_after_n_points=args.fix_after_n_points,
        )
    except ValueError as error:
        raise InputError(f"{path}: {_sentence(str(error))}") from None
    if result["its"] is not None:
        result["its"].pop("fitted", None)
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False, allow_nan=False))
    else:
        print(format_trend(result))
    return 0


def _sentence(message: str) -> str:
    return message if message.endswith(".") else message + "."


def format_trend(result: dict) -> str:
    """A short readable summary of :func:`rpgdash.stats.trend.analyse_series` output."""
    ols, mk, spc = result["ols"], result["mann_kendall"], result["spc"]
    out = [f"{result['n']} months, {result['start']} to {result['end']}"]
    if result["missing_months"]:
        out.append("Missing months: " + ", ".join(result["missing_months"]))
    out.append(
        f"Linear trend: {_fmt(ols['slope_per_month'], 3)} per month "
        f"(95% CI {_fmt(ols['slope_ci'][0], 3)} to {_fmt(ols['slope_ci'][1], 3)}), "
        f"p = {_fmt(ols['p_value'], 4)}"
    )
    out.append(
        f"Mann-Kendall: tau = {_fmt(mk['tau'], 3)}, p = {_fmt(mk['p_value'], 4)}; "
        f"Sen's slope {_fmt(mk['sen_slope'], 3)} per month"
    )
    its = result["its"]
    if its is not None:
        out.append(
            f"Change at {its['change_point']}: level {_fmt(its['level_change'], 3)} "
            f"(p = {_fmt(its['level_p'], 4)}), slope {_fmt(its['slope_change'], 3)} per month "
            f"(p = {_fmt(its['slope_p'], 4)})"
        )
        out.append(
            f"Residuals: Durbin-Watson {_fmt(its['durbin_watson'], 2)}, Breusch-Godfrey "
            f"(1 lag) p = {_fmt(its['breusch_godfrey_p'], 4)}"
        )
        out.append(its["errors_reason"])
        if its["warning"]:
            out.append(its["warning"])
    out.append(f"SPC: latest point shows {spc['variation']}")
    summary = spc["summary"]
    out.append(
        f"Variation icon: {summary['variation_icon']}; assurance: {summary['assurance'] or 'none'}"
    )
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
