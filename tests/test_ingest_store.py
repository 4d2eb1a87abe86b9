"""Preview, commit, history and revert: all or nothing, idempotent, exact."""

from __future__ import annotations

import threading

import pytest

from rpgdash.db import table_checksums
from rpgdash.ingest import (
    ConflictError,
    RevertRefused,
    WaveDetails,
    commit,
    list_uploads,
    parse_upload,
    preview,
    revert,
    set_indicator_direction,
)
from rpgdash.ingest.safe_csv import to_safe_csv
from tests.test_ingest_fixtures import STATEMENTS, db  # noqa: F401  (fixture)

JAN_FEB = b"indicator,month,value\nReferrals,2018-01,5\nReferrals,2018-02,6\n"


def store(database, data, name="f.csv", kind="indicators", **kw):
    parsed = parse_upload(database, data, name, kind, wave=kw.pop("wave", None))
    return commit(database, preview(database, parsed), **kw)


def test_preview_writes_nothing_and_counts(db):  # noqa: F811
    before = table_checksums(db)
    plan = preview(db, parse_upload(db, JAN_FEB, "f.csv", "indicators"))
    assert (plan.added, plan.changed, plan.unchanged, plan.missing) == (2, 0, 0, 0)
    assert plan.coverage.to_dict("records") == [
        {
            "indicator": "Referrals",
            "site": "Demo Borough",
            "first_month": "2018-01",
            "last_month": "2018-02",
            "months": 2,
        }
    ]
    assert table_checksums(db) == before


def test_identical_file_again_changes_nothing_and_says_so(db):  # noqa: F811
    first = store(db, JAN_FEB)
    assert first.message == "Stored as upload 1: added 2, changed 0, unchanged 0, missing 0."
    before = table_checksums(db)
    plan = preview(db, parse_upload(db, JAN_FEB, "f.csv", "indicators"))
    assert plan.summary() == "f.csv is already stored as upload 1; nothing changed."
    again = commit(db, plan)
    assert again.upload_id is None
    assert table_checksums(db) == before
    # Same values in a different file: nothing to store either.
    other = store(db, JAN_FEB.replace(b"\n", b"\r\n"), "g.csv")
    assert other.upload_id is None
    assert other.message == "Nothing changed: every value in g.csv is already stored."
    assert table_checksums(db) == before


def test_the_same_file_for_another_site_is_new_data(db):  # noqa: F811
    # Same bytes, another site chosen on the page: the values are not stored yet, so this
    # must be stored, not waved through as "already stored".
    store(db, JAN_FEB)
    plan = preview(db, parse_upload(db, JAN_FEB, "f.csv", "indicators", site="North Town"))
    assert (plan.added, plan.already_stored) == (2, None)
    result = commit(db, plan)
    assert result.upload_id is not None and result.added == 2
    with db.cursor() as cur:
        sites = cur.execute(
            "SELECT s.name, count(*) FROM indicator_values v JOIN sites s USING (site_id) "
            "GROUP BY s.name ORDER BY s.name"
        ).fetchall()
    assert sites == [("Demo Borough", 2), ("North Town", 2)]


def test_replace_then_revert_restores_exactly(db):  # noqa: F811
    store(db, JAN_FEB, "a.csv")
    after_a = table_checksums(db)
    b = b"indicator,month,value\nReferrals,2018-02,60\nReferrals,2018-03,7\n"
    result = store(db, b, "b.csv", replace=True)
    assert (result.added, result.changed, result.unchanged) == (1, 1, 0)
    message = revert(db, result.upload_id)
    assert message == (
        "Reverted upload 2 ('b.csv'): removed 1 values it added and restored 1 values it changed."
    )
    now = table_checksums(db)
    for table in ("indicator_values", "indicators", "sites"):
        assert now[table] == after_a[table]
    history = list_uploads(db)
    assert list(history["status"]) == ["reverted", "stored"]


