"""Shared pieces for validating a :class:`~rpgdash.ingest.reading.RawTable` in SQL.

Checks select the offending rows (at most :data:`~rpgdash.ingest.errors.MAX_LISTED` per check,
plus a count of all of them), so only error rows are ever looped over in Python.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import duckdb
import pandas as pd

from rpgdash.ingest.errors import MAX_LISTED, IngestError, InvalidContent, Problem, column_letter
from rpgdash.ingest.values import (
    MISSING_MARKERS,
    NUMBER_PATTERN,
    look_alike,
    normalise_name,
    quote_cell,
)


def cell(column: str) -> str:
    """SQL for a cell of ``raw``: already trimmed (NULL when blank) when ``raw`` was made."""
    return column


#: SQL: TRUE when the trimmed text ``{x}`` is a missing-value marker (or blank).
IS_MISSING = "({x} IS NULL OR list_contains($missing, lower({x})))"
#: SQL: the number written in ``{x}`` (thousands commas and a trailing % allowed), else NULL.
AS_NUMBER = (
    "CASE WHEN isfinite(TRY_CAST({x} AS DOUBLE)) THEN TRY_CAST({x} AS DOUBLE) "
    "WHEN regexp_full_match({x}, $number) AND regexp_matches({x}, '[0-9]') "
    "THEN CAST(replace(replace({x}, ',', ''), '%', '') AS DOUBLE) END"
)


#: SQL: as :data:`AS_NUMBER`, for a semicolon-separated file, where a comma is the decimal
#: mark (as a European spreadsheet writes it): "12,5" is 12.5 and nothing is a thousands
#: separator; "1,234" is refused as ambiguous by :func:`check_decimal_commas`.
AS_NUMBER_DECIMAL_COMMA = (
    "CASE WHEN isfinite(TRY_CAST({x} AS DOUBLE)) THEN TRY_CAST({x} AS DOUBLE) "
    "WHEN regexp_full_match({x}, '[+-]?[0-9]+,[0-9]+%?') "
    "THEN CAST(replace(replace({x}, ',', '.'), '%', '') AS DOUBLE) "
    "WHEN regexp_full_match({x}, '[+-]?[0-9]+([.][0-9]+)?%?') "
    "THEN CAST(replace({x}, '%', '') AS DOUBLE) END"
)

#: The largest value an indicator or measure can plausibly take (a council's count of
#: anything is far below a billion); above it, a value is a typo or an overflow (1e308).
MAX_PLAUSIBLE = 1e9
#: ... and for a unit in percent.
MAX_PERCENT = 100.0


def as_number(x: str, delimiter: str | None) -> str:
    """SQL: the number written in the cleaned text ``x`` of a file with ``delimiter``."""
    template = AS_NUMBER_DECIMAL_COMMA if delimiter == ";" else AS_NUMBER
    return template.format(x=x)


def plausible_max(unit: str | None) -> float:
    """The largest plausible value in ``unit`` (100 for a percentage)."""
    if unit and re.search(r"%|\bper ?cent", unit, re.IGNORECASE):
        return MAX_PERCENT
    return MAX_PLAUSIBLE


def too_large_message(text: str, limit: float, what: str = "value") -> str:
    return (
        f"{quote_cell(text)} is not a plausible {what}: it must be a finite number no larger "
        f"than {limit:,.0f}; correct the value, or write NA if it is not known."
    )


_AMBIGUOUS_COMMA = r"[+-]?[0-9]{1,3},[0-9]{3}%?"
_DECIMAL_COMMA = r"[+-]?[0-9]+,([0-9]{1,2}|[0-9]{4,})%?"


def check_decimal_commas(
    con: duckdb.DuckDBPyConnection, problems: Problems, cells: str, delimiter: str | None
) -> None:
    """In a semicolon-separated file, refuse "1,234" (1234 or 1.234?) unless another value
    shows that commas are decimal marks there ("12,5"). ``cells`` selects ``_line,
    value_col, value_text``."""
    if delimiter != ";":
        return
    decisive = con.execute(
        f"SELECT count(*) FROM ({cells}) WHERE regexp_full_match(value_text, ?)",
        [_DECIMAL_COMMA],
    ).fetchall()[0][0]
    if decisive:
        return
    problems.query(
        con,
        f"SELECT * FROM ({cells}) WHERE regexp_full_match(value_text, $p)",
        {"p": _AMBIGUOUS_COMMA},
        lambda r: (
            r["_line"],
            r["value_col"],
            f"{quote_cell(r['value_text'])} could mean {r['value_text'].replace(',', '')} or "
            f"{r['value_text'].replace(',', '.')}: in a semicolon-separated file a comma "
            "usually marks decimals. Write the number without a thousands separator, or with "
            "a decimal point.",
        ),
    )


def sql_params(**extra: Any) -> dict[str, Any]:
    return {"missing": list(MISSING_MARKERS), "number": NUMBER_PATTERN, **extra}


def execute(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any] | None = None):
    """Run ``sql`` binding only the named parameters it uses (DuckDB refuses extra ones)."""
    return con.execute(sql, _used(sql, params))


def arrow(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any] | None = None):
    """The result of ``sql`` as an Arrow table (parameters as for :func:`execute`)."""
    return con.sql(sql, params=_used(sql, params)).to_arrow_table()


def _used(sql: str, params: dict[str, Any] | None) -> dict[str, Any]:
    return {k: v for k, v in (params or {}).items() if re.search(rf"\${k}\b", sql)}


class Problems:
    """Problems found so far in one file."""

    def __init__(self, file_name: str) -> None:
        self.file_name = file_name
        self.items: list[Problem] = []
        self.more = 0

    def add(self, line: int | None, column: int | str | None, message: str) -> None:
        if isinstance(column, int):
            column = column_letter(column)
        self.items.append(Problem(self.file_name, line, column, message))

    def query(
        self,
        con: duckdb.DuckDBPyConnection,
        sql: str,
        params: dict[str, Any],
        make: Callable[[dict[str, Any]], tuple[int | None, int | str | None, str]],
    ) -> int:
        """Add a problem for each row ``sql`` selects (it must select ``_line``); return count."""
        rel = execute(
            con,
            f"SELECT count(*) OVER () AS _n, * FROM ({sql}) ORDER BY _line LIMIT {MAX_LISTED}",
            params,
        )
        names = [d[0] for d in rel.description]
        rows = [dict(zip(names, r, strict=True)) for r in rel.fetchall()]
        if not rows:
            return 0
        for row in rows:
            self.add(*make(row))
        self.more += rows[0]["_n"] - len(rows)
        return rows[0]["_n"]

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self, cls: type[IngestError] = InvalidContent) -> None:
        if self.items:
            ordered = sorted(
                self.items, key=lambda p: (p.line or 0, len(p.column or ""), p.column or "")
            )
            raise cls(ordered, more=self.more)


def check_formulas(
    con: duckdb.DuckDBPyConnection, problems: Problems, columns: Sequence[int]
) -> None:
    """Refuse cells holding spreadsheet formulas (=...): their result is not in the file."""
    for i in columns:
        c = cell(f"c{i}")
        problems.query(
            con,
            f"SELECT _line, {c} AS v FROM raw WHERE starts_with({c}, '=')",
            {},
            lambda r, i=i: (r["_line"], i, formula_message(r["v"])),
        )


def formula_message(text: str) -> str:
    """What to say about a text cell that holds a spreadsheet formula."""
    return (
        f"the cell holds a spreadsheet formula ({_short(text)}), not a value; in "
        "Excel copy the column and use Paste Special > Values, then save again."
    )


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def duplicates(table: str, keys: str) -> str:
    """SQL selecting rows of ``table`` whose ``keys`` repeat an earlier row, with
    ``first_line``. A grouped count first, so a file without duplicates costs one pass."""
    return (
        f"WITH dup AS (SELECT {keys}, min(_line) AS first_line FROM {table} GROUP BY {keys} "
        f"HAVING count(*) > 1) SELECT t.*, dup.first_line FROM {table} t JOIN dup "
        f"USING ({keys}) WHERE t._line > dup.first_line"
    )


def header_index(header: Sequence[str]) -> dict[str, int]:
    """Normalised header name -> column index (first occurrence); ``_`` counts as a space."""
    index: dict[str, int] = {}
    for i, name in enumerate(header):
        index.setdefault(normalise_name(name.replace("_", " ")), i)
    return index


def check_duplicate_headers(header: Sequence[str], problems: Problems) -> None:
    seen: dict[str, int] = {}
    for i, name in enumerate(header):
        key = normalise_name(name.replace("_", " "))
        if not key:
            continue
        if key in seen:
            problems.add(
                1,
                i,
                f"the column name '{name}' appears twice (also column "
                f"{column_letter(seen[key])}); rename or delete one of them.",
            )
        else:
            seen[key] = i


def name_map(
    con: duckdb.DuckDBPyConnection,
    *,
    source: str,
    column: str,
    table: str,
    known: Sequence[str],
    text_as: str = "text",
    name_as: str = "name",
) -> dict[str, str | None]:
    """Match each distinct text in ``source.column`` to a stored name by normalised text.

    Creates table ``table(text_as, name_as)`` (NULL name for a text matching nothing) for the
    parsers to join on, and returns the same pairs. Table and column names come from the
    parsers' code, never from a file.
    """
    by_key = {normalise_name(k): k for k in known}
    texts = [
        r[0]
        for r in con.execute(
            f"SELECT DISTINCT {column} FROM {source} WHERE {column} IS NOT NULL"
        ).fetchall()
    ]
    # A look-alike spelling matches nothing: the parser's "not known" message then suggests
    # the stored name it resembles.
    pairs = {t: None if look_alike(t) else by_key.get(normalise_name(t)) for t in texts}
    con.register(
        "name_pairs", pd.DataFrame({"text": texts, "name": list(pairs.values())}, dtype=object)
    )
    con.execute(
        f"CREATE TABLE {table} AS SELECT text::VARCHAR AS {text_as}, "
        f"name::VARCHAR AS {name_as} FROM name_pairs"
    )
    con.unregister("name_pairs")
    return pairs


def check_values(
    con: duckdb.DuckDBPyConnection,
    problems: Problems,
    *,
    source: str,
    target: str,
    delimiter: str | None = None,
) -> int:
    """Read the numbers of ``source`` (``_line, value_text, value_col, ...``) into table
    ``target`` (its columns plus ``is_missing`` and ``value``); refuse text that is not a
    number and negative numbers; return how many values are missing."""
    params = sql_params()
    missing = IS_MISSING.format(x="value_text")
    number = as_number("value_text", delimiter)
    check_decimal_commas(
        con, problems, f"SELECT _line, value_col, value_text FROM {source}", delimiter
    )
    execute(
        con,
        f"CREATE TABLE {target} AS SELECT *, {missing} AS is_missing, {number} AS value "
        f"FROM {source}",
        params,
    )
    n_missing = con.execute(f"SELECT count(*) FROM {target} WHERE is_missing").fetchall()[0][0]
    problems.query(
        con,
        f"SELECT _line, value_col, value_text FROM {target} WHERE NOT is_missing AND value IS NULL",
        {},
        lambda r: (r["_line"], r["value_col"], not_a_number(r["value_text"])),
    )
    problems.query(
        con,
        f"SELECT _line, value_col, value_text FROM {target} WHERE value < 0",
        {},
        lambda r: (
            r["_line"],
            r["value_col"],
            f"{quote_cell(r['value_text'])} is negative; counts and rates cannot be below "
            "zero. Correct the value, or write NA if it is not known.",
        ),
    )
    return n_missing


def not_a_number(text: str) -> str:
    if text.strip().casefold().lstrip("+-") in {"nan", "inf", "infinity"}:
        return (
            f"{quote_cell(text)} is not a finite number; write the value, or NA if it is missing."
        )
    if text.startswith("="):
        return (
            f"the cell holds a spreadsheet formula ({quote_cell(text, 40)}), not a value; "
            "paste values instead."
        )
    return (
        f"{quote_cell(text)} is not a number; write digits only (e.g. 1,234.5), or NA if the "
        "value is missing."
    )


def refuse_look_alikes(
    problems: Problems,
    found: Iterable[tuple[str | None, int | None, int | str | None]],
    stored: Iterable[str],
    what: str,
) -> None:
    """Refuse each name in ``found`` (text, line, column) that only looks like a name (see
    :func:`~rpgdash.ingest.values.look_alike`), suggesting the stored ``what`` it resembles."""
    by_key = {normalise_name(s): s for s in stored}
    for text, line, column in found:
        why = text and look_alike(text)
        if not why:
            continue
        resembles = by_key.get(normalise_name(text))
        hint = (
            f" The stored {what} is '{resembles}': write it exactly so."
            if resembles
            else " Retype the name with ordinary letters."
        )
        problems.add(line, column, f"the {what} {quote_cell(text)} {why}.{hint}")
