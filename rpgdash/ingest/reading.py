"""Turning an uploaded file's bytes into a table of text cells with spreadsheet line numbers.

CSV files are decoded here (encoding detected: UTF-8 with or without BOM, UTF-16, Windows-1252),
their delimiter detected (comma, semicolon or tab) and then parsed by DuckDB's ``read_csv`` with
every column as text, so that a million-row file is read at DuckDB's speed. ``.xlsx`` files are
read with openpyxl. Either way the result is a scratch in-memory DuckDB database holding:

- view ``parsed`` (over table ``parsed_cells``): ``_line`` (the line a spreadsheet shows; the
  header is line 1) and the cells as read, ``c0, c1, ...`` (text, NULL when empty), blank rows
  included;
- ``raw`` (made by :meth:`RawTable.materialise`): the same rows and columns with every cell
  cleaned (see :func:`clean_sql`) and blank rows left out. Validation runs as SQL over it.

Cleaning every cell of a million rows costs more than reading them, and planning the cleaning
of thousands of columns costs seconds, so ``raw`` is made only for parsers that query it
(small files, many times); the indicator parser cleans the few distinct values of its text
columns instead (the same SQL, applied to a small table) and reads ``parsed`` for rows that
have a problem.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import os
import re
import shutil
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import duckdb
import pandas as pd

from rpgdash import settings
from rpgdash.ingest.errors import FileTooLarge, Problem, UnreadableFile, column_letter

Progress = Callable[[float, str], None]
T = TypeVar("T")

DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"
_SURVEYMONKEY_MARKERS = {"respondent id", "collector id"}


@dataclass
class RawTable:
    """A file read as text. ``con`` holds views ``parsed`` and ``raw`` (both
    ``_line, c0, c1, ...``, see the module docstring); close it when done."""

    file_name: str
    sha256: str
    encoding: str
    delimiter: str | None
    sheet: str | None
    header: list[str]
    header2: list[str] | None
    con: duckdb.DuckDBPyConnection
    notes: list[str] = field(default_factory=list)

    @property
    def n_rows(self) -> int:
        """Rows of ``raw`` (counted when asked)."""
        self.materialise()
        return self.con.execute("SELECT count(*) FROM raw").fetchall()[0][0]

    @property
    def columns(self) -> list[str]:
        return [f"c{i}" for i in range(len(self.header))]

    @property
    def source(self) -> str:
        """How the file was read, for the summary."""
        if self.sheet is not None:
            return f"Excel workbook, sheet '{self.sheet}'"
        return f"CSV, {self.encoding}, {DELIMITERS[self.delimiter or ',']}-separated"

    def materialise(self) -> None:
        """Store the cleaned cells as table ``raw`` (for parsers that query them many times)."""
        kinds = self.con.execute(
            "SELECT table_type FROM information_schema.tables WHERE table_name = 'raw'"
        ).fetchall()
        if not kinds:
            _create_raw_view(self.con, len(self.header))
            kinds = [("VIEW",)]
        if kinds[0][0] == "VIEW":
            self.con.execute("CREATE TABLE raw_cells AS SELECT * FROM raw")
            self.con.execute("DROP VIEW raw")
            self.con.execute("ALTER TABLE raw_cells RENAME TO raw")
            # Nothing reads the cells as read any more (and columns dropped from raw, such as
            # a survey's personal ones, must not stay behind in another table).
            self.con.execute("DROP VIEW parsed")
            self.con.execute("DROP TABLE parsed_cells")

    def close(self) -> None:
        self.con.close()


def max_upload_bytes() -> int:
    return settings.get("max_upload_mb") * 1024 * 1024


def check_size(size: int, file_name: str) -> None:
    """Refuse a file above the ``max_upload_mb`` setting before reading it."""
    limit_mb = settings.get("max_upload_mb")
    if size > limit_mb * 1024 * 1024:
        raise FileTooLarge.single(
            file_name,
            f"the file is {size / 1024 / 1024:.1f} MB, above the upload limit of {limit_mb} MB "
            "(setting RPGDASH_MAX_UPLOAD_MB); split it into smaller files, or ask whoever runs "
            "the dashboard to raise the limit.",
        )


def read_upload(
    data: bytes,
    file_name: str,
    *,
    sheet: str | None = None,
    progress: Progress | None = None,
) -> RawTable:
    """Read ``data`` (the whole file) into a :class:`RawTable`, or raise an ``IngestError``."""
    check_size(len(data), file_name)
    progress = progress or _no_progress
    progress(0.02, "Reading the file")
    # The digest (for the upload history) is worked out while the file is parsed.
    sha = _in_background(lambda: hashlib.sha256(data).hexdigest())
    if not data or data.isspace():
        raise UnreadableFile.single(file_name, "the file is empty; export the data again.")
    is_xlsx_name = file_name.lower().endswith((".xlsx", ".xlsm"))
    if data.startswith(_XLSX_MAGIC):
        if not is_xlsx_name:
            raise UnreadableFile.single(
                file_name,
                "this is an Excel workbook (.xlsx) with another file name ending; rename it to "
                "end in .xlsx, or save it from Excel as CSV.",
            )
        return _read_xlsx(data, file_name, sha(), sheet, progress)
    if data.startswith(_XLS_MAGIC) or file_name.lower().endswith(".xls"):
        raise UnreadableFile.single(
            file_name,
            "this is an old-style Excel file (.xls), which is not read; in Excel use Save As "
            "and choose Excel Workbook (.xlsx) or CSV UTF-8.",
        )
    if is_xlsx_name:
        raise UnreadableFile.single(
            file_name,
            "the file name ends in .xlsx but the file is not a complete Excel workbook (it may be "
            "damaged or cut short); save it again from Excel.",
        )
    body = _Body.of_ascii(data, file_name)
    if body is None:
        text, encoding = _decode(data, file_name)
        body, encoding = _Body.of_text(text), encoding
    else:
        encoding = "UTF-8"
    return _read_csv_text(body, encoding, file_name, sha, progress)


def _no_progress(fraction: float, message: str) -> None:
    pass


# --- temporary copies ---------------------------------------------------------------------

#: A scratch folder older than this is removed whoever made it (a process id can be reused).
_SCRATCH_MAX_AGE_S = 6 * 3600


def scratch_root() -> Path:
    """Where uploads' temporary copies live: one folder per reading, named ``<pid>-...``."""
    return Path(tempfile.gettempdir()) / "rpgdash-uploads"


