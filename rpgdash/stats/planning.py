"""Planning the next survey wave: who will be hidden, and what change could be detected.

For each job role, given how many staff will be invited and the expected response rate:

- ``expected_n`` = invited x response rate, rounded to a whole person; ``hidden`` when it is
  below the disclosure threshold k (the role's results would not be shown);
- ``min_detectable_change_points``: the smallest rise in % agree from the latest wave's value
  that a two-sided two-proportion test at level alpha detects with the given power, comparing
  the latest wave's respondents in the role (n1) with the next wave's expected respondents
  (n2). The test is the normal approximation on Cohen's effect size
  h = 2 asin(sqrt(p2)) - 2 asin(sqrt(p1)), as statsmodels ``NormalIndPower``
  (power = Phi(h sqrt(n) - z) + Phi(-h sqrt(n) - z), n = n1 n2 / (n1 + n2), z = z_{1-alpha/2});
  h is turned back into points from the baseline;
- ``response_rate_needed``: the response rate at which the next wave would detect, with that
  power, a change as large as the one seen between the last two waves (None when no change
  was seen, when a second wave is missing, or when even everyone answering is not enough).

% agree pools every statement a role answered at the latest wave; n counts people, not
answers, because each person answers many statements.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from scipy import optimize, special

PLAN_COLUMNS = [
    "role",
    "invited",
    "expected_n",
    "hidden",
    "baseline_n",
    "baseline_pct_agree",
    "min_detectable_change_points",
    "response_rate_needed",
]


@dataclass(frozen=True)
class RoleBaseline:
    """What the latest waves say about one role.

    ``n``: respondents at the latest wave; ``pct_agree``: % of all its answers at the latest
    wave that agree (None when unknown or not to be shown); ``previous_pct_agree``: the same
    at the wave before (None when there is none).
    """

    n: int
    pct_agree: float | None
    previous_pct_agree: float | None = None


def cohens_h(p1: float, p2: float) -> float:
    """Cohen's effect size for two proportions: 2 asin(sqrt(p2)) - 2 asin(sqrt(p1))."""
    return 2 * math.asin(math.sqrt(p2)) - 2 * math.asin(math.sqrt(p1))


def power_two_proportions(h: float, n1: float, n2: float, alpha: float = 0.05) -> float:
    """Power of the two-sided normal test for Cohen's h with samples n1 and n2.

    The same as statsmodels ``NormalIndPower().power(h, nobs1=n1, alpha=alpha,
    ratio=n2 / n1, alternative="two-sided")``.
    """
    if n1 <= 0 or n2 <= 0:
        return math.nan
    z = special.ndtri(1 - alpha / 2)
    shift = abs(h) * math.sqrt(n1 * n2 / (n1 + n2))
    return float(special.ndtr(shift - z) + special.ndtr(-shift - z))


def detectable_h(n1: float, n2: float, *, power: float = 0.8, alpha: float = 0.05) -> float:
    """The Cohen's h detected with ``power``: statsmodels ``NormalIndPower().solve_power``."""
    if n1 <= 0 or n2 <= 0:
        return math.nan
    return float(
        optimize.brentq(lambda h: power_two_proportions(h, n1, n2, alpha) - power, 1e-9, 40)
    )


def _rise_points(p1: float, h: float) -> float | None:
    """The rise in % agree from p1 (0-1) that has effect size h; None past 100%."""
    angle = math.asin(math.sqrt(p1)) + h / 2
    if angle > math.pi / 2:
        return None
    return 100 * (math.sin(angle) ** 2 - p1)


def _rate_needed(invited: int, n1: int, h: float, *, power: float, alpha: float) -> float | None:
    """Smallest response rate whose expected respondents detect h; None if unreachable."""
    if invited <= 0 or n1 <= 0 or h == 0 or math.isnan(h):
        return None
    if power_two_proportions(h, n1, invited, alpha) < power:
        return None  # even if everyone answered
    n2 = optimize.brentq(
        lambda n: power_two_proportions(h, n1, n, alpha) - power, 1e-6, float(invited)
    )
    return float(n2 / invited)


def plan_next_wave(
    invited: Mapping[str, int],
    baselines: Mapping[str, RoleBaseline],
    *,
    response_rate: float,
    min_group: int,
    power: float = 0.8,
    alpha: float = 0.05,
    baseline_agree: float | None = None,
) -> list[dict]:
    """One planning row per invited role (columns :data:`PLAN_COLUMNS`).

    Parameters
    ----------
    invited : mapping of role -> int
        Staff to be invited per role, in the order to report.
    baselines : mapping of role -> RoleBaseline
        The latest waves' figures per role; a role missing here has baseline_n = 0.
    response_rate : float
        Expected response rate, 0 < rate <= 1.
    min_group : int
        Disclosure threshold k.
    power, alpha : float
        Wanted power and two-sided significance level.
    baseline_agree : float, optional
        % agree (0-100) to plan from for every role, instead of each role's latest value.

    Returns
    -------
    list of dict
        ``baseline_pct_agree`` in percent, ``min_detectable_change_points`` in percentage
        points, ``response_rate_needed`` as a fraction (like ``response_rate``); None where a
        figure cannot be given (no baseline respondents, or a rise past 100%).
    """
    rows = []
    for role, count in invited.items():
        base = baselines.get(role, RoleBaseline(0, None))
        expected = int(math.floor(count * response_rate + 0.5))  # half a person rounds up
        pct = baseline_agree if baseline_agree is not None else base.pct_agree
        detectable = None
        if pct is not None and base.n > 0 and expected > 0:
            h = detectable_h(base.n, expected, power=power, alpha=alpha)
            detectable = _rise_points(pct / 100, h)
        needed = None
        if base.pct_agree is not None and base.previous_pct_agree is not None:
            seen = cohens_h(base.previous_pct_agree / 100, base.pct_agree / 100)
            needed = _rate_needed(count, base.n, seen, power=power, alpha=alpha)
        rows.append(
            {
                "role": role,
                "invited": int(count),
                "expected_n": expected,
                "hidden": expected < min_group,
                "baseline_n": int(base.n),
                "baseline_pct_agree": None if pct is None else float(pct),
                "min_detectable_change_points": detectable,
                "response_rate_needed": needed,
            }
        )
    return rows
