"""A fake Zalo Bot Platform API on 127.0.0.1, speaking its protocol: ``POST
/bot{token}/{method}`` with a JSON body, answered ``{"ok", "result"}`` or ``{"ok": false,
"error_code", "description"}``; getUpdates hands out one event per call and answers 408 when
its long poll ends empty (docs/zalo.md).

Citizens are played by the tests: ``write`` queues a text event as the platform would deliver
it; ``sent`` records what the bot sent, as the citizen's phone shows it.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from tests.fakes.server import LocalApi

TOKEN = "1234567890:zalo-test-secret"
TEXT_LIMIT = 2000


@dataclass
class SentText:
    chat_id: str
    text: str
    message_id: str
    at: float = field(default_factory=time.monotonic)

    @property
    def menu(self) -> dict[int, str]:
        """The numbered options of the message, by number."""
        options = {}
        for line in self.text.split("\n"):
            number, _sep, label = line.partition(" ")
            digits = number.replace("\ufe0f\u20e3", "").rstrip(".")
            if digits.isdigit() and label:
                options[int(digits)] = label
        return options

    def option(self, words: str) -> int:
        """The number of the option labelled ``words`` (else the first holding them)."""
        menu = self.menu
        for number, label in menu.items():
            if label.casefold() == words.casefold():
                return number
        for number, label in menu.items():
            if words.casefold() in label.casefold():
                return number
        raise AssertionError(f"no option {words!r} in:\n{self.text}")


@dataclass
class Failure:
    status: int
    error_code: int
    description: str = "injected"
    # The raw answer to send instead of the JSON error (a proxy's HTML page, a bare list...).
    body: str | None = None
    # Calls answered as usual before this failure comes (the third part of a long reply).
    after: int = 0


class FakeZaloBot(LocalApi):
    def __init__(self, token: str = TOKEN) -> None:
        super().__init__()
        self.token = token
        self.sent: list[SentText] = []
        # sendPhoto's bodies, as received.
        self.photos: list[dict[str, Any]] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.webhook: dict[str, str] | None = None
        self._events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._failures: dict[str, list[Failure]] = {}
        self._ids = itertools.count(1)
        self._changed = asyncio.Condition()
        # Set by a test that can see the bot's database: waits until nothing more is on its
        # way to a user (``tests.channels.running.settled``).
        self.quiet: Callable[[str], Awaitable[None]] | None = None
        self._push_url: str | None = None

    def inject(self, method: str, *failures: Failure) -> None:
        self._failures.setdefault(method, []).extend(failures)

    # --- the API ---------------------------------------------------------------------------

    def _route(self, app: web.Application) -> None:
        app.router.add_post("/bot{token}/{method}", self._call)

    async def _call(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return _error(401, 401, "Unauthorized")
        method = request.match_info["method"]
        try:
            body = await request.json() if request.can_read_body else {}
        except ValueError:
            return _error(400, 400, "body is not JSON")
        if not isinstance(body, dict):
            return _error(400, 400, "body is not an object")
        self.calls.append((method, body))
        pending = self._failures.get(method)
        if pending and pending[0].after:
            pending[0].after -= 1
            pending = None
        if pending:
            failure = pending.pop(0)
            if failure.body is not None:
                return web.Response(
                    status=failure.status, text=failure.body, content_type="application/json"
                )
            return _error(failure.status, failure.error_code, failure.description)
        handler = self._methods().get(method)
        if handler is None:
            return _error(404, 404, f"no method {method}")
        try:
            result = await handler(body)
        except _Refused as refused:
            return _error(200, refused.code, refused.description)
        return web.json_response({"ok": True, "result": result})

    def _methods(self) -> dict[str, Callable[[dict[str, Any]], Awaitable[Any]]]:
        return {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendChatAction": self._send_chat_action,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
        }

    async def _get_me(self, _body: dict[str, Any]) -> Any:
        return {"id": "9999", "account_name": "tiepdan_bot", "account_type": "BASIC"}

    async def _get_updates(self, body: dict[str, Any]) -> Any:
        if self.webhook is not None:
            raise _Refused(409, "a webhook is set")
        timeout = body.get("timeout", "30")
        if not isinstance(timeout, str):
            raise _Refused(400, "timeout must be a string")
        try:
            return await asyncio.wait_for(self._events.get(), float(timeout))
        except TimeoutError:
            raise _Refused(408, "Request timeout") from None

    async def _send_message(self, body: dict[str, Any]) -> Any:
        chat_id, text = body.get("chat_id"), body.get("text")
        if not isinstance(chat_id, str) or not chat_id:
            raise _Refused(400, "chat_id is required")
        if not isinstance(text, str) or not 1 <= len(text) <= TEXT_LIMIT:
            raise _Refused(400, "text must hold 1 to 2000 characters")
        message = SentText(chat_id, text, f"m{next(self._ids)}")
        async with self._changed:
            self.sent.append(message)
            self._changed.notify_all()
        return {"message_id": message.message_id, "date": int(time.time() * 1000)}

    async def _send_photo(self, body: dict[str, Any]) -> Any:
        if not isinstance(body.get("chat_id"), str) or not isinstance(body.get("photo"), str):
            raise _Refused(400, "chat_id and photo are required")
        self.photos.append(body)
        return {"message_id": f"p{next(self._ids)}", "date": int(time.time() * 1000)}

    async def _send_chat_action(self, _body: dict[str, Any]) -> Any:
        return True

    async def _set_webhook(self, body: dict[str, Any]) -> Any:
        url, secret = body.get("url"), body.get("secret_token")
        if not isinstance(url, str) or not url.startswith("https://"):
            raise _Refused(400, "url must be https")
        if not isinstance(secret, str) or not 8 <= len(secret) <= 256:
            raise _Refused(400, "secret_token must hold 8 to 256 characters")
        self.webhook = {"url": url, "secret_token": secret}
        return {"url": url}

    async def _delete_webhook(self, _body: dict[str, Any]) -> Any:
        self.webhook = None
        return True

    async def _get_webhook_info(self, _body: dict[str, Any]) -> Any:
        return {"url": (self.webhook or {}).get("url", "")}

    # --- the citizens ------------------------------------------------------------------------

    def text_event(self, user_id: str, text: str) -> dict[str, Any]:
        return {
            "event_name": "message.text.received",
            "message": {
                "message_id": f"in{next(self._ids)}",
                "from": {"id": user_id, "display_name": "Công dân", "is_bot": False},
                "chat": {"id": user_id, "chat_type": "PRIVATE"},
                "date": int(time.time() * 1000),
                "text": text,
            },
        }

    async def deliver(self, event: dict[str, Any]) -> None:
        """Hand ``event`` to the next getUpdates exactly as given (malformed ones too)."""
        await self._events.put(event)

    def push_to(self, url: str) -> None:
        """Deliver events by posting them to the bot's webhook at ``url`` (the public URL
        given to setWebhook reaches the bot there), with the secret it registered."""
        self._push_url = url

    async def write(self, user_id: str, text: str) -> dict[str, Any]:
        event = self.text_event(user_id, text)
        if self._push_url is None:
            await self._events.put(event)
            return event
        assert self.webhook is not None, "the bot set no webhook"
        async with (
            aiohttp.ClientSession() as http,
            http.post(
                self._push_url,
                json=event,
                headers={"X-Bot-Api-Secret-Token": self.webhook["secret_token"]},
            ) as response,
        ):
            assert response.status == 200, await response.text()
        return event

    async def reply_to(self, user_id: str, text: str, settle: float = 0.3) -> SentText:
        """Write, then wait for the bot's answer; when it comes in several messages, the last
        one (where a menu is). With ``quiet`` set, it waits for the bot to have recorded every
        reply as sent; without it, for no message in ``settle`` seconds."""
        before = len(self.to(user_id))
        await self.write(user_id, text)
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: len(self.to(user_id)) > before), 20.0
            )
        if self.quiet is not None:
            await self.quiet(user_id)
            return self.to(user_id)[-1]
        while True:
            count = len(self.to(user_id))
            await asyncio.sleep(settle)
            if len(self.to(user_id)) == count:
                return self.to(user_id)[-1]

    def to(self, chat_id: str) -> list[SentText]:
        return [m for m in self.sent if m.chat_id == chat_id]

    async def wait_for(
        self, chat_id: str, words: str, after: int = 0, within: float = 20.0
    ) -> SentText:
        """The first message to the chat, from the ``after``-th on, holding ``words``."""

        def found() -> SentText | None:
            return next((m for m in self.to(chat_id)[after:] if words in m.text), None)

        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: found() is not None), within)
        message = found()
        assert message is not None
        return message


class _Refused(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


def _error(status: int, code: int, description: str) -> web.Response:
    return web.json_response(
        {"ok": False, "error_code": code, "description": description}, status=status
    )