@contextlib.contextmanager
def upload_scratch() -> Iterator[str]:
    """A private folder for one temporary copy of an upload, removed when done.

    A process killed while reading leaves its folder behind, so every reading first removes
    the folders of processes that no longer run (and any older than a few hours): a copy of
    an upload (which may hold personal columns that were to be dropped) never outlives the
    next upload.
    """
    root = scratch_root()
    root.mkdir(mode=0o700, exist_ok=True)
    remove_stale_scratch(root)
    folder = tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=root)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def remove_stale_scratch(root: Path | None = None) -> list[str]:
    """Remove scratch folders left by processes that stopped; return their names."""
    root = root or scratch_root()
    removed = []
    legacy = Path(tempfile.gettempdir()).glob("rpgdash-upload-*")  # before this folder existed
    for folder in [*root.glob("*"), *legacy]:
        pid = folder.name.split("-", 1)[0]
        try:
            age = time.time() - folder.stat().st_mtime
        except OSError:
            continue
        if (
            (pid.isdigit() and not _running(int(pid)))
            or age > _SCRATCH_MAX_AGE_S
            or (folder.parent != root and age > 600)
        ):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder.name)
    return removed


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _in_background(fn: Callable[..., T], *args) -> Callable[[], T]:
    """Start ``fn(*args)`` in a thread (it overlaps DuckDB's work, which releases the GIL, as
    does hashing); return a function that waits for its result."""
    done: dict[str, object] = {}

    def run() -> None:
        try:
            done["value"] = fn(*args)
        except BaseException as exc:  # handed to whoever waits
            done["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()

    def result() -> T:
        thread.join()
        if "error" in done:
            raise done["error"]
        return done["value"]

    return result


# --- CSV ----------------------------------------------------------------------------------


def _decode(data: bytes, file_name: str) -> tuple[str, str]:
    """Detect the encoding and decode; refuse bytes that no supported encoding explains.

    The whole file is checked, not a prefix: a file that is UTF-8 in one place and another
    encoding in another is refused wherever the two meet, and a control character anywhere
    (NUL, a terminal escape, ...) is refused at its line and column.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        text = _strict_decode(data[3:], "utf-8", file_name, offset=3)
        return _check_controls(text, file_name), "UTF-8 with BOM"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _check_controls(_strict_decode(data, "utf-16", file_name), file_name), "UTF-16"
    sample = data[:4096]
    if b"\x00" in sample:
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        if odd > len(sample) // 4 and even == 0:
            text = _strict_decode(data, "utf-16-le", file_name)
            return _check_controls(text, file_name), "UTF-16"
        if even > len(sample) // 4 and odd == 0:
            text = _strict_decode(data, "utf-16-be", file_name)
            return _check_controls(text, file_name), "UTF-16"
        raise _binary(file_name)
    try:
        text = data.decode("utf-8")
        encoding = "UTF-8"
    except UnicodeDecodeError as exc:
        # UTF-8 sequences anywhere (before or after the byte UTF-8 cannot read) mean the file
        # mixes encodings: reading it all as Windows-1252 would store mojibake.
        if _UTF8_SEQUENCE.search(data):
            line, column = _locate(data, exc.start)
            raise UnreadableFile.single(
                file_name,
                f"byte 0x{data[exc.start]:02X} cannot be read: the file is mostly UTF-8 but this "
                "part is in another encoding; save the whole file again as CSV UTF-8.",
                line=line,
                column=column,
            ) from None
        text = _strict_decode(data, "cp1252", file_name)
        encoding = "Windows-1252"
    return _check_controls(text, file_name), encoding


#: A multi-byte UTF-8 character (a lead byte and its continuation bytes).
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
#: Characters no data cell holds: C0 controls (but tab and newlines), DEL, C1 controls (a
#: UTF-8 file can spell a terminal's CSI this way), and the bidirectional overrides that can
#: make a name display as something else.
_CONTROL_TEXT = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x19\x1b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"
)
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x19\x1b-\x1f\x7f]")
_NOT_CONTROL_BYTES = bytes(b for b in range(256) if not _CONTROL_BYTES.match(bytes([b])))


def _check_controls(text: str, file_name: str) -> str:
    """The text without trailing end-of-file marks; refuse a control character anywhere."""
    text = text.rstrip("\x1a")
    found = _CONTROL_TEXT.search(text)
    if found:
        raise _control_problem(text, found.start(), file_name)
    return text


def _control_problem(text: str | bytes, pos: int, file_name: str) -> UnreadableFile:
    """A binary file (a control character in its first line), or a stray control
    character in a text file, refused at its line and column."""
    newline = b"\n" if isinstance(text, bytes) else "\n"
    first_newline = text.find(newline)
    if first_newline < 0 or pos < first_newline:
        return _binary(file_name)
    code = ord(text[pos]) if isinstance(text, str) else text[pos]
    line, column = _locate(text, pos)
    name = _CONTROL_NAMES.get(code, "a control character")
    return UnreadableFile.single(
        file_name,
        f"this cell holds the control character U+{code:04X} ({name}), "
        "which no data cell should hold; delete it (it may come from a copied terminal or a "
        "damaged export) and save the file again.",
        line=line,
        column=column,
    )


_CONTROL_NAMES = {
    0: "NUL",
    0x1B: "escape",
    0x7F: "delete",
    0x9B: "a terminal escape",
    **{
        code: "a bidirectional override"
        for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))
    },
}


def _locate(text: str | bytes, pos: int) -> tuple[int, str | None]:
    """The spreadsheet line and column letter of position ``pos`` (the column counted with
    the delimiter the first line uses most)."""
    if isinstance(text, bytes):
        text = text.decode("latin-1")
    start = text.rfind("\n", 0, pos) + 1
    line = text.count("\n", 0, pos) + 1
    first = text[: text.find("\n")] if "\n" in text else text
    delim = max(DELIMITERS, key=first.count)
    try:
        row = next(csv.reader([text[start:pos]], delimiter=delim), [""])
    except csv.Error:
        return line, None
    return line, column_letter(max(len(row) - 1, 0))


def _binary(file_name: str) -> UnreadableFile:
    return UnreadableFile.single(
        file_name,
        "this is not a text (CSV) file; export the data as CSV UTF-8 or as an Excel workbook "
        "(.xlsx) and upload that.",
    )


def _strict_decode(data: bytes, encoding: str, file_name: str, offset: int = 0) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        label = "UTF-8 or Windows-1252" if encoding == "cp1252" else encoding.upper()
        raise UnreadableFile.single(
            file_name,
            f"byte 0x{data[exc.start]:02X} cannot be read as {label}; save the file again as "
            "CSV UTF-8 and upload that.",
            **(
                dict(zip(("line", "column"), _locate(data, exc.start), strict=True))
                if "16" not in encoding
                else {}
            ),
        ) from None


def _detect_delimiter(text: str) -> str:
    """The candidate delimiter that splits the first lines into the most, consistent, columns."""
    sample = text[:65536]
    best, best_score = ",", (-1, -1)
    for delim in DELIMITERS:
        rows = []
        reader = csv.reader(io.StringIO(sample), delimiter=delim)
        try:
            for row in reader:
                if row:
                    rows.append(len(row))
                if len(rows) >= 20:
                    break
        except csv.Error:
            continue
        if not rows:
            continue
        consistent = sum(n == rows[0] for n in rows)
        score = (rows[0] if rows[0] > 1 else 0, consistent)
        if score > best_score:
            best, best_score = delim, score
    return best


@dataclass
class _Body:
    """A CSV file's text, newlines unified (CR LF -> LF, so that a cell's own line breaks
    become LF too) and trailing blanks dropped: a decoded string, or, for a file of plain
    ASCII with LF newlines (the same text, byte for byte), the file's bytes up to ``end``,
    which are then neither decoded nor copied unless a rare case needs the whole text."""

    text: str | None
    data: bytes | None = None
    end: int = 0

    @classmethod
    def of_text(cls, text: str) -> _Body:
        if "\r" in text:
            # CR LF, and a lone CR (old Mac files, some exports), both end a line.
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        text = text.rstrip("\n\t ")  # the file written for DuckDB ends with one LF
        return cls(text, None, len(text))

    @classmethod
    def of_ascii(cls, data: bytes, file_name: str) -> _Body | None:
        """The bytes as they are, when decoding them would change nothing (else None)."""
        if not data.isascii() or b"\r" in data or b"\x00" in data[:4096]:
            return None
        # What _decode checks and strips, for text that needs no decoding.
        end = len(data)
        while end and data[end - 1] == 0x1A:
            end -= 1
        # Deleting every other byte (C speed) tells whether there is a control byte at all;
        # only then does the slower search find where.
        if data.translate(None, _NOT_CONTROL_BYTES):
            found = _CONTROL_BYTES.search(data, 0, end)
            if found:
                raise _control_problem(data, found.start(), file_name)
        while end and data[end - 1] in b"\n\t ":
            end -= 1
        return cls(None, data, end)

    def __len__(self) -> int:
        return self.end

    def prefix(self, n: int = 65536) -> str:
        if self.text is not None:
            return self.text[:n]
        return self.data[: min(n, self.end)].decode("ascii")

    def full(self) -> str:
        if self.text is None:
            self.text = self.data[: self.end].decode("ascii")
        return self.text

    def count(self, sub: str, start: int) -> int:
        if self.text is not None:
            return self.text.count(sub, start)
        return self.data.count(sub.encode("ascii"), start, self.end)

    def find(self, sub: str, start: int) -> int:
        if self.text is not None:
            return self.text.find(sub, start)
        return self.data.find(sub.encode("ascii"), start, self.end)

    def write(self, path: str) -> None:
        """Write the text to ``path`` as UTF-8, ending with one LF."""
        if self.data is not None:
            with open(path, "wb") as f:
                f.write(memoryview(self.data)[: self.end])
                f.write(b"\n")
        else:
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(self.text)
                f.write("\n")


def _read_csv_text(
    body: _Body, encoding: str, file_name: str, sha: Callable[[], str], progress: Progress
) -> RawTable:
    delim = _detect_delimiter(body.prefix())
    header, header2, header_lines = _read_header(body, delim, file_name)
    if len(header) == 1 and header2 is None:
        other = re.search(r"[|:,;\t^~]", header[0])
        hint = f" (this file seems to use '{other[0]}')" if other else ""
        raise UnreadableFile.single(
            file_name,
            "the header has only one column; separate the columns with commas, semicolons "
            f"or tabs{hint}, or check that this is the right file.",
            line=1,
        )
    header_rows = 1 if header2 is None else 2
    con = duckdb.connect()
    try:
        columns = {f"c{i}": "VARCHAR" for i in range(len(header))}
        with upload_scratch() as tmp:
            path = os.path.join(tmp, "upload.csv")
            body.write(path)
            progress(0.1, "Parsing the file")
            body_start = _offset_after_lines(body, header_lines)
            newlines = _in_background(body.count, "\n", body_start)
            # Column names are ours (c0, c1, ...); file path and delimiter are bound.
            _read_csv_into_parsed(con, path, delim, header_lines, header_rows, columns, file_name)
        rejects = con.execute(
            "SELECT line, column_idx, error_type, csv_line FROM reject_errors ORDER BY line"
        ).fetchall()
        if rejects:
            raise UnreadableFile(_reject_problems(rejects, file_name, header, delim))
        if _has_blank_lines(con, body, body_start, newlines()):
            # DuckDB skips blank lines; a spreadsheet shows them. Number rows as it would.
            lines = _nonblank_record_lines(body.full()[body_start:], delim, header_rows)
            con.register("line_map", pd.DataFrame({"_rn": range(1, len(lines) + 1), "_l": lines}))
            _replace_parsed(
                con,
                "SELECT m._l::INTEGER AS _line, p.* EXCLUDE (_line) FROM parsed p "
                f"JOIN line_map m ON m._rn = p._line - {header_rows} ORDER BY m._l",
            )
            con.unregister("line_map")
    except BaseException:
        con.close()
        raise
    progress(0.3, "Checking the values")
    raw = RawTable(file_name, sha(), encoding, delim, None, header, header2, con)
    return _finish(raw)


def _read_header(
    body: _Body, delim: str, file_name: str
) -> tuple[list[str], list[str] | None, int]:
    """The header row(s) and how many lines they take (read from the start of the text)."""
    # The header is near the start: parse a prefix, and the whole text only if it runs over.
    for whole in (False, True):
        sample = body.full() if whole else body.prefix()
        reader = csv.reader(io.StringIO(sample), delimiter=delim)
        try:
            header = [h.strip() for h in next(reader)]
            header2 = None
            if {h.casefold() for h in header} >= _SURVEYMONKEY_MARKERS:
                header2 = [h.strip() for h in next(reader, [])]
                header2 += [""] * (len(header) - len(header2))
                header += [""] * (len(header2) - len(header))
        except csv.Error as exc:
            if not whole:
                continue
            raise UnreadableFile.single(
                file_name, f"the header row cannot be read ({exc}); check its quotes.", line=1
            ) from None
        header_lines = reader.line_num
        if whole or _offset_after_lines(sample, header_lines) < len(sample):
            return header, header2, header_lines
    raise AssertionError("unreachable")  # pragma: no cover - the whole text always returns


def _read_csv_into_parsed(con, path, delim, header_lines, header_rows, columns, file_name) -> None:
    try:
        con.execute(
            "CREATE TABLE parsed_cells AS SELECT * FROM read_csv(?, "
            "delim = ?, quote = '\"', escape = '\"', header = false, skip = ?, "
            f"auto_detect = false, columns = {columns!r}, strict_mode = true, "
            "null_padding = false, store_rejects = true)",
            [path, delim, header_lines],
        )
        # The table keeps the file's order (DuckDB preserves insertion order), so a row's
        # position (rowid, from 0) gives its line: cheaper than numbering rows as they are read.
        con.execute(
            f"CREATE VIEW parsed AS SELECT (rowid + {int(header_rows) + 1})::INTEGER AS _line, * "
            "FROM parsed_cells"
        )
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0]
        raise UnreadableFile.single(
            file_name,
            f"the file cannot be read as CSV ({first}); open it in a spreadsheet and save it "
            "again as CSV UTF-8.",
        ) from None


def _replace_parsed(con: duckdb.DuckDBPyConnection, select: str) -> None:
    """Make view ``parsed`` show the rows of ``select`` (which may read ``parsed``)."""
    con.execute(f"CREATE TABLE parsed_next AS {select}")
    con.execute("DROP VIEW parsed")
    con.execute("DROP TABLE parsed_cells")
    con.execute("ALTER TABLE parsed_next RENAME TO parsed_cells")
    con.execute("CREATE VIEW parsed AS SELECT * FROM parsed_cells")


def _has_blank_lines(con, body: _Body, body_start: int, newlines: int) -> bool:
    """Whether the body (from ``body_start``, holding ``newlines`` LFs) has an empty line,
    which DuckDB skips but a spreadsheet counts."""
    rows = con.execute("SELECT count(*) FROM parsed_cells").fetchall()[0][0]
    # One LF between rows (the text ends without one) means no empty line; more means an
    # empty line or a cell with a line break, which the slower search below tells apart.
    if newlines <= rows - 1:
        return False
    # (After the newlines were unified, "\n\r\n" no longer occurs.)
    return body.find("\n\n", body_start) >= 0


def _offset_after_lines(text: str | _Body, n: int) -> int:
    pos = 0
    for _ in range(n):
        nxt = text.find("\n", pos)
        if nxt < 0:
            return len(text)
        pos = nxt + 1
    return pos


def _nonblank_record_lines(body: str, delim: str, header_rows: int) -> list[int]:
    lines = []
    for row_number, record in enumerate(csv.reader(io.StringIO(body), delimiter=delim), 1):
        if record:
            lines.append(row_number + header_rows)
    return lines


def _reject_problems(rejects, file_name: str, header: list[str], delim: str) -> list[Problem]:
    problems = []
    n = len(header)
    for line, column_idx, error_type, csv_line in rejects:
        if error_type in ("TOO MANY COLUMNS", "MISSING COLUMNS"):
            try:
                found = len(next(csv.reader([csv_line.rstrip("\r\n")], delimiter=delim)))
            except (csv.Error, StopIteration):
                found = None
            count = f"{found} cells" if found is not None else "a different number of cells"
            message = (
                f"this row has {count} but the header has {n}; every row needs one cell per "
                f"column (check for a stray {DELIMITERS[delim]} or a missing one)."
            )
            problems.append(Problem(file_name, int(line), None, message))
        elif error_type == "UNQUOTED VALUE":
            problems.append(
                Problem(
                    file_name,
                    int(line),
                    column_letter(int(column_idx) - 1) if column_idx else None,
                    'a quote mark (") here is not closed, or is inside a cell that does not '
                    "start with one; the file may be cut short. Close the quote, or remove it.",
                )
            )
        else:
            problems.append(
                Problem(
                    file_name,
                    int(line),
                    None,
                    f"this row cannot be read ({error_type.lower()}); check it in a text editor.",
                )
            )
    return problems


# --- Excel --------------------------------------------------------------------------------


def _read_xlsx(
    data: bytes, file_name: str, sha: str, sheet: str | None, progress: Progress
) -> RawTable:
    import openpyxl  # only needed for workbooks

    _check_workbook_size(data, file_name)
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, SyntaxError) as exc:
        raise UnreadableFile.single(
            file_name,
            f"the workbook cannot be opened ({type(exc).__name__}); it may be damaged or cut "
            "short. Save it again from Excel, or save it as CSV UTF-8.",
        ) from None
    try:
        if sheet is None:
            ws = wb.worksheets[0]
        elif sheet in wb.sheetnames:
            ws = wb[sheet]
        else:
            raise UnreadableFile.single(
                file_name,
                f"there is no sheet '{sheet}'; the sheets are "
                + ", ".join(f"'{s}'" for s in wb.sheetnames)
                + ".",
            )
        rows = _sheet_rows(ws, file_name, progress)
        sheet_name = ws.title
    finally:
        wb.close()
    if not rows:
        raise UnreadableFile.single(file_name, f"the sheet '{sheet_name}' is empty.")
    header_line, header_cells = rows[0]
    data_rows = rows[1:]
    header2 = None
    header = [(c or "").strip() for c in header_cells]
    if {h.casefold() for h in header} >= _SURVEYMONKEY_MARKERS and data_rows:
        header2 = [(c or "").strip() for c in data_rows[0][1]]
        data_rows = data_rows[1:]
    width = max([len(header)] + [len(r) for _, r in data_rows])
    header += [""] * (width - len(header))
    if header2 is not None:
        header2 += [""] * (width - len(header2))
    frame = pd.DataFrame(
        [r + [None] * (width - len(r)) for _, r in data_rows],
        columns=[f"c{i}" for i in range(width)],
        dtype=object,
    )
    frame.insert(0, "_line", pd.Series([line for line, _ in data_rows], dtype="int32"))
    con = duckdb.connect()
    try:
        con.register("sheet_rows", frame)
        casts = ", ".join(f"CAST(c{i} AS VARCHAR) AS c{i}" for i in range(width))
        con.execute(
            f"CREATE TABLE parsed_cells AS SELECT _line, {casts} FROM sheet_rows ORDER BY _line"
        )
        con.execute("CREATE VIEW parsed AS SELECT * FROM parsed_cells")
        con.unregister("sheet_rows")
    except BaseException:
        con.close()
        raise
    progress(0.3, "Checking the values")
    raw = RawTable(file_name, sha, "xlsx", None, sheet_name, header, header2, con)
    return _finish(raw)


#: Workbooks are refused beyond these limits, before openpyxl reads them (see
#: :func:`_check_workbook_size`); a sheet is also refused while it is read if it turns out to
#: hold more cells than its dimension said.
XLSX_MAX_CELLS = 5_000_000
XLSX_MAX_UNCOMPRESSED_MB = 200

_DIMENSION = re.compile(
    rb"<(?:\w+:)?dimension\s+ref=\"\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?\""
)
_ENTITY = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


def _check_workbook_size(data: bytes, file_name: str) -> None:
    """Refuse a workbook that would unpack to too much, or whose sheets say they hold too
    many cells, from the zip's own directory and each sheet's first bytes (seconds at most,
    whatever the workbook claims); and one whose XML declares entities, which Excel never
    writes (defusedxml would refuse them later, with a less helpful message)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # openpyxl's refusal says the workbook is damaged
    unpacked = sum(m.file_size for m in members)
    if unpacked > XLSX_MAX_UNCOMPRESSED_MB * 1024 * 1024:
        raise UnreadableFile.single(
            file_name,
            f"the workbook unpacks to {unpacked / 1024 / 1024:,.0f} MB, above the limit of "
            f"{XLSX_MAX_UNCOMPRESSED_MB} MB for a workbook; save the sheet you need as CSV "
            "UTF-8, or split the workbook.",
        )
    for member in members:
        if not member.filename.endswith(".xml"):
            continue
        try:
            with archive.open(member) as part:
                head = part.read(65536)
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
            return
        if _ENTITY.search(head):
            raise UnreadableFile.single(
                file_name,
                f"the workbook's part {member.filename} declares XML entities, which Excel "
                "never writes (a workbook built to overload a server does); open it in Excel "
                "and save it again, or save it as CSV UTF-8.",
            )
        dimension = _DIMENSION.search(head) if "worksheets/" in member.filename else None
        if dimension:
            first_col, first_row, last_col, last_row = dimension.groups()
            if last_col is not None:
                cells = (int(last_row) - int(first_row) + 1) * (
                    _column_number(last_col) - _column_number(first_col) + 1
                )
                if cells > XLSX_MAX_CELLS:
                    ref = f"{first_col.decode()}{first_row.decode()}:{last_col.decode()}"
                    ref += last_row.decode()
                    raise _too_many_cells(file_name, f"declares {cells:,} cells", ref)


