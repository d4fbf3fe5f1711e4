"""The inbox: every incoming update is stored before it is acknowledged, then processed once.

A channel hands over raw updates (``accept``); they are stored in one transaction (a redelivered
update id is dropped there), and only then may the channel acknowledge them (the polling offset,
the webhook's 200). Stored updates are processed by ``Dialogue.handle_updates``, which marks
each one processed in the same transaction as its effects and its replies — written already
held by the outbox dispatcher — and the replies are sent at once.

Each user's updates form a line, processed in the order they arrived: a user's next update
waits until the replies to the previous one have gone. The head updates of the lines that are
ready are taken together, up to ``batch`` of them, and processed in one transaction (one
commit for them all); ``loops`` batches may be under way at once (one on SQLite, which has a
single writer; several on PostgreSQL, whose round trips then overlap). Updates stored but not
processed when the process stopped are found again by ``sweep``, at start and then
periodically.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from bot.core.clock import Clock
from bot.core.model import Hold, Incoming, OutboxItem, StoredUpdate
from bot.core.ports import Store, StoreUnavailable
from bot.logs import turn
from bot.metrics import NO_METRICS, Metrics

log = logging.getLogger(__name__)


# Waits between tries while the database does not answer: short first (a restart takes
# seconds), growing so that a long outage is not hammered.
FIRST_RETRY_SECONDS = 0.25
LAST_RETRY_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class Arrival:
    """A stored update, and what the channel made of it (None: nothing to act on)."""

    stored: StoredUpdate
    incoming: Incoming | None


class Processor(Protocol):
    async def handle_updates(
        self, updates: Sequence[tuple[StoredUpdate, Incoming | None]], hold: Hold
    ) -> list[list[OutboxItem]]:
        """Act on each update once (each of a different user); return the replies of each,
        held by ``hold``, to send now."""
        ...


class ReplySender(Protocol):
    def hold(self) -> Hold: ...

    async def deliver_held(self, items: Sequence[OutboxItem]) -> object: ...


Parse = Callable[[Mapping[str, Any]], Incoming | None]
Hook = Callable[[Arrival], Awaitable[None]]


class Inbox:
    def __init__(
        self,
        channel: str,
        store: Store,
        processor: Processor,
        replies: ReplySender,
        clock: Clock,
        parse: Parse,
        *,
        loops: int = 1,
        batch: int = 64,
        max_backlog: int = 1000,
        on_arrival: Hook | None = None,
        metrics: Metrics = NO_METRICS,
    ) -> None:
        self.channel = channel
        self._metrics = metrics
        self._store = store
        self._processor = processor
        self._replies = replies
        self._clock = clock
        self._parse = parse
        self._loops = loops
        self._batch = batch
        self._max_backlog = max_backlog
        # Runs before an update is processed (Telegram: answer a button's callback query).
        self._on_arrival = on_arrival
        self._waiting: dict[Hashable, deque[Arrival]] = {}
        # Updates whose arrival was already acted on (a button press answered): a retry after
        # a database outage must not do it again.
        self._announced: set[int] = set()
        # Seconds to wait before trying again while the database does not answer; 0 while it
        # does.
        self._retry_in = 0.0
        self._ready: asyncio.Queue[Hashable] = asyncio.Queue()
        self._queued_ids: set[int] = set()
        self._workers: list[asyncio.Task[None]] = []
        # Sending a batch's replies, and answering buttons, go on beside the next batches.
        self._beside: set[asyncio.Task[None]] = set()
        self._idle = asyncio.Event()
        self._idle.set()
        self._room = asyncio.Event()
        self._room.set()

    # --- taking updates in -----------------------------------------------------------------

    async def accept(self, updates: Sequence[tuple[str, Mapping[str, Any]]]) -> int:
        """Store these (update id, payload) updates and queue the new ones; returns how many
        were new. When this returns, the updates are safe: the channel may acknowledge them."""
        try:
            async with self._store.transaction() as repo:
                stored = await repo.store_updates(
                    self.channel, [(u, dict(p)) for u, p in updates], self._clock.now()
                )
        except StoreUnavailable:
            self._metrics.database_error("inbox")
            raise
        self._metrics.received(self.channel, len(stored))
        for update in stored:
            self._submit(update)
        return len(stored)

    async def sweep(self, received_before: datetime, limit: int = 500) -> int:
        """Queue updates stored but never processed (the process stopped in between)."""
        async with self._store.transaction() as repo:
            left = await repo.unprocessed_updates(self.channel, received_before, limit)
        found = [update for update in left if update.id not in self._queued_ids]
        for update in found:
            self._submit(update)
        if found:
            log.info("%s: processing %d update(s) left unprocessed", self.channel, len(found))
        return len(found)

    async def room(self) -> None:
        """Wait while the backlog is full, so a flood of updates cannot exhaust memory."""
        await self._room.wait()

    async def idle(self) -> None:
        """Wait until every queued update has been processed (for stopping and for tests)."""
        await self._idle.wait()

    def _submit(self, stored: StoredUpdate) -> None:
        incoming = self._read(stored)
        arrival = Arrival(stored, incoming)
        # Each user's updates in one line; an update without a user is a line of its own.
        key: Hashable = (
            (incoming.channel, incoming.user_id) if incoming is not None else ("", stored.id)
        )
        self._queued_ids.add(stored.id)
        self._idle.clear()
        if len(self._queued_ids) >= self._max_backlog:
            self._room.clear()
        line = self._waiting.get(key)
        if line is not None:
            line.append(arrival)
            return
        self._waiting[key] = deque([arrival])
        self._ready.put_nowait(key)

    def _read(self, stored: StoredUpdate) -> Incoming | None:
        try:
            return self._parse(stored.payload)
        except Exception:
            # A payload the adapter cannot read is logged and marked processed, not retried.
            log.exception("%s: cannot read update %s", self.channel, stored.update_id)
            return None

    # --- processing ------------------------------------------------------------------------

    def start(self) -> None:
        if not self._workers:
            self._workers = [
                asyncio.create_task(self._work(), name=f"{self.channel}-inbox-{n}")
                for n in range(self._loops)
            ]

    async def stop(self, grace: float = 15.0) -> None:
        """Finish what is queued (up to ``grace`` seconds), then stop the workers. What is left
        stays in the database for the next start."""
        try:
            await asyncio.wait_for(self.idle(), grace)
        except TimeoutError:
            log.warning("%s: stopping with updates still queued", self.channel)
        for task in [*self._workers, *self._beside]:
            task.cancel()
        await asyncio.gather(*self._workers, *self._beside, return_exceptions=True)
        self._workers = []

    async def _work(self) -> None:
        while True:
            keys = [await self._ready.get()]
            while len(keys) < self._batch and not self._ready.empty():
                keys.append(self._ready.get_nowait())
            arrivals = [self._waiting[key].popleft() for key in keys]
            if self._on_arrival is not None:
                for arrival in arrivals:
                    if arrival.incoming is not None and arrival.stored.id not in self._announced:
                        self._announced.add(arrival.stored.id)
                        self._beside_task(self._arrived(arrival))
            started = time.perf_counter()
            try:
                # Every line logged during the turn names its channel and update (row ids).
                with turn(self.channel, [a.stored.id for a in arrivals]):
                    replies = await self._processor.handle_updates(
                        [(a.stored, a.incoming) for a in arrivals], self._replies.hold()
                    )
            except StoreUnavailable as down:
                self._metrics.database_error("inbox")
                await self._after_the_outage(keys, arrivals, down)
                continue
            except Exception:
                # The updates stay unprocessed in the database: the sweep takes them up again.
                log.exception("%s: %d update(s) could not be processed", self.channel, len(keys))
                self._metrics.failed(self.channel, len(arrivals))
                replies = [[] for _ in arrivals]
            else:
                self._metrics.processed(self.channel, len(arrivals), time.perf_counter() - started)
            self._retry_in = 0.0
            for key, arrival, items in zip(keys, arrivals, replies, strict=True):
                self._beside_task(self._reply(key, arrival, items))

    async def _after_the_outage(
        self, keys: list[Hashable], arrivals: list[Arrival], down: StoreUnavailable
    ) -> None:
        """Put the updates back at the head of their users' lines and try them again after a
        growing wait: a short outage delays them, in order, instead of leaving them to the
        sweep of the next minute while the users' later messages go first."""
        for key, arrival in zip(keys, arrivals, strict=True):
            self._waiting[key].appendleft(arrival)
        self._retry_in = min(max(self._retry_in * 2, FIRST_RETRY_SECONDS), LAST_RETRY_SECONDS)
        log.warning(
            "%s: the database does not answer; %d update(s) tried again in %.1f s (%s)",
            self.channel,
            len(arrivals),
            self._retry_in,
            down,
        )
        await asyncio.sleep(self._retry_in)
        for key in keys:
            self._ready.put_nowait(key)

    async def _arrived(self, arrival: Arrival) -> None:
        assert self._on_arrival is not None
        try:
            with turn(self.channel, [arrival.stored.id]):
                await self._on_arrival(arrival)
        except Exception:
            log.exception("%s: on arrival of update %s", self.channel, arrival.stored.id)

    async def _reply(self, key: Hashable, arrival: Arrival, items: list[OutboxItem]) -> None:
        """Send an update's replies; then the user's next update may go."""
        try:
            with turn(self.channel, [arrival.stored.id]):
                await self._replies.deliver_held(items)
        except Exception as trouble:
            if isinstance(trouble, StoreUnavailable):
                self._metrics.database_error("outbox")
            # Still in the outbox: the dispatcher sends them when their hold runs out.
            log.exception("%s: replies to update %s not sent", self.channel, arrival.stored.id)
        finally:
            self._queued_ids.discard(arrival.stored.id)
            self._announced.discard(arrival.stored.id)
            if len(self._queued_ids) < self._max_backlog:
                self._room.set()
            if self._waiting[key]:
                self._ready.put_nowait(key)
            else:
                del self._waiting[key]
                if not self._waiting:
                    self._idle.set()

    def _beside_task(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._beside.add(task)
        task.add_done_callback(self._beside.discard)
