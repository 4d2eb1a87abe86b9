"""Moved to :mod:`rpgdash.present.survey_results`; this name stays for imports written before."""

import importlib
import sys

sys.modules[__name__] = importlib.import_module("rpgdash.present.survey_results")
