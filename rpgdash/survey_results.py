"""The survey results as leaders read them: domain titles, n phrases and the results table.

Pure functions shared by the survey pages and the board report, so both show the same table.
"""

from __future__ import annotations

import pandas as pd

from rpgdash import narrative

DOMAIN_TITLES = {
    "professional": "Professional practice",
    "self_efficacy": "Self-efficacy",
    "relationships": "Relationships",
}


def n_phrase(comp: pd.DataFrame) -> str:
    """'n = 42-47 answers per statement at +1 year, 71-75 at +3 years'."""
    parts = []
    for side in ("a", "b"):
        n = comp[f"n_{side}"].dropna().astype(int)
        wave = comp[f"wave_{side}"].iloc[0]
        span = f"{n.min()}" if n.min() == n.max() else f"{n.min()}–{n.max()}"
        parts.append(f"{span} at {wave}")
    return "n = " + ", ".join(parts) + " answers per statement"


def results_table(comp: pd.DataFrame, *, use_holm: bool) -> pd.DataFrame:
    """The results table as shown and downloaded (one row per statement)."""
    wave_a, wave_b = comp["wave_a"].iloc[0], comp["wave_b"].iloc[0]

    def ci(values: object) -> str | None:
        if values is None or (isinstance(values, float) and pd.isna(values)):
            return None
        lo, hi = values
        return f"{lo:.2f} to {hi:.2f}"

    flag = narrative.significance_column(use_holm)
    return pd.DataFrame(
        {
            "Statement": comp["statement"],
            f"n ({wave_a})": comp["n_a"].astype("Int64"),
            f"Mean ({wave_a})": comp["mean_a"].round(2),
            f"95% CI ({wave_a})": comp["ci_a"].map(ci),
            f"% agree ({wave_a})": comp["pct_agree_a"].round(0),
            f"n ({wave_b})": comp["n_b"].astype("Int64"),
            f"Mean ({wave_b})": comp["mean_b"].round(2),
            f"95% CI ({wave_b})": comp["ci_b"].map(ci),
            f"% agree ({wave_b})": comp["pct_agree_b"].round(0),
            "Change in mean": comp["diff"].round(2),
            "p": comp["p_value"].round(4),
            "p (Holm)": comp["p_holm"].round(4),
            "Cliff's delta": comp["cliffs_delta"].round(2),
            "Significant (95%)": comp[flag].map({True: "yes", False: "no"}),
        }
    )
