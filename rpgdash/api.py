"""The analyst-facing API: the same computations the pages and the CLI use.

>>> import rpgdash
>>> db = rpgdash.open_db(read_only=True)
>>> rpgdash.compare_waves(db, role="Team manager")          # doctest: +SKIP
>>> rpgdash.analyse_trend(db, "Referrals", change_point="2017-01")  # doctest: +SKIP
>>> rpgdash.benchmark(db, "Vacancies")                          # doctest: +SKIP
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Mapping, Sequence

import pandas as pd

from rpgdash import queries, results_store, settings
from rpgdash.benchmarks.core import benchmark
from rpgdash.db import Database
from rpgdash.series import window
from rpgdash.stats import analyse_series, compare_level_matrix, domain_model_frame
from rpgdash.stats.disclosure import suppress_small_groups

ALL_ROLES = queries.ALL_ROLES

__all__ = [
    "analyse_trend",
    "benchmark",
    "comparable_waves",
    "compare_domains",
    "compare_waves",
    "default_wave_pair",
    "plan_defaults",
    "plan_wave",
]


# --- survey results, cached on the data ----------------------------------------------------
# Every page, the report and the overview ask for the same comparisons (a site's every role at
# once; a role is then a filter). They are kept per open database and keyed on a fingerprint
# of the survey tables (queries.survey_version), so a write by any connection is seen. Below
# that, results stored when the data were stored (rpgdash.results_store) are read when their
# fingerprint matches; otherwise they are computed here, as before (nothing here writes).
_RESULTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_RESULTS_LOCK = threading.Lock()  # Streamlit runs sessions in threads
_RESULTS_PER_DATABASE = 512


def _survey_result(db: Database, key: tuple, compute: Callable[[], object]) -> object:
    """``compute()`` once per key (its first item the survey data's version; shared result)."""
    with _RESULTS_LOCK:
        entries = _RESULTS.setdefault(db, {})
        if key in entries:
            return entries[key]
    value = compute()
    with _RESULTS_LOCK:
        if len(entries) >= _RESULTS_PER_DATABASE:
            entries.pop(next(iter(entries)))
        entries[key] = value
    return value


def clear_results() -> None:
    """Forget every cached survey result (benchmarks use this to time first views)."""
    with _RESULTS_LOCK:
        _RESULTS.clear()


def _paired_counts(
    db: Database, version: tuple, site: str | None, wave_a: str, wave_b: str
) -> tuple:
    def compute() -> tuple:
        groups, a, b, sizes = queries.paired_level_counts(
            db, wave_a=wave_a, wave_b=wave_b, site=site
        )
        a.setflags(write=False)  # shared by every later call
        b.setflags(write=False)
        return groups, a, b, sizes

    return _survey_result(db, (version, "paired counts", site, wave_a, wave_b), compute)


def _stored(
    db: Database, version: tuple, site: str | None, wave_a: str, wave_b: str, min_group: int
) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """The (comparisons, domain models) stored when the data were, if they are still current."""

    def read() -> tuple[pd.DataFrame, pd.DataFrame] | None:
        counts = _paired_counts(db, version, site, wave_a, wave_b)
        print_ = results_store.fingerprint(counts, wave_a, wave_b, min_group)
        return results_store.lookup(db, site, wave_a, wave_b, min_group, print_)

    return _survey_result(db, (version, "stored", site, wave_a, wave_b, min_group), read)


def _survey_frame(
    db: Database,
    what: str,
    site: str | None,
    wave_a: str,
    wave_b: str,
    min_group: int,
    **options: bool,
) -> pd.DataFrame:
    """Every role's comparisons (``what`` "comparisons") or the domain models ("domain
    models") at a site: the stored frame when it is current, else computed from the paired
    counts; cached either way (the frame is shared: callers take copies)."""
    version = queries.survey_version(db)
    stored_index, engine = {
        "comparisons": (0, compare_level_matrix),
        "domain models": (1, domain_model_frame),
    }[what]

    def compute() -> pd.DataFrame:
        if options.get("model", True):  # the store holds the frames with their models
            stored = _stored(db, version, site, wave_a, wave_b, min_group)
            if stored is not None:
                return stored[stored_index]
        groups, counts_a, counts_b, sizes = _paired_counts(db, version, site, wave_a, wave_b)
        return engine(
            groups,
            counts_a,
            counts_b,
            wave_a=wave_a,
            wave_b=wave_b,
            group_sizes=sizes,
            min_group=min_group,
            **options,
        )

    key = (version, what, site, wave_a, wave_b, min_group, *options.values())
    return _survey_result(db, key, compute)


def _comparisons(
    db: Database, site: str | None, wave_a: str, wave_b: str, min_group: int, model: bool
) -> pd.DataFrame:
    """Every role's comparison at a site (the frame is shared: callers take copies)."""
    return _survey_frame(db, "comparisons", site, wave_a, wave_b, min_group, model=model)


def comparable_waves(db: Database, site: str | None = None) -> list[str]:
    """Labels of the waves that may be compared, in fieldwork order; with ``site``, only the
    waves in which that site has respondents (a site that missed a wave is not offered it)."""
    return queries.comparable_wave_labels(db, site)


def default_wave_pair(db: Database, site: str | None = None) -> tuple[str, str]:
    """The site's first and latest comparable waves (the longest span of change); for a site
    with answers in fewer than two waves, the database's (its sections then say that the
    site has no answers there)."""
    own = comparable_waves(db, site)
    return _resolve_waves(own if len(own) >= 2 else comparable_waves(db), None)


def _pair(db: Database, site: str | None, waves: Sequence[str] | str | None) -> tuple[str, str]:
    """The waves asked for (any comparable wave), or by default the site's own first and
    latest comparable waves."""
    if waves is None:
        return default_wave_pair(db, site)
    return _resolve_waves(queries.comparable_wave_labels(db), waves)


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
    model: bool = True,
) -> pd.DataFrame:
    """Compare two survey waves statement by statement, with disclosure control applied.

    Returns one row per (domain, role, statement) with the columns of
    :data:`rpgdash.stats.COMPARISON_COLUMNS`. ``role=None`` returns every role plus
    "All roles"; a role name returns that role only (still suppressed if too small).
    ``waves`` defaults to the site's first and latest comparable waves. The
    Benjamini-Hochberg family is every statement and role of the two waves, whatever
    ``role`` and ``domain`` select. ``model=False`` skips the proportional-odds model (its
    columns are then blank), which is most of the time this takes. Every role of a site is
    computed at once and kept until the survey data change, so asking for another role (or
    domain) of the same site and waves is a lookup.
    """
    wave_a, wave_b = _pair(db, site, waves)
    if min_group is None:
        min_group = settings.get("min_group")
    if role not in (None, ALL_ROLES) and role not in queries.roles(db):
        raise ValueError(f"There is no job role called {role!r}.")
    result = _comparisons(db, site, wave_a, wave_b, min_group, model)
    if role is not None:
        result = result[result["role"] == role]
    if domain is not None:
        result = result[result["domain"] == domain]
    return result.reset_index(drop=True)


