"""Benchmarks: the authority against its statistical neighbours, its region and England."""

import streamlit as st

from rpgdash import ui
from rpgdash.benchmarks.chart import benchmark_chart
from rpgdash.benchmarks.core import BenchmarkError
from rpgdash.benchmarks.measures import period_label
from rpgdash.benchmarks.panel import ILLUSTRATIVE, METHOD
from rpgdash.present.evidence import plain_markdown
from rpgdash.present.reading_more import HOW_TO_READ
from rpgdash.ui import benchmarks as cached
from rpgdash.ui.routing import enter_through_app

enter_through_app()  # first, before drawing anything: see rpgdash/ui/routing.py

st.title("Benchmarks")
st.caption(
    "How the authority's figures, and their change since the RPG start, compare with its "
    "statistical neighbours, its region and England, from DfE's published statistics."
)
key, site = ui.db_key(), ui.selected_site()
measures = cached.measure_names(key)
if not measures:
    st.info(
        "No benchmark figures are stored yet. On the Upload page, add a DfE statistics file "
        "(for example the children's social work workforce CSV) and DfE's statistical "
        "neighbours file."
    )
    st.stop()

left, middle, right = st.columns([2, 1, 1])
default = measures.index("Vacancies") if "Vacancies" in measures else 0
measure = left.selectbox("Measure", measures, index=default)
try:
    whole = cached.panel(key, measure, site, None, None)
except BenchmarkError as exc:
    st.info(plain_markdown(str(exc)))
    st.stop()
years = [p["period"] for p in whole.result["periods"]]
start_default = whole.result["change"]["from"]
start = middle.selectbox(
    "Change from",
    years,
    index=years.index(start_default) if start_default in years else 0,
    format_func=period_label,
    help="Default: the year of the RPG start.",
)
later = [y for y in years if years.index(y) > years.index(start)] or [start]
end = right.selectbox("to", later, index=len(later) - 1, format_func=period_label)
panel = cached.panel(key, measure, site, start, end)

if panel.illustrative:
    st.caption(f"ⓘ {ILLUSTRATIVE}")
st.markdown(f"### {plain_markdown(panel.change_sentence)}")
st.markdown(plain_markdown(panel.rank_sentence))
st.warning(plain_markdown(panel.caveat), icon=":material/info:")
st.altair_chart(
    benchmark_chart(
        whole.chart_data,
        title=f"{panel.measure}: {panel.site}, its neighbours, region and England",
        unit=panel.unit,
    ),
    width="stretch",
    alt=f"{panel.change_sentence} {panel.rank_sentence}",
)
ui.how_to_read(HOW_TO_READ["benchmarks"])
st.markdown("#### Year by year")
st.dataframe(whole.table, hide_index=True)
span = f"{period_label(start)} to {period_label(end)}"
st.markdown(f"#### Each neighbour's change, {ui.as_text(span)}")
st.dataframe(panel.neighbour_changes, hide_index=True)
with st.expander("How these figures are worked out"):
    st.markdown(plain_markdown(METHOD))
    files = cached.sources(key)
    st.caption(
        plain_markdown(
            "From the uploads: " + "; ".join(files) + "."
            if files
            else "No DfE file has been uploaded: these are the demo's illustrative figures."
        )
    )
