"""Making Data Count icons, their words and the summary table (rpgdash.mdc_icons)."""

from __future__ import annotations

import base64
import re
from xml.etree import ElementTree

import pytest

from rpgdash import mdc_icons
from rpgdash.stats.spc import ASSURANCE_TYPES, VARIATION_ICONS, xmr

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)


def test_vocabulary_is_nhsrplotthedots():
    # R/geom_ptd_icon.R (ptd_get_icons): the variation and assurance icon file names
    assert (
        set(mdc_icons.VARIATION_WORDS)
        == set(VARIATION_ICONS)
        == {
            "common_cause",
            "improvement_high",
            "improvement_low",
            "concern_high",
            "concern_low",
            "neutral_high",
            "neutral_low",
        }
    )
    assert set(mdc_icons.ASSURANCE_WORDS) == set(ASSURANCE_TYPES)


@pytest.mark.parametrize("icon", VARIATION_ICONS)
def test_variation_icon_has_its_words_and_letter(icon):
    root = parse(mdc_icons.variation_svg(icon))
    words = mdc_icons.VARIATION_WORDS[icon]
    assert root.get("role") == "img" and root.get("aria-label") == words
    assert root.find(f"{SVG}title").text == words
    letters = [t.text for t in root.iter(f"{SVG}text")]
    expected = {"high": ["H"], "low": ["L"]}.get(icon.rsplit("_", 1)[-1], [])
    assert letters == expected
    ring = root.find(f"{SVG}circle")
    colour = {"common": "#595959", "improvement": "#0077A3", "concern": "#A34A00"}.get(
        icon.split("_")[0], "#490092"
    )
    assert ring.get("stroke") == colour


@pytest.mark.parametrize(
    ("assurance", "letter", "colour"),
    [
        ("consistent_pass", "P", "#0077A3"),
        ("consistent_fail", "F", "#A34A00"),
        ("inconsistent", "?", "#595959"),
    ],
)
def test_assurance_icon(assurance, letter, colour):
    root = parse(mdc_icons.assurance_svg(assurance))
    assert [t.text for t in root.iter(f"{SVG}text")] == [letter]
    assert root.find(f"{SVG}circle").get("stroke") == colour
    assert root.get("aria-label") == mdc_icons.ASSURANCE_WORDS[assurance]
    assert mdc_icons.assurance_svg(None) is None


def test_high_icons_rise_and_low_icons_fall():
    def last_dot_y(icon: str) -> float:
        dots = [c for c in parse(mdc_icons.variation_svg(icon)).iter(f"{SVG}circle")][1:]
        return float(dots[-1].get("cy")) - float(dots[0].get("cy"))

    assert last_dot_y("improvement_high") < 0 < last_dot_y("concern_low")  # SVG y grows down


def test_data_uri_round_trips():
    svg = mdc_icons.variation_svg("common_cause")
    uri = mdc_icons.data_uri(svg)
    assert uri.startswith("data:image/svg+xml;base64,")
    assert base64.b64decode(uri.split(",", 1)[1]).decode() == svg


def test_key_lists_every_icon_once():
    key = mdc_icons.icon_key()
    assert [e.code for e in key] == [*VARIATION_ICONS, *ASSURANCE_TYPES]
    assert all(e.meaning and e.svg.startswith("<svg") for e in key)


def test_summary_row_and_tables():
    # [10, 12] x 6 + [30]: mean 162/13 = 12.46, AMR 2 after screening, limits 7.14 and 17.78 (see
    # tests/test_stats_spc.py); higher is better, so 30 is an improvement, and a target of 5
    # lies below the lower limit: consistent pass
    values = [10, 12] * 6 + [30]
    months = [f"2016-{m:02d}" for m in range(1, 13)] + ["2017-01"]
    spc = xmr(months, values, direction="increase", target=5)
    row = mdc_icons.summary_row("Visits", "visits", {"spc": spc}, target=5, direction="increase")
    assert (row.latest_month, row.latest_value, row.variation_icon) == (
        "2017-01",
        30,
        "improvement_high",
    )
    assert row.assurance == "consistent_pass"
    assert row.mean == pytest.approx(162 / 13)
    assert (row.lower, row.upper) == pytest.approx((162 / 13 - 5.32, 162 / 13 + 5.32))
    shown = mdc_icons.summary_table([row])
    assert shown.loc[0, "Latest month"] == "Jan 2017"
    assert shown.loc[0, "Process limits"] == f"{row.lower:,.1f} to {row.upper:,.1f}"
    assert shown.loc[0, "Variation"] == "Special cause improvement: higher than expected"
    assert shown.loc[0, "Assurance"] == "Consistently passes the target"
    assert re.match(r"<svg ", shown.loc[0, "Assurance icon"])
    csv = mdc_icons.summary_csv_frame([row])
    assert csv.loc[0, "variation_icon"] == "improvement_high"
    assert csv.loc[0, "assurance"] == "consistent_pass"


@pytest.mark.parametrize(
    ("target", "direction", "words"),
    [
        (None, "increase", "No target set"),
        (5.0, "neutral", "No assurance: neither direction is better"),
    ],
)
def test_no_assurance_is_explained(target, direction, words):
    spc = xmr(["2016-01", "2016-02", "2016-03"], [1, 2, 3], direction=direction, target=target)
    row = mdc_icons.summary_row("X", "x", {"spc": spc}, target=target, direction=direction)
    assert row.assurance is None and row.assurance_words == words
    assert mdc_icons.summary_table([row]).loc[0, "Assurance icon"] is None
