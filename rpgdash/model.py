"""The context-mechanism-outcome (CMO) model of how RPGs worked, with current evidence.

The evaluation summarised its realist findings as a model: contexts (circumstances that let
RPGs work), mechanisms (how they worked) and outcomes at three levels (individual staff, the
organisation, children and families). The contexts and mechanisms are the study's findings,
stated here as text with their sources. Each outcome carries evidence computed now from the
stored data, by the same functions the other pages use (:func:`rpgdash.compare_waves` via
:func:`rpgdash.headlines.domain_headlines`, :func:`rpgdash.headlines.workforce_changes`,
:func:`rpgdash.analyse_trend`), so the model changes when the data does.

:func:`model_dot` draws the model as Graphviz DOT for ``st.graphviz_chart`` (rendered in the
browser); :func:`model_columns` gives the same content as plain text for a text alternative
and for the board report.
"""

from __future__ import annotations

import textwrap
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
    parts, hidden = [], []
    for role, rows in comparisons.groupby("role", sort=False):
        if role == queries.ALL_ROLES:
            continue
        shown = rows[rows["suppressed"].isna()]
        if shown.empty:
            hidden.append(str(role))
            continue
        n_a, n_b = int(shown["n_a"].max()), int(shown["n_b"].max())
        parts.append(
            f"{role}, {int((shown['diff'] > 0).sum())} of {len(shown)} (n = {n_a} and {n_b})"
        )
    if not parts:
        return FOR_WHOM
    text = (
        f"{FOR_WHOM} In the survey, statements more agreed with at {wave_b} than at {wave_a}, "
        "by job role: " + "; ".join(parts) + "."
    )
    if hidden:
        text += f" Not shown (fewer than {min_group} responses): " + ", ".join(hidden) + "."
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
    n = head.statements
    how = "95%, Mann-Whitney U, not adjusted for testing many statements"
    if head.significant == n:
        first = f"{word}: {n} of {n} statements improved significantly ({how})"
    else:
        sig = "none" if head.significant == 0 else str(head.significant)
        first = f"{word}: {head.improved} of {n} statements improved, {sig} significantly ({how})"
    return (first, f"{head.above_neutral} of {n} with a mean above the 2.5 midpoint now")


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


# --- DOT ------------------------------------------------------------------------------------

FILLS = {"context": "#FFF4D6", "mechanism": "#E3F0FA", "outcome": "#E6F4EA"}
SHAPES = {"context": "note", "mechanism": "ellipse", "outcome": "box"}
TEXT = "#1A1A1A"


def _dot_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def _wrap(text: str, width: int = 30) -> list[str]:
    return textwrap.wrap(text, width) or [""]


def _node_label(node: ModelNode) -> str:
    lines = _wrap(node.label, 28)
    for item in node.evidence:
        lines.extend(_wrap(f"\u2022 {item}", 34))
    return "\\n".join(_dot_escape(line) for line in lines)


def _tooltip(node: ModelNode) -> str:
    text = f"{node.label}. {node.detail} Sources: " + "; ".join(node.sources) + "."
    return _dot_escape(text)


def _dot_node(node: ModelNode) -> str:
    style = '"rounded,filled"' if node.column == "outcome" else "filled"
    return (
        f'    {node.key} [label="{_node_label(node)}", tooltip="{_tooltip(node)}", '
        f'shape={SHAPES[node.column]}, style={style}, fillcolor="{FILLS[node.column]}"];'
    )


def _column_label(column: str) -> str:
    title, what = {c: (t, w) for c, t, w in COLUMNS}[column]
    return f"{title}: {what}"


def _cluster(name: str, label: str, body: Sequence[str]) -> list[str]:
    return [
        f"  subgraph cluster_{name} {{",
        f'    label="{_dot_escape(label)}"; fontsize=14; fontcolor="{TEXT}"; color="#595959";',
        *body,
        "  }",
    ]


def model_dot(model: CmoModel) -> str:
    """Graphviz DOT source of the model: three columns joined by arrows, left to right.

    Every node has a ``tooltip`` naming its sources. Shapes differ per column (note, ellipse,
    box) and each column is a labelled cluster, so the diagram does not depend on colour.
    """
    lines = [
        "digraph cmo {",
        '  graph [rankdir=LR, compound=true, nodesep=0.25, ranksep=0.6, fontname="Helvetica", '
        'tooltip="Context-mechanism-outcome model of reflective practice groups"];',
        f'  node [fontname="Helvetica", fontsize=12, fontcolor="{TEXT}", color="#595959"];',
        '  edge [color="#404040", arrowsize=0.8];',
    ]
    # With rankdir=LR Graphviz stacks the nodes of a column bottom-up in the order they are
    # written, so each column is written in reverse to read top-down.
    for column in ("context", "mechanism"):
        nodes = [_dot_node(n) for n in reversed(model.column(column))]
        lines += _cluster(column, _column_label(column), nodes)
    outcome_body: list[str] = []
    for level, level_title in reversed(LEVELS):
        nodes = [_dot_node(n) for n in reversed(model.column("outcome", level))]
        if nodes:
            outcome_body += [f"  {line}" for line in _cluster(level, level_title, nodes)]
    lines += _cluster("outcome", _column_label("outcome"), outcome_body)
    lines += _cluster_edges(model)
    lines.append("}")
    return "\n".join(lines)


def _cluster_edges(model: CmoModel) -> list[str]:
    """One arrow from contexts to mechanisms and one from mechanisms to each outcome level."""
    contexts, mechanisms = model.column("context"), model.column("mechanism")
    if not contexts or not mechanisms:
        return []
    middle = mechanisms[len(mechanisms) // 2].key
    edges = [
        f"  {contexts[len(contexts) // 2].key} -> {middle} "
        '[ltail=cluster_context, lhead=cluster_mechanism, tooltip="Contexts enable mechanisms"];'
    ]
    for level, level_title in LEVELS:
        nodes = model.column("outcome", level)
        if nodes:
            edges.append(
                f"  {middle} -> {nodes[0].key} [ltail=cluster_mechanism, "
                f'lhead=cluster_{level}, tooltip="Mechanisms lead to outcomes: '
                f'{_dot_escape(level_title.lower())}"];'
            )
    return edges


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
