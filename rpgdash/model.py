"""The context-mechanism-outcome model drawn as a Graphviz diagram.

:func:`model_dot` draws the model as Graphviz DOT for ``st.graphviz_chart`` (rendered in the
browser). The model itself, its evidence lines and every sentence about it live in
:mod:`rpgdash.present.model` (:class:`~rpgdash.present.model.ModelPanel`); their names are
still readable from here for older imports.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from rpgdash.present.model import COLUMNS, LEVELS, CmoModel, ModelNode

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


def __getattr__(name: str) -> object:
    """The model and its wording moved to :mod:`rpgdash.present.model`; old imports work."""
    from rpgdash.present import model as present_model

    try:
        return getattr(present_model, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
