"""The project's HTTP server (aiohttp): channel webhooks, the /healthz readiness check, the
public documents (calendar feeds, open data, the public pages) and /metrics (handlers.metrics).

Every response carries the security headers (an HTML page its own policy instead of the
blanket one: handlers.pages); no response ever carries a traceback (an
unexpected exception is logged here and answered with a plain 500). GET routes take no body,
and the public ones (every GET route but /healthz and /metrics) are rate-limited per client
address.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from aiohttp import web

from handlers.limits import ClientRateLimit, client_address

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# The most any route reads; each webhook reads at most its own limit (handlers.webhook).
MAX_BODY = 1024 * 1024
READY_TIMEOUT = 5.0
# Nothing served here but the public pages is HTML: a browser that opens a response anyway may
# neither run, load nor frame anything from it, nor tell another site where its user came from.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; sandbox",
    # aiohttp would name itself and its version, which only helps someone matching exploits.
    "Server": "tiepdan",
}


@dataclass(frozen=True, slots=True)
class PagePolicy:
    """What an HTML page may load and who may frame it, in place of the blanket policy."""

    content_security_policy: str
    # "DENY", or None where frame-ancestors names the sites that may frame the page.
    frame_options: str | None = "DENY"


# Set on a response (``response[PAGE_POLICY] = ...``) to give it its own policy.
PAGE_POLICY = web.ResponseKey("page_policy", PagePolicy)


def refusal(status: int, reason: str, headers: Mapping[str, str] | None = None) -> web.Response:
    """An error answer: a short JSON body, the same shape on every route."""
    return web.json_response({"error": reason}, status=status, headers=headers)


class WebServer:
    def __init__(
        self,
        host: str,
        port: int,
        ready: Callable[[], Awaitable[object]],
        *,
        public_limit: ClientRateLimit | None = None,
        trust_forwarded_for: bool = False,
    ) -> None:
        """``ready`` raises (or times out) when the instance cannot serve: the database.
        ``public_limit`` counts the requests to the public routes (None: no limit)."""
        self._host = host
        self._port = port
        self._ready = ready
        self._public_limit = public_limit
        self._trust_forwarded_for = trust_forwarded_for
        self._app = web.Application(client_max_size=MAX_BODY, middlewares=[_no_traceback])
        self._app.on_response_prepare.append(_secure)
        self._app.router.add_get("/healthz", _without_body(self._health))
        self._runner: web.AppRunner | None = None
        self.port = port

    def add_post(self, path: str, handler: Handler) -> None:
        """Routes are added before ``start``; the handler reads and limits the body."""
        self._app.router.add_post(path, handler)

    def add_get(self, path: str, handler: Handler, *, limited: bool = True) -> None:
        """A public route, added before ``start``: no body, limited per client (unless
        ``limited`` is False: /metrics, which a scraper polls from one address); HEAD is
        answered too."""
        bodiless = _without_body(handler)
        self._app.router.add_get(path, self._limited(bodiless) if limited else bodiless)

    async def start(self) -> None:
        # Not decompressed: a few kilobytes of gzip can inflate to gigabytes before a body
        # limit sees them. The webhooks refuse an encoded body instead (handlers.webhook).
        self._runner = web.AppRunner(self._app, access_log=None, auto_decompress=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        # The port actually bound, when 0 asked for any free one.
        addresses = self._runner.addresses
        if addresses:
            self.port = int(addresses[0][1])
        log.info("HTTP server on %s:%s", self._host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _health(self, _request: web.Request) -> web.StreamResponse:
        try:
            await asyncio.wait_for(self._ready(), READY_TIMEOUT)
        except Exception as trouble:
            log.warning("not ready: %s", trouble)
            return web.json_response({"status": "unavailable", "database": "down"}, status=503)
        return web.json_response({"status": "ok", "database": "up"})

    def _limited(self, handler: Handler) -> Handler:
        limit = self._public_limit
        if limit is None:
            return handler

        async def limited(request: web.Request) -> web.StreamResponse:
            client = client_address(
                request.remote,
                ",".join(request.headers.getall("X-Forwarded-For", [])),
                trust_forwarded=self._trust_forwarded_for,
            )
            wait = limit.take(client)
            if wait > 0:
                retry = str(max(1, math.ceil(wait)))
                return refusal(429, "too many requests", headers={"Retry-After": retry})
            return await handler(request)

        return limited


def _without_body(handler: Handler) -> Handler:
    async def bodiless(request: web.Request) -> web.StreamResponse:
        if request.body_exists:
            return refusal(413, "this route takes no body")
        return await handler(request)

    return bodiless


@web.middleware
async def _no_traceback(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPException:
        # aiohttp's own answers (404, 405...): a status and its name, nothing from the code.
        raise
    except Exception:
        # Logged here, once, with the traceback; the client learns only that it failed.
        log.exception("answering %s %s failed", request.method, request.path)
        return refusal(500, "internal error")


async def _secure(_request: web.Request, response: web.StreamResponse) -> None:
    response.headers.update(SECURITY_HEADERS)
    policy = response.get(PAGE_POLICY)
    if policy is not None:
        response.headers["Content-Security-Policy"] = policy.content_security_policy
        if policy.frame_options is None:
            del response.headers["X-Frame-Options"]
        else:
            response.headers["X-Frame-Options"] = policy.frame_options


def document(
    request: web.Request,
    body: bytes,
    content_type: str,
    *,
    max_age: int,
    headers: Mapping[str, str] | None = None,
    last_modified: datetime | None = None,
) -> web.Response:
    """A public document: cacheable for ``max_age`` seconds, then revalidated by its ETag (a
    client that already has these bytes gets 304 Not Modified) or, for a client that sends
    no ETag, by ``last_modified`` (If-Modified-Since; RFC 9110 13.2.2)."""
    tag = etag_of(body)
    common = {"Cache-Control": f"public, max-age={max_age}", **(headers or {})}
    if request.if_none_match is not None:
        unchanged = any(seen.value in (tag, "*") for seen in request.if_none_match)
    else:
        since = request.if_modified_since
        unchanged = bool(last_modified and since and last_modified.replace(microsecond=0) <= since)
    if unchanged:
        response = web.Response(status=304, headers=common)
    else:
        response = web.Response(body=body, headers={"Content-Type": content_type, **common})
    response.etag = tag
    if last_modified is not None:
        response.last_modified = last_modified
    return response


def etag_of(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:32]
