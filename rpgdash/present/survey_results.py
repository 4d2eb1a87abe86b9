"""The survey results as leaders read them: domain titles, n phrases and the results table.

Pure functions shared by the survey pages and the board report, so both show the same table.
"""

from __future__ import annotations

import pandas as pd

from rpgdash.present import narrative
from rpgdash.present.domains import DOMAINS

DOMAIN_TITLES = {d.key: d.title for d in DOMAINS}


def n_phrase(comp: pd.DataFrame) -> str:
    """'n = 42-47 answers per statement at +1 year, 71-75 at +3 years'."""
    parts = []
    for side in ("a", "b"):
        n = comp[f"n_{side}"].dropna().astype(int)
        wave = comp[f"wave_{side}"].iloc[0]
        span = f"{n.min()}" if n.min() == n.max() else f"{n.min()}–{n.max()}"
        parts.append(f"{span} at {wave}")
    return "n = " + ", ".join(parts) + " answers per statement"


def _span(values: object, digits: int = 0) -> str | None:
    """``[lo, hi]`` -> "64 to 87"; None when there is no interval."""
    if values is None or (isinstance(values, float) and pd.isna(values)):
        return None
    lo, hi = values
    return f"{lo:.{digits}f} to {hi:.{digits}f}"


def has_model(comp: pd.DataFrame) -> bool:
    """Whether the rows carry a proportional-odds model (the "All roles" rows do)."""
    return bool(comp["wave_odds_ratio"].notna().any() or comp["model_note"].notna().any())


def results_table(comp: pd.DataFrame, *, use_holm: bool | str) -> pd.DataFrame:
    """The results table as shown and downloaded (one row per statement).

    ``use_holm`` is the adjustment that decides "Significant" ("none", "holm", "bh", or a
    bool: True = Holm). The model columns appear only for rows that have a model.
    """
    wave_a, wave_b = comp["wave_a"].iloc[0], comp["wave_b"].iloc[0]
    flag = narrative.significance_column(use_holm)
    table = pd.DataFrame(
        {
            "Statement": comp["statement"],
            f"n ({wave_a})": comp["n_a"].astype("Int64"),
            f"Mean ({wave_a})": comp["mean_a"].round(2),
            f"% agree ({wave_a})": comp["pct_agree_a"].round(0),
            f"95% CI ({wave_a})": comp["pct_agree_ci_a"].map(_span),
            f"n ({wave_b})": comp["n_b"].astype("Int64"),
            f"Mean ({wave_b})": comp["mean_b"].round(2),
            f"% agree ({wave_b})": comp["pct_agree_b"].round(0),
            f"95% CI ({wave_b})": comp["pct_agree_ci_b"].map(_span),
            "Change in % agree (points)": comp["pct_agree_change"].round(0),
            "95% CI (change)": comp["pct_agree_change_ci"].map(_span),
            "Change in mean": comp["diff"].round(2),
            "p": comp["p_value"].round(4),
            "p method": comp["p_method"],
            "p (Holm)": comp["p_holm"].round(4),
            "p (BH)": comp["p_bh"].round(4),
            "Cliff's delta": comp["cliffs_delta"].round(2),
            "95% CI (delta)": comp["delta_ci"].map(lambda v: _span(v, 2)),
            "Significant (95%)": comp[flag].map({True: "yes", False: "no"}),
        }
    )
    if has_model(comp):
        table["Odds ratio, adjusted for role"] = comp["wave_odds_ratio"].round(2)
        table["95% CI (odds ratio)"] = comp["wave_or_ci"].map(lambda v: _span(v, 2))
        table["p (odds ratio)"] = comp["wave_or_p"].round(4)
        table["Model note"] = comp["model_note"]
    return table


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
