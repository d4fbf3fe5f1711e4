"""A small typed client of the Zalo Bot Platform API.

Every method is ``POST {base}/bot{token}/{method}`` with a JSON body, answered with
``{"ok": bool, "result": ..., "error_code"?, "description"?}``
(docs/zalo.md). The base URL is configuration, so tests point it at a
fake on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp

from handlers.zalo.numbers import integer

DEFAULT_BASE_URL = "https://bot-api.zaloplatforms.com"
# sendMessage takes 1 to 2000 characters.
TEXT_LIMIT = 2000
# getUpdates answers ok=false with this code when the long poll ended with nothing new.
NOTHING_NEW = 408


class ZaloApiError(Exception):
    """The API refused a call (``ok`` false), or answered with something that is not JSON.
    ``status`` is the HTTP status."""

    def __init__(self, error_code: int, description: str, status: int = 200) -> None:
        super().__init__(f"{error_code}: {description}")
        self.error_code = error_code
        self.description = description
        self.status = status


@dataclass(frozen=True, slots=True)
class BotInfo:
    id: str
    account_name: str


@dataclass(frozen=True, slots=True)
class SentMessage:
    message_id: str
    date_ms: int


class ZaloBotClient:
    def __init__(
        self,
        token: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        request_timeout: float = 30.0,
    ) -> None:
        self._url = f"{base_url.rstrip('/')}/bot{token}/"
        self._timeout = request_timeout
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def call(
        self, method: str, body: Mapping[str, Any] | None = None, *, wait: float | None = None
    ) -> Any:
        """The ``result`` of one API call; ZaloApiError when ``ok`` is false. Network errors
        (aiohttp.ClientError, asyncio.TimeoutError) are left to the caller."""
        if self._session is None:
            self._session = aiohttp.ClientSession()
        async with self._session.post(
            self._url + method,
            json=dict(body or {}),
            timeout=aiohttp.ClientTimeout(total=wait or self._timeout),
        ) as response:
            try:
                answer = await response.json(content_type=None)
            except ValueError as error:
                raise ZaloApiError(response.status, "not JSON", response.status) from error
        if not isinstance(answer, Mapping):
            raise ZaloApiError(response.status, "not an API answer", response.status)
        if not answer.get("ok"):
            raise ZaloApiError(
                integer(answer.get("error_code"), 0) or response.status,
                str(answer.get("description") or ""),
                response.status,
            )
        return answer.get("result")

    async def get_me(self) -> BotInfo:
        result = await self.call("getMe")
        if not isinstance(result, Mapping) or not result.get("id"):
            raise ZaloApiError(0, "no bot in the answer")
        return BotInfo(str(result["id"]), str(result.get("account_name", "")))

    async def get_update(self, poll_seconds: int) -> Mapping[str, Any] | None:
        """The next update (one per call), or None when the long poll ended empty."""
        try:
            # The API takes the timeout as a string of seconds.
            result = await self.call(
                "getUpdates", {"timeout": str(poll_seconds)}, wait=poll_seconds + 15
            )
        except ZaloApiError as error:
            if error.error_code == NOTHING_NEW:
                return None
            raise
        return result if isinstance(result, Mapping) and result else None

    async def set_webhook(self, url: str, secret_token: str) -> None:
        await self.call("setWebhook", {"url": url, "secret_token": secret_token})

    async def delete_webhook(self) -> None:
        await self.call("deleteWebhook")

    async def get_webhook_info(self) -> Mapping[str, Any]:
        result = await self.call("getWebhookInfo")
        return result if isinstance(result, Mapping) else {}

    async def send_message(self, chat_id: str, text: str) -> SentMessage:
        if not 1 <= len(text) <= TEXT_LIMIT:
            raise ValueError(f"a Zalo message holds 1 to {TEXT_LIMIT} characters")
        return _sent(await self.call("sendMessage", {"chat_id": chat_id, "text": text}))

    async def send_photo(self, chat_id: str, photo_url: str, caption: str = "") -> SentMessage:
        body = {"chat_id": chat_id, "photo": photo_url}
        if caption:
            body["caption"] = caption
        return _sent(await self.call("sendPhoto", body))

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> None:
        await self.call("sendChatAction", {"chat_id": chat_id, "action": action})


def _sent(result: Any) -> SentMessage:
    if not isinstance(result, Mapping):
        raise ZaloApiError(0, "no message in the answer")
    return SentMessage(str(result.get("message_id", "")), integer(result.get("date"), 0))


NETWORK_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError, OSError)
