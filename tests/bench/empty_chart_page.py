"""Baseline for the page benchmarks: a Streamlit script that draws one empty chart.

The selectbox only gives the browser benchmark something to change, as the role filter does.
"""

import altair as alt
import pandas as pd
import streamlit as st

st.selectbox("Job role", ["All roles", "Team manager", "Social worker"], key="role")
st.altair_chart(alt.Chart(pd.DataFrame({"x": []})).mark_point().encode(x="x:Q"))
