"""The indicator panel: one monthly series' sentences, tables and chart inputs, built once.

The Indicators page and the board report both draw :class:`IndicatorPanel`; the overview and
the model read :func:`trend_line`. A control the series cannot use (a change point before its
first month, a rebase month it has no value for) never raises: the panel draws without it and
says why in :attr:`IndicatorPanel.notices`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from rpgdash import api, mdc_icons, queries
from rpgdash.db import Database
from rpgdash.present import format as fmt
from rpgdash.series import its_overlay, rebase_suggestions, spc_finding, spc_frames, window
from rpgdash.stats.trend import ITS_MIN_SIDE

AUTOMATIC = "automatic"
MIN_PRE_MONTHS = 8  # the automatic change point needs this many months before it
MIN_MONTHS = 3
FLAT = 0.05  # a slope that rounds to 0.0 a month reads "flat"

ITS_CAVEAT = (
    "An interrupted time series estimates how the series changed around a date. It shows an "
    "association with the timing, not that RPGs caused the change: many other influences "
    "acted on these services at the same time."
)

POINT_WORDS = {
    "common_cause": "Common cause",
    "special_cause_improvement": "Special cause: improvement",
    "special_cause_concern": "Special cause: concern",
    "special_cause_neutral_high": "Special cause: higher than expected",
    "special_cause_neutral_low": "Special cause: lower than expected",
}
RULE_WORDS = {
    "outside_limits": "outside the process limits",
    "trend": "7 rising or falling",
    "two_in_three": "2 of 3 near a limit",
    "shift": "7 on one side of the mean",
}


# --- sentences --------------------------------------------------------------------------------


def _direction(slope: float) -> str:
    return "flat" if abs(slope) < FLAT else ("rising" if slope > 0 else "falling")


def trend_sentence(result: dict, *, unit: str) -> str:
    """The straight-line trend and, said as a separate test, the Mann-Kendall result."""
    ols, mk = result["ols"], result["mann_kendall"]
    slope = ols["slope_per_month"]
    lo, hi = ols["slope_ci"]
    span = f"From {fmt.month(result['start'])} to {fmt.month(result['end'])} ({result['n']} months)"
    ci = f"95% CI {fmt.interval(lo, hi, signed=True)}"
    if lo <= 0 <= hi:
        ci += ", which includes no change"
    if abs(slope) < FLAT:
        first = (
            f"{span} the series was flat: a straight-line (least-squares) fit changes by less "
            f"than 0.1 {unit} a month ({ci})."
        )
    else:
        word = "rose" if slope > 0 else "fell"
        first = (
            f"{span} the series {word} by about {fmt.number(abs(slope))} {unit} a month on a "
            f"straight-line (least-squares) fit ({ci}; about {fmt.count(abs(slope) * 12)} a "
            "year)."
        )
    sen = mk["sen_slope"]
    sen_words = "0" if abs(sen) < FLAT else fmt.signed_number(sen)
    return (
        f"{first} A separate test of a steady rise or fall, Mann-Kendall, gives "
        f"{fmt.p_value(mk['p_value'])}; Sen's slope (the median slope between pairs of months) "
        f"is {sen_words} a month."
    )


def trend_summary(result: dict, unit: str) -> str:
    """Direction and slope, then the Mann-Kendall test said apart, without the name.

    E.g. "Falling by about 2.5 referrals a month on a straight-line fit, Dec 2015 to Dec
    2018; Mann-Kendall test of a steady rise or fall p < 0.001".
    """
    slope = result["ols"]["slope_per_month"]
    span = f"{fmt.month(result['start'])} to {fmt.month(result['end'])}"
    p = fmt.p_value(result["mann_kendall"]["p_value"])
    test = f"Mann-Kendall test of a steady rise or fall {p}"
    if _direction(slope) == "flat":
        return f"Flat (under 0.1 {unit} a month on a straight-line fit), {span}; {test}"
    return (
        f"{_direction(slope).capitalize()} by about {fmt.number(abs(slope))} {unit} a month on "
        f"a straight-line fit, {span}; {test}"
    )


def trend_line(name: str, result: dict, unit: str) -> str:
    """The model's evidence line: ``name: falling by about ...`` (see :func:`trend_summary`)."""
    text = trend_summary(result, unit)
    return f"{name}: {text[:1].lower()}{text[1:]}"