def _too_many_cells(file_name: str, what: str, ref: str | None = None) -> UnreadableFile:
    where = f" ({ref})" if ref else ""
    return UnreadableFile.single(
        file_name,
        f"a sheet of the workbook {what}{where}, above the limit of {XLSX_MAX_CELLS:,} cells; "
        "delete the empty rows and columns beyond the data (or save the sheet as CSV UTF-8) "
        "and upload it again.",
    )


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ch - 64
    return number


def _sheet_rows(ws, file_name: str, progress: Progress) -> list[tuple[int, list[str | None]]]:
    """The sheet's non-blank rows as (line, cell texts), stopping at the cells limit."""
    rows: list[tuple[int, list[str | None]]] = []
    cells_read = 0
    try:
        for line, values in enumerate(ws.iter_rows(values_only=True), start=1):
            cells_read += len(values)
            if cells_read > XLSX_MAX_CELLS:
                raise _too_many_cells(file_name, "holds more cells")
            cells = [_cell_text(v) for v in values]
            if any(c is not None and c.strip() for c in cells):
                rows.append((line, cells))
            if line % 20000 == 0:
                progress(0.05 + 0.2 * min(1.0, line / max(ws.max_row or line, 1)), "Reading")
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, SyntaxError) as exc:
        # defusedxml's refusals are ValueErrors; a damaged sheet is an XML SyntaxError.
        raise UnreadableFile.single(
            file_name,
            f"the workbook's sheet cannot be read ({type(exc).__name__}); it may be damaged "
            "or not made by a spreadsheet program. Save it again from Excel, or save it as "
            "CSV UTF-8.",
        ) from None
    return rows


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return str(value)


