"""What every fake API has in common: an aiohttp server on 127.0.0.1, on a free port; by
default its ``POST /bot{token}/{method}`` calls the fake's ``_call``."""

from __future__ import annotations

from aiohttp import web


class LocalApi:
    def __init__(self) -> None:
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def _call(self, request: web.Request) -> web.StreamResponse:
        raise NotImplementedError

    def _route(self, app: web.Application) -> None:
        app.router.add_post("/bot{token}/{method}", self._call)

    async def start(self) -> str:
        app = web.Application()
        self._route(app)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return self.base_url

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
