"""What a kind of upload is: one declarative :class:`UploadKind` per kind, and the pieces of
SQL every kind's storage shares (the upload's history row, sites it creates, its counts).

A kind's :class:`Storage` is the kind-specific part of three pipeline stages: ``preview``
(diff), ``write`` (commit) and ``revert``. Each runs on a cursor the stage opened (a
transaction, for writes) with the file's rows registered as ``incoming`` by ``incoming``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import duckdb

from rpgdash.ingest.model import CommitResult, ParsedUpload, Preview, WriteOptions

if TYPE_CHECKING:
    from rpgdash.db import Database
    from rpgdash.ingest.reading import RawTable

Cursor = duckdb.DuckDBPyConnection
#: parse(raw, db, site=..., wave=...) -> ParsedUpload; raises InvalidContent.
Parser = Callable[..., ParsedUpload]


class Storage:
    """How one kind is compared with, written to and removed from the database."""

    @contextlib.contextmanager
    def incoming(self, cur: Cursor, parsed: ParsedUpload) -> Iterator[None]:
        """Register the file's rows as ``incoming`` for the cursor's queries."""
        cur.register("incoming", parsed.rows)
        try:
            yield
        finally:
            cur.unregister("incoming")

    def preview(self, cur: Cursor, parsed: ParsedUpload, spec: UploadKind) -> Preview:
        raise NotImplementedError

    def check(self, parsed: ParsedUpload, preview: Preview, options: WriteOptions) -> None:
        """Refuse (before any write) what the uploader still has to decide; default: nothing."""

    def write(
        self, cur: Cursor, parsed: ParsedUpload, spec: UploadKind, options: WriteOptions
    ) -> CommitResult:
        raise NotImplementedError

    def revert(self, cur: Cursor, upload_id: int, file_name: str, spec: UploadKind) -> str:
        """Remove what ``upload_id`` stored; return what was done ("removed ...")."""
        raise NotImplementedError


class FunctionStorage(Storage):
    """A kind's storage given as three functions: ``preview(cur, parsed, spec)``,
    ``write(cur, parsed, options)`` and ``revert(cur, upload_id)`` (which returns what it
    removed, "removed ...")."""

    def __init__(
        self,
        preview: Callable[[Cursor, ParsedUpload, UploadKind], Preview],
        write: Callable[[Cursor, ParsedUpload, WriteOptions], CommitResult],
        revert: Callable[[Cursor, int], str],
    ) -> None:
        self._preview, self._write, self._revert = preview, write, revert

    def preview(self, cur: Cursor, parsed: ParsedUpload, spec: UploadKind) -> Preview:
        return self._preview(cur, parsed, spec)

    def write(
        self, cur: Cursor, parsed: ParsedUpload, spec: UploadKind, options: WriteOptions
    ) -> CommitResult:
        return self._write(cur, parsed, options)

    def revert(self, cur: Cursor, upload_id: int, file_name: str, spec: UploadKind) -> str:
        return self._revert(cur, upload_id)


@dataclass(frozen=True)
class KindOption:
    """A choice a kind's parser takes besides the site, wave and sheet, declared once for the
    CLI (``flag``) and the upload page (``label``); the parser receives it as ``name``."""

    name: str
    flag: str
    label: str
    help: str
    many: bool = False
    metavar: str = "VALUE"


@dataclass(frozen=True)
class UploadKind:
    """One kind of upload, as the CLI, the upload page and the tests see it.

    ``table`` is where its rows are stored and ``key`` the columns that identify one stored
    row; ``coverage`` is the SQL (over ``incoming``) of the preview's "covered" table, read by
    ``storage``. ``materialise``: the parser queries the cleaned cells many times (see
    :meth:`RawTable.materialise`).
    """

    name: str
    label: str
    parse: Parser
    table: str
    key: tuple[str, ...]
    coverage: str
    storage: Storage
    coverage_title: str = "Months or years covered"
    changes_title: str = "Stored values that would change (stored value -> new value)"
    can_replace: bool = True
    asks_wave: bool = False
    help: str | None = None
    materialise: bool = True
    options: tuple[KindOption, ...] = ()

    def parse_raw(self, raw: RawTable, db: Database, **options: Any) -> ParsedUpload:
        if self.materialise:
            raw.materialise()
        return self.parse(raw, db, **options)


# --- SQL every kind's storage shares ------------------------------------------------------


class NothingToStore(Exception):
    """Raised inside a write when every row is already stored (the transaction rolls back)."""

    def __init__(self, unchanged: int) -> None:
        self.unchanged = unchanged


def resync_sequences(cur: Cursor) -> None:
    """Move every id sequence past its table's largest id, so that an insert taking the next
    value never collides with an id written directly (by an import or an older demo).

    ``nextval`` is not undone by a rollback, so this may skip ids but never reuses one.
    """
    defaults = cur.execute(
        "SELECT table_name, column_name, regexp_extract(column_default, "
        "'nextval\\(''([A-Za-z_0-9]+)''\\)', 1) FROM duckdb_columns() "
        "WHERE database_name = current_database() AND schema_name = current_schema() "
        "AND column_default LIKE 'nextval(%'"
    ).fetchall()
    for table, column, sequence in defaults:
        # Identifiers come from the catalog (this database's own schema), not from a file.
        lag = cur.execute(
            f'SELECT coalesce(max("{column}"), 0) - coalesce((SELECT last_value FROM '
            "duckdb_sequences() WHERE sequence_name = $s AND database_name = "
            f'current_database()), 0) FROM "{table}"',
            {"s": sequence},
        ).fetchall()[0][0]
        if lag > 0:
            cur.execute("SELECT max(nextval($s)) FROM range($n)", {"s": sequence, "n": lag})


def insert_upload(cur: Cursor, parsed: ParsedUpload, user: str | None) -> int:
    return cur.execute(
        "INSERT INTO uploads (uploaded_by, kind, file_name, sha256, encoding, rows_missing) "
        "VALUES (?, ?, ?, ?, ?, ?) RETURNING upload_id",
        [user, parsed.kind, parsed.file_name, parsed.sha256, parsed.encoding, parsed.missing],
    ).fetchall()[0][0]


def create_sites(cur: Cursor, parsed: ParsedUpload, upload_id: int) -> None:
    for name, kind in parsed.new_sites.items():
        if cur.execute("SELECT site_id FROM sites WHERE name = ?", [name]).fetchall():
            continue
        site_id = cur.execute(
            "INSERT INTO sites (name, kind) VALUES (?, ?) RETURNING site_id", [name, kind]
        ).fetchall()[0][0]
        record_created(cur, upload_id, "sites", site_id)


def record_created(cur: Cursor, upload_id: int, table: str, key_id: int, site_id=None) -> None:
    cur.execute(
        "INSERT INTO upload_created (upload_id, table_name, key_id, site_id) VALUES (?, ?, ?, ?)",
        [upload_id, table, key_id, site_id],
    )


def record_counts(
    cur: Cursor,
    parsed: ParsedUpload,
    upload_id: int,
    added: int,
    changed: int,
    unchanged: int,
    message: str,
) -> CommitResult:
    """Write an upload's final counts to its history row and return what was stored."""
    cur.execute(
        "UPDATE uploads SET rows_added = ?, rows_changed = ?, rows_unchanged = ? "
        "WHERE upload_id = ?",
        [added, changed, unchanged, upload_id],
    )
    return CommitResult(upload_id, added, changed, unchanged, parsed.missing, message)


def any_rows(count: int) -> str:
    """SQL condition: TRUE when ``count`` rows are expected (a query that finds none else)."""
    return "TRUE" if count else "FALSE"
