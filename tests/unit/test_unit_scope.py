"""An officer's units: the units named in their configuration and every unit below them, at
any depth, and nothing beside or above them.

Written against mutants of ``make mutate`` that no other test noticed (docs/testing.md)."""

from __future__ import annotations

import pytest

from bot.core.model import Unit, UnitKind, UnitLevel
from bot.core.triage import units_below


def _unit(unit_id: int, code: str, parent_id: int | None, level: UnitLevel) -> Unit:
    return Unit(unit_id, code, code, UnitKind.PARTY_COMMITTEE, level, parent_id)


P, C = UnitLevel.PROVINCE, UnitLevel.COMMUNE
# Two provincial units, each with communes below; one commune has a unit of its own below it.
# Children are listed before their parents: the order of the list must not matter.
UNITS = [
    _unit(5, "chi-bo-thon-2", 3, C),
    _unit(3, "dang-uy-xa-a", 1, C),
    _unit(4, "dang-uy-xa-b", 1, C),
    _unit(6, "ubnd-xa", 2, C),
    _unit(1, "tinh-uy", None, P),
    _unit(2, "ubnd-tinh", None, P),
]


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        # The province's party committee: both communes and the unit below one of them.
        (["tinh-uy"], {1, 3, 4, 5}),
        # A commune: itself and what is below it, not its sibling, not its parent.
        (["dang-uy-xa-a"], {3, 5}),
        (["dang-uy-xa-b"], {4}),
        (["chi-bo-thon-2"], {5}),
        # Two codes, one inside the other: each unit once.
        (["tinh-uy", "dang-uy-xa-a"], {1, 3, 4, 5}),
        (["dang-uy-xa-b", "ubnd-xa"], {4, 6}),
        (["tinh-uy", "ubnd-tinh"], {1, 2, 3, 4, 5, 6}),
        (["no-such-unit"], set()),
        ([], set()),
    ],
)
def test_an_officers_units_are_those_named_and_every_unit_below_them(
    codes: list[str], expected: set[int]
) -> None:
    assert units_below(codes, UNITS) == frozenset(expected)


def test_a_deeper_tree_is_followed_to_its_leaves() -> None:
    chain = [_unit(1, "u1", None, P)] + [_unit(n, f"u{n}", n - 1, C) for n in range(2, 7)]
    assert units_below(["u1"], chain) == frozenset(range(1, 7))
    assert units_below(["u4"], reversed(chain)) == frozenset({4, 5, 6})
