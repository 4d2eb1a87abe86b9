"""DfE Explore Education Statistics files in their published layout, checked and normalised.

The layout: ``time_period, time_identifier, geographic_level, country_code, country_name,
region_code, region_name, old_la_code, new_la_code, la_name``, then measure columns (and, in
some releases, breakdown columns such as ``category``). One row per area and period:

- ``geographic_level`` is ``National``, ``Regional`` or ``Local authority``;
- ``time_period`` is a year (``2018``) or a DfE year span (``201819``, shown as 2018-19);
- a measure cell is a number, a suppression code (``c, z, x, low, k, u``) or blank: codes and
  blanks are missing figures, counted and never stored as zero;
- rows for authorities reported together (``940 / 941``) are skipped and reported.

:func:`read_dfe_cells` is the pure part (a table of text cells in, normalised rows out, or an
:class:`InvalidContent` naming file, line and column); :func:`parse_dfe` adds what the
database knows (stored measures, the customer's site and its LA code).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa

from rpgdash.benchmarks.measures import (
    GEOGRAPHY_COLUMNS,
    LEVELS,
    SUPPRESSION_CODES,
    check_direction,
    known_measure,
    period_error,
)
from rpgdash.db import Database
from rpgdash.ingest.checks import Problems
from rpgdash.ingest.model import ParsedUpload
from rpgdash.ingest.reading import RawTable
from rpgdash.ingest.values import normalise_name, quote_cell

_GSS = re.compile(r"[A-Z]\d{8}")
_OLD_LA = re.compile(r"\d{3}")
_NUMBER = re.compile(r"[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?")
#: Breakdown values that mean "all of them" (a file with a breakdown keeps these rows).
_TOTALS = ("total", "all", "all children")

_TEXT = (
    "level",
    "area_key",
    "area",
    "new_la_code",
    "old_la_code",
    "region_code",
    "region_name",
    "period",
    "measure",
)
SCHEMA = pa.schema(
    [("line", pa.int64())] + [(c, pa.string()) for c in _TEXT] + [("value", pa.float64())]
)


@dataclass(frozen=True)
class MeasureChoice:
    """A measure column to read: the DfE column, the stored name, unit and direction."""

    column: str
    name: str
    unit: str
    direction: str
    release: str | None = None


@dataclass
class DfeCells:
    """What :func:`read_dfe_cells` found: one row per area, period and measure with a figure."""

    rows: pd.DataFrame
    measures: list[MeasureChoice]
    missing: int
    notes: list[str]


@dataclass
class BenchmarkUpload(ParsedUpload):
    """A checked DfE file: ``rows`` (line, level, area_key, area, new_la_code, old_la_code,
    region_code, region_name, period, measure, value), the measures to create and the LA code
    to record for the customer's site (``(site, code)``)."""

    measures: list[MeasureChoice] = field(default_factory=list)
    la_code: tuple[str, str] | None = None
    site_matches: dict[str, str] = field(default_factory=dict)


def parse_measure_option(text: str) -> tuple[str, str | None]:
    """``COL`` or ``COL:direction`` (for a column the product does not know)."""
    column, _, direction = text.partition(":")
    direction = direction.strip() or None
    if direction is not None:
        check_direction(direction)
    return column.strip(), direction


