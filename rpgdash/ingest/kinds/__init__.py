"""The registry of upload kinds: the CLI's choices, the upload page's options and the tests
all come from :data:`KINDS`.

Adding a kind: write ``rpgdash/ingest/kinds/<name>.py`` with its parser and a ``SPEC``
(an :class:`UploadKind`; a table with one value per key can reuse
:class:`~rpgdash.ingest.kinds.keyed.KeyedValues`), and list it below.
"""

from __future__ import annotations

from rpgdash.ingest.kinds import dfe, excerpts, indicators, neighbours, survey, workforce
from rpgdash.ingest.kinds.base import UploadKind

KINDS: dict[str, UploadKind] = {
    spec.name: spec
    for spec in (
        indicators.SPEC,
        workforce.SPEC,
        survey.SPEC,
        excerpts.SPEC,
        dfe.SPEC,
        neighbours.SPEC,
    )
}


def kind_spec(name: str) -> UploadKind:
    """The spec of the kind ``name``; a name not registered is a programming error."""
    try:
        return KINDS[name]
    except KeyError:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {name!r}") from None


__all__ = ["KINDS", "UploadKind", "kind_spec"]
