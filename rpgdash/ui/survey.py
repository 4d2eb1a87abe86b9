"""The survey domain pages (professional, self-efficacy, relationships): one shared layout.

Everything a page shows comes from :class:`rpgdash.present.survey.DomainPanel`. When a page
first loads for a site, pair of waves and adjustment, :func:`domain_views` builds every job
role's panel and the role heatmaps in one pass and caches them, each role's view pickled on
its own, so a leader's first look at another role costs what a repeat look does: unpickling
that one role's view (:meth:`DomainViews.view`).
"""

from __future__ import annotations

import functools
import pickle
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd
import pyarrow as pa
import streamlit as st
from streamlit.dataframe_util import convert_anything_to_arrow_bytes

from rpgdash import ui
from rpgdash.charts import ChartParts
from rpgdash.ingest.safe_csv import to_safe_csv
from rpgdash.present import domains, narrative
from rpgdash.present import survey as present
from rpgdash.present.reading import HOW_TO_READ_TITLE
from rpgdash.stats import add_all_roles, level_shares


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


def choose_waves(waves: list[str], domain: str) -> tuple[str, str]:
    """The two waves to compare: a page control when more than two exist."""
    if len(waves) == 2:
        return waves[0], waves[1]
    left, right = st.columns(2)
    first = left.selectbox("Earlier wave", waves[:-1], index=0, key=f"{domain}_wave_a")
    later = [w for w in waves if waves.index(w) > waves.index(first)]
    second = right.selectbox("Later wave", later, index=len(later) - 1, key=f"{domain}_wave_b")
    return first, second


@st.cache_data(show_spinner=False)
def _level_shares(db_path: str, site: str | None) -> pd.DataFrame:
    """Share of answers at each level, per statement, wave and role (All roles included)."""
    return level_shares(add_all_roles(ui.level_counts(db_path, site), label=ui.ALL_ROLES))


def survey_data(
    db_path: str, site: str | None, pair: tuple[str, str], min_group: int
) -> present.SurveyData:
    """The panels' inputs, from the shared cached reads (one comparison for every page)."""
    return present.SurveyData(
        site=site,
        wave_a=pair[0],
        wave_b=pair[1],
        waves=tuple(ui.comparable_waves(db_path, site)),
        roles=(ui.ALL_ROLES, *ui.role_names(db_path)),
        min_group=min_group,
        comparisons=ui.comparisons(db_path, site, pair, min_group),
        shares=_level_shares(db_path, site),
        models=ui.domain_models(db_path, site, pair, min_group),
        sizes=ui.group_sizes(db_path, site),
        summary=ui.wave_summary(db_path, site),
    )


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
        frames = {name: convert_anything_to_arrow_bytes(f) for name, f in parts.frames.items()}
        return cls(parts.build, parts.shape, frames)

    def spec(self) -> dict:
        # The layout needs only the datasets' names (its "data" refers to them).
        layout = ChartParts(self.build, dict.fromkeys(self.datasets), self.shape).layout()
        return {**layout, "datasets": {**layout.get("datasets", {}), **self.datasets}}


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
    table = None if panel.table is None else _arrow(ui.text_table(panel.table))
    rows = None if panel.rows is None else pickle.dumps(panel.rows, pickle.HIGHEST_PROTOCOL)
    return DomainView(slim, specs, statistics, table, roles_table, rows)


