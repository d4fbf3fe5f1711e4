"""The whole product started in the test's event loop, on a fresh database with the demo."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

from sqlalchemy import func, select

from bot import config as configuration
from bot import runtime
from bot.app import App, build
from bot.core.clock import FixedClock
from bot.demo import load_demo
from storage.tables import InboxRow, OutboxRow
from tests.conftest import fresh_schema

T = TypeVar("T")


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


async def eventually(
    probe: Callable[[], Awaitable[T]], what: str, within: float = 15.0, every: float = 0.05
) -> T:
    """Ask ``probe`` until it gives something true, and return it; fail, saying ``what`` was
    awaited, when ``within`` seconds pass first (a loop that simply ends would let a test go
    on as if it had happened)."""
    deadline = time.monotonic() + within
    while True:
        found = await probe()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {within} s")
        await asyncio.sleep(every)


async def settled(app: App, recipient: str) -> None:
    """Every stored update processed and every reply to ``recipient`` recorded as sent (or
    given up): from then on nothing more can reach them, so what the fake holds is final."""

    async def quiet() -> bool:
        async with app.engine.connect() as connection:
            unprocessed = await connection.scalar(
                select(func.count()).where(InboxRow.processed_at.is_(None))
            )
            unsent = await connection.scalar(
                select(func.count()).where(
                    OutboxRow.recipient == recipient,
                    OutboxRow.status.in_(("pending", "sending")),
                )
            )
        return unprocessed == 0 and unsent == 0

    await eventually(quiet, f"the updates and the replies to {recipient} settled")
