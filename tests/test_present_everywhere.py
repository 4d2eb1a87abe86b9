"""Issue 11, "Done when": every page, for every site, on a database that has grown.

The demo database gets, through the real upload pipeline (parse, preview, commit): a third
survey wave (+5 years) for the demo site, a second site with its own survey answers and a
monthly series, and a new uploaded indicator. Then every page runs for every site with no
exception or error box, every table, metric and caption a user reads is checked for codes,
``None``/``nan``/``NaT`` and raw timestamps, every glossary link lands on a heading of the
Method page, and the overview's headlines appear word for word in the board report.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from rpgdash import queries
from rpgdash.db import Database, open_db
from rpgdash.ingest import WaveDetails, commit, parse_upload, preview
from rpgdash.present import format as fmt
from rpgdash.present import glossary
from rpgdash.present.overview import build_overview_panel
from rpgdash.report import build_report
from tests.conftest import ROOT, shared_app_env
from tests.test_pages import PAGES

# One xdist worker runs this file: its grown demo (about 4 s) is built once, and its pages share
# warm caches.
pytestmark = [pytest.mark.page, pytest.mark.xdist_group("present_everywhere")]

SECOND_SITE = "Second borough"
NEW_INDICATOR = "Supervision sessions held"
THIRD_WAVE = "+5 years"
WHEN = dt.datetime(2026, 1, 1, 9, 0)
#: Respondents per role in each generated wave: Senior social worker and Other stay below the
#: disclosure threshold (5), so the new data also exercise suppression.
SIZES = {
    "Senior manager": 7,
    "Team manager": 9,
    "Lead practitioner": 8,
    "Senior social worker": 3,
    "Social worker": 24,
    "Other": 2,
}


def _store(db: Database, data: bytes, name: str, kind: str, **kw) -> None:
    new = kw.pop("new_indicators", None)
    parsed = parse_upload(db, data, name, kind, **kw)
    commit(db, preview(db, parsed), new_indicators=new, user="analyst@example.org")


def _survey_csv(db: Database, site: str, wave: str, shift: int) -> bytes:
    """Answers for every stored statement, deterministic, leaning to agreement by ``shift``."""
    with db.cursor() as cur:
        statements = cur.execute("SELECT domain, text FROM statements ORDER BY ALL").fetchall()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["site", "wave", "respondent_id", "role", "domain", "statement", "score"])
    person = 0
    for role, n in SIZES.items():
        for _ in range(n):
            person += 1
            for j, (domain, text) in enumerate(statements):
                score = min(4, 1 + (person * 5 + j * 3 + shift) % 4 + (person + j) % 3 // 2)
                writer.writerow(
                    [site, wave, f"{site[:2]}{wave[1]}-{person}", role, domain, text, score]
                )
    return out.getvalue().encode()


def _series_csv(name: str, months: pd.DatetimeIndex, start: float) -> bytes:
    rows = [f"{name},{m:%Y-%m},{start + (i % 5) - 0.4 * i:.0f}" for i, m in enumerate(months)]
    return ("\n".join(["indicator,month,value", *rows]) + "\n").encode()


@pytest.fixture(scope="module")
def grown_db(demo_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("grown") / "grown.duckdb"
    shutil.copy(demo_path, path)
    site = "Demo local authority"
    months = pd.date_range("2016-01-01", "2018-12-01", freq="MS")
    with open_db(path) as db:
        # A series for a site not stored yet creates it (the upload page's "site" choice).
        second = _series_csv("Referrals", months, 90)
        _store(db, second, "second.csv", "indicators", site=SECOND_SITE)
        third = WaveDetails(THIRD_WAVE, dt.date(2020, 10, 1), dt.date(2020, 11, 30), 210)
        _store(db, _survey_csv(db, site, THIRD_WAVE, 2), "wave5.csv", "survey", wave=third)
        for wave, shift in (("+1 year", 0), ("+3 years", 1)):
            _store(db, _survey_csv(db, SECOND_SITE, wave, shift), f"second-{wave}.csv", "survey")
        _store(
            db,
            _series_csv(NEW_INDICATOR, months, 60),
            "supervision.csv",
            "indicators",
            site=site,
            new_indicators={NEW_INDICATOR: ("sessions", "increase")},
        )
    return path


@pytest.fixture(scope="module")
def _grown_app_db(grown_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Path(shutil.copy(grown_db, tmp_path_factory.mktemp("grown-app") / "grown.duckdb"))


@pytest.fixture
def grown_env(_grown_app_db: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The app on one copy of the grown demo, shared by this file's page tests (they only
    read, and share the app's warm caches; a test that wrote would fail)."""
    yield from shared_app_env(monkeypatch, _grown_app_db)


def test_the_uploads_went_in(grown_db: Path) -> None:
    with open_db(grown_db, read_only=True) as db:
        assert SECOND_SITE in queries.site_names(db)
        assert THIRD_WAVE in queries.wave_labels(db)
        assert NEW_INDICATOR in set(queries.indicators(db)["name"])
        assert len(queries.indicator_series(db, "Referrals", site=SECOND_SITE)) == 36
        assert len(queries.upload_history(db)) == 5


# --- what a reader sees -----------------------------------------------------------------------

ISO_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}|$)")
SNAKE = re.compile(r"^[a-z]+(_[a-z0-9]+)+$")
MISSING_WORDS = {"None", "nan", "NaN", "NaT", "<NA>"}


