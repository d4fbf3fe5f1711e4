"""The edges of the rules where a slip changes a citizen's rights: the day a matter is received
is the day in Hà Nội, not on the server's clock; a session or a withdrawal closes at the
minute the session starts; a pause that ended the day it began moves no deadline.

Each test here was written against a mutant of ``make mutate`` that no other test noticed
(docs/testing.md)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core import deadlines, triage
from bot.core.model import (
    RegistrationStatus,
    SessionStatus,
    Track,
    UnitKind,
)
from bot.core.triage import OutcomeType
from bot.core.workdays import WorkCalendar
from tests.unit.views import registration_view, session_view

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
# 06:30 on Tuesday 15 December 2026 in Hà Nội is still Monday the 14th in UTC: a server on
# UTC that took the date from its own clock would count from the wrong day.
EARLY = datetime(2026, 12, 15, 6, 30, tzinfo=HANOI)
SESSION = session_view(EARLY)
REGISTRATION = registration_view(
    SESSION,
    # 06:30 on Wednesday 2 December in Hà Nội: Tuesday the 1st, 23:30, in UTC.
    datetime(2026, 12, 1, 23, 30, tzinfo=UTC),
    date(2026, 12, 16),
)
WORK = WorkCalendar()
LAW = deadlines.Deadlines()


def test_a_matter_submitted_early_in_the_morning_is_received_that_day_in_hanoi() -> None:
    assert deadlines.received(REGISTRATION, HANOI, LAW, WORK).day == date(2026, 12, 2)


def test_a_matter_received_at_an_early_session_counts_from_the_session_day_in_hanoi() -> None:
    assert deadlines.at_reception(REGISTRATION, HANOI).day == date(2026, 12, 15)


def test_the_party_answer_after_an_early_session_is_due_ten_working_days_from_that_day() -> None:
    party = replace(REGISTRATION, unit_kind=UnitKind.PARTY_COMMITTEE)
    assert party.track is Track.PARTY
    duty = deadlines.after_outcome(party, OutcomeType.ACCEPTED, None, HANOI, LAW, WORK)
    assert duty is not None
    assert duty.due == WORK.add_working_days(date(2026, 12, 15), 10) == date(2026, 12, 29)


def test_a_slot_at_an_early_session_is_on_the_session_day_in_hanoi() -> None:
    slotted = replace(REGISTRATION, slot_time=time(7, 0))
    assert triage.appointment_of(slotted, HANOI) == datetime(2026, 12, 15, 7, 0, tzinfo=HANOI)


def test_a_pause_is_counted_in_hanoi_working_days() -> None:
    # Asked on Friday 18 December at 06:00 in Hà Nội (Thursday in UTC); answered on Monday
    # the 21st: one working day waited (the Monday), not two.
    asked = datetime(2026, 12, 18, 6, 0, tzinfo=HANOI)
    due = date(2026, 12, 28)
    resumed = triage.resumed_due_date(due, asked, date(2026, 12, 21), WORK, HANOI)
    assert resumed == WORK.add_working_days(due, 1) == date(2026, 12, 29)


def test_a_pause_answered_the_day_it_began_moves_no_deadline() -> None:
    asked = datetime(2026, 12, 18, 9, 0, tzinfo=HANOI)
    due = date(2026, 12, 28)
    assert triage.resumed_due_date(due, asked, date(2026, 12, 18), WORK, HANOI) == due


def test_a_session_takes_approvals_until_the_minute_it_starts() -> None:
    assert triage.open_for_approval(SESSION, EARLY - timedelta(minutes=1))
    assert not triage.open_for_approval(SESSION, EARLY)


@pytest.mark.parametrize("status", [SessionStatus.CANCELLED, SessionStatus.MOVED])
def test_a_session_no_longer_planned_takes_no_approval_even_before_it_starts(
    status: SessionStatus,
) -> None:
    assert not triage.open_for_approval(replace(SESSION, status=status), EARLY - timedelta(days=3))


def test_an_overbooked_session_has_no_room_even_for_someone_already_in_it() -> None:
    # The capacity was lowered below the places taken: a citizen already there keeps their
    # place, but approving them again must not count as fitting.
    overbooked = replace(SESSION, capacity=1, taken=2)
    assert not triage.has_room_for(overbooked, REGISTRATION)
    assert triage.has_room_for(replace(overbooked, taken=1), REGISTRATION)


def test_a_citizen_may_withdraw_until_the_minute_the_session_starts() -> None:
    assert REGISTRATION.withdrawable(EARLY - timedelta(minutes=1))
    assert not REGISTRATION.withdrawable(EARLY)


def test_a_registration_whose_session_was_cancelled_may_be_withdrawn_even_after_its_time() -> None:
    cancelled = replace(REGISTRATION, status=RegistrationStatus.CANCELLED)
    assert cancelled.withdrawable(EARLY + timedelta(days=1))