def read_dfe_cells(
    file_name: str,
    header: Sequence[str],
    cells: pd.DataFrame,
    *,
    chosen: Sequence[str] | None = None,
    stored: dict[str, MeasureChoice] | None = None,
) -> DfeCells:
    """Check a DfE file's cells (``_line`` and ``c0, c1, ...``, text or None) and normalise them.

    ``chosen`` names the measure columns to read (``COL`` or ``COL:direction``; default: every
    column the product knows); ``stored`` maps a DfE column (case-folded) to the measure
    already stored for it.
    """
    problems = Problems(file_name)
    index = _header_index(header)
    for required in ("time_period", "geographic_level"):
        if required not in index:
            problems.add(
                1,
                None,
                f"there is no '{required}' column, so this is not a DfE file in the published "
                "layout (time_period, time_identifier, geographic_level, country_code, "
                "country_name, region_code, region_name, old_la_code, new_la_code, la_name, "
                "then measure columns).",
            )
    problems.raise_if_any()
    measures = _choose_measures(header, index, chosen, stored or {}, problems)
    problems.raise_if_any()
    notes: list[str] = []
    frame = text_cells(cells)
    col = {name: f"c{i}" for name, i in index.items()}

    def text(name: str) -> pd.Series:
        if name not in col:
            return pd.Series([None] * len(frame), index=frame.index, dtype=object)
        return frame[col[name]]

    level = _levels(frame, text("geographic_level"), index, problems)
    _check_periods(frame, text("time_period"), index, problems)
    period = text("time_period")
    merged = _merged(frame, text)
    if merged.any():
        notes.append(_merged_note(frame, text, merged))
    bad_level = level.isna()
    keep = ~merged & ~bad_level
    area = _areas(frame, level, text, index, keep, problems)
    long = _values(frame, measures, index, keep, problems)
    problems.raise_if_any()
    long = long.join(area, on="_row")
    long["period"] = period.loc[long["_row"]].to_numpy()
    long = _drop_breakdowns(long.drop(columns="_row"), frame, header, index, measures, notes)
    _duplicates(long, index, header, problems)
    problems.raise_if_any()
    missing = int(long["value"].isna().sum())
    long = long[long["value"].notna()]
    rows = long.rename(columns={"_line": "line"})[SCHEMA.names].reset_index(drop=True)
    if missing:
        notes.append(
            f"{missing} figure{'s were' if missing != 1 else ' was'} suppressed or not given "
            "(c, z, x, low, k, u or blank): counted as missing, not stored as zero."
        )
    return DfeCells(rows, measures, missing, notes)


def _levels(frame, level_text: pd.Series, index, problems: Problems) -> pd.Series:
    """The stored level of each row (None, with a located problem, when unknown)."""
    level = level_text.map(lambda t: LEVELS.get(normalise_name(t)) if t else None)
    bad = level.isna()
    for line, value in zip(frame.loc[bad, "_line"], level_text[bad], strict=True):
        shown = quote_cell(value) if value else "blank"
        problems.add(
            int(line),
            index["geographic_level"],
            f"the geographic_level is {shown}; use National, Regional or Local authority.",
        )
    return level


def _check_periods(frame, period: pd.Series, index, problems: Problems) -> None:
    for line, value in zip(frame["_line"], period, strict=True):
        error = "the time_period is blank; fill it in" if not value else period_error(value)
        if error:
            problems.add(int(line), index["time_period"], error + ".")


def _merged_note(frame, text, merged: pd.Series) -> str:
    lines = frame.loc[merged, "_line"].astype(int).tolist()
    names = sorted({str(t) for t in text("la_name")[merged].dropna()})
    plural = "s" if len(lines) != 1 else ""
    return (
        f"{len(lines)} row{plural} for authorities reported together ("
        + "; ".join(names[:5])
        + (" ..." if len(names) > 5 else "")
        + f") skipped: line{plural} {_lines(lines)}. Their figures cannot be compared with "
        "one authority's."
    )


def text_cells(cells: pd.DataFrame) -> pd.DataFrame:
    """The cells as Python text, None where empty (whatever dtypes the reader chose)."""
    frame = cells.astype(object)
    return frame.where(frame.notna(), None)


def _header_index(header: Sequence[str]) -> dict[str, int]:
    index: dict[str, int] = {}
    for i, name in enumerate(header):
        index.setdefault(name.strip().casefold().replace(" ", "_"), i)
    return index


