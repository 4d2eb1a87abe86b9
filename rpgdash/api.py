"""The analyst-facing API: the same computations the pages and the CLI use.

>>> import rpgdash
>>> db = rpgdash.open_db(read_only=True)
>>> rpgdash.compare_waves(db, role="Team manager")          # doctest: +SKIP
>>> rpgdash.analyse_trend(db, "Referrals", change_point="2017-01")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from rpgdash import queries, settings
from rpgdash.db import Database
from rpgdash.series import window
from rpgdash.stats import analyse_series, compare_level_matrix

ALL_ROLES = queries.ALL_ROLES


def comparable_waves(db: Database) -> list[str]:
    """Labels of the waves that may be compared, in fieldwork order."""
    return queries.waves(db, comparable_only=True)["label"].tolist()


def default_wave_pair(db: Database) -> tuple[str, str]:
    """The first and the latest comparable waves (the longest span of change)."""
    return _resolve_waves(comparable_waves(db), None)


def _resolve_waves(known: list[str], waves: Sequence[str] | str | None) -> tuple[str, str]:
    if waves is None:
        if len(known) < 2:
            raise ValueError(
                "At least two comparable survey waves are needed for a comparison; "
                f"the database has {len(known)}."
            )
        return known[0], known[-1]
    if isinstance(waves, str):
        waves = [w.strip() for w in waves.split(",")]
    if len(waves) != 2:
        raise ValueError(
            f'Give exactly two waves to compare, e.g. "+1 year,+3 years"; got {len(waves)}.'
        )
    for label in waves:
        if label not in known:
            raise ValueError(
                f"There is no comparable wave called {label!r}; the comparable waves are "
                + ", ".join(repr(k) for k in known)
                + "."
            )
    return waves[0], waves[1]


def compare_waves(
    db: Database,
    *,
    site: str | None = None,
    role: str | None = None,
    waves: Sequence[str] | str | None = None,
    domain: str | None = None,
    min_group: int | None = None,
) -> pd.DataFrame:
    """Compare two survey waves statement by statement, with disclosure control applied.

    Returns one row per (domain, role, statement) with the columns of
    :data:`rpgdash.stats.COMPARISON_COLUMNS`. ``role=None`` returns every role plus
    "All roles"; a role name returns that role only (still suppressed if too small).
    ``waves`` defaults to the first and the latest comparable waves.
    """
    wave_a, wave_b = _resolve_waves(queries.comparable_wave_labels(db), waves)
    if min_group is None:
        min_group = settings.get("min_group")
    if role not in (None, ALL_ROLES) and role not in queries.roles(db):
        raise ValueError(f"There is no job role called {role!r}.")
    groups, counts_a, counts_b, sizes = queries.paired_level_counts(
        db, wave_a=wave_a, wave_b=wave_b, site=site
    )
    if domain is not None:
        keep = (groups["domain"] == domain).to_numpy()
        groups, counts_a, counts_b = groups[keep], counts_a[keep], counts_b[keep]
    result = compare_level_matrix(
        groups,
        counts_a,
        counts_b,
        wave_a=wave_a,
        wave_b=wave_b,
        group_sizes=sizes,
        min_group=min_group,
    )
    if role is not None:
        result = result[result["role"] == role]
    return result.reset_index(drop=True)


def analyse_trend(
    db: Database,
    indicator: str,
    *,
    site: str | None = None,
    change_point: str | None = None,
    rebase: Sequence[str] = (),
    direction: str | None = None,
    target: float | None = None,
    hac: bool = False,
    errors: str = "auto",
    fix_after_n_points: int | None = None,
    start: str | None = None,
    end: str | None = None,
) -> dict:
    """Trend, Mann-Kendall, interrupted time series and SPC for one stored indicator series.

    ``direction`` and ``target`` default to the values stored with the indicator; ``start``
    and ``end`` (``YYYY-MM``) limit the analysis to a window of months. ``errors`` ("auto",
    "ols" or "newey-west"; ``hac`` means Newey-West) and ``fix_after_n_points`` are passed to
    :func:`rpgdash.stats.trend.analyse_series`. The result's ``spc.summary`` holds the Making
    Data Count ``variation_icon`` and ``assurance``.
    """
    meta = queries.indicators(db)
    row = meta[meta["name"] == indicator]
    if row.empty:
        raise ValueError(f"There is no indicator called {indicator!r}.")
    if direction is None:
        direction = str(row["direction"].iloc[0])
    if target is None and pd.notna(row["target"].iloc[0]):
        target = float(row["target"].iloc[0])
    series = queries.indicator_series(db, indicator, site=site)
    if start is not None or end is not None:
        series = window(series, start or "0001-01", end or "9999-12")
    if series.empty:
        raise ValueError(f"No values are stored for {indicator!r} at this site.")
    return analyse_series(
        series["month"].tolist(),
        series["value"].tolist(),
        change_point=change_point,
        rebase=tuple(rebase),
        direction=direction,
        target=target,
        hac=hac,
        errors=errors,
        fix_after_n_points=fix_after_n_points,
    )
