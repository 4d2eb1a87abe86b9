"""Workforce: yearly turnover, vacancies, agency staffing and sickness."""

import streamlit as st

from rpgdash import ui
from rpgdash.access import current_upload_access
from rpgdash.ingest.safe_csv import to_safe_csv
from rpgdash.notes import save_note
from rpgdash.present.reading_more import HOW_TO_READ
from rpgdash.ui.routing import enter_through_app

enter_through_app()  # first, before drawing anything: see rpgdash/ui/routing.py

st.title("Workforce")
st.caption(
    "Yearly workforce figures (percent). The job-role filter does not apply here: these are "
    "figures for the whole service."
)
key, site = ui.db_key(), ui.selected_site()
panel = ui.workforce_panel(key, site)
if panel.empty:
    st.info("No workforce figures are stored for this site yet. Add them on the Upload page.")
    st.stop()

for col, card in zip(ui.card_grid(len(panel.cards)), panel.cards, strict=True):
    col.metric(
        ui.as_text(card.label),
        card.value,
        card.delta,
        delta_color="off",
        border=True,
        help=ui.as_text(card.sentence),
    )
st.markdown(f"**{ui.as_text(panel.takeaway)}**")
st.caption(f"{panel.chart_title}: yearly rates; the local authority is the solid line.")
for cell, card in zip(ui.card_grid(len(panel.cards)), panel.cards, strict=True):
    with cell:
        # alt is a plain-text attribute, not Markdown
        ui.show_chart(ui.workforce_chart_spec(key, site, card.measure), alt=card.sentence)
ui.how_to_read(HOW_TO_READ["workforce"])
st.markdown("## The figures")
st.dataframe(panel.table, hide_index=True)
st.dataframe(panel.changes_table, hide_index=True)
st.caption(
    f"{ui.TABLE2_REAL} Comparison lines appear when national or regional figures are uploaded."
)
st.download_button(
    "Download the figures (CSV)",
    to_safe_csv(panel.download),
    file_name="workforce.csv",
    mime="text/csv",
)
st.caption(ui.EXCEL_SAFE_CSV)

notes = ui.notes(key)
editable = current_upload_access().can_edit_notes
for note in notes.itertuples():
    st.markdown(f"## {ui.as_text(note.title)}")
    st.markdown(ui.as_text(note.body, multiline=True))
    st.caption(f"Source: {ui.as_text(note.source)}")
    if editable:
        with st.expander("Edit this note"), st.form(f"note_{note.key}"):
            body = st.text_area("Text", note.body)
            source = st.text_input("Source", note.source)
            if st.form_submit_button("Save note"):
                save_note(ui.get_db(), note.key, body, source)
                ui.data_changed()
                st.rerun()
