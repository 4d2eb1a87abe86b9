"""The indicators page's per-indicator view, cached on the page's controls."""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace

import pandas as pd
import pyarrow as pa
import streamlit as st

from rpgdash import charts, mdc_icons, ui
from rpgdash.ingest.safe_csv import to_safe_csv
from rpgdash.present import format as fmt
from rpgdash.present.indicators import build_indicator_panel
from rpgdash.series import month_options

_EMPTY = pd.DataFrame()

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


@dataclass(frozen=True)
class Indicator:
    """One stored indicator, as the page's controls and headings use it."""

    indicator_id: int
    name: str
    unit: str
    target: float | None
    direction: str


@dataclass(frozen=True)
class PageControls:
    """What the page's controls offer at a site: the indicators, and every stored month
    (whichever indicators are chosen, so the controls keep their values) with its label."""

    indicators: tuple[Indicator, ...]
    months: tuple[str, ...]
    labels: dict[str, str]  # YYYY-MM -> "Dec 2018"

    @property
    def names(self) -> list[str]:
        return [i.name for i in self.indicators]

    def chosen(self, names: list[str]) -> list[Indicator]:
        """The chosen indicators, in the stored order."""
        return [i for i in self.indicators if i.name in names]


@st.cache_data(show_spinner=False)
def page_controls(db_path: str, site: str | None) -> PageControls:
    """The page's controls, read once per data version (one cached read on every rerun)."""
    meta = ui.indicators(db_path)
    indicators = tuple(
        Indicator(
            int(r.indicator_id),
            r.name,
            r.unit,
            None if pd.isna(r.target) else float(r.target),
            r.direction,
        )
        for r in meta.itertuples()
    )
    months = tuple(stored_months(db_path, site)) if indicators else ()
    return PageControls(indicators, months, {m: fmt.month(m) for m in months})


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
        # What the page reads of the panel: its sentences. The analysis, chart and tables
        # are carried below in the form Streamlit draws, so a rerun unpickles them once.
        "panel": replace(panel, result=None, chart=None, data=_EMPTY, limits=_EMPTY),
        "spec": ui.chart_spec(charts.stack_legends(panel.chart.spec())),
        "scan_spec": scan_spec,
        # Arrow tables: Streamlit sends them as they are, without converting from pandas.
        "table": pa.Table.from_pandas(panel.data, preserve_index=False),
        "limits": pa.Table.from_pandas(panel.limits, preserve_index=False),
        "csv": to_safe_csv(panel.data),
    }


@functools.lru_cache(maxsize=256)
def summary_view(rows: tuple[mdc_icons.SummaryRow, ...]) -> pa.Table:
    """The summary of variation and assurance as shown: Arrow, icons as image data URIs.

    Kept per set of rows (they are frozen), so a rerun that shows the same indicators, or
    comes back to them, builds nothing; the CSV is built only when it is downloaded.
    """
    shown = mdc_icons.summary_table(rows)
    for column in ("Variation icon", "Assurance icon"):
        shown[column] = [None if svg is None else mdc_icons.data_uri(svg) for svg in shown[column]]
    return pa.Table.from_pandas(shown, preserve_index=False)


def summary_csv(rows: tuple[mdc_icons.SummaryRow, ...]) -> bytes:
    """The summary's download, built when the leader clicks (Streamlit calls this)."""
    return to_safe_csv(mdc_icons.summary_csv_frame(rows))


def show_summary(rows: list[mdc_icons.SummaryRow]) -> None:
    """Draw the summary table, its download and the key to the icons."""
    st.subheader("Summary of variation and assurance")
    if not rows:
        st.info("Choose at least one indicator with 3 or more months in the range.")
        return
    rows = tuple(rows)
    st.dataframe(
        summary_view(rows),
        hide_index=True,
        key="mdc_summary",
        column_config={
            "Variation icon": st.column_config.ImageColumn("Variation icon", width="small"),
            "Assurance icon": st.column_config.ImageColumn("Assurance icon", width="small"),
        },
    )
    st.download_button(
        "Download the summary (CSV)",
        functools.partial(summary_csv, rows),
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
    if st.button("Key to the icons", icon=":material/help:", key="mdc_icon_key"):
        _icon_key()


@st.dialog("Key to the icons", width="large")
def _icon_key() -> None:
    """Every icon with its words and meaning; drawn only when asked for (a rerun that does not
    open it draws one button, not the 40 elements of the key)."""
    for entry in mdc_icons.icon_key():
        icon, words = st.columns([1, 11])
        icon.image(entry.svg, width=32)
        words.markdown(f"**{entry.words}.** {entry.meaning}")
