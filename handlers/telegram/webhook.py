"""The webhook: Telegram posts each update; it is answered 200 once stored, never before."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from json import JSONDecodeError

from aiohttp import web

from handlers.telegram.polling import UpdateSink

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def webhook_handler(sink: UpdateSink, secret: str) -> Handler:
    expected = secret.encode("utf-8")

    async def receive(request: web.Request) -> web.StreamResponse:
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8")
        # Constant time: the comparison must not tell how much of a guess was right.
        if not hmac.compare_digest(given, expected):
            return web.Response(status=401, text="unauthorized")
        try:
            payload = await request.json()
            update_id = int(payload["update_id"])
        except (JSONDecodeError, KeyError, TypeError, ValueError, UnicodeDecodeError):
            return web.Response(status=400, text="not a Telegram update")
        try:
            await sink.accept([(str(update_id), payload)])
        except Exception:
            # Not stored, so not acknowledged: Telegram will post it again.
            log.exception("could not store Telegram update %s", update_id)
            return web.Response(status=503, text="try again")
        return web.json_response({})

    return receive
