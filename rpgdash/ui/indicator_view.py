"""The indicators page's per-indicator view, cached on the page's controls."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import streamlit as st

from rpgdash import charts, narrative, ui
from rpgdash.headlines import default_change_point
from rpgdash.ingest.safe_csv import to_safe_csv
from rpgdash.series import its_overlay, month_options, spc_frames, window

AUTOMATIC = "automatic"


def limits_table(segments: pd.DataFrame) -> pd.DataFrame:
    """The SPC centre line and process limits of each segment, as shown under the chart."""
    return pd.DataFrame(
        {
            "From": segments["start"].dt.strftime("%b %Y"),
            "To": segments["end"].dt.strftime("%b %Y"),
            "Points": segments["n"],
            "Mean": segments["mean"].round(1),
            "Lower process limit": segments["lower"].round(1),
            "Upper process limit": segments["upper"].round(1),
            "Trial limits (fewer than 12 points)": segments["trial_limits"].map(
                {True: "yes", False: "no"}
            ),
        }
    )


@st.cache_data(show_spinner=False)
def stored_months(db_path: str, site: str | None) -> list[str]:
    """Every month (``YYYY-MM``) stored for any indicator at the site, in order."""
    names = ui.indicators(db_path)["name"]
    return month_options(ui.indicator_series(db_path, name, site) for name in names)


@st.cache_data(show_spinner=False, max_entries=512)
def indicator_view(
    db_path: str,
    name: str,
    unit: str,
    site: str | None,
    start: str,
    end: str,
    change_choice: str,
    rebase: tuple[str, ...],
    target: float | None = None,
) -> dict:
    """Statistics, sentences and the SPC chart spec for one indicator and one set of controls.

    ``change_choice`` is a month (``YYYY-MM``) or ``"automatic"`` (the RPG start when 8 months
    precede it, else the facilitator change).
    """
    shown = window(ui.indicator_series(db_path, name, site), start, end)
    if len(shown) < 3:
        return {"too_short": True}
    events = ui.events(db_path, site)
    change_point = (
        default_change_point(shown["month"], events)
        if change_choice == AUTOMATIC
        else change_choice
    )
    result = ui.trend_window(db_path, name, site, start, end, change_point, rebase, target)
    points, segments = spc_frames(result)
    label = narrative.VARIATION_WORDS.get(points["point_type"].iloc[-1], "")
    trend_text = narrative.trend_sentence(result, unit=unit)
    table = points[["month", "value", "point_type", "rules"]]
    its = result["its"]
    return {
        "too_short": False,
        "result": result,
        "label": label,
        "latest": float(points["value"].iloc[-1]),
        "trend_text": trend_text,
        "its_text": None if its is None else narrative.its_sentence(its, unit=unit),
        "spec": ui.chart_spec(
            charts.spc_chart(
                points,
                segments,
                events=events,
                unit=unit,
                title=f"{name}: {label}",
                its=its_overlay(result),
            )
        ),
        # Arrow tables: Streamlit sends them as they are, without converting from pandas.
        "table": pa.Table.from_pandas(table, preserve_index=False),
        "limits": pa.Table.from_pandas(limits_table(segments), preserve_index=False),
        "csv": to_safe_csv(table),
    }
