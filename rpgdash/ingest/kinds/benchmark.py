"""What the two benchmark kinds (DfE figures, statistical neighbours) share: both compare the
file with what is stored through a :class:`rpgdash.benchmarks.store.Diff`, refuse changes
without ``--replace``, and revert by deleting the rows tagged with the upload."""

from __future__ import annotations

from rpgdash.benchmarks import store
from rpgdash.ingest.kinds.base import Cursor, NothingToStore, Storage, UploadKind, insert_upload
from rpgdash.ingest.model import CommitResult, ParsedUpload, Preview, WriteOptions


class BenchmarkStorage(Storage):
    """A benchmark kind: ``diff`` says what storing would do, ``conflicts`` the refusal of
    changed rows, ``store_rows`` writes the rows of a new upload."""

    def diff(self, cur: Cursor, parsed: ParsedUpload) -> store.Diff:
        raise NotImplementedError

    def conflicts(self, cur: Cursor, parsed: ParsedUpload, changed: int) -> Exception:
        raise NotImplementedError

    def store_rows(
        self, cur: Cursor, parsed: ParsedUpload, upload_id: int, diff: store.Diff
    ) -> CommitResult:
        raise NotImplementedError

    def preview(self, cur: Cursor, parsed: ParsedUpload, spec: UploadKind) -> Preview:
        return self.diff(cur, parsed).preview(parsed)

    def write(
        self, cur: Cursor, parsed: ParsedUpload, spec: UploadKind, options: WriteOptions
    ) -> CommitResult:
        diff = self.diff(cur, parsed)
        if diff.changed and not options.replace:
            raise self.conflicts(cur, parsed, diff.changed)
        if not (diff.added or diff.changed or diff.la_code_changes):
            raise NothingToStore(diff.unchanged)
        upload_id = insert_upload(cur, parsed, options.user)
        options.progress(0.85, "Storing: figures")
        return self.store_rows(cur, parsed, upload_id, diff)

    def revert(self, cur: Cursor, upload_id: int, file_name: str, spec: UploadKind) -> str:
        return store.remove_upload(cur, upload_id)
