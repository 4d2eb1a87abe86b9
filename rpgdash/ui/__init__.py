"""Shared Streamlit pieces: the database resource, cached reads, sidebar filters, notes.

The only module under rpgdash/ that imports streamlit. Cached reads are keyed on the filters
and cleared by :func:`data_changed` after every write.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from types import MappingProxyType

import altair as alt
import pandas as pd
import streamlit as st
from streamlit.dataframe_util import convert_anything_to_arrow_bytes
from streamlit.navigation.page import StreamlitPage

from rpgdash import api, evidence, queries, settings
from rpgdash.access import current_upload_access
from rpgdash.db import Database, default_path, open_db
from rpgdash.errors import RpgdashError
from rpgdash.present import evidence as present_evidence
from rpgdash.present import model as present_model
from rpgdash.present import overview as present_overview
from rpgdash.present import survey as present_survey
from rpgdash.present import workforce as present_workforce
from rpgdash.present.headlines import workforce_changes
from rpgdash.text import as_text, as_text_list, without_server_paths

__all__ = ["as_text", "as_text_list"]  # re-exported: pages escape stored text with ui.as_text

ALL_ROLES = queries.ALL_ROLES
ILLUSTRATIVE = (
    "Illustrative demo data: the survey answers and monthly values are generated to match the "
    "published findings; they are not the authority's real returns."
)
EXCEL_SAFE_CSV = (
    "The CSV is prepared for spreadsheets: UTF-8 with a byte-order mark, and text that Excel "
    "would run as a formula (starting =, +, - or @) begins with an apostrophe. For the data "
    "exactly as stored, use python -m rpgdash export."
)
TABLE2_REAL = "Workforce figures are the published values (Table 2 of the evaluation)."


@st.cache_resource(show_spinner=False)
def _open(path: str, read_only: bool = False) -> Database:
    return open_db(path, read_only=read_only)


def get_db() -> Database:
    """The process-wide database for the configured path (one per path, shared by sessions).

    With ``RPGDASH_READ_ONLY=1`` the file is opened read-only: the database itself refuses
    writes, and other programs may read the same file at the same time.
    """
    return _db(str(default_path()))


def _db(path: str) -> Database:
    return _open(path, settings.get("read_only"))


def data_changed() -> None:
    """Call after any write: every cached read is recomputed on the next run."""
    from rpgdash.ui.survey import shown_view

    st.cache_data.clear()
    stored_views.clear()
    shown_view.clear()


def run_page(page: StreamlitPage) -> None:
    """Draw the shared filters, then the page; any error reaches the user as a sentence."""
    try:
        get_db()
        sidebar_filters()
        account_controls()
        page.run()
    except RpgdashError as exc:  # the product's own refusals (database, uploads) say what to do
        # Shown as text, and without the server's folders (viewers need only the file name).
        st.error(as_text(without_server_paths(str(exc)), multiline=True))
    except Exception as exc:  # the last line of defence: a sentence for the user, a log for us
        logging.getLogger("rpgdash").exception("page failed")
        st.error(
            "Something went wrong while drawing this page, so it was not shown. Reload the "
            "page; if it happens again, tell the dashboard's administrator "
            f"(error type {type(exc).__name__})."
        )


# --- cached reads (arguments are the filters; the database is found by path) ---------------


@st.cache_data(show_spinner=False)
def site_names(db_path: str) -> list[str]:
    return queries.site_names(_db(db_path))


@st.cache_data(show_spinner=False)
def default_site(db_path: str) -> str | None:
    return queries.default_site(_db(db_path))


@st.cache_data(show_spinner=False)
def role_names(db_path: str) -> list[str]:
    return queries.roles(_db(db_path))


@st.cache_data(show_spinner=False)
def comparable_waves(db_path: str, site: str | None = None) -> list[str]:
    """The comparable waves the site has answers in (every one for all sites), from one read
    of every site's waves (a first view of a site then reads nothing)."""
    if site is None:
        return api.comparable_waves(_db(db_path), site)
    return list(_waves_by_site(db_path).get(site, ()))


@st.cache_data(show_spinner=False)
def _waves_by_site(db_path: str) -> dict[str, tuple[str, ...]]:
    return queries.comparable_waves_by_site(_db(db_path))


