"""Recurring reception rules become dated sessions, moved or skipped around holidays."""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.model import (
    CalendarOverride,
    HolidayPolicy,
    Recurrence,
    RecurrenceKind,
    ScheduleRule,
)
from bot.core.schedules import (
    Occurrence,
    nominal_dates,
    occurrences,
    plan_sessions,
    validate_recurrence,
)
from bot.core.workdays import WorkCalendar

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
SHIFT, SKIP = HolidayPolicy.SHIFT, HolidayPolicy.SKIP


def monthly_day(day: int) -> Recurrence:
    return Recurrence(RecurrenceKind.MONTHLY_DAY, day_of_month=day)


def nth_weekday(nth: int, weekday: int) -> Recurrence:
    return Recurrence(RecurrenceKind.MONTHLY_NTH_WEEKDAY, nth=nth, weekday=weekday)


def weekly(weekday: int, interval: int = 1) -> Recurrence:
    return Recurrence(RecurrenceKind.WEEKLY, weekday=weekday, interval_weeks=interval)


def make_rule(
    recurrence: Recurrence,
    policy: HolidayPolicy = SHIFT,
    valid_from: date = date(2026, 1, 1),
    valid_until: date | None = None,
    auto_publish: bool = True,
) -> ScheduleRule:
    return ScheduleRule(
        id=1,
        leader_id=1,
        recurrence=recurrence,
        start=time(8),
        end=time(11),
        location="P1",
        capacity=5,
        holiday_policy=policy,
        valid_from=valid_from,
        valid_until=valid_until,
        auto_publish=auto_publish,
    )


@pytest.fixture
def work() -> WorkCalendar:
    return WorkCalendar()


# --- validate_recurrence -----------------------------------------------------------------


@pytest.mark.parametrize(
    "recurrence",
    [
        monthly_day(1),
        monthly_day(31),
        nth_weekday(1, 0),
        nth_weekday(4, 6),
        nth_weekday(-1, 4),
        weekly(0),
        weekly(6, 4),
    ],
    ids=repr,
)
def test_valid_recurrences_are_accepted(recurrence: Recurrence) -> None:
    validate_recurrence(recurrence)  # must not raise
    assert list(nominal_dates(recurrence, date(2026, 1, 1), date(2026, 1, 1), date(2026, 3, 31)))


@pytest.mark.parametrize(
    ("recurrence", "problem"),
    [
        (monthly_day(0), "day_of_month"),
        (monthly_day(32), "day_of_month"),
        (monthly_day(-1), "day_of_month"),
        (Recurrence(RecurrenceKind.MONTHLY_DAY), "day_of_month"),
        (nth_weekday(5, 0), "nth"),
        (nth_weekday(0, 0), "nth"),
        (nth_weekday(-2, 0), "nth"),
        (Recurrence(RecurrenceKind.MONTHLY_NTH_WEEKDAY, weekday=0), "nth"),
        (nth_weekday(1, 7), "weekday"),
        (nth_weekday(1, -1), "weekday"),
        (Recurrence(RecurrenceKind.MONTHLY_NTH_WEEKDAY, nth=1), "weekday"),
        (weekly(7), "weekday"),
        (weekly(-1), "weekday"),
        (Recurrence(RecurrenceKind.WEEKLY), "weekday"),
        (weekly(0, 0), "interval_weeks"),
        (weekly(0, -2), "interval_weeks"),
    ],
    ids=repr,
)
def test_invalid_recurrences_raise_value_error(
    recurrence: Recurrence, problem: str, work: WorkCalendar
) -> None:
    with pytest.raises(ValueError, match=problem):
        validate_recurrence(recurrence)
    with pytest.raises(ValueError, match=problem):
        list(nominal_dates(recurrence, date(2026, 1, 1), date(2026, 1, 1), date(2026, 12, 31)))
    with pytest.raises(ValueError, match=problem):
        occurrences(make_rule(recurrence), work, date(2026, 1, 1), date(2026, 12, 31))


# --- nominal_dates --------------------------------------------------------------------------


