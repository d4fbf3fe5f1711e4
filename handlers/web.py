"""The project's HTTP server (aiohttp): channel webhooks, the /healthz readiness check, and
the public documents (calendar feeds, open data)."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable, Mapping

from aiohttp import web

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# A webhook body is one update; nothing legitimate comes near this.
MAX_BODY = 1024 * 1024
READY_TIMEOUT = 5.0


class WebServer:
    def __init__(self, host: str, port: int, ready: Callable[[], Awaitable[object]]) -> None:
        """``ready`` raises (or times out) when the instance cannot serve: the database."""
        self._host = host
        self._port = port
        self._ready = ready
        self._app = web.Application(client_max_size=MAX_BODY)
        self._app.router.add_get("/healthz", self._health)
        self._runner: web.AppRunner | None = None
        self.port = port

    def add_post(self, path: str, handler: Handler) -> None:
        """Routes are added before ``start``."""
        self._app.router.add_post(path, handler)

    def add_get(self, path: str, handler: Handler) -> None:
        """Routes are added before ``start``; HEAD is answered too."""
        self._app.router.add_get(path, handler)

    async def start(self) -> None:
        self._runner = web.AppRunner(self._app, access_log=None)
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


def document(
    request: web.Request,
    body: bytes,
    content_type: str,
    *,
    max_age: int,
    headers: Mapping[str, str] | None = None,
) -> web.Response:
    """A public document: cacheable for ``max_age`` seconds, then revalidated by its ETag (a
    client that already has these bytes gets 304 Not Modified)."""
    tag = hashlib.sha256(body).hexdigest()[:32]
    common = {"Cache-Control": f"public, max-age={max_age}", **(headers or {})}
    if any(seen.value in (tag, "*") for seen in request.if_none_match or ()):
        response = web.Response(status=304, headers=common)
    else:
        response = web.Response(body=body, headers={"Content-Type": content_type, **common})
    response.etag = tag
    return response
