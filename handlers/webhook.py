"""A channel's webhook: the provider posts each update with a shared secret in a header; the
update is answered 200 once stored in the inbox, never before, and processed from there."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from json import JSONDecodeError
from typing import Any, Protocol

from aiohttp import web

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class UpdateSink(Protocol):
    async def accept(self, updates: Sequence[tuple[str, Mapping[str, Any]]]) -> int:
        """Store the updates; when this returns they are safe to acknowledge."""
        ...

    async def room(self) -> None:
        """Wait while too many updates are waiting to be processed."""
        ...


def secret_webhook(
    sink: UpdateSink,
    secret: str,
    header: str,
    update_id: Callable[[Mapping[str, Any]], str],
    provider: str,
) -> Handler:
    """``update_id`` names an update uniquely (raising KeyError, TypeError or ValueError for
    a body that is not one), so that a redelivery is stored once."""
    expected = secret.encode("utf-8")

    async def receive(request: web.Request) -> web.StreamResponse:
        given = request.headers.get(header, "").encode("utf-8")
        # Constant time: the comparison must not tell how much of a guess was right.
        if not expected or not hmac.compare_digest(given, expected):
            return web.Response(status=401, text="unauthorized")
        try:
            payload = await request.json()
            if not isinstance(payload, Mapping):
                raise TypeError("not an object")
            name = update_id(payload)
        except (JSONDecodeError, KeyError, TypeError, ValueError, UnicodeDecodeError):
            return web.Response(status=400, text=f"not a {provider} update")
        try:
            await sink.accept([(name, payload)])
        except Exception:
            # Not stored, so not acknowledged: the provider will post it again.
            log.exception("could not store %s update %s", provider, name)
            return web.Response(status=503, text="try again")
        return web.json_response({})

    return receive