def test_monthly_day_past_month_end_means_the_last_day() -> None:
    dates = list(
        nominal_dates(monthly_day(31), date(2026, 1, 1), date(2027, 1, 1), date(2028, 3, 31))
    )
    last_days = [
        date(year, month, calendar.monthrange(year, month)[1])
        for year, month in [(2027, m) for m in range(1, 13)] + [(2028, 1), (2028, 2), (2028, 3)]
    ]
    assert dates == last_days
    assert date(2027, 2, 28) in dates
    assert date(2028, 2, 29) in dates  # leap year


def test_monthly_day_30_in_february_and_april() -> None:
    dates = list(
        nominal_dates(monthly_day(30), date(2026, 1, 1), date(2027, 1, 1), date(2027, 4, 30))
    )
    assert dates == [date(2027, 1, 30), date(2027, 2, 28), date(2027, 3, 30), date(2027, 4, 30)]


def test_first_monday_of_each_month_in_2027() -> None:
    dates = list(
        nominal_dates(nth_weekday(1, 0), date(2026, 1, 1), date(2027, 1, 1), date(2027, 12, 31))
    )
    expected = [(1, 4), (2, 1), (3, 1), (4, 5), (5, 3), (6, 7), (7, 5), (8, 2), (9, 6), (10, 4)]
    expected += [(11, 1), (12, 6)]
    assert dates == [date(2027, month, day) for month, day in expected]
    assert all(day.weekday() == 0 for day in dates)


def _oracle(year: int, month: int, nth: int, weekday: int) -> date:
    matching = [
        day
        for day in calendar.Calendar().itermonthdates(year, month)
        if day.month == month and day.weekday() == weekday
    ]
    return matching[-1] if nth == -1 else matching[nth - 1]


@pytest.mark.parametrize("nth", [1, 2, 3, 4, -1])
@pytest.mark.parametrize("weekday", range(7))
def test_nth_weekday_matches_a_calendar_oracle(nth: int, weekday: int) -> None:
    start, end = date(2026, 1, 1), date(2028, 12, 31)
    dates = list(nominal_dates(nth_weekday(nth, weekday), start, start, end))
    expected = [
        _oracle(year, month, nth, weekday) for year in (2026, 2027, 2028) for month in range(1, 13)
    ]
    assert dates == expected


@pytest.mark.parametrize(
    ("nth", "weekday", "month", "expected"),
    [
        (-1, 4, 1, date(2027, 1, 29)),  # last Friday
        (-1, 4, 2, date(2027, 2, 26)),
        (-1, 4, 4, date(2027, 4, 30)),  # the last day of the month itself
        (-1, 0, 5, date(2027, 5, 31)),
        (4, 6, 2, date(2027, 2, 28)),
        (3, 2, 9, date(2027, 9, 15)),
    ],
)
def test_nth_weekday_examples(nth: int, weekday: int, month: int, expected: date) -> None:
    start = date(2027, month, 1)
    end = date(2027, month, calendar.monthrange(2027, month)[1])
    assert list(nominal_dates(nth_weekday(nth, weekday), start, start, end)) == [expected]


def test_nominal_dates_bounds_are_inclusive() -> None:
    rule = monthly_day(5)
    anchor = date(2026, 1, 1)
    assert list(nominal_dates(rule, anchor, date(2026, 3, 5), date(2026, 5, 5))) == [
        date(2026, 3, 5),
        date(2026, 4, 5),
        date(2026, 5, 5),
    ]
    assert list(nominal_dates(rule, anchor, date(2026, 3, 6), date(2026, 5, 4))) == [
        date(2026, 4, 5)
    ]
    assert list(nominal_dates(rule, anchor, date(2026, 3, 6), date(2026, 4, 4))) == []


def test_weekly_rule_every_week() -> None:
    dates = list(nominal_dates(weekly(2), date(2026, 1, 1), date(2026, 11, 1), date(2026, 11, 30)))
    assert dates == [date(2026, 11, d) for d in (4, 11, 18, 25)]


@pytest.mark.parametrize(
    "start",
    [date(2026, 1, 1), date(2026, 1, 5), date(2026, 1, 6), date(2026, 3, 1), date(2026, 3, 16)],
    ids=str,
)
def test_every_other_week_keeps_its_phase_from_the_anchor(start: date) -> None:
    anchor = date(2026, 1, 1)  # a Thursday; the first Monday is 5 January
    end = date(2026, 6, 30)
    dates = list(nominal_dates(weekly(0, 2), anchor, start, end))
    phase = date(2026, 1, 5)
    expected = [
        phase + timedelta(weeks=2 * k)
        for k in range(30)
        if start <= phase + timedelta(weeks=2 * k) <= end
    ]
    assert dates
    assert dates == expected
    assert all((day - phase).days % 14 == 0 for day in dates)


