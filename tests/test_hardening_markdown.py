"""Issue 10, item 4: stored text is shown as text on every page, never as Markdown or HTML.

A payload that would fetch an image from, and link to, 127.0.0.1:8999 is appended to every
stored name, label, note, theme, excerpt and file name. Every page is run (AppTest); every
string Streamlit interprets as Markdown (bodies, headings, captions, alerts, labels, help,
metric labels and values, radio options, st.table cells) must carry it escaped, so the host
never appears literally there. Plain-text places (selectbox options, dataframes) may.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from google.protobuf.message import Message
from streamlit.testing.v1 import AppTest

from rpgdash.db import open_db
from rpgdash.text import as_text
from tests.conftest import ROOT
from tests.hardening_support import inject_payload, payload
from tests.test_pages import PAGES

HOST = "127.0.0.1:8999"
MARKDOWN_FIELDS = {"body", "label", "help"}


@pytest.fixture(scope="module")
def hostile_db(demo_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "hostile.duckdb"
    inject_payload(demo_path, path, payload(8999))
    return path


def _nodes(node) -> Iterator:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _nodes(child)


def _markdown_strings(message: Message, kind: str) -> Iterator[tuple[str, str]]:
    """(field, text) for every string field of ``message`` that Streamlit reads as Markdown."""
    for field, value in message.ListFields():
        values = value if field.is_repeated else [value]
        for item in values:
            if isinstance(item, Message):
                yield from _markdown_strings(item, kind)
            elif isinstance(item, str) and (
                field.name in MARKDOWN_FIELDS
                or (field.name == "options" and kind == "Radio")
                or (field.name == "content" and kind == "ButtonGroup")
            ):
                yield f"{kind}.{field.name}", item


def markdown_texts(at: AppTest) -> list[tuple[str, str]]:
    found = []
    for node in _nodes(at._tree):
        proto = getattr(node, "proto", None)
        if isinstance(proto, Message):
            found += _markdown_strings(proto, type(proto).__name__)
    for table in at.table:  # st.table reads Markdown in every cell and header
        frame = table.value
        found += [("Table.header", str(c)) for c in frame.columns]
        found += [("Table.cell", v) for v in frame.to_numpy().ravel() if isinstance(v, str)]
    return found


def _run_every_page(env_db: Path, monkeypatch) -> dict[str, list[tuple[str, str]]]:
    monkeypatch.setenv("RPGDASH_DB", str(env_db))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    shown = {}
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        shown[page] = markdown_texts(at)
    return shown


def test_as_text_leaves_nothing_for_markdown_to_interpret() -> None:
    escaped = as_text(payload(8999))
    assert HOST not in escaped
    # No unescaped opener of a link, image, tag, autolink, directive, emphasis or math.
    assert re.search(r"(?<!\\)(\[|\]|!|<[a-z]|:\S|\*|\$|@)", escaped) is None
    # Removing the escapes and word joiners gives back exactly the text.
    shown = re.sub(r"\\(.)", r"\1", escaped).replace("\u2060", "")
    assert shown == " ".join(payload(8999).split())
    # GFM finds autolinks in the parsed text: none of its patterns is left.
    assert re.search(r"(https?:|www\.|[\w.+-]@)", re.sub(r"\\(.)", r"\1", escaped)) is None


@pytest.mark.parametrize(
    ("stored", "markdown"),
    [
        ("# Heading", "\\# Heading"),
        ("- item", "\\- item"),
        ("12. item", "12\\. item"),
        ("> quote", "\\> quote"),
        ("---", "\\---"),
        ("www.example.org", "www\u2060\\.example.org"),
        ("a@example.org", "a\u2060\\@example.org"),
        ("https://x.org", "https\u2060\\://x.org"),
        ("<b>x</b>", "\\<b\\>x\\</b\\>"),
        (":material/home: :red[x]", "\\:material/home: \\:red\\[x\\]"),
        # Ordinary sentences and labels are left as they are.
        ("+1 year", "+1 year"),
        (
            "p < 0.001 (95% CI 1.2 to 3.4); Workforce: -3.4",
            "p < 0.001 (95% CI 1.2 to 3.4); Workforce: -3.4",
        ),
    ],
)
def test_as_text_escapes_what_opens_a_construct_and_nothing_else(stored, markdown) -> None:
    assert as_text(stored) == markdown


def test_as_text_keeps_line_breaks_only_when_asked() -> None:
    assert as_text("# one\n- two") == "\\# one - two"
    assert as_text("# one\n- two\n\nthree", multiline=True) == "\\# one  \n\\- two\n\nthree"
    assert as_text(None) == "" and as_text(float("nan")) == ""


def test_every_page_shows_injected_names_escaped(hostile_db, tmp_path, monkeypatch) -> None:
    copy = tmp_path / "hostile.duckdb"
    copy.write_bytes(hostile_db.read_bytes())
    shown = _run_every_page(copy, monkeypatch)
    leaks = [
        (page, field, text)
        for page, items in shown.items()
        for field, text in items
        if HOST in text
    ]
    assert leaks == []
    # The names are there, escaped: the test sees the text it guards.
    escaped = as_text("Leak ![p]")
    for page in (
        "pages/overview.py",
        "pages/indicators.py",
        "pages/workforce.py",
        "pages/evidence.py",
        "pages/model.py",
        "pages/upload.py",
        "pages/benchmarks.py",
    ):
        assert any(escaped in text for _, text in shown[page]), page


def test_the_check_sees_an_unescaped_name(tmp_path, monkeypatch) -> None:
    """The page check fails for a page that puts a stored name into Markdown as it is."""
    script = tmp_path / "leaky.py"
    script.write_text(
        "import streamlit as st\n"
        f"st.header({payload(8999)!r})\n"
        f"st.table({{'a': [{payload(8999)!r}]}})\n"
        f"st.radio('x', [{payload(8999)!r}])\n"
    )
    at = AppTest.from_file(str(script)).run()
    fields = {field for field, text in markdown_texts(at) if HOST in text}
    assert fields == {"Heading.body", "Table.cell", "Radio.options"}


class _Attributes(HTMLParser):
    """Every (tag, attribute, value) of an HTML document, inline SVG included."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [(tag, name, value or "") for name, value in attrs]


def test_the_board_report_escapes_every_stored_name(hostile_db) -> None:
    from rpgdash.report import build_report

    with open_db(hostile_db, read_only=True) as db:
        report = build_report(db, site=None, role="All roles", min_group=5)
    parser = _Attributes()
    parser.feed(report)
    # Text in aria-label or title attributes is text; these attributes fetch or link.
    fetching = {"href", "src", "srcset", "xlink:href", "action", "formaction", "style", "data"}
    assert [a for a in parser.found if a[1] in fetching and HOST in a[2]] == []
    # The report's own links are its table of contents; it has no image, script or frame.
    links = {v for t, a, v in parser.found if t == "a" and a == "href"}
    assert links and all(v.startswith("#") for v in links)
    assert not [t for t, _, _ in parser.found if t in {"img", "script", "iframe"}]
    assert html.escape('<img src="http://127.0.0.1:8999/y.png">') in report
