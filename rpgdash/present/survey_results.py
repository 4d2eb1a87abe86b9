"""The survey results as leaders read them: domain titles, n phrases and the results table.

Pure functions shared by the survey pages and the board report, so both show the same table.
"""

from __future__ import annotations

import pandas as pd

from rpgdash.present import format as fmt
from rpgdash.present import narrative
from rpgdash.present.domains import DOMAINS

DOMAIN_TITLES = {d.key: d.title for d in DOMAINS}


def n_phrase(comp: pd.DataFrame) -> str:
    """'n = 42–47 answers per statement at +1 year, 71–75 at +3 years'."""
    parts = []
    for side in ("a", "b"):
        n = comp[f"n_{side}"].dropna().astype(int)
        wave = comp[f"wave_{side}"].iloc[0]
        span = f"{n.min()}" if n.min() == n.max() else f"{n.min()}–{n.max()}"
        parts.append(f"{span}{' answers per statement' if not parts else ''} at {wave}")
    return "n = " + ", ".join(parts)


SIGNIFICANT_HEADERS = {
    "none": "Significant (95%, not adjusted)",
    "holm": "Significant (95%, Holm-adjusted)",
    "bh": "Significant (95%, Benjamini-Hochberg-adjusted)",
}
P_METHOD_WORDS = {"exact": "exact", "normal": "normal approximation"}
NOT_SHOWN = "not shown"


def significant_header(adjust: bool | str) -> str:
    """The "Significant" column's header, saying whether it is adjusted (page's choice)."""
    return SIGNIFICANT_HEADERS[narrative.adjustment(adjust).key]


def has_model(comp: pd.DataFrame) -> bool:
    """Whether the rows carry a proportional-odds model (the "All roles" rows do)."""
    return bool(comp["wave_odds_ratio"].notna().any() or comp["model_note"].notna().any())


def _cells(comp: pd.DataFrame, column: str, show) -> list[str]:
    """``show(value)`` for each row, "not shown" on a suppressed row."""
    return [
        NOT_SHOWN if fmt.is_missing(v) and not fmt.is_missing(hidden) else show(v)
        for v, hidden in zip(comp[column], comp["suppressed"], strict=True)
    ]


def _flags(comp: pd.DataFrame, adjust: str) -> list[str]:
    return _cells(comp, narrative.adjustment(adjust).flag, fmt.yes_no)


def default_table(comp: pd.DataFrame, *, adjust: bool | str) -> pd.DataFrame:
    """The results table a leader reads first: one row per statement, text cells.

    Statement (full text), % agree at each wave, the change in points, whether it is
    significant (the header says whether that is adjusted, following ``adjust``) and n.
    """
    wave_a, wave_b = comp["wave_a"].iloc[0], comp["wave_b"].iloc[0]
    return pd.DataFrame(
        {
            "Statement": comp["statement"].astype(str).tolist(),
            f"% agree ({wave_a})": _cells(comp, "pct_agree_a", fmt.percent),
            f"% agree ({wave_b})": _cells(comp, "pct_agree_b", fmt.percent),
            "Change in % agree": _cells(
                comp, "pct_agree_change", lambda v: fmt.change(v, "points", digits=0)
            ),
            significant_header(adjust): _flags(comp, adjust),
            f"n ({wave_a}, {wave_b})": [
                NOT_SHOWN if fmt.is_missing(a) or fmt.is_missing(b) else f"{int(a)}, {int(b)}"
                for a, b in zip(comp["n_a"], comp["n_b"], strict=True)
            ],
        }
    )


def _interval(digits: int, *, signed: bool = False):
    return lambda v: fmt.interval_of(v, digits, signed=signed)


