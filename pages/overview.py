"""Overview: headline figures from every part of the dashboard, each linking to its page."""

import datetime

import streamlit as st

from rpgdash import ui
from rpgdash.present.overview import Status
from rpgdash.report import board_pack, report_file_name
from rpgdash.ui.plan import plan_panel
from rpgdash.ui.routing import enter_through_app

enter_through_app()  # first, before drawing anything: see rpgdash/ui/routing.py

# The same status (words and icon) as the board pack's summary; colour is never alone.
STATUS_COLOURS = {
    Status.IMPROVING: "blue",
    Status.NO_CLEAR_CHANGE: "gray",
    Status.CONCERN: "orange",
    Status.NOT_ENOUGH_DATA: "gray",
}


def status_badge(status: Status) -> None:
    st.badge(status.words, icon=status.icon, color=STATUS_COLOURS[status])


st.title("Reflective practice groups: outcomes overview")
st.caption(
    "Staff surveys, organisational indicators and workforce figures for the reflective "
    "practice groups (RPGs) that began in November 2015. Figures describe change over time; "
    "they do not show that RPGs caused it."
)
key, site, role, k = ui.db_key(), ui.selected_site(), ui.selected_role(), ui.min_group()
panel = ui.overview_panel(key, site, role, k)

st.markdown("## Survey responses")
st.caption(ui.as_text(panel.wave_note))
cols = st.columns(max(len(panel.wave_cards), 1))
for col, card in zip(cols, panel.wave_cards, strict=False):
    col.metric(ui.as_text(card.label), card.value, border=True, help=ui.as_text(card.sentence))
    col.caption(ui.as_text(card.sentence))
if panel.not_compared:
    st.caption(ui.as_text(panel.not_compared))

if panel.survey_heading:
    st.markdown(f"## {ui.as_text(panel.survey_heading)}")
    # Two cards a row: at 1024 px three or four cards cut their links and deltas off.
    for col, card in zip(ui.card_grid(len(panel.domain_cards)), panel.domain_cards, strict=False):
        with col.container(border=True):
            st.markdown(f"**{card.title}**")
            status_badge(card.status)
            st.markdown(ui.as_text(card.sentence))
            st.page_link(card.page, label="Open the statements", icon=":material/arrow_forward:")

st.markdown("## Planning the next survey wave")
plan_panel(site, k)

st.markdown("## Organisational indicators")
cols = st.columns(max(len(panel.indicator_cards), 1))
sparklines = ui.sparkline_specs(key, site, role, k)
for col, card, spec in zip(cols, panel.indicator_cards, sparklines, strict=False):
    with col.container(border=True):
        st.markdown(f"**{ui.as_text(card.name)}**")
        status_badge(card.status)
        st.markdown(ui.as_text(card.sentence))
        if spec is not None:
            ui.show_chart(spec, alt=f"{card.name} by month")
st.page_link("pages/indicators.py", label="Open the indicators", icon=":material/arrow_forward:")

st.markdown("## Workforce")
for col, card in zip(ui.card_grid(len(panel.workforce_cards)), panel.workforce_cards, strict=False):
    col.metric(
        ui.as_text(card.label),
        card.value,
        card.delta,
        delta_color="off",
        border=True,
        help=ui.as_text(card.sentence),
    )
st.page_link(
    "pages/workforce.py", label="Open the workforce figures", icon=":material/arrow_forward:"
)

st.markdown("## Evaluation timeline")
timeline, timeline_text = ui.timeline_spec(key, site)
ui.show_chart(timeline, alt=timeline_text)
ui.illustrative_note()
st.caption(ui.TABLE2_REAL)

st.markdown("## Board report")
st.caption(
    f"The board pack for {ui.as_text(site)} and {ui.as_text(role)}: a two-page summary, then "
    "every survey set, the indicators, workforce, interview themes, the model, method, caveats "
    "and where the data came from. The PDF is laid out for A4 with page numbers; the HTML "
    "file opens in any browser. Each takes a few seconds to prepare."
)
report_db = ui.get_db()
st.download_button(
    "Download the board pack (PDF)",
    data=lambda: board_pack(report_db, format="pdf", site=site, role=role, min_group=k),
    file_name=report_file_name(site, role, datetime.date.today(), "pdf"),
    mime="application/pdf",
    icon=":material/picture_as_pdf:",
    key="board_pack_pdf",
)
st.download_button(
    "Download the board report (HTML)",
    data=lambda: board_pack(report_db, format="html", site=site, role=role, min_group=k),
    file_name=report_file_name(site, role, datetime.date.today()),
    mime="text/html",
    icon=":material/download:",
    key="board_report",
)
