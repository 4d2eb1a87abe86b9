"""Evidence from interviews: qualitative themes beside the survey changes they correspond to."""

import streamlit as st

from rpgdash import evidence, headlines, ui
from rpgdash.ui.routing import enter_through_app

enter_through_app()  # first, before drawing anything: see rpgdash/ui/routing.py

st.title("Evidence from interviews")
st.caption(
    "Themes from the evaluation's analysis of interviews and focus groups, each shown beside "
    "the survey statements or workforce figures it corresponds to, so the two kinds of "
    "evidence can be read together. Agreement between them strengthens a finding; it does not "
    "show that RPGs caused a change."
)
key, site, role, k = ui.db_key(), ui.selected_site(), ui.selected_role(), ui.min_group()
data = ui.evidence_data(key, site)
if data.themes.empty:
    st.info("No themes are stored yet. Coded excerpts can be added on the Upload page.")
    st.stop()

waves = ui.comparable_waves(key)
comps = ui.comparisons(key, site, (waves[0], waves[-1]), k) if len(waves) >= 2 else None
changes = headlines.workforce_changes(ui.workforce(key, site))
protected = evidence.protect_excerpts(data.excerpts, data.group_sizes, min_group=k, role=role)
st.markdown(
    f"Survey figures and excerpts for **{ui.as_text(role)}**"
    + (
        f", comparing {ui.as_text(waves[0])} with {ui.as_text(waves[-1])}."
        if comps is not None
        else "."
    )
)
if comps is None:
    st.info("Two comparable survey waves are needed before statement changes can be shown.")

for wave, themes in evidence.themes_by_wave(data.themes):
    st.header(f"Themes at {ui.as_text(wave)}")
    for theme in themes.itertuples():
        with st.container(border=True):
            st.subheader(ui.as_text(theme.name))
            st.markdown(
                f"**{evidence.polarity_label(theme.polarity)}.** {ui.as_text(theme.description)}"
            )
            rows = (
                evidence.theme_statements(theme.theme_id, data.links, comps, role)
                if comps is not None
                else None
            )
            if rows is not None and not rows.empty:
                st.markdown(ui.as_text(evidence.statements_sentence(rows, min_group=k)))
                st.table(
                    ui.text_table(evidence.statement_table(rows, min_group=k)), hide_index=True
                )
            for line in evidence.measure_lines(theme.theme_id, data.measures, changes):
                st.markdown(f"Workforce: {ui.as_text(line)}")
            if theme.link_note:
                st.caption(ui.as_text(theme.link_note))

            mine = protected.shown[protected.shown["theme_id"] == theme.theme_id]
            if not mine.empty:
                label = (
                    "Excerpts (illustrative)" if mine["illustrative"].all() else "Coded excerpts"
                )
                st.markdown(f"**{label}**")
                for ex in mine.itertuples():
                    source = evidence.source_label(ex.source_type, ex.attribution, ex.role_withheld)
                    tag = " (illustrative)" if ex.illustrative else ""
                    st.markdown(
                        f"> \u201c{ui.as_text(ex.text)}\u201d  \n> \u2014 {ui.as_text(source)}{tag}"
                    )
            elif theme.theme_id in protected.held_back_themes:
                st.caption(ui.as_text(evidence.held_back_sentence(role, k)))

st.divider()
if data.excerpts["illustrative"].any():
    st.caption(evidence.ILLUSTRATIVE_EXCERPTS)
st.caption(
    "Job roles are shown beside an excerpt only where the survey pages show that role's "
    f"results for the same wave (at least {k} respondents, and not hidden to protect a "
    "smaller group). Significance: Mann-Whitney U test, two-sided, 95% level, not adjusted "
    "for the number of statements. Response rates were modest and the baseline survey is not "
    "comparable; see Method and caveats."
)
ui.illustrative_note()
