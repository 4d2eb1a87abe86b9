"""What DfE's published files hold: the measure columns we know, and their time periods.

Each known column of an Explore Education Statistics (EES) release maps to one stored
benchmark measure with a unit and an improvement direction (``decrease``: lower is better,
``neutral``: no better or worse, so no rank). ``confirmed`` says whether the column name was
seen in a published file or in code reading one (see the issue 15 note); the others follow
the issue's wording or DfE's naming pattern and are matched the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rpgdash.db import DIRECTIONS

#: The columns every EES file in the standard layout starts with.
GEOGRAPHY_COLUMNS = (
    "time_period",
    "time_identifier",
    "geographic_level",
    "country_code",
    "country_name",
    "region_code",
    "region_name",
    "old_la_code",
    "new_la_code",
    "la_name",
)
#: geographic_level as published -> the stored level.
LEVELS = {"national": "national", "regional": "region", "local authority": "local_authority"}
#: Cells that mean "no figure": DfE's suppression and not-applicable codes, and blanks.
SUPPRESSION_CODES = ("c", "z", "x", "low", "k", "u")


@dataclass(frozen=True)
class KnownMeasure:
    column: str
    name: str
    unit: str
    direction: str
    release: str
    confirmed: bool
    aliases: tuple[str, ...] = ()

    @property
    def percent(self) -> bool:
        return self.unit == "%"


_CSWW = "Children's social work workforce"
_CIN = "Children in need: referrals"
_CPP = "Child protection plans"
_CLA = "Children looked after"

KNOWN_MEASURES: tuple[KnownMeasure, ...] = (
    KnownMeasure(
        "turnover_rate_fte", "Turnover", "%", "decrease", _CSWW, True, ("turnover_rate_fte_perc",)
    ),
    KnownMeasure(
        "vacancy_rate_fte", "Vacancies", "%", "decrease", _CSWW, True, ("vacancy_rate_fte_perc",)
    ),
    KnownMeasure(
        "agency_rate_fte",
        "Agency staffing",
        "%",
        "decrease",
        _CSWW,
        True,
        ("agency_worker_rate_fte_perc",),
    ),
    KnownMeasure(
        "absence_rate_fte", "Sickness", "%", "decrease", _CSWW, True, ("absence_rate_fte_perc",)
    ),
    KnownMeasure(
        "caseload_fte", "Caseload", "cases per FTE social worker", "decrease", _CSWW, True
    ),
    KnownMeasure("inpost_fte", "Social workers in post (FTE)", "FTE", "neutral", _CSWW, True),
    KnownMeasure(
        "inpost_headcount", "Social workers in post (headcount)", "people", "neutral", _CSWW, False
    ),
    KnownMeasure("agency_fte", "Agency social workers (FTE)", "FTE", "decrease", _CSWW, False),
    KnownMeasure("vacancy_fte", "Vacancies (FTE)", "FTE", "decrease", _CSWW, False),
    KnownMeasure("leavers_fte", "Leavers (FTE)", "FTE", "neutral", _CSWW, False),
    KnownMeasure("starters_fte", "Starters (FTE)", "FTE", "neutral", _CSWW, False),
    KnownMeasure("referral_count", "Referrals (year)", "referrals", "neutral", _CIN, True),
    KnownMeasure("rereferral_count", "Re-referrals (year)", "referrals", "neutral", _CIN, True),
    KnownMeasure(
        "rereferral_percent", "Re-referrals within 12 months", "%", "decrease", _CIN, True
    ),
    KnownMeasure(
        "referral_rate_per_10000",
        "Referrals per 10,000 children",
        "per 10,000 children",
        "neutral",
        _CIN,
        False,
    ),
    KnownMeasure(
        "CPP_At31", "Child protection plans at 31 March", "children", "neutral", _CPP, True
    ),
    KnownMeasure(
        "CPP_child_start", "Child protection plans started", "children", "neutral", _CPP, True
    ),
    KnownMeasure(
        "CPP_At31_rate",
        "Child protection plans per 10,000 children",
        "per 10,000 children",
        "neutral",
        _CPP,
        False,
    ),
    KnownMeasure(
        "CPP_subsequent_percent", "Repeat child protection plans", "%", "decrease", _CPP, True
    ),
    KnownMeasure("number", "Children looked after at 31 March", "children", "neutral", _CLA, False),
    KnownMeasure(
        "rate_per_10000",
        "Children looked after per 10,000 children",
        "per 10,000 children",
        "neutral",
        _CLA,
        False,
    ),
)


def known_measure(column: str) -> KnownMeasure | None:
    """The known measure a DfE column name (any case, or a known older spelling) maps to."""
    key = column.strip().casefold()
    for m in KNOWN_MEASURES:
        if key == m.column.casefold() or key in (a.casefold() for a in m.aliases):
            return m
    return None


def check_direction(direction: str) -> str:
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {', '.join(DIRECTIONS)}, not {direction!r}")
    return direction


# --- time periods -------------------------------------------------------------------------

_YEAR = re.compile(r"\d{4}")
_SPAN = re.compile(r"(\d{4})(\d{2})")


def period_error(text: str) -> str | None:
    """Why ``text`` is not a DfE time_period (``2018`` or ``201819``), or None when it is."""
    if _YEAR.fullmatch(text):
        if not 1990 <= int(text) <= 2100:
            return f"the time_period '{text}' is not a plausible year"
        return None
    m = _SPAN.fullmatch(text)
    if m:
        first, second = int(m.group(1)), int(m.group(2))
        if (first + 1) % 100 != second:
            return (
                f"the time_period '{text}' is not a year span: DfE writes 2018-19 as 201819 "
                "(the second year follows the first)"
            )
        if not 1990 <= first <= 2100:
            return f"the time_period '{text}' is not a plausible year"
        return None
    return f"the time_period '{text}' is not a year (2018) or a DfE year span (201819)"


def period_year(period: str) -> int:
    """The first calendar year a time_period covers (``201819`` -> 2018)."""
    return int(period[:4])


def period_sort_key(period: str) -> tuple[int, int]:
    return (period_year(period), len(period))


def period_label(period: str) -> str:
    """How a time_period is shown: ``2018`` or ``2018-19``."""
    if len(period) == 6:
        return f"{period[:4]}-{period[4:]}"
    return period
