"""Organisational indicators: SPC charts, trends and interrupted time series."""

import streamlit as st

from rpgdash import ui
from rpgdash.present import format
from rpgdash.present.glossary import terms_line
from rpgdash.present.indicators import AUTOMATIC
from rpgdash.present.reading_more import HOW_TO_READ
from rpgdash.ui.indicator_view import ERROR_CHOICES, indicator_view, page_controls, show_summary
from rpgdash.ui.routing import enter_through_app


def _chart_rebase_key(indicator_id: object) -> str:
    return f"chart_rebase_{indicator_id}"


def _rebase_chart(indicator_id: object, month: str) -> None:
    key = _chart_rebase_key(indicator_id)
    st.session_state[key] = sorted({*st.session_state.get(key, []), month})


def _undo_rebase(indicator_id: object) -> None:
    st.session_state[_chart_rebase_key(indicator_id)] = []


enter_through_app()  # first, before drawing anything: see rpgdash/ui/routing.py

st.title("Organisational indicators")
key, site = ui.db_key(), ui.selected_site()
if ui.selected_role() != ui.ALL_ROLES:
    st.info(
        f"The job-role filter ({ui.as_text(ui.selected_role())}) does not apply to these "
        "figures: they "
        "count children and referrals for the whole service, not staff."
    )
controls = page_controls(key, site)
if not controls.indicators:
    st.info("No indicators are stored yet. Add a monthly series on the Upload page.")
    st.stop()

names = controls.names
chosen = st.multiselect("Indicators", names, default=names, key="ind_chosen")
months, month_label = list(controls.months), controls.labels
if not months:
    st.info("No values are stored for these indicators at this site.")
    st.stop()
labels = {month_label[m]: m for m in months}
first, last = st.select_slider(
    "Months", options=list(labels), value=(next(iter(labels)), list(labels)[-1]), key="ind_range"
)
start, end = labels[first], labels[last]
change_choice = st.selectbox(
    "Interrupted time series: change point",
    [AUTOMATIC, *months],
    key="ind_change",
    format_func=lambda m: (
        "RPG start, or the facilitator change when fewer than 8 months precede the RPG start"
        if m == AUTOMATIC
        else month_label[m]
    ),
)
errors = st.selectbox(
    "Interrupted time series: standard errors",
    list(ERROR_CHOICES),
    key="ind_errors",
    format_func=ERROR_CHOICES.get,
    help="Monthly figures are often autocorrelated (one month like the last), which makes "
    "ordinary standard errors too small. Automatic uses Newey-West standard errors when the "
    "Breusch-Godfrey test of the residuals gives p < 0.05.",
)
rebase = st.multiselect(
    "Rebase the SPC limits at (optional)",
    months,
    key="ind_rebase",
    format_func=month_label.__getitem__,
    help="Start new process limits at these months, e.g. after a known "
    "change in how the figures are counted.",
)
# Filled after the indicators below are computed, so it reflects each one's target.
summary_box = st.container()
summary_rows = []

for row in controls.chosen(chosen):
    st.divider()
    st.header(ui.as_text(row.name))
    target = st.number_input(
        f"Target for {ui.as_text(row.name)} (optional, {ui.as_text(row.unit)})",
        value=row.target,
        min_value=0.0,
        key=f"target_{row.indicator_id}",
        help="With a target, the chart draws it and says whether the process limits lie "
        "wholly on one side of it (Making Data Count assurance).",
    )
    chart_rebase = st.session_state.get(_chart_rebase_key(row.indicator_id), [])
    view = indicator_view(
        key,
        row.name,
        row.unit,
        site,
        start,
        end,
        change_choice,
        tuple(sorted({*rebase, *chart_rebase})),
        target,
        errors,
        row.direction,
    )
    panel = view["panel"]
    for notice in panel.notices:
        st.info(ui.as_text(notice))
    if panel.too_short:
        continue
    summary = panel.summary_row
    summary_rows.append(summary)
    cols = st.columns(3)
    cols[0].metric(f"Latest month ({ui.as_text(row.unit)})", panel.latest, help=panel.latest_month)
    cols[1].markdown(f"**Variation (latest point)**  \n{summary.variation_words}")
    if summary.assurance is not None:
        cols[2].markdown(f"**Assurance against the target**  \n{summary.assurance_words}")
    else:
        cols[2].markdown(f"**Improvement direction**  \n{ui.as_text(row.direction)} is better")
    st.markdown(f"**{ui.as_text(panel.takeaway)}**")
    ui.show_chart(view["spec"], alt=f"{panel.takeaway} {panel.trend_text}")
    ui.how_to_read(
        HOW_TO_READ["xmr"] + "\n\n" + terms_line(("xmr", "process-limits", "trial-limits"))
    )
    st.markdown(ui.as_text(panel.trend_text))
    st.dataframe(view["limits"], hide_index=True, key=f"limits_{row.indicator_id}")
    for suggestion in panel.suggestions:
        when = format.month(suggestion["month"])
        st.button(
            f"Recalculate limits from this event: {ui.as_text(suggestion['label'])} ({when})",
            key=f"rebase_{row.indicator_id}_{suggestion['month']}",
            on_click=_rebase_chart,
            args=(row.indicator_id, suggestion["month"]),
            help="A shift or trend follows this event. Making Data Count advises starting "
            "new limits when a known change has moved the process.",
        )
    if chart_rebase:
        st.caption(
            "Limits of this chart recalculated from "
            + ", ".join(format.month(m) for m in chart_rebase)
            + "."
        )
        st.button(
            "Undo the recalculation",
            key=f"undo_rebase_{row.indicator_id}",
            on_click=_undo_rebase,
            args=(row.indicator_id,),
        )
    if panel.change_text:
        st.markdown(f"**Change point:** {ui.as_text(panel.change_text)}")
    if panel.its_text:
        st.markdown(ui.as_text(panel.its_text))
    for warning in panel.its_warnings:
        st.warning(warning)
    for note in panel.its_notes:
        st.markdown(ui.as_text(note))
    if view["scan_spec"] is not None:
        if panel.scan_text:
            st.markdown(f"**{ui.as_text(panel.scan_text)}**")
        ui.show_chart(view["scan_spec"], alt=panel.scan_text or "")
        ui.how_to_read(HOW_TO_READ["level_scan"] + "\n\n" + terms_line(("its",)))
    if panel.its_text:
        st.caption(panel.caveats[0])
    for warning in panel.trial_limits:
        st.warning(warning)
    if panel.missing_months:
        st.caption(f"Missing months (not filled in): {panel.missing_months}")
    with st.expander("Data"):
        st.dataframe(view["table"], hide_index=True)
        st.download_button(
            "Download (CSV)",
            view["csv"],
            file_name=f"{row.name}.csv",
            mime="text/csv",
            key=f"download_{row.indicator_id}",
        )
        st.caption(ui.EXCEL_SAFE_CSV)

with summary_box:
    show_summary(summary_rows)

st.divider()
ui.illustrative_note()
st.caption(
    "The series cover different months, as published. XmR limits follow NHS England's Making "
    "Data Count as the NHSRplotthedots package computes them: mean ± 2.66 × average moving "
    "range (moving ranges of 3.267 × their average or more left out); special causes are a "
    "point outside the limits, 7 points on one side of the mean, 7 rising or falling, or 2 of "
    "3 beyond two-thirds of the way to a limit (points outside the limits not counted)."
)
st.caption(
    terms_line(("xmr", "process-limits", "trial-limits", "its", "mann-kendall", "sens-slope"))
)
