"""Disclosure control: primary and secondary suppression of small role groups."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rpgdash.stats.disclosure import Suppression, suppress_small_groups, suppressed_roles


def sizes(*rows: tuple[str, str, int]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["role", "wave", "respondents"])


def hidden(result: list[Suppression], wave: str = "W") -> list[tuple[str, str]]:
    return [(s.role, s.kind) for s in result if s.wave == wave]


def test_nothing_suppressed_when_every_group_is_big_enough():
    assert suppress_small_groups(sizes(("A", "W", 5), ("B", "W", 9))) == []


def test_one_small_group_also_hides_the_next_smallest():
    # A (3) is under k = 5. Shown alone, total - B - C = A, so B (the smallest shown) goes too
    result = suppress_small_groups(sizes(("A", "W", 3), ("B", "W", 10), ("C", "W", 12)))
    assert result == [
        Suppression("A", "W", "fewer than 5 respondents in W (primary suppression)", "primary"),
        Suppression(
            "B", "W", "hidden to protect a smaller group in W (secondary suppression)", "secondary"
        ),
    ]


def test_secondary_ties_go_to_the_role_that_appears_first():
    result = suppress_small_groups(sizes(("A", "W", 2), ("C", "W", 10), ("B", "W", 10)))
    assert hidden(result) == [("A", "primary"), ("C", "secondary")]


def test_two_small_groups_that_add_up_to_k_need_no_cover():
    result = suppress_small_groups(sizes(("A", "W", 3), ("B", "W", 4), ("C", "W", 10)))
    assert hidden(result) == [("A", "primary"), ("B", "primary")]


def test_two_small_groups_adding_up_to_less_than_k_need_cover():
    # 1 + 2 = 3 people could be read as a pair from the total: hide C (smallest shown) too
    result = suppress_small_groups(
        sizes(("A", "W", 1), ("B", "W", 2), ("D", "W", 20), ("C", "W", 10))
    )
    assert hidden(result) == [("A", "primary"), ("B", "primary"), ("C", "secondary")]


def test_total_below_k_is_suppressed_too():
    result = suppress_small_groups(sizes(("A", "W", 2), ("B", "W", 1)))
    assert hidden(result) == [("A", "primary"), ("B", "primary"), ("All roles", "primary")]
    assert result[-1].reason == "fewer than 5 respondents in W in total (primary suppression)"


def test_total_row_alone_is_checked_and_ignored_when_roles_exist():
    only_total = suppress_small_groups(sizes(("All roles", "W", 4)))
    assert hidden(only_total) == [("All roles", "primary")]
    assert suppress_small_groups(sizes(("All roles", "W", 7))) == []
    # with role rows the total is their sum (12), whatever the total row says
    result = suppress_small_groups(sizes(("All roles", "W", 3), ("A", "W", 6), ("B", "W", 6)))
    assert result == []


def test_empty_groups_are_neither_suppressed_nor_used_as_cover():
    result = suppress_small_groups(sizes(("A", "W", 0), ("B", "W", 3), ("C", "W", 8)))
    assert hidden(result) == [("B", "primary"), ("C", "secondary")]


def test_waves_are_independent_and_threshold_is_a_parameter():
    table = sizes(("A", "W1", 8), ("B", "W1", 20), ("A", "W2", 12), ("B", "W2", 20))
    assert suppress_small_groups(table) == []
    result = suppress_small_groups(table, min_group=10)
    assert [(s.role, s.wave, s.kind) for s in result] == [
        ("A", "W1", "primary"),
        ("B", "W1", "secondary"),
    ]


def test_missing_columns_are_reported():
    with pytest.raises(ValueError, match="respondents"):
        suppress_small_groups(pd.DataFrame({"role": ["A"], "wave": ["W"]}))


def test_suppressed_roles_combines_waves():
    table = sizes(
        ("A", "+1 year", 3),
        ("B", "+1 year", 10),
        ("C", "+1 year", 30),
        ("A", "+3 years", 2),
        ("B", "+3 years", 6),
        ("C", "+3 years", 30),
        ("C", "+5 years", 3),
    )
    result = suppress_small_groups(table)
    roles = suppressed_roles(result, "+1 year", "+3 years")
    assert roles == {
        "A": "fewer than 5 respondents in +1 year and +3 years (primary suppression)",
        "B": "hidden to protect a smaller group in +1 year and +3 years (secondary suppression)",
    }
    only_later = suppressed_roles(result, "+3 years", "+5 years")
    assert only_later["C"] == "fewer than 5 respondents in +5 years (primary suppression)"
    mixed = suppressed_roles(
        [
            Suppression("X", "1", "small in 1", "primary"),
            Suppression("X", "2", "cover in 2", "secondary"),
        ],
        "1",
        "2",
    )
    assert mixed == {"X": "small in 1; cover in 2"}


group_tables = st.lists(st.integers(0, 30), min_size=1, max_size=7)


@settings(deadline=None)  # examples: the Hypothesis profile (tests/conftest.py)
@given(waves=st.lists(group_tables, min_size=1, max_size=3), k=st.integers(2, 11))
def test_no_subtraction_attack(waves, k):
    rows = [
        (f"role{i}", f"wave{w}", n) for w, groups in enumerate(waves) for i, n in enumerate(groups)
    ]
    result = suppress_small_groups(sizes(*rows), min_group=k)
    for w, groups in enumerate(waves):
        wave = f"wave{w}"
        total = sum(groups)
        roles = {s.role for s in result if s.wave == wave and s.role != "All roles"}
        total_hidden = any(s.role == "All roles" for s in result if s.wave == wave)
        size = {f"role{i}": n for i, n in enumerate(groups)}
        # every small non-empty group is hidden, no empty group is
        assert {r for r, n in size.items() if 0 < n < k} <= roles
        assert all(size[r] > 0 for r in roles)
        assert total_hidden == (0 < total < k)
        if not total_hidden and roles:
            # shown: the total and the other roles; recoverable: only the hidden groups' sum,
            # which must span at least two groups and at least k people
            assert len(roles) >= 2
            assert sum(size[r] for r in roles) >= k