def test_revert_refused_while_a_later_upload_changed_its_values(db):  # noqa: F811
    store(db, JAN_FEB, "a.csv")
    store(db, b"indicator,month,value\nReferrals,2018-01,50\n", "b.csv", replace=True)
    before = table_checksums(db)
    with pytest.raises(RevertRefused) as caught:
        revert(db, 1)
    text = str(caught.value)
    assert text.startswith("upload 1: upload 2 ('b.csv', ")
    assert text.endswith(
        "later changed values that upload 1 ('a.csv') stored; revert upload 2 first, then upload 1."
    )
    assert table_checksums(db) == before
    revert(db, 2)
    revert(db, 1)
    with db.cursor() as cur:
        assert cur.execute("SELECT count(*) FROM indicator_values").fetchall() == [(0,)]
    with pytest.raises(RevertRefused, match="was already reverted"):
        revert(db, 1)


def test_revert_removes_created_indicator_and_site(db):  # noqa: F811
    before = table_checksums(db)
    parsed = parse_upload(
        db,
        b"indicator,month,value\nNew thing,2018-01,3\n",
        "n.csv",
        "indicators",
        site="Second Borough",
    )
    result = commit(db, preview(db, parsed), new_indicators={"New thing": ("n", "neutral")})
    revert(db, result.upload_id)
    now = table_checksums(db)
    for table in ("indicator_values", "indicators", "sites"):
        assert now[table] == before[table]


def test_workforce_replace_and_revert(db):  # noqa: F811
    store(db, b"year,measure,value\n2018,Turnover,14.9\n", "w1.csv", "workforce")
    before = table_checksums(db)
    result = store(
        db,
        b"year,measure,value\n2018,Turnover,15.1\n2017,Sickness,3.9\n",
        "w2.csv",
        "workforce",
        replace=True,
    )
    assert (result.added, result.changed) == (1, 1)
    revert(db, result.upload_id)
    assert table_checksums(db)["workforce"] == before["workforce"]


S1, S2 = STATEMENTS[0][1], STATEMENTS[1][1]
SURVEY = (
    "respondent_id,role,statement,answer\n"
    f"R1,Social worker,{S1},Agree\nR1,Social worker,{S2},Strongly disagree\n"
    f"R2,Lead practitioner,{S1},4\n"
).encode()


def test_survey_upload_creates_wave_and_revert_removes_it(db):  # noqa: F811
    before = table_checksums(db)
    wave = WaveDetails("+3 years", None, None, 234)
    result = store(db, SURVEY, "s.csv", "survey", wave=wave)
    assert result.added == 3
    with db.cursor() as cur:
        assert cur.execute("SELECT label, wave_order FROM waves ORDER BY 2").fetchall() == [
            ("+1 year", 1),
            ("+3 years", 2),
        ]
    assert revert(db, result.upload_id) == (
        "Reverted upload 1 ('s.csv'): removed 2 respondents and their answers."
    )
    now = table_checksums(db)
    for table in ("waves", "wave_sites", "respondents", "responses"):
        assert now[table] == before[table]


def test_survey_conflict_names_the_upload_that_stored_it(db):  # noqa: F811
    store(db, SURVEY, "s.csv", "survey", wave=WaveDetails("+1 year"))
    before = table_checksums(db)
    changed = SURVEY.replace(b",4\n", b",Disagree\n")
    plan = preview(db, parse_upload(db, changed, "t.csv", "survey", wave=WaveDetails("+1 year")))
    assert (plan.added, plan.changed, plan.unchanged) == (0, 1, 2)
    with pytest.raises(Exception) as caught:
        commit(db, plan)
    assert str(caught.value) == (
        "t.csv:4: respondent 'R2' in wave '+1 year' at 'Demo Borough' is already stored with "
        "different answers by upload 1 ('s.csv'); revert upload 1 first, then upload this "
        "file again."
    )
    assert table_checksums(db) == before


