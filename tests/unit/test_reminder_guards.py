"""A reminder queued for a meeting goes only while the meeting is still as it was told: the
registration still approved, in the same session, at the same appointment time, and the session
still planned at the same hour. Otherwise the citizen would be sent to the wrong place or time.

Written against mutants of ``make mutate`` that no other test noticed (docs/testing.md)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.model import (
    RegistrationStatus,
    SessionStatus,
)
from bot.core.reminders import ReminderTimes, guard_holds, leader_digest_due, reminder_guard
from bot.core.workdays import WorkCalendar
from tests.unit.views import registration_view, session_view

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
STARTS = datetime(2026, 12, 15, 8, 0, tzinfo=HANOI)
SESSION = session_view(STARTS, capacity=10)
APPROVED = registration_view(
    SESSION, datetime(2026, 12, 1, 9, 0, tzinfo=HANOI), date(2026, 12, 15), slot_time=time(9, 30)
)
GUARD = reminder_guard(APPROVED, SESSION)


def test_the_guard_names_the_registration_its_session_its_hour_and_its_slot() -> None:
    guard = reminder_guard(APPROVED, SESSION)
    assert guard == {
        "registration": 11,
        "statuses": ["approved"],
        "session": 7,
        "starts_at": STARTS.isoformat(),
        "slot": "09:30",
    }
    assert reminder_guard(replace(APPROVED, slot_time=None), SESSION)["slot"] == ""


def test_a_reminder_of_an_unchanged_meeting_goes() -> None:
    assert guard_holds(GUARD, APPROVED, SESSION)


def test_a_reminder_without_an_appointment_time_goes_while_none_is_given() -> None:
    no_slot = replace(APPROVED, slot_time=None)
    guard = reminder_guard(no_slot, SESSION)
    assert guard_holds(guard, no_slot, SESSION)
    assert not guard_holds(guard, APPROVED, SESSION)


def test_a_reminder_does_not_go_once_the_registration_moved_to_another_session() -> None:
    # Approved again into session 8; session 7 is still planned at the same hour.
    elsewhere = replace(APPROVED, session_id=8, session_starts_at=STARTS + timedelta(days=7))
    assert not guard_holds(GUARD, elsewhere, SESSION)


@pytest.mark.parametrize("slot", [time(10, 0), time(9, 31), None])
def test_a_reminder_does_not_go_once_the_appointment_time_changed(slot: time | None) -> None:
    assert not guard_holds(GUARD, replace(APPROVED, slot_time=slot), SESSION)


@pytest.mark.parametrize(
    "status", [SessionStatus.CANCELLED, SessionStatus.MOVED, SessionStatus.HELD]
)
def test_a_reminder_does_not_go_once_the_session_is_no_longer_planned(
    status: SessionStatus,
) -> None:
    assert not guard_holds(GUARD, APPROVED, replace(SESSION, status=status))


def test_a_reminder_does_not_go_once_the_session_is_gone_or_at_another_hour() -> None:
    assert not guard_holds(GUARD, APPROVED, None)
    later = replace(SESSION, starts_at=STARTS + timedelta(hours=1))
    assert not guard_holds(GUARD, APPROVED, later)


@pytest.mark.parametrize(
    "status",
    sorted(set(RegistrationStatus) - {RegistrationStatus.APPROVED}),
)
def test_a_reminder_does_not_go_once_the_registration_is_no_longer_approved(
    status: RegistrationStatus,
) -> None:
    assert not guard_holds(GUARD, replace(APPROVED, status=status), SESSION)
    assert not guard_holds(GUARD, None, SESSION)


# --- the leader's digest --------------------------------------------------------------------


def test_the_digest_of_an_early_session_is_the_working_day_before_in_hanoi() -> None:
    # 06:30 on Tuesday 15 December in Hà Nội is Monday the 14th in UTC: the digest is due on
    # Monday at 15:00, not on the Friday before.
    early = datetime(2026, 12, 15, 6, 30, tzinfo=HANOI)
    due = leader_digest_due(early, ReminderTimes(HANOI), WorkCalendar())
    assert due == datetime(2026, 12, 14, 15, 0, tzinfo=HANOI)
