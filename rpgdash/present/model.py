"""The model panel: the context-mechanism-outcome (CMO) model with current evidence, worded once.

The evaluation summarised its realist findings as a model: contexts (circumstances that let
RPGs work), mechanisms (how they worked) and outcomes at three levels (individual staff, the
organisation, children and families). The contexts and mechanisms are the study's findings,
stated here as text with their sources. Each outcome carries evidence computed now from the
stored data, by the same functions the other pages use (:func:`rpgdash.compare_waves` via
:func:`rpgdash.headlines.domain_headlines`, :func:`rpgdash.headlines.workforce_changes`,
:func:`rpgdash.analyse_trend`), so the model changes when the data does.

:class:`ModelPanel` is what the model page and the board report draw: the model, its
columns as text, the "for whom" sentence with n, caveats and the diagram's DOT source
(:func:`rpgdash.model.model_dot`, drawn by ``st.graphviz_chart``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from rpgdash import api, queries
from rpgdash.db import Database
from rpgdash.present import headlines
from rpgdash.present.domains import DOMAINS
from rpgdash.present.indicators import trend_line

INTERVIEWS = "Interviews and focus groups at +1 year and +3 years (thematic analysis)"
REALIST_MODEL = "The evaluation's context-mechanism-outcome model (2019)"
SURVEY = "Staff survey, {a} and {b} (Mann-Whitney U test; {role})"
WORKFORCE = "Yearly workforce figures (Table 2 of the evaluation in the demo)"
INDICATORS = "Monthly organisational indicator series (illustrative values in the demo)"

LEVELS: tuple[tuple[str, str], ...] = (
    ("individual", "Individual staff"),
    ("organisational", "Organisation"),
    ("family", "Children and families"),
)
#: (column, short title, what the column holds).
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("context", "Context", "circumstances that helped or hindered"),
    ("mechanism", "Mechanisms", "how RPGs worked"),
    ("outcome", "Outcomes", "what changed, with current evidence"),
)
FAMILY_CAVEAT = (
    "The indicator series fell over the same years, but many other influences acted on the "
    "service at the same time: no causal link to RPGs is claimed."
)
FOR_WHOM = (
    "For whom, as this study observed it (not a measured effect of RPGs): in interviews, lead "
    "practitioners and senior managers described the groups as working best for them, and "
    "part-time staff, senior social workers and others in the \u201csqueezed middle\u201d as "
    "working less well, with time pressure, emotional load and other preferred sources of "
    "support competing with the groups."
)


def for_whom_sentence(comparisons: pd.DataFrame, min_group: int) -> str:
    """:data:`FOR_WHOM` with what the survey observed per job role, with its n."""
    if comparisons.empty:
        return FOR_WHOM
    wave_a, wave_b = comparisons["wave_a"].iloc[0], comparisons["wave_b"].iloc[0]
    parts, hidden, unanswered = [], [], []
    for role, rows in comparisons.groupby("role", sort=False):
        if role == queries.ALL_ROLES:
            continue
        shown = rows[rows["suppressed"].isna()]
        if shown.empty:
            hidden.append(str(role))
            continue
        if _unanswered_wave(shown, None, role) is not None:
            unanswered.append(str(role))
            continue
        n_a, n_b = int(shown["n_a"].max()), int(shown["n_b"].max())
        parts.append(
            f"{role}, {int((shown['diff'] > 0).sum())} of {len(shown)} (n = {n_a} and {n_b})"
        )
    if not parts:
        return FOR_WHOM + (
            f" The survey has no answers here at both {wave_a} and {wave_b}, so no job role "
            "can be compared."
            if unanswered
            else ""
        )
    text = (
        f"{FOR_WHOM} In the survey, statements more agreed with at {wave_b} than at {wave_a}, "
        "by job role: " + "; ".join(parts) + "."
    )
    if hidden:
        text += f" Not shown (fewer than {min_group} responses): " + ", ".join(hidden) + "."
    if unanswered:
        text += " No answers in one of the two waves: " + ", ".join(unanswered) + "."
    return text + " These are differences between groups of respondents, not effects of RPGs."


@dataclass(frozen=True)
class ModelNode:
    """One box of the model.

    ``evidence`` lines are computed from stored data (outcomes only); ``sources`` name where
    the node's content comes from and become the diagram's hover text.
    """

    key: str
    column: str
    label: str
    detail: str
    sources: tuple[str, ...]
    level: str | None = None
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class CmoModel:
    nodes: tuple[ModelNode, ...]
    role: str
    for_whom: str = FOR_WHOM
    caveats: tuple[str, ...] = (FAMILY_CAVEAT,)

    def column(self, column: str, level: str | None = None) -> list[ModelNode]:
        """The nodes of one column (and, for outcomes, one level), in order."""
        return [n for n in self.nodes if n.column == column and (level is None or n.level == level)]


@dataclass(frozen=True)
class ModelInputs:
    """The computed figures the outcome evidence is built from.

    ``trends`` maps an indicator name to (its :func:`rpgdash.analyse_trend` result, unit).
    """

    comparisons: pd.DataFrame
    role: str
    workforce_changes: pd.DataFrame
    trends: Mapping[str, tuple[dict, str]] = field(default_factory=dict)
    min_group: int = 5


CONTEXTS: tuple[ModelNode, ...] = (
    ModelNode(
        "ctx_commitment",
        "context",
        "Organisational commitment",
        "Leaders stuck with the model over several years.",
        (INTERVIEWS, REALIST_MODEL),
    ),
    ModelNode(
        "ctx_trust",
        "context",
        "Trust within groups",
        "Members felt safe enough to bring real cases and doubts.",
        (INTERVIEWS, REALIST_MODEL),
    ),
    ModelNode(
        "ctx_attendance",
        "context",
        "Attendance",
        "Regular attendance, threatened by job pressures.",
        (INTERVIEWS, REALIST_MODEL),
    ),
    ModelNode(
        "ctx_facilitation",
        "context",
        "Facilitation quality",
        "Skilled, consistent facilitation of each group.",
        (INTERVIEWS, REALIST_MODEL),
    ),
)

MECHANISMS: tuple[ModelNode, ...] = (
    ModelNode(
        "mech_reflection",
        "mechanism",
        "Deep reflection and challenge",
        "A framework for thinking cases through and being questioned by peers.",
        (INTERVIEWS, REALIST_MODEL),
    ),
    ModelNode(
        "mech_relational",
        "mechanism",
        "Embodying relationship-based practice",
        "Groups model the way of working staff are asked to use with families.",
        (INTERVIEWS, REALIST_MODEL),
    ),
    ModelNode(
        "mech_holding",
        "mechanism",
        "Holding and valuing staff",
        "Staff feel supported, which helps to attract and keep them.",
        (INTERVIEWS, REALIST_MODEL),
    ),
    ModelNode(
        "mech_continuity",
        "mechanism",
        "Continuity of relationships and reflection",
        "Relationships and reflective capacity carry across the organisation.",
        (INTERVIEWS, REALIST_MODEL),
    ),
    ModelNode(
        "mech_system",
        "mechanism",
        "Whole-systems awareness",
        "A wider view of the service, carried into work with families.",
        (INTERVIEWS, REALIST_MODEL),
    ),
)

#: Outcome nodes: (key, level, label, detail, what evidence to attach).
OUTCOMES: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "out_professional",
        "individual",
        "Professional practice and support",
        "Reflection, other perspectives, emotional load, skills.",
        "domain:professional",
    ),
    (
        "out_self_efficacy",
        "individual",
        "Self-efficacy",
        "Confidence in handling the work.",
        "domain:self_efficacy",
    ),
    (
        "out_relationships",
        "organisational",
        "Relationships across the system",
        "With team managers, peers, senior managers and across the system.",
        "domain:relationships",
    ),
    (
        "out_workforce",
        "organisational",
        "Workforce",
        "Agency staffing, vacancies and turnover.",
        "workforce",
    ),
    (
        "out_family",
        "family",
        "Children and families",
        "Child protection plans, looked-after children, referrals.",
        "indicators",
    ),
)
DOMAIN_WORDS = {d.key: d.words for d in DOMAINS}
WORKFORCE_MEASURES = ("Agency staffing", "Vacancies", "Turnover")


def _domain_evidence(inputs: ModelInputs, domain: str) -> tuple[str, ...]:
    heads = {h.domain: h for h in headlines.domain_headlines(inputs.comparisons, inputs.role)}
    head = heads.get(domain)
    word = DOMAIN_WORDS.get(domain, domain)
    if head is None:
        return (f"{word}: no survey answers stored.",)
    if head.suppressed:
        return (f"{word}: not shown for {inputs.role} (fewer than {inputs.min_group} responses).",)
    empty = _unanswered_wave(inputs.comparisons, domain, inputs.role)
    if empty is not None:
        return (f"{word}: no answers at {empty} for {inputs.role}, so no change can be shown.",)
    n = head.statements
    how = "95%, Mann-Whitney U, not adjusted for testing many statements"
    if head.significant == n:
        first = f"{word}: {n} of {n} statements improved significantly ({how})"
    else:
        sig = "none" if head.significant == 0 else str(head.significant)
        first = f"{word}: {head.improved} of {n} statements improved, {sig} significantly ({how})"
    return (first, f"{head.above_neutral} of {n} with a mean above the 2.5 midpoint now")


def _unanswered_wave(comparisons: pd.DataFrame, domain: str | None, role: str) -> str | None:
    """The wave of the comparison in which the role gave no answers (to the domain), or None."""
    rows = comparisons[comparisons["role"] == role]
    if domain is not None:
        rows = rows[rows["domain"] == domain]
    if rows.empty:
        return None
    for wave, n in (("wave_a", "n_a"), ("wave_b", "n_b")):
        if rows[n].fillna(0).eq(0).all():
            return str(rows[wave].iloc[0])
    return None


def _workforce_evidence(changes: pd.DataFrame) -> tuple[str, ...]:
    lines = []
    for measure in WORKFORCE_MEASURES:
        hit = changes[changes["measure"] == measure]
        if hit.empty:
            continue
        r = hit.iloc[0]
        lines.append(
            f"{measure.lower()} {r['first']:g}% \u2192 {r['latest']:g}% "
            f"({r['first_year']}\u2013{r['latest_year']})"
        )
    return tuple(lines) or ("no workforce figures stored",)


def _indicator_evidence(trends: Mapping[str, tuple[dict, str]]) -> tuple[str, ...]:
    lines = [trend_line(name, result, unit) for name, (result, unit) in trends.items()]
    return tuple(lines) or ("no indicator series stored",)


def _outcome_sources(kind: str, inputs: ModelInputs) -> tuple[str, ...]:
    if kind.startswith("domain:"):
        rows = inputs.comparisons
        a, b = (rows["wave_a"].iloc[0], rows["wave_b"].iloc[0]) if len(rows) else ("?", "?")
        return (SURVEY.format(a=a, b=b, role=inputs.role), INTERVIEWS)
    if kind == "workforce":
        return (WORKFORCE, INTERVIEWS)
    return (INDICATORS, INTERVIEWS)


def outcome_evidence(kind: str, inputs: ModelInputs) -> tuple[str, ...]:
    """Evidence lines for one outcome kind (``domain:<name>``, ``workforce``, ``indicators``)."""
    if kind.startswith("domain:"):
        return _domain_evidence(inputs, kind.split(":", 1)[1])
    if kind == "workforce":
        return _workforce_evidence(inputs.workforce_changes)
    return _indicator_evidence(inputs.trends)


def build_model(inputs: ModelInputs) -> CmoModel:
    """The CMO model with each outcome's evidence computed from ``inputs``.

    Parameters
    ----------
    inputs : ModelInputs
        Comparisons (from :func:`rpgdash.compare_waves`), the role they are read for,
        workforce changes and indicator trends.

    Returns
    -------
    CmoModel
    """
    outcomes = tuple(
        ModelNode(
            key,
            "outcome",
            label,
            detail,
            _outcome_sources(kind, inputs),
            level=level,
            evidence=outcome_evidence(kind, inputs),
        )
        for key, level, label, detail, kind in OUTCOMES
    )
    return CmoModel(
        nodes=(*CONTEXTS, *MECHANISMS, *outcomes),
        role=inputs.role,
        for_whom=for_whom_sentence(inputs.comparisons, inputs.min_group),
    )


def collect_inputs(db: Database, *, site: str | None, role: str, min_group: int) -> ModelInputs:
    """Compute the model's inputs from the database with the analyst API.

    The pages pass the same figures from their cached reads instead; both paths call the same
    functions.
    """
    comparisons = api.compare_waves(db, site=site, min_group=min_group)
    changes = headlines.workforce_changes(queries.workforce(db, site=site))
    return ModelInputs(
        comparisons=comparisons,
        role=role,
        workforce_changes=changes,
        trends=indicator_trends(db, site=site),
        min_group=min_group,
    )


def indicator_trends(db: Database, *, site: str | None) -> dict[str, tuple[dict, str]]:
    """Whole-series trend of every stored indicator with at least 3 months (name -> result)."""
    out = {}
    for row in queries.indicators(db).itertuples():
        series = queries.indicator_series(db, row.name, site=site)
        if len(series) >= 3:
            out[row.name] = (api.analyse_trend(db, row.name, site=site), row.unit)
    return out


# --- text rendering ---


def model_columns(model: CmoModel) -> list[tuple[str, str, list[ModelNode]]]:
    """(column title, what it holds, nodes) for a text rendering; outcomes by level."""
    out = []
    for column, title, what in COLUMNS:
        if column == "outcome":
            nodes = [n for level, _ in LEVELS for n in model.column("outcome", level)]
        else:
            nodes = model.column(column)
        out.append((title, what, nodes))
    return out


def shared_sources(nodes: Sequence[ModelNode]) -> tuple[str, ...] | None:
    """The sources every node in ``nodes`` shares exactly, or None when they differ."""
    found = {n.sources for n in nodes}
    return found.pop() if len(found) == 1 else None


def level_title(level: str | None) -> str:
    """ "Individual staff", "Organisation", "Children and families" (empty for None)."""
    return dict(LEVELS).get(level or "", "")


def model_summary(model: CmoModel) -> str:
    """A one-paragraph text alternative for the diagram."""
    parts = []
    for title, _, nodes in model_columns(model):
        names = "; ".join(
            n.label + (f" ({', '.join(n.evidence)})" if n.evidence else "") for n in nodes
        )
        parts.append(f"{title}: {names}.")
    return " ".join(parts)


# --- the panel --------------------------------------------------------------------------------

NO_WAVES = "Two comparable survey waves are needed before the survey evidence can be shown."
INTRO = (
    "The evaluation's realist model: the circumstances that helped the groups work (context), "
    "how they worked (mechanisms) and what changed (outcomes) for staff, the organisation and "
    "families. Contexts and mechanisms come from interviews and focus groups; each outcome "
    "shows what the stored data say now. Hover over a box to see its sources."
)


def method_sentence(min_group: int) -> str:
    return (
        "Survey changes: Mann-Whitney U test, two-sided, 95% level, not adjusted for testing "
        f"many statements; groups with fewer than {min_group} respondents are not shown. "
        "Trends: a straight-line (least-squares) fit over the whole series, with the "
        "Mann-Kendall test of a steady rise or fall given separately. None of this shows that "
        "RPGs caused a change."
    )


def node_heading(node: ModelNode) -> str:
    """ "Individual staff: Self-efficacy" for outcomes, the label alone otherwise."""
    level = level_title(node.level)
    return f"{level}: {node.label}" if level else node.label


def sources_text(sources: Sequence[str]) -> str:
    return "Sources: " + "; ".join(sources)


@dataclass(frozen=True)
class ModelColumn:
    """One column of the model as text: its nodes, and the sources they all share (if any)."""

    title: str
    what: str
    nodes: tuple[ModelNode, ...]
    shared_sources: tuple[str, ...] | None

    @property
    def description(self) -> str:
        """ "Circumstances that helped or hindered." (the ``what`` as a sentence)."""
        return self.what[:1].upper() + self.what[1:] + "."


@dataclass(frozen=True)
class ModelPanel:
    """The model page and the report's model section. ``empty`` without two waves."""

    role: str
    empty: bool
    notice: str | None = None
    intro: str = INTRO
    scope: str = ""
    model: CmoModel | None = None
    dot: str = ""
    alt: str = ""
    columns: tuple[ModelColumn, ...] = ()
    for_whom: str = ""
    caveats: tuple[str, ...] = ()
    method: str = ""


