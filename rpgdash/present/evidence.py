"""The evidence panel: interview themes beside the survey and workforce figures, worded once.

The Evidence page and the board report both draw :class:`EvidencePanel` (the report builds
each theme with :func:`theme_view`, as the panel does). The figures come from
:mod:`rpgdash.evidence` (which themes, which excerpts may be shown and with which role) and
from :func:`rpgdash.compare_waves` rows; nothing is recomputed here. Stored text (theme names,
descriptions, excerpts) is carried as it is stored: the page escapes it with ``as_text``, the
report with HTML escaping.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from rpgdash import evidence as data_layer
from rpgdash.present import format as fmt
from rpgdash.present.narrative import significance_column
from rpgdash.text import as_text

POLARITY_WORDS = {"positive": "Positive theme", "negative": "Negative theme"}
#: Text markers so that polarity never depends on colour alone.
POLARITY_MARKS = {"positive": "\u25b2", "negative": "\u25bc"}
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
INTRO = (
    "Themes from the evaluation's analysis of interviews and focus groups, each shown beside "
    "the survey statements or workforce figures it corresponds to, so the two kinds of "
    "evidence can be read together. Agreement between them strengthens a finding; it does not "
    "show that RPGs caused a change."
)
NO_THEMES = "No themes are stored yet. Coded excerpts can be added on the Upload page."
NO_COMPARISON = "Two comparable survey waves are needed before statement changes can be shown."


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


def _suppressed_text(min_group: int) -> str:
    return f"fewer than {min_group} responses"


def _unanswered_text(r: object) -> str | None:
    """ "no answers at +5 years" when a wave has no answers for the row, else None."""
    empty = [w for w, n in ((r.wave_a, r.n_a), (r.wave_b, r.n_b)) if fmt.is_missing(n) or n == 0]
    return f"no answers at {' or '.join(empty)}" if empty else None


def statement_table(rows: pd.DataFrame, *, min_group: int, use_holm: bool = False) -> pd.DataFrame:
    """A theme's linked statements as a display table (text cells, suppression worded).

    Columns: Statement, n, Mean (wave a), Mean (wave b), Change, p, Significant (95%).
    A suppressed row says "fewer than k responses" in every figure cell and shows no number;
    a row with no answers in a wave says so ("no answers at +5 years"); when every row is
    suppressed the columns are just Statement and Survey result.
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
        blank = _suppressed_text(min_group) if isinstance(r.suppressed, str) else None
        unanswered = None if blank else _unanswered_text(r)
        n = f"{fmt.count(r.n_a)} and {fmt.count(r.n_b)}"
        cell = blank or unanswered
        sig = getattr(r, flag)
        records.append(
            {
                "Statement": r.statement,
                "n": blank or n,
                f"Mean ({wave_a})": blank or fmt.number(r.mean_a, 2),
                f"Mean ({wave_b})": blank or fmt.number(r.mean_b, 2),
                "Change": cell or fmt.signed_number(r.diff, 2),
                "p": cell or fmt.p_value(r.p_holm if use_holm else r.p_value, prefix=False),
                "Significant (95%)": cell or ("yes" if sig is True else "no"),
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
    answered = shown[[_unanswered_text(r) is None for r in shown.itertuples(index=False)]]
    if answered.empty:
        return (
            f"Survey: {_unanswered_text(next(shown.itertuples(index=False)))} for these statements."
        )
    shown = answered
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


def polarity_label(polarity: str) -> str:
    """ "▲ Positive theme" / "▼ Negative theme" (a symbol and a word, never colour alone)."""
    return f"{POLARITY_MARKS.get(polarity, '')} {POLARITY_WORDS.get(polarity, polarity)}".strip()


def plain_markdown(text: str) -> str:
    """Escape stored text so Markdown shows it literally (no links, emphasis or HTML)."""
    return as_text(text)


# --- the panel --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExcerptView:
    """One excerpt that may be shown: its stored text and its source in words."""

    text: str
    source: str
    illustrative: bool

    @property
    def attribution(self) -> str:
        """ "Interview, Team manager (illustrative)"."""
        return self.source + (" (illustrative)" if self.illustrative else "")


@dataclass(frozen=True)
class ThemeView:
    """One theme as the page and the report show it (stored text unescaped)."""

    theme_id: int
    name: str
    polarity: str
    polarity_label: str
    description: str
    statements_sentence: str | None
    statements_table: pd.DataFrame | None
    statements_caption: str
    workforce_lines: tuple[str, ...]
    link_note: str
    excerpts_label: str | None
    excerpts: tuple[ExcerptView, ...]
    held_back: str | None


@dataclass(frozen=True)
class EvidencePanel:
    """The Evidence page: themes by wave, with the figures and excerpts beside each."""

    role: str
    min_group: int
    empty: bool
    intro: str = INTRO
    scope: str = ""
    summary: str = ""
    notice: str | None = None
    waves: tuple[tuple[str, tuple[ThemeView, ...]], ...] = ()
    illustrative: str | None = None
    method: str = ""


def theme_view(
    theme: object,
    data: data_layer.EvidenceData,
    protected: data_layer.ProtectedExcerpts,
    comparisons: pd.DataFrame | None,
    changes: pd.DataFrame,
    *,
    role: str,
    min_group: int,
) -> ThemeView:
    """One theme (a row of ``data.themes``) with its linked statements, figures and excerpts."""
    rows = (
        data_layer.theme_statements(theme.theme_id, data.links, comparisons, role)
        if comparisons is not None
        else pd.DataFrame()
    )
    mine = protected.shown[protected.shown["theme_id"] == theme.theme_id]
    label = None
    if not mine.empty:
        label = "Excerpts (illustrative)" if mine["illustrative"].all() else "Coded excerpts"
    excerpts = tuple(
        ExcerptView(
            str(ex.text),
            source_label(ex.source_type, ex.attribution, ex.role_withheld),
            bool(ex.illustrative),
        )
        for ex in mine.itertuples()
    )
    held = mine.empty and theme.theme_id in protected.held_back_themes
    return ThemeView(
        theme_id=int(theme.theme_id),
        name=str(theme.name),
        polarity=str(theme.polarity),
        polarity_label=polarity_label(theme.polarity),
        description=str(theme.description or ""),
        statements_sentence=statements_sentence(rows, min_group=min_group) or None,
        statements_table=statement_table(rows, min_group=min_group) if not rows.empty else None,
        statements_caption=f"Survey statements linked to \u201c{theme.name}\u201d ({role})",
        workforce_lines=tuple(measure_lines(theme.theme_id, data.measures, changes)),
        link_note=str(theme.link_note or ""),
        excerpts_label=label,
        excerpts=excerpts,
        held_back=held_back_sentence(role, min_group) if held else None,
    )


def themes_summary(themes: pd.DataFrame) -> str:
    """ "At +1 year, 5 themes (3 positive, 2 negative); at +3 years, 4 themes (...)."."""
    parts = []
    for wave, group in data_layer.themes_by_wave(themes):
        pos = int((group["polarity"] == "positive").sum())
        parts.append(
            f"at {wave}, {fmt.plural(len(group), 'theme')} ({pos} positive, "
            f"{len(group) - pos} negative)"
        )
    text = "; ".join(parts)
    return f"Interviews and focus groups: {text}." if text else ""


def method_sentence(min_group: int) -> str:
    return (
        "Job roles are shown beside an excerpt only where the survey pages show that role's "
        f"results for the same wave (at least {min_group} respondents, and not hidden to "
        "protect a smaller group). Significance: Mann-Whitney U test, two-sided, 95% level, "
        "not adjusted for testing many statements. Response rates were modest and the "
        "baseline survey is not comparable; see Method and caveats."
    )


def evidence_panel(
    data: data_layer.EvidenceData,
    comparisons: pd.DataFrame | None,
    changes: pd.DataFrame,
    *,
    role: str,
    min_group: int,
    waves: tuple[str, str] | None,
) -> EvidencePanel:
    """The panel from the evidence data, the wave comparison (None without two waves) and the
    workforce changes (:func:`rpgdash.present.headlines.workforce_changes`)."""
    if data.themes.empty:
        return EvidencePanel(role=role, min_group=min_group, empty=True, notice=NO_THEMES)
    protected = data_layer.protect_excerpts(
        data.excerpts, data.group_sizes, min_group=min_group, role=role
    )
    by_wave = tuple(
        (
            wave,
            tuple(
                theme_view(t, data, protected, comparisons, changes, role=role, min_group=min_group)
                for t in themes.itertuples()
            ),
        )
        for wave, themes in data_layer.themes_by_wave(data.themes)
    )
    scope = f"Survey figures and excerpts for {role}"
    scope += f", comparing {waves[0]} with {waves[-1]}." if comparisons is not None else "."
    return EvidencePanel(
        role=role,
        min_group=min_group,
        empty=False,
        scope=scope,
        summary=themes_summary(data.themes),
        notice=None if comparisons is not None else NO_COMPARISON,
        waves=by_wave,
        illustrative=ILLUSTRATIVE_EXCERPTS if data.excerpts["illustrative"].any() else None,
        method=method_sentence(min_group),
    )
