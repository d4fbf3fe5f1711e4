"""Spacing of outgoing messages: a global rate for a channel and a minimum gap per chat."""

from __future__ import annotations

import asyncio
import bisect
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable

# Providers count in their own clock and the network shifts each message a little: paced at
# exactly the stated limit, one late message and the next on time reach the provider within
# the same second as thirty others and are refused (measured: 99 refusals in a burst of 3,000
# at 30 per second). Paced 5 % under it, thirty messages may drift 50 ms before that happens.
HEADROOM = 0.95
# Lateness of a send that the headroom absorbs (a fifth of its 50 ms).
RESPACE_AFTER = 0.010


class RateLimiter:
    """Waits as long as needed so that at most ``per_second`` messages leave overall, and at
    least ``chat_gap`` seconds pass between two messages to the same chat once ``burst``
    messages went to it at once (a reply of two or three messages is not held back)."""

    def __init__(
        self,
        per_second: float | None,
        chat_gap: float = 0.0,
        *,
        burst: int = 1,
        gap_for: Callable[[str], float] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        chats_remembered: int = 10_000,
    ) -> None:
        self._interval = 1.0 / per_second if per_second else 0.0
        # The gap per chat may depend on the chat (Telegram: 1 s private, 3 s in a group).
        self._gap_for = gap_for or (lambda _chat: chat_gap)
        self._monotonic = monotonic
        self._sleep = sleep
        self._burst = max(burst, 1)
        # Send times already given out and not yet a full interval old, in order. A message
        # held back by its chat's gap takes the first free time at or after its own earliest,
        # not the next one in line: otherwise it would leave later on top of another
        # message's time, and a second could see more than ``per_second`` messages.
        self._given: list[float] = []
        self._paused_until = 0.0
        # Per chat, when its allowance is back to full (the "theoretical arrival time" of
        # the generic cell rate algorithm): a chat may send while it is at most
        # (burst - 1) gaps ahead of now.
        self._chat_next: OrderedDict[str, float] = OrderedDict()
        self._remember = chats_remembered

    async def wait(self, chat: str) -> None:
        # The send time is reserved before sleeping, with no await in between (so no lock is
        # needed): a chat that must wait for its own gap does not hold up the other chats.
        now = self._monotonic()
        gap = self._gap_for(chat)
        full = max(now, self._chat_next.get(chat, 0.0))
        slot = self._take_slot(max(now, self._paused_until, full - (self._burst - 1) * gap), now)
        self._chat_next[chat] = max(full, slot) + gap
        self._chat_next.move_to_end(chat)
        while len(self._chat_next) > self._remember:
            self._chat_next.popitem(last=False)
        if slot > now:
            await self._sleep(slot - now)
            self._left_at(slot, self._monotonic())

    def _left_at(self, slot: float, actual: float) -> None:
        """A busy event loop wakes a sleeper late; the next times are spaced from when the
        message really left, or two would reach the provider together. The millisecond or
        so every wake-up is late by is left to the headroom: spacing from it would lower the
        rate by as much again."""
        if actual - slot <= RESPACE_AFTER or not self._interval:
            return
        index = bisect.bisect_left(self._given, slot)
        if index < len(self._given) and self._given[index] == slot:
            del self._given[index]
        bisect.insort(self._given, actual)

    def _take_slot(self, earliest: float, now: float) -> float:
        """The first time from ``earliest`` at least an interval away from every time given."""
        if not self._interval:
            return earliest
        given = self._given
        del given[: bisect.bisect_right(given, now - self._interval)]
        slot = earliest
        for taken in given[bisect.bisect_right(given, slot - self._interval) :]:
            if taken >= slot + self._interval:
                break
            slot = taken + self._interval
        bisect.insort(given, slot)
        return slot

    def pause(self, seconds: float) -> None:
        """Nothing leaves this channel for ``seconds`` (the provider asked us to slow down)."""
        self._paused_until = max(self._paused_until, self._monotonic() + seconds)