# --- common -------------------------------------------------------------------------------


def _starts_blank(text: str) -> str:
    """SQL: ``text`` starts with white space (any code point up to 32, or a no-break space)
    or an apostrophe (how safe_csv neutralised a formula-like text in an export), or is
    empty: the cells that cleaning may change.

    Comparisons, not ``IN (...)`` or a regular expression: DuckDB plans an IN list of five
    or more values as a join, and a file of thousands of columns has thousands of these.
    """
    return f"(ord({text}) <= 32 OR ord({text}) = 39 OR ord({text}) = 160)"


def clean_sql(column: str) -> str:
    """SQL: the cell trimmed, with the export's protective apostrophe removed; NULL if blank.

    Most cells need nothing, so the costly trim only runs where the cheap test says so.
    """
    unquoted = (
        f"CASE WHEN starts_with({column}, chr(39)) AND length({column}) > 1 AND strpos('=+-@' || "
        f"chr(9) || chr(13), substr({column}, 2, 1)) > 0 THEN substr({column}, 2) "
        f"ELSE {column} END"
    )
    trimmed = f"trim({unquoted}, ' ' || chr(9) || chr(13) || chr(10) || chr(160))"
    return (
        f"nullif(CASE WHEN {_starts_blank(column)} OR {_starts_blank(f'right({column}, 1)')} "
        f"THEN {trimmed} "
        f"ELSE {column} END, '')"
    )


