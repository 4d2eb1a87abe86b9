"""Pure statistics for the dashboard: wave comparisons, trends, SPC and disclosure control.

Nothing here touches Streamlit or the database; every function takes plain data and returns
plain data (DataFrames or JSON-ready dicts).
"""

from rpgdash.stats.compare import (
    COMPARISON_COLUMNS,
    DOMAIN_MODEL_COLUMNS,
    SCORE_LEVELS,
    add_all_roles,
    benjamini_hochberg,
    cliffs_delta,
    cliffs_delta_interval,
    compare_level_matrix,
    compare_levels,
    describe_levels,
    domain_model_frame,
    exact_mann_whitney_p,
    holm,
    level_shares,
    mann_whitney_from_counts,
    mann_whitney_from_levels,
    newcombe_difference_interval,
    wilson_interval,
)
from rpgdash.stats.disclosure import Suppression, suppress_small_groups, suppressed_roles
from rpgdash.stats.spc import xmr
from rpgdash.stats.trend import (
    analyse_series,
    interrupted_time_series,
    mann_kendall,
    ols_trend,
)

__all__ = [
    "compare_level_matrix",
    "COMPARISON_COLUMNS",
    "DOMAIN_MODEL_COLUMNS",
    "benjamini_hochberg",
    "cliffs_delta_interval",
    "domain_model_frame",
    "exact_mann_whitney_p",
    "newcombe_difference_interval",
    "wilson_interval",
    "SCORE_LEVELS",
    "Suppression",
    "add_all_roles",
    "analyse_series",
    "cliffs_delta",
    "compare_levels",
    "describe_levels",
    "holm",
    "interrupted_time_series",
    "level_shares",
    "mann_kendall",
    "mann_whitney_from_counts",
    "mann_whitney_from_levels",
    "ols_trend",
    "suppress_small_groups",
    "suppressed_roles",
    "xmr",
]