def compare_domains(
    db: Database,
    *,
    site: str | None = None,
    waves: Sequence[str] | str | None = None,
    min_group: int | None = None,
) -> pd.DataFrame:
    """One proportional-odds model per survey domain: answer ~ wave + statement + role.

    Returns one row per domain: ``domain, wave_a, wave_b, n, adjusted_for`` and the wave
    effect (``wave_odds_ratio``, ``wave_or_ci``, ``wave_or_p``, ``po_check_p``,
    ``model_note``); see :mod:`rpgdash.stats.ordinal`. Every role's answers are used (only
    the pooled wave effect is shown), but a domain whose total is below the disclosure
    threshold in a wave is blanked.
    """
    wave_a, wave_b = _pair(db, site, waves)
    if min_group is None:
        min_group = settings.get("min_group")
    models = _survey_frame(db, "domain models", site, wave_a, wave_b, min_group)
    return models.copy(deep=False)  # the cached frame stays as it was, whatever the caller does


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


def plan_wave(
    db: Database,
    invited: Mapping[str, int],
    *,
    site: str | None = None,
    response_rate: float | None = None,
    min_group: int | None = None,
    power: float = 0.8,
    alpha: float = 0.05,
    baseline_agree: float | None = None,
) -> list[dict]:
    """Plan the next survey wave: one row per invited role (see :mod:`rpgdash.stats.planning`).

    ``invited`` maps role names (as stored) to staff to invite. ``response_rate`` (0-1)
    defaults to the latest comparable wave's. The baseline is the latest comparable wave;
    the change "seen" is between it and the wave before. A role hidden at the latest wave by
    disclosure control has no baseline % agree (unless ``baseline_agree`` is given).

    Raises ValueError (a sentence for the user) for an unknown role, no comparable wave, or
    no response rate to assume.
    """
    from rpgdash.stats.planning import RoleBaseline, plan_next_wave

    known = queries.roles(db)
    for role in invited:
        if role not in known:
            raise ValueError(
                f"There is no job role called {role!r}; the roles are "
                + ", ".join(repr(r) for r in known)
                + "."
            )
    waves = queries.comparable_wave_labels(db)
    if not waves:
        raise ValueError("No comparable survey wave is stored, so there is no baseline.")
    latest, previous = waves[-1], (waves[-2] if len(waves) > 1 else None)
    if min_group is None:
        min_group = settings.get("min_group")
    if response_rate is None:
        summary = queries.wave_response_summary(db, site)
        rate = summary.loc[summary["wave"] == latest, "response_rate"]
        if rate.empty or pd.isna(rate.iloc[0]):
            raise ValueError(
                f"The number invited to {latest} is not stored, so its response rate is "
                "unknown; give --response-rate."
            )
        response_rate = float(rate.iloc[0]) / 100
    sizes = queries.group_sizes(db, site=site)
    hidden = {
        (s.role, s.wave) for s in suppress_small_groups(sizes, min_group, total_label=ALL_ROLES)
    }
    counts = queries.level_counts(db, site=site)
    counts = counts.assign(agree=counts["n"].where(counts["score"] >= 3, 0))
    pooled = counts.groupby(["role", "wave"])[["agree", "n"]].sum()

    def pct(role: str, wave: str | None) -> float | None:
        if wave is None or (role, wave) in hidden or (role, wave) not in pooled.index:
            return None
        agree, n = pooled.loc[(role, wave)]
        return 100 * float(agree) / float(n) if n else None

    respondents = {(r.role, r.wave): int(r.respondents) for r in sizes.itertuples(index=False)}
    baselines = {
        role: RoleBaseline(
            respondents.get((role, latest), 0), pct(role, latest), pct(role, previous)
        )
        for role in invited
    }
    return plan_next_wave(
        invited,
        baselines,
        response_rate=response_rate,
        min_group=min_group,
        power=power,
        alpha=alpha,
        baseline_agree=baseline_agree,
    )


def plan_defaults(
    db: Database, *, site: str | None = None
) -> tuple[str | None, float | None, dict]:
    """What the planning panel starts from: the latest comparable wave, its response rate
    (0-1, None when the number invited is not stored) and, per role, the staff that rate
    implies were invited (respondents / rate, rounded; the respondents when no rate)."""
    waves = queries.comparable_wave_labels(db)
    if not waves:
        return None, None, {}
    latest = waves[-1]
    summary = queries.wave_response_summary(db, site)
    rate = summary.loc[summary["wave"] == latest, "response_rate"]
    share = None if rate.empty or pd.isna(rate.iloc[0]) or not rate.iloc[0] else rate.iloc[0] / 100
    sizes = queries.group_sizes(db, site=site)
    latest_sizes = dict(
        zip(
            *(sizes.loc[sizes["wave"] == latest, c].tolist() for c in ("role", "respondents")),
            strict=True,
        )
    )
    invited = {
        role: int(round(latest_sizes.get(role, 0) / share))
        if share
        else int(latest_sizes.get(role, 0))
        for role in queries.roles(db)
    }
    return latest, (None if share is None else float(share)), invited
