"""Page-ready views of the survey domain pages, built without Streamlit.

A :class:`DomainViews` is everything one survey domain page draws for one site, pair of
waves, adjustment and disclosure threshold: every job role's :class:`DomainView` (panel text,
finished Vega-Lite specs with their datasets as Arrow bytes, tables as Arrow) and the role
heatmaps. The page (:mod:`rpgdash.ui.survey`) builds one when a choice is first shown, and
:mod:`rpgdash.view_store` builds and stores them when the data are stored, so that a first
view is a read. Nothing here imports Streamlit: the Arrow bytes are written with pyarrow IPC
exactly as ``streamlit.dataframe_util.convert_anything_to_arrow_bytes`` writes them
(tests/test_survey_views.py proves the bytes equal for the frames the views carry).
"""

from __future__ import annotations

import io
import pickle
import zlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd
import pyarrow as pa

from rpgdash.charts import ChartParts
from rpgdash.present import survey as present
from rpgdash.stats.compare import ALL_ROLES
from rpgdash.text import as_text


def dumps(value: object) -> bytes:
    """``value`` pickled without the memo (``Pickler.fast``): the bytes then depend on the
    values only, not on which equal objects happen to be shared in this process, so the same
    data always store the same bytes (the views hold no object that refers to itself)."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, pickle.HIGHEST_PROTOCOL)
    pickler.fast = True
    pickler.dump(value)
    return buffer.getvalue()


def arrow_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as Arrow IPC stream bytes, as Streamlit sends a DataFrame to the browser
    (``pa.Table.from_pandas`` with pyarrow choosing the index, large lists narrowed, one
    record-batch stream)."""
    table = pa.Table.from_pandas(frame, preserve_index=None)
    if any(pa.types.is_large_list(f.type) for f in table.schema):
        raise TypeError("large_list columns are not expected in a survey view")
    sink = pa.BufferOutputStream()
    with pa.RecordBatchStreamWriter(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def text_table(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` for ``st.table`` (which reads Markdown in cells and headers).

    Every text cell and column name goes through :func:`as_text`; numbers stay numbers.
    """
    shown = table.copy()
    shown.columns = [as_text(c) for c in shown.columns]
    for column in shown.columns:
        if shown[column].dtype == object or pd.api.types.is_string_dtype(shown[column]):
            shown[column] = shown[column].map(lambda v: as_text(v) if isinstance(v, str) else v)
    return shown


@dataclass(frozen=True)
class DomainView:
    """A panel and what drawing it needs: Vega-Lite specs (datasets already Arrow) by chart
    kind, the statistics table as Arrow (Streamlit sends both as they are), and the two
    ``st.table`` tables with their text already escaped. Cached per role, so every rerun
    unpickles it: :func:`_view` leaves out of the panel the frames these already carry, and
    keeps the role's comparisons (``rows``, for the CSV) pickled until a download asks."""

    panel: present.DomainPanel
    specs: dict[str, dict]
    statistics: pa.Table | None
    table: pa.Table | None
    roles_table: pa.Table
    rows: bytes | None = None

    def download(self) -> pd.DataFrame | None:
        """Every statistic for the CSV (:attr:`rpgdash.present.survey.DomainPanel.download`)."""
        rows = None if self.rows is None else pickle.loads(self.rows)  # pickled in _view
        return replace(self.panel, rows=rows).download


def page_spec(parts: ChartParts) -> dict:
    """A chart's Vega-Lite dict for the page: its cached layout, datasets as Arrow bytes.

    The frames go to Arrow directly (no records in between), which is most of what a first
    view of a role used to spend on its charts.
    """
    return PageChart.of(parts).spec()


@dataclass(frozen=True)
class PageChart:
    """A chart's data as Arrow bytes, and what fixes its layout; the layout (cached per shape)
    is looked up when the chart is drawn, so a chart never shown never has one built (a new
    pair of waves means new layouts: new titles and tooltips)."""

    build: Callable[..., Any]
    shape: tuple[tuple[str, Any], ...]
    datasets: dict[str, bytes]

    @classmethod
    def of(cls, parts: ChartParts) -> PageChart:
        frames = {name: arrow_bytes(f) for name, f in parts.frames.items()}
        return cls(parts.build, parts.shape, frames)

    def spec(self) -> dict:
        # The layout needs only the datasets' names (its "data" refers to them). Datasets the
        # layout carries itself (as records) become Arrow here, as Streamlit would convert
        # them on every rerun.
        layout = ChartParts(self.build, dict.fromkeys(self.datasets), self.shape).layout()
        inline = {
            name: values if isinstance(values, bytes) else arrow_bytes(pd.DataFrame(values))
            for name, values in layout.get("datasets", {}).items()
        }
        return {**layout, "datasets": {**inline, **self.datasets}}


def _without_frames(chart: present.SurveyChart) -> present.SurveyChart:
    parts = chart.parts
    return replace(chart, parts=ChartParts(parts.build, {}, parts.shape))


def _view(panel: present.DomainPanel, roles_table: pa.Table) -> DomainView:
    specs = {c.kind: page_spec(c.parts) for c in panel.charts}
    statistics = None if panel.statistics is None else _arrow(panel.statistics)
    roles = panel.roles
    slim = replace(
        panel,
        charts=tuple(_without_frames(c) for c in panel.charts),
        statistics=None,
        table=None,
        rows=None,
        roles=replace(roles, charts={m: _without_frames(c) for m, c in roles.charts.items()}),
    )
    table = None if panel.table is None else _arrow(text_table(panel.table))
    rows = None if panel.rows is None else dumps(panel.rows)
    return DomainView(slim, specs, statistics, table, roles_table, rows)


def _arrow(frame: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(frame, preserve_index=False)


@dataclass(frozen=True)
class DomainViews:
    """Every job role's view of one domain (each pickled on its own: ``st.cache_data``
    unpickles the whole value on every hit, and unpickling bytes is a copy, so a rerun
    unpickles only the role it shows) and the role heatmap of each measure (the same
    whichever role is shown): a :class:`PageChart` whose layout is built when first drawn,
    or, in a stored view, the finished spec."""

    roles: dict[str, bytes]
    heatmaps: dict[str, PageChart | dict]
    compressed: bool = False  # each role's pickle zlib-compressed (stored views)

    def view(self, role: str) -> DomainView:
        """One role's view (All roles' for a role with no panel)."""
        data = self.roles.get(role) or self.roles[ALL_ROLES]
        return pickle.loads(zlib.decompress(data) if self.compressed else data)  # pickled below

    def heatmap(self, measure: str) -> dict:
        """The role heatmap's finished spec for one measure."""
        chart = self.heatmaps[measure]
        return chart if isinstance(chart, dict) else chart.spec()

    def for_storage(self) -> DomainViews:
        """The same views with every heatmap spec built (a first view of a stored view builds
        nothing through Altair) and each role's pickle compressed on its own (a first view
        decompresses only the role it shows)."""
        if self.compressed:
            return self
        return replace(
            self,
            roles={role: zlib.compress(data, 1) for role, data in self.roles.items()},
            heatmaps={m: self.heatmap(m) for m in self.heatmaps},
            compressed=True,
        )


def build_domain_views(data: present.SurveyData, domain: str, adjust: str) -> DomainViews:
    """Every job role's view of one domain and its role heatmaps, built in one pass."""
    panels = present.build_domain_panels(data, domain, adjust)
    breakdown = next(iter(panels.values())).roles  # one breakdown, shared by every panel
    roles_table = _arrow(text_table(breakdown.table))
    return DomainViews(
        roles={role: dumps(_view(panel, roles_table)) for role, panel in panels.items()},
        heatmaps={m: PageChart.of(chart.parts) for m, chart in breakdown.charts.items()},
    )
