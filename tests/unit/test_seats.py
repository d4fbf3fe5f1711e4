"""A session's places: a registration counts its own place as free only while it holds it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from bot.core import triage
from bot.core.model import (
    SEAT_HOLDING_STATUSES,
    RegistrationStatus,
)
from tests.unit.views import registration_view, session_view

STARTS = datetime(2026, 12, 15, 1, 0, tzinfo=UTC)
FULL = session_view(STARTS, taken=2)
CITIZEN = registration_view(FULL, STARTS.replace(day=1), date(2026, 12, 14))


@pytest.mark.parametrize("status", sorted(SEAT_HOLDING_STATUSES))
def test_a_citizen_holding_a_place_in_a_full_session_fits_there_again(
    status: RegistrationStatus,
) -> None:
    """Moving a slot within the same full session, or confirming it, needs no new place."""
    assert triage.has_room_for(FULL, replace(CITIZEN, status=status))


@pytest.mark.parametrize("status", sorted(set(RegistrationStatus) - SEAT_HOLDING_STATUSES))
def test_a_citizen_who_gave_up_the_place_does_not_fit_a_full_session(
    status: RegistrationStatus,
) -> None:
    """ "I cannot come" (cancelled) frees the place, which someone else may have taken since:
    approving them into the same full session again would overbook it."""
    assert not triage.has_room_for(FULL, replace(CITIZEN, status=status))


def test_a_place_is_needed_in_another_session_and_free_when_there_is_one() -> None:
    elsewhere = replace(FULL, id=8)
    assert not triage.has_room_for(elsewhere, CITIZEN)
    assert triage.has_room_for(replace(elsewhere, taken=1), CITIZEN)
