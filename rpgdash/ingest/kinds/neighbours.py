"""DfE's statistical neighbours (parsed by :mod:`rpgdash.ingest.neighbours`, stored by
:mod:`rpgdash.benchmarks.store`)."""

from __future__ import annotations

from rpgdash.benchmarks import store
from rpgdash.ingest.kinds.base import (
    Cursor,
    NothingToStore,
    Storage,
    UploadKind,
    insert_upload,
    record_counts,
)
from rpgdash.ingest.model import CommitResult, ParsedUpload, Preview, WriteOptions
from rpgdash.ingest.neighbours import parse_neighbours


class NeighbourLists(Storage):
    def preview(self, cur: Cursor, parsed: ParsedUpload, spec: UploadKind) -> Preview:
        return store.diff_neighbours(cur).preview(parsed)

    def write(
        self, cur: Cursor, parsed: ParsedUpload, spec: UploadKind, options: WriteOptions
    ) -> CommitResult:
        diff = store.diff_neighbours(cur)
        if diff.changed and not options.replace:
            raise store.neighbour_conflicts(cur, parsed.file_name, diff.changed)
        if not (diff.added or diff.changed):
            raise NothingToStore(diff.unchanged)
        upload_id = insert_upload(cur, parsed, options.user)
        added, changed, unchanged = store.write_neighbours(cur, upload_id)
        authorities = store.incoming_authorities(cur)
        return record_counts(
            cur,
            parsed,
            upload_id,
            added,
            changed,
            unchanged,
            f"Stored as upload {upload_id}: neighbours of {authorities} authorities; "
            f"{added} neighbour entries added, {changed} changed, {unchanged} unchanged.",
        )

    def revert(self, cur: Cursor, upload_id: int, file_name: str, spec: UploadKind) -> str:
        return store.remove_upload(cur, upload_id)


SPEC = UploadKind(
    name="neighbours",
    label="DfE statistical neighbours",
    parse=parse_neighbours,
    table="statistical_neighbours",
    key=("la_key", "position"),
    coverage=store.NEIGHBOURS_COVERAGE,
    storage=NeighbourLists(),
    coverage_title="Authorities covered",
    changes_title="Neighbours that would change (stored -> new)",
    help=(
        "DfE's statistical neighbours file: old_la_code, la_name, then SN_1 ... SN_10 (each a "
        "neighbour's name or old LA code), with closeness bands where the file has them."
    ),
)
