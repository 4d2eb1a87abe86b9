"""Cached reads for the Benchmarks page (keyed on the database path and the choices)."""

from __future__ import annotations

import streamlit as st

from rpgdash.benchmarks import queries
from rpgdash.benchmarks.panel import BenchmarkPanel, build_panel
from rpgdash.present import format as fmt
from rpgdash.ui import _db


@st.cache_data(show_spinner=False)
def measure_names(db_path: str) -> list[str]:
    return queries.measures(_db(db_path))["name"].tolist()


@st.cache_data(show_spinner=False)
def sources(db_path: str) -> list[str]:
    """The stored DfE uploads, newest first, as short text ("file (upload 3, 2 Jan 2026)")."""
    table = queries.benchmark_uploads(_db(db_path))
    return [
        f"{r.file_name} (upload {r.upload_id}, {fmt.date(r.uploaded_at)})"
        for r in table.itertuples()
    ]


@st.cache_data(show_spinner=False)
def panel(
    db_path: str, measure: str, site: str | None, start: str | None, end: str | None
) -> BenchmarkPanel:
    return build_panel(_db(db_path), measure, site=site, start=start, end=end)
