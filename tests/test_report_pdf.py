"""The board pack PDF: two-page summary first, appendix by page 3, "Page N of M" on every
page, contents with the right page numbers, headings kept with what follows them, charts
inside the A4 text block, and the same numbers as the HTML and the pages."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import io
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
from pypdf import PdfReader

from rpgdash import api, cli, queries, report
from rpgdash.db import open_db
from rpgdash.ingest import commit, parse_upload, preview
from rpgdash.present import format as fmt
from rpgdash.present.domains import DOMAINS
from rpgdash.report import board_pack, board_pack_pdf, footer_text
from rpgdash.report import pdf as report_pdf
from rpgdash.report import svg as report_svg
from rpgdash.report.build import build_context
from rpgdash.report.pdf import data_version

WHEN = dt.datetime(2025, 3, 1, 9, 30)
TEST_NAMES = ("Mann-Whitney", "Mann-Kendall", "Holm", "Cliff", "Sen's", "XmR", "p <", "p =")

pytestmark = pytest.mark.xdist_group("report")  # one worker builds each pack once


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture(scope="module")
def _worker_pack_job(demo_path: Path) -> Iterator[Future]:
    """The demo's pack from the worker process (see ``worker_pack``), started at once in a
    thread: the worker lays it out while this process lays out the command's pack."""

    def build() -> bytes:
        with open_db(demo_path, read_only=True) as db:
            return board_pack_pdf(db, generated_at=WHEN)

    with ThreadPoolExecutor(max_workers=1) as waiting:
        yield waiting.submit(build)


@pytest.fixture(scope="module")
def demo_pack(
    demo_path: Path, tmp_path_factory: pytest.TempPathFactory, _worker_pack_job: Future
) -> dict:
    """The demo's pack as ``python -m rpgdash report --format pdf`` writes it, dated WHEN.

    The command runs for real; two spies keep what it made on the way (its HTML, and the laid
    out document the layout checks walk), so the pack is laid out once for every test here.
    The worker's pack (``_worker_pack_job``) is laid out meanwhile.
    """
    out = tmp_path_factory.mktemp("pack") / "pack.pdf"
    seen: dict = {}
    real_build, real_render = report.build_report, report_pdf.render_document

    def build(db, **options):
        seen["html"] = real_build(db, **{**options, "generated_at": WHEN})
        return seen["html"]

    def render(html: str):
        seen["document"] = real_render(html)
        return seen["document"]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(report, "build_report", build)
        patch.setattr(report_pdf, "render_document", render)
        code = cli.main(["report", "--format", "pdf", "--out", str(out), "--db", str(demo_path)])
    with open_db(demo_path, read_only=True) as db:
        footer = footer_text(build_context(db, generated_at=WHEN), True)
    pdf = out.read_bytes()
    return {"code": code, "pdf": pdf, "pages": page_texts(pdf), "footer": footer, **seen}


@pytest.fixture(scope="module")
def worker_pack(_worker_pack_job: Future) -> dict:
    """The demo's pack as the overview's button makes it: laid out in the worker process.

    The same options as the command's pack (``demo_pack``), so the two must match page for
    page. (The footer of a pack for a site other than the default is checked for every site
    in tests/test_hardening_sites.py, in the HTML that this layout turns into pages.)
    """
    return {"pdf": _worker_pack_job.result()}


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines()]


def _appendix_page(pages: list[str]) -> int:
    return next(i for i, t in enumerate(pages, 1) if "Appendix" in _lines(t))


def _check_summary(pages: list[str], indicators: list[str], footer_bits: list[str]) -> None:
    summary = "\n".join(pages[:2])
    flat = re.sub(r"\s+", " ", summary)
    for domain in DOMAINS:
        assert domain.title in flat
    for name in indicators:
        assert name in flat, name
    for measure in ("Agency staffing", "Sickness", "Turnover", "Vacancies", "Themes"):
        assert measure in flat
    assert "Summary of variation and assurance" in flat
    assert "adjusted for testing many statements" in flat
    assert "do not show that RPGs caused" in flat
    assert "baseline survey used a different questionnaire" in flat
    # no test names on the summary pages: the appendix names them
    for name in TEST_NAMES:
        assert name not in summary, name
    assert _appendix_page(pages) <= 3
    assert any(name in "".join(pages[3:]) for name in TEST_NAMES)  # the appendix does
    total = len(pages)
    for number, text in enumerate(pages, 1):
        assert f"Page {number} of {total}" in text, number
        for bit in footer_bits:
            assert bit in text, (number, bit)


