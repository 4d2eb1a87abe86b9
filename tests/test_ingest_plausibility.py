"""Values far from their stored series need an explicit confirmation (issue 10, item 12)."""

from __future__ import annotations

import pytest

from rpgdash.db import table_checksums
from rpgdash.ingest import InvalidContent, commit, parse_upload, preview
from rpgdash.ingest.cli import main
from tests.test_ingest_fixtures import build_fixture_db, db  # noqa: F401  (fixture)


def _months(n: int) -> list[str]:
    return [f"{2016 + m // 12}-{m % 12 + 1:02d}" for m in range(n)]


def _store(database, rows: list[tuple[str, float]], name: str, **kw):
    data = "indicator,month,value\n" + "".join(f"Referrals,{m},{v:g}\n" for m, v in rows)
    plan = preview(database, parse_upload(database, data.encode(), name, "indicators"))
    return plan, (lambda: commit(database, plan, **kw))


#: 24 stored months alternating 300 and 310: mean 305, every moving range 10, so the XmR
#: process limits (NHS England, "Making Data Count": mean +/- 2.66 x mean moving range) are
#: 305 - 26.6 = 278.4 and 305 + 26.6 = 331.6 (worked by hand).
STORED = [(m, 300.0 if i % 2 == 0 else 310.0) for i, m in enumerate(_months(24))]


def test_a_value_outside_the_process_limits_is_flagged_with_the_stored_range(db):  # noqa: F811
    _, store = _store(db, STORED, "history.csv")
    store()
    plan, store = _store(db, [("2018-01", 150), ("2018-02", 320), ("2018-03", 340)], "new.csv")
    assert plan.n_outliers == 2
    flagged = plan.outliers.to_dict("records")
    assert [(r["line"], r["value"]) for r in flagged] == [(2, 150.0), (4, 340.0)]
    assert (flagged[0]["stored_min"], flagged[0]["stored_max"]) == (300.0, 310.0)
    assert flagged[0]["lower_limit"] == pytest.approx(278.4)
    assert flagged[0]["upper_limit"] == pytest.approx(331.6)
    before = table_checksums(db)
    with pytest.raises(InvalidContent) as caught:
        store()
    assert str(caught.value).splitlines()[0] == (
        "new.csv:2: Referrals for 2018-01 at 'Demo Borough' is 150, far from its stored values "
        "(300 to 310 over 24 months; its process limits are 278.4 to 331.6); check the value, "
        "and if it is right store the file with --accept-outliers (on the upload page: tick "
        "that the values are right)."
    )
    assert table_checksums(db) == before
    assert commit(db, plan, accept_outliers=True).added == 3


def test_a_short_series_flags_values_far_outside_its_range(db):  # noqa: F811
    _, store = _store(db, [("2016-01", 300), ("2016-02", 450), ("2016-03", 380)], "short.csv")
    store()
    # Range 300-450 (width 150): 150 is inside 150..600, 10 is far outside it.
    plan, _ = _store(db, [("2016-04", 160), ("2016-05", 10)], "typo.csv")
    assert [r["value"] for r in plan.outliers.to_dict("records")] == [10.0]


def test_cli_refuses_outliers_unless_accepted(tmp_path, capsys):
    path = tmp_path / "p.duckdb"
    database = build_fixture_db(path)
    _, store = _store(database, STORED, "history.csv")
    store()
    database.close()
    new = tmp_path / "new.csv"
    new.write_text("indicator,month,value\nReferrals,2018-01,150\n")
    assert main(["ingest", "indicators", str(new), "--db", str(path)]) == 2
    assert capsys.readouterr().err.startswith("new.csv:2: Referrals for 2018-01")
    assert main(["ingest", "indicators", str(new), "--db", str(path), "--accept-outliers"]) == 0
    assert capsys.readouterr().out.startswith("Stored as upload 2: added 1")
