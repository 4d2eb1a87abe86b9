"""The product's own errors: one base class whose message tells the user what to do.

``ui.run_page`` and the command line catch :class:`RpgdashError` and show its message as it
is; any other exception is a defect, logged and reported as one, never as the user's mistake.
"""

from __future__ import annotations


class RpgdashError(Exception):
    """A refusal meant for the user: ``str(error)`` says what is wrong and how to fix it."""
