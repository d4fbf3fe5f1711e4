"""Reception schedules: recurring rules become dated sessions, moved or skipped around holidays.

The recurrence and holiday rules are pure functions over dates; ``materialise`` is the one
service that writes sessions through the repository port.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.model import (
    HolidayPolicy,
    NewSession,
    Recurrence,
    RecurrenceKind,
    ScheduleRule,
)
from bot.core.ports import Repository
from bot.core.workdays import WorkCalendar

# Longer than any run of days off (Tết is at most nine), so a shift never goes unseen.
_SHIFT_LOOKAHEAD = timedelta(days=31)


@dataclass(frozen=True, slots=True)
class Occurrence:
    nominal: date  # the date the rule names
    actual: date  # the date the session is held, after the holiday policy


def validate_recurrence(recurrence: Recurrence) -> None:
    """Raise ValueError when a rule cannot describe real dates."""
    if recurrence.kind is RecurrenceKind.MONTHLY_DAY:
        if recurrence.day_of_month is None or not 1 <= recurrence.day_of_month <= 31:
            raise ValueError("a monthly rule needs day_of_month between 1 and 31")
    elif recurrence.kind is RecurrenceKind.MONTHLY_NTH_WEEKDAY:
        if recurrence.nth not in (1, 2, 3, 4, -1):
            raise ValueError("nth must be 1, 2, 3, 4 or -1 (the last)")
        if recurrence.weekday is None or not 0 <= recurrence.weekday <= 6:
            raise ValueError("weekday must be 0 (Monday) to 6 (Sunday)")
    elif recurrence.kind is RecurrenceKind.WEEKLY:
        if recurrence.weekday is None or not 0 <= recurrence.weekday <= 6:
            raise ValueError("weekday must be 0 (Monday) to 6 (Sunday)")
        if recurrence.interval_weeks < 1:
            raise ValueError("interval_weeks must be at least 1")


def nominal_dates(recurrence: Recurrence, anchor: date, start: date, end: date) -> Iterator[date]:
    """Dates named by the rule within [start, end]; ``anchor`` fixes the phase of weekly rules."""
    validate_recurrence(recurrence)
    if recurrence.kind is RecurrenceKind.WEEKLY:
        assert recurrence.weekday is not None
        first = anchor + timedelta(days=(recurrence.weekday - anchor.weekday()) % 7)
        step = timedelta(weeks=recurrence.interval_weeks)
        if first < start:
            periods = -(-(start - first).days // step.days)
            first += step * periods
        day = first
        while day <= end:
            yield day
            day += step
        return
    year, month = start.year, start.month
    while date(year, month, 1) <= end:
        day = _monthly_date(recurrence, year, month)
        if start <= day <= end:
            yield day
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _monthly_date(recurrence: Recurrence, year: int, month: int) -> date:
    last = calendar.monthrange(year, month)[1]
    if recurrence.kind is RecurrenceKind.MONTHLY_DAY:
        assert recurrence.day_of_month is not None
        return date(year, month, min(recurrence.day_of_month, last))
    assert recurrence.nth is not None and recurrence.weekday is not None
    if recurrence.nth == -1:
        day = date(year, month, last)
        return day - timedelta(days=(day.weekday() - recurrence.weekday) % 7)
    first = date(year, month, 1)
    offset = (recurrence.weekday - first.weekday()) % 7
    return first + timedelta(days=offset + 7 * (recurrence.nth - 1))


def occurrences(
    rule: ScheduleRule, work: WorkCalendar, start: date, end: date
) -> list[Occurrence]:
    """Sessions the rule yields for nominal dates in [start, end], after its holiday policy.

    A session shifted off a holiday onto the day of the rule's next regular session is
    dropped: the leader holds one session that day, not two. Dates beyond ``end`` are looked
    at for that, so every run decides the same way whatever its window.
    """
    first = max(start, rule.valid_from)
    last = min(end, rule.valid_until) if rule.valid_until else end
    if first > last:
        return []
    horizon = last + _SHIFT_LOOKAHEAD
    if rule.valid_until:
        horizon = min(horizon, rule.valid_until)
    by_day: dict[date, Occurrence] = {}
    for nominal in nominal_dates(rule.recurrence, rule.valid_from, first, horizon):
        if work.is_working_day(nominal):
            by_day[nominal] = Occurrence(nominal, nominal)
        elif rule.holiday_policy is HolidayPolicy.SHIFT:
            actual = work.next_working_day(nominal)
            by_day.setdefault(actual, Occurrence(nominal, actual))
    return sorted(
        (o for o in by_day.values() if first <= o.nominal <= last), key=lambda o: o.nominal
    )


def plan_sessions(
    rule: ScheduleRule, work: WorkCalendar, zone: ZoneInfo, start: date, end: date, now: datetime
) -> list[NewSession]:
    sessions: list[NewSession] = []
    for occurrence in occurrences(rule, work, start, end):
        starts_at = datetime.combine(occurrence.actual, rule.start, tzinfo=zone)
        ends_at = datetime.combine(occurrence.actual, rule.end, tzinfo=zone)
        sessions.append(
            NewSession(
                leader_id=rule.leader_id,
                rule_id=rule.id,
                nominal_date=occurrence.nominal,
                starts_at=starts_at,
                ends_at=ends_at,
                location=rule.location,
                capacity=rule.capacity,
                published_at=now if rule.auto_publish else None,
            )
        )
    return sessions


async def materialise(
    repo: Repository, work: WorkCalendar, zone: ZoneInfo, now: datetime, days: int
) -> int:
    """Create the sessions of every active rule for the next ``days`` days; existing ones stay.

    Returns how many sessions were added. Safe to run again: a session is unique per rule and
    nominal date.
    """
    today = now.astimezone(zone).date()
    end = today + timedelta(days=days)
    added = 0
    for rule in await repo.active_schedule_rules():
        added += await repo.add_sessions(plan_sessions(rule, work, zone, today, end, now), now)
    return added
