"""Report periods and the legal minimum of reception days, without a database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.config import DEFAULT_LOCALES_DIR
from bot.core.i18n import Catalogs
from bot.core.model import LeaderRole, UnitLevel
from bot.records.frequency import DEFAULT_MINIMUMS, Per, stretches
from bot.records.report import Period, PeriodError, Report, parse_period, summary

TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("text", "first", "last", "kind"),
    [
        ("", date(2026, 11, 1), date(2026, 11, 30), "month"),
        ("2026-02", date(2026, 2, 1), date(2026, 2, 28), "month"),
        ("12/2025", date(2025, 12, 1), date(2025, 12, 31), "month"),
        ("q1", date(2026, 1, 1), date(2026, 3, 31), "quarter"),
        ("2025-Q4", date(2025, 10, 1), date(2025, 12, 31), "quarter"),
        ("quý3", date(2026, 7, 1), date(2026, 9, 30), "quarter"),
        ("6m", date(2026, 1, 1), date(2026, 6, 30), "half"),
        ("9t", date(2026, 1, 1), date(2026, 9, 30), "nine_months"),
        ("2025", date(2025, 1, 1), date(2025, 12, 31), "year"),
    ],
)
def test_periods_the_regulation_asks_for(text: str, first: date, last: date, kind: str) -> None:
    assert parse_period(text, TODAY) == Period(first, last, kind)


@pytest.mark.parametrize("text", ["13/2026", "q5", "7m", "next", "2026-00"])
def test_a_period_that_is_not_one_is_refused(text: str) -> None:
    with pytest.raises(PeriodError):
        parse_period(text, TODAY)


def test_the_commune_chair_is_checked_weekly_before_july_2026_and_monthly_after() -> None:
    # Mondays from June to July 2026, except the week of 15 June: one week short.
    held = [
        day
        for day in (date(2026, 6, 1) + timedelta(days=n) for n in range(61))
        if day.weekday() == 0 and day != date(2026, 6, 15)
    ]

    checked = stretches(
        DEFAULT_MINIMUMS,
        LeaderRole.COMMITTEE_CHAIR,
        UnitLevel.COMMUNE,
        date(2026, 6, 1),
        date(2026, 7, 31),
        held,
    )

    weekly = [s for s in checked if s.per is Per.WEEK]
    monthly = [s for s in checked if s.per is Per.MONTH]
    # Whole weeks inside June: 1–7, 8–14, 15–21, 22–28 (29 June–5 July straddles the change).
    assert [s.first for s in weekly] == [date(2026, 6, d) for d in (1, 8, 15, 22)]
    assert [s.first for s in weekly if s.short] == [date(2026, 6, 15)]
    assert [(s.first, s.held, s.required) for s in monthly] == [(date(2026, 7, 1), 4, 2)]


def test_the_party_secretary_of_a_province_needs_one_day_a_month() -> None:
    checked = stretches(
        DEFAULT_MINIMUMS,
        LeaderRole.PARTY_SECRETARY,
        UnitLevel.PROVINCE,
        date(2026, 1, 1),
        date(2026, 3, 31),
        [date(2026, 1, 15), date(2026, 3, 16)],
    )

    assert [(s.first.month, s.held, s.short) for s in checked] == [
        (1, 1, False),
        (2, 0, True),
        (3, 1, False),
    ]


def test_a_report_of_a_period_not_over_says_the_minimum_waits_for_whole_months() -> None:
    zone = ZoneInfo("Asia/Ho_Chi_Minh")
    tr = Catalogs(DEFAULT_LOCALES_DIR, ("vi", "en"), "en", zone).get("en")
    figures = Report(
        scope_name="UBND xã An Hòa",
        period=parse_period("2026-11", TODAY),
        as_of=datetime(2026, 11, 20, 3, 0, tzinfo=UTC),
        leaders=(),
        submitted=0,
        by_kind={},
        by_status={},
        by_outcome={},
        answered=0,
        median_working_days_to_answer=None,
        overdue=0,
        meetings=0,
        received=0,
        no_shows=0,
        received_in_place=0,
    )

    assert "The period is not over yet" in summary(tr, figures)
    finished = summary(tr, replace(figures, as_of=datetime(2026, 12, 1, 3, 0, tzinfo=UTC)))
    assert "not over" not in finished
