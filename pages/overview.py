"""Overview: headline figures from every part of the dashboard, each linking to its page."""

import datetime

import pandas as pd
import streamlit as st

from rpgdash import charts, headlines, narrative, ui
from rpgdash.present import domains
from rpgdash.report import build_report, report_file_name
from rpgdash.ui.plan import plan_panel
from rpgdash.ui.routing import enter_through_app

enter_through_app()  # first, before drawing anything: see rpgdash/ui/routing.py

st.title("Reflective practice groups: outcomes overview")
st.caption(
    "Staff surveys, organisational indicators and workforce figures for the reflective "
    "practice groups (RPGs) that began in November 2015. Figures describe change over time; "
    "they do not show that RPGs caused it."
)
key, site, role, k = ui.db_key(), ui.selected_site(), ui.selected_role(), ui.min_group()

st.markdown("## Survey responses")
summary = ui.wave_summary(key, site)
comparable = summary[summary["comparable"]]
cols = st.columns(max(len(comparable), 1))
for col, wave in zip(cols, comparable.itertuples(), strict=False):
    rate = (
        f" of about {int(wave.invited)} invited ({wave.response_rate:.0f}%)"
        if pd.notna(wave.invited) and wave.invited and pd.notna(wave.response_rate)
        else ""
    )
    col.metric(
        f"Respondents at {ui.as_text(wave.wave)}",
        f"{wave.respondents}",
        border=True,
        help=f"{wave.respondents} staff answered{rate}.",
    )
    col.caption(f"{wave.respondents}{rate}")
not_compared = summary.loc[~summary["comparable"], "wave"].tolist()
if not_compared:
    st.caption(
        "Not compared: "
        + ui.as_text_list(not_compared)
        + " (a different instrument; see Method and caveats)."
    )

waves = ui.comparable_waves(key)
if len(waves) >= 2:
    comps = ui.comparisons(key, site, (waves[0], waves[-1]), k)
    st.markdown(
        f"## Survey statements, {ui.as_text(waves[0])} to {ui.as_text(waves[-1])} "
        f"({ui.as_text(role)})"
    )
    cols = st.columns(3)
    for col, head in zip(cols, headlines.domain_headlines(comps, role), strict=False):
        with col.container(border=True):
            st.markdown(f"**{domains.title(head.domain)}**")
            if head.suppressed:
                st.markdown(f"Not shown for {ui.as_text(role)}: fewer than {k} respondents.")
            else:
                st.markdown(
                    f"{head.improved} of {head.statements} statements more agreed with; "
                    f"**{head.significant} improved significantly** (95%, Mann-Whitney U). "
                    f"{head.above_neutral} of {head.statements} above the neutral 2.5 at "
                    f"{ui.as_text(waves[-1])}."
                )
            st.page_link(
                domains.domain(head.domain).page,
                label="Open the statements",
                icon=":material/arrow_forward:",
            )

st.markdown("## Planning the next survey wave")
plan_panel(site, k)

st.markdown("## Organisational indicators")
meta = ui.indicators(key)
cols = st.columns(max(len(meta), 1))
for col, row in zip(cols, meta.itertuples(), strict=False):
    series = ui.indicator_series(key, row.name, site)
    with col.container(border=True):
        st.markdown(f"**{ui.as_text(row.name)}**")
        if len(series) < 3:
            st.markdown("Too few months stored.")
            continue
        months = series["month"].dt.strftime("%Y-%m")
        result = ui.trend_window(key, row.name, site, months.iloc[0], months.iloc[-1], None, ())
        slope = result["ols"]["slope_per_month"]
        st.markdown(
            f"{'Falling' if slope < 0 else 'Rising'} by about {abs(slope):.1f} "
            f"{ui.as_text(row.unit)} a "
            f"month, {narrative.month_label(result['start'])} to "
            f"{narrative.month_label(result['end'])} (Mann-Kendall "
            f"{narrative.format_p(result['mann_kendall']['p_value'])})."
        )
        st.altair_chart(
            charts.indicator_sparkline(series, title=""),
            width="stretch",
            alt=f"{row.name} by month",
        )
st.page_link("pages/indicators.py", label="Open the indicators", icon=":material/arrow_forward:")

st.markdown("## Workforce")
changes = headlines.workforce_changes(ui.workforce(key, site))
cols = st.columns(max(len(changes), 1))
for col, row in zip(cols, changes.itertuples(), strict=False):
    col.metric(
        ui.as_text(row.measure),
        f"{row.latest:g}% in {row.latest_year}",
        f"{row.change:+.1f} points since {row.first_year} ({row.first:g}%)",
        delta_color="off",
        border=True,
    )
st.page_link(
    "pages/workforce.py", label="Open the workforce figures", icon=":material/arrow_forward:"
)

st.markdown("## Evaluation timeline")
phases = headlines.timeline_phases(ui.events(key, site))
st.altair_chart(
    charts.timeline_chart(phases, title="RPGs and the evaluation"),
    width="stretch",
    alt="; ".join(f"{p.label}: {p.start:%b %Y}" for p in phases.itertuples()),
)
ui.illustrative_note()
st.caption(ui.TABLE2_REAL)

st.markdown("## Board report")
st.caption(
    f"One HTML file for a board pack, for {ui.as_text(site)} and {ui.as_text(role)}: the "
    "headline findings, every "
    "survey set, the indicators, workforce, interview themes, the model, method, caveats and "
    "where the data came from. Open it in a browser and print to PDF (A4). It takes a few "
    "seconds to prepare."
)
report_db = ui.get_db()
st.download_button(
    "Download the board report (HTML)",
    data=lambda: build_report(report_db, site=site, role=role, min_group=k).encode("utf-8"),
    file_name=report_file_name(site, role, datetime.date.today()),
    mime="text/html",
    icon=":material/download:",
    key="board_report",
)
