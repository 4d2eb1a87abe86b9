"""Evidence from interviews: qualitative themes beside the survey changes they correspond to."""

import streamlit as st

from rpgdash import ui
from rpgdash.present.glossary import terms_line
from rpgdash.ui.routing import enter_through_app

enter_through_app()  # first, before drawing anything: see rpgdash/ui/routing.py

st.title("Evidence from interviews")
key, site, role, k = ui.db_key(), ui.selected_site(), ui.selected_role(), ui.min_group()
panel = ui.evidence_panel(key, site, role, k)
st.caption(panel.intro)
if panel.empty:
    st.info(panel.notice)
    st.stop()

st.markdown(f"**{ui.as_text(panel.summary)}**")
st.markdown(ui.as_text(panel.scope))
if panel.notice:
    st.info(panel.notice)

for wave, themes in panel.waves:
    st.header(f"Themes at {ui.as_text(wave)}")
    for theme in themes:
        with st.container(border=True):
            st.subheader(ui.as_text(theme.name))
            st.markdown(f"**{ui.as_text(theme.polarity_label)}.** {ui.as_text(theme.description)}")
            if theme.statements_table is not None:
                st.markdown(ui.as_text(theme.statements_sentence))
                st.table(ui.text_table(theme.statements_table), hide_index=True)
            for line in theme.workforce_lines:
                st.markdown(f"Workforce: {ui.as_text(line)}")
            if theme.link_note:
                st.caption(ui.as_text(theme.link_note))
            if theme.excerpts:
                st.markdown(f"**{ui.as_text(theme.excerpts_label)}**")
                for ex in theme.excerpts:
                    quote, source = ui.as_text(ex.text), ui.as_text(ex.attribution)
                    st.markdown(f"> \u201c{quote}\u201d  \n> \u2014 {source}")
            elif theme.held_back:
                st.caption(ui.as_text(theme.held_back))

st.divider()
if panel.illustrative:
    st.caption(panel.illustrative)
st.caption(panel.method)
st.caption(terms_line(("mann-whitney", "significant", "disclosure-threshold")))
ui.illustrative_note()
