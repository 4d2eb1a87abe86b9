"""DfE's statistical neighbours (parsed by :mod:`rpgdash.ingest.neighbours`, stored by
:mod:`rpgdash.benchmarks.store`)."""

from __future__ import annotations

from rpgdash.benchmarks import store
from rpgdash.ingest.kinds.base import Cursor, UploadKind, record_counts
from rpgdash.ingest.kinds.benchmark import BenchmarkStorage
from rpgdash.ingest.model import CommitResult, ParsedUpload
from rpgdash.ingest.neighbours import parse_neighbours


class NeighbourLists(BenchmarkStorage):
    def diff(self, cur: Cursor, parsed: ParsedUpload) -> store.Diff:
        return store.diff_neighbours(cur)

    def conflicts(self, cur: Cursor, parsed: ParsedUpload, changed: int) -> Exception:
        return store.neighbour_conflicts(cur, parsed.file_name, changed)

    def store_rows(
        self, cur: Cursor, parsed: ParsedUpload, upload_id: int, diff: store.Diff
    ) -> CommitResult:
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