def its_sentence(its: dict, *, unit: str) -> str:
    """Level and slope change at the change point, with CIs; association, not cause."""
    lead = (
        f"Compared with the trend before {fmt.month(its['change_point'])} "
        f"({its['n_pre']} months before, {its['n_post']} from then on), the level changed by "
    )
    level = f"{fmt.signed_number(its['level_change'])} {unit}"
    slope = fmt.signed_number(its["slope_change"], 2)
    if None in (*its["level_ci"], *its["slope_ci"]):  # a degenerate fit: no intervals
        return (
            f"{lead}{level} and the monthly slope by {slope}, with no confidence intervals or "
            "p-values."
        )
    return (
        f"{lead}{level} (95% CI {fmt.interval_of(its['level_ci'], signed=True)}, "
        f"{fmt.p_value(its['level_p'])}) and the monthly slope by {slope} "
        f"(95% CI {fmt.interval_of(its['slope_ci'], 2, signed=True)}, "
        f"{fmt.p_value(its['slope_p'])})."
    )


def scan_sentence(its: dict, unit: str) -> str | None:
    """Whether the chosen change point's level change stands out among the months tried."""
    scan = its.get("sensitivity") or []
    chosen = its["change_point"]
    sizes = sorted((abs(r["level_change"]) for r in scan), reverse=True)
    mine = next((r for r in scan if r["month"] == chosen), None)
    if mine is None or not sizes:
        return None
    rank = sizes.index(abs(mine["level_change"])) + 1
    if rank == 1:
        verdict = f"the largest of the {len(scan)}: it stands out from the other months tried"
    elif rank <= 3:
        others = fmt.plural(rank - 1, "other month")
        verdict = f"number {rank} of {len(scan)} by size: only {others} give a larger one"
    else:
        verdict = (
            f"number {rank} of {len(scan)} by size: {rank - 1} other months give larger changes, "
            "so the change at this month does not stand out"
        )
    return (
        f"Tried at each month with at least 6 months on each side, the level change at "
        f"{fmt.month(chosen)} ({fmt.signed_number(mine['level_change'], 2)} {unit}) is "
        f"{verdict}."
    )


# --- the change point -------------------------------------------------------------------------


def _event_month(events: pd.DataFrame, label: str) -> pd.Period | None:
    hit = events[events["label"] == label] if not events.empty else events
    return None if hit.empty else pd.Timestamp(hit["event_date"].iloc[0]).to_period("M")


def automatic_change_point(months: pd.Series, events: pd.DataFrame) -> tuple[str | None, str]:
    """The RPG start when 8 months precede it, else the facilitator change; and why, in words.

    Returns ``(YYYY-MM or None, sentence)``.
    """
    periods = pd.to_datetime(pd.Series(months)).dt.to_period("M")
    words = {"RPGs start": "the RPG start", "Facilitator change": "the facilitator change"}
    found = {k: m for k in words if (m := _event_month(events, k)) is not None}

    def before(label: str) -> str:
        month = found[label]
        if month > periods.max():
            return f"{words[label]} ({fmt.month(month)}) falls after the last month"
        n = int((periods < month).sum())
        count = "no months" if n == 0 else f"only {fmt.plural(n, 'month')}"
        return f"{words[label]} ({fmt.month(month)}) has {count} before it"

    for label, month in found.items():
        if int((periods < month).sum()) >= MIN_PRE_MONTHS and int((periods >= month).sum()) >= 1:
            text = f"{fmt.month(month)}, {words[label]}"
            if label == "Facilitator change" and "RPGs start" in found:
                text += (
                    f": {before('RPGs start')}, and an interrupted time series needs "
                    f"{MIN_PRE_MONTHS}"
                )
            return str(month), text + "."
    if not found:
        return None, "No change point: no RPG start or facilitator change is stored."
    reasons = " and ".join(before(label) for label in found)
    return None, (
        f"No change point: {reasons}, and an interrupted time series needs {MIN_PRE_MONTHS}."
    )


def change_point_problem(name: str, months: pd.Series, change_point: str) -> str | None:
    """Why this series cannot take ``change_point`` (plain words), or None when it can."""
    periods = pd.to_datetime(pd.Series(months)).dt.to_period("M")
    month = pd.Period(change_point, "M")
    first, last = periods.min(), periods.max()
    n_pre, n_post = int((periods < month).sum()), int((periods >= month).sum())
    at = f"a change point in {fmt.month(month)}"
    if month <= first:
        return (
            f"{name}: the figures start in {fmt.month(first)}, so {at} leaves no months before it."
        )
    if month > last:
        return f"{name}: the figures end in {fmt.month(last)}, so {at} leaves no months from it on."
    if min(n_pre, n_post) < ITS_MIN_SIDE:
        return (
            f"{name}: {at} leaves {fmt.plural(n_pre, 'month')} before it and {n_post} from it "
            f"on; an interrupted time series needs at least {ITS_MIN_SIDE} on "
            "each side."
        )
    return None


