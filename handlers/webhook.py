"""A channel's webhook: the provider posts each update with a shared secret in a header; the
update is answered 200 once stored in the inbox, never before, and processed from there.

The order of the checks, and why:

1. The secret (401), before anything of the request is read: a caller without it learns
   nothing, not even what a body should look like, and costs no more than its headers.
2. The content type (415), from the headers: only a JSON body, not compressed.
3. The size (413): a declared length over the limit is refused unread, and a body without one
   is read only up to the limit.
4. The body itself (400): UTF-8, JSON nested no deeper than ``limits.MAX_JSON_DEPTH``, one
   object, and an update of the provider's.

The Zalo OA webhook signs the body instead (``handlers.zalo.oa_events``): its signature can
only be checked after steps 2 to 4, so it uses a tighter size limit.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Protocol

from aiohttp import web

from handlers.limits import BadBody, json_object
from handlers.web import MAX_BODY, refusal

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# A body labelled otherwise is refused. No label (which aiohttp reads as the generic
# octet-stream) means the sender did not say, and the Zalo platforms document nothing here:
# the body then speaks for itself. What browsers' forms send across sites without asking
# (text/plain, form data) is refused, so no web page can make its visitors post here.
_ACCEPTED_TYPES = frozenset({"application/json", "application/octet-stream"})


class UpdateSink(Protocol):
    async def accept(self, updates: Sequence[tuple[str, Mapping[str, Any]]]) -> int:
        """Store the updates; when this returns they are safe to acknowledge."""
        ...

    async def room(self) -> None:
        """Wait while too many updates are waiting to be processed."""
        ...


class Refused(Exception):
    """A request answered with an error before it reached the inbox."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status

    def response(self) -> web.Response:
        return refusal(self.status, str(self))


async def read_json(request: web.Request, max_body: int) -> tuple[bytes, dict[str, Any]]:
    """The raw body and the JSON object it holds; raises ``Refused`` (415, 413 or 400)."""
    if request.content_type not in _ACCEPTED_TYPES:
        raise Refused(415, "send application/json")
    if request.headers.get("Content-Encoding", "identity").strip().lower() != "identity":
        raise Refused(415, "send the body uncompressed")
    body = await read_body(request, max_body)
    try:
        return body, json_object(body)
    except BadBody as bad:
        raise Refused(400, str(bad)) from None


async def read_body(request: web.Request, max_body: int) -> bytes:
    too_large = Refused(413, f"a body of at most {max_body} bytes")
    if request.content_length is not None and request.content_length > max_body:
        raise too_large
    body = bytearray()
    # A chunked body has no length to check first: it is read as it comes, up to the limit.
    async for chunk in request.content.iter_any():
        body += chunk
        if len(body) > max_body:
            raise too_large
    return bytes(body)


def secret_webhook(
    sink: UpdateSink,
    secret: str,
    header: str,
    update_id: Callable[[Mapping[str, Any]], str],
    provider: str,
    max_body: int = MAX_BODY,
) -> Handler:
    """``update_id`` names an update uniquely (raising KeyError, TypeError or ValueError for
    a body that is not one), so that a redelivery is stored once."""
    expected = secret.encode("utf-8")

    async def receive(request: web.Request) -> web.StreamResponse:
        given = request.headers.get(header, "").encode("utf-8")
        # Constant time: the comparison must not tell how much of a guess was right.
        if not expected or not hmac.compare_digest(given, expected):
            return refusal(401, "unauthorized")
        try:
            _body, payload = await read_json(request, max_body)
        except Refused as refused:
            return refused.response()
        try:
            name = update_id(payload)
        except (KeyError, TypeError, ValueError):
            return refusal(400, f"not a {provider} update")
        try:
            await sink.accept([(name, payload)])
        except Exception:
            # Not stored, so not acknowledged: the provider will post it again.
            log.exception("could not store %s update %s", provider, name)
            return refusal(503, "try again")
        return web.json_response({})

    return receive