def _image_columns(element: object) -> set[str]:
    """Columns drawn as images (a missing image is an empty cell, not a word)."""
    config = json.loads(element.proto.columns or "{}")
    return {
        name.removeprefix("name:")
        for name, spec in config.items()
        if (spec.get("type_config") or {}).get("type") == "image"
    }


def _frame_problems(where: str, frame: pd.DataFrame, skip: set[str] = frozenset()) -> list[str]:
    out = [f"{where}: header {c!r}" for c in frame.columns if SNAKE.match(str(c))]
    out += [f"{where}: header {c!r}" for c in frame.columns if ISO_STAMP.search(str(c))]
    shown = frame[[c for c in frame.columns if c not in skip]]
    for value in shown.astype(object).to_numpy().ravel():
        if isinstance(value, pd.Timestamp | dt.datetime | dt.date):
            out.append(f"{where}: raw date {value!r}")
            continue
        text = str(value)
        if text in MISSING_WORDS or fmt.is_missing(value):
            out.append(f"{where}: missing shown as {text!r}")
        elif ISO_STAMP.search(text) or SNAKE.match(text):
            out.append(f"{where}: cell {text!r}")
    return out


def _text_problems(where: str, text: str) -> list[str]:
    out = []
    # "None" as a value, not the word starting "None of this shows ...".
    for word in (r"None(?=$|[^\w\s-]|\s+[^a-z\s])", "nan", "NaT"):
        if re.search(rf"(?<![\w-]){word}(?![\w-])", text):
            out.append(f"{where}: {word!r} in {text[:80]!r}")
    if ISO_STAMP.search(text):
        out.append(f"{where}: raw timestamp in {text[:80]!r}")
    return out


def readability_problems(at: AppTest) -> list[str]:
    """Every table, metric, caption and expander label on the page, checked for reading."""
    out = []
    for i, frame in enumerate(at.dataframe):
        out += _frame_problems(f"dataframe {i}", frame.value, _image_columns(frame))
    for i, table in enumerate(at.table):
        out += _frame_problems(f"table {i}", table.value)
    for metric in at.metric:
        out += _text_problems("metric", f"{metric.label} {metric.value} {metric.proto.delta}")
        if SNAKE.match(metric.label):
            out.append(f"metric label {metric.label!r}")
    for caption in at.caption:
        out += _text_problems("caption", caption.value)
    for expander in at.expander:
        out += _text_problems("expander", expander.label)
    for button in at.get("download_button"):
        out += _text_problems("download", button.proto.label)
    return out


def _problems(at: AppTest) -> list[str]:
    return [e.value for e in at.exception] + [e.value for e in at.error]


def _links(at: AppTest) -> set[str]:
    texts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    return {m for t in texts for m in re.findall(r"\]\(([^)\s]+)\)", t)}


def _every_site(page: str):
    """The app on ``page``, switched to each stored site in turn (yields the site)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert _problems(at) == []
    at.switch_page(page).run()
    sites = at.selectbox(key="site").options
    assert SECOND_SITE in sites
    for site in sites:
        at.selectbox(key="site").set_value(site).run()
        yield at, site


@pytest.mark.parametrize("page", PAGES)
def test_every_page_for_every_site_draws_and_reads_as_words(grown_env: Path, page: str) -> None:
    """No error; no code, None/nan/NaT or raw timestamp a user reads; links go to glossary
    headings. (One run of each page for each site serves every check.)"""
    for at, site in _every_site(page):
        assert _problems(at) == [], (page, site)
        assert at.title, (page, site)
        problems = readability_problems(at)
        assert problems == [], (page, site, problems)
        for target in _links(at):
            if not target.startswith(("http", "mailto")):
                anchor = target.split("#", 1)[1] if "#" in target else ""
                assert target == f"{glossary.METHOD_PAGE}#{anchor}", (page, target)
                assert anchor in glossary.BY_ANCHOR, (page, target)


def test_glossary_links_land_on_a_heading_of_the_method_page(grown_env: Path) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/about.py").run()
    anchors = {h.proto.anchor for h in (*at.header, *at.subheader) if h.proto.anchor}
    assert set(glossary.BY_ANCHOR) <= anchors
    required = {
        "mann-kendall",
        "sens-slope",
        "cliffs-delta",
        "holm",
        "xmr",
        "process-limits",
        "trial-limits",
        "its",
        "percent-agree",
        "disclosure-threshold",
    }
    assert required <= set(glossary.BY_ANCHOR)
    # The page URL the links use is the one st.navigation gives pages/about.py.
    assert Path("pages/about.py").stem == glossary.METHOD_PAGE
    assert glossary.link("holm") == "[Holm adjustment](about#holm)"


def test_overview_headlines_are_in_the_report_for_every_site(grown_db: Path) -> None:
    with open_db(grown_db, read_only=True) as db:
        for site in (SECOND_SITE, "Demo local authority"):
            panel = build_overview_panel(db, site=site)
            report = html.unescape(build_report(db, site=site, generated_at=WHEN))
            sentences = panel.headline_sentences()
            assert any(THIRD_WAVE in s for s in sentences) or site == SECOND_SITE
            for sentence in sentences:
                assert f"<li>{sentence}</li>" in report, (site, sentence)
