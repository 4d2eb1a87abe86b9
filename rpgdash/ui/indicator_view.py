"""The indicators page's per-indicator view, cached on the page's controls."""

from __future__ import annotations

import pyarrow as pa
import streamlit as st

from rpgdash import charts, mdc_icons, ui
from rpgdash.ingest.safe_csv import to_safe_csv
from rpgdash.present.indicators import build_indicator_panel
from rpgdash.series import month_options

ERROR_CHOICES = {
    "auto": "Automatic (Newey-West when the residuals are autocorrelated)",
    "ols": "Ordinary least squares",
    "newey-west": "Newey-West (autocorrelation-robust)",
}


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
    """The indicator's panel for one set of controls, with its charts as Vega-Lite specs.

    ``panel`` is the :class:`rpgdash.present.indicators.IndicatorPanel` the report draws too;
    ``spec`` and ``scan_spec`` are its charts, ``csv`` its data table as a download.
    """
    panel = build_indicator_panel(
        ui._db(db_path),
        name,
        unit=unit,
        site=site,
        start=start,
        end=end,
        change_choice=change_choice,
        rebase=rebase,
        target=target,
        errors=errors,
        direction=direction,
        events=ui.events(db_path, site),
    )
    if panel.too_short:
        return {"panel": panel}
    its = panel.result["its"]
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
        "panel": panel,
        "spec": ui.chart_spec(charts.stack_legends(panel.chart.spec())),
        "scan_spec": scan_spec,
        # Arrow tables: Streamlit sends them as they are, without converting from pandas.
        "table": pa.Table.from_pandas(panel.data, preserve_index=False),
        "limits": pa.Table.from_pandas(panel.limits, preserve_index=False),
        "csv": to_safe_csv(panel.data),
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