def test_survey_export_reads_back_unchanged(db):  # noqa: F811
    store(db, SURVEY, "s.csv", "survey", wave=WaveDetails("+1 year"))
    with db.cursor() as cur:
        export = cur.execute(
            "SELECT si.name AS site, w.label AS wave, p.external_id AS respondent_id, "
            "ro.name AS role, s.domain, s.text AS statement, r.score FROM responses r "
            "JOIN respondents p USING (respondent_id) JOIN sites si ON si.site_id = p.site_id "
            "JOIN waves w ON w.wave_id = p.wave_id JOIN roles ro ON ro.role_id = p.role_id "
            "JOIN statements s USING (statement_id) ORDER BY ALL"
        ).df()
    before = table_checksums(db)
    plan = preview(db, parse_upload(db, to_safe_csv(export), "export.csv", "survey"))
    assert (plan.added, plan.changed, plan.unchanged) == (0, 0, 3)
    assert commit(db, plan).upload_id is None
    assert table_checksums(db) == before


def test_set_indicator_direction(db):  # noqa: F811
    set_indicator_direction(db, "Referrals", "increase")
    with db.cursor() as cur:
        assert cur.execute(
            "SELECT direction FROM indicators WHERE name = 'Referrals'"
        ).fetchall() == [("increase",)]
    with pytest.raises(ValueError, match="direction must be one of"):
        set_indicator_direction(db, "Referrals", "up")


def test_two_sessions_store_at_once_while_readers_read(db):  # noqa: F811
    files = [
        (
            f"indicator,month,value\n{name},"
            + f",1\n{name},".join(f"{2000 + m // 12}-{m % 12 + 1:02d}" for m in range(240))
            + ",1\n"
        ).encode()
        for name in ("Referrals", "Looked after children")
    ]
    errors: list[BaseException] = []
    stop = threading.Event()
    reads = []

    def upload(data, name):
        try:
            store(db, data, name)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def reader():
        try:
            while not stop.is_set():
                with db.cursor() as cur:
                    reads.append(
                        cur.execute("SELECT count(*) FROM indicator_values").fetchall()[0][0]
                    )
        except BaseException as exc:  # pragma: no cover
            errors.append(exc)

    readers = [threading.Thread(target=reader) for _ in range(2)]
    writers = [threading.Thread(target=upload, args=(f, f"f{i}.csv")) for i, f in enumerate(files)]
    for t in readers + writers:
        t.start()
    for t in writers:
        t.join()
    stop.set()
    for t in readers:
        t.join()
    assert errors == []
    assert reads and set(reads) <= {0, 240, 480}
    with db.cursor() as cur:
        assert cur.execute("SELECT count(*) FROM indicator_values").fetchall() == [(480,)]
        assert cur.execute("SELECT count(*) FROM uploads").fetchall() == [(2,)]


# --- one row per (indicator, site, month) -------------------------------------------------
# indicator_values has no primary key (rpgdash/db.py says why): the write path keeps the key
# unique. These tests hold it to that through every kind of write an upload can do.


def repeated_keys(database) -> int:
    """How many (indicator, site, month) keys are stored more than once."""
    with database.cursor() as cur:
        return cur.execute(
            "SELECT count(*) FROM (SELECT 1 FROM indicator_values "
            "GROUP BY indicator_id, site_id, month HAVING count(*) > 1)"
        ).fetchall()[0][0]


def series(name: str, months: range, value) -> bytes:
    """A long indicator file: ``name`` for each month index (0 = January 2000)."""
    rows = "".join(f"{name},{2000 + m // 12}-{m % 12 + 1:02d},{value(m)}\n" for m in months)
    return ("indicator,month,value\n" + rows).encode()


def stored(database, name: str) -> dict[str, float]:
    with database.cursor() as cur:
        return dict(
            cur.execute(
                "SELECT strftime(v.month, '%Y-%m'), v.value FROM indicator_values v "
                "JOIN indicators i USING (indicator_id) WHERE i.name = ? ORDER BY 1",
                [name],
            ).fetchall()
        )