def _choose_measures(header, index, chosen, stored, problems: Problems) -> list[MeasureChoice]:
    standard = set(GEOGRAPHY_COLUMNS)
    picks: list[tuple[int, str | None]] = []
    if chosen:
        for option in chosen:
            column, direction = parse_measure_option(option)
            key = column.casefold().replace(" ", "_")
            if key not in index:
                problems.add(
                    1,
                    None,
                    f"there is no column '{column}' to read; the measure columns are "
                    + ", ".join(f"'{h}'" for h in header if h.casefold() not in standard)
                    + ".",
                )
                continue
            picks.append((index[key], direction))
    else:
        picks = [(i, None) for i, h in enumerate(header) if known_measure(h)]
        if not picks:
            problems.add(
                1,
                None,
                "none of the measure columns is one the dashboard knows (for example "
                "turnover_rate_fte, vacancy_rate_fte, rereferral_percent, CPP_At31, "
                "rate_per_10000); name the columns to read with --measures COL (or choose them "
                "on the Upload page).",
            )
    choices = []
    for i, direction in picks:
        column = header[i].strip()
        known = known_measure(column)
        have = stored.get(column.casefold()) or (
            stored.get(known.column.casefold()) if known else None
        )
        if have is not None:
            choice = MeasureChoice(column, have.name, have.unit, have.direction, have.release)
        elif known is not None:
            choice = MeasureChoice(
                column, known.name, known.unit, direction or known.direction, known.release
            )
        else:
            choice = MeasureChoice(column, column, "", direction or "neutral", None)
        choices.append(choice)
    return choices


def _merged(frame: pd.DataFrame, text) -> pd.Series:
    """Rows for several authorities reported together (a code or name with ' / ')."""
    flags = pd.Series(False, index=frame.index)
    for name in ("old_la_code", "new_la_code", "la_name"):
        flags |= text(name).fillna("").str.contains("/", regex=False)
    return flags


def _lines(lines: list[int]) -> str:
    shown = ", ".join(str(n) for n in lines[:10])
    return shown + (f" and {len(lines) - 10} more" if len(lines) > 10 else "")


def _areas(frame, level, text, index, keep, problems: Problems) -> pd.DataFrame:
    """Per row: level, area_key, area (name) and codes; problems for unknown codes."""
    out = []
    chosen = keep.to_numpy()
    rows = frame.index[chosen].tolist()
    lines = frame["_line"][chosen].astype(int).tolist()
    levels = level[chosen].tolist()
    columns = {n: text(n)[chosen].tolist() for n in GEOGRAPHY_COLUMNS}
    for i, (row, line, lv) in enumerate(zip(rows, lines, levels, strict=True)):
        get = {n: values[i] for n, values in columns.items()}
        for name, pattern, example in (
            ("country_code", _GSS, "E92000001"),
            ("region_code", _GSS, "E12000007"),
            ("new_la_code", _GSS, "E09000002"),
            ("old_la_code", _OLD_LA, "301"),
        ):
            value = get[name]
            if lv == "national" and name in ("region_code", "new_la_code", "old_la_code"):
                continue
            if lv == "region" and name in ("new_la_code", "old_la_code"):
                continue
            if value is not None and not pattern.fullmatch(value):
                problems.add(
                    line,
                    index[name],
                    f"the {name} {quote_cell(value)} is not a code DfE uses (e.g. {example}); "
                    "correct it or leave it blank.",
                )
        if lv == "national":
            name, key = get["country_name"], get["country_code"]
            needed = "country_name"
        elif lv == "region":
            name, key = get["region_name"], get["region_code"]
            needed = "region_name"
        else:
            name = get["la_name"]
            key = get["new_la_code"] or get["old_la_code"]
            needed = "la_name"
        if not name:
            problems.add(
                line,
                index.get(needed),
                f"the {needed} is blank on a {frame_level(lv)} row; fill it in.",
            )
            continue
        out.append(
            {
                "_row": row,
                "level": lv,
                "area_key": key or "name:" + normalise_name(name),
                "area": " ".join(name.split()),
                "new_la_code": get["new_la_code"] if lv == "local_authority" else None,
                "old_la_code": get["old_la_code"] if lv == "local_authority" else None,
                "region_code": get["region_code"] if lv != "national" else None,
                "region_name": get["region_name"] if lv != "national" else None,
            }
        )
    # The area columns of SCHEMA: every text column before period and measure.
    columns_out = ["_row", *_TEXT[: _TEXT.index("period")]]
    return pd.DataFrame(out, columns=columns_out).set_index("_row")


