"""Stored text shown as text: one escaping rule for every place Streamlit reads Markdown.

Streamlit interprets GitHub-flavoured Markdown, its own directives (``:red[...]``,
``:material/...:``) and LaTeX (``$...$``) in ``st.markdown``, headings, captions, alerts,
widget labels and help, metric labels and values, radio options and ``st.table`` cells. A
stored name such as ``![p](http://host/x.png)`` would make every viewer's browser fetch the
image. :func:`as_text` backslash-escapes (CommonMark allows it before any ASCII punctuation)
every character that can open a construct where it stands:

- anywhere: ``\\ ` * _ ~ [ ] ! & $ |`` and ``@`` (emphasis, code, links, images,
  entities, math, table cells, e-mail autolinks);
- ``<`` before a letter, ``/``, ``!`` or ``?``, and ``>`` after a non-space (HTML tags,
  autolinks);
- ``(`` after ``]`` (a link's target);
- ``:`` before anything but a space (directives, shortcodes), and the dot of ``www.``;
- and, since GFM finds autolinks (``http://``, ``www.``, ``a@b.org``) in the parsed text
  where no backslash reaches, an invisible word joiner (U+2060) goes between ``http`` and
  ``://``, ``www`` and ``.``, and a name and ``@``;
- at the start of a line: ``#``, ``>``, list markers, numbered-list dots, thematic breaks.

Everything else is left as it is, so an ordinary sentence ("p < 0.001 (95% CI 1.2 to 3.4);
Workforce: ...") is unchanged, and escaped text reads exactly as stored. Plain-text places
(``st.selectbox`` and ``st.multiselect`` options, ``st.dataframe`` cells, chart text) must not
be escaped: they would show the backslashes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

_INLINE = re.compile(
    r"[\\`*_~\[\]!&$|@]|<(?=[A-Za-z/!?])|:(?=\S)|(?<=\bwww)\.|(?<=\])\(|(?<=\S)>", re.IGNORECASE
)
_LINE_START = re.compile(
    r"^(?:(?P<mark>[#>])|(?P<bullet>[-+*])(?=\s|$)|\d{1,9}(?P<number>[.)])(?=\s|$)"
    r"|(?P<rule>[-=])(?=[-=\s]*$))"
)


# GFM autolinks are found in the text after parsing (mdast-util-gfm-autolink-literal), so no
# backslash stops them: an invisible WORD JOINER (U+2060) between "http" and "://", "www"
# and ".", or a name and "@" breaks the pattern and displays nothing.
_SCHEME = re.compile(r"\b(https?|ftp|www|mailto)(?=\\?[:.])", re.IGNORECASE)
WORD_JOINER = "\u2060"


def _escape_line(line: str) -> str:
    escaped = _INLINE.sub(lambda m: "\\" + m.group(0), line)
    escaped = _SCHEME.sub(lambda m: m.group(1) + WORD_JOINER, escaped)
    escaped = escaped.replace("\\@", WORD_JOINER + "\\@")
    start = _LINE_START.match(escaped)
    if start is None:
        return escaped
    group = next(g for g in ("mark", "bullet", "number", "rule") if start.group(g))
    at = start.start(group)
    return escaped[:at] + "\\" + escaped[at:]


def as_text(value: object, *, multiline: bool = False) -> str:
    """``value`` as Markdown that displays exactly its text.

    Runs of whitespace become one space, so a name cannot start a heading or a code block
    on a new line. With ``multiline``, line breaks are kept (as Markdown hard breaks, blank
    lines as paragraph breaks) and each line is trimmed. None and NaN become "".
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = str(value)
    if not multiline:
        return _escape_line(" ".join(text.split()))
    paragraphs = "\n".join(line.strip() for line in text.splitlines()).split("\n\n")
    return "\n\n".join(
        "  \n".join(_escape_line(" ".join(line.split())) for line in p.strip("\n").split("\n"))
        for p in paragraphs
        if p.strip()
    )


_ABSOLUTE_PATH = re.compile(r"(?<![\w.:/])/(?:[^\s/'\"`]+/)+(?P<name>[^\s/'\"`]+)")


def without_server_paths(message: str) -> str:
    """``message`` with every absolute file path shortened to the file's name.

    Viewers of the dashboard learn nothing from where the server keeps its files, and must
    not (``/srv/rpg/data/rpgdash.duckdb`` becomes ``rpgdash.duckdb``). URLs are left alone.
    """
    return _ABSOLUTE_PATH.sub(lambda m: m.group("name"), message)


def as_text_list(values: Iterable[object], sep: str = ", ") -> str:
    """Several stored names joined by ``sep`` (which is not escaped), each via :func:`as_text`."""
    return sep.join(as_text(v) for v in values)