# --- the panel --------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorChart:
    """What :func:`rpgdash.charts.spc_chart` needs, and the sentence above it."""

    points: pd.DataFrame
    segments: pd.DataFrame
    events: pd.DataFrame
    unit: str
    title: str
    its: dict | None
    target: float | None

    def parts(self):  # noqa: ANN201 (a SpecParts; Altair is imported only when drawn)
        """The SPC chart's data and layout (:func:`rpgdash.charts.spc_parts`)."""
        from rpgdash import charts  # noqa: PLC0415 (Altair is heavy; import when drawn)

        return charts.spc_parts(
            self.points,
            self.segments,
            events=self.events,
            unit=self.unit,
            title=self.title,
            its=self.its,
            target=self.target,
        )

    def build(self):  # noqa: ANN201 (an alt.LayerChart; Altair is imported only when drawn)
        """The SPC chart (:func:`rpgdash.charts.spc_chart`)."""
        return self.parts().chart()

    def spec(self) -> dict:
        """The SPC chart's Vega-Lite dict, built without an Altair chart (the same chart)."""
        return self.parts().spec()


@dataclass(frozen=True)
class IndicatorPanel:
    """One indicator for one choice of controls.

    ``too_short`` is True when fewer than 3 months fall in the window (then only ``name``,
    ``unit`` and ``notices`` are filled). Sentences are final text; ``data`` and ``limits``
    are display tables (human headers, formatted cells) and also the CSV download.
    """

    name: str
    unit: str
    too_short: bool
    notices: tuple[str, ...] = ()
    result: dict | None = None
    takeaway: str = ""
    latest: str = ""
    latest_month: str = ""
    trend_text: str = ""
    change_text: str | None = None
    its_text: str | None = None
    its_warnings: tuple[str, ...] = ()
    its_notes: tuple[str, ...] = ()
    scan_text: str | None = None
    trial_limits: tuple[str, ...] = ()
    missing_months: str | None = None
    chart: IndicatorChart | None = None
    summary_row: mdc_icons.SummaryRow | None = None
    suggestions: tuple[dict, ...] = ()
    data: pd.DataFrame = field(default_factory=pd.DataFrame)
    limits: pd.DataFrame = field(default_factory=pd.DataFrame)
    caveats: tuple[str, ...] = (ITS_CAVEAT,)


def limits_table(segments: pd.DataFrame) -> pd.DataFrame:
    """The SPC centre line and process limits of each segment, as shown under the chart."""
    return pd.DataFrame(
        {
            "From": segments["start"].map(fmt.month),
            "To": segments["end"].map(fmt.month),
            "Points": segments["n"].map(fmt.count),
            "Mean": segments["mean"].map(fmt.number),
            "Lower process limit": segments["lower"].map(fmt.number),
            "Upper process limit": segments["upper"].map(fmt.number),
            "Trial limits (fewer than 13 points)": segments["trial_limits"].map(fmt.yes_no),
        }
    )


def data_table(points: pd.DataFrame, unit: str) -> pd.DataFrame:
    """The months behind the chart, in words: no codes, timestamps or empty cells."""
    rules = points["rules"].map(
        lambda r: (
            "; ".join(RULE_WORDS.get(x.strip(), x) for x in str(r).split(",") if x.strip())
            or fmt.MISSING
        )
    )
    return pd.DataFrame(
        {
            "Month": points["month"].map(fmt.month),
            f"Value ({unit})" if unit else "Value": points["value"].map(lambda v: f"{v:g}"),
            "Point type": points["point_type"].map(lambda t: POINT_WORDS.get(t, fmt.text(t))),
            "Special cause rules": rules,
        }
    )


def _usable_rebase(rebase: Sequence[str], months: pd.Series, name: str) -> tuple[list, list]:
    present = set(pd.to_datetime(months).dt.strftime("%Y-%m"))
    keep = [m for m in rebase if m in present]
    dropped = [m for m in rebase if m not in present]
    notes = []
    if dropped:
        listed = ", ".join(fmt.month(m) for m in dropped)
        notes.append(
            f"New limits from {listed} are not drawn here: {name} has no value in "
            f"{'that month' if len(dropped) == 1 else 'those months'} in the chosen range."
        )
    return keep, notes


