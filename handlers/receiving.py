"""What every network channel does with the task that receives its updates (polling, or
registering its webhook): start it once, and stop it before anything else stops."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from typing import Any


class Receiving:
    def __init__(self) -> None:
        self._task: asyncio.Task[None] | None = None

    def _receive(self, job: Coroutine[Any, Any, None], name: str) -> None:
        self._task = asyncio.create_task(job, name=name)

    async def stop_receiving(self) -> None:
        """Nothing new is acknowledged after this returns."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
