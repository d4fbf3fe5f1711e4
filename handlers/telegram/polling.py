"""Long polling: ask Telegram for updates, store them, and only then acknowledge them.

The offset sent with the next getUpdates is what acknowledges an update to Telegram, so it
moves past an update only once the inbox has stored it: a crash at any point loses nothing,
and what Telegram sends again is dropped by the inbox as a redelivery.

Updates are stored as the JSON Telegram sent: parsing them into aiogram's models only to dump
them back cost more than storing them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramConflictError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.methods.base import TelegramMethod

from bot.core.ports import StoreUnavailable
from handlers.telegram.updates import ALLOWED_UPDATES
from handlers.webhook import UpdateSink

log = logging.getLogger(__name__)

BACKOFF_FIRST = 1.0
BACKOFF_MAX = 60.0


class GetUpdatesAsSent(TelegramMethod[list[dict[str, Any]]]):
    """getUpdates, through aiogram's session (its errors, timeouts and server), answering the
    updates as plain JSON objects."""

    __returning__: ClassVar[Any] = list[dict[str, Any]]
    __api_method__: ClassVar[str] = "getUpdates"

    offset: int | None = None
    timeout: int | None = None
    allowed_updates: list[str] | None = None


class Poller:
    def __init__(
        self,
        bot: Bot,
        sink: UpdateSink,
        timeout: int,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._bot = bot
        self._sink = sink
        self._timeout = timeout
        self._sleep = sleep
        self._offset: int | None = None
        self._failures = 0

    async def run(self) -> None:
        """Poll until cancelled."""
        await self._call_until_done(self._leave_webhook_mode)
        while True:
            await self._sink.room()
            await self._call_until_done(self._poll_once)

    async def _leave_webhook_mode(self) -> None:
        # getUpdates is refused while a webhook is set; pending updates are kept.
        await self._bot.delete_webhook(drop_pending_updates=False)

    async def _poll_once(self) -> None:
        updates = await self._bot(
            GetUpdatesAsSent(
                offset=self._offset, timeout=self._timeout, allowed_updates=ALLOWED_UPDATES
            ),
            request_timeout=self._timeout + 15,
        )
        if not updates:
            return
        await self._sink.accept([(str(update["update_id"]), update) for update in updates])
        self._offset = max(int(update["update_id"]) for update in updates) + 1

    async def _call_until_done(self, call: Callable[[], Awaitable[None]]) -> None:
        while True:
            try:
                await call()
            except TelegramRetryAfter as wait:
                log.warning("Telegram asks to wait %s s before polling again", wait.retry_after)
                await self._sleep(float(wait.retry_after))
                continue
            except TelegramConflictError as conflict:
                log.error(
                    "another process polls with this bot token, or a webhook is set: %s",
                    conflict.message,
                )
            except TelegramUnauthorizedError as refused:
                log.error("Telegram refuses the bot token: %s", refused.message)
            except (TelegramNetworkError, TelegramAPIError, OSError) as trouble:
                log.warning("polling Telegram failed: %s", trouble)
            except StoreUnavailable as down:
                # Not acknowledged, so the next request brings them again.
                log.warning(
                    "could not store Telegram updates: the database does not answer (%s)", down
                )
            except Exception:
                # The inbox could not store the updates: they were not acknowledged, so the
                # next request brings them again.
                log.exception("could not store Telegram updates")
            else:
                self._failures = 0
                return
            self._failures += 1
            await self._sleep(min(BACKOFF_FIRST * 2 ** (self._failures - 1), BACKOFF_MAX))