def build_indicator_panel(
    db: Database,
    name: str,
    *,
    unit: str,
    site: str | None,
    start: str,
    end: str,
    change_choice: str = AUTOMATIC,
    rebase: Sequence[str] = (),
    target: float | None = None,
    errors: str = "auto",
    direction: str = "neutral",
    events: pd.DataFrame | None = None,
) -> IndicatorPanel:
    """Build the panel for one indicator and one choice of the page's controls.

    ``change_choice`` is a month (``YYYY-MM``), ``"automatic"`` (see
    :func:`automatic_change_point`) or ``"none"``. ``events`` defaults to the site's stored
    events.
    """
    events = queries.events(db, site=site) if events is None else events
    shown = window(queries.indicator_series(db, name, site=site), start, end)
    if len(shown) < MIN_MONTHS:
        return IndicatorPanel(
            name,
            unit,
            True,
            notices=(
                f"{name} has {fmt.plural(len(shown), 'month')} in the chosen range; a chart and "
                f"a trend need at least {MIN_MONTHS}. Choose a wider range.",
            ),
        )
    notices: list[str] = []
    change_text = None
    if change_choice == AUTOMATIC:
        change_point, change_text = automatic_change_point(shown["month"], events)
    elif change_choice in (None, "none"):
        change_point = None
    else:
        change_point = change_choice
        problem = change_point_problem(name, shown["month"], change_point)
        if problem is not None:
            notices.append(problem + " The chart and trend are drawn without it.")
            change_point = None
    keep, rebase_notes = _usable_rebase(rebase, shown["month"], name)
    notices += rebase_notes
    result = api.analyse_trend(
        db,
        name,
        site=site,
        start=start,
        end=end,
        change_point=change_point,
        rebase=tuple(sorted(keep)),
        target=target,
        errors=errors,
    )
    return _panel_from_result(name, unit, result, events, target, direction, notices, change_text)


def _panel_from_result(
    name: str,
    unit: str,
    result: dict,
    events: pd.DataFrame,
    target: float | None,
    direction: str,
    notices: list[str],
    change_text: str | None,
) -> IndicatorPanel:
    points, segments = spc_frames(result)
    spc, its = result["spc"], result["its"]
    finding = spc_finding(name, spc)
    its_notes: list[str] = []
    its_warnings = () if its is None else tuple(t for t in (its["degenerate"], its["warning"]) if t)
    if its is not None:
        residuals = (
            f"Residual autocorrelation: Durbin-Watson {its['durbin_watson']:.2f}, "
            f"Breusch-Godfrey (1 lag) {fmt.p_value(its['breusch_godfrey_p'])}. "
            if its["durbin_watson"] is not None and its["breusch_godfrey_p"] is not None
            else ""
        )
        its_notes.append(residuals + its["errors_reason"])
    else:
        its_notes.append(
            "No interrupted time series: no change point with 8 months before it falls in "
            "this range. Choose one above."
            if change_text is not None or not notices
            else "No interrupted time series for this indicator (see above)."
        )
    trial = tuple(
        f"Limits for {fmt.month(s['start'])} to {fmt.month(s['end'])} are trial limits: "
        "fewer than 13 points (NHSRplotthedots' threshold); they will change as months are "
        "added."
        for s in spc["segments"]
        if s["trial_limits"]
    )
    latest_value = float(points["value"].iloc[-1])
    return IndicatorPanel(
        name=name,
        unit=unit,
        too_short=False,
        notices=tuple(notices),
        result=result,
        takeaway=finding + ".",
        latest=fmt.number(latest_value, 0),
        latest_month=fmt.month(result["end"]),
        trend_text=trend_sentence(result, unit=unit),
        change_text=change_text,
        its_text=None if its is None else its_sentence(its, unit=unit),
        its_warnings=its_warnings,
        its_notes=tuple(its_notes),
        scan_text=None if its is None else scan_sentence(its, unit=unit),
        trial_limits=trial,
        missing_months=(
            ", ".join(fmt.month(m) for m in result["missing_months"])
            if result["missing_months"]
            else None
        ),
        chart=IndicatorChart(points, segments, events, unit, finding, its_overlay(result), target),
        summary_row=mdc_icons.summary_row(name, unit, result, target=target, direction=direction),
        suggestions=tuple(rebase_suggestions(spc, events)),
        data=data_table(points, unit),
        limits=limits_table(segments),
    )
