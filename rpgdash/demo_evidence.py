"""Demo qualitative evidence: the study's themes (real) and short excerpts (illustrative).

The theme names, their waves and polarity, and which survey statements they echo come from the
published evaluation (``shared/PAPER_FACTS.md``); the descriptions are ours. The excerpts are
NOT quotations: they are short passages written for this demo to show how coded excerpts look,
and every one is stored with ``illustrative = TRUE`` so pages and the report label them.

Linking decisions that needed judgement:

* "Negative group experience" (+1 year) and "Attendance remained a problem" (+3 years) are
  linked to no statement. No survey item measures attendance or how well a group was run; the
  nearest, "other perspectives", measures a benefit of taking part, and linking it would
  suggest the survey measured this theme when it did not. Each says why in ``link_note``.
* "Effects on staffing" (+3 years) is linked to the workforce measures Agency staffing and
  Vacancies rather than to a statement: it is organisational evidence.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd


@dataclass(frozen=True)
class DemoTheme:
    wave: str
    name: str
    polarity: str
    description: str
    statements: tuple[str, ...] = ()
    measures: tuple[str, ...] = ()
    link_note: str | None = None


REFLECT = "The RPG has further developed my ability to reflect on my work"
EMOTIONAL_IMPACT = "The RPG has helped me to manage the emotional impact of my work"
COMPLEX = "The RPG has helped me to develop better understanding of complex problems in my cases"
IDENTITY = "The RPG has strengthened my professional identity"
INTERVENTIONS = (
    "The RPG has increased my knowledge about different types of interventions to make with "
    "families"
)
RELATIONSHIP_SKILLS = "The RPG has improved my skills in relationship based work with families"
SENIOR_MANAGERS = "The RPG has improved my relationships and interactions with senior managers"
WHOLE_SYSTEM = "The RPG has improved relationships and interactions across the whole system"

NO_STATEMENT_NOTE = (
    "No survey statement measures attendance or how well a group was run, so this theme is "
    "not linked to one. The nearest statement, on other perspectives, measures a benefit of "
    "taking part rather than the experience of the group."
)

THEMES: tuple[DemoTheme, ...] = (
    DemoTheme(
        "+1 year",
        "Emotional support and reassurance",
        "positive",
        "Staff described the groups as a place to offload after hard cases and to hear that "
        "colleagues felt the same pressures, which left them steadier.",
        statements=(EMOTIONAL_IMPACT,),
    ),
    DemoTheme(
        "+1 year",
        "Better sense of the organisation as a whole",
        "positive",
        "Meeting people from other teams at the same level gave staff a clearer picture of how "
        "the service fits together and where they sit in it.",
        statements=(IDENTITY,),
    ),
    DemoTheme(
        "+1 year",
        "Enhanced capacity for reflection and thoughtful practice",
        "positive",
        "Time set aside to think a case through, with others questioning assumptions, helped "
        "staff slow down and consider alternatives before acting.",
        statements=(REFLECT,),
    ),
    DemoTheme(
        "+1 year",
        "Negative group experience",
        "negative",
        "Some groups were thinly attended, some members were reluctant to reflect openly, and "
        "the quality of facilitation varied from group to group.",
        link_note=NO_STATEMENT_NOTE,
    ),
    DemoTheme(
        "+3 years",
        "Enhanced capacity for thoughtful and reflective practice (organisational level)",
        "positive",
        "Reflection was now described as part of how the organisation works: visible in "
        "supervision, team discussions and meetings with partner agencies, not only in groups.",
        statements=(REFLECT, COMPLEX),
    ),
    DemoTheme(
        "+3 years",
        "Whole systems culture change",
        "positive",
        "Staff spoke of a more open culture across levels and teams, with senior managers "
        "more visible and approachable.",
        statements=(WHOLE_SYSTEM, SENIOR_MANAGERS),
    ),
    DemoTheme(
        "+3 years",
        "Changes to practice and work with families",
        "positive",
        "Staff gave examples of doing something differently with a family after a group "
        "discussion, and of paying more attention to relationships in their work.",
        statements=(RELATIONSHIP_SKILLS, INTERVENTIONS),
    ),
    DemoTheme(
        "+3 years",
        "Effects on staffing",
        "positive",
        "The groups were seen as part of what makes the service a place people want to join "
        "and stay in, alongside the wider relationship-based practice model.",
        measures=("Agency staffing", "Vacancies"),
    ),
    DemoTheme(
        "+3 years",
        "Attendance remained a problem",
        "negative",
        "Time pressure and emotional overload kept some staff away, and some preferred the "
        "support they already had in their own team.",
        link_note=NO_STATEMENT_NOTE,
    ),
)

#: (wave, theme, source type, role or None, illustrative excerpt written for the demo).
EXCERPTS: tuple[tuple[str, str, str, str | None, str], ...] = (
    (
        "+1 year",
        "Emotional support and reassurance",
        "interview",
        "Social worker",
        "After a bad week it helps to hear that others are carrying the same worries.",
    ),
    (
        "+1 year",
        "Emotional support and reassurance",
        "focus group",
        "Senior social worker",
        "I leave the group feeling less alone with the difficult cases.",
    ),
    (
        "+1 year",
        "Emotional support and reassurance",
        "interview",
        "Other",
        "It is one of the few places where I can say a case got to me.",
    ),
    (
        "+1 year",
        "Better sense of the organisation as a whole",
        "focus group",
        "Social worker",
        "I now know who does what in fostering and leaving care, and why it matters to my work.",
    ),
    (
        "+1 year",
        "Better sense of the organisation as a whole",
        "interview",
        "Team manager",
        "Sitting with managers from other teams showed me we face the same problems.",
    ),
    (
        "+1 year",
        "Enhanced capacity for reflection and thoughtful practice",
        "interview",
        "Lead practitioner",
        "Being asked why I had decided something made me look at the case again.",
    ),
    (
        "+1 year",
        "Enhanced capacity for reflection and thoughtful practice",
        "focus group",
        "Social worker",
        "I take a breath before the next visit and think about what the family needs.",
    ),
    (
        "+1 year",
        "Negative group experience",
        "focus group",
        "Senior social worker",
        "Half the group did not turn up, so it never really got going.",
    ),
    (
        "+1 year",
        "Negative group experience",
        "interview",
        "Social worker",
        "Some sessions felt like a meeting rather than a space to think.",
    ),
    (
        "+1 year",
        "Negative group experience",
        "interview",
        "Other",
        "It depends a lot on who is running the group that month.",
    ),
    (
        "+3 years",
        "Enhanced capacity for thoughtful and reflective practice (organisational level)",
        "interview",
        "Senior manager",
        "You can hear the reflective questions in supervision now, not just in the groups.",
    ),
    (
        "+3 years",
        "Enhanced capacity for thoughtful and reflective practice (organisational level)",
        "focus group",
        "Team manager",
        "Our team meetings have become more about thinking a case through together.",
    ),
    (
        "+3 years",
        "Enhanced capacity for thoughtful and reflective practice (organisational level)",
        "interview",
        "Lead practitioner",
        "Partner agencies have noticed we ask more questions before we decide.",
    ),
    (
        "+3 years",
        "Whole systems culture change",
        "interview",
        "Team manager",
        "Senior managers feel less distant; I would happily take a problem to them.",
    ),
    (
        "+3 years",
        "Whole systems culture change",
        "focus group",
        "Social worker",
        "There is less of a them-and-us feeling between teams than there used to be.",
    ),
    (
        "+3 years",
        "Changes to practice and work with families",
        "interview",
        "Social worker",
        "After the group I went back and tried a different way of engaging the father.",
    ),
    (
        "+3 years",
        "Changes to practice and work with families",
        "focus group",
        "Lead practitioner",
        "We talk more about the relationship with the family, not just the tasks.",
    ),
    (
        "+3 years",
        "Changes to practice and work with families",
        "interview",
        "Other",
        "I use what I heard in the group when I plan a difficult conversation.",
    ),
    (
        "+3 years",
        "Effects on staffing",
        "interview",
        "Senior manager",
        "Candidates ask about the groups at interview; it is part of why they apply.",
    ),
    (
        "+3 years",
        "Effects on staffing",
        "focus group",
        "Team manager",
        "We have not needed agency staff for a long time, and people stay.",
    ),
    (
        "+3 years",
        "Attendance remained a problem",
        "focus group",
        "Senior social worker",
        "When the caseload is heavy the group is the first thing that goes.",
    ),
    (
        "+3 years",
        "Attendance remained a problem",
        "interview",
        "Social worker",
        "I get my support from my own team, so I do not always make the time.",
    ),
)


def insert_demo_evidence(cur: duckdb.DuckDBPyConnection) -> None:
    """Store the demo themes and, for every local-authority site, the illustrative excerpts.

    Runs inside the demo build's transaction, after waves, roles, statements and sites exist.
    """
    waves = dict(cur.execute("SELECT label, wave_id FROM waves").fetchall())
    roles = dict(cur.execute("SELECT name, role_id FROM roles").fetchall())
    statements = dict(cur.execute("SELECT text, statement_id FROM statements").fetchall())
    sites = [
        r[0]
        for r in cur.execute(
            "SELECT site_id FROM sites WHERE kind = 'local_authority' ORDER BY site_id"
        ).fetchall()
    ]
    theme_ids: dict[tuple[str, str], int] = {}
    for position, theme in enumerate(THEMES, 1):
        theme_id = cur.execute(
            "INSERT INTO themes (wave_id, name, polarity, description, position, from_paper, "
            "link_note) VALUES (?, ?, ?, ?, ?, TRUE, ?) RETURNING theme_id",
            [
                waves[theme.wave],
                theme.name,
                theme.polarity,
                theme.description,
                position,
                theme.link_note,
            ],
        ).fetchall()[0][0]
        theme_ids[(theme.wave, theme.name)] = theme_id
        for text in theme.statements:
            cur.execute(
                "INSERT INTO theme_statements (theme_id, statement_id) VALUES (?, ?)",
                [theme_id, statements[text]],
            )
        for measure in theme.measures:
            cur.execute(
                "INSERT INTO theme_measures (theme_id, measure) VALUES (?, ?)", [theme_id, measure]
            )
    rows = pd.DataFrame(
        [
            (theme_ids[(wave, theme)], site_id, source, roles.get(role) if role else None, text)
            for site_id in sites
            for wave, theme, source, role, text in EXCERPTS
        ],
        columns=["theme_id", "site_id", "source_type", "role_id", "text"],
    ).astype({"role_id": "Int64"})
    rows["seq"] = range(len(rows))  # keeps excerpt ids in the order written above
    cur.register("demo_excerpts", rows)
    cur.execute(
        "INSERT INTO excerpts (theme_id, site_id, source_type, role_id, text, illustrative) "
        "SELECT theme_id, site_id, source_type, role_id, text, TRUE FROM demo_excerpts "
        "ORDER BY seq"
    )
    cur.unregister("demo_excerpts")
