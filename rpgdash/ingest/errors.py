"""Problems found in an upload, and the exceptions that carry them.

Every refusal names the file, the line as a spreadsheet shows it (header = line 1) and, where
it applies, the column letter, then says what is wrong and how to fix it::

    workforce.csv:7:C: 'twelve' is not a number; write digits, e.g. 12.5.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rpgdash.errors import RpgdashError

#: At most this many problems are listed; the rest are counted ("... and 12 more problems").
MAX_LISTED = 200


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column:
                where += f":{self.column}"
        return f"{where}: {self.message}"


class IngestError(RpgdashError):
    """An upload was refused; nothing was written. ``problems`` lists every reason."""

    def __init__(self, problems: Iterable[Problem], more: int = 0) -> None:
        problems = list(problems)
        if len(problems) > MAX_LISTED:
            more += len(problems) - MAX_LISTED
            problems = problems[:MAX_LISTED]
        self.problems = problems
        self.more = more
        super().__init__(str(self))

    @classmethod
    def single(cls, file: str, message: str, line: int | None = None, column: str | None = None):
        return cls([Problem(file, line, column, message)])

    def __str__(self) -> str:
        lines = [str(p) for p in self.problems]
        if self.more:
            lines.append(f"... and {self.more} more problem{'s' if self.more != 1 else ''}.")
        return "\n".join(lines)


class FileTooLarge(IngestError):
    """The file is above the ``max_upload_mb`` setting (refused before it is read)."""


class UnreadableFile(IngestError):
    """The bytes are not a table this product can read (encoding, binary, damaged, empty)."""


class InvalidContent(IngestError):
    """The table was read but some cells are wrong (the usual case)."""


class ConflictError(IngestError):
    """Storing would change values already stored, and replacing was not asked for."""


class RevertRefused(IngestError):
    """An upload cannot be reverted (already reverted, or later uploads depend on it)."""


class SettingRefused(IngestError, ValueError):
    """A setting the upload page changes (an indicator's direction) was given a bad value."""


def column_letter(index: int) -> str:
    """Spreadsheet column letter of a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
