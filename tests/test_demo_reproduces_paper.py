"""The demo dataset, run through the product's own statistics, reproduces PAPER_FACTS.md.

One test per published survey finding (numbered as in PAPER_FACTS.md).
"""

from __future__ import annotations

import pandas as pd
import pytest

import rpgdash
from rpgdash.demo import STATEMENTS


def _text(start: str) -> str:
    """The full stored text of the statement that starts with ``start``."""
    return next(text for _, text, *_ in STATEMENTS if text.startswith(start))


REFLECT = _text("The RPG has further developed my ability to reflect")
PERSPECTIVES = _text("The RPG has provided other perspectives")
IMPACT = _text("The RPG has helped me to manage the emotional impact")
COMPLEX = _text("The RPG has helped me to develop better understanding of complex")
STRAIN = _text("The RPG has helped me to manage the emotional strain")
IDENTITY = _text("The RPG has strengthened my professional identity")
INTERVENTIONS = _text("The RPG has increased my knowledge about different types")
SKILLS = _text("The RPG has improved my skills in relationship based work")
CASE_REPORTS = _text("I always manage to find time to update and write case reports")
PEERS = _text("The RPG has improved my relationships and interactions with my peers")


@pytest.fixture(scope="module")
def all_roles(demo_path) -> pd.DataFrame:
    with rpgdash.open_db(demo_path, read_only=True) as db:
        return rpgdash.compare_waves(db, role="All roles", waves=["+1 year", "+3 years"])


def _domain(table: pd.DataFrame, domain: str) -> pd.DataFrame:
    return table[table["domain"] == domain].set_index("statement")


def test_finding_1_most_agreed_professional_statements_at_one_year(all_roles):
    ranked = _domain(all_roles, "professional")["mean_a"].sort_values(ascending=False)
    assert list(ranked.index[:3]) == [REFLECT, PERSPECTIVES, IMPACT]
    assert ranked.index[3] == IDENTITY


def test_finding_2_two_professional_statements_below_neutral_at_one_year(all_roles):
    prof = _domain(all_roles, "professional")
    assert set(prof.index[prof["mean_a"] < 2.5]) == {INTERVENTIONS, SKILLS}
    assert prof["mean_a"].idxmin() == SKILLS


def test_finding_3_every_professional_statement_improved_and_is_above_neutral(all_roles):
    prof = _domain(all_roles, "professional")
    assert (prof["diff"] > 0).all() and (prof["mean_b"] > 2.5).all()


def test_finding_4_exactly_two_professional_statements_improved_significantly(all_roles):
    prof = _domain(all_roles, "professional")
    assert set(prof.index[prof["significant"].astype(bool)]) == {COMPLEX, STRAIN}


def test_finding_5_every_self_efficacy_statement_improved_none_significantly(all_roles):
    se = _domain(all_roles, "self_efficacy")
    assert (se["diff"] > 0).all() and not se["significant"].astype(bool).any()


def test_finding_6_only_case_reports_stays_below_neutral(all_roles):
    se = _domain(all_roles, "self_efficacy")
    assert set(se.index[se["mean_b"] <= 2.5]) == {CASE_REPORTS}


def test_finding_7_only_peers_above_neutral_at_one_year(all_roles):
    rel = _domain(all_roles, "relationships")
    assert len(rel) == 4
    assert set(rel.index[rel["mean_a"] > 2.5]) == {PEERS}


def test_finding_8_all_relationships_above_neutral_and_significant_at_three_years(all_roles):
    rel = _domain(all_roles, "relationships")
    assert (rel["mean_b"] > 2.5).all() and rel["significant"].astype(bool).all()


def test_finding_9_senior_managers_and_lead_practitioners_agree_most(demo_path):
    # Mean of a role's answers over all statements of a set, per wave, from the product's
    # per-level counts. Finding 9 concerns every set and both waves.
    from rpgdash import queries

    with rpgdash.open_db(demo_path, read_only=True) as db:
        counts = queries.level_counts(db)
    counts["total"] = counts["score"] * counts["n"]
    means = counts.groupby(["wave", "domain", "role"])[["total", "n"]].sum()
    means = (means["total"] / means["n"]).rename("mean").reset_index()
    for (wave, domain), group in means.groupby(["wave", "domain"]):
        top_two = set(group.nlargest(2, "mean")["role"])
        assert top_two == {"Senior manager", "Lead practitioner"}, (wave, domain)