def test_weekly_rule_on_the_anchor_weekday_starts_on_the_anchor() -> None:
    anchor = date(2026, 1, 7)  # Wednesday
    dates = list(nominal_dates(weekly(2, 3), anchor, anchor, date(2026, 2, 28)))
    assert dates == [date(2026, 1, 7), date(2026, 1, 28), date(2026, 2, 18)]


def test_nominal_dates_empty_when_end_before_start() -> None:
    anchor = date(2026, 1, 1)
    assert list(nominal_dates(weekly(0), anchor, date(2026, 5, 1), date(2026, 4, 1))) == []
    assert list(nominal_dates(monthly_day(5), anchor, date(2026, 5, 1), date(2026, 4, 1))) == []


# --- occurrences: the holiday policy ------------------------------------------------------


def test_fifth_of_the_month_in_tet_2027_shifts_to_the_next_working_day(
    work: WorkCalendar,
) -> None:
    rule = make_rule(monthly_day(5), SHIFT)
    result = occurrences(rule, work, date(2027, 1, 1), date(2027, 3, 31))
    assert result == [
        Occurrence(date(2027, 1, 5), date(2027, 1, 5)),
        Occurrence(date(2027, 2, 5), date(2027, 2, 11)),
        Occurrence(date(2027, 3, 5), date(2027, 3, 5)),
    ]


def test_fifth_of_the_month_in_tet_2027_is_skipped(work: WorkCalendar) -> None:
    rule = make_rule(monthly_day(5), SKIP)
    result = occurrences(rule, work, date(2027, 1, 1), date(2027, 3, 31))
    assert result == [
        Occurrence(date(2027, 1, 5), date(2027, 1, 5)),
        Occurrence(date(2027, 3, 5), date(2027, 3, 5)),
    ]
    assert occurrences(rule, work, date(2027, 2, 1), date(2027, 2, 28)) == []


def test_first_monday_in_2027_around_the_observed_labour_day(work: WorkCalendar) -> None:
    # 3 May 2027 is the first Monday and the observed International Labour Day.
    shifted = occurrences(
        make_rule(nth_weekday(1, 0), SHIFT), work, date(2027, 1, 1), date(2027, 12, 31)
    )
    assert len(shifted) == 12
    assert Occurrence(date(2027, 5, 3), date(2027, 5, 4)) in shifted
    assert all(o.nominal == o.actual for o in shifted if o.nominal != date(2027, 5, 3))
    assert all(work.is_working_day(o.actual) for o in shifted)

    skipped = occurrences(
        make_rule(nth_weekday(1, 0), SKIP), work, date(2027, 1, 1), date(2027, 12, 31)
    )
    assert [o.nominal for o in skipped] == [o.nominal for o in shifted if o.nominal.month != 5]
    assert all(o.nominal == o.actual for o in skipped)


@pytest.mark.parametrize(
    ("recurrence", "nominal"),
    [
        (weekly(2), date(2026, 9, 2)),  # every Wednesday
        (monthly_day(2), date(2026, 9, 2)),
        (nth_weekday(1, 2), date(2026, 9, 2)),  # first Wednesday
        (weekly(0), date(2026, 8, 31)),  # the Monday swapped as a day off
    ],
    ids=["weekly", "monthly-day", "nth-weekday", "swapped-monday"],
)
def test_sessions_around_national_day_2026(
    recurrence: Recurrence, nominal: date, work: WorkCalendar
) -> None:
    start, end = date(2026, 8, 24), date(2026, 9, 6)
    shifted = occurrences(make_rule(recurrence, SHIFT), work, start, end)
    assert Occurrence(nominal, date(2026, 9, 3)) in shifted
    skipped = occurrences(make_rule(recurrence, SKIP), work, start, end)
    assert nominal not in [o.nominal for o in skipped]
    assert all(o.nominal == o.actual and work.is_working_day(o.actual) for o in skipped)


