"""Reading single values the way people write them: missing markers, numbers, months, names.

Functions here work on one distinct value at a time; callers apply them to the distinct values
of a column (a few hundred), never row by row.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from dataclasses import dataclass

#: Cells that mean "no value" (compared case-insensitively after trimming). DfE and ONS files
#: use c (confidential), x (not available) and z (not applicable), sometimes in brackets.
MISSING_MARKERS = ("", "na", "n/a", "-", "c", "x", "z", "[c]", "[x]", "[z]")

#: A number as people type it: optional sign, optional thousands commas, optional decimals,
#: optional exponent, optional trailing percent sign. Used inside DuckDB (RE2 syntax).
NUMBER_PATTERN = r"[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?([eE][+-]?\d+)?%?"

EARLIEST_YEAR = 1990

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "})


#: Characters that show as nothing (zero-width spaces and joiners, word joiner, soft hyphen,
#: byte-order mark): two names differing only in them look identical.
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u2060-\u2064\ufeff]")

#: Cyrillic and Greek letters that look like Latin ones (after Unicode's confusables list,
#: https://www.unicode.org/Public/security/latest/confusables.txt, restricted to the letters
#: that are drawn alike in common fonts): a name is compared with them read as Latin.
_CONFUSABLES = str.maketrans(
    {
        **dict(
            zip(
                "аВвЕеһіјКкМНОоРрСсТтуХхѕԁԛԝүѴѵЅІЈ",
                "aBBEehijKkMHOoPpCcTtyXxsdqwyVvSIJ",
                strict=True,
            )
        ),
        **dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧαικνορτυχ", "ABEZHIKMNOPTYXaiknoptux", strict=True)),
    }
)


def normalise_name(text: str) -> str:
    """The key a name (indicator, site, role, measure, theme) is compared on: NFKC, quotes
    unified, invisible characters dropped, look-alike Cyrillic and Greek letters read as
    Latin, case folded and white space collapsed. Two names with the same key are the same
    name; :func:`look_alike` says why one spelling of it must not be stored."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    text = _INVISIBLE.sub("", text).translate(_CONFUSABLES)
    return " ".join(text.casefold().split())


def look_alike(text: str) -> str | None:
    """Why ``text`` would look like another name without being it (an invisible character,
    or letters of two scripts in one word, as in 'Rеferrals' with a Cyrillic е), or None."""
    invisible = _INVISIBLE.search(text)
    if invisible:
        char = invisible[0]
        return f"holds an invisible character (U+{ord(char):04X} {_char_name(char)})"
    for word in text.split():
        scripts: dict[str, str] = {}
        for char in word:
            if char.isalpha():
                scripts.setdefault(_char_name(char).split(" ")[0], char)
        if len(scripts) > 1 and "latin" in scripts:
            other = next(s for s in scripts if s != "latin")
            char = scripts[other]
            return (
                f"mixes Latin and {other.title()} letters ('{char}' is U+{ord(char):04X} "
                f"{_char_name(char)}), so it only looks like a Latin name"
            )
    return None


def _char_name(char: str) -> str:
    return unicodedata.name(char, "unnamed character").lower()


def normalise_statement(text: str) -> str:
    """Statement text reduced to lower-case words: case, whitespace, quotes and punctuation
    do not matter when matching a file's statement to a stored one."""
    text = normalise_name(text)
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


def close_matches(value: str, candidates: list[str], normalise=normalise_name) -> list[str]:
    """Up to three stored names closest to ``value`` (difflib), best first."""
    keyed = {normalise(c): c for c in candidates}
    found = difflib.get_close_matches(normalise(value), list(keyed), n=3, cutoff=0.6)
    return [keyed[k] for k in found]


def did_you_mean(value: str, candidates: list[str], normalise=normalise_name) -> str:
    matches = close_matches(value, candidates, normalise)
    if not matches:
        return ""
    return " Did you mean " + " or ".join(f"'{m}'" for m in matches) + "?"


def quote_cell(text: str, limit: int = 60) -> str:
    """A cell value for a message: quoted, cut short if long."""
    text = text.replace("\n", " ")
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"'{text}'"


# --- months -------------------------------------------------------------------------------

_MONTH_NAMES = {
    name: i + 1
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ]
    )
    for name in names
}