def frame_level(level: str) -> str:
    return {"national": "National", "region": "Regional"}.get(level, "Local authority")


def _values(frame, measures, index, keep, problems: Problems) -> pd.DataFrame:
    """Long table (_row, _line, measure, column, value) with NaN for missing figures."""
    parts = []
    codes = set(SUPPRESSION_CODES)
    for m in measures:
        i = index[m.column.casefold().replace(" ", "_")]
        cells = frame.loc[keep, f"c{i}"]
        values = []
        lines = frame.loc[keep, "_line"].tolist()
        for row, line, raw in zip(cells.index.tolist(), lines, cells.tolist(), strict=True):
            value = _figure(raw, codes)
            if value is _BAD:
                problems.add(
                    int(line),
                    i,
                    f"{quote_cell(raw)} is not a number or a DfE code for a missing figure "
                    "(c, z, x, low, k, u); correct it, or leave the cell blank.",
                )
                value = None
            elif value is not None and value < 0:
                problems.add(int(line), i, f"{quote_cell(raw)} is negative; {m.name} cannot be.")
            elif value is not None and m.unit == "%" and value > 100:
                problems.add(
                    int(line), i, f"{quote_cell(raw)} is above 100; {m.name} is a percentage."
                )
            values.append((row, int(line), m.name, m.column, value))
        parts.append(pd.DataFrame(values, columns=["_row", "_line", "measure", "column", "value"]))
    long = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    long["value"] = pd.to_numeric(long["value"], errors="coerce").astype("float64")
    return long


_BAD = object()


def _figure(raw: str | None, codes: set[str]):
    if raw is None:
        return None
    text = raw.strip()
    bare = text.strip("[]").strip().casefold()
    if not text or bare in codes:
        return None
    if _NUMBER.fullmatch(text) and any(ch.isdigit() for ch in text):
        return float(text.replace(",", ""))
    return _BAD


def _drop_breakdowns(long, frame, header, index, measures, notes) -> pd.DataFrame:
    """A file with breakdown columns (e.g. ``category``) repeats each area and period; keep
    the total rows when the breakdown has them (and say so)."""
    measure_cols = {m.column.casefold().replace(" ", "_") for m in measures}
    standard = set(GEOGRAPHY_COLUMNS)
    for name, i in index.items():
        if name in standard or name in measure_cols or not name:
            continue
        values = frame[f"c{i}"]
        if values.dropna().map(lambda v: _figure(v, set(SUPPRESSION_CODES)) is not _BAD).all():
            continue  # another measure column, not a breakdown
        by_line = dict(zip(frame["_line"].astype(int), values, strict=True))
        cell = long["_line"].map(by_line)
        is_total = cell.fillna("").map(lambda v: v.strip().casefold() in _TOTALS)
        repeated = long.duplicated(["level", "area_key", "period", "measure"], keep=False)
        if repeated.any() and is_total.any():
            dropped = long.loc[~is_total, "_line"].nunique()
            long = long[is_total]
            notes.append(
                f"The file breaks figures down by '{header[i]}'; only its total rows were read "
                f"({dropped} other rows were not)."
            )
    return long


def _duplicates(long: pd.DataFrame, index, header, problems: Problems) -> None:
    keys = ["level", "area_key", "period", "measure"]
    first = long.groupby(keys)["_line"].transform("min")
    dup = long[long["_line"] > first]
    for line, measure, period, area, first_line in zip(
        dup["_line"], dup["measure"], dup["period"], dup["area"], first[dup.index], strict=True
    ):
        problems.add(
            int(line),
            index.get("time_period"),
            f"{measure} for {period} at '{area}' is given again (first on line "
            f"{int(first_line)}); keep one row per area and time_period.",
        )


