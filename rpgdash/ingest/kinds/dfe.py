"""DfE published statistics (parsed by :mod:`rpgdash.ingest.dfe`, stored by
:mod:`rpgdash.benchmarks.store`): figures for England, regions and local authorities."""

from __future__ import annotations

import pandas as pd

from rpgdash.benchmarks import store
from rpgdash.ingest.dfe import parse_dfe
from rpgdash.ingest.kinds.base import Cursor, KindOption, UploadKind, record_counts
from rpgdash.ingest.kinds.benchmark import BenchmarkStorage
from rpgdash.ingest.model import CommitResult, ParsedUpload, count_line


class DfeFigures(BenchmarkStorage):
    def diff(self, cur: Cursor, parsed: ParsedUpload) -> store.Diff:
        return store.diff_dfe(cur, parsed.la_code)

    def conflicts(self, cur: Cursor, parsed: ParsedUpload, changed: int) -> Exception:
        return store.dfe_conflicts(cur, parsed.file_name, changed)

    def store_rows(
        self, cur: Cursor, parsed: ParsedUpload, upload_id: int, diff: store.Diff
    ) -> CommitResult:
        measures = pd.DataFrame(
            [(m.name, m.column, m.unit, m.direction, m.release) for m in parsed.measures],
            columns=["name", "dfe_column", "unit", "direction", "release"],
        )
        added, changed, unchanged = store.write_dfe(cur, upload_id, measures, parsed.la_code)
        message = f"Stored as upload {upload_id}: " + count_line(
            added, changed, unchanged, parsed.missing
        )
        if diff.la_code_changes:
            site, code = parsed.la_code
            message += f"; {site} now carries the LA code {code}"
        return record_counts(cur, parsed, upload_id, added, changed, unchanged, message + ".")


SPEC = UploadKind(
    name="dfe",
    label="DfE published statistics (benchmarks)",
    parse=parse_dfe,
    table="benchmark_values",
    key=("area_id", "measure_id", "period"),
    coverage=store.DFE_COVERAGE,
    storage=DfeFigures(),
    coverage_title="Measures and areas covered",
    help=(
        "A CSV from DfE's Explore Education Statistics in its published layout (time_period, "
        "time_identifier, geographic_level, country_code, country_name, region_code, "
        "region_name, old_la_code, new_la_code, la_name, then measure columns), e.g. the "
        "children's social work workforce, children in need referrals, child protection plans "
        "or children looked after. Every local authority's figures are stored as comparisons; "
        "the site's own rows are found by its LA code, or else by its name. Suppressed "
        "figures (c, z, x, low, k, u) are counted as missing, never as zero."
    ),
    options=(
        KindOption(
            "measures",
            "--measures",
            "Measure columns to read (blank: every column the dashboard knows)",
            "DfE columns to read, e.g. vacancy_rate_fte; a column the dashboard does not know "
            "may carry its improvement direction, e.g. my_percent:decrease",
            many=True,
            metavar="COL",
        ),
        KindOption(
            "la_code",
            "--la-code",
            "The site's LA code (new E09000002 or old 301; blank: match by name)",
            "the site's LA code, new (E09000002) or old (301), recorded with this upload and "
            "used to find the site's own rows",
            metavar="CODE",
        ),
    ),
)
