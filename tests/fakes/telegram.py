"""A fake Telegram Bot API server on 127.0.0.1, and the people who use it.

It speaks the real protocol as aiogram uses it: POST /bot<token>/<method> with form-encoded
parameters, nested objects (reply_markup, commands, scope) as JSON strings inside the form,
multipart when a file is sent; answers {"ok": true, "result": ...} with valid Telegram objects,
or {"ok": false, "error_code": ..., "description": ..., "parameters": ...} as Telegram does.
It checks what Telegram checks that matters here: HTML that parses, text length, callback data
of at most 64 bytes. getUpdates long-polls and confirms updates by offset, as Telegram does.

The people side: ``write``, ``press`` (a button of a message the bot sent), ``share_contact``;
``inject`` makes the next calls of a method fail (429, 5xx, 403) or hang.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.server import LocalApi

TOKEN = "123456:TEST-token"
BOT_ID = 123456
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")


@dataclass
class Sent:
    """A message the bot sent, as the user sees it."""

    message_id: int
    chat_id: int
    text: str
    markup: dict[str, Any] | None
    document: str | None = None
    document_name: str | None = None
    at: float = field(default_factory=time.monotonic)

    def buttons(self) -> list[dict[str, Any]]:
        if not self.markup or "inline_keyboard" not in self.markup:
            return []
        return [button for row in self.markup["inline_keyboard"] for button in row]

    def asks_for_contact(self) -> bool:
        keyboard = (self.markup or {}).get("keyboard") or []
        return any(button.get("request_contact") for row in keyboard for button in row)


@dataclass
class Failure:
    status: int
    description: str
    retry_after: int | None = None
    hang: bool = False
    # A group that became a supergroup: Telegram names its new id.
    migrate_to_chat_id: int | None = None
    # Calls answered as usual before this failure comes (the third part of a long reply).
    after: int = 0


class FakeTelegram(LocalApi):
    def __init__(self, token: str = TOKEN) -> None:
        super().__init__()
        self.token = token
        self.sent: list[Sent] = []
        # (method, parameters, when): every call the bot made, failed ones included.
        self.calls: list[tuple[str, dict[str, Any], float]] = []
        # how each method was last posted: aiogram posts forms, the bot posts JSON
        self.content_types: dict[str, str] = {}
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.webhook: dict[str, Any] | None = None
        self.answered_callbacks: list[str] = []
        self._updates: list[dict[str, Any]] = []
        self._confirmed_below = 0
        self._update_ids = itertools.count(1000)
        self._message_ids = itertools.count(1)
        self._failures: dict[str, list[Failure]] = {}
        self._arrived = asyncio.Condition()
        self._closing = asyncio.Event()
        # Set by a test that can see the bot's database: waits until nothing more is on its
        # way to a chat (``tests.channels.running.settled``).
        self.quiet: Callable[[str], Awaitable[None]] | None = None

    # --- the server ------------------------------------------------------------------------

    async def stop(self) -> None:
        self._closing.set()
        await super().stop()

    def _route(self, app: web.Application) -> None:
        app.router.add_post("/bot{token}/{method}", self._call)

    async def _call(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        params = await call_params(request)
        self.content_types[method] = request.content_type
        self.calls.append((method, params, time.monotonic()))
        queued = self._failures.get(method)
        if queued and queued[0].after:
            queued[0].after -= 1
            queued = None
        if queued:
            failure = queued.pop(0)
            if failure.hang:
                # Never answers while the test runs: the client times out or dies first.
                await self._closing.wait()
            return _error(
                failure.status,
                failure.description,
                failure.retry_after,
                migrate_to_chat_id=failure.migrate_to_chat_id,
            )
        handler = self._methods().get(method)
        if handler is None:
            return _error(404, "Not Found: method not found")
        try:
            return web.json_response({"ok": True, "result": await handler(params)})
        except _Refused as refused:
            return _error(400, f"Bad Request: {refused}")

    def _methods(self) -> dict[str, Callable[[dict[str, Any]], Awaitable[Any]]]:
        return {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "sendMessage": self._send_message,
            "sendDocument": self._send_document,
            "answerCallbackQuery": self._answer_callback,
            "setMyCommands": self._set_commands,
            "deleteMyCommands": self._delete_commands,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
        }

    async def _get_me(self, _params: dict[str, Any]) -> Any:
        return {"id": BOT_ID, "is_bot": True, "first_name": "Tiếp Dân", "username": "tiepdan_bot"}

    async def _get_updates(self, params: dict[str, Any]) -> Any:
        if self.webhook is not None:
            raise _Refused("can't use getUpdates method while webhook is active")
        offset = int(params.get("offset") or 0)
        if offset:
            self._confirmed_below = max(self._confirmed_below, offset)
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        timeout = float(params.get("timeout") or 0)
        async with self._arrived:
            if not self._updates:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._arrived.wait(), timeout)
        return self._updates[:100]

    async def _send_message(self, params: dict[str, Any]) -> Any:
        text = _visible(params["text"], params.get("parse_mode"))
        if not 1 <= len(text.encode("utf-16-le")) // 2 <= 4096:
            raise _Refused("message is too long" if text else "message text is empty")
        markup = _markup(params.get("reply_markup"))
        return self._record(int(params["chat_id"]), text, markup)

    async def _send_document(self, params: dict[str, Any]) -> Any:
        caption = _visible(params.get("caption", ""), params.get("parse_mode"))
        message = self._record(
            int(params["chat_id"]), caption, _markup(params.get("reply_markup"))
        )
        document = params["document"]
        name = "file"
        if isinstance(document, str) and document.startswith("attach://"):
            # An upload is a part of its own, which the parameter names.
            part = document.removeprefix("attach://")
            document, name = params[part], params[f"{part}.filename"]
        self.sent[-1].document = document.decode("utf-8", "replace")
        self.sent[-1].document_name = name
        message["document"] = {"file_id": "f1", "file_unique_id": "u1", "file_name": name}
        return message

    def _record(self, chat_id: int, text: str, markup: dict[str, Any] | None) -> dict[str, Any]:
        message_id = next(self._message_ids)
        self.sent.append(Sent(message_id, chat_id, text, markup))
        chat_type = "private" if chat_id > 0 else "supergroup"
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type != "private":
            chat["title"] = "Cán bộ tiếp dân"
        else:
            chat["first_name"] = f"User {chat_id}"
        return {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": chat,
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Tiếp Dân"},
            "text": text,
        }

    async def _answer_callback(self, params: dict[str, Any]) -> Any:
        self.answered_callbacks.append(str(params["callback_query_id"]))
        return True

    async def _set_commands(self, params: dict[str, Any]) -> Any:
        scope = json.loads(params.get("scope") or '{"type": "default"}')
        key = (json.dumps(scope, sort_keys=True), str(params.get("language_code") or ""))
        commands = json.loads(params["commands"])
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", command["command"]):
                raise _Refused("BOT_COMMAND_INVALID")
            if not 1 <= len(command["description"]) <= 256:
                raise _Refused("BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[key] = commands
        return True

    async def _delete_commands(self, params: dict[str, Any]) -> Any:
        scope = json.loads(params.get("scope") or '{"type": "default"}')
        self.commands.pop(
            (json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")), None
        )
        return True

    async def _set_webhook(self, params: dict[str, Any]) -> Any:
        self.webhook = {
            "url": params["url"],
            "secret_token": params.get("secret_token"),
            "allowed_updates": json.loads(params.get("allowed_updates") or "[]"),
        }
        return True

    async def _delete_webhook(self, _params: dict[str, Any]) -> Any:
        self.webhook = None
        return True

    # --- failures --------------------------------------------------------------------------

    def inject(self, method: str, *failures: Failure) -> None:
        self._failures.setdefault(method, []).extend(failures)

    # --- the people ------------------------------------------------------------------------

    async def deliver(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for getUpdates (the same update twice: a redelivery)."""
        async with self._arrived:
            self._updates.append(update)
            self._arrived.notify_all()
        return update

    def text_update(self, user_id: int, text: str) -> dict[str, Any]:
        return self._message_update(user_id, {"text": text})

    def contact_update(self, user_id: int, phone: str, owner: int | None) -> dict[str, Any]:
        contact: dict[str, Any] = {"phone_number": phone, "first_name": "An"}
        if owner is not None:
            contact["user_id"] = owner
        return self._message_update(user_id, {"contact": contact})

    def button_update(self, user_id: int, message: Sent, data: str) -> dict[str, Any]:
        return {
            "update_id": next(self._update_ids),
            "callback_query": {
                "id": f"cb{next(self._update_ids)}",
                "from": _user(user_id),
                "chat_instance": "ci",
                "data": data,
                "message": {
                    "message_id": message.message_id,
                    "date": int(time.time()),
                    "chat": {"id": message.chat_id, "type": "private", "first_name": "An"},
                    "text": message.text or "…",
                },
            },
        }

    def group_update(self, user_id: int, group_id: int, text: str) -> dict[str, Any]:
        update = self._message_update(user_id, {"text": text})
        update["message"]["chat"] = {"id": group_id, "type": "supergroup", "title": "Cán bộ"}
        return update

    def _message_update(self, user_id: int, content: dict[str, Any]) -> dict[str, Any]:
        return {
            "update_id": next(self._update_ids),
            "message": {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": {"id": user_id, "type": "private", "first_name": "An"},
                "from": _user(user_id),
                **content,
            },
        }

    async def write(self, user_id: int, text: str) -> None:
        await self.deliver(self.text_update(user_id, text))

    async def share_contact(self, user_id: int, phone: str, owner: int | None) -> None:
        last = self.last(user_id)
        assert last is not None and any(m.asks_for_contact() for m in self.to(user_id)[-2:])
        await self.deliver(self.contact_update(user_id, phone, owner))

    async def press(self, user_id: int, data_prefix: str) -> str:
        """Tap the first button whose data starts so, on the newest message that has one."""
        for message in reversed(self.to(user_id)):
            for button in message.buttons():
                if button["callback_data"].startswith(data_prefix):
                    await self.deliver(
                        self.button_update(user_id, message, button["callback_data"])
                    )
                    return str(button["callback_data"])
        raise AssertionError(f"no button {data_prefix!r} in the messages to {user_id}")

    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates not yet acknowledged by the bot (no getUpdates with an offset past them)."""
        return list(self._updates)

    async def wait_count(self, chat_id: int, count: int, within: float = 15.0) -> list[Sent]:
        """Wait until ``count`` messages went to the chat; returns them all."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if len(self.to(chat_id)) >= count:
                return self.to(chat_id)
            await asyncio.sleep(0.02)
        raise AssertionError(f"{len(self.to(chat_id))} of {count} messages to {chat_id}")

    def polls(self) -> int:
        """How many times the bot has called getUpdates."""
        return sum(1 for method, _params, _at in self.calls if method == "getUpdates")

    def to(self, chat_id: int) -> list[Sent]:
        return [m for m in self.sent if m.chat_id == chat_id]

    def last(self, chat_id: int) -> Sent | None:
        mine = self.to(chat_id)
        return mine[-1] if mine else None

    async def wait_for(
        self, chat_id: int, predicate: Callable[[Sent], bool], within: float = 15.0
    ) -> Sent:
        """The first message to ``chat_id`` after those already seen that satisfies
        ``predicate``; waits for it."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            for message in self.to(chat_id):
                if predicate(message):
                    return message
            await asyncio.sleep(0.02)
        texts = [m.text[:80] for m in self.to(chat_id)]
        raise AssertionError(f"no such message to {chat_id} within {within}s; got {texts}")

    async def reply_to(
        self, chat_id: int, action: Awaitable[object], within: float = 15.0
    ) -> Sent:
        """Do ``action`` (a user's message) and wait for the bot's next message to the chat."""
        seen = len(self.to(chat_id))
        await action
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            mine = self.to(chat_id)
            if len(mine) > seen:
                # Let the rest of a multi-message reply arrive.
                if self.quiet is not None:
                    await self.quiet(str(chat_id))
                else:
                    await asyncio.sleep(0.05)
                return self.to(chat_id)[-1]
            await asyncio.sleep(0.02)
        raise AssertionError(f"no reply to {chat_id} within {within}s")


class _Refused(Exception):
    pass


async def call_params(request: web.Request) -> dict[str, Any]:
    """A call's parameters as the Bot API reads them, whether posted as JSON or as a form.

    Form fields arrive as text, nested objects JSON-encoded; a JSON body is brought to the same
    shape so that every handler below reads one form.
    """
    params: dict[str, Any] = {}
    if request.content_type == "application/json":
        for key, value in (await request.json()).items():
            if isinstance(value, (dict, list)):
                params[key] = json.dumps(value, ensure_ascii=False)
            elif isinstance(value, bool):
                params[key] = "true" if value else "false"
            else:
                params[key] = str(value)
        return params
    for key, value in (await request.post()).items():
        if isinstance(value, web.FileField):
            params[key] = value.file.read()
            params[f"{key}.filename"] = value.filename
        else:
            params[key] = value if isinstance(value, str) else bytes(value).decode()
    return params


def _user(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": "An", "language_code": "vi"}


def _markup(raw: Any) -> dict[str, Any] | None:
    if not raw:
        return None
    markup = json.loads(raw)
    for row in markup.get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data", "")
            if not 1 <= len(data.encode("utf-8")) <= 64:
                raise _Refused("BUTTON_DATA_INVALID")
    return dict(markup)


def _visible(text: str, parse_mode: str | None) -> str:
    """What the user sees: with parse_mode HTML the text must parse, as Telegram checks."""
    if parse_mode != "HTML":
        return text
    if "<" in text:
        raise _Refused("can't parse entities: unsupported start tag")
    if "&" in _ENTITY.sub("", text):
        raise _Refused("can't parse entities: unescaped &")
    if ">" in text:
        raise _Refused("can't parse entities: unescaped >")
    return html.unescape(text)


def _error(
    status: int,
    description: str,
    retry_after: int | None = None,
    *,
    migrate_to_chat_id: int | None = None,
) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    parameters = {
        name: value
        for name, value in (
            ("retry_after", retry_after),
            ("migrate_to_chat_id", migrate_to_chat_id),
        )
        if value is not None
    }
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=status)
