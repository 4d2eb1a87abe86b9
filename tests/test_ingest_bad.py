"""The corpus of bad files: each is refused with its exact message and nothing is written."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from rpgdash.db import table_checksums
from rpgdash.ingest import (
    ConflictError,
    FileTooLarge,
    IngestError,
    InvalidContent,
    WaveDetails,
    commit,
    parse_upload,
    preview,
)
from tests.test_ingest_fixtures import db  # noqa: F401  (fixture)

BAD = Path(__file__).parent / "data" / "bad"
with open(BAD / "expected.csv", newline="", encoding="utf-8") as f:
    EXPECTED = list(csv.DictReader(f))


def test_corpus_is_large_enough_and_complete():
    listed = {row["file"] for row in EXPECTED}
    on_disk = {p.name for p in BAD.iterdir() if p.name != "expected.csv"}
    assert listed == on_disk
    assert len(listed) >= 25


@pytest.mark.parametrize("row", EXPECTED, ids=[r["file"] for r in EXPECTED])
def test_bad_file_is_refused_with_its_message(db, row):  # noqa: F811
    before = table_checksums(db)
    data = (BAD / row["file"]).read_bytes()
    with pytest.raises(IngestError) as caught:
        parsed = parse_upload(db, data, row["file"], row["kind"], wave=WaveDetails("+1 year"))
        commit(db, preview(db, parsed))
    lines = str(caught.value).splitlines()
    assert lines[0] == row["first_line"]
    assert len(caught.value.problems) == int(row["problems"])
    assert table_checksums(db) == before


def test_oversize_file_is_refused_before_reading(db, monkeypatch):  # noqa: F811
    monkeypatch.setenv("RPGDASH_MAX_UPLOAD_MB", "1")
    before = table_checksums(db)
    data = b"indicator,month,value\n" + b"Referrals,2018-01,5\n" * 80_000
    with pytest.raises(FileTooLarge) as caught:
        parse_upload(db, data, "big.csv", "indicators")
    assert str(caught.value) == (
        "big.csv: the file is 1.5 MB, above the upload limit of 1 MB (setting "
        "RPGDASH_MAX_UPLOAD_MB); split it into smaller files, or ask whoever runs the "
        "dashboard to raise the limit."
    )
    assert table_checksums(db) == before


def test_every_problem_is_listed_not_just_the_first(db):  # noqa: F811
    data = (
        b"indicator,month,value\nReferrals,2018-01,abc\nReferrals,2018-13,5\n"
        b"Referrals,2018-03,-1\nReferrals,2018-04,ok\n"
    )
    with pytest.raises(InvalidContent) as caught:
        parse_upload(db, data, "many.csv", "indicators")
    assert [str(p) for p in caught.value.problems] == [
        "many.csv:2:C: 'abc' is not a number; write digits only (e.g. 1,234.5), or NA if the "
        "value is missing.",
        "many.csv:3:B: '2018-13' is not a month: there is no month 13.",
        "many.csv:4:C: '-1' is negative; counts and rates cannot be below zero. Correct the "
        "value, or write NA if it is not known.",
        "many.csv:5:C: 'ok' is not a number; write digits only (e.g. 1,234.5), or NA if the "
        "value is missing.",
    ]


def test_problem_list_is_capped_with_a_count(db):  # noqa: F811
    data = b"indicator,month,value\n" + b"".join(
        f"Referrals,{2000 + i // 12}-{i % 12 + 1:02d},bad\n".encode() for i in range(250)
    )
    with pytest.raises(InvalidContent) as caught:
        parse_upload(db, data, "capped.csv", "indicators")
    text = str(caught.value).splitlines()
    assert len(text) == 201
    assert text[-1] == "... and 50 more problems."


def test_conflicting_values_are_refused_without_replace(db):  # noqa: F811
    first = b"indicator,month,value\nReferrals,2018-01,5\nReferrals,2018-02,6\n"
    commit(db, preview(db, parse_upload(db, first, "first.csv", "indicators")))
    before = table_checksums(db)
    second = b"indicator,month,value\nReferrals,2018-01,5\nReferrals,2018-02,7\n"
    plan = preview(db, parse_upload(db, second, "second.csv", "indicators"))
    with pytest.raises(ConflictError) as caught:
        commit(db, plan)
    assert str(caught.value) == (
        "second.csv:3: Referrals for February 2018 at 'Demo Borough' is stored as 6 (upload 1); "
        "this file has 7. Store it with replace (--replace) to change the stored value, or "
        "correct the file."
    )
    assert table_checksums(db) == before


def test_unknown_indicator_needs_unit_and_direction(db):  # noqa: F811
    before = table_checksums(db)
    data = b"indicator,month,value\nReferals,2018-01,5\n"
    plan = preview(db, parse_upload(db, data, "typo.csv", "indicators"))
    assert plan.unknown_indicators == {"Referals": ["Referrals"]}
    with pytest.raises(InvalidContent) as caught:
        commit(db, plan)
    assert str(caught.value) == (
        # Issue 10, item 11: the message names the line.
        "typo.csv:2: the indicator 'Referals' is not stored yet; give its unit and improvement "
        "direction (increase, decrease or neutral) to create it (or correct the name: stored "
        "indicators include 'Referrals')."
    )
    assert table_checksums(db) == before
