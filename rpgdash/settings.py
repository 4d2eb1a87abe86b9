"""Every setting the product reads, in one documented list.

Each setting comes from an environment variable; the README lists them all and a test checks
that it does. Read settings through :func:`get` so that tests can change the environment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: str
    help: str
    kind: type = str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "db_path",
        "RPGDASH_DB",
        str(PROJECT_ROOT / "data" / "rpgdash.duckdb"),
        "Path of the DuckDB database file the dashboard and the CLI use.",
    ),
    Setting(
        "min_group",
        "RPGDASH_MIN_GROUP",
        "5",
        "Disclosure threshold k: survey results for a group with fewer than k respondents are "
        "suppressed. Many organisations use 10 or 11.",
        int,
    ),
    Setting(
        "max_upload_mb",
        "RPGDASH_MAX_UPLOAD_MB",
        "50",
        "Largest file, in megabytes, that an upload accepts; larger files are refused before "
        "they are read.",
        int,
    ),
    Setting(
        "read_only",
        "RPGDASH_READ_ONLY",
        "0",
        "Set to 1 to remove uploading entirely (for wall displays).",
        bool,
    ),
    Setting(
        "report_niceness",
        "RPGDASH_REPORT_NICENESS",
        "10",
        "How much lower the board-pack worker's CPU priority is than the server's (0 to 19): "
        "while a pack builds, other sessions' pages get the CPU first. 0 builds packs at the "
        "server's priority.",
        int,
    ),
    Setting(
        "store_views",
        "RPGDASH_STORE_VIEWS",
        "1",
        "Set to 0 to store only the survey statistics, not the survey pages' finished views, "
        "when data are stored (uploads, reverts, init-demo, precompute): each is then about "
        "0.2 s of CPU per site and survey domain quicker, and a first view of a site builds "
        "its views (about 0.3 s) instead of reading them.",
        bool,
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def get(name: str):
    """Return the current value of setting ``name``, converted to its kind."""
    setting = _BY_NAME[name]
    raw = os.environ.get(setting.env, "").strip() or setting.default
    if setting.kind is bool:
        return raw.lower() in {"1", "true", "yes", "on"}
    if setting.kind is int:
        try:
            return int(raw)
        except ValueError:
            raise ValueError(
                f"{setting.env}={raw!r} is not a whole number; unset it or give a number."
            ) from None
    return raw
