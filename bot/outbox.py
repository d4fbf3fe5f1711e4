"""The outbox dispatcher: sends due messages once, behind rate limits, and records why not.

Each tick claims due rows in a short transaction (PostgreSQL ``FOR UPDATE SKIP LOCKED``, so
several instances never take the same row), then for each one: expires it when it is too late
(``expires_at``) or no longer true (its guard), otherwise sends it through its channel's sender.
A turn's replies need no claim: they are written already held by this dispatcher, in the
turn's own transaction, and sent as soon as it commits (``deliver_held``).

No transaction is held while sending. A row is sent only while this dispatcher's lease on it
runs; the lease is renewed before a send only when it is close to running out. Each result is
recorded as soon as it is known, and results that finish while others are being written go
together in the next transaction, so that under load one commit records many sends. A result
the database cannot take stays here and is recorded with the next ones.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Protocol

from bot.core import reminders
from bot.core.clock import Clock
from bot.core.model import Hold, OutboxItem, Reply, SendResult
from bot.core.ports import Store, StoreUnavailable
from bot.core.sending import (
    ChannelDown,
    OutsideWindow,
    Rejected,
    RetryAfter,
    Sender,
    SendFailure,
    Unavailable,
    Unreachable,
)
from bot.metrics import NO_METRICS, Metrics, SendOutcome
from bot.ratelimit import RateLimiter

log = logging.getLogger(__name__)


class OutOfWindow(Protocol):
    async def deliver(self, item: OutboxItem) -> str | None:
        """Send ``item`` another way; its id, or None when there is no other way."""
        ...

    async def undeliverable(self, item: OutboxItem) -> None:
        """Tell people who can act that ``item`` could not reach its citizen."""
        ...


def _one_message(_reply: Reply) -> int:
    return 1


@dataclass(frozen=True)
class ReplyWindow:
    """A channel that may write to a chat only for a while after the chat last wrote (a Zalo
    OA's consultation window), and perhaps only so many messages in that while."""

    length: timedelta
    # Messages the channel may send after the chat's last message; 0: no limit.
    free_messages: int = 0
    # How many of the channel's messages a reply takes (a long one is cut in several).
    messages: Callable[[Reply], int] = _one_message
    # Replies of one turn to one chat go together, in as few messages as the channel's
    # length limit allows.
    pack: bool = False


# The metric of each status a row is left in after an attempt.
_OUTCOMES: Mapping[str, SendOutcome] = {
    "sent": "sent",
    "pending": "retried",
    "dead": "dead",
    "failed": "failed",
    "expired": "expired",
}


@dataclass
class DispatchStats:
    sent: int = 0
    retried: int = 0
    expired: int = 0
    failed: int = 0
    dead: int = 0
    claimed: int = 0

    def __iadd__(self, other: DispatchStats) -> DispatchStats:
        for name in ("sent", "retried", "expired", "failed", "dead", "claimed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self

    @property
    def settled(self) -> int:
        """Rows that left the queue for good (sent, or no longer to be sent)."""
        return self.sent + self.expired + self.failed + self.dead


@dataclass
class Dispatcher:
    store: Store
    senders: Mapping[str, Sender]
    clock: Clock
    owner: str
    limiters: Mapping[str, RateLimiter] = field(default_factory=dict)
    # Rows claimed at a time. One: a row held by a dispatcher is then a row on the wire, so
    # a process that dies leaves one message in doubt, not a batch of messages it never
    # tried, each charged an attempt and given up after a few restarts. (Telegram's 30
    # messages a second leave ample time for a claim per message.)
    batch: int = 1
    lease: timedelta = timedelta(minutes=2)
    max_attempts: int = 8
    retry_first: timedelta = timedelta(seconds=10)
    retry_max: timedelta = timedelta(hours=1)
    # Channels that may write to a chat only for a while after it last wrote (a Zalo OA's
    # consultation window), and what becomes of a message past it.
    reply_windows: Mapping[str, ReplyWindow] = field(default_factory=dict)
    out_of_window: Mapping[str, OutOfWindow] = field(default_factory=dict)
    # Each attempt's result, by channel; database outages met here.
    metrics: Metrics = NO_METRICS
    _results: list[SendResult] = field(default_factory=list, init=False)
    # Rows this dispatcher is delivering now, from a turn or a claim, until their result is
    # known. With their results not yet recorded, they are what a claim of this same
    # dispatcher must never take again: after a database outage their lease may have run out
    # while they were still in hand, and the lease alone cannot tell them apart.
    _in_hand: set[int] = field(default_factory=set, init=False)
    # A packed message's carrier row -> the other rows it carries; and its result, taken
    # when it is made (_deliver_together).
    _companions: dict[int, Sequence[OutboxItem]] = field(default_factory=dict, init=False)
    _captured: dict[int, SendResult | None] = field(default_factory=dict, init=False)
    _stopping: bool = field(default=False, init=False)
    _recording: asyncio.Lock = field(default_factory=asyncio.Lock, init=False)

    async def tick(self) -> DispatchStats:
        """Send what is due now, a batch after another while batches come back full (a
        morning's reminders go out at the channel's rate, not a batch per tick); returns
        what happened to the claimed rows."""
        total = DispatchStats()
        # Rows tried in this tick and still to be sent (asked to wait, failed for now): not
        # taken again before the next tick, even when due again at once.
        tried: set[int] = set()
        while not self._stopping:
            stats = await self._claim_and_deliver(None, tried)
            total += stats
            if stats.claimed < self.batch:
                return total
        return total

    def stop(self) -> None:
        """Send nothing more: the message being sent finishes and is recorded; the rest of a
        claimed batch is handed back, due at once, for the next run or another instance."""
        self._stopping = True

    async def send_now(self, keys: Sequence[str]) -> DispatchStats:
        """Send these messages at once, rather than at the next tick."""
        total = DispatchStats()
        tried: set[int] = set()
        while keys and not self._stopping:
            stats = await self._claim_and_deliver(keys, tried)
            total += stats
            if stats.claimed < self.batch:
                break
        return total

    async def take_back(self) -> int:
        """At start, when this is the only dispatcher there can be (SQLite: one process),
        the rows the last run held are due again at once instead of when their lease runs
        out (a reply the last run had not sent in time goes now, not in minutes)."""
        async with self.store.transaction() as repo:
            return await repo.take_back_held()

    def hold(self) -> Hold:
        """A lease for rows written already held by this dispatcher (a turn's replies)."""
        return Hold(self.owner, self.clock.now() + self.lease)

    async def deliver_held(self, items: Sequence[OutboxItem]) -> DispatchStats:
        """Send rows this dispatcher already holds, at once."""
        self._in_hand.update(item.id for item in items)
        stats = DispatchStats()
        try:
            for group in self._packed(items):
                if len(group) == 1:
                    await self._deliver(group[0], stats)
                else:
                    await self._deliver_together(group, stats)
        finally:
            self._in_hand.difference_update(item.id for item in items)
        return stats

    def _packed(self, items: Sequence[OutboxItem]) -> list[list[OutboxItem]]:
        """A turn's replies, grouped where they go together: a run of plain texts to one chat
        of a channel that packs, the last of them possibly with a menu."""
        groups: list[list[OutboxItem]] = []
        for item in items:
            window = self.reply_windows.get(item.channel)
            last = groups[-1][-1] if groups else None
            if (
                window is not None
                and window.pack
                and last is not None
                and (last.channel, last.recipient) == (item.channel, item.recipient)
                and _plain(last)
                and not last.reply.choices
                and _plain(item)
            ):
                groups[-1].append(item)
            else:
                groups.append([item])
        return groups

    async def _deliver_together(self, group: list[OutboxItem], stats: DispatchStats) -> None:
        """One message carries the group (the last row, with every text); the other rows
        share its fate. Each row is recorded; the count of messages, the metric and the
        provider's id are the carrier's."""
        carrier = replace(
            group[-1],
            reply=replace(group[-1].reply, text="\n\n".join(item.reply.text for item in group)),
        )
        window = self.reply_windows[carrier.channel]
        if window.messages(carrier.reply) >= sum(window.messages(i.reply) for i in group):
            # Nothing saved by packing (each is long already): each goes as it is.
            for item in group:
                await self._deliver(item, stats)
            return
        companions = group[:-1]
        # Held again with the carrier (their lease must not run out while it is sent), and
        # the carrier's result taken as it is made (another task may record it at once).
        self._companions[carrier.id] = companions
        self._captured[carrier.id] = None
        try:
            await self._attempt(carrier, stats)
        finally:
            self._companions.pop(carrier.id, None)
            outcome = self._captured.pop(carrier.id, None)
        if outcome is not None:
            for item in companions:
                self._results.append(
                    replace(outcome, item_id=item.id, parts=None, unreachable=None)
                )
                _count(stats, outcome.status)
        # Without an outcome the carrier was not sent (another dispatcher holds a row of the
        # group): the others stay held until their lease runs out, then go one by one.
        await self._record()

    async def _claim_and_deliver(
        self, keys: Sequence[str] | None, tried: set[int]
    ) -> DispatchStats:
        # What could not be recorded before goes first: those rows are still held.
        await self._record()
        targets = [(s.channel, s.only_recipient) for s in self.senders.values()]
        now = self.clock.now()
        async with self.store.transaction() as repo:
            items = await repo.claim_outbox(
                now,
                self.owner,
                now + self.lease,
                targets,
                self.batch,
                keys,
                # In hand or sent with results still here: their lease may have run out
                # while the database was away, but they must not go twice.
                excluding=sorted(self._in_hand | {r.item_id for r in self._results} | tried),
            )
        self._in_hand.update(item.id for item in items)
        stats = DispatchStats(claimed=len(items))
        try:
            for index, item in enumerate(items):
                if self._stopping:
                    await self._hand_back(items[index:])
                    break
                settled = stats.settled
                await self._deliver(item, stats)
                if stats.settled == settled:
                    tried.add(item.id)
        finally:
            self._in_hand.difference_update(item.id for item in items)
        return stats

    async def _hand_back(self, items: Sequence[OutboxItem]) -> None:
        try:
            async with self.store.transaction() as repo:
                await repo.release_held([item.id for item in items], self.owner)
        except Exception as trouble:
            # Their lease runs out and they are due again then: late, never lost or doubled.
            if isinstance(trouble, StoreUnavailable):
                self.metrics.database_error("outbox")
            log.exception("could not hand back %d unsent outbox row(s)", len(items))

    async def drain(self, rounds: int = 100) -> DispatchStats:
        """Tick until nothing due is left (or ``rounds`` ticks); for start-up and tests."""
        total = DispatchStats()
        for _ in range(rounds):
            stats = await self.tick()
            total += stats
            if not any(vars(stats).values()):
                break
        return total

    async def _deliver(self, item: OutboxItem, stats: DispatchStats) -> None:
        await self._attempt(item, stats)
        # At once, while the row is surely still held: its lease must not run out with the
        # result only here (another dispatcher would send it again).
        await self._record()

    async def _attempt(self, item: OutboxItem, stats: DispatchStats) -> None:
        now = self.clock.now()
        if item.attempts >= self.max_attempts:
            # Taken back from dispatchers that died sending it, again and again.
            self._finish(item, "failed", error="given up: too many attempts")
            stats.failed += 1
            return
        if item.expires_at is not None and now >= item.expires_at:
            self._finish(item, "expired", error="too late: its moment has passed")
            stats.expired += 1
            return
        if item.guard and not await self._still_true(item.guard):
            self._finish(item, "expired", error="no longer true")
            stats.expired += 1
            return
        window = self.reply_windows.get(item.channel)
        parts: int | None = None
        if window is not None:
            parts = await self._within(item, window, now)
            if parts is None:
                await self._past_window(item, stats)
                return
        await self._send(item, parts, stats)

    async def _send(self, item: OutboxItem, parts: int | None, stats: DispatchStats) -> None:
        """Through the channel, under its rate limit; ``parts``: the messages it takes where
        the channel counts them."""
        limiter = self.limiters.get(item.channel)
        if not await self._turn_to_send(item, limiter):
            return
        sender = self.senders[item.channel]
        try:
            message_id = await sender.send(item.recipient, item.reply, skip=item.delivered)
        except OutsideWindow as closed:
            # The channel knows better than our count (the citizen wrote elsewhere, or the
            # rules changed): the same way as a message past the window.
            log.info("outbox row %s is outside the window after all: %s", item.id, closed)
            await self._past_window(item, stats)
        except RetryAfter as wait:
            # Asked to slow down: the whole channel waits exactly as told, and this message
            # is tried again then; being asked to wait is not a failure.
            if limiter is not None:
                limiter.pause(wait.seconds)
            retry = self.clock.now() + timedelta(seconds=wait.seconds)
            self._finish(
                item,
                "pending",
                error=str(wait),
                next_attempt_at=retry,
                flood=True,
                parts=self._progress(item, wait),
            )
            stats.retried += 1
        except ChannelDown as down:
            retry = self.clock.now() + timedelta(seconds=down.seconds)
            self._finish(
                item,
                "pending",
                error=str(down),
                next_attempt_at=retry,
                parts=self._progress(item, down),
            )
            stats.retried += 1
        except Unreachable as blocked:
            self._finish(
                item,
                "dead",
                error=str(blocked) or "recipient unreachable",
                attempted=True,
                unreachable=True,
            )
            stats.dead += 1
        except Rejected as refused:
            self._finish(item, "failed", error=str(refused), attempted=True)
            stats.failed += 1
        except (Unavailable, SendFailure, OSError, TimeoutError) as trouble:
            await self._retry_later(
                item, str(trouble) or type(trouble).__name__, stats, self._progress(item, trouble)
            )
        except Exception as bug:  # a sender bug must not stop the other messages
            log.exception("sender for %s failed on outbox row %s", item.channel, item.id)
            await self._retry_later(item, f"{type(bug).__name__}: {bug}", stats)
        else:
            if parts is not None:
                parts += item.delivered  # the whole reply's messages, for the count
            self._finish(item, "sent", provider_message_id=message_id, attempted=True, parts=parts)
            stats.sent += 1

    async def _turn_to_send(self, item: OutboxItem, limiter: RateLimiter | None) -> bool:
        """Wait for the channel's rate limit; then, if the wait and the batch's earlier sends
        brought the lease close to its end, hold the row again. False when another
        dispatcher took it over meanwhile. (Half a lease of margin also covers the clocks of
        several instances disagreeing.)"""
        if limiter is not None:
            await limiter.wait(item.recipient)
        now = self.clock.now()
        if item.lease_until is not None and item.lease_until - now > self.lease / 2:
            return True
        # A packed message's rows were held together, and are held again together.
        rows = [item.id, *(other.id for other in self._companions.get(item.id, ()))]
        async with self.store.transaction() as repo:
            for row_id in rows:
                if not await repo.renew_lease(row_id, self.owner, now, now + self.lease):
                    return False
        return True

    async def _within(self, item: OutboxItem, window: ReplyWindow, now: datetime) -> int | None:
        """The number of the channel's messages ``item`` takes, when the window lets it
        go; None when the chat has not written for too long, or the messages sent since it
        last wrote leave too few."""
        # Parts an earlier attempt delivered do not go again.
        needed = max(window.messages(item.reply) - item.delivered, 1)
        async with self.store.transaction() as repo:
            heard = await repo.last_heard(item.channel, item.recipient)
            if heard is None or now - heard > window.length:
                return None
            if not window.free_messages:
                return needed
            used = await repo.messages_sent_since(item.channel, item.recipient, heard)
        return needed if used + needed <= window.free_messages else None

    async def _past_window(self, item: OutboxItem, stats: DispatchStats) -> None:
        """Through the channel's fallback (a ZNS template) when it has one that can carry
        the message; otherwise undeliverable, and the officers are asked to phone."""
        fallback = self.out_of_window.get(item.channel)
        if fallback is None:
            self._finish(item, "failed", error="outside the consultation window")
            stats.failed += 1
            return
        limiter = self.limiters.get(item.channel)
        # A paid message must not go twice: only while the row is still ours.
        if not await self._turn_to_send(item, limiter):
            return
        message_id: str | None = None
        try:
            message_id = await fallback.deliver(item)
        except (RetryAfter, ChannelDown) as wait:
            if isinstance(wait, RetryAfter) and limiter is not None:
                limiter.pause(wait.seconds)
            retry = self.clock.now() + timedelta(seconds=wait.seconds)
            self._finish(
                item,
                "pending",
                error=str(wait),
                next_attempt_at=retry,
                flood=isinstance(wait, RetryAfter),
            )
            stats.retried += 1
            return
        except (Unreachable, Rejected) as refused:
            log.warning("the fallback refused outbox row %s: %s", item.id, refused)
        except Exception as trouble:  # the network, the database, a bug: try again later
            log.warning("the fallback failed on outbox row %s: %r", item.id, trouble)
            await self._retry_later(item, f"fallback: {trouble}", stats)
            return
        if message_id is not None:
            self._finish(item, "sent", provider_message_id=message_id, attempted=True)
            stats.sent += 1
            return
        self._finish(item, "failed", error="outside the consultation window", attempted=True)
        try:
            await fallback.undeliverable(item)
        except Exception:
            log.exception("could not ask the officers to phone about outbox row %s", item.id)
        stats.failed += 1

    async def _still_true(self, guard: dict[str, object]) -> bool:
        async with self.store.transaction() as repo:
            registration_id = guard.get("registration")
            session_id = guard.get("session")
            registration = (
                await repo.registration_by_id(int(str(registration_id)))
                if registration_id is not None
                else None
            )
            session = await repo.session(int(str(session_id))) if session_id is not None else None
        return reminders.guard_holds(guard, registration, session)

    def _progress(self, item: OutboxItem, failure: BaseException) -> int | None:
        """How many of the reply's messages have gone, counting the earlier attempts; None
        when none has, or for a packed message (its rows are tried again one by one, each
        from its start)."""
        if item.id in self._companions:
            return None
        delivered = max(item.delivered, getattr(failure, "delivered", 0))
        return delivered or None

    async def _retry_later(
        self, item: OutboxItem, error: str, stats: DispatchStats, parts: int | None = None
    ) -> None:
        """``parts``: how many of its messages went before it failed (None: as before)."""
        attempts = item.attempts + 1
        if attempts >= self.max_attempts:
            self._finish(item, "failed", error=error, attempted=True)
            stats.failed += 1
            return
        wait = min(self.retry_first * 2 ** (attempts - 1), self.retry_max)
        self._finish(
            item,
            "pending",
            error=error,
            attempted=True,
            next_attempt_at=self.clock.now() + wait,
            parts=parts,
        )
        stats.retried += 1

    def _finish(
        self,
        item: OutboxItem,
        status: str,
        *,
        error: str = "",
        attempted: bool = False,
        provider_message_id: str | None = None,
        next_attempt_at: datetime | None = None,
        unreachable: bool = False,
        flood: bool = False,
        parts: int | None = None,
    ) -> None:
        """``flood``: pending because the channel asked us to slow down (429)."""
        self.metrics.send(item.channel, _OUTCOMES[status] if not flood else "flood")
        result = SendResult(
            item.id,
            self.owner,
            status,
            self.clock.now(),
            attempted=attempted,
            provider_message_id=provider_message_id,
            error=error,
            next_attempt_at=next_attempt_at,
            unreachable=(item.channel, item.recipient) if unreachable else None,
            parts=parts,
        )
        self._results.append(result)
        if item.id in self._captured:
            self._captured[item.id] = result

    async def _record(self) -> None:
        """Write the results gathered so far, in one transaction; a caller that finds a
        write under way waits for it, then writes what gathered meanwhile. Results stay in
        ``_results`` until written, so that a claim never takes a row sent but unrecorded."""
        async with self._recording:
            results = list(self._results)
            if not results:
                return
            try:
                async with self.store.transaction() as repo:
                    await repo.record_results(results)
                    for result in results:
                        if result.unreachable is not None:
                            # With the row's fate: no dead message to a "reachable" chat.
                            await repo.mark_unreachable(*result.unreachable, result.at)
            except StoreUnavailable as down:
                # The rows stay held by this dispatcher; try again with the next results.
                self.metrics.database_error("outbox")
                log.warning("could not record %d outbox result(s): %s", len(results), down)
            except Exception:
                log.exception("could not record %d outbox result(s)", len(results))
            else:
                # Only appended to meanwhile (recording takes turns): these are the first.
                del self._results[: len(results)]


def _plain(item: OutboxItem) -> bool:
    """A text that may share a message: no file, no contact button, no condition or end."""
    reply = item.reply
    return (
        reply.file is None
        and reply.contact_request is None
        and item.guard is None
        and item.expires_at is None
    )


def _count(stats: DispatchStats, status: str) -> None:
    name = {"sent": "sent", "pending": "retried", "expired": "expired"}.get(status, status)
    setattr(stats, name, getattr(stats, name) + 1)