def model_panel(inputs: ModelInputs) -> ModelPanel:
    """The panel for computed inputs (an empty panel when there is no wave comparison)."""
    from rpgdash.model import model_dot  # the diagram's builder; it imports this module

    if inputs.comparisons.empty:
        return ModelPanel(role=inputs.role, empty=True, notice=NO_WAVES)
    cmo = build_model(inputs)
    wave_a, wave_b = inputs.comparisons["wave_a"].iloc[0], inputs.comparisons["wave_b"].iloc[0]
    columns = tuple(
        ModelColumn(title, what, tuple(nodes), shared_sources(nodes))
        for title, what, nodes in model_columns(cmo)
    )
    return ModelPanel(
        role=inputs.role,
        empty=False,
        scope=f"Survey evidence for {inputs.role}, {wave_a} to {wave_b}.",
        model=cmo,
        dot=model_dot(cmo),
        alt=model_summary(cmo),
        columns=columns,
        for_whom=cmo.for_whom,
        caveats=cmo.caveats,
        method=method_sentence(inputs.min_group),
    )


def build_model_panel(db: Database, *, site: str | None, role: str, min_group: int) -> ModelPanel:
    """:func:`model_panel` of the figures :func:`collect_inputs` computes."""
    if len(api.comparable_waves(db, site)) < 2:
        return ModelPanel(role=role, empty=True, notice=NO_WAVES)
    return model_panel(collect_inputs(db, site=site, role=role, min_group=min_group))
