"""DfE's statistical neighbours file: for each local authority, its ten closest neighbours.

The layout: ``old_la_code, la_name`` (other columns such as ``new_la_code`` may follow), then
``SN_1 ... SN_10``, each a neighbour's name or three-digit old LA code, and, where the file
gives them, closeness bands (``SN_1_closeness`` ... or ``SN1 closeness``: "Extremely close",
"Very close", "Close", "Somewhat close", ...). Rows for authorities reported together
(``940 / 941``) are skipped and reported.

:func:`read_neighbour_cells` is the pure part; :func:`parse_neighbours` wraps a RawTable.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa

from rpgdash.db import Database
from rpgdash.ingest.checks import Problems
from rpgdash.ingest.dfe import text_cells
from rpgdash.ingest.model import ParsedUpload
from rpgdash.ingest.reading import RawTable
from rpgdash.ingest.values import normalise_name, quote_cell

_OLD_LA = re.compile(r"\d{3}")
_SN = re.compile(r"sn_?(\d{1,2})")
_BAND = re.compile(r"sn_?(\d{1,2})_?(closeness|band|closeness_band)")
MAX_NEIGHBOURS = 10

COLUMNS = [
    "line",
    "la_key",
    "la_code",
    "la_name",
    "position",
    "neighbour_code",
    "neighbour_name",
    "closeness",
]

SCHEMA = pa.schema(
    [
        ("line", pa.int64()),
        ("la_key", pa.string()),
        ("la_code", pa.string()),
        ("la_name", pa.string()),
        ("position", pa.int32()),
        ("neighbour_code", pa.string()),
        ("neighbour_name", pa.string()),
        ("closeness", pa.string()),
    ]
)


@dataclass
class NeighbourCells:
    rows: pd.DataFrame
    notes: list[str]


def _key(name: str) -> str:
    return re.sub(r"[\s-]+", "_", name.strip().casefold())


def la_key(code: str | None, name: str) -> str:
    """How an authority is identified in the neighbours table: its old code, else its name."""
    return code if code else "name:" + normalise_name(name)


def read_neighbour_cells(
    file_name: str, header: Sequence[str], cells: pd.DataFrame
) -> NeighbourCells:
    """Check a statistical neighbours file's cells (``_line``, ``c0, ...``) and normalise them."""
    problems = Problems(file_name)
    cells = text_cells(cells)
    index: dict[str, int] = {}
    for i, h in enumerate(header):
        index.setdefault(_key(h), i)
    code_col = next((index[k] for k in ("old_la_code", "la_number", "la_code") if k in index), None)
    name_col = next((index[k] for k in ("la_name", "local_authority") if k in index), None)
    positions: dict[int, int] = {}
    bands: dict[int, int] = {}
    for k, i in index.items():
        if m := _BAND.fullmatch(k):
            bands[int(m.group(1))] = i
        elif m := _SN.fullmatch(k):
            positions[int(m.group(1))] = i
    if name_col is None:
        problems.add(1, None, "there is no 'la_name' column; the neighbours file needs one.")
    if not positions:
        problems.add(
            1,
            None,
            "there are no SN_1 ... SN_10 columns, so this is not a DfE statistical neighbours "
            "file (old_la_code, la_name, ..., SN_1 ... SN_10).",
        )
    bad = sorted(p for p in positions if not 1 <= p <= MAX_NEIGHBOURS)
    for p in bad:
        problems.add(1, positions[p], f"SN_{p} is not a neighbour position (1 to 10).")
    problems.raise_if_any()

    def get(row, col):
        return None if col is None else row[f"c{col}"]

    # The file's own names and codes: a neighbour may be given by either.
    by_name: dict[str, str] = {}
    names_of: dict[str, str] = {}
    for _, row in cells.iterrows():
        code, name = get(row, code_col), get(row, name_col)
        if code and name and _OLD_LA.fullmatch(code):
            by_name[normalise_name(name)] = code
            names_of[code] = " ".join(name.split())
    out = []
    skipped: list[int] = []
    seen: dict[str, int] = {}
    for _, row in cells.iterrows():
        line = int(row["_line"])
        code, name = get(row, code_col), get(row, name_col)
        if (code and "/" in code) or (name and "/" in name):
            skipped.append(line)
            continue
        if not name:
            problems.add(line, name_col, "the la_name is blank; fill it in.")
            continue
        if code is not None and not _OLD_LA.fullmatch(code):
            problems.add(
                line,
                code_col,
                f"the old_la_code {quote_cell(code)} is not a three-digit LA code (e.g. 301).",
            )
            continue
        key = la_key(code, name)
        if key in seen:
            problems.add(
                line,
                code_col if code else name_col,
                f"'{name}' is listed again (first on line {seen[key]}); keep one row per "
                "authority.",
            )
            continue
        seen[key] = line
        given: dict[str, int] = {}
        for position in sorted(p for p in positions if 1 <= p <= MAX_NEIGHBOURS):
            value = get(row, positions[position])
            if value is None:
                continue
            if _OLD_LA.fullmatch(value):
                n_code, n_name = value, names_of.get(value)
            elif value.isdigit():
                problems.add(
                    line,
                    positions[position],
                    f"{quote_cell(value)} is not a three-digit LA code or an authority's name.",
                )
                continue
            else:
                n_name = " ".join(value.split())
                n_code = by_name.get(normalise_name(value))
            n_key = la_key(n_code, n_name or "")
            if n_key == key:
                problems.add(
                    line,
                    positions[position],
                    f"'{name}' is listed as its own neighbour; correct SN_{position}.",
                )
                continue
            if n_key in given:
                problems.add(
                    line,
                    positions[position],
                    f"{quote_cell(value)} is listed twice (also SN_{given[n_key]}); each "
                    "neighbour appears once.",
                )
                continue
            given[n_key] = position
            band = get(row, bands[position]) if position in bands else None
            out.append(
                (
                    line,
                    key,
                    code,
                    " ".join(name.split()),
                    position,
                    n_code,
                    n_name,
                    " ".join(band.split()) if band else None,
                )
            )
    problems.raise_if_any()
    notes = []
    if skipped:
        notes.append(
            f"{len(skipped)} row{'s' if len(skipped) != 1 else ''} for authorities reported "
            "together (such as '940 / 941') skipped: line"
            + ("s " if len(skipped) != 1 else " ")
            + ", ".join(str(n) for n in skipped[:10])
            + "."
        )
    if not out:
        problems.add(None, None, "no authority has a neighbour listed; check the SN columns.")
        problems.raise_if_any()
    return NeighbourCells(pd.DataFrame(out, columns=COLUMNS), notes)


def parse_neighbours(raw: RawTable, db: Database, **_options) -> ParsedUpload:
    """Check a statistical neighbours file; nothing is written."""
    cells = raw.con.execute("SELECT * FROM raw ORDER BY _line").df()
    read = read_neighbour_cells(raw.file_name, raw.header, cells)
    rows = pa.Table.from_pandas(read.rows, schema=SCHEMA, preserve_index=False)
    return ParsedUpload.of(
        raw, "neighbours", "DfE statistical neighbours", rows, missing=0, notes=read.notes
    )
