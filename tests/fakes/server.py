"""What every fake API has in common: an aiohttp server on 127.0.0.1, on a free port, serving
the routes the fake declares in ``_route``."""

from __future__ import annotations

from abc import ABC, abstractmethod

from aiohttp import web


class LocalApi(ABC):
    def __init__(self) -> None:
        self._runner: web.AppRunner | None = None
        self.port = 0

    @abstractmethod
    def _route(self, app: web.Application) -> None:
        """Add the fake's routes to ``app``."""

    async def start(self) -> str:
        app = web.Application()
        self._route(app)
        # A long poll the client gave up on would hold the shutdown until its own timeout.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.05)
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