def blank_sql(column: str) -> str:
    """SQL: TRUE exactly when :func:`clean_sql` of the cell is NULL, at a fraction of its cost.

    A cell that cleaning empties is NULL, empty, or passes :func:`_starts_blank`; only
    those few are cleaned to be sure (a CASE, so that the rest never are).
    """
    return (
        f"CASE WHEN {column} IS NULL THEN TRUE WHEN {column} = '' OR {_starts_blank(column)} "
        f"THEN {clean_sql(column)} IS NULL ELSE FALSE END"
    )


#: Rows of more columns than this are tested as lists (see :func:`not_blank_row_sql`).
_WIDE = 16


def not_blank_row_sql(width: int) -> str:
    """SQL over ``parsed``: TRUE for a row with a cell that is not blank once cleaned.

    A cell starting with an ASCII character from ``(`` on is not blank whatever cleaning does;
    DuckDB's column statistics usually prove that of a whole column, so the test costs nothing
    on most files, and :func:`blank_sql` decides the other cells.
    """
    if width == 0:
        return "FALSE"
    if width > _WIDE:
        # One test over the row's cells as a list: an OR of thousands of terms costs the
        # planner time quadratic in their number.
        cells = ", ".join(f"c{i}" for i in range(width))
        return f"(len(list_filter([{cells}], lambda x: NOT ({blank_sql('x')}))) > 0)"
    cells = (f"c{i}" for i in range(width))
    return (
        "("
        + " OR ".join(
            f"(({c} IS NOT NULL AND {c} >= '(' AND {c} < chr(128)) OR NOT ({blank_sql(c)}))"
            for c in cells
        )
        + ")"
    )