# --- with the database ------------------------------------------------------------------


def stored_measure_choices(db: Database) -> dict[str, MeasureChoice]:
    from rpgdash.benchmarks import queries

    table = queries.measures(db)
    return {
        str(r.dfe_column).casefold(): MeasureChoice(
            r.dfe_column, r.name, r.unit, r.direction, r.release
        )
        for r in table.itertuples()
    }


def parse_dfe(
    raw: RawTable,
    db: Database,
    *,
    site: str | None = None,
    measures: Sequence[str] | None = None,
    la_code: str | None = None,
) -> BenchmarkUpload:
    """Check a DfE file against what is stored; nothing is written."""
    from rpgdash.benchmarks import queries

    cells = raw.con.execute("SELECT * FROM raw ORDER BY _line").df()
    read = read_dfe_cells(
        raw.file_name,
        raw.header,
        cells,
        chosen=measures,
        stored=stored_measure_choices(db),
    )
    notes = list(read.notes)
    code_pair = None
    if la_code is not None:
        code = la_code.strip()
        if not (_GSS.fullmatch(code) or _OLD_LA.fullmatch(code)):
            raise_single(
                raw.file_name,
                f"the LA code '{la_code}' is neither a new code (E09000002) nor an old "
                "three-digit one (301); give one of those.",
            )
        if site is None:
            raise_single(
                raw.file_name,
                "choose the site the LA code is for (--site NAME): the database does not have "
                "exactly one local-authority site.",
            )
        if site not in queries.local_site_names(db):
            raise_single(raw.file_name, f"there is no local-authority site called '{site}'.")
        code_pair = (site, code)
    matches = _match_sites(db, read.rows, code_pair)
    for site_name, area in matches.items():
        notes.append(f"Rows for '{area}' are {site_name}'s own figures.")
    if site is not None and site not in matches:
        notes.append(
            f"No row matched the site '{site}' by LA code or name; its figures are not in this "
            "file (give its LA code with --la-code, or on the Upload page)."
        )
    rows = pa.Table.from_pandas(read.rows, schema=SCHEMA, preserve_index=False)
    return BenchmarkUpload.of(
        raw,
        "dfe",
        "DfE Explore Education Statistics",
        rows,
        missing=read.missing,
        notes=notes,
        measures=read.measures,
        la_code=code_pair,
        site_matches=matches,
    )


def _match_sites(db: Database, rows: pd.DataFrame, code_pair) -> dict[str, str]:
    """Stored site -> the file's area that is the site's own (by LA code, else by name)."""
    from rpgdash.benchmarks import queries

    sites = queries.site_codes(db)
    if code_pair is not None:
        sites.loc[sites["site"] == code_pair[0], "la_code"] = code_pair[1]
    las = rows[rows["level"] == "local_authority"].drop_duplicates("area_key")
    found = {}
    for site in sites.itertuples():
        area = match_area(las, site.site, site.la_code)
        if area is not None:
            found[site.site] = area["area"]
    return found


def match_area(areas: pd.DataFrame, site: str, la_code: str | None):
    """The row of ``areas`` (new_la_code, old_la_code, area) that is ``site``'s: by its LA code
    when it has one, else by normalised name. None when no row matches."""
    if la_code:
        hit = areas[(areas["new_la_code"] == la_code) | (areas["old_la_code"] == la_code)]
    else:
        key = normalise_name(site)
        hit = areas[areas["area"].map(normalise_name) == key]
    return None if hit.empty else hit.iloc[0]


def raise_single(file_name: str, message: str) -> None:
    from rpgdash.ingest.errors import InvalidContent

    raise InvalidContent.single(file_name, message)