def test_one_row_per_key_through_uploads_replacements_and_reverts(db):  # noqa: F811
    steps = []

    def check(what):
        steps.append(what)
        assert repeated_keys(db) == 0, steps

    # A made-up rising series: its continuation is outside the XmR limits, so each upload
    # is stored with accept_outliers (issue 10, item 12).
    a = store(db, series("Referrals", range(0, 24), lambda m: m), "a.csv", accept_outliers=True)
    check("a")
    # Overlapping months, same values: only the new months are added.
    b = store(db, series("Referrals", range(12, 36), lambda m: m), "b.csv", accept_outliers=True)
    assert (b.added, b.changed, b.unchanged) == (12, 0, 12)
    check("b")
    # Overlapping months, other values: refused without replace, nothing written.
    before = table_checksums(db)
    with pytest.raises(ConflictError):
        store(
            db, series("Referrals", range(30, 40), lambda m: m + 0.5), "c.csv", accept_outliers=True
        )
    assert table_checksums(db) == before
    check("c refused")
    c = store(
        db,
        series("Referrals", range(30, 40), lambda m: m + 0.5),
        "c.csv",
        replace=True,
        accept_outliers=True,
    )
    assert (c.added, c.changed, c.unchanged) == (4, 6, 0)
    check("c replaced")
    # The same keys again, the indicator's name spelled differently: still one row per key.
    d = store(
        db,
        series(" referrals ", range(0, 40), lambda m: 1000),
        "d.csv",
        replace=True,
        accept_outliers=True,
    )
    assert (d.added, d.changed, d.unchanged) == (0, 40, 0)
    check("d replaced")
    assert set(stored(db, "Referrals").values()) == {1000.0}
    for upload in (d, c):
        revert(db, upload.upload_id)
        check(f"revert {upload.upload_id}")
    assert stored(db, "Referrals") == {
        f"{2000 + m // 12}-{m % 12 + 1:02d}": float(m) for m in range(36)
    }
    revert(db, b.upload_id)
    check("revert b")
    assert len(stored(db, "Referrals")) == 24
    # Stored again after its revert: added again, once.
    again = store(
        db, series("Referrals", range(12, 36), lambda m: m), "b2.csv", accept_outliers=True
    )
    assert (again.added, again.unchanged) == (12, 12)
    check("b again")
    revert(db, again.upload_id)
    revert(db, a.upload_id)
    check("all reverted")
    assert stored(db, "Referrals") == {}


@pytest.mark.parametrize("replace", [False, True])
def test_concurrent_overlapping_uploads_cannot_store_a_key_twice(db, replace):  # noqa: F811
    """Two sessions (threads sharing one Database) preview overlapping files before either
    stores, then store at the same moment.

    Both previews count the 100 shared months as new; they are still stored once: whichever
    file is stored second finds them stored and leaves them (same values), changes them
    (other values, with replace) or is refused whole (other values, without replace).
    """
    for r in range(4):
        same_values = r % 2 == 1
        name = f"Generated {r}"
        files = {
            f"first{r}.csv": series(name, range(0, 200), lambda m: m),
            f"second{r}.csv": series(
                name, range(100, 300), (lambda m: m) if same_values else (lambda m: m + 1000)
            ),
        }
        plans = [preview(db, parse_upload(db, data, n, "indicators")) for n, data in files.items()]
        assert [p.added for p in plans] == [200, 200]
        start = threading.Barrier(len(plans))
        results: list = [None] * len(plans)

        def commit_one(i, start=start, results=results, plans=plans, name=name):
            start.wait()
            try:
                results[i] = commit(
                    db, plans[i], replace=replace, new_indicators={name: ("n", "neutral")}
                )
            except Exception as exc:  # collected and asserted below
                results[i] = exc

        threads = [threading.Thread(target=commit_one, args=(i,)) for i in range(len(plans))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert repeated_keys(db) == 0
        values = stored(db, name)
        done = sorted(
            ((x.added, x.changed, x.unchanged) for x in results if not isinstance(x, Exception)),
            reverse=True,
        )
        refused = [x for x in results if isinstance(x, Exception)]
        if same_values:
            assert (done, refused) == ([(200, 0, 0), (100, 0, 100)], [])
            assert len(values) == 300
        elif replace:
            assert (done, refused) == ([(200, 0, 0), (100, 100, 0)], [])
            assert len(values) == 300
        else:
            assert done == [(200, 0, 0)]
            assert len(refused) == 1 and isinstance(refused[0], ConflictError)
            assert len(refused[0].problems) == 100
            assert len(values) == 200