def statistics_table(comp: pd.DataFrame) -> pd.DataFrame:
    """Every statistic of the comparison, formatted for reading (the "All statistics" view).

    p-values read ``< 0.001`` rather than 0; intervals ``64 to 87``; all three ways of
    deciding "significant" are given, each saying whether it is adjusted.
    """
    wave_a, wave_b = comp["wave_a"].iloc[0], comp["wave_b"].iloc[0]
    table: dict[str, list[str]] = {"Statement": comp["statement"].astype(str).tolist()}
    for side, wave in (("a", wave_a), ("b", wave_b)):
        table[f"n ({wave})"] = _cells(comp, f"n_{side}", fmt.count)
        table[f"Mean ({wave})"] = _cells(comp, f"mean_{side}", lambda v: fmt.number(v, 2))
        table[f"SD ({wave})"] = _cells(comp, f"sd_{side}", lambda v: fmt.number(v, 2))
        table[f"% agree ({wave})"] = _cells(comp, f"pct_agree_{side}", fmt.percent)
        table[f"% agree, 95% CI ({wave})"] = _cells(comp, f"pct_agree_ci_{side}", _interval(0))
    table["Change in % agree"] = _cells(
        comp, "pct_agree_change", lambda v: fmt.change(v, "points", digits=0)
    )
    table["Change in % agree, 95% CI"] = _cells(
        comp, "pct_agree_change_ci", _interval(0, signed=True)
    )
    table["Change in mean"] = _cells(comp, "diff", lambda v: fmt.signed_number(v, 2))
    table["Mann-Whitney U"] = _cells(comp, "u", lambda v: fmt.number(v, 1))
    table["p"] = _cells(comp, "p_value", lambda v: fmt.p_value(v, prefix=False))
    table["p method"] = _cells(comp, "p_method", lambda v: P_METHOD_WORDS.get(v, fmt.text(v)))
    table["p (Holm-adjusted)"] = _cells(comp, "p_holm", lambda v: fmt.p_value(v, prefix=False))
    table["p (Benjamini-Hochberg-adjusted)"] = _cells(
        comp, "p_bh", lambda v: fmt.p_value(v, prefix=False)
    )
    table["Cliff's delta"] = _cells(comp, "cliffs_delta", lambda v: fmt.signed_number(v, 2))
    table["Cliff's delta, 95% CI"] = _cells(comp, "delta_ci", _interval(2, signed=True))
    for key in narrative.ADJUSTMENTS:
        table[SIGNIFICANT_HEADERS[key]] = _flags(comp, key)
    if has_model(comp):
        table["Odds ratio, adjusted for role"] = _cells(
            comp, "wave_odds_ratio", lambda v: fmt.number(v, 2)
        )
        table["Odds ratio, 95% CI"] = _cells(comp, "wave_or_ci", _interval(2))
        table["p (odds ratio)"] = _cells(comp, "wave_or_p", lambda v: fmt.p_value(v, prefix=False))
        table["Model note"] = [fmt.text(v) if v else fmt.MISSING for v in comp["model_note"]]
    return pd.DataFrame(table)


def _p_number(p: object) -> float | None:
    """A p-value for a spreadsheet: four significant figures, so it is never rounded to 0."""
    return None if fmt.is_missing(p) else float(f"{float(p):.4g}")


def _round(values: pd.Series, digits: int) -> list[float | None]:
    return [None if fmt.is_missing(v) else round(float(v), digits) for v in values]


def _bounds(values: pd.Series, digits: int) -> tuple[list, list]:
    pairs = [
        (None, None) if v is None or (not isinstance(v, list | tuple) and fmt.is_missing(v)) else v
        for v in values
    ]
    return (
        [None if fmt.is_missing(lo) else round(float(lo), digits) for lo, _ in pairs],
        [None if fmt.is_missing(hi) else round(float(hi), digits) for _, hi in pairs],
    )


