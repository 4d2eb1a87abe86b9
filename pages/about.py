"""Method, data sources and caveats, and the glossary the other pages link to."""

import streamlit as st

from rpgdash import ui
from rpgdash.about import ABOUT_SECTIONS, wave_table
from rpgdash.present.glossary import TERMS
from rpgdash.ui.routing import enter_through_app

enter_through_app()  # first, before drawing anything: see rpgdash/ui/routing.py

st.title("Method and caveats")
key = ui.db_key()
for heading, body in ABOUT_SECTIONS:
    st.markdown(f"## {heading}")
    st.markdown(body.format(min_group=ui.min_group()))
st.header("Glossary", anchor="glossary")
st.caption("The statistical terms used on the pages, in plain words.")
for term in TERMS:
    # anchor= gives the heading a fixed id, so links such as about#holm land on it.
    st.subheader(term.title, anchor=term.anchor)
    st.markdown(term.meaning)
st.markdown("## Survey waves stored")
st.dataframe(wave_table(ui.wave_summary(key, ui.selected_site())), hide_index=True)
ui.illustrative_note()
st.caption(ui.TABLE2_REAL)