#: Accepted ways of writing a month: name -> (pattern, example)
MONTH_CONVENTIONS: dict[str, tuple[re.Pattern[str], str]] = {
    "YYYY-MM": (re.compile(r"(\d{4})-(\d{1,2})"), "2018-12"),
    "YYYY-MM-DD": (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?"), "2018-12-01"),
    "DD/MM/YYYY": (re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})"), "01/12/2018"),
    "Mon-YY": (re.compile(r"([A-Za-z]{3,9})[- ](\d{2})"), "Dec-18"),
    "Month YYYY": (re.compile(r"([A-Za-z]{3,9})[- ](\d{4})"), "Dec 2018 or December 2018"),
}

ACCEPTED_MONTHS = "2018-12, 2018-12-01, 01/12/2018 (day first), Dec-18, Dec 2018 or December 2018"


@dataclass(frozen=True)
class MonthReading:
    convention: str | None
    month: dt.date | None
    error: str | None


def read_month(text: str, today: dt.date | None = None) -> MonthReading:
    """Read one month cell; ``error`` says what is wrong in a sentence."""
    today = today or dt.date.today()
    for convention, (pattern, _example) in MONTH_CONVENTIONS.items():
        m = pattern.fullmatch(text)
        if not m:
            continue
        try:
            month = _month_from_match(convention, m)
        except ValueError as exc:
            return MonthReading(convention, None, str(exc))
        if month.year < EARLIEST_YEAR:
            return MonthReading(
                convention, None, f"the year {month.year} is before {EARLIEST_YEAR}; check the year"
            )
        if month > today.replace(day=1):
            return MonthReading(convention, None, f"{month:%B %Y} is in the future; check the year")
        return MonthReading(convention, month, None)
    if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{2}", text):
        return MonthReading(
            None,
            None,
            f"{quote_cell(text)} has a two-digit year, which is ambiguous; "
            "write the year in full (01/12/2018)",
        )
    if re.fullmatch(r"\d{5}(\.0+)?", text):
        return MonthReading(
            None,
            None,
            f"{quote_cell(text)} looks like an Excel date serial number; format the "
            "column as a date (for example 2018-12) before saving",
        )
    return MonthReading(
        None, None, f"{quote_cell(text)} is not a month; write it as one of {ACCEPTED_MONTHS}"
    )


def _month_from_match(convention: str, m: re.Match[str]) -> dt.date:
    if convention == "YYYY-MM":
        year, month = int(m[1]), int(m[2])
        _check_month(month, m[0])
        return dt.date(year, month, 1)
    if convention == "YYYY-MM-DD":
        year, month, day = int(m[1]), int(m[2]), int(m[3])
        _check_month(month, m[0])
        _check_day(year, month, day, m[0])
        return dt.date(year, month, 1)
    if convention == "DD/MM/YYYY":
        day, month, year = int(m[1]), int(m[2]), int(m[3])
        if not 1 <= month <= 12:
            raise ValueError(
                f"{quote_cell(m[0])} is not a date: there is no month {month}; dates are read "
                "day first (DD/MM/YYYY)"
            )
        _check_day(year, month, day, m[0])
        return dt.date(year, month, 1)
    name = m[1].casefold()
    if name not in _MONTH_NAMES:
        raise ValueError(f"{quote_cell(m[0])}: '{m[1]}' is not a month name (Jan ... Dec)")
    year = int(m[2]) + (2000 if convention == "Mon-YY" else 0)
    return dt.date(year, _MONTH_NAMES[name], 1)


def _check_month(month: int, text: str) -> None:
    if not 1 <= month <= 12:
        raise ValueError(f"{quote_cell(text)} is not a month: there is no month {month}")


def _check_day(year: int, month: int, day: int, text: str) -> None:
    try:
        dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"{quote_cell(text)} is not a date: day {day} does not exist") from None


def read_year(text: str, today: dt.date | None = None) -> tuple[int | None, str | None]:
    """A year cell: 2018, or a DfE time period 201819 (-> 2018)."""
    today = today or dt.date.today()
    m = re.fullmatch(r"(\d{4})(?:\.0+)?", text)
    year = None
    if m:
        year = int(m[1])
    else:
        m = re.fullmatch(r"(\d{4})[/-]?(\d{2})", text)
        if m and (int(m[1]) + 1) % 100 == int(m[2]):
            year = int(m[1])
    if year is None:
        return None, f"{quote_cell(text)} is not a year; write it as 2018 (or 201819 for 2018/19)"
    if year < EARLIEST_YEAR:
        return None, f"the year {year} is before {EARLIEST_YEAR}; check the year"
    if year > today.year:
        return None, f"the year {year} is in the future; check the year"
    return year, None
