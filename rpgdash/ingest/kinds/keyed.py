"""Storage for kinds with one value per key (indicator values, workforce figures).

Such a table holds one row per key (no index enforces it for ``indicator_values``, so this
does): a file never repeats a key (its parser refuses that), and storing it, in one
transaction under the write lock, updates the stored rows whose key it has and inserts only
keys not stored. For every stored value it changes, ``upload_changes`` keeps the value (and
upload) it replaced, which reverting puts back. Rows go from the file's Arrow table to the
tables in set-based SQL; only the problems listed (at most ``MAX_LISTED``) and the preview's
first rows are fetched into Python.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rpgdash.ingest.errors import MAX_LISTED, ConflictError, InvalidContent, Problem, RevertRefused
from rpgdash.ingest.kinds.base import (
    Cursor,
    NothingToStore,
    Storage,
    UploadKind,
    any_rows,
    create_sites,
    insert_upload,
    record_counts,
)
from rpgdash.ingest.model import (
    PREVIEW_ROWS,
    CommitResult,
    ParsedUpload,
    Preview,
    WriteOptions,
    count_line,
)


@dataclass(frozen=True)
class KeyedValues(Storage):
    """SQL of one keyed value table. Identifiers only; every value is bound.

    ``key`` maps the table's key columns to the ``upload_changes`` columns recording them
    (``key_id``, ``site_id``, ``key_date``, ``key_year``, ``key_measure``); ``keyed`` selects
    the file's rows with the ids of their key (``line``, those five columns, ``value``; every
    name is stored by then). ``join`` matches the file's rows ``p`` (``incoming``) to stored
    rows ``v``; ``same_series`` tells (from ``$names`` of ``name_column`` and ``$sites``)
    whether any stored row is in one of the file's series.
    """

    key: Mapping[str, str]
    keyed: str
    join: str
    show: str
    series: str
    period: str
    name_column: str
    same_series: str
    conflict_label: str
    conflict_period: str
    conflict_join: str = ""

    # --- diff -----------------------------------------------------------------------------

    def preview(self, cur: Cursor, parsed: ParsedUpload, spec: UploadKind) -> Preview:
        if self.may_meet_stored(cur, parsed):
            join, compare = (
                self.join,
                "count(*) FILTER (WHERE v.value IS NULL) AS _added, "
                "count(*) FILTER (WHERE v.value <> p.value) AS _changed, "
                "count(*) FILTER (WHERE v.value = p.value) AS _unchanged",
            )
        else:  # every row is new
            join, compare = "", "count(*) AS _added, 0 AS _changed, 0 AS _unchanged"
        # One pass: coverage and counts per series (few rows), summed here.
        per_series = cur.execute(
            f"WITH g AS ({self.per_series(join, compare)}) "
            f"SELECT {spec.coverage}, _added, _changed, _unchanged FROM g ORDER BY 1, 2"
        ).df()
        added, changed, unchanged = (
            int(per_series[c].sum()) for c in ("_added", "_changed", "_unchanged")
        )
        coverage = per_series.drop(columns=["_added", "_changed", "_unchanged"])
        # The first rows of each kind (a query that finds none when the count says so).
        changes = cur.execute(
            f"SELECT {self.show}, v.value AS stored_value, p.value AS new_value "
            f"FROM incoming p {self.join} WHERE v.value <> p.value AND {any_rows(changed)} "
            f"ORDER BY p.line LIMIT {PREVIEW_ROWS}"
        ).df()
        # When every row is new, the first rows need no comparison with stored ones (and are
        # picked before their columns are formatted).
        if added == parsed.n_rows:
            source = f"(SELECT * FROM incoming ORDER BY line LIMIT {PREVIEW_ROWS}) p WHERE TRUE"
        else:
            source = f"incoming p {self.join} WHERE v.value IS NULL AND {any_rows(added)}"
        to_add = cur.execute(
            f"SELECT {self.show}, p.value FROM {source} ORDER BY p.line LIMIT {PREVIEW_ROWS}"
        ).df()
        return Preview(parsed, added, changed, unchanged, None, to_add, changes, coverage)

    def per_series(self, join: str, compare: str) -> str:
        """SQL: per series of the file, its first and last period, rows and counts."""
        return (
            f"SELECT {self.series}, min({self.period}) AS first, max({self.period}) AS last, "
            f"count(*) AS n, {compare} FROM incoming p {join} GROUP BY ALL"
        )

    def may_meet_stored(self, cur: Cursor, parsed: ParsedUpload) -> bool:
        """False when no stored row is in a series (name and site) of the file: then every
        row of the file is new, and no row needs comparing with stored ones."""
        names, sites = parsed.distinct(self.name_column), parsed.distinct("site")
        return cur.execute(self.same_series, {"names": names, "sites": sites}).fetchall()[0][0]

    # --- commit ---------------------------------------------------------------------------

    def create_names(
        self, cur: Cursor, parsed: ParsedUpload, upload_id: int, options: WriteOptions
    ) -> None:
        """Create the stored names the file's keys need (besides sites); default: none."""

    def write(
        self, cur: Cursor, parsed: ParsedUpload, spec: UploadKind, options: WriteOptions
    ) -> CommitResult:
        progress = options.progress
        progress(0.75, "Storing: comparing with stored values")
        upload_id = insert_upload(cur, parsed, options.user)
        create_sites(cur, parsed, upload_id)
        self.create_names(cur, parsed, upload_id, options)
        if not self.may_meet_stored(cur, parsed):
            return self._insert_new(cur, parsed, spec, upload_id, progress)
        table, keyed, match = spec.table, f"({self.keyed}) k", self.match("v", "k")
        found, stored, changed = cur.execute(
            "SELECT count(*), count(v.value), count(*) FILTER (WHERE v.value <> k.value) "
            f"FROM {keyed} LEFT JOIN {table} v ON {match}"
        ).fetchall()[0]
        if found != parsed.n_rows:
            raise _names_gone(parsed)
        added, unchanged = found - stored, stored - changed
        if changed and not options.replace:
            raise self._conflicts(cur, parsed, spec, changed)
        if added == 0 and changed == 0:
            raise NothingToStore(unchanged)
        if changed:
            progress(0.8, "Storing: recording replaced values")
            cur.execute(
                "INSERT INTO upload_changes (upload_id, table_name, site_id, key_id, key_date, "
                "key_year, key_measure, old_value, old_upload_id, new_value) "
                "SELECT $u, $t, k.site_id, k.key_id, k.key_date, k.key_year, k.key_measure, "
                f"v.value, v.upload_id, k.value FROM {keyed} JOIN {table} v ON {match} "
                "WHERE v.value <> k.value",
                {"u": upload_id, "t": table},
            )
            progress(0.85, "Storing: changing values")
            updated = cur.execute(
                f"UPDATE {table} v SET value = k.value, upload_id = $u FROM {keyed} "
                f"WHERE {match} AND v.value <> k.value",
                {"u": upload_id},
            ).fetchall()[0][0]
            _check_count("changed", updated, changed)
        if added:
            progress(0.9, "Storing: adding values")
            # Only keys not stored: a key is stored once, however many uploads name it.
            inserted = cur.execute(
                f"{self.insert(spec)} FROM {keyed} WHERE NOT EXISTS "
                f"(SELECT 1 FROM {table} v WHERE {match})",
                {"u": upload_id},
            ).fetchall()[0][0]
            _check_count("added", inserted, added)
        return record_counts(
            cur,
            parsed,
            upload_id,
            added,
            changed,
            unchanged,
            f"Stored as upload {upload_id}: "
            + count_line(added, changed, unchanged, parsed.missing)
            + ".",
        )

    def match(self, stored: str, other: str) -> str:
        """SQL: the stored row ``stored`` has the key of ``other`` (a keyed row, or an
        ``upload_changes`` row)."""
        return " AND ".join(f"{stored}.{col} = {other}.{rec}" for col, rec in self.key.items())

    def insert(self, spec: UploadKind) -> str:
        columns = ", ".join(self.key)
        keys = ", ".join(f"k.{rec}" for rec in self.key.values())
        return f"INSERT INTO {spec.table} ({columns}, value, upload_id) SELECT {keys}, k.value, $u"

    def _insert_new(
        self, cur: Cursor, parsed: ParsedUpload, spec: UploadKind, upload_id: int, progress
    ) -> CommitResult:
        """Store a file none of whose rows has a stored key (see ``may_meet_stored``)."""
        added = parsed.n_rows
        if not added:
            raise NothingToStore(0)
        progress(0.9, "Storing: adding values")
        inserted = cur.execute(
            f"{self.insert(spec)} FROM ({self.keyed}) k", {"u": upload_id}
        ).fetchall()[0][0]
        if inserted != added:
            raise _names_gone(parsed)
        return record_counts(
            cur,
            parsed,
            upload_id,
            added,
            0,
            0,
            f"Stored as upload {upload_id}: " + count_line(added, 0, 0, parsed.missing) + ".",
        )

    def _conflicts(
        self, cur: Cursor, parsed: ParsedUpload, spec: UploadKind, changed: int
    ) -> ConflictError:
        # The first conflicts by line are listed, the rest counted (like every list of problems).
        rows = cur.execute(
            f"SELECT k.line, {self.conflict_label}, s.name, {self.conflict_period}, v.value, "
            f"k.value, v.upload_id FROM ({self.keyed}) k JOIN {spec.table} v ON "
            f"{self.match('v', 'k')} JOIN sites s ON s.site_id = k.site_id {self.conflict_join} "
            f"WHERE v.value <> k.value ORDER BY k.line LIMIT {MAX_LISTED}"
        ).fetchall()
        problems = [
            Problem(
                parsed.file_name,
                line,
                None,
                f"{label} for {period} at '{site}' is stored as {_num(old)}"
                + (f" (upload {src})" if src is not None else "")
                + f"; this file has {_num(new)}. Store it with replace (--replace) to change the "
                "stored value, or correct the file.",
            )
            for line, label, site, period, old, new, src in rows
        ]
        return ConflictError(problems, more=changed - len(problems))

    # --- revert ---------------------------------------------------------------------------

    def revert(self, cur: Cursor, upload_id: int, file_name: str, spec: UploadKind) -> str:
        table = spec.table
        later = cur.execute(
            "SELECT DISTINCT u.upload_id, u.file_name, u.uploaded_at FROM upload_changes c "
            "JOIN uploads u ON u.upload_id = c.upload_id "
            "WHERE c.old_upload_id = ? AND c.table_name = ? AND u.status = 'stored' "
            "ORDER BY u.upload_id DESC",
            [upload_id, table],
        ).fetchall()
        if later:
            names = ", ".join(f"upload {u} ('{f}', {t:%Y-%m-%d %H:%M})" for u, f, t in later)
            first = later[0][0]
            raise RevertRefused.single(
                f"upload {upload_id}",
                f"{names} later changed values that upload {upload_id} ('{file_name}') stored; "
                f"revert upload {first} first, then upload {upload_id}.",
            )
        recorded = self.match("t", "c")
        deleted = cur.execute(
            f"DELETE FROM {table} t WHERE t.upload_id = $u AND NOT EXISTS (SELECT 1 FROM "
            f"upload_changes c WHERE c.upload_id = $u AND c.table_name = $t AND {recorded})",
            {"u": upload_id, "t": table},
        ).fetchall()[0][0]
        restored = cur.execute(
            f"UPDATE {table} t SET value = c.old_value, upload_id = c.old_upload_id "
            f"FROM upload_changes c WHERE c.upload_id = $u AND c.table_name = $t "
            f"AND {recorded} AND t.upload_id = $u",
            {"u": upload_id, "t": table},
        ).fetchall()[0][0]
        return f"removed {deleted} values it added and restored {restored} values it changed"


def _num(x: float) -> str:
    return f"{x:g}" if abs(x) < 1e15 else repr(x)


def _names_gone(parsed: ParsedUpload) -> InvalidContent:
    # Rows whose names no longer match a stored row (which storing created, if new).
    return InvalidContent.single(
        parsed.file_name,
        "a site or indicator this file names was removed while it was being checked; "
        "upload the file again.",
    )


def _check_count(what: str, done: int, counted: int) -> None:
    """Stop (rolling back) if a write touched other rows than the transaction counted."""
    if done != counted:
        raise RuntimeError(f"storing {what} {done} rows, but {counted} were counted")
