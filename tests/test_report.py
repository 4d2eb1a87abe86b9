"""The board report: complete, equal to the pages' numbers, self-contained, accessible."""

from __future__ import annotations

import datetime as dt
import html
import re
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from streamlit.testing.v1 import AppTest

import rpgdash
from rpgdash import cli, mdc_icons, model, queries
from rpgdash.db import open_db
from rpgdash.demo import WORKFORCE
from rpgdash.demo_evidence import EXCERPTS
from rpgdash.ingest import commit, parse_upload, preview
from rpgdash.present import format as fmt
from rpgdash.present import headlines, narrative
from rpgdash.present import indicators as present
from rpgdash.present import overview as present_overview
from rpgdash.report import APPENDIX, SECTIONS, SUMMARY, build_report, report_file_name
from tests.conftest import REPORT_TIME, ROOT
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

WHEN = REPORT_TIME
pytestmark = pytest.mark.xdist_group("report")  # one worker builds the report once


class Outline(HTMLParser):
    """Headings, tables (caption + rows of cell text), svg attributes and every tag seen."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[tuple[int, str]] = []
        self.tables: dict[str, list[list[str]]] = {}
        self.svgs: list[dict[str, str]] = []
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.th_without_scope = 0
        self._text: list[str] | None = None
        self._caption: str | None = None
        self._rows: list[list[str]] = []
        self._row: list[str] | None = None
        self._heading: int | None = None
        self._svg_title = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if re.fullmatch(r"h[1-6]", tag):
            self._heading, self._text = int(tag[1]), []
        elif tag == "caption":
            self._text = []
        elif tag == "table":
            self._rows, self._caption = [], None
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._text = []
            if tag == "th" and "scope" not in attributes:
                self.th_without_scope += 1
        elif tag == "svg":
            self.svgs.append(attributes)
            self._svg_title = True
        elif tag == "title" and self._svg_title:
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        text = "".join(self._text or []).strip()
        if re.fullmatch(r"h[1-6]", tag) and self._heading:
            self.headings.append((self._heading, text))
            self._heading, self._text = None, None
        elif tag == "caption":
            self._caption, self._text = text, None
        elif tag in ("td", "th") and self._row is not None:
            self._row.append(text)
            self._text = None
        elif tag == "tr" and self._row is not None:
            self._rows.append(self._row)
            self._row = None
        elif tag == "table":
            self.tables[self._caption or f"table {len(self.tables)}"] = self._rows
        elif tag == "title" and self._svg_title and self._text is not None:
            self.svgs[-1]["title"] = text
            self._text, self._svg_title = None, False

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)


def outline(text: str) -> Outline:
    parsed = Outline()
    parsed.feed(text)
    return parsed


@pytest.fixture
def report(board_report: str) -> str:
    return board_report  # built once per session (tests/conftest.py)


@pytest.fixture(scope="module")
def other_report(demo_path: Path) -> str:
    with open_db(demo_path, read_only=True) as db:
        return build_report(db, role="Other", generated_at=WHEN)


def test_every_section_is_present_in_order(report: str) -> None:
    heads = [t for level, t in outline(report).headings if level == 2]
    assert heads == [SUMMARY[1], APPENDIX[1], *(title for _, title in SECTIONS)]
    for anchor, _ in (SUMMARY, *SECTIONS):
        assert f'<section id="{anchor}"' in report
    for anchor, _ in (SUMMARY, APPENDIX, *SECTIONS):
        assert f'<a class="toc" href="#{anchor}">' in report


def test_domain_summaries_and_means_equal_the_pages(demo_db, report: str) -> None:
    parsed = outline(report)
    comps = rpgdash.compare_waves(demo_db, site="Demo local authority")
    for domain, title in [
        ("professional", "Professional practice"),
        ("self_efficacy", "Self-efficacy"),
        ("relationships", "Relationships"),
    ]:
        rows = comps[(comps["domain"] == domain) & (comps["role"] == "All roles")]
        assert html.escape(narrative.domain_summary(rows)) in report
        where = "All roles, +1 year and +3 years"
        table = parsed.tables[f"{title}: results per statement, {where}"]
        header, body = table[0], table[1:]
        assert header[0] == "Statement" and len(body) == len(rows)
        for cells, row in zip(body, rows.itertuples(), strict=True):
            record = dict(zip(header, cells, strict=True))
            assert record["Statement"] == row.statement
            assert record["% agree (+3 years)"] == f"{row.pct_agree_b:.0f}%"
            assert record["Change in % agree"] == f"{row.pct_agree_change:+.0f} points"
            assert record["n (+1 year, +3 years)"] == f"{row.n_a}, {row.n_b}"
            assert record["Significant (95%, not adjusted)"] == ("yes" if row.significant else "no")
        table = parsed.tables[f"{title}: every statistic per statement, {where}"]
        header, body = table[0], table[1:]
        for cells, row in zip(body, rows.itertuples(), strict=True):
            record = dict(zip(header, cells, strict=True))
            assert record["Mean (+3 years)"] == f"{row.mean_b:.2f}"
            assert record["Mean (+1 year)"] == f"{row.mean_a:.2f}"
            lo, hi = row.pct_agree_ci_b
            assert record["% agree, 95% CI (+3 years)"] == f"{lo:.0f} to {hi:.0f}"
            assert record["n (+3 years)"] == str(row.n_b)
            p = "< 0.001" if row.p_value < 0.001 else f"{row.p_value:.3f}"
            assert record["p"] == p
            lo, hi = row.delta_ci
            assert record["Cliff's delta, 95% CI"] == f"{lo:+.2f} to {hi:+.2f}"
            lo, hi = row.wave_or_ci
            assert record["Odds ratio, 95% CI"] == f"{lo:.2f} to {hi:.2f}"
        models = rpgdash.compare_domains(demo_db, site="Demo local authority")
        model = models[models["domain"] == domain].iloc[0]
        sentence = narrative.model_sentence(model, "+1 year", "+3 years", scope="across the set")
        assert html.escape(sentence) in report


def test_domain_sections_carry_the_survey_pages_sentences_word_for_word(
    demo_db, report: str
) -> None:
    from rpgdash.present import survey as present_survey

    text = html.unescape(re.sub(r"<[^>]+>", " ", report))
    for domain in ("professional", "self_efficacy", "relationships"):
        # the page's panel for the report's choices: default site, All roles, no adjustment
        panel = present_survey.build_domain_panel(
            demo_db, "Demo local authority", domain, "All roles", "+1 year", "+3 years", "none", 5
        )
        assert len(panel.sentences()) >= 8  # summary, n, model, caveat, 2 x (takeaway, help)
        for sentence in panel.sentences():
            assert sentence in text, sentence
        for line in panel.roles.table["Job role"]:
            assert line in text


def test_headlines_match_the_overview_counts(demo_db, report: str) -> None:
    comps = rpgdash.compare_waves(demo_db, site="Demo local authority")
    text = html.unescape(report)
    for head in headlines.domain_headlines(comps, "All roles"):
        n = head.statements
        assert (
            f"{fmt.plural(n, 'statement')}: {fmt.share(head.improved, n)} more agreed with than "
            f"at +1 year; {fmt.share(head.significant, n)} improved significantly at the 95% "
            "level (Mann-Whitney U, not adjusted for testing many statements;" in text
        )
    assert "Survey at +1 year: 47 staff answered of about 214 invited (22%)." in report
    assert "Survey at +3 years: 75 staff answered of about 234 invited (32%)." in report


def test_indicator_sentences_use_the_default_change_point(demo_db, report: str) -> None:
    events = queries.events(demo_db, site="Demo local authority")
    for row in queries.indicators(demo_db).itertuples():
        series = queries.indicator_series(demo_db, row.name)
        point = headlines.default_change_point(series["month"], events)
        result = rpgdash.analyse_trend(demo_db, row.name, change_point=point)
        assert html.escape(present.trend_sentence(result, unit=row.unit)) in report
        assert html.escape(present.its_sentence(result["its"], unit=row.unit)) in report
    assert html.escape(present.ITS_CAVEAT) in report


def test_workforce_table_is_table_2(report: str) -> None:
    table = outline(report).tables["Workforce measures by year, percent (Table 2)"]
    assert table[0] == ["Measure (%)", "2015", "2016", "2017", "2018"]
    body = {row[0]: row[1:] for row in table[1:]}
    for measure, values in WORKFORCE.items():
        # Table 2 is published with one decimal; the panel keeps it (14.0, not 14).
        assert body[measure] == [fmt.number(v, 1) for v in values]


def test_themes_model_method_and_provenance(demo_db, report: str) -> None:
    for theme in queries.themes(demo_db)["name"]:
        assert html.escape(theme) in report
    assert report.count("(illustrative)</footer>") == len(EXCERPTS)
    cmo = model.build_model(
        model.collect_inputs(demo_db, site="Demo local authority", role="All roles", min_group=5)
    )
    for node in cmo.nodes:
        assert html.escape(node.label) in report
        for line in node.evidence:
            assert f"<li>{html.escape(line)}</li>" in report
    assert "Survey method" in report and "Mann-Whitney U test" in report
    assert "No file has been uploaded." in report
    origin = outline(report).tables["Where the stored rows for Demo local authority came from"]
    assert origin[1] == ["survey respondents", "122", "0"]
    assert "illustrative" in report and "Table 2" in report
    assert "fewer than 5 respondents in +1 year and +3 years (primary suppression)" in report


def test_the_generation_date_is_the_only_variable_part(demo_path: Path, report: str) -> None:
    # Built again with another date, the report differs in the date alone; so, built at the
    # same time, it would be the same file.
    with open_db(demo_path, read_only=True) as db:
        later = build_report(db, generated_at=dt.datetime(2026, 1, 2))
    assert later != report
    assert (
        later.replace("2 January 2026", "1 March 2025").replace("2026-01-02", "2025-03-01")
        == report
    )
    assert "1 March 2025" in report
    assert "01 March" not in report  # one date format: no leading zero


_ICON_WORDS = {*mdc_icons.VARIATION_WORDS.values(), *mdc_icons.ASSURANCE_WORDS.values()}


def _charts(parsed: Outline) -> list[dict[str, str]]:
    """The chart SVGs, leaving out the Making Data Count icons."""
    return [
        svg
        for svg in parsed.svgs
        if "aria-hidden" not in svg and svg["aria-label"] not in _ICON_WORDS
    ]


def test_summary_of_variation_and_assurance(demo_db, report: str) -> None:
    # the same rows the Indicators page shows, built by mdc_icons.summary_row
    assert '<section id="mdc-summary"' in report
    section = report[report.index('<section id="mdc-summary"') :]
    section = section[: section.index("</section>")]
    for row in queries.indicators(demo_db).itertuples():
        series = queries.indicator_series(demo_db, row.name)
        change = headlines.default_change_point(series["month"], queries.events(demo_db))
        result = rpgdash.analyse_trend(demo_db, row.name, change_point=change)
        icon = result["spc"]["summary"]["variation_icon"]
        assert f'<th scope="row">{html.escape(row.name)}</th>' in section
        assert html.escape(mdc_icons.VARIATION_WORDS[icon]) in section
    icons = [s for s in outline(section).svgs if s["aria-label"] in _ICON_WORDS]
    assert len(icons) >= 4 + len(mdc_icons.icon_key())  # one per indicator, plus the key
    assert all(s["title"] == s["aria-label"] and "xmlns" not in s for s in icons)


def test_it_makes_no_network_request(report: str) -> None:
    lowered = report.lower()
    assert "<script" not in lowered and "<link" not in lowered and "<iframe" not in lowered
    assert "@import" not in lowered and "src=" not in lowered and "url(http" not in lowered
    for match in re.finditer(r"https?://", report):
        before = report[max(0, match.start() - 9) : match.start()]
        assert before == '<a href="', report[match.start() - 40 : match.end() + 40]


def test_accessible_structure(report: str) -> None:
    parsed = outline(report)
    assert report.startswith('<!DOCTYPE html>\n<html lang="en-GB">')
    assert re.search(r"<title>[^<]+</title>", report)
    levels = [level for level, _ in parsed.headings]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False))
    assert parsed.tables and all(not c.startswith("table ") for c in parsed.tables)
    assert parsed.th_without_scope == 0
    # dumbbells and diverging bars (one each per domain), SPC, workforce, benchmarks
    assert len(_charts(parsed)) == 3 + 3 + 4 + 1 + 4
    for svg in parsed.svgs:
        assert "xmlns" not in svg
        if svg.get("aria-hidden") == "true":  # a summary status icon: its words follow it
            assert svg["class"] == "status-icon"
            continue
        assert svg["role"] == "img" and svg["aria-label"] and svg["title"] == svg["aria-label"]
    ids = [a["id"] for _, a in parsed.tags if "id" in a]
    assert len(ids) == len(set(ids)), "duplicate ids"
    assert "@page { size: A4" in report and "break-inside: avoid" in report


def test_each_chart_is_labelled_with_its_summary_sentence(demo_db, report: str) -> None:
    labels = [svg.get("aria-label") for svg in outline(report).svgs]
    comps = rpgdash.compare_waves(demo_db, site="Demo local authority", role="All roles")
    summary = narrative.domain_summary(comps[comps["domain"] == "relationships"])
    assert summary in labels


def test_a_suppressed_role_shows_no_numbers(other_report: str) -> None:
    assert (
        "No results are shown for Other: fewer than 5 people in this role answered at +1 year "
        "and +3 years"
    ) in other_report
    assert "Professional practice (Other): " not in other_report
    parsed = outline(other_report)
    assert len(_charts(parsed)) == 4 + 1 + 4  # no dumbbells: SPC, workforce, benchmarks
    assert not any(c.startswith("Professional practice: results") for c in parsed.tables)
    linked = [c for c in parsed.tables if c.startswith("Survey statements linked to")]
    assert linked
    for caption in linked:
        for row in parsed.tables[caption][1:]:
            assert row[1:] == ["fewer than 5 responses"]
    assert "</footer></blockquote>" not in other_report  # no excerpt of Other is quoted
    assert other_report.count("Excerpts from Other are not shown") == len(
        {e[1] for e in EXCERPTS if e[3] == "Other"}
    )


def test_stored_text_is_escaped_and_uploads_are_listed(writable_demo: Path) -> None:
    upload = (
        b"wave,theme,polarity,excerpt,source\n"
        b'+3 years,<b>Bold</b> theme,positive,"<script>alert(1)</script> & more",'
        b'"interview, Team manager"\n'
    )
    with open_db(writable_demo) as db:
        commit(db, preview(db, parse_upload(db, upload, "coded <1>.csv", "excerpts")))
        text = build_report(db, generated_at=WHEN)
    assert "<script" not in text and "<b>Bold" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in text
    assert "&lt;b&gt;Bold&lt;/b&gt; theme" in text
    rows = outline(text).tables["Upload history, newest first"]
    assert rows[1][2:5] == ["excerpts", "coded <1>.csv", "1"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", rows[1][1])


def test_cli_writes_the_report_and_refuses_unknown_choices(
    demo_path: Path, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "board.html"
    assert cli.main(["report", "--out", str(out), "--db", str(demo_path)]) == 0
    assert "Wrote the board report to" in capsys.readouterr().out
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    code = cli.main(["report", "--out", str(out), "--db", str(demo_path), "--role", "Nobody"])
    assert code == 2
    assert capsys.readouterr().err == "error: There is no job role called 'Nobody'.\n"
    code = cli.main(["report", "--out", str(out), "--db", str(demo_path), "--site", "X"])
    assert code == 2
    assert "There is no site called 'X'" in capsys.readouterr().err


def test_report_file_name() -> None:
    name = report_file_name("Demo local authority", "All roles", dt.date(2025, 3, 1))
    assert name == "rpg-board-report_demo-local-authority_all-roles_2025-03-01.html"


def _render(path: Path, out: Path) -> dict:
    """Open ``path`` in Chromium; screenshot and print it to PDF under ``out``."""
    requests: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1000, "height": 1400})
        page.on("request", lambda r: requests.append(r.url))
        page.goto(path.as_uri())
        page.wait_for_selector("h1")
        found = {
            "h1": page.inner_text("h1"),
            "widths": page.eval_on_selector_all(
                "figure.chart svg[role=img]", "els => els.map(e => e.getBoundingClientRect().width)"
            ),
        }
        page.screenshot(path=out / "report.png", full_page=True)
        page.emulate_media(media="print")
        page.pdf(path=out / "report.pdf", format="A4")
        browser.close()
    found["requests"] = requests
    return found


@pytest.mark.browser
def test_it_renders_in_chromium_without_requests(report: str, tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    path.write_text(report, encoding="utf-8")
    # Playwright's sync API refuses to start inside another Playwright session's event loop
    # (the browser tests may hold one in this process), so it runs in a thread of its own.
    with ThreadPoolExecutor(max_workers=1) as pool:
        found = pool.submit(_render, path, tmp_path).result(timeout=120)
    assert found["requests"] == [path.as_uri()]
    assert found["h1"] == "Reflective practice groups: board report"
    assert len(found["widths"]) == 15 and min(found["widths"]) > 300
    assert (tmp_path / "report.png").stat().st_size > 50_000
    pages = re.findall(rb"/Type\s*/Page[^s]", (tmp_path / "report.pdf").read_bytes())
    assert len(pages) > 5  # an A4 board paper, not one endless page


@pytest.mark.page
def test_overview_offers_the_board_report(reading_app_env: Path) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    assert not at.exception
    buttons = [b.proto for b in at.get("download_button")]
    labels = [b.label for b in buttons]
    assert "Download the board report (HTML)" in labels
    assert "Download the board pack (PDF)" in labels
    assert "Board report" in [m.value for m in at.markdown if m.value.startswith("## ")][-1]
    # each survey set and indicator card shows the status the board pack's summary gives it
    with open_db(reading_app_env) as db:  # the app's configuration: one DuckDB instance
        panel = present_overview.build_overview_panel(db, site=queries.default_site(db))
    badges = [m.value for m in at.markdown if "-badge[" in m.value]
    expected = [c.status for c in (*panel.domain_cards, *panel.indicator_cards)]
    assert len(badges) == len(expected) == 3 + len(panel.indicator_cards)
    for badge, status in zip(badges, expected, strict=True):
        assert f"{status.icon} {status.words}" in badge
