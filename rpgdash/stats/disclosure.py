"""Disclosure control for survey results broken down by role.

A group with fewer than k respondents is hidden (primary suppression). Because the dashboard
also shows the total over all roles, hiding one small group is not enough: its answers are the
total minus the shown groups. So further groups are hidden (secondary suppression) until what
can be recovered by subtraction is itself a group of at least k people.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

PRIMARY = "primary"
SECONDARY = "secondary"


@dataclass(frozen=True)
class Suppression:
    """One hidden group: a role (or the total label) in one wave, and why it is hidden."""

    role: str
    wave: str
    reason: str
    kind: str  # "primary" | "secondary"


def _primary_reason(min_group: int, wave: str) -> str:
    return f"fewer than {min_group} respondents in {wave} (primary suppression)"


def _total_reason(min_group: int, wave: str) -> str:
    return f"fewer than {min_group} respondents in {wave} in total (primary suppression)"


def _secondary_reason(wave: str) -> str:
    return f"hidden to protect a smaller group in {wave} (secondary suppression)"


def suppress_small_groups(
    group_sizes: pd.DataFrame, min_group: int = 5, *, total_label: str = "All roles"
) -> list[Suppression]:
    """Decide which role x wave groups must be hidden so that no group under k can be read.

    The rule, applied to each wave separately (k = ``min_group``; groups with 0 respondents
    have nothing to show and are never suppressed or used as cover):

    1. Primary: every role with ``0 < respondents < k`` is suppressed.
    2. The total of a wave is the sum of its role rows (a row for ``total_label`` is used only
       when the wave has no role rows). If ``0 < total < k`` the total is suppressed too, and
       so, by rule 1, is every role with respondents; nothing more is needed.
    3. Secondary, when the total is shown: the suppressed roles can be recovered together as
       the total minus the shown roles. While fewer than two roles are suppressed, or the
       suppressed roles together have fewer than k respondents, the smallest shown role
       (ties: the role that appears first) is suppressed as well. This stops when no shown
       role is left, which can only happen once the suppressed roles add up to the total.

    Afterwards, in every wave, either no role is suppressed, or at least two are and their
    combined size is at least k, so subtraction yields only a mix of two or more roles that is
    itself at least k people.

    Parameters
    ----------
    group_sizes : pandas.DataFrame
        Columns ``role, wave, respondents``, one row per role and wave.
    min_group : int
        The threshold k (from the settings).
    total_label : str
        Role name of the total over roles.

    Returns
    -------
    list of Suppression
        Waves in order of appearance; within a wave, primary role suppressions in role order,
        then secondary ones in the order they were chosen, then the total.
    """
    missing = [c for c in ("role", "wave", "respondents") if c not in group_sizes.columns]
    if missing:
        raise ValueError(
            f"group_sizes is missing the column(s) {', '.join(missing)}; it needs role, wave "
            "and respondents."
        )
    respondents = pd.to_numeric(group_sizes["respondents"], errors="raise").fillna(0).tolist()
    roles = group_sizes["role"].tolist()
    role_order = {r: i for i, r in enumerate(dict.fromkeys(roles))}
    # per wave (in order of appearance): respondents per role, and any explicit total row
    per_wave: dict[object, tuple[dict[str, float], list[float]]] = {}
    for role, wave, n in zip(roles, group_sizes["wave"].tolist(), respondents, strict=True):
        groups, totals = per_wave.setdefault(wave, ({}, []))
        if role == total_label:
            totals.append(n)
        else:
            groups[role] = groups.get(role, 0) + n
    result: list[Suppression] = []
    for wave, (groups, totals) in per_wave.items():
        total = sum(groups.values()) if groups else sum(totals)
        result.extend(_suppress_wave(wave, groups, total, min_group, role_order, total_label))
    return result


def _suppress_wave(
    wave: str,
    groups: dict[str, float],
    total: float,
    min_group: int,
    role_order: dict[str, int],
    total_label: str,
) -> list[Suppression]:
    primary = [r for r, n in groups.items() if 0 < n < min_group]
    out = [Suppression(r, wave, _primary_reason(min_group, wave), PRIMARY) for r in primary]
    if 0 < total < min_group:
        out.append(Suppression(total_label, wave, _total_reason(min_group, wave), PRIMARY))
        return out
    hidden = set(primary)
    shown = sorted(
        (r for r, n in groups.items() if n >= min_group),
        key=lambda r: (groups[r], role_order[r]),
    )
    while hidden and (len(hidden) < 2 or sum(groups[r] for r in hidden) < min_group) and shown:
        cover = shown.pop(0)
        hidden.add(cover)
        out.append(Suppression(cover, wave, _secondary_reason(wave), SECONDARY))
    return out


def suppressed_roles(suppressions: list[Suppression], wave_a: str, wave_b: str) -> dict[str, str]:
    """Roles hidden in either of two waves, with the reason to show in their place.

    Returns
    -------
    dict
        role -> reason. A role hidden in both waves for the same kind of reason gets one
        sentence naming both waves ("fewer than 5 respondents in +1 year and +3 years (primary
        suppression)"); different reasons are joined with "; ". Roles appear in the order of
        ``suppressions``.
    """
    by_role: dict[str, dict[str, Suppression]] = {}
    for s in suppressions:
        if s.wave in (wave_a, wave_b):
            by_role.setdefault(s.role, {}).setdefault(s.wave, s)
    reasons: dict[str, str] = {}
    for role, waves in by_role.items():
        first, second = waves.get(wave_a), waves.get(wave_b)
        if first is None or second is None:
            reasons[role] = (first or second).reason
        elif (
            first.kind == second.kind
            and first.reason.replace(str(wave_a), str(wave_b)) == second.reason
        ):
            reasons[role] = first.reason.replace(str(wave_a), f"{wave_a} and {wave_b}", 1)
        else:
            reasons[role] = f"{first.reason}; {second.reason}"
    return reasons
