"""The whole product started in the test's event loop, on a fresh database with the demo."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot import config as configuration
from bot import runtime
from bot.app import App, build
from bot.core.clock import FixedClock
from bot.demo import load_demo
from tests.conftest import fresh_schema


@asynccontextmanager
async def running_app(
    config: configuration.Config, clock: FixedClock
) -> AsyncIterator[tuple[App, runtime.Running]]:
    app = build(config, clock)
    await fresh_schema(app.engine)
    async with app.store.transaction() as repo:
        await load_demo(repo, clock.now())
    running = await runtime.start(app)
    try:
        yield app, running
    finally:
        await runtime.stop(running)
        await app.close()
