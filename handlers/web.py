"""The project's HTTP server (aiohttp): channel webhooks and the /healthz readiness check."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

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
