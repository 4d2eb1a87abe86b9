"""The registry of survey domains: one place that names, orders and describes them.

The router (``app.py``), the survey pages, the overview, the board report, the model and the
tests read this registry instead of spelling the domains out. The keys match the database's
``statements.domain`` values (see :data:`rpgdash.db.DOMAINS`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SurveyDomain:
    """One set of survey statements.

    ``key`` is the stored code, ``title`` the page and section heading, ``intro`` the
    sentence under it, ``words`` how a sentence names it ("self-efficacy"), ``page`` the page
    script and ``icon`` its navigation icon.
    """

    key: str
    title: str
    intro: str
    words: str
    page: str
    icon: str


DOMAINS: tuple[SurveyDomain, ...] = (
    SurveyDomain(
        "professional",
        "Professional practice",
        "Statements about how the RPGs have supported staff's professional practice: "
        "reflection, perspectives, emotional load and skills.",
        "professional practice",
        "pages/professional.py",
        ":material/school:",
    ),
    SurveyDomain(
        "self_efficacy",
        "Self-efficacy",
        "Statements about staff's confidence in handling their work. Only the case-reports "
        "item is named in the study; the others are illustrative self-efficacy items.",
        "self-efficacy",
        "pages/self_efficacy.py",
        ":material/psychology:",
    ),
    SurveyDomain(
        "relationships",
        "Relationships",
        "Statements about whether the RPGs improved working relationships: with team "
        "managers, peers, senior managers and across the system.",
        "relationships",
        "pages/relationships.py",
        ":material/group:",
    ),
)

BY_KEY: dict[str, SurveyDomain] = {d.key: d for d in DOMAINS}
KEYS: tuple[str, ...] = tuple(d.key for d in DOMAINS)


def domain(key: str) -> SurveyDomain:
    """The registered domain for a stored code; an unknown code gets a plain fallback."""
    if key in BY_KEY:
        return BY_KEY[key]
    title = str(key).replace("_", " ").capitalize()
    return SurveyDomain(str(key), title, "", title.lower(), "", ":material/quiz:")


def title(key: str) -> str:
    return domain(key).title
