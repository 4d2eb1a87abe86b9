"""How RPGs work: the context-mechanism-outcome model, with current evidence on each outcome."""

import streamlit as st

from rpgdash import headlines, model, ui
from rpgdash.ui.routing import enter_through_app

enter_through_app()  # first, before drawing anything: see rpgdash/ui/routing.py

st.title("How RPGs work (model)")
st.caption(
    "The evaluation's realist model: the circumstances that helped the groups work (context), "
    "how they worked (mechanisms) and what changed (outcomes) for staff, the organisation and "
    "families. Contexts and mechanisms come from interviews and focus groups; each outcome "
    "shows what the stored data say now. Hover over a box to see its sources."
)
key, site, role, k = ui.db_key(), ui.selected_site(), ui.selected_role(), ui.min_group()
waves = ui.comparable_waves(key)
if len(waves) < 2:
    st.info("Two comparable survey waves are needed before the survey evidence can be shown.")
    st.stop()

trends = {}
for row in ui.indicators(key).itertuples():
    series = ui.indicator_series(key, row.name, site)
    if len(series) >= 3:
        months = series["month"].dt.strftime("%Y-%m")
        result = ui.trend_window(key, row.name, site, months.iloc[0], months.iloc[-1], None, ())
        trends[row.name] = (result, row.unit)
inputs = model.ModelInputs(
    comparisons=ui.comparisons(key, site, (waves[0], waves[-1]), k),
    role=role,
    workforce_changes=headlines.workforce_changes(ui.workforce(key, site)),
    trends=trends,
    min_group=k,
)
cmo = model.build_model(inputs)
st.markdown(
    f"Survey evidence for **{ui.as_text(role)}**, {ui.as_text(waves[0])} to "
    f"{ui.as_text(waves[-1])}."
)
st.graphviz_chart(model.model_dot(cmo), width="stretch", alt=model.model_summary(cmo))

st.header("The model as text")
for column, (title, what, nodes) in zip(st.columns(3), model.model_columns(cmo), strict=True):
    with column:
        st.subheader(title)
        st.caption(what[:1].upper() + what[1:] + ".")
        shared = model.shared_sources(nodes)
        for node in nodes:
            level = model.level_title(node.level)
            prefix = f"{level}: " if level else ""
            st.markdown(f"**{ui.as_text(prefix + node.label)}.** {ui.as_text(node.detail)}")
            for line in node.evidence:
                st.markdown(f"- {ui.as_text(line)}")
            if shared is None:
                st.caption("Sources: " + ui.as_text_list(node.sources, "; "))
        if shared:
            st.caption("Sources: " + ui.as_text_list(shared, "; "))

st.info(ui.as_text(cmo.for_whom))
for caveat in cmo.caveats:
    st.caption(ui.as_text(caveat))
st.caption(
    "Survey changes: Mann-Whitney U test, two-sided, 95% level; groups with fewer than "
    f"{k} respondents are not shown. Trends: linear trend over the whole series with the "
    "Mann-Kendall test. None of this shows that RPGs caused a change."
)
ui.illustrative_note()
st.caption(ui.TABLE2_REAL)
