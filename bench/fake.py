"""The test suite's fake Bot API, made fit for load: messages indexed by chat, waiters woken by
events instead of polling, the first reply of each chat timed, and Telegram's flood limits
(30 messages a second overall, one a second per chat, 429 with retry_after beyond) when asked.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.fakes.telegram import FakeTelegram, Sent, call_params


@dataclass(frozen=True)
class FloodLimits:
    per_second: int = 30
    per_chat_seconds: float = 1.0


class BenchTelegram(FakeTelegram):
    def __init__(self, limits: FloodLimits | None = None) -> None:
        super().__init__()
        self.limits = limits
        self.by_chat: dict[int, list[Sent]] = defaultdict(list)
        # When each chat was first written to by the bot (time.monotonic()).
        self.first_reply: dict[int, float] = {}
        self.too_many_requests = 0
        self._changed: dict[int, asyncio.Event] = {}
        self._recent: deque[float] = deque()
        self._last_to_chat: dict[int, float] = {}
        self._all_answered: asyncio.Event | None = None
        self._expected: set[int] = set()

    # --- what the bot sends ----------------------------------------------------------------

    def _record(self, chat_id: int, text: str, markup: dict[str, Any] | None) -> dict[str, Any]:
        message = super()._record(chat_id, text, markup)
        sent = self.sent[-1]
        self.by_chat[chat_id].append(sent)
        if chat_id not in self.first_reply:
            self.first_reply[chat_id] = sent.at
            self._expected.discard(chat_id)
            if self._all_answered is not None and not self._expected:
                self._all_answered.set()
        event = self._changed.pop(chat_id, None)
        if event is not None:
            event.set()
        return message

    async def _call(self, request: web.Request) -> web.StreamResponse:
        if self.limits is not None and request.match_info.get("method") == "sendMessage":
            params = await call_params(request)  # the body is kept for the fake's own handler
            refused = self._flood(int(params["chat_id"]))
            if refused is not None:
                return refused
        return await super()._call(request)

    def _flood(self, chat_id: int) -> web.Response | None:
        assert self.limits is not None
        now = time.monotonic()
        while self._recent and now - self._recent[0] >= 1.0:
            self._recent.popleft()
        last = self._last_to_chat.get(chat_id)
        too_fast_for_chat = last is not None and now - last < self.limits.per_chat_seconds
        if len(self._recent) >= self.limits.per_second or too_fast_for_chat:
            self.too_many_requests += 1
            return web.json_response(
                {
                    "ok": False,
                    "error_code": 429,
                    "description": "Too Many Requests: retry after 1",
                    "parameters": {"retry_after": 1},
                },
                status=429,
            )
        self._recent.append(now)
        self._last_to_chat[chat_id] = now
        return None

    # --- the people ------------------------------------------------------------------------

    async def deliver_many(self, updates: list[dict[str, Any]]) -> None:
        """Queue many updates at once, as a crowd writing in the same second."""
        async with self._arrived:
            self._updates.extend(updates)
            self._arrived.notify_all()

    # --- waiting for it --------------------------------------------------------------------

    def expect_replies(self, chats: set[int]) -> asyncio.Event:
        """An event set once every one of ``chats`` has had a message from the bot."""
        self._expected = set(chats) - set(self.first_reply)
        self._all_answered = asyncio.Event()
        if not self._expected:
            self._all_answered.set()
        return self._all_answered

    async def next_message(self, chat_id: int, seen: int, within: float) -> Sent:
        """The chat's message after the first ``seen`` ones; waits for it."""
        deadline = time.monotonic() + within
        while len(self.by_chat[chat_id]) <= seen:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no message to {chat_id} within {within} s")
            event = self._changed.setdefault(chat_id, asyncio.Event())
            try:
                await asyncio.wait_for(event.wait(), left)
            except TimeoutError:
                continue
        return self.by_chat[chat_id][seen]

    def to(self, chat_id: int) -> list[Sent]:
        return list(self.by_chat.get(chat_id, ()))
