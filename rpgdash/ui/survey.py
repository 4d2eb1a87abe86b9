"""The survey domain pages (professional, self-efficacy, relationships): one shared layout.

Everything a page shows comes from :class:`rpgdash.present.survey.DomainPanel`, in the
page-ready views of :mod:`rpgdash.present.survey_views`. When a page first shows a site, pair
of waves and adjustment, :func:`page_views` takes the views stored with the data
(:mod:`rpgdash.view_store`, read for every site at once) or, when none match,
:func:`domain_views` builds every job role's panel and the role heatmaps in one pass (cached,
each role's view pickled on its own). A role's view is unpickled once and shared
(:func:`shown_view`), so a repeat look is a look-up. This module keeps only the drawing and
the look-up.
"""

from __future__ import annotations

import functools

import pandas as pd
import streamlit as st

from rpgdash import ui, view_store
from rpgdash.ingest.safe_csv import to_safe_csv
from rpgdash.present import domains, narrative
from rpgdash.present import survey as present
from rpgdash.present.reading import HOW_TO_READ_TITLE
from rpgdash.present.survey_views import (  # noqa: F401 (DomainView, PageChart: re-exported)
    DomainView,
    DomainViews,
    PageChart,
    build_domain_views,
    page_spec,
)
from rpgdash.stats import add_all_roles, level_shares


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


@st.cache_data(show_spinner=False, max_entries=64)
def domain_views(
    db_path: str,
    site: str | None,
    pair: tuple[str, str],
    adjust: str,
    min_group: int,
    domain: str,
) -> DomainViews:
    """Every job role's view of one domain and its role heatmaps, built in one pass (when no
    stored view matches: :func:`page_views`)."""
    data = survey_data(db_path, site, pair, min_group)
    return build_domain_views(data, domain, adjust)


def page_views(
    db_path: str,
    site: str | None,
    pair: tuple[str, str],
    adjust: str,
    min_group: int,
    domain: str,
) -> DomainViews:
    """One page choice's views: those stored with the data when they still match it
    (:mod:`rpgdash.view_store`, read for every site at once), else :func:`domain_views`."""
    stored = ui.stored_views(db_path, min_group, adjust, domain).get((site, *pair))
    if stored is not None:
        return view_store.views_from(stored)
    return domain_views(db_path, site, pair, adjust, min_group, domain)


@st.cache_resource(show_spinner=False, max_entries=256)
def shown_view(
    db_path: str,
    site: str | None,
    pair: tuple[str, str],
    adjust: str,
    min_group: int,
    domain: str,
    role: str,
) -> tuple[DomainViews, DomainView]:
    """The views of one page choice and the role's view, unpickled once and shared by every
    rerun and session (nothing drawing them changes them: Streamlit copies a spec before it
    moves the datasets out, and Arrow tables are immutable); :func:`rpgdash.ui.data_changed`
    clears it. A role change that was shown before is then one look-up, not an unpickling."""
    views = page_views(db_path, site, pair, adjust, min_group, domain)
    return views, views.view(role)


def domain_view(
    db_path: str,
    site: str | None,
    pair: tuple[str, str],
    adjust: str,
    min_group: int,
    domain: str,
    role: str,
) -> DomainView:
    """One role's view (All roles' for a role with no panel), from :func:`page_views`."""
    return page_views(db_path, site, pair, adjust, min_group, domain).view(role)


# The panel's sentences are the same on every rerun: each is escaped once (a rerun of a shown
# view then runs no regular expression; as_text is a pure function of its text).
_as_text = functools.lru_cache(maxsize=4096)(ui.as_text)


def _how_to_read(text: str) -> None:
    with st.expander(HOW_TO_READ_TITLE, icon=":material/help:"):
        st.markdown(_as_text(text))


def _chart(chart: present.SurveyChart, spec: dict) -> None:
    """Takeaway, reading help, then the chart."""
    st.markdown(f"**{_as_text(chart.takeaway)}**")
    _how_to_read(chart.how_to_read)
    ui.show_chart(spec, alt=chart.alt)


def _method_and_caveats(panel: present.DomainPanel) -> None:
    st.markdown(
        f"**Method.** {_as_text(panel.method)}  \n"
        f"**Caveats.** {_as_text(' '.join(panel.caveats))}  \n{_as_text(ui.ILLUSTRATIVE)}"
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
    st.caption(_as_text(present.wave_note(list(waves))))
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
    views, view = shown_view(key, site, (wave_a, wave_b), adjust, k, domain, role)
    panel = view.panel
    if panel.status == "empty":
        st.info(_as_text(panel.notice))
        return
    if panel.status == "hidden":
        st.warning(_as_text(panel.notice))
        _method_and_caveats(panel)
        return

    st.markdown(f"**{_as_text(panel.summary)}**")
    st.caption(_as_text(panel.meta))
    if panel.model:
        st.markdown(_as_text(panel.model))
        st.caption(_as_text(panel.model_caveat))
    for chart in panel.charts:
        _chart(chart, view.specs[chart.kind])

    st.markdown("## By job role")
    breakdown = panel.roles
    measure = st.radio(
        "Show",
        list(present.MEASURES),
        horizontal=True,
        key=f"{domain}_heat",
        format_func=lambda m: _as_text(breakdown.measure_labels[m]),
    )
    _chart(breakdown.charts[measure], views.heatmap(measure))
    if breakdown.hidden_note:
        st.caption(_as_text(breakdown.hidden_note))
    st.table(view.roles_table, hide_index=True)
    st.caption(_as_text(breakdown.caption) + ".")

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