@st.cache_data(show_spinner=False)
def _sizes_by_site(db_path: str) -> dict[str, list[tuple]]:
    """Every site's (role, wave, respondents) rows: plain tuples, quick to copy on a hit."""
    every = queries.group_sizes_by_site(_db(db_path))
    rows: dict[str, list[tuple]] = {}
    for site, role, wave, n in every.itertuples(index=False):
        rows.setdefault(site, []).append((role, wave, n))
    return rows


@st.cache_resource(show_spinner=False, max_entries=8)
def stored_views(
    db_path: str, min_group: int, adjust: str, domain: str
) -> Mapping[tuple[str | None, str, str], bytes]:
    """Every site's stored survey views of one domain that match the data (read-only bytes,
    so shared as a resource rather than copied on every look-up; cleared by
    :func:`data_changed`): a first view of a site is then a dictionary look-up."""
    from rpgdash import view_store

    return MappingProxyType(view_store.current_views(_db(db_path), min_group, adjust, domain))


@st.cache_data(show_spinner=False)
def wave_summary(db_path: str, site: str | None) -> pd.DataFrame:
    return queries.wave_response_summary(_db(db_path), site)


@st.cache_data(show_spinner=False)
def comparisons(
    db_path: str, site: str | None, waves: tuple[str, str] | None, min_group: int
) -> pd.DataFrame:
    """Every role's comparison for every statement (filter the role afterwards)."""
    return api.compare_waves(_db(db_path), site=site, waves=waves, min_group=min_group)


@st.cache_data(show_spinner=False)
def domain_models(
    db_path: str, site: str | None, waves: tuple[str, str] | None, min_group: int
) -> pd.DataFrame:
    """One proportional-odds model per survey domain (see :func:`rpgdash.compare_domains`)."""
    return api.compare_domains(_db(db_path), site=site, waves=waves, min_group=min_group)


@st.cache_data(show_spinner=False)
def plan_defaults(db_path: str, site: str | None) -> tuple[str | None, float | None, dict]:
    return api.plan_defaults(_db(db_path), site=site)


@st.cache_data(show_spinner=False)
def plan_wave(
    db_path: str,
    invited: tuple[tuple[str, int], ...],
    site: str | None,
    response_rate: float,
    min_group: int,
) -> list[dict]:
    """The next wave's plan for ``invited`` ((role, staff) pairs, in the table's order)."""
    return api.plan_wave(
        _db(db_path), dict(invited), site=site, response_rate=response_rate, min_group=min_group
    )


@st.cache_data(show_spinner=False)
def level_counts(db_path: str, site: str | None) -> pd.DataFrame:
    return queries.level_counts(_db(db_path), site=site)


@st.cache_data(show_spinner=False)
def group_sizes(db_path: str, site: str | None) -> pd.DataFrame:
    return queries.group_sizes(_db(db_path), site=site)


@st.cache_data(show_spinner=False)
def indicators(db_path: str) -> pd.DataFrame:
    return queries.indicators(_db(db_path))


@st.cache_data(show_spinner=False)
def indicator_series(db_path: str, indicator: str, site: str | None) -> pd.DataFrame:
    return queries.indicator_series(_db(db_path), indicator, site=site)


@st.cache_data(show_spinner=False)
def trend_window(
    db_path: str,
    indicator: str,
    site: str | None,
    start: str,
    end: str,
    change_point: str | None,
    rebase: tuple[str, ...],
    target: float | None = None,
    errors: str = "auto",
) -> dict:
    """Trend analysis of the months ``start`` to ``end`` of one stored series."""
    return api.analyse_trend(
        _db(db_path),
        indicator,
        site=site,
        start=start,
        end=end,
        change_point=change_point,
        rebase=rebase,
        target=target,
        errors=errors,
    )


def card_grid(n: int, per_row: int = 2) -> list:
    """``n`` columns laid out ``per_row`` to a row, so a card's text keeps its full width."""
    cells: list = []
    while len(cells) < n:
        cells += st.columns(per_row)
    return cells[:n]


