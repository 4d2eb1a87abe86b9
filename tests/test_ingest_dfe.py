"""The DfE layout parser on generated tables (Hypothesis): figures round-trip, codes are missing."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from rpgdash.benchmarks.measures import GEOGRAPHY_COLUMNS, SUPPRESSION_CODES
from rpgdash.ingest.dfe import read_dfe_cells

HEADER = [*GEOGRAPHY_COLUMNS, "vacancy_rate_fte", "caseload_fte"]
AUTHORITIES = [(f"{300 + i}", f"E09{i:06d}", f"Authority {i}") for i in range(6)]
PERIODS = ["2016", "2017", "201718", "201819"]
figure = st.one_of(
    st.floats(0, 100, allow_nan=False).map(lambda v: round(v, 1)),
    st.sampled_from([*SUPPRESSION_CODES, "", "C", "[x]"]),
)
cells = st.dictionaries(
    st.tuples(st.sampled_from(range(len(AUTHORITIES))), st.sampled_from(PERIODS)),
    st.tuples(figure, figure),
    min_size=1,
    max_size=24,
)


def _frame(table: dict) -> pd.DataFrame:
    rows = []
    for line, ((who, period), figures) in enumerate(sorted(table.items()), 2):
        old, new, name = AUTHORITIES[who]
        geography = [
            period,
            "Reporting year",
            "Local authority",
            "E92000001",
            "England",
            "E12000007",
            "London",
            old,
            new,
            name,
        ]
        rows.append([line, *geography, *(str(f) if f != "" else None for f in figures)])
    return pd.DataFrame(rows, columns=["_line", *(f"c{i}" for i in range(len(HEADER)))])


@settings(max_examples=60, deadline=None)
@given(cells)
def test_figures_round_trip_and_codes_are_counted_as_missing(table):
    read = read_dfe_cells("g.csv", HEADER, _frame(table))
    expected = {
        (AUTHORITIES[who][1], period, measure): value
        for (who, period), figures in table.items()
        for measure, value in zip(("Vacancies", "Caseload"), figures, strict=True)
        if isinstance(value, float)
    }
    got = {(r.area_key, r.period, r.measure): r.value for r in read.rows.itertuples(index=False)}
    assert got == expected
    assert read.missing == 2 * len(table) - len(expected)
    assert (read.rows["value"] >= 0).all()
