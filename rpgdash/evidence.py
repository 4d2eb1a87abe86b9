"""Mixed-methods evidence: qualitative themes read beside the survey and workforce figures.

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
from rpgdash.narrative import format_p, significance_column
from rpgdash.stats import suppress_small_groups
from rpgdash.text import as_text

ALL_ROLES = queries.ALL_ROLES
POLARITY_WORDS = {"positive": "Positive theme", "negative": "Negative theme"}
#: Text markers so that polarity never depends on colour alone.
POLARITY_MARKS = {"positive": "▲", "negative": "▼"}
SOURCE_WORDS = {
    "interview": "Interview",
    "focus group": "Focus group",
    "survey comment": "Survey comment",
    "observation": "Observation",
}
ILLUSTRATIVE_EXCERPTS = (
    "Illustrative excerpts: written for this demo to show how coded evidence looks; they are "
    "not quotations from the study's interviews."
)


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


def held_back_sentence(role: str, min_group: int) -> str:
    """Why a selected role's excerpts for a theme are not shown (no number but k)."""
    return (
        f"Excerpts from {role} are not shown for this wave: the survey results of this role are "
        f"hidden there to protect a small group (fewer than {min_group} respondents, or needed "
        "to stop one being worked out), so quoting them could identify someone."
    )


def source_label(source_type: str, attribution: str | None, role_withheld: bool) -> str:
    """How an excerpt's source is printed: "Interview, Team manager".

    A withheld role is said to be withheld, so readers know it was not simply missing.
    """
    kind = SOURCE_WORDS.get(source_type, source_type.capitalize())
    if isinstance(attribution, str) and attribution:
        return f"{kind}, {attribution}"
    if role_withheld:
        return f"{kind}, job role not shown to protect a small group"
    return kind


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


def _suppressed_text(min_group: int) -> str:
    return f"fewer than {min_group} responses"


def statement_table(rows: pd.DataFrame, *, min_group: int, use_holm: bool = False) -> pd.DataFrame:
    """A theme's linked statements as a display table (text cells, suppression worded).

    Columns: Statement, n, Mean (wave a), Mean (wave b), Change, p, Significant (95%).
    A suppressed row says "fewer than k responses" in every figure cell and shows no number;
    when every row is suppressed the columns are just Statement and Survey result.
    """
    if rows.empty:
        return pd.DataFrame()
    if rows["suppressed"].notna().all():
        return pd.DataFrame(
            {"Statement": rows["statement"], "Survey result": _suppressed_text(min_group)}
        )
    wave_a, wave_b = rows["wave_a"].iloc[0], rows["wave_b"].iloc[0]
    flag = significance_column(use_holm)
    records = []
    for r in rows.itertuples(index=False):
        hidden = isinstance(r.suppressed, str)
        cell = _suppressed_text(min_group)
        sig = getattr(r, flag)
        records.append(
            {
                "Statement": r.statement,
                "n": cell if hidden else f"{int(r.n_a)} and {int(r.n_b)}",
                f"Mean ({wave_a})": cell if hidden else f"{r.mean_a:.2f}",
                f"Mean ({wave_b})": cell if hidden else f"{r.mean_b:.2f}",
                "Change": cell if hidden else f"{r.diff:+.2f}",
                "p": cell if hidden else format_p(r.p_holm if use_holm else r.p_value),
                "Significant (95%)": cell if hidden else ("yes" if sig is True else "no"),
            }
        )
    return pd.DataFrame(records)


def statements_sentence(rows: pd.DataFrame, *, min_group: int, use_holm: bool = False) -> str:
    """One line on a theme's linked statements: how many improved, how many significantly."""
    if rows.empty:
        return ""
    shown = rows[rows["suppressed"].isna()]
    if shown.empty:
        return f"Survey results not shown for this group: {_suppressed_text(min_group)}."
    wave_a, wave_b = shown["wave_a"].iloc[0], shown["wave_b"].iloc[0]
    total = len(shown)
    improved = int((shown["diff"] > 0).sum())
    flags = shown[significance_column(use_holm)].fillna(False).astype(bool)
    sig = int((flags & (shown["diff"] > 0)).sum())
    noun = "statement" if total == 1 else "statements"
    return (
        f"Survey: {improved} of {total} linked {noun} more agreed with at {wave_b} than at "
        f"{wave_a}; {sig} improved significantly (95%, Mann-Whitney U, "
        f"{'Holm-adjusted' if use_holm else 'not adjusted'} for testing many statements)."
    )


def measure_lines(theme_id: int, measures: pd.DataFrame, changes: pd.DataFrame) -> list[str]:
    """Workforce evidence for a theme: "Agency staffing: 14% in 2015, 0% in 2018".

    ``changes`` is :func:`rpgdash.headlines.workforce_changes` output; measures with no
    stored figures are said to have none.
    """
    out = []
    for measure in measures.loc[measures["theme_id"] == theme_id, "measure"]:
        hit = changes[changes["measure"] == measure]
        if hit.empty:
            out.append(f"{measure}: no figures stored.")
            continue
        r = hit.iloc[0]
        out.append(
            f"{measure}: {r['first']:g}% in {r['first_year']}, {r['latest']:g}% in "
            f"{r['latest_year']} ({r['change']:+.1f} points)."
        )
    return out


def themes_by_wave(themes: pd.DataFrame) -> Iterable[tuple[str, pd.DataFrame]]:
    """(wave, themes of that wave) in wave order."""
    for _, group in themes.groupby("wave_order", sort=True):
        yield str(group["wave"].iloc[0]), group.reset_index(drop=True)


def polarity_label(polarity: str) -> str:
    """ "▲ Positive theme" / "▼ Negative theme" (a symbol and a word, never colour alone)."""
    return f"{POLARITY_MARKS.get(polarity, '')} {POLARITY_WORDS.get(polarity, polarity)}".strip()


def plain_markdown(text: str) -> str:
    """Escape stored text so Markdown shows it literally (no links, emphasis or HTML)."""
    return as_text(text)
