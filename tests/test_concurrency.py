"""Readers in many threads while one thread writes: no errors, no lost writes."""

from __future__ import annotations

import threading

from rpgdash import api, queries
from rpgdash.db import open_db


def test_readers_keep_working_while_another_thread_writes(writable_demo) -> None:
    db = open_db(writable_demo)
    errors: list[BaseException] = []
    stop = threading.Event()
    reads = [0]

    def reader() -> None:
        try:
            while not stop.is_set():
                assert not queries.level_counts(db).empty
                assert len(api.compare_waves(db, role="All roles")) == 18
                reads[0] += 1
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    def writer() -> None:
        try:
            for i in range(30):
                with db.transaction() as cur:
                    cur.execute(
                        "INSERT INTO indicator_values (indicator_id, site_id, month, value) "
                        "VALUES (1, 1, DATE '2019-01-01' + to_months(?), ?)",
                        [i, float(i)],
                    )
        except BaseException as exc:
            errors.append(exc)

    readers = [threading.Thread(target=reader) for _ in range(4)]
    for t in readers:
        t.start()
    w = threading.Thread(target=writer)
    w.start()
    w.join()
    stop.set()
    for t in readers:
        t.join()
    assert errors == []
    assert reads[0] > 0
    series = queries.indicator_series(db, "Children subject to a child protection plan")
    assert len(series) == 39 + 30
    db.close()