def test_demo_pack_opens_with_the_two_page_summary(demo_db, demo_pack: dict) -> None:
    names = list(queries.indicators(demo_db)["name"])
    bits = ["Demo local authority", "Job role: All roles", "Generated 1 March 2025"]
    _check_summary(demo_pack["pages"], names, [*bits, "Illustrative data"])
    assert demo_pack["footer"] == " \u00b7 ".join([*bits, "Illustrative data"])


def test_the_worker_lays_out_the_same_pack(demo_pack: dict, worker_pack: dict) -> None:
    assert worker_pack["pdf"].startswith(b"%PDF-")
    # WeasyPrint writes the same bytes for the same HTML, in any process; only if it ever
    # does not are the pages read (pypdf takes about 4 s for the pack's 40-odd pages).
    if worker_pack["pdf"] != demo_pack["pdf"]:
        assert page_texts(worker_pack["pdf"]) == demo_pack["pages"]


def test_contents_give_the_page_each_section_starts_on(demo_pack: dict) -> None:
    pages = demo_pack["pages"]
    toc = _lines(pages[0])
    checked = 0
    for title in ("Survey results", "Organisational indicators", "Workforce", "Caveats"):
        entry = next(line for line in toc if line.startswith(title + " ."))
        page = int(entry.rsplit(" ", 1)[1])
        assert title in _lines(pages[page - 1]), title
        assert all(title not in _lines(p) for p in pages[3 : page - 1]), title
        checked += 1
    entry = next(line for line in toc if line.startswith("Appendix ."))
    assert int(entry.rsplit(" ", 1)[1]) == _appendix_page(pages)
    assert checked == 4


def _element_pages(document) -> dict[int, set[int]]:
    """id(element) -> the pages (0-based) on which any of its boxes is laid out."""
    where: dict[int, set[int]] = {}
    for number, page in enumerate(document.pages):
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            if element is not None:
                where.setdefault(id(element), set()).add(number)
    return where


def test_no_heading_is_left_at_the_foot_of_a_page(demo_pack: dict) -> None:
    document = demo_pack["document"]
    where = _element_pages(document)
    root = next(
        box.element
        for box in document.pages[0]._page_box.descendants()
        if getattr(box, "element_tag", None) == "html"
    )
    pairs = [
        (child, children[i + 1])
        for parent in root.iter()
        for children in [list(parent)]
        for i, child in enumerate(children[:-1])
        if str(child.tag).rsplit("}", 1)[-1] in ("h2", "h3", "h4")
    ]
    assert len(pairs) > 30
    for heading, follower in pairs:
        first = min(where[id(follower)])
        assert max(where[id(heading)]) == first, "".join(heading.itertext())


def test_every_chart_fits_the_a4_text_block(demo_pack: dict) -> None:
    charts = 0
    for page in demo_pack["document"].pages:
        box = page._page_box
        right = box.content_box_x() + box.width
        for child in box.descendants():
            tag = str(getattr(child, "element_tag", "")).rsplit("}", 1)[-1]
            if tag == "svg" and child.width > 100:
                charts += 1
                assert child.content_box_x() + child.width <= right + 0.5
    assert charts == 3 + 3 + 4 + 1 + 4  # dumbbells, diverging bars, SPC, workforce, benchmarks


def _numbers(text: str) -> set[str]:
    return set(re.findall(r"(?<![\w.])[-+]?\d+(?:\.\d+)?%?", text))


def test_pdf_carries_the_same_numbers_as_the_html(demo_pack: dict) -> None:
    text = re.sub(r"<svg.*?</svg>", " ", demo_pack["html"], flags=re.S)
    text = re.sub(r"<style>.*?</style>", " ", text, flags=re.S)
    text = html_lib.unescape(re.sub(r"<[^>]+>", " ", text))
    pdf_text = re.sub(r"\s+", " ", " ".join(demo_pack["pages"]))
    missing = _numbers(text) - _numbers(pdf_text)
    assert not missing
    assert len(_numbers(text)) > 100


def test_summary_figures_equal_the_pages(demo_db, demo_pack: dict) -> None:
    summary = re.sub(r"\s+", " ", " ".join(demo_pack["pages"][:2]))
    rates = queries.wave_response_summary(demo_db, "Demo local authority")
    for w in rates[rates["comparable"]].itertuples():
        assert f"{w.wave}: {w.respondents} staff answered of about {int(w.invited)}" in summary
        assert f"({w.response_rate:.0f}%)" in summary
    for w in rates[~rates["comparable"]].itertuples():
        assert f"Not compared: {w.wave}" in summary
    comps = api.compare_waves(demo_db, site="Demo local authority")
    rows = comps[(comps["role"] == "All roles") & comps["suppressed"].isna()]
    for domain, group in rows.groupby("domain"):
        better = int((group["significant_holm"].astype(bool) & (group["diff"] > 0)).sum())
        more = int((group["diff"] > 0).sum())
        assert f"{more} of {len(group)} statements more agreed with" in summary, domain
        assert f"; {better} improved and" in summary, domain
    for name in queries.indicators(demo_db)["name"]:
        per_year = api.analyse_trend(demo_db, name)["ols"]["slope_per_year"]
        assert f"by about {fmt.count(abs(per_year))}" in summary, name


