"""The Zalo Bot Platform, put together: receiving by long polling or by webhook.

Polling gets one event per call and acknowledges nothing (the platform has no offset), so an
event is stored in the inbox as soon as it arrives; polling and the webhook exclude each
other, so polling first removes the webhook.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from handlers.receiving import Receiving
from handlers.web import MAX_BODY, WebServer
from handlers.webhook import UpdateSink, secret_webhook
from handlers.zalo.bot_api import NETWORK_ERRORS, ZaloApiError, ZaloBotClient
from handlers.zalo.updates import update_id

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Bot-Api-Secret-Token"
BACKOFF_FIRST = 1.0
BACKOFF_MAX = 60.0
WEBHOOK_RETRY_SECONDS = 30.0
# An event is one message of at most 2,000 characters, or a link to a photo or a sticker; the
# body is read only once the secret matched, so the general limit costs nothing.
MAX_EVENT_BYTES = MAX_BODY


class ZaloBotChannel(Receiving):
    def __init__(
        self,
        client: ZaloBotClient,
        sink: UpdateSink,
        *,
        mode: str,
        poll_timeout: int,
        webhook_url: str = "",
        webhook_path: str = "/",
        webhook_secret: str = "",
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        super().__init__()
        self.client = client
        self._sink = sink
        self._mode = mode
        self._poll_timeout = poll_timeout
        self._webhook_url = webhook_url
        self._webhook_path = webhook_path
        self._webhook_secret = webhook_secret
        self._sleep = sleep
        self._failures = 0

    def route(self, web: WebServer) -> None:
        """In webhook mode, the route the platform posts to (before the server starts)."""
        if self._mode == "webhook":
            web.add_post(
                self._webhook_path,
                secret_webhook(
                    self._sink,
                    self._webhook_secret,
                    SECRET_HEADER,
                    update_id,
                    "Zalo Bot",
                    MAX_EVENT_BYTES,
                ),
            )

    def start(self) -> None:
        job = self._poll() if self._mode == "polling" else self._register_webhook()
        self._receive(job, f"zalo-bot-{self._mode}")

    async def close(self) -> None:
        await self.client.close()

    async def _poll(self) -> None:
        await self._until_done(self.client.delete_webhook)
        while True:
            await self._sink.room()
            await self._until_done(self._poll_once)

    async def _poll_once(self) -> None:
        event = await self.client.get_update(self._poll_timeout)
        if event is None:
            return
        try:
            name = update_id(event)
        except (KeyError, TypeError, ValueError):
            log.warning("ignoring a Zalo Bot event that is not a message: %s", sorted(event))
            return
        # The platform will not send it again: hold it until the inbox has it.
        failures = 0
        while True:
            try:
                await self._sink.accept([(name, event)])
                return
            except Exception:
                log.exception("could not store Zalo Bot event %s; trying again", name)
            failures += 1
            await self._sleep(min(BACKOFF_FIRST * 2 ** (failures - 1), BACKOFF_MAX))

    async def _until_done(self, call: Callable[[], Awaitable[object]]) -> None:
        while True:
            try:
                await call()
            except ZaloApiError as refused:
                log.warning("the Zalo Bot Platform refused a call: %s", refused)
            except NETWORK_ERRORS as trouble:
                log.warning("reaching the Zalo Bot Platform failed: %r", trouble)
            else:
                self._failures = 0
                return
            self._failures += 1
            await self._sleep(min(BACKOFF_FIRST * 2 ** (self._failures - 1), BACKOFF_MAX))

    async def _register_webhook(self) -> None:
        while True:
            try:
                await self.client.set_webhook(self._webhook_url, self._webhook_secret)
            except (ZaloApiError, *NETWORK_ERRORS) as trouble:
                log.error("could not set the Zalo Bot webhook: %s; trying again", trouble)
                await self._sleep(WEBHOOK_RETRY_SECONDS)
            else:
                log.info("Zalo Bot webhook set to %s", self._webhook_url)
                return