def test_weekend_date_shifts_to_monday(work: WorkCalendar) -> None:
    # 5 December 2026 is a Saturday.
    rule = make_rule(monthly_day(5), SHIFT)
    assert occurrences(rule, work, date(2026, 12, 1), date(2026, 12, 31)) == [
        Occurrence(date(2026, 12, 5), date(2026, 12, 7))
    ]


def test_make_up_working_saturday_keeps_the_session() -> None:
    work = WorkCalendar()
    from_override = WorkCalendar([CalendarOverride(date(2026, 12, 5), working=True)])
    rule = make_rule(monthly_day(5), SKIP)
    assert occurrences(rule, work, date(2026, 12, 1), date(2026, 12, 31)) == []
    assert occurrences(rule, from_override, date(2026, 12, 1), date(2026, 12, 31)) == [
        Occurrence(date(2026, 12, 5), date(2026, 12, 5))
    ]


def test_every_other_wednesday_phase_from_valid_from_with_tet_2026(work: WorkCalendar) -> None:
    rule = make_rule(weekly(2, 2), SHIFT, valid_from=date(2026, 1, 7))
    result = occurrences(rule, work, date(2026, 2, 1), date(2026, 3, 31))
    assert result == [
        Occurrence(date(2026, 2, 4), date(2026, 2, 4)),
        Occurrence(date(2026, 2, 18), date(2026, 2, 23)),  # Tết 2026 runs 16–20 February
        Occurrence(date(2026, 3, 4), date(2026, 3, 4)),
        Occurrence(date(2026, 3, 18), date(2026, 3, 18)),
    ]


# --- occurrences: validity bounds ---------------------------------------------------------


def test_valid_from_cuts_earlier_dates(work: WorkCalendar) -> None:
    rule = make_rule(monthly_day(10), valid_from=date(2026, 3, 11))
    result = occurrences(rule, work, date(2026, 1, 1), date(2026, 6, 30))
    assert [o.nominal for o in result] == [date(2026, 4, 10), date(2026, 5, 10), date(2026, 6, 10)]


def test_valid_from_day_itself_is_included(work: WorkCalendar) -> None:
    rule = make_rule(monthly_day(10), valid_from=date(2026, 3, 10))
    result = occurrences(rule, work, date(2026, 1, 1), date(2026, 4, 30))
    assert [o.nominal for o in result] == [date(2026, 3, 10), date(2026, 4, 10)]


def test_valid_until_cuts_later_dates_and_is_inclusive(work: WorkCalendar) -> None:
    rule = make_rule(monthly_day(10), valid_until=date(2026, 5, 10))
    result = occurrences(rule, work, date(2026, 3, 1), date(2026, 12, 31))
    assert [o.nominal for o in result] == [date(2026, 3, 10), date(2026, 4, 10), date(2026, 5, 10)]
    earlier = make_rule(monthly_day(10), valid_until=date(2026, 5, 9))
    assert [
        o.nominal for o in occurrences(earlier, work, date(2026, 3, 1), date(2026, 12, 31))
    ] == [
        date(2026, 3, 10),
        date(2026, 4, 10),
    ]


@pytest.mark.parametrize(
    ("valid_from", "valid_until"),
    [
        (date(2027, 1, 1), None),  # starts after the window
        (date(2025, 1, 1), date(2025, 12, 31)),  # ended before the window
    ],
)
def test_rule_outside_the_window_yields_nothing(
    work: WorkCalendar, valid_from: date, valid_until: date | None
) -> None:
    rule = make_rule(weekly(1), valid_from=valid_from, valid_until=valid_until)
    assert occurrences(rule, work, date(2026, 1, 1), date(2026, 12, 31)) == []


def test_window_before_valid_from_keeps_weekly_phase(work: WorkCalendar) -> None:
    # The phase comes from valid_from, not from the window start.
    rule = make_rule(weekly(4, 2), valid_from=date(2026, 10, 9))  # Friday
    result = occurrences(rule, work, date(2026, 10, 12), date(2026, 11, 30))
    assert [o.nominal for o in result] == [
        date(2026, 10, 23),
        date(2026, 11, 6),
        date(2026, 11, 20),
    ]


