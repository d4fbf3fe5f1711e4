"""Working days: Monday to Friday, minus Vietnamese public holidays, with calendar overrides."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.core.model import CalendarOverride
from bot.core.workdays import WorkCalendar

# Public holidays on weekdays, as known by holidays 0.109.
HOLIDAYS_2026 = [
    date(2026, 1, 1),
    *(date(2026, 2, day) for day in range(16, 21)),
    date(2026, 4, 27),  # Hùng Kings, observed (26 April is a Sunday)
    date(2026, 4, 30),
    date(2026, 5, 1),
    date(2026, 8, 31),  # day off swapped with Saturday 22 August
    date(2026, 9, 1),
    date(2026, 9, 2),
    date(2026, 11, 24),  # Vietnam Culture Day
]
TET_2027 = [date(2027, 2, day) for day in range(4, 11)]


@pytest.fixture
def work() -> WorkCalendar:
    return WorkCalendar()


@pytest.mark.parametrize("day", HOLIDAYS_2026 + TET_2027, ids=str)
def test_public_holidays_are_not_working_days(work: WorkCalendar, day: date) -> None:
    assert not work.is_working_day(day)
    assert work.holiday_name(day)


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 11, 30),  # Monday
        date(2026, 2, 13),  # Friday before Tết 2026
        date(2026, 2, 23),  # Monday after Tết 2026
        date(2026, 4, 28),  # Tuesday after the observed Hùng Kings day
        date(2026, 9, 3),  # Thursday after National Day
        date(2027, 2, 3),  # Wednesday before Tết 2027
        date(2027, 2, 11),  # Thursday after Tết 2027
    ],
    ids=str,
)
def test_ordinary_weekdays_are_working_days(work: WorkCalendar, day: date) -> None:
    assert day.weekday() < 5
    assert work.is_working_day(day)
    assert work.holiday_name(day) is None


@pytest.mark.parametrize(
    "day", [date(2026, 11, 28), date(2026, 11, 29), date(2027, 3, 6), date(2027, 3, 7)], ids=str
)
def test_weekends_are_not_working_days(work: WorkCalendar, day: date) -> None:
    assert day.weekday() >= 5
    assert not work.is_working_day(day)


def test_every_working_day_of_february_2027(work: WorkCalendar) -> None:
    february = [date(2027, 2, day) for day in range(1, 29)]
    working = [day.day for day in february if work.is_working_day(day)]
    assert working == [1, 2, 3, 11, 12, 15, 16, 17, 18, 19, 22, 23, 24, 25, 26]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 11, 30), date(2026, 11, 30)),  # a working day is its own next working day
        (date(2026, 11, 28), date(2026, 11, 30)),  # Saturday → Monday
        (date(2027, 2, 4), date(2027, 2, 11)),  # first day of Tết 2027
        (date(2027, 2, 6), date(2027, 2, 11)),
        (date(2026, 8, 29), date(2026, 9, 3)),  # weekend, 31/8, 1/9, 2/9
        (date(2026, 11, 24), date(2026, 11, 25)),
        (date(2026, 12, 31), date(2026, 12, 31)),
        (date(2027, 1, 1), date(2027, 1, 4)),  # New Year on a Friday
    ],
    ids=str,
)
def test_next_working_day(work: WorkCalendar, day: date, expected: date) -> None:
    assert work.next_working_day(day) == expected


def test_add_working_days_across_tet_2027(work: WorkCalendar) -> None:
    start = date(2027, 2, 1)
    expected = [2, 3, 11, 12, 15, 16, 17, 18, 19, 22]
    assert [work.add_working_days(start, n).day for n in range(1, 11)] == expected
    assert work.add_working_days(start, 10) == date(2027, 2, 22)


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        (date(2026, 11, 30), 0, date(2026, 11, 30)),
        (date(2026, 11, 30), 1, date(2026, 12, 1)),
        (date(2026, 11, 27), 1, date(2026, 11, 30)),  # Friday + 1 → Monday
        (date(2026, 11, 28), 1, date(2026, 11, 30)),  # from a Saturday
        (date(2026, 11, 23), 1, date(2026, 11, 25)),  # skips Culture Day
        (date(2026, 2, 13), 1, date(2026, 2, 23)),  # skips Tết 2026
        (date(2026, 8, 28), 1, date(2026, 9, 3)),
        (date(2026, 12, 30), 2, date(2027, 1, 4)),
    ],
    ids=str,
)
def test_add_working_days(work: WorkCalendar, start: date, count: int, expected: date) -> None:
    assert work.add_working_days(start, count) == expected


def test_add_working_days_rejects_a_negative_count(work: WorkCalendar) -> None:
    with pytest.raises(ValueError, match="negative"):
        work.add_working_days(date(2026, 11, 30), -1)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2027, 2, 1), date(2027, 2, 22), 10),
        (date(2027, 2, 22), date(2027, 2, 1), -10),
        (date(2026, 11, 30), date(2026, 11, 30), 0),
        (date(2026, 11, 27), date(2026, 11, 30), 1),  # Sat and Sun do not count
        (date(2026, 11, 30), date(2026, 11, 27), -1),
        (date(2026, 11, 28), date(2026, 11, 29), 0),
        (date(2026, 8, 28), date(2026, 9, 3), 1),
        (date(2026, 2, 1), date(2026, 2, 28), 15),  # 20 weekdays minus Tết 16–20
    ],
    ids=str,
)
def test_working_days_between(work: WorkCalendar, start: date, end: date, expected: int) -> None:
    assert work.working_days_between(start, end) == expected


@pytest.mark.parametrize("count", [0, 1, 5, 10, 23])
@pytest.mark.parametrize("start", [date(2026, 2, 10), date(2026, 8, 27), date(2027, 1, 30)])
def test_working_days_between_inverts_add_working_days(
    work: WorkCalendar, start: date, count: int
) -> None:
    end = work.add_working_days(start, count)
    assert work.working_days_between(start, end) == count
    assert work.working_days_between(end, start) == -count
    assert count == 0 or work.is_working_day(end)


def test_make_up_saturday_counts_as_a_working_day() -> None:
    saturday = date(2027, 2, 13)
    plain = WorkCalendar()
    work = WorkCalendar([CalendarOverride(saturday, working=True, note="make-up day")])
    assert not plain.is_working_day(saturday)
    assert work.is_working_day(saturday)
    assert work.next_working_day(date(2027, 2, 13)) == saturday
    assert work.add_working_days(date(2027, 2, 12), 1) == saturday
    assert plain.add_working_days(date(2027, 2, 12), 1) == date(2027, 2, 15)
    assert work.working_days_between(date(2027, 2, 1), date(2027, 2, 22)) == 11


def test_extra_day_off_is_not_a_working_day() -> None:
    day_off = date(2026, 12, 31)  # a Thursday
    plain = WorkCalendar()
    work = WorkCalendar([CalendarOverride(day_off, working=False)])
    assert plain.is_working_day(day_off)
    assert not work.is_working_day(day_off)
    assert work.next_working_day(day_off) == date(2027, 1, 4)
    assert work.add_working_days(date(2026, 12, 30), 1) == date(2027, 1, 4)
    assert work.working_days_between(date(2026, 12, 28), date(2027, 1, 4)) == 3


def test_overrides_only_change_their_own_day() -> None:
    work = WorkCalendar(
        [CalendarOverride(date(2026, 12, 5), True), CalendarOverride(date(2026, 12, 7), False)]
    )
    plain = WorkCalendar()
    start = date(2026, 11, 1)
    for offset in range(90):
        day = start + timedelta(days=offset)
        if day not in (date(2026, 12, 5), date(2026, 12, 7)):
            assert work.is_working_day(day) == plain.is_working_day(day), day


def test_make_up_saturday_known_to_the_holidays_package_is_a_working_day(
    work: WorkCalendar,
) -> None:
    assert not work.is_working_day(date(2026, 8, 31))  # the swapped day off is honoured
    assert work.is_working_day(date(2026, 8, 22))
