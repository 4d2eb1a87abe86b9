"""Method, data sources and caveats."""

import streamlit as st

from rpgdash import ui
from rpgdash.about import ABOUT_SECTIONS, wave_table
from rpgdash.ui.routing import enter_through_app

enter_through_app()  # first, before drawing anything: see rpgdash/ui/routing.py

st.title("Method and caveats")
key = ui.db_key()
for heading, body in ABOUT_SECTIONS:
    st.markdown(f"## {heading}")
    st.markdown(body.format(min_group=ui.min_group()))
st.markdown("## Survey waves stored")
st.dataframe(wave_table(ui.wave_summary(key, ui.selected_site())), hide_index=True)
ui.illustrative_note()
st.caption(ui.TABLE2_REAL)
