"""How RPGs work: the context-mechanism-outcome model, with current evidence on each outcome."""

import streamlit as st

from rpgdash import ui
from rpgdash.present.glossary import terms_line
from rpgdash.present.model import node_heading, sources_text
from rpgdash.present.reading_more import HOW_TO_READ
from rpgdash.ui.routing import enter_through_app

enter_through_app()  # first, before drawing anything: see rpgdash/ui/routing.py

st.title("How RPGs work (model)")
key, site, role, k = ui.db_key(), ui.selected_site(), ui.selected_role(), ui.min_group()
panel = ui.model_panel(key, site, role, k)
st.caption(panel.intro)
if panel.empty:
    st.info(panel.notice)
    st.stop()

st.markdown(ui.as_text(panel.scope))
st.graphviz_chart(panel.dot, width="stretch", alt=panel.alt)
ui.how_to_read(HOW_TO_READ["model"])

st.header("The model as text")
for column, view in zip(st.columns(3), panel.columns, strict=True):
    with column:
        st.subheader(view.title)
        st.caption(view.description)
        for node in view.nodes:
            st.markdown(f"**{ui.as_text(node_heading(node))}.** {ui.as_text(node.detail)}")
            for line in node.evidence:
                st.markdown(f"- {ui.as_text(line)}")
            if view.shared_sources is None:
                st.caption(ui.as_text(sources_text(node.sources)))
        if view.shared_sources:
            st.caption(ui.as_text(sources_text(view.shared_sources)))

st.info(ui.as_text(panel.for_whom))
for caveat in panel.caveats:
    st.caption(ui.as_text(caveat))
st.caption(panel.method)
st.caption(terms_line(("mann-whitney", "significant", "mann-kendall", "disclosure-threshold")))
ui.illustrative_note()
st.caption(ui.TABLE2_REAL)
