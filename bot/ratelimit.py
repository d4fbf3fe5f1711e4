"""Spacing of outgoing messages: a global rate for a channel and a minimum gap per chat."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable


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
        self._next_free = 0.0
        # Per chat, when its allowance is back to full (the "theoretical arrival time" of
        # the generic cell rate algorithm): a chat may send while it is at most
        # (burst - 1) gaps ahead of now.
        self._chat_next: OrderedDict[str, float] = OrderedDict()
        self._remember = chats_remembered
        self._lock = asyncio.Lock()

    async def wait(self, chat: str) -> None:
        # Reserve the send time under the lock, then sleep outside it: a chat that must wait
        # for its own gap does not hold up the other chats.
        async with self._lock:
            now = self._monotonic()
            gap = self._gap_for(chat)
            full = max(now, self._chat_next.get(chat, 0.0))
            slot = max(now, self._next_free, full - (self._burst - 1) * gap)
            self._next_free = max(self._next_free, now) + self._interval
            self._chat_next[chat] = max(full, slot) + gap
            self._chat_next.move_to_end(chat)
            while len(self._chat_next) > self._remember:
                self._chat_next.popitem(last=False)
        if slot > now:
            await self._sleep(slot - now)

    def pause(self, seconds: float) -> None:
        """Nothing leaves this channel for ``seconds`` (the provider asked us to slow down)."""
        self._next_free = max(self._next_free, self._monotonic() + seconds)
