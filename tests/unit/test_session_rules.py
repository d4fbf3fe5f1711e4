"""A session's rules that need no database: the law's notice for a published schedule (at
least five working days ahead, Law on Citizen Reception Art. 24: exactly five is in time, four
is short), and an appointment time inside the session's hours, on its day in Hà Nội.

The rest of a session's rules (cancelling, moving, publishing one that has started or is no
longer planned) need the schedule in a database: tests/dialogue/test_rule_boundaries.py.

Written against mutants of ``make mutate`` that no other test noticed (docs/testing.md)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.core import triage
from bot.core.sessions import PUBLICATION_NOTICE_WORKING_DAYS, publication_notice_short
from bot.core.workdays import WorkCalendar
from tests.unit.views import session_view

WORK = WorkCalendar()
# Monday 30 November 2026; the working days after it are Tuesday 1 … Friday 4, Monday 7.
MONDAY = date(2026, 11, 30)


def test_publishing_exactly_five_working_days_ahead_is_in_time() -> None:
    session_day = date(2026, 12, 7)
    assert WORK.working_days_between(MONDAY, session_day) == PUBLICATION_NOTICE_WORKING_DAYS == 5
    assert not publication_notice_short(session_day, MONDAY, WORK)


def test_publishing_four_working_days_ahead_is_short_notice() -> None:
    assert publication_notice_short(date(2026, 12, 4), MONDAY, WORK)


def test_the_weekend_before_the_session_does_not_count_as_notice() -> None:
    # From Wednesday 2 December to Monday 7: Thursday, Friday, Monday are three working days.
    assert publication_notice_short(date(2026, 12, 7), date(2026, 12, 2), WORK)
    assert not publication_notice_short(date(2026, 12, 9), date(2026, 12, 2), WORK)


# --- an appointment time inside the session's hours ------------------------------------------

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
# 06:30–09:30 on Tuesday 15 December in Hà Nội: 23:30 on Monday the 14th in UTC, so a server
# on UTC that took the session's day from its own clock would put the slot on the Monday.
EARLY = session_view(datetime(2026, 12, 15, 6, 30, tzinfo=HANOI), capacity=10)


def test_a_slot_in_an_early_session_is_on_the_session_day_in_hanoi() -> None:
    assert EARLY.starts_at.astimezone(UTC).date() == date(2026, 12, 14)
    assert triage.appointment(EARLY, time(7, 0), HANOI) == datetime(
        2026, 12, 15, 7, 0, tzinfo=HANOI
    )


def test_a_slot_at_the_minute_the_session_starts_is_inside_it() -> None:
    assert triage.appointment(EARLY, time(6, 30), HANOI) == EARLY.starts_at


@pytest.mark.parametrize("slot", [time(9, 30), time(10, 0), time(6, 29)])
def test_a_slot_at_the_end_of_the_session_or_outside_its_hours_is_refused(slot: time) -> None:
    assert triage.appointment(EARLY, slot, HANOI) is None


def test_without_a_slot_the_citizen_is_expected_when_the_session_starts() -> None:
    assert triage.appointment(EARLY, None, HANOI) == EARLY.starts_at