def test_cli_writes_a_pdf(demo_path: Path, demo_pack: dict, tmp_path: Path, capsys) -> None:
    # demo_pack is the command's own file (see the fixture); its pages are checked above
    assert demo_pack["code"] == 0 and demo_pack["pdf"].startswith(b"%PDF-")
    assert "Page 1 of" in demo_pack["pages"][0]
    assert len(demo_pack["pages"]) == len(demo_pack["document"].pages)
    out = tmp_path / "pack.docx"
    with pytest.raises(SystemExit):
        cli.main(["report", "--format", "docx", "--out", str(out), "--db", str(demo_path)])
    assert "invalid choice: 'docx'" in capsys.readouterr().err
    assert not out.exists()


def test_a_pack_is_cached_by_data_version(demo_db, worker_pack: dict) -> None:
    again = board_pack_pdf(demo_db, generated_at=WHEN)
    assert again is worker_pack["pdf"]  # same data, options and day: from the cache


def test_the_data_version_follows_every_write(writable_demo: Path) -> None:
    upload = b"wave,theme,polarity,excerpt,source\n+3 years,New theme,positive,Said,interview\n"
    with open_db(writable_demo) as db:
        before = data_version(db)
        assert data_version(db) == before
        commit(db, preview(db, parse_upload(db, upload, "themes.csv", "excerpts")))
        after = data_version(db)
    assert after != before


def test_chart_svgs_are_cached_by_spec() -> None:
    import altair as alt
    import pandas as pd

    report_svg.clear_cache()
    frame = pd.DataFrame({"x": [1, 2], "y": [3, 4]})
    chart = alt.Chart(frame).mark_line().encode(x="x", y="y").properties(width="container")
    spec = report_svg.chart_spec(chart)
    assert spec["width"] == report_svg.REPORT_WIDTH
    first = report_svg.render_svg(spec)
    assert report_svg.render_svg(report_svg.chart_spec(chart)) is first
    changed = report_svg.chart_spec(chart.properties(data=frame.assign(y=[3, 5])))
    assert report_svg.spec_key(changed) != report_svg.spec_key(spec)
    assert report_svg.render_svg(changed) is not first


def test_the_worker_builds_the_same_report(demo_path: Path, demo_pack: dict) -> None:
    # the overview's path: the whole pack is built in the worker process, from the same file
    with open_db(demo_path, read_only=True) as db:
        text = board_pack(db, format="html", generated_at=WHEN)
    assert text.decode("utf-8") == demo_pack["html"]
    # the worker runs at a lower priority, so the server's page reruns get the CPU first
    worker_nice = report_pdf._worker_pool().submit(os.nice, 0).result()
    assert worker_nice == min(os.nice(0) + report_pdf.worker_niceness(), 19)


def test_the_worker_niceness_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RPGDASH_REPORT_NICENESS", raising=False)
    assert report_pdf.worker_niceness() == 10  # the product's default
    monkeypatch.setenv("RPGDASH_REPORT_NICENESS", "3")
    assert report_pdf.worker_niceness() == 3
    monkeypatch.setenv("RPGDASH_REPORT_NICENESS", "20")
    with pytest.raises(ValueError, match="between 0 and 19"):
        report_pdf.worker_niceness()
    # the worker's initializer lowers its own priority by that much (here in a child process:
    # a process can never raise its priority again)
    script = (
        "import os; from rpgdash.report.pdf import _lower_priority as f; f(7); print(os.nice(0))"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert int(out.stdout) == min(os.nice(0) + 7, 19)


def test_a_writable_database_is_read_through_a_snapshot(writable_demo: Path) -> None:
    # the server holds a read-write file locked; the worker reads a DuckDB copy of it
    with open_db(writable_demo) as db:
        first = board_pack(db, format="html", generated_at=WHEN)
        upload = (
            b"wave,theme,polarity,excerpt,source\n+3 years,Fresh theme,positive,Said,interview\n"
        )
        commit(db, preview(db, parse_upload(db, upload, "themes.csv", "excerpts")))
        second = board_pack(db, format="html", generated_at=WHEN)
    snapshots = list(report_pdf.snapshot_folder().glob("*.duckdb"))
    assert snapshots and len(snapshots) <= report_pdf.SNAPSHOTS_KEPT
    assert b"Fresh theme" not in first and b"Fresh theme" in second  # a new version, not stale
