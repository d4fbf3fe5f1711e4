"""Working days of Vietnamese public bodies: Monday to Friday, minus public holidays (the
``holidays`` package, lunar Tết included), minus extra days off, plus make-up working days."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import holidays

from bot.core.model import CalendarOverride


class WorkCalendar:
    def __init__(self, overrides: Iterable[CalendarOverride] = ()) -> None:
        self._public = holidays.country_holidays("VN")
        self._extra_off: set[date] = set()
        self._make_up: set[date] = set()
        for override in overrides:
            (self._make_up if override.working else self._extra_off).add(override.day)

    def holiday_name(self, day: date) -> str | None:
        name = self._public.get(day)
        return str(name) if name is not None else None

    def is_working_day(self, day: date) -> bool:
        # `holidays` lists the Saturdays worked in exchange for a day off (weekend_workdays);
        # asking for the day first makes it populate that year.
        in_public = day in self._public
        if day in self._make_up or day in self._public.weekend_workdays:
            return True
        if day in self._extra_off or day.weekday() >= 5:
            return False
        return not in_public

    def next_working_day(self, day: date) -> date:
        """The day itself when it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def previous_working_day(self, day: date) -> date:
        """The last working day strictly before ``day``."""
        day -= timedelta(days=1)
        while not self.is_working_day(day):
            day -= timedelta(days=1)
        return day

    def add_working_days(self, start: date, count: int) -> date:
        """The ``count``-th working day after ``start`` (``start`` itself never counts)."""
        if count < 0:
            raise ValueError("count must not be negative")
        day = start
        while count:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end``; negative when end < start."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(
            1
            for offset in range(1, (end - start).days + 1)
            if self.is_working_day(start + timedelta(days=offset))
        )
