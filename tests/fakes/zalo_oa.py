"""A fake of the Zalo Official Account APIs on 127.0.0.1: the OAuth v4 token endpoint (each
refresh token works once and is replaced), the v3 consultation message endpoint and ZNS,
speaking their protocols (docs/zalo.md). It also signs webhook events
the way Zalo does, for the tests to post."""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

from tests.fakes.server import LocalApi

# Zalo takes consultation messages to a user who wrote within 7 days; else error -230.
CONSULTATION_WINDOW = timedelta(days=7)
APP_ID = "4301234567890"
APP_SECRET = "app-secret-for-tests"
OA_SECRET_KEY = "oa-secret-key-for-tests"
FIRST_REFRESH_TOKEN = "rt-0"


@dataclass
class Sent:
    user_id: str
    text: str
    buttons: list[dict[str, Any]]

    def payload_of(self, words: str) -> str:
        for button in self.buttons:
            if words.casefold() in str(button["title"]).casefold():
                return str(button["payload"])
        raise AssertionError(f"no button {words!r}: {self.buttons}")


@dataclass
class Injected:
    status: int
    body: str
    # Calls answered as usual before this answer comes.
    after: int = 0


class FakeZaloOa(LocalApi):
    def __init__(self) -> None:
        super().__init__()
        # Events are stamped with this clock: the tests give it the application's.
        self.now: Callable[[], datetime] = lambda: datetime.now(UTC)
        self.refresh_token = FIRST_REFRESH_TOKEN
        self.access_token = ""
        self.refreshes: list[str] = []
        self.refusing_refresh = False
        # What a successful refresh says of the new access token's life, in seconds.
        self.expires_in = "90000"
        # path -> answers given instead of the real one, in order.
        self._injected: dict[str, list[Injected]] = {}
        self.sent: list[Sent] = []
        self.zns: list[dict[str, Any]] = []
        # When each user last wrote, by the events this fake made.
        self.heard: dict[str, datetime] = {}
        self._numbers = itertools.count(1)
        self._tokens = itertools.count(1)

    def _route(self, app: web.Application) -> None:
        app.router.add_post("/v4/oa/access_token", self._token)
        app.router.add_post("/v3.0/oa/message/cs", self._message)
        app.router.add_post("/message/template", self._template)

    def inject(self, path: str, status: int, body: str, *, after: int = 0) -> None:
        """The next call to ``path`` (after ``after`` calls answered as usual) is answered
        ``status`` with ``body`` as it stands."""
        self._injected.setdefault(path, []).append(Injected(status, body, after))

    def _answer_injected(self, request: web.Request) -> web.Response | None:
        queued = self._injected.get(request.path)
        if not queued:
            return None
        if queued[0].after:
            queued[0].after -= 1
            return None
        answer = queued.pop(0)
        return web.Response(
            status=answer.status, text=answer.body, content_type="application/json"
        )

    def expire_access_token(self) -> None:
        """As Zalo does after 25 hours: the token in use stops working."""
        self.access_token = ""

    # --- the APIs ----------------------------------------------------------------------------

    async def _token(self, request: web.Request) -> web.StreamResponse:
        if (injected := self._answer_injected(request)) is not None:
            return injected
        form = await request.post()
        if request.headers.get("secret_key") != APP_SECRET or form.get("app_id") != APP_ID:
            return web.json_response({"error": -14002, "error_description": "Invalid app"})
        if form.get("grant_type") != "refresh_token":
            return web.json_response({"error": -14003, "error_description": "Bad grant type"})
        given = str(form.get("refresh_token", ""))
        self.refreshes.append(given)
        if self.refusing_refresh or given != self.refresh_token:
            return web.json_response(
                {"error": -14014, "error_description": "Invalid refresh token"}
            )
        number = next(self._tokens)
        self.access_token = f"at-{number}"
        self.refresh_token = f"rt-{number}"
        return web.json_response(
            {
                "access_token": self.access_token,
                "refresh_token": self.refresh_token,
                "expires_in": self.expires_in,
            }
        )

    def _authorised(self, request: web.Request) -> bool:
        return bool(self.access_token) and request.headers.get("access_token") == self.access_token

    async def _message(self, request: web.Request) -> web.StreamResponse:
        if (injected := self._answer_injected(request)) is not None:
            return injected
        if not self._authorised(request):
            return web.json_response({"error": -216, "message": "Access token is invalid"})
        body = await request.json()
        message = body.get("message") or {}
        text = message.get("text")
        if not isinstance(text, str) or not 1 <= len(text) <= 2000:
            return web.json_response({"error": -210, "message": "Parameter text is invalid"})
        user_id = str(body["recipient"]["user_id"])
        heard = self.heard.get(user_id)
        if heard is not None and self.now() - heard > CONSULTATION_WINDOW:
            return web.json_response(
                {
                    "error": -230,
                    "message": "User has not interacted with the OA in the past 7 days",
                }
            )
        attachment = message.get("attachment") or {}
        buttons = (attachment.get("payload") or {}).get("buttons") or []
        self.sent.append(Sent(user_id, text, list(buttons)))
        return web.json_response(
            {"error": 0, "message": "Success", "data": {"message_id": f"cs{len(self.sent)}"}}
        )

    async def _template(self, request: web.Request) -> web.StreamResponse:
        if (injected := self._answer_injected(request)) is not None:
            return injected
        if not self._authorised(request):
            return web.json_response({"error": -124, "message": "Access token is invalid"})
        body = await request.json()
        self.zns.append(body)
        return web.json_response(
            {"error": 0, "message": "Success", "data": {"msg_id": f"zns{len(self.zns)}"}}
        )

    # --- events, signed as Zalo signs them ----------------------------------------------------

    def event(self, user_id: str, text: str, msg_id: str | None = None) -> dict[str, Any]:
        self.heard[user_id] = self.now()
        return {
            "app_id": APP_ID,
            "user_id_by_app": f"app-{user_id}",
            "event_name": "user_send_text",
            "timestamp": str(int(self.now().timestamp() * 1000)),
            "sender": {"id": user_id},
            "recipient": {"id": "oa-1"},
            "message": {"msg_id": msg_id or f"msg-{next(self._numbers)}", "text": text},
        }

    @staticmethod
    def signed(event: dict[str, Any], secret: str = OA_SECRET_KEY) -> tuple[bytes, dict[str, str]]:
        body = json.dumps(event, ensure_ascii=False).encode("utf-8")
        mac = hashlib.sha256(
            APP_ID.encode() + body + str(event["timestamp"]).encode() + secret.encode()
        ).hexdigest()
        return body, {"X-ZEvent-Signature": f"mac={mac}", "Content-Type": "application/json"}

    def to(self, user_id: str) -> list[Sent]:
        return [m for m in self.sent if m.user_id == user_id]
