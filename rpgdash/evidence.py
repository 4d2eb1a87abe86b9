"""Mixed-methods evidence: which themes, links and excerpts there are, and which may be shown.

The wording (sentences, display tables, the panel the page and the report draw) lives in
:mod:`rpgdash.present.evidence`; its names are still readable from here for older imports.

Pure functions over DataFrames (plus :func:`load_evidence`, which only calls
:mod:`rpgdash.queries`). The survey numbers shown for a theme are rows of
:func:`rpgdash.compare_waves` output, never recomputed here, so a theme's "change" is exactly
what the survey pages show for the same role.

Protecting small groups: an excerpt's job role is shown only when that role's survey group in
the excerpt's wave is shown by the survey pages, i.e. it has at least ``min_group``
respondents and is not hidden by :func:`rpgdash.stats.suppress_small_groups` (primary or
secondary suppression). Otherwise the excerpt is shown without its role, and when that role is
the one selected in the filter its excerpts are not shown at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from rpgdash import queries
from rpgdash.db import Database
from rpgdash.stats import suppress_small_groups

ALL_ROLES = queries.ALL_ROLES


@dataclass(frozen=True)
class EvidenceData:
    """Everything the evidence page and the report need, as read from the database."""

    themes: pd.DataFrame
    links: pd.DataFrame
    measures: pd.DataFrame
    excerpts: pd.DataFrame
    group_sizes: pd.DataFrame


@dataclass(frozen=True)
class ProtectedExcerpts:
    """Excerpts that may be shown, and how many were held back for the selected role.

    ``shown`` has the columns of :func:`rpgdash.queries.excerpts` plus ``attribution`` (the
    role, or None when it is withheld or was not recorded) and ``role_withheld`` (bool);
    ``held_back_themes`` are the themes of the held-back excerpts.
    """

    shown: pd.DataFrame
    held_back: int
    held_back_themes: frozenset[int] = frozenset()


def load_evidence(db: Database, *, site: str | None = None) -> EvidenceData:
    """Read themes, their links, the site's excerpts and its survey group sizes.

    Parameters
    ----------
    db : Database
        An open database.
    site : str or None
        Site whose excerpts and group sizes are read; None means every site.

    Returns
    -------
    EvidenceData
    """
    return EvidenceData(
        themes=queries.themes(db).fillna({"description": "", "link_note": ""}),
        links=queries.theme_statements(db),
        measures=queries.theme_measures(db),
        excerpts=queries.excerpts(db, site=site),
        group_sizes=queries.group_sizes(db, site=site),
    )


def attributable_roles(group_sizes: pd.DataFrame, min_group: int) -> dict[str, set[str]]:
    """Per wave, the job roles whose excerpts may carry their role.

    Parameters
    ----------
    group_sizes : pandas.DataFrame
        Columns ``role, wave, respondents`` (:func:`rpgdash.queries.group_sizes`).
    min_group : int
        Disclosure threshold k.

    Returns
    -------
    dict
        wave label -> roles with at least ``min_group`` respondents in that wave that
        :func:`rpgdash.stats.suppress_small_groups` does not hide. Waves without survey
        respondents are absent: no role is attributable there.
    """
    hidden = {(s.role, s.wave) for s in suppress_small_groups(group_sizes, min_group)}
    allowed: dict[str, set[str]] = {}
    for row in group_sizes.itertuples(index=False):
        if row.respondents >= min_group and (row.role, row.wave) not in hidden:
            allowed.setdefault(str(row.wave), set()).add(str(row.role))
    return allowed


def protect_excerpts(
    excerpts: pd.DataFrame,
    group_sizes: pd.DataFrame,
    *,
    min_group: int,
    role: str = ALL_ROLES,
) -> ProtectedExcerpts:
    """Apply the role filter and small-group protection to coded excerpts.

    Parameters
    ----------
    excerpts : pandas.DataFrame
        Output of :func:`rpgdash.queries.excerpts`.
    group_sizes : pandas.DataFrame
        Survey respondents per role and wave for the same site.
    min_group : int
        Disclosure threshold k.
    role : str
        The selected job role, or "All roles".

    Returns
    -------
    ProtectedExcerpts
        With "All roles", every excerpt, its role shown only where attributable. With one
        role, only that role's excerpts in waves where the role is attributable; the others
        of that role are counted in ``held_back`` and not returned.
    """
    allowed = attributable_roles(group_sizes, min_group)
    frame = excerpts.copy()
    may_show = [
        r is not None and not pd.isna(r) and r in allowed.get(w, set())
        for r, w in zip(frame["role"], frame["wave"], strict=True)
    ]
    frame["attribution"] = pd.Series(
        [r if ok else None for r, ok in zip(frame["role"], may_show, strict=True)],
        index=frame.index,
        dtype=object,
    )
    frame["role_withheld"] = [
        r is not None and not pd.isna(r) and not ok
        for r, ok in zip(frame["role"], may_show, strict=True)
    ]
    if role == ALL_ROLES:
        return ProtectedExcerpts(frame.reset_index(drop=True), 0)
    mine = frame[frame["role"] == role]
    shown = mine[mine["attribution"].notna()]
    held = mine[mine["attribution"].isna()]
    return ProtectedExcerpts(
        shown.reset_index(drop=True), len(held), frozenset(int(t) for t in held["theme_id"])
    )


def theme_statements(
    theme_id: int, links: pd.DataFrame, comparisons: pd.DataFrame, role: str
) -> pd.DataFrame:
    """The comparison rows of the statements linked to one theme, for one role.

    Parameters
    ----------
    theme_id : int
        The theme.
    links : pandas.DataFrame
        :func:`rpgdash.queries.theme_statements`.
    comparisons : pandas.DataFrame
        :func:`rpgdash.compare_waves` output (any roles; filtered here).
    role : str
        Role whose rows are returned ("All roles" for everyone).

    Returns
    -------
    pandas.DataFrame
        The matching rows of ``comparisons`` unchanged, in the links' order.
    """
    wanted = links.loc[links["theme_id"] == theme_id, ["domain", "statement"]]
    rows = comparisons[comparisons["role"] == role]
    return wanted.merge(rows, on=["domain", "statement"], how="inner").reset_index(drop=True)


def themes_by_wave(themes: pd.DataFrame) -> Iterable[tuple[str, pd.DataFrame]]:
    """(wave, themes of that wave) in wave order."""
    for _, group in themes.groupby("wave_order", sort=True):
        yield str(group["wave"].iloc[0]), group.reset_index(drop=True)


def __getattr__(name: str) -> object:
    """The wording moved to :mod:`rpgdash.present.evidence`; old imports keep working."""
    from rpgdash.present import evidence as present_evidence

    try:
        return getattr(present_evidence, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
