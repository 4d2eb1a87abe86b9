"""The Overview's panel for planning the next survey wave (inputs, then the plan table)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from rpgdash import ui
from rpgdash.present.survey_results import plan_table

PLAN_CAPTION = (
    "Expected to answer = invited × response rate, rounded. Roles expected to have fewer than "
    "{k} respondents will be hidden. The smallest detectable rise in % agree (all statements "
    "pooled) is for a two-sided test at the 5% level with 80% power, comparing the next "
    "wave with {wave}; the last column is the response rate at which a change as large as "
    "the last one would be detected ('–': no earlier wave, no change, or not reachable even "
    "if everyone answered). Same figures as `python -m rpgdash plan-wave`."
)


def plan_panel(site: str | None, min_group: int) -> None:
    """Draw the planning inputs and the resulting table."""
    key = ui.db_key()
    latest, rate, invited = ui.plan_defaults(key, site)
    if latest is None or not invited:
        st.info("A comparable survey wave is needed before the next one can be planned.")
        return
    st.caption(
        f"Enter how many staff will be invited in each job role. The starting figures assume "
        f"the same staffing as at {ui.as_text(latest)}."
    )
    left, right = st.columns([3, 1])
    edited = left.data_editor(
        pd.DataFrame({"Job role": list(invited), "Invited": list(invited.values())}),
        disabled=["Job role"],
        hide_index=True,
        key="plan_invited",
        column_config={"Invited": st.column_config.NumberColumn(min_value=0, step=1)},
    )
    percent = right.number_input(
        "Response rate (%)",
        min_value=1.0,
        max_value=100.0,
        value=round(100 * rate, 1) if rate else 30.0,
        step=1.0,
        key="plan_rate",
    )
    invited_now = edited["Invited"].fillna(0)
    counts = tuple((str(r), int(n)) for r, n in zip(edited["Job role"], invited_now, strict=True))
    rows = ui.plan_wave(key, counts, site, percent / 100, min_group)
    st.dataframe(plan_table(rows), hide_index=True, width="stretch")
    st.caption(PLAN_CAPTION.format(k=min_group, wave=ui.as_text(latest)))