def _create_raw_view(con: duckdb.DuckDBPyConnection, width: int) -> None:
    """Create view ``raw`` over ``parsed``: clean cells, no blank rows."""
    cleaned = "".join(f", {clean_sql(f'c{i}')} AS c{i}" for i in range(width))
    # The rows kept are tested on the cells as read (the same test, without a subquery whose
    # thousands of aliases a wide file would make the binder resolve one by one).
    con.execute(
        f"CREATE OR REPLACE VIEW raw AS SELECT _line{cleaned} FROM parsed "
        f"WHERE {not_blank_row_sql(width)}"
    )


def _finish(raw: RawTable) -> RawTable:
    """Drop unnamed empty columns; refuse a header without data rows."""
    if raw.header2 is None:
        keep = []
        for i, name in enumerate(raw.header):
            if name:
                keep.append(i)
                continue
            filled = raw.con.execute(
                f"SELECT count(*) FROM parsed WHERE NOT ({blank_sql(f'c{i}')})"
            ).fetchall()[0][0]
            if filled:
                keep.append(i)
        if len(keep) < len(raw.header):
            # The dropped columns are blank once cleaned, so no row turns blank without them.
            cols = ", ".join(f"c{old} AS c{new}" for new, old in enumerate(keep))
            _replace_parsed(raw.con, f"SELECT _line, {cols} FROM parsed ORDER BY _line")
            raw.header = [raw.header[i] for i in keep]
    not_blank = not_blank_row_sql(len(raw.header))
    if not raw.con.execute(f"SELECT 1 FROM parsed WHERE {not_blank} LIMIT 1").fetchall():
        raw.close()
        raise UnreadableFile.single(
            raw.file_name,
            "the file has a header row but no data rows; export the data again with its rows.",
            line=1 if raw.header2 is None else 2,
        )
    return raw
