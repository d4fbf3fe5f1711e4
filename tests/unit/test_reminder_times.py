"""When reminders and digests are due, across weekends, holidays and make-up days."""

from __future__ import annotations

import asyncio
import itertools
import random
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.core.model import CalendarOverride
from bot.core.reminders import (
    ReminderTimes,
    citizen_reminders,
    leader_digest_due,
    officer_digest_due,
)
from bot.core.workdays import WorkCalendar
from bot.ratelimit import RateLimiter

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
TIMES = ReminderTimes(ZONE)


def local(day: str, hour: int = 8, minute: int = 0) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(hour, minute), tzinfo=ZONE)


@pytest.mark.parametrize(
    ("meeting", "eve"),
    [
        ("2026-12-15", "2026-12-14"),  # Tuesday: Monday before
        ("2026-12-14", "2026-12-11"),  # Monday: Friday before
        ("2027-02-11", "2027-02-03"),  # after Tết 2027 (4–10 February off)
        ("2026-09-03", "2026-08-28"),  # after 31 Aug (swapped day off) and 1–2 September
        ("2027-05-04", "2027-04-29"),  # after 30 April, 1 May and 3 May (observed) 2027
        ("2026-08-24", "2026-08-22"),  # Saturday 22 August 2026 is a make-up working day
    ],
)
def test_the_citizens_eve_reminder_is_the_working_day_before_at_8(meeting: str, eve: str) -> None:
    due = citizen_reminders(local(meeting, 9), TIMES, WorkCalendar())
    assert due["eve"] == local(eve, 8)
    assert due["morning"] == local(meeting, 6, 30)


def test_custom_days_off_and_make_up_days_move_the_reminders() -> None:
    work = WorkCalendar(
        [
            CalendarOverride(date(2026, 12, 14), working=False),  # Monday off
            CalendarOverride(date(2026, 12, 12), working=True),  # Saturday worked
        ]
    )
    due = citizen_reminders(local("2026-12-15", 9), TIMES, work)
    assert due["eve"] == local("2026-12-12", 8)


def test_an_early_meeting_is_reminded_no_later_than_it_starts() -> None:
    due = citizen_reminders(local("2026-12-15", 6, 0), TIMES, WorkCalendar())
    assert due["morning"] == local("2026-12-15", 6, 0)


def test_the_leaders_digest_is_the_working_day_before_at_15() -> None:
    assert leader_digest_due(local("2026-12-14", 8), TIMES, WorkCalendar()) == local(
        "2026-12-11", 15
    )
    two_days = ReminderTimes(ZONE, leader_digest_working_days=2, leader_digest=time(10))
    assert leader_digest_due(local("2026-12-15", 8), two_days, WorkCalendar()) == local(
        "2026-12-11", 10
    )


def test_officers_get_their_digest_on_working_days_only() -> None:
    work = WorkCalendar()
    assert officer_digest_due(date(2026, 12, 14), TIMES, work) == local("2026-12-14", 7, 30)
    assert officer_digest_due(date(2026, 12, 12), TIMES, work) is None  # Saturday
    assert officer_digest_due(date(2027, 2, 8), TIMES, work) is None  # Tết


async def test_the_rate_limiter_spaces_messages_overall_and_per_chat() -> None:
    now = [0.0]
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(round(seconds, 3))
        now[0] += seconds

    limiter = RateLimiter(per_second=10, chat_gap=1.0, monotonic=lambda: now[0], sleep=sleep)
    for chat in ("a", "b", "a", "c"):
        await limiter.wait(chat)
    # b waits 0.1 s for the global rate; the second "a" waits until 1 s after the first; c,
    # free at once by its own chat, must not leave at the same moment as that "a".
    assert waits == [0.1, 0.9, 0.1]
    assert now[0] == pytest.approx(1.1)


async def test_no_second_sees_more_than_the_rate_whatever_the_chats() -> None:
    """Messages to a few chats arrive in bursts and each reserves its time before the earlier
    ones left (as concurrent senders do): every time given is a full interval from every
    other, and no chat gets more than its burst within one gap."""
    now = [0.0]
    slept = [0.0]
    randomness = random.Random(11)

    async def sleep(seconds: float) -> None:
        slept[0] = seconds  # the clock moves only as messages arrive: all wait together

    limiter = RateLimiter(
        per_second=30, chat_gap=1.0, burst=3, monotonic=lambda: now[0], sleep=sleep
    )
    sent: list[tuple[float, str]] = []
    for _ in range(900):
        chat = f"c{randomness.randrange(100)}"
        slept[0] = 0.0
        await limiter.wait(chat)
        sent.append((now[0] + slept[0], chat))
        now[0] += randomness.choice((0.0, 0.0, 0.0, 0.01, 0.05))
    times = sorted(at for at, _chat in sent)
    assert times[-1] - times[0] == pytest.approx(899 / 30, abs=1.0)  # the rate is used
    for first, second in itertools.pairwise(times):
        assert second - first >= 1 / 30 - 1e-9
    for chat in {c for _at, c in sent}:
        own = sorted(at for at, c in sent if c == chat)
        for first, after_burst in zip(own, own[3:], strict=False):
            assert after_burst - first >= 1.0 - 1e-9


async def test_a_send_woken_late_spaces_the_next_from_when_it_really_left() -> None:
    now = [0.0]
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(round(seconds, 3))
        now[0] += seconds + (0.2 if len(waits) == 1 else 0.001)  # a blocked loop, then not

    limiter = RateLimiter(per_second=10, monotonic=lambda: now[0], sleep=sleep)
    for chat in "abcd":
        await limiter.wait(chat)
    # b was due at 0.1 and left at 0.3: c goes a full interval after that, not at once;
    # d's wake-up a millisecond late is left to the headroom.
    assert waits == [0.1, 0.1, 0.099]


async def test_a_chat_waiting_for_its_gap_does_not_hold_up_the_others() -> None:
    started = asyncio.get_running_loop().time()
    order: list[str] = []
    limiter = RateLimiter(per_second=None, chat_gap=0.3)

    async def send(chat: str) -> None:
        await limiter.wait(chat)
        order.append(chat)

    await asyncio.gather(send("a"), send("a"), send("b"))
    assert order == ["a", "b", "a"]
    assert asyncio.get_running_loop().time() - started == pytest.approx(0.3, abs=0.1)


async def test_a_pause_holds_the_whole_channel() -> None:
    now = [0.0]
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(round(seconds, 3))
        now[0] += seconds

    limiter = RateLimiter(per_second=30, monotonic=lambda: now[0], sleep=sleep)
    limiter.pause(17)
    await limiter.wait("x")
    assert waits == [17.0]


async def test_a_chat_may_take_a_short_burst_then_waits_its_gaps() -> None:
    now = [0.0]
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(round(seconds, 3))
        now[0] += seconds

    limiter = RateLimiter(
        per_second=None, chat_gap=1.0, burst=3, monotonic=lambda: now[0], sleep=sleep
    )
    for _ in range(5):
        await limiter.wait("a")
    # Three at once, then one a second.
    assert waits == [1.0, 1.0]
    now[0] += 10  # a quiet while refills the allowance
    waits.clear()
    for _ in range(3):
        await limiter.wait("a")
    assert waits == []