@st.cache_data(show_spinner=False)
def overview_panel(
    db_path: str, site: str | None, role: str, min_group: int
) -> present_overview.OverviewPanel:
    """The overview's headlines (the report lists the same sentences)."""
    return present_overview.build_overview_panel(
        _db(db_path), site=site, role=role, min_group=min_group
    )


@st.cache_data(show_spinner=False)
def workforce(db_path: str, site: str | None) -> pd.DataFrame:
    return queries.workforce(_db(db_path), site=site)


@st.cache_data(show_spinner=False)
def events(db_path: str, site: str | None) -> pd.DataFrame:
    return queries.events(_db(db_path), site=site)


@st.cache_data(show_spinner=False)
def sparkline_specs(
    db_path: str, site: str | None, role: str, min_group: int
) -> tuple[dict | None, ...]:
    """The overview's indicator sparklines, one per card of :func:`overview_panel` (None for
    a card with too short a series), ready for :func:`show_chart`."""
    from rpgdash import charts

    cards = overview_panel(db_path, site, role, min_group).indicator_cards
    return tuple(
        None
        if card.series is None
        else chart_spec(charts.indicator_sparkline(card.series, title=""))
        for card in cards
    )


@st.cache_data(show_spinner=False)
def timeline_spec(db_path: str, site: str | None) -> tuple[dict, str]:
    """The overview's evaluation timeline and its text alternative."""
    from rpgdash import charts
    from rpgdash.present.headlines import timeline_phases

    phases = timeline_phases(events(db_path, site))
    alt_text = "; ".join(f"{p.label}: {p.start:%b %Y}" for p in phases.itertuples())
    return chart_spec(charts.timeline_chart(phases, title="RPGs and the evaluation")), alt_text


@st.cache_data(show_spinner=False)
def workforce_chart_spec(db_path: str, site: str | None, measure: str) -> dict:
    """One measure's panel on the Workforce page."""
    from rpgdash import charts

    return chart_spec(
        charts.workforce_measure_chart(workforce_panel(db_path, site).figures, measure)
    )


@st.cache_data(show_spinner=False)
def notes(db_path: str) -> pd.DataFrame:
    return queries.notes(_db(db_path))


@st.cache_data(show_spinner=False)
def evidence_data(db_path: str, site: str | None) -> evidence.EvidenceData:
    return evidence.load_evidence(_db(db_path), site=site)


@st.cache_data(show_spinner=False)
def workforce_panel(db_path: str, site: str | None) -> present_workforce.WorkforcePanel:
    """The Workforce page's panel (the report draws the same one)."""
    return present_workforce.workforce_panel(workforce(db_path, site))


@st.cache_data(show_spinner=False)
def evidence_panel(
    db_path: str, site: str | None, role: str, min_group: int
) -> present_evidence.EvidencePanel:
    """The Evidence page's panel, from the cached comparison of the first and latest waves."""
    waves = comparable_waves(db_path, site)
    pair = (waves[0], waves[-1]) if len(waves) >= 2 else None
    comps = comparisons(db_path, site, pair, min_group) if pair else None
    return present_evidence.evidence_panel(
        evidence_data(db_path, site),
        comps,
        workforce_changes(workforce(db_path, site)),
        role=role,
        min_group=min_group,
        waves=pair,
    )


@st.cache_data(show_spinner=False)
def model_panel(
    db_path: str, site: str | None, role: str, min_group: int
) -> present_model.ModelPanel:
    """The model page's panel: each indicator's whole-series trend, the first and latest waves."""
    waves = comparable_waves(db_path, site)
    if len(waves) < 2:
        return present_model.ModelPanel(role=role, empty=True, notice=present_model.NO_WAVES)
    trends = {}
    for row in indicators(db_path).itertuples():
        series = indicator_series(db_path, row.name, site)
        if len(series) >= 3:
            months = series["month"].dt.strftime("%Y-%m")
            result = trend_window(
                db_path, row.name, site, months.iloc[0], months.iloc[-1], None, ()
            )
            trends[row.name] = (result, row.unit)
    inputs = present_model.ModelInputs(
        comparisons=comparisons(db_path, site, (waves[0], waves[-1]), min_group),
        role=role,
        workforce_changes=workforce_changes(workforce(db_path, site)),
        trends=trends,
        min_group=min_group,
    )
    return present_model.model_panel(inputs)