def _arrow(frame: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(frame, preserve_index=False)


@dataclass(frozen=True)
class DomainViews:
    """Every job role's view of one domain (each pickled on its own: ``st.cache_data``
    unpickles the whole value on every hit, and unpickling bytes is a copy, so a rerun
    unpickles only the role it shows) and the role heatmap of each measure
    (the same whichever role is shown)."""

    roles: dict[str, bytes]
    heatmaps: dict[str, PageChart]

    def view(self, role: str) -> DomainView:
        """One role's view (All roles' for a role with no panel)."""
        return pickle.loads(self.roles.get(role) or self.roles[ui.ALL_ROLES])  # pickled below


@st.cache_data(show_spinner=False, max_entries=64)
def domain_views(
    db_path: str,
    site: str | None,
    pair: tuple[str, str],
    adjust: str,
    min_group: int,
    domain: str,
) -> DomainViews:
    """Every job role's view of one domain and its role heatmaps, built in one pass."""
    data = survey_data(db_path, site, pair, min_group)
    panels = present.build_domain_panels(data, domain, adjust)
    breakdown = next(iter(panels.values())).roles  # one breakdown, shared by every panel
    roles_table = _arrow(ui.text_table(breakdown.table))
    return DomainViews(
        roles={
            role: pickle.dumps(_view(panel, roles_table), protocol=pickle.HIGHEST_PROTOCOL)
            for role, panel in panels.items()
        },
        heatmaps={m: PageChart.of(chart.parts) for m, chart in breakdown.charts.items()},
    )


def domain_view(
    db_path: str,
    site: str | None,
    pair: tuple[str, str],
    adjust: str,
    min_group: int,
    domain: str,
    role: str,
) -> DomainView:
    """One role's view (All roles' for a role with no panel), from :func:`domain_views`."""
    return domain_views(db_path, site, pair, adjust, min_group, domain).view(role)


def _how_to_read(text: str) -> None:
    with st.expander(HOW_TO_READ_TITLE, icon=":material/help:"):
        st.markdown(ui.as_text(text))


def _chart(chart: present.SurveyChart, spec: dict) -> None:
    """Takeaway, reading help, then the chart."""
    st.markdown(f"**{ui.as_text(chart.takeaway)}**")
    _how_to_read(chart.how_to_read)
    ui.show_chart(spec, alt=chart.alt)


def _method_and_caveats(panel: present.DomainPanel) -> None:
    st.markdown(
        f"**Method.** {ui.as_text(panel.method)}  \n"
        f"**Caveats.** {ui.as_text(' '.join(panel.caveats))}  \n{ui.as_text(ui.ILLUSTRATIVE)}"
    )


def _download_csv(view: DomainView) -> bytes:
    """The CSV of every statistic, built when the leader clicks (Streamlit calls this)."""
    return to_safe_csv(view.download())


def domain_page(domain: str) -> None:
    """Draw one survey domain page (a key of the domain registry) for the sidebar's filters."""
    registered = domains.domain(domain)
    st.title(registered.title)
    st.caption(registered.intro)
    key, site, role, k = ui.db_key(), ui.selected_site(), ui.selected_role(), ui.min_group()
    waves = ui.comparable_waves(key, site)
    if len(waves) < 2:
        st.info("Two comparable survey waves are needed before changes can be shown.")
        return
    # Wave names first appear in the wave choice or the summary: say what "+1 year" means.
    st.caption(ui.as_text(present.wave_note(list(waves))))
    wave_a, wave_b = choose_waves(waves, domain)
    adjust = st.radio(
        "Adjust for testing many statements at once",
        list(narrative.ADJUSTMENTS),
        format_func=lambda key: narrative.ADJUSTMENTS[key].label,
        horizontal=True,
        key=f"{domain}_adjust",
        help="Holm controls the chance of any false 'significant' within this set of "
        "statements; Benjamini-Hochberg controls the share of false ones among all the "
        "statements and job roles found significant.",
    )
    views = domain_views(key, site, (wave_a, wave_b), adjust, k, domain)
    view = views.view(role)
    panel = view.panel
    if panel.status == "empty":
        st.info(ui.as_text(panel.notice))
        return
    if panel.status == "hidden":
        st.warning(ui.as_text(panel.notice))
        _method_and_caveats(panel)
        return

    st.markdown(f"**{ui.as_text(panel.summary)}**")
    st.caption(ui.as_text(panel.meta))
    if panel.model:
        st.markdown(ui.as_text(panel.model))
        st.caption(ui.as_text(panel.model_caveat))
    for chart in panel.charts:
        _chart(chart, view.specs[chart.kind])

    st.markdown("## By job role")
    breakdown = panel.roles
    measure = st.radio(
        "Show",
        list(present.MEASURES),
        horizontal=True,
        key=f"{domain}_heat",
        format_func=lambda m: ui.as_text(breakdown.measure_labels[m]),
    )
    _chart(breakdown.charts[measure], views.heatmaps[measure].spec())
    if breakdown.hidden_note:
        st.caption(ui.as_text(breakdown.hidden_note))
    st.table(view.roles_table, hide_index=True)
    st.caption(ui.as_text(breakdown.caption) + ".")

    st.markdown("## Results table")
    st.table(view.table, hide_index=True)
    with st.expander("All statistics", icon=":material/table_view:"):
        st.dataframe(view.statistics, hide_index=True, width="stretch")
    slug = f"{domain}_{role}_{wave_a}_{wave_b}".lower().replace("+", "plus").replace(" ", "_")
    st.download_button(
        "Download this table with every statistic (CSV)",
        functools.partial(_download_csv, view),
        file_name=f"{slug}.csv",
        mime="text/csv",
        key=f"{domain}_download",
    )
    st.caption(ui.EXCEL_SAFE_CSV)
    _method_and_caveats(panel)
