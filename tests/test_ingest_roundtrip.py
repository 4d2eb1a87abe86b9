"""Generated valid tables round-trip through every supported CSV dialect."""

from __future__ import annotations

import csv
import datetime as dt
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rpgdash.db import table_checksums
from rpgdash.ingest import commit, parse_upload, preview, revert
from tests.test_ingest_fixtures import INDICATORS, db  # noqa: F401  (fixture)

MONTH_FORMATS = {
    "YYYY-MM": lambda d: f"{d:%Y-%m}",
    "YYYY-MM-DD": lambda d: f"{d:%Y-%m-%d}",
    "DD/MM/YYYY": lambda d: f"{d:%d/%m/%Y}",
    "Mon-YY": lambda d: f"{d:%b-%y}",
    "Month YYYY": lambda d: f"{d:%B %Y}",
}
months = st.builds(lambda i: dt.date(2000 + i // 12, i % 12 + 1, 1), st.integers(0, 12 * 25 - 1))
values = st.one_of(
    st.integers(0, 10**9).map(float),
    st.floats(0, 1e9, allow_nan=False, allow_infinity=False),
)
tables = st.dictionaries(
    st.tuples(st.sampled_from([name for name, _, _ in INDICATORS]), months),
    values,
    min_size=1,
    max_size=40,
)


def render(value: float, thousands: bool) -> str:
    if value.is_integer() and thousands:
        return f"{int(value):,}"
    return repr(value)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    table=tables,
    delimiter=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]),
    month_format=st.sampled_from(list(MONTH_FORMATS)),
    quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
    newline=st.sampled_from(["\n", "\r\n"]),
    thousands=st.booleans(),
    wide=st.booleans(),
)
def test_round_trip(
    db,  # noqa: F811
    table,
    delimiter,
    encoding,
    month_format,
    quoting,
    newline,  # noqa: F811
    thousands,
    wide,
):
    before = table_checksums(db)
    # A semicolon file marks decimals with a comma, so it has no thousands separator (a
    # lone "1,000" there is refused as ambiguous: issue 10, item 6).
    thousands = thousands and delimiter != ";"
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, quoting=quoting, lineterminator=newline)
    fmt = MONTH_FORMATS[month_format]
    if wide:
        names = sorted({name for name, _ in table})
        writer.writerow(["month", *names])
        for month in sorted({m for _, m in table}):
            writer.writerow(
                [fmt(month)]
                + [
                    render(table[(n, month)], thousands) if (n, month) in table else "NA"
                    for n in names
                ]
            )
    else:
        writer.writerow(["indicator", "month", "value"])
        for (name, month), value in table.items():
            writer.writerow([name, fmt(month), render(value, thousands)])
    data = out.getvalue().encode(encoding)

    parsed = parse_upload(db, data, "generated.csv", "indicators")
    result = commit(db, preview(db, parsed))
    with db.cursor() as cur:
        stored = cur.execute(
            "SELECT i.name, v.month, v.value FROM indicator_values v "
            "JOIN indicators i USING (indicator_id)"
        ).fetchall()
    assert {(n, m): v for n, m, v in stored} == table
    assert result.added == len(table)
    revert(db, result.upload_id)
    after = table_checksums(db)
    assert after["indicator_values"] == before["indicator_values"]
