"""The workforce panel: the yearly figures' sentences, tables and chart input, built once.

The Workforce page and the board report both draw :class:`WorkforcePanel`. Figures are the
published values (Table 2 of the evaluation in the demo), percentages with one decimal as
published.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from rpgdash import queries
from rpgdash.db import Database
from rpgdash.present import format as fmt
from rpgdash.present.headlines import workforce_changes, workforce_table
from rpgdash.present.overview import WorkforceCard, workforce_cards

TITLE = "Workforce measures by year"
SCOPE = (
    "Figures for the whole service: the job-role filter does not apply. These are the "
    "published values (Table 2 of the evaluation)."
)
STEADY = 0.5  # a change under half a point reads "about the same"
KIND_WORDS = {"local_authority": "Local authority", "region": "Region", "national": "England"}


@dataclass(frozen=True)
class WorkforcePanel:
    """Everything the Workforce page and the report's workforce section show.

    ``figures`` is the chart's input (columns site, kind, year, measure, value); ``table``
    and ``changes_table`` are display tables of text cells; ``download`` is the figures with
    readable headers for the CSV.
    """

    empty: bool
    cards: tuple[WorkforceCard, ...] = ()
    takeaway: str = ""
    chart_title: str = TITLE
    chart_alt: str = ""
    figures: pd.DataFrame | None = None
    table: pd.DataFrame | None = None
    changes_table: pd.DataFrame | None = None
    download: pd.DataFrame | None = None
    caveats: tuple[str, ...] = (SCOPE,)


def _moved(r: object, *, years: bool) -> str:
    """ "fell from 14.0% to 0.0%" ("... from 14.0% in 2015 to 0.0% in 2018" with ``years``)."""
    first, latest = fmt.percent(r.first, digits=1), fmt.percent(r.latest, digits=1)
    if years:
        first, latest = f"{first} in {r.first_year}", f"{latest} in {r.latest_year}"
    if abs(r.change) < STEADY:
        return f"stayed about the same ({first} to {latest})"
    word = "rose" if r.change > 0 else "fell"
    return f"{word} from {first} to {latest}"


def takeaway_sentence(changes: pd.DataFrame) -> str:
    """One sentence on how every measure moved between its first and latest year.

    E.g. "From 2015 to 2018, agency staffing fell from 14.0% to 0.0%, sickness rose from
    3.0% to 3.5%, ...". A change under half a point reads "stayed about the same"; when the
    measures cover different years, each says its own.
    """
    if changes.empty:
        return ""
    spans = {(r.first_year, r.latest_year) for r in changes.itertuples()}
    parts = [
        f"{r.measure[:1].lower()}{r.measure[1:]} {_moved(r, years=len(spans) > 1)}"
        for r in changes.itertuples()
    ]
    listed = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
    if len(spans) == 1:
        ((first, latest),) = spans
        return f"From {first} to {latest}, {listed}."
    return listed[:1].upper() + listed[1:] + "."


def display_table(figures: pd.DataFrame) -> pd.DataFrame:
    """Table 2 as text: "Measure (%)" and one column per year, one decimal as published."""
    table = workforce_table(figures)
    for column in table.columns[1:]:
        table[column] = [fmt.number(v, 1) for v in table[column]]
    return table


def changes_table(changes: pd.DataFrame) -> pd.DataFrame:
    """First year, latest year and change per measure, as text cells."""
    return pd.DataFrame(
        {
            "Measure": changes["measure"],
            "First year": [
                f"{fmt.percent(r.first, digits=1)} ({r.first_year})" for r in changes.itertuples()
            ],
            "Latest year": [
                f"{fmt.percent(r.latest, digits=1)} ({r.latest_year})" for r in changes.itertuples()
            ],
            "Change": [fmt.change(c) for c in changes["change"]],
        }
    )


def download_frame(figures: pd.DataFrame) -> pd.DataFrame:
    """The stored figures with headers for people (Site, Kind, Year, Measure, Value (%))."""
    return pd.DataFrame(
        {
            "Site": figures["site"],
            "Kind": [KIND_WORDS.get(k, fmt.human_header(k)) for k in figures["kind"]],
            "Year": figures["year"].astype(int),
            "Measure": figures["measure"],
            "Value (%)": figures["value"],
        }
    )


def chart_alt(changes: pd.DataFrame) -> str:
    """The chart's text alternative: every measure's first and latest figure."""
    return "; ".join(
        f"{r.measure} {fmt.percent(r.first, digits=1)} in {r.first_year} and "
        f"{fmt.percent(r.latest, digits=1)} in {r.latest_year}"
        for r in changes.itertuples()
    )


def workforce_panel(figures: pd.DataFrame) -> WorkforcePanel:
    """The panel for stored figures (:func:`rpgdash.queries.workforce` output)."""
    if figures.empty:
        return WorkforcePanel(empty=True)
    changes = workforce_changes(figures)
    return WorkforcePanel(
        empty=False,
        cards=workforce_cards(changes),
        takeaway=takeaway_sentence(changes),
        chart_alt=chart_alt(changes) + ".",
        figures=figures,
        table=display_table(figures),
        changes_table=changes_table(changes),
        download=download_frame(figures),
    )


def build_workforce_panel(db: Database, *, site: str | None) -> WorkforcePanel:
    """:func:`workforce_panel` of the site's stored figures."""
    return workforce_panel(queries.workforce(db, site=site))