def test_shifted_session_does_not_land_on_another_session_of_the_same_rule(
    work: WorkCalendar,
) -> None:
    rule = make_rule(weekly(3), SHIFT)
    result = occurrences(rule, work, date(2027, 2, 1), date(2027, 2, 28))
    actual = [o.actual for o in result]
    assert len(actual) == len(set(actual)), actual


# --- plan_sessions ------------------------------------------------------------------------


def test_plan_sessions_in_tet_uses_the_actual_date_and_local_times(work: WorkCalendar) -> None:
    now = datetime(2027, 1, 10, 9, 30, tzinfo=ZONE)
    rule = make_rule(monthly_day(5), SHIFT)
    sessions = plan_sessions(rule, work, ZONE, date(2027, 2, 1), date(2027, 2, 28), now)
    assert len(sessions) == 1
    session = sessions[0]
    assert session.nominal_date == date(2027, 2, 5)
    assert session.starts_at == datetime(2027, 2, 11, 8, 0, tzinfo=ZONE)
    assert session.ends_at == datetime(2027, 2, 11, 11, 0, tzinfo=ZONE)
    assert session.starts_at.tzinfo is ZONE
    assert session.starts_at.utcoffset() == timedelta(hours=7)
    assert session.ends_at.utcoffset() == timedelta(hours=7)
    assert session.starts_at.date() == date(2027, 2, 11)
    assert (session.starts_at.time(), session.ends_at.time()) == (time(8), time(11))
    assert session.leader_id == rule.leader_id
    assert session.rule_id == rule.id
    assert session.location == "P1"
    assert session.capacity == 5
    assert session.published_at == now


def test_plan_sessions_follows_occurrences(work: WorkCalendar) -> None:
    now = datetime(2026, 12, 1, 8, tzinfo=ZONE)
    rule = make_rule(nth_weekday(1, 0), SHIFT)
    start, end = date(2027, 1, 1), date(2027, 12, 31)
    sessions = plan_sessions(rule, work, ZONE, start, end, now)
    expected = occurrences(rule, work, start, end)
    assert [s.nominal_date for s in sessions] == [o.nominal for o in expected]
    assert [s.starts_at.date() for s in sessions] == [o.actual for o in expected]
    assert all(s.ends_at - s.starts_at == timedelta(hours=3) for s in sessions)


def test_plan_sessions_unpublished_when_not_auto_publish(work: WorkCalendar) -> None:
    now = datetime(2026, 12, 1, 8, tzinfo=ZONE)
    rule = make_rule(monthly_day(15), auto_publish=False)
    sessions = plan_sessions(rule, work, ZONE, date(2027, 1, 1), date(2027, 3, 31), now)
    assert len(sessions) == 3
    assert all(s.published_at is None for s in sessions)


def test_plan_sessions_empty_for_skipped_tet(work: WorkCalendar) -> None:
    now = datetime(2026, 12, 1, 8, tzinfo=ZONE)
    rule = make_rule(monthly_day(5), SKIP)
    assert plan_sessions(rule, work, ZONE, date(2027, 2, 1), date(2027, 2, 28), now) == []


def test_sessions_around_reunification_and_labour_day_2026(work: WorkCalendar) -> None:
    # Thursday 30 April and Friday 1 May 2026 are holidays: both shift to Monday 4 May, where
    # only one session is held.
    thirtieth = make_rule(monthly_day(30), SHIFT)
    first = make_rule(monthly_day(1), SHIFT)
    assert occurrences(thirtieth, work, date(2026, 4, 1), date(2026, 4, 30)) == [
        Occurrence(date(2026, 4, 30), date(2026, 5, 4))
    ]
    assert occurrences(first, work, date(2026, 5, 1), date(2026, 5, 1)) == [
        Occurrence(date(2026, 5, 1), date(2026, 5, 4))
    ]


def test_a_configured_day_off_moves_or_skips_the_session() -> None:
    work = WorkCalendar([CalendarOverride(date(2026, 12, 10), working=False, note="bridge")])
    assert occurrences(
        make_rule(monthly_day(10), SHIFT), work, date(2026, 12, 1), date(2026, 12, 31)
    ) == [Occurrence(date(2026, 12, 10), date(2026, 12, 11))]
    assert (
        occurrences(make_rule(monthly_day(10), SKIP), work, date(2026, 12, 1), date(2026, 12, 31))
        == []
    )
