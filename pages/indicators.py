"""Organisational indicators: SPC charts, trends and interrupted time series."""

import pandas as pd
import streamlit as st

from rpgdash import narrative, ui
from rpgdash.ui.indicator_view import AUTOMATIC, indicator_view, stored_months

st.title("Organisational indicators")
key, site = ui.db_key(), ui.selected_site()
if ui.selected_role() != ui.ALL_ROLES:
    st.info(
        f"The job-role filter ({ui.selected_role()}) does not apply to these figures: they "
        "count children and referrals for the whole service, not staff."
    )
meta = ui.indicators(key)
if meta.empty:
    st.info("No indicators are stored yet. Add a monthly series on the Upload page.")
    st.stop()

names = meta["name"].tolist()
chosen = st.multiselect("Indicators", names, default=names, key="ind_chosen")
# Every stored month, whichever indicators are chosen, so the controls keep their values.
months = stored_months(key, site)
if not months:
    st.info("No values are stored for these indicators at this site.")
    st.stop()
labels = {narrative.month_label(m): m for m in months}
first, last = st.select_slider(
    "Months", options=list(labels), value=(next(iter(labels)), list(labels)[-1]), key="ind_range"
)
start, end = labels[first], labels[last]
change_choice = st.selectbox(
    "Interrupted time series: change point",
    [AUTOMATIC, *months],
    key="ind_change",
    format_func=lambda m: (
        "RPG start, or the facilitator change when fewer than 8 months precede the RPG start"
        if m == AUTOMATIC
        else narrative.month_label(m)
    ),
)
rebase = st.multiselect(
    "Rebase the SPC limits at (optional)",
    months,
    key="ind_rebase",
    format_func=narrative.month_label,
    help="Start new process limits at these months, e.g. after a known "
    "change in how the figures are counted.",
)

for row in meta[meta["name"].isin(chosen)].itertuples():
    st.divider()
    st.header(row.name)
    target = st.number_input(
        f"Target for {row.name} (optional, {row.unit})",
        value=None if pd.isna(row.target) else float(row.target),
        min_value=0.0,
        key=f"target_{row.indicator_id}",
        help="With a target, the chart says whether the process limits lie wholly on one "
        "side of it (Making Data Count assurance).",
    )
    view = indicator_view(
        key, row.name, row.unit, site, start, end, change_choice, tuple(rebase), target
    )
    if view["too_short"]:
        st.warning("Fewer than 3 months fall in the chosen range; choose a wider range.")
        continue
    result, label = view["result"], view["label"]
    spc = result["spc"]
    cols = st.columns(3)
    cols[0].metric(
        "Latest month",
        f"{view['latest']:,.0f} {row.unit}",
        help=narrative.month_label(result["end"]),
    )
    cols[1].markdown(f"**Variation (latest point)**  \n{label}")
    if spc.get("assurance"):
        cols[2].markdown(
            f"**Assurance against the target**  \n{narrative.ASSURANCE_WORDS[spc['assurance']]}"
        )
    else:
        cols[2].markdown(f"**Improvement direction**  \n{row.direction} is better")
    ui.show_chart(view["spec"], alt=view["trend_text"])
    st.markdown(view["trend_text"])
    st.dataframe(view["limits"], hide_index=True, key=f"limits_{row.indicator_id}")
    if result["its"] is not None:
        its = result["its"]
        st.markdown(view["its_text"])
        if its["warning"]:
            st.warning(its["warning"])
        st.caption(narrative.ITS_CAVEAT)
    else:
        st.caption(
            "No interrupted time series: no change point with 8 months before it "
            "falls in this range. Choose one above."
        )
    for seg in spc["segments"]:
        if seg["trial_limits"]:
            st.warning(
                f"Limits for {narrative.month_label(seg['start'])} to "
                f"{narrative.month_label(seg['end'])} are trial limits: fewer than 12 points."
            )
    if result["missing_months"]:
        st.caption(
            "Missing months (not filled in): "
            + ", ".join(narrative.month_label(m) for m in result["missing_months"])
        )
    with st.expander("Data"):
        st.dataframe(view["table"], hide_index=True)
        st.download_button(
            "Download (CSV)",
            view["csv"],
            file_name=f"{row.name}.csv",
            mime="text/csv",
            key=f"download_{row.indicator_id}",
        )

st.divider()
ui.illustrative_note()
st.caption(
    "The series cover different months, as published. XmR limits follow NHS England's Making "
    "Data Count: mean ± 2.66 × average moving range; special causes are a point outside the "
    "limits, 7 points on one side of the mean, 7 rising or falling, or 2 of 3 near a limit."
)
