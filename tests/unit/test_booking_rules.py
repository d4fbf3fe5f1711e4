"""Which sessions a citizen may book: ahead of its start, no further than the horizon, and not
once the officers no longer have the working days to decide, counted in Hà Nội days.

What ``registrations.submit`` does with a booking needs the database:
tests/dialogue/test_rule_boundaries.py. Written against mutants of ``make mutate`` that no other
test noticed (docs/testing.md)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.model import SessionView
from bot.core.registrations import BookingRules, bookable, closed_for_booking
from bot.core.workdays import WorkCalendar
from tests.unit.views import session_view

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
WORK = WorkCalendar()
RULES = BookingRules(
    zone=HANOI, horizon_days=60, min_notice_working_days=2, max_active_per_citizen=3
)

# 09:00 on Monday 30 November 2026 in Hà Nội.
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=HANOI)


def session_at(starts_at: datetime) -> SessionView:
    return session_view(starts_at, capacity=10, taken=3)


def test_a_session_exactly_at_the_horizon_may_be_booked_and_not_a_minute_beyond() -> None:
    at_horizon = session_at(NOW + timedelta(days=60))
    assert bookable(at_horizon, NOW, WORK, RULES)
    assert not bookable(session_at(at_horizon.starts_at + timedelta(minutes=1)), NOW, WORK, RULES)


def test_a_session_that_starts_this_minute_cannot_be_booked_even_without_notice() -> None:
    # With no working day of notice asked for, only its start closes a session.
    no_notice = replace(RULES, min_notice_working_days=0)
    assert bookable(session_at(NOW + timedelta(minutes=1)), NOW, WORK, no_notice)
    assert not bookable(session_at(NOW), NOW, WORK, no_notice)


# 06:30 on Tuesday 15 December in Hà Nội is still Monday the 14th, 23:30, in UTC.
EARLY_TUESDAY = datetime(2026, 12, 15, 6, 30, tzinfo=HANOI)


def test_booking_early_in_the_morning_counts_the_notice_from_that_day_in_hanoi() -> None:
    # Today is Tuesday in Hà Nội: two working days of notice open Thursday the 17th, so a
    # session on Wednesday the 16th is closed (counted from Monday it would still be open).
    wednesday = session_at(datetime(2026, 12, 16, 9, 0, tzinfo=HANOI))
    assert closed_for_booking(wednesday, EARLY_TUESDAY, WORK, RULES)
    assert not bookable(wednesday, EARLY_TUESDAY, WORK, RULES)
    thursday = session_at(datetime(2026, 12, 17, 9, 0, tzinfo=HANOI))
    assert not closed_for_booking(thursday, EARLY_TUESDAY, WORK, RULES)


def test_a_session_early_in_the_morning_of_the_first_open_day_is_open() -> None:
    # From Tuesday 15 December at 09:00 the first open day is Thursday the 17th; a session at
    # 06:30 that Thursday is Wednesday 23:30 in UTC, and must not count as Wednesday.
    tuesday = datetime(2026, 12, 15, 9, 0, tzinfo=HANOI)
    early_thursday = session_at(datetime(2026, 12, 17, 6, 30, tzinfo=HANOI))
    assert not closed_for_booking(early_thursday, tuesday, WORK, RULES)
    assert bookable(early_thursday, tuesday, WORK, RULES)
    early_wednesday = session_at(datetime(2026, 12, 16, 6, 30, tzinfo=HANOI))
    assert closed_for_booking(early_wednesday, tuesday, WORK, RULES)
