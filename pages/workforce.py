"""Workforce: yearly turnover, vacancies, agency staffing and sickness."""

import streamlit as st

from rpgdash import charts, headlines, ui
from rpgdash.access import current_upload_access
from rpgdash.ingest.safe_csv import to_safe_csv
from rpgdash.notes import save_note
from rpgdash.present.overview import workforce_cards
from rpgdash.ui.routing import enter_through_app

enter_through_app()  # first, before drawing anything: see rpgdash/ui/routing.py

st.title("Workforce")
st.caption(
    "Yearly workforce figures (percent). The job-role filter does not apply here: these are "
    "figures for the whole service."
)
key, site = ui.db_key(), ui.selected_site()
figures = ui.workforce(key, site)
if figures.empty:
    st.info("No workforce figures are stored for this site yet. Add them on the Upload page.")
    st.stop()

changes = headlines.workforce_changes(figures)
for col, card in zip(ui.card_grid(len(changes)), workforce_cards(changes), strict=True):
    col.metric(
        ui.as_text(card.label),
        card.value,
        card.delta,
        delta_color="off",
        border=True,
        help=ui.as_text(card.sentence),
    )
summary = "; ".join(
    f"{r.measure} {r.first:g}% in {r.first_year} and {r.latest:g}% in {r.latest_year}"
    for r in changes.itertuples()
)
st.altair_chart(
    charts.workforce_small_multiples(figures, title="Workforce measures by year"),
    width="stretch",
    alt=summary,
)
st.markdown("## The figures")
table = headlines.workforce_table(figures)
st.dataframe(table, hide_index=True)
st.caption(
    f"{ui.TABLE2_REAL} Comparison lines appear when national or regional figures are uploaded."
)
st.download_button(
    "Download the figures (CSV)", to_safe_csv(figures), file_name="workforce.csv", mime="text/csv"
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
