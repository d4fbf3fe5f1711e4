"""Telegram, put together: the Bot client, receiving (polling or webhook), answering button
presses, and the command menus."""

from __future__ import annotations

import asyncio
import logging

from aiogram import Bot
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError
from aiogram.methods.base import Response
from aiogram.types import Message

from handlers.receiving import Receiving
from handlers.telegram.polling import GetUpdatesAsSent, Poller
from handlers.telegram.session import JsonSession
from handlers.telegram.updates import ALLOWED_UPDATES, callback_query_id
from handlers.telegram.webhook import webhook_handler
from handlers.web import WebServer
from handlers.webhook import UpdateSink

log = logging.getLogger(__name__)

WEBHOOK_RETRY_SECONDS = 30.0

# aiogram parses every answer as ``Response[<the method's type>]``. Pydantic keeps such generic
# classes only while something else refers to them, and rebuilding one after the garbage
# collector took it costs about 3 ms: under load that was a tenth of the process's time. Held
# here for the types the bot's methods return, they are built once.
_RESPONSES = (Response[Message], Response[bool], Response[GetUpdatesAsSent.__returning__])


def create_bot(token: str, api_base_url: str) -> Bot:
    session = JsonSession(api=TelegramAPIServer.from_base(api_base_url.rstrip("/")))
    return Bot(token, session=session)


class TelegramChannel(Receiving):
    def __init__(
        self,
        bot: Bot,
        sink: UpdateSink,
        *,
        mode: str,
        poll_timeout: int,
        webhook_url: str = "",
        webhook_path: str = "/",
        webhook_secret: str = "",
    ) -> None:
        super().__init__()
        self.bot = bot
        self._sink = sink
        self._mode = mode
        self._poll_timeout = poll_timeout
        self._webhook_url = webhook_url
        self._webhook_path = webhook_path
        self._webhook_secret = webhook_secret

    def route(self, web: WebServer) -> None:
        """In webhook mode, the route Telegram posts to (before the server starts)."""
        if self._mode == "webhook":
            web.add_post(self._webhook_path, webhook_handler(self._sink, self._webhook_secret))

    def start(self) -> None:
        if self._mode == "polling":
            poller = Poller(self.bot, self._sink, self._poll_timeout)
            self._receive(poller.run(), "telegram-polling")
        else:
            self._receive(self._register_webhook(), "telegram-webhook")

    async def close(self) -> None:
        await self.bot.session.close()

    async def answer_button(self, payload: dict[str, object]) -> None:
        """Stop the button's spinner; the answer itself comes as a message."""
        query_id = callback_query_id(payload)
        if query_id is None:
            return
        try:
            await self.bot.answer_callback_query(query_id)
        except (TelegramAPIError, TelegramNetworkError) as trouble:
            # Too old (after a restart) or the network: the reply still comes as a message.
            log.debug("could not answer callback query %s: %s", query_id, trouble)

    async def _register_webhook(self) -> None:
        while True:
            try:
                await self.bot.set_webhook(
                    self._webhook_url,
                    secret_token=self._webhook_secret,
                    allowed_updates=ALLOWED_UPDATES,
                    drop_pending_updates=False,
                )
            except (TelegramAPIError, TelegramNetworkError) as trouble:
                log.error("could not set the Telegram webhook: %s; trying again", trouble)
                await asyncio.sleep(WEBHOOK_RETRY_SECONDS)
            else:
                log.info("Telegram webhook set to %s", self._webhook_url)
                return
