"""Representatives of a group (Law on Citizen Reception, Art. 29)."""

from __future__ import annotations

import pytest

from bot.core.representatives import representative_limits, representatives_allowed


@pytest.mark.parametrize(
    ("people", "limits"),
    [
        (1, None),
        (4, None),
        (5, (1, 2)),
        (7, (1, 2)),
        (10, (1, 2)),
        (11, (1, 5)),
        (50, (1, 5)),
        (1000, (1, 5)),
    ],
)
def test_representative_limits(people: int, limits: tuple[int, int] | None) -> None:
    assert representative_limits(people) == limits


@pytest.mark.parametrize(
    ("people", "allowed"),
    [
        (1, {0}),
        (4, {0}),
        (5, {1, 2}),
        (10, {1, 2}),
        (11, {1, 2, 3, 4, 5}),
        (1000, {1, 2, 3, 4, 5}),
    ],
)
def test_representatives_allowed(people: int, allowed: set[int]) -> None:
    for count in range(-1, 12):
        assert representatives_allowed(people, count) == (count in allowed), (people, count)