def how_to_read(text: str) -> None:
    """A closed "How to read this chart" expander with the product's own explanation."""
    with st.expander("How to read this chart"):
        st.markdown(text)


def db_key() -> str:
    """Cache key part naming the database file, so two databases never share cached data."""
    return str(default_path())


# --- filters --------------------------------------------------------------------------------


def selected_site() -> str | None:
    return st.session_state.get("site")


def selected_role() -> str:
    return st.session_state.get("role") or ALL_ROLES


def min_group() -> int:
    return settings.get("min_group")


def sidebar_filters() -> None:
    """The filters on every page: site and job role (keys ``site`` and ``role``)."""
    key = db_key()
    sites = site_names(key)
    if sites:
        if st.session_state.get("site") not in sites:
            st.session_state["site"] = default_site(key) or sites[0]
        st.sidebar.selectbox("Site", sites, key="site")
    roles = [ALL_ROLES, *role_names(key)]
    if st.session_state.get("role") not in roles:
        st.session_state["role"] = ALL_ROLES
    hidden = roles_too_few(key, selected_site(), min_group())
    st.sidebar.selectbox(
        "Job role",
        roles,
        key="role",
        format_func=lambda role: present_survey.role_label(role, hidden),
        help="Applies to survey results. Groups with fewer than "
        f"{min_group()} respondents are not shown, to protect individuals; roles marked "
        f"({present_survey.TOO_FEW}) have too few in every survey wave.",
    )


@st.cache_data(show_spinner=False)
def roles_too_few(db_path: str, site: str | None, min_group: int) -> tuple[str, ...]:
    """Roles no comparable wave can show (the role filter marks them); a site's group sizes
    come from one read of every site's (cached once), not one query per site."""
    if site is None:
        sizes = group_sizes(db_path, site)
    else:
        rows = _sizes_by_site(db_path).get(site, [])
        sizes = pd.DataFrame(rows, columns=["role", "wave", "respondents"])
    waves = comparable_waves(db_path, site)
    return present_survey.roles_hidden_in_every_wave(sizes, waves, role_names(db_path), min_group)


def account_controls() -> None:
    """The sidebar's sign-in and sign-out buttons, when sign-in is set up."""
    access = current_upload_access()
    if access.sign_in:
        st.sidebar.button(
            "Sign in",
            key="sign_in",
            icon=":material/login:",
            on_click=st.login,
            args=(access.provider,),
            help="Sign in to upload data and edit notes (for people listed as uploaders).",
        )
    elif access.user_email is not None:
        st.sidebar.caption(f"Signed in as {as_text(access.user_email)}")
        if not access.allowed:
            st.sidebar.caption(as_text(access.message))
        st.sidebar.button("Sign out", key="sign_out", icon=":material/logout:", on_click=st.logout)
    elif not access.allowed and access.message.startswith("Uploading is switched off because"):
        st.sidebar.caption(as_text(access.message))


def chart_spec(chart: alt.TopLevelMixin | dict) -> dict:
    """A chart (or its Vega-Lite dict) as a spec ready to draw many times (cache the result).

    Altair's schema validation and Streamlit's conversion of each dataset to Arrow are most of
    a page's drawing time; doing both once here and caching the result keeps reruns fast.
    Streamlit sends datasets that are already Arrow bytes as they are.
    """
    spec = chart if isinstance(chart, dict) else chart.to_dict()
    spec["datasets"] = {
        name: convert_anything_to_arrow_bytes(pd.DataFrame(values))
        for name, values in spec.get("datasets", {}).items()
    }
    return spec


def show_chart(spec: dict, *, alt: str) -> None:
    """Draw a chart from a cached Vega-Lite spec, with its text alternative."""
    st.vega_lite_chart(spec=spec, width="stretch", alt=alt)


def text_table(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` for ``st.table`` (which reads Markdown in cells and headers).

    Every text cell and column name goes through :func:`as_text`; numbers stay numbers.
    """
    from rpgdash.present.survey_views import text_table as escaped

    return escaped(table)


def illustrative_note() -> None:
    st.caption(f"ⓘ {ILLUSTRATIVE}")
