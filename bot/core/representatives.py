"""How many representatives a group must send (Law on Citizen Reception, Art. 29)."""

from __future__ import annotations

GROUP_THRESHOLD = 5


def representative_limits(people: int) -> tuple[int, int] | None:
    """(fewest, most) representatives for a group of ``people``; None when none are required.

    5–10 people choose one or two representatives; more than 10 may choose more, at most five.
    """
    if people < GROUP_THRESHOLD:
        return None
    if people <= 10:
        return (1, 2)
    return (1, 5)


def representatives_allowed(people: int, count: int) -> bool:
    limits = representative_limits(people)
    if limits is None:
        return count == 0
    low, high = limits
    return low <= count <= high
