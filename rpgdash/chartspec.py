"""Vega-Lite dicts of the series charts without building an Altair chart per chart.

Altair validates every channel when a chart is built, and a layer or concat chart copies every
layer each time a property is set; for the SPC, workforce and benchmark charts that was most of
the board report's build time. So each chart is split into :class:`SpecParts`: its data frames,
the values that depend on its data (title, axis titles, scale domains, legend entries) and its
structure (which layers it has). Altair builds the layout once per structure, with a named
dataset for each frame and a placeholder for each value; each chart then fills in its own
values and records as plain dicts. The result is the Altair chart's own ``to_dict()``, with its
datasets named by what they hold (tests/test_chartspec.py checks that they are the same chart).

The layouts depend only on the structure (a handful per chart kind), never on the data, so a
new data version builds no new layout.
"""

from __future__ import annotations

import copy
import functools
import math
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import altair as alt
import pandas as pd
from altair.utils.schemapi import debug_mode

#: Placeholders start with a character no chart text contains.
_SLOT = "\x00slot:"


@dataclass(frozen=True)
class SpecParts:
    """A chart as its frames, its data-dependent values and its structure.

    ``layout(frames, values, **shape)`` draws the chart (module level, so this pickles);
    ``frames`` are its named datasets, ``values`` the arguments that change with the data
    (placeholders in the cached layout), ``shape`` the hashable arguments that fix its layers.
    """

    layout: Callable[..., alt.TopLevelMixin]
    frames: Mapping[str, pd.DataFrame]
    values: Mapping[str, Any]
    shape: tuple[tuple[str, Hashable], ...] = ()

    def chart(self) -> alt.TopLevelMixin:
        """The Altair chart (pages and tests; the reference the fast spec is checked against)."""
        return self.layout(dict(self.frames), dict(self.values), **dict(self.shape))

    def spec(self) -> dict:
        """The Altair chart's dict, datasets named by frame, built without Altair per chart."""
        layout = _layout(self.layout, tuple(self.frames), tuple(self.values), self.shape)
        filled = _fill(layout, {_SLOT + k: _plain(v) for k, v in self.values.items()})
        filled["datasets"] = {name: records(frame) for name, frame in self.frames.items()}
        return filled


@functools.lru_cache(maxsize=64)
def _layout(
    layout: Callable[..., alt.TopLevelMixin],
    names: tuple[str, ...],
    slots: tuple[str, ...],
    shape: tuple[tuple[str, Hashable], ...],
) -> dict:
    """The chart ``layout`` draws from named datasets and placeholder values (cached)."""
    frames = {name: alt.NamedData(name) for name in names}
    values = {name: _SLOT + name for name in slots}
    # Placeholders are strings where the schema wants lists or numbers: build unvalidated
    # (the real charts are validated by their own tests).
    with debug_mode(False):
        return layout(frames, values, **dict(shape)).to_dict(validate=False)


def _plain(value: Any) -> Any:
    """``value`` as it appears in a chart's dict (Altair objects and numpy numbers unwrapped)."""
    if isinstance(value, alt.SchemaBase):
        return value.to_dict(validate=False)
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalar
        return value.item()
    return value


def _fill(node: Any, values: Mapping[str, Any]) -> Any:
    """A copy of ``node`` with every placeholder string replaced by its value."""
    if isinstance(node, dict):
        return {k: _fill(v, values) for k, v in node.items()}
    if isinstance(node, list):
        return [_fill(v, values) for v in node]
    if isinstance(node, str) and node.startswith(_SLOT):
        return copy.deepcopy(values[node])
    return node


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows Altair stores for ``frame`` (its default data transformer's
    ``sanitize_pandas_dataframe``), built column by column in plain Python: datetimes as ISO
    text ("" when missing), NaN and infinite floats and missing values as None, numpy scalars
    as Python numbers. Altair's own pass (through narwhals) was most of a fast chart's time."""
    columns = [_column(frame[name]) for name in frame.columns]
    names = [str(name) for name in frame.columns]
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


def _column(column: pd.Series) -> list[Any]:
    kind = str(column.dtype)
    if kind.startswith(("datetime", "timestamp")):
        return ["" if pd.isna(v) else v.isoformat() for v in column.tolist()]
    if kind.startswith("timedelta"):
        raise ValueError(f"Column {column.name!r} holds time spans; charts need dates or numbers.")
    values = column.tolist()  # numpy scalars become Python numbers
    if kind in ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"):
        return values
    if kind.startswith("float"):
        return [None if v != v or v in (math.inf, -math.inf) else v for v in values]
    return [None if _missing(v) else _native(v) for v in values]


def _missing(value: Any) -> bool:
    if value is None or isinstance(value, str | list | tuple | dict):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # an array
        return False


def _native(value: Any) -> Any:
    if hasattr(value, "tolist") and not isinstance(value, str):  # numpy array or scalar
        return value.tolist()
    return value


def clear_layouts() -> None:
    """Forget the cached layouts (the benchmark measures a first build in a new process)."""
    _layout.cache_clear()


__all__ = ["SpecParts", "clear_layouts", "records"]
