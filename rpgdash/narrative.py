"""Moved to :mod:`rpgdash.present.narrative`; this name stays for imports written before."""

import importlib
import sys

sys.modules[__name__] = importlib.import_module("rpgdash.present.narrative")
