"""The indicators page's per-indicator view, cached on the page's controls."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import streamlit as st

from rpgdash import charts, mdc_icons, narrative, ui
from rpgdash.headlines import default_change_point, describe_default_change_point
from rpgdash.ingest.safe_csv import to_safe_csv
from rpgdash.series import (
    its_overlay,
    month_options,
    rebase_suggestions,
    spc_finding,
    spc_frames,
    window,
)

AUTOMATIC = "automatic"
ERROR_CHOICES = {
    "auto": "Automatic (Newey-West when the residuals are autocorrelated)",
    "ols": "Ordinary least squares",
    "newey-west": "Newey-West (autocorrelation-robust)",
}


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
            "Trial limits (fewer than 13 points)": segments["trial_limits"].map(
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
    errors: str = "auto",
    direction: str = "neutral",
) -> dict:
    """Statistics, sentences and chart specs for one indicator and one set of controls.

    ``change_choice`` is a month (``YYYY-MM``) or ``"automatic"`` (the RPG start when 8 months
    precede it, else the facilitator change); ``errors`` is passed to the interrupted time
    series ("auto", "ols" or "newey-west").
    """
    shown = window(ui.indicator_series(db_path, name, site), start, end)
    if len(shown) < 3:
        return {"too_short": True}
    events = ui.events(db_path, site)
    automatic = change_choice == AUTOMATIC
    change_point = default_change_point(shown["month"], events) if automatic else change_choice
    result = ui.trend_window(db_path, name, site, start, end, change_point, rebase, target, errors)
    points, segments = spc_frames(result)
    label = narrative.VARIATION_WORDS.get(points["point_type"].iloc[-1], "")
    trend_text = narrative.trend_sentence(result, unit=unit)
    finding = spc_finding(name, result["spc"])
    table = points[["month", "value", "point_type", "special_cause_type", "rules"]]
    its = result["its"]
    scan_spec = None
    if its is not None and its.get("sensitivity"):
        scan_spec = ui.chart_spec(
            charts.level_change_scan_chart(
                its["sensitivity"],
                chosen=its["change_point"],
                unit=unit,
                title=f"{name}: level change at each month tried",
            )
        )
    return {
        "too_short": False,
        "result": result,
        "label": label,
        "finding": finding,
        "latest": float(points["value"].iloc[-1]),
        "trend_text": trend_text,
        "its_text": None if its is None else narrative.its_sentence(its, unit=unit),
        "scan_text": None if its is None else narrative.scan_sentence(its, unit=unit),
        "change_text": describe_default_change_point(shown["month"], events) if automatic else None,
        "summary_row": mdc_icons.summary_row(
            name, unit, result, target=target, direction=direction
        ),
        "suggestions": rebase_suggestions(result["spc"], events),
        "spec": ui.chart_spec(
            charts.spc_chart(
                points,
                segments,
                events=events,
                unit=unit,
                title=finding,
                its=its_overlay(result),
                target=target,
            )
        ),
        "scan_spec": scan_spec,
        # Arrow tables: Streamlit sends them as they are, without converting from pandas.
        "table": pa.Table.from_pandas(table, preserve_index=False),
        "limits": pa.Table.from_pandas(limits_table(segments), preserve_index=False),
        "csv": to_safe_csv(table),
    }


def summary_view(rows: list[mdc_icons.SummaryRow]) -> dict:
    """The summary of variation and assurance: a table with icon images and its CSV."""
    shown = mdc_icons.summary_table(rows)
    for column in ("Variation icon", "Assurance icon"):
        shown[column] = [None if svg is None else mdc_icons.data_uri(svg) for svg in shown[column]]
    return {"table": shown, "csv": to_safe_csv(mdc_icons.summary_csv_frame(rows))}


def show_summary(rows: list[mdc_icons.SummaryRow]) -> None:
    """Draw the summary table, its download and the key to the icons."""
    st.subheader("Summary of variation and assurance")
    if not rows:
        st.info("Choose at least one indicator with 3 or more months in the range.")
        return
    view = summary_view(rows)
    st.dataframe(
        view["table"],
        hide_index=True,
        key="mdc_summary",
        column_config={
            "Variation icon": st.column_config.ImageColumn("Variation icon", width="small"),
            "Assurance icon": st.column_config.ImageColumn("Assurance icon", width="small"),
        },
    )
    st.download_button(
        "Download the summary (CSV)",
        view["csv"],
        file_name="summary-of-variation-and-assurance.csv",
        mime="text/csv",
        key="mdc_summary_csv",
    )
    st.caption(ui.EXCEL_SAFE_CSV)
    st.caption(
        "Variation: the latest month's point type (Making Data Count, as NHSRplotthedots "
        "computes it). Assurance: whether the last period's process limits lie wholly on one "
        "side of the target. Mean and limits are those of the last period."
    )
    with st.expander("Key to the icons"):
        for entry in mdc_icons.icon_key():
            icon, words = st.columns([1, 11])
            icon.image(entry.svg, width=32)
            words.markdown(f"**{entry.words}.** {entry.meaning}")