def download_table(comp: pd.DataFrame) -> pd.DataFrame:
    """Every statistic for the CSV download: numbers as numbers, human headers.

    Intervals are two columns (lower, upper); p-values keep four significant figures, so a
    very small p reads 3.2e-06, never 0; flags read yes/no.
    """
    wave_a, wave_b = comp["wave_a"].iloc[0], comp["wave_b"].iloc[0]
    out: dict[str, list] = {"Statement": comp["statement"].astype(str).tolist()}
    for side, wave in (("a", wave_a), ("b", wave_b)):
        out[f"n ({wave})"] = [None if fmt.is_missing(v) else int(v) for v in comp[f"n_{side}"]]
        out[f"Mean ({wave})"] = _round(comp[f"mean_{side}"], 3)
        out[f"SD ({wave})"] = _round(comp[f"sd_{side}"], 3)
        out[f"% agree ({wave})"] = _round(comp[f"pct_agree_{side}"], 1)
        lo, hi = _bounds(comp[f"pct_agree_ci_{side}"], 1)
        out[f"% agree, 95% CI lower ({wave})"], out[f"% agree, 95% CI upper ({wave})"] = lo, hi
    out["Change in % agree (points)"] = _round(comp["pct_agree_change"], 1)
    lo, hi = _bounds(comp["pct_agree_change_ci"], 1)
    out["Change in % agree, 95% CI lower"], out["Change in % agree, 95% CI upper"] = lo, hi
    out["Change in mean"] = _round(comp["diff"], 3)
    out["Mann-Whitney U"] = _round(comp["u"], 1)
    out["p"] = [_p_number(v) for v in comp["p_value"]]
    out["p method"] = [P_METHOD_WORDS.get(v) for v in comp["p_method"]]
    out["p (Holm-adjusted)"] = [_p_number(v) for v in comp["p_holm"]]
    out["p (Benjamini-Hochberg-adjusted)"] = [_p_number(v) for v in comp["p_bh"]]
    out["Cliff's delta"] = _round(comp["cliffs_delta"], 3)
    lo, hi = _bounds(comp["delta_ci"], 3)
    out["Cliff's delta, 95% CI lower"], out["Cliff's delta, 95% CI upper"] = lo, hi
    for key, adjustment in narrative.ADJUSTMENTS.items():
        out[SIGNIFICANT_HEADERS[key]] = [
            None if fmt.is_missing(v) else fmt.yes_no(v) for v in comp[adjustment.flag]
        ]
    if has_model(comp):
        out["Odds ratio, adjusted for role"] = _round(comp["wave_odds_ratio"], 3)
        lo, hi = _bounds(comp["wave_or_ci"], 3)
        out["Odds ratio, 95% CI lower"], out["Odds ratio, 95% CI upper"] = lo, hi
        out["p (odds ratio)"] = [_p_number(v) for v in comp["wave_or_p"]]
        out["p (proportional-odds check)"] = [_p_number(v) for v in comp["po_check_p"]]
        out["Model note"] = [v or None for v in comp["model_note"]]
    out["Not shown because"] = [None if fmt.is_missing(v) else str(v) for v in comp["suppressed"]]
    return pd.DataFrame(out)


def results_table(comp: pd.DataFrame, *, use_holm: bool | str = False) -> pd.DataFrame:
    """Every statistic, as downloaded (:func:`download_table`; ``use_holm`` is not needed:
    the download gives all three ways of deciding "significant")."""
    return download_table(comp)


def plan_table(rows: list[dict]) -> pd.DataFrame:
    """The rows of :func:`rpgdash.plan_wave` as the Overview's planning table."""

    def points(v: float | None) -> str:
        return "not possible (already near 100%)" if v is None else f"+{v:.0f} points"

    def rate(v: float | None) -> str:
        return "–" if v is None else f"{100 * v:.0f}%"

    return pd.DataFrame(
        {
            "Job role": [r["role"] for r in rows],
            "Invited": [r["invited"] for r in rows],
            "Expected to answer": [r["expected_n"] for r in rows],
            "Shown?": ["no: too few to show" if r["hidden"] else "yes" for r in rows],
            "Answered last time": [r["baseline_n"] for r in rows],
            "% agree last time": [
                "–" if r["baseline_pct_agree"] is None else f"{r['baseline_pct_agree']:.0f}%"
                for r in rows
            ],
            "Smallest rise it could detect": [
                "–"
                if r["baseline_pct_agree"] is None or r["expected_n"] == 0 or r["baseline_n"] == 0
                else points(r["min_detectable_change_points"])
                for r in rows
            ],
            "Response rate to detect the last change": [
                rate(r["response_rate_needed"]) for r in rows
            ],
        }
    )
