"""The outbox dispatcher when things go wrong: each kind of sender error, a channel's reply
window and its paid fallback, rows taken back too often, a stop before or during a batch, and
a database that will not take a result or a hand-back."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.clock import FixedClock
from bot.core.model import Choice, OutboxItem, OutboxMessage, Reply
from bot.core.ports import Repository, Store, StoreUnavailable
from bot.core.sending import (
    ChannelDown,
    OutsideWindow,
    Rejected,
    RetryAfter,
    SendFailure,
    Unavailable,
    Unreachable,
)
from bot.outbox import Dispatcher, OutOfWindow, ReplyWindow
from bot.ratelimit import RateLimiter
from storage.sqlite import store_for
from storage.tables import OutboxRow
from tests.conftest import START
from tests.support import RecordingSender

LEASE = timedelta(minutes=2)


def message(key: str, **fields: Any) -> OutboxMessage:
    return OutboxMessage(
        idempotency_key=key,
        channel=fields.pop("channel", "console"),
        recipient=fields.pop("recipient", "c1"),
        text=fields.pop("text", f"text of {key}"),
        due_at=fields.pop("due_at", START),
        **fields,
    )


async def enqueue(store: Store, *messages: OutboxMessage) -> None:
    async with store.transaction() as repo:
        for m in messages:
            assert await repo.enqueue(m)


async def rows(engine: AsyncEngine) -> dict[str, Any]:
    async with engine.connect() as connection:
        result = await connection.execute(select(OutboxRow).order_by(OutboxRow.id))
        return {row.idempotency_key: row for row in result}


def dispatcher(
    store: Store, clock: FixedClock, *senders: RecordingSender, **kw: Any
) -> Dispatcher:
    return Dispatcher(
        store=store,
        senders={s.channel: s for s in senders},
        clock=clock,
        owner=kw.pop("owner", "test"),
        **kw,
    )


class FlakyStore:
    """A store whose repository methods fail on request: ``failures[name]`` lists the
    exceptions the next calls of ``name`` raise, one each, before it works again."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.failures: dict[str, list[Exception]] = {}

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Repository]:
        async with self.inner.transaction() as repo:
            for name, errors in self.failures.items():
                if errors:
                    setattr(repo, name, self._failing(errors, getattr(repo, name)))
            yield repo

    @staticmethod
    def _failing(
        errors: list[Exception], original: Callable[..., Awaitable[Any]]
    ) -> Callable[..., Awaitable[Any]]:
        async def method(*args: Any, **kwargs: Any) -> Any:
            if errors:
                raise errors.pop(0)
            return await original(*args, **kwargs)

        return method


class RecordingLimiter(RateLimiter):
    """A rate limiter that never waits, and records what it is told."""

    def __init__(self, on_wait: Callable[[str], Awaitable[None]] | None = None) -> None:
        super().__init__(None)
        self.waited: list[str] = []
        self.paused: list[float] = []
        self._on_wait = on_wait

    async def wait(self, chat: str) -> None:
        self.waited.append(chat)
        if self._on_wait is not None:
            await self._on_wait(chat)

    def pause(self, seconds: float) -> None:
        self.paused.append(seconds)


class Fallback:
    """A paid channel for chats past their reply window (a Zalo ZNS template)."""

    def __init__(
        self,
        result: str | None = "zns-1",
        error: Exception | None = None,
        undeliverable_error: Exception | None = None,
    ) -> None:
        self.result = result
        self.error = error
        self.undeliverable_error = undeliverable_error
        self.delivered: list[str] = []
        self.undeliverable_keys: list[str] = []

    async def deliver(self, item: OutboxItem) -> str | None:
        self.delivered.append(item.key)
        if self.error is not None:
            raise self.error
        return self.result

    async def undeliverable(self, item: OutboxItem) -> None:
        self.undeliverable_keys.append(item.key)
        if self.undeliverable_error is not None:
            raise self.undeliverable_error


async def last_heard(store: Store, recipient: str, at: datetime) -> None:
    async with store.transaction() as repo:
        await repo.citizen_for("console", recipient, recipient, "vi", at)


# --- sender errors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("failure", "error"),
    [
        (Unavailable("502 Bad Gateway"), "502 Bad Gateway"),
        (SendFailure("connection reset"), "connection reset"),
        (OSError("network is unreachable"), "network is unreachable"),
        (TimeoutError(), "TimeoutError"),  # no message: its class names it
        (KeyError("chat"), "KeyError: 'chat'"),  # a bug in the sender
    ],
)
async def test_a_passing_trouble_is_retried_later_and_counts_an_attempt(
    engine: AsyncEngine, clock: FixedClock, failure: Exception, error: str
) -> None:
    store = store_for(engine)
    await enqueue(store, message("m"))
    sender = RecordingSender(failures=[failure])
    stats = await dispatcher(store, clock, sender, retry_first=timedelta(seconds=10)).tick()
    assert (stats.claimed, stats.retried, stats.sent) == (1, 1, 0)
    row = (await rows(engine))["m"]
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, error)
    assert row.next_attempt_at == START + timedelta(seconds=10)
    assert row.lease_owner is None
    clock.set(START + timedelta(seconds=10))
    await dispatcher(store, clock, sender).tick()
    assert sender.texts() == ["text of m"]


async def test_a_channel_down_waits_as_told_without_counting_an_attempt(
    engine: AsyncEngine, clock: FixedClock
) -> None:
    store = store_for(engine)
    await enqueue(store, message("m"))
    sender = RecordingSender(failures=[ChannelDown(45, "access token being renewed")])
    limiter = RecordingLimiter()
    stats = await dispatcher(store, clock, sender, limiters={"console": limiter}).tick()
    assert stats.retried == 1
    row = (await rows(engine))["m"]
    assert (row.status, row.attempts) == ("pending", 0)
    assert row.last_error == "channel down for 45 s: access token being renewed"
    assert row.next_attempt_at == START + timedelta(seconds=45)
    assert limiter.paused == []  # the channel's rate is not at fault
    clock.set(START + timedelta(seconds=44))
    await dispatcher(store, clock, sender).tick()
    assert sender.sent == []
    clock.set(START + timedelta(seconds=45))
    await dispatcher(store, clock, sender).tick()
    assert sender.texts() == ["text of m"]


async def test_a_429_pauses_the_whole_channel_and_every_send_waits_its_turn(
    engine: AsyncEngine, clock: FixedClock
) -> None:
    store = store_for(engine)
    await enqueue(store, message("a", recipient="c1"), message("b", recipient="c2"))
    sender = RecordingSender(failures=[RetryAfter(17)])
    limiter = RecordingLimiter()
    stats = await dispatcher(store, clock, sender, limiters={"console": limiter}).tick()
    assert (stats.retried, stats.sent) == (1, 1)
    assert limiter.paused == [17]
    assert limiter.waited == ["c1", "c2"]
    state = await rows(engine)
    assert (state["a"].status, state["a"].attempts) == ("pending", 0)
    assert state["a"].next_attempt_at == START + timedelta(seconds=17)
    assert state["b"].status == "sent"


async def test_a_row_taken_back_from_dead_dispatchers_too_often_is_given_up_unsent(
    engine: AsyncEngine, clock: FixedClock
) -> None:
    """A message that kills every process sending it must not come back forever."""
    store = store_for(engine)
    await enqueue(store, message("poison"))
    at = START
    for owner in ("dead-1", "dead-2", "dead-3"):
        async with store.transaction() as repo:
            [claimed] = await repo.claim_outbox(at, owner, at + LEASE, [("console", None)], 10)
        at += LEASE + timedelta(seconds=1)
    assert claimed.attempts == 2  # each take-over counts one
    clock.set(at)
    sender = RecordingSender()
    stats = await dispatcher(store, clock, sender, max_attempts=3).tick()
    assert (stats.claimed, stats.failed) == (1, 1)
    assert sender.sent == []
    row = (await rows(engine))["poison"]
    assert (row.status, row.attempts, row.last_error) == (
        "failed",
        3,
        "given up: too many attempts",
    )
    assert row.lease_owner is None


# --- stopping ------------------------------------------------------------------------------


async def test_a_dispatcher_stopped_before_a_tick_claims_nothing(
    engine: AsyncEngine, clock: FixedClock
) -> None:
    store = store_for(engine)
    await enqueue(store, message("m"))
    sender = RecordingSender()
    stopped = dispatcher(store, clock, sender)
    stopped.stop()
    stats = await stopped.tick()
    assert vars(stats) == vars(type(stats)())
    row = (await rows(engine))["m"]
    assert (row.status, row.lease_owner, row.attempts) == ("pending", None, 0)
    assert sender.sent == []


async def test_rows_a_stopping_dispatcher_cannot_hand_back_wait_for_their_lease(
    engine: AsyncEngine, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    flaky = FlakyStore(store_for(engine))
    await enqueue(flaky, *(message(f"s{n}", recipient=f"c{n}") for n in range(6)))
    stopping = dispatcher(flaky, clock, RecordingSender(), owner="stopping", batch=6)
    original = stopping.senders["console"].send

    async def send_then_stop(recipient: str, reply: Reply, *, skip: int = 0) -> str:
        message_id = await original(recipient, reply, skip=skip)
        if recipient == "c1":
            stopping.stop()
            flaky.failures["release_held"] = [StoreUnavailable("database restarting")]
        return message_id

    stopping.senders["console"].send = send_then_stop  # type: ignore[method-assign]
    with caplog.at_level(logging.ERROR, logger="bot.outbox"):
        stats = await stopping.tick()
    assert (stats.claimed, stats.sent) == (6, 2)
    assert "could not hand back 4 unsent outbox row(s)" in caplog.text
    found = await rows(engine)
    assert [found[f"s{n}"].status for n in range(2)] == ["sent"] * 2
    held = {(found[f"s{n}"].status, found[f"s{n}"].lease_owner) for n in range(2, 6)}
    assert held == {("sending", "stopping")}
    # Late, never lost or doubled: due again when the lease runs out.
    later = RecordingSender()
    await dispatcher(flaky, clock, later, owner="next").drain()
    assert later.sent == []
    clock.set(START + LEASE + timedelta(seconds=1))
    await dispatcher(flaky, clock, later, owner="next").drain()
    assert sorted(later.texts()) == [f"text of s{n}" for n in range(2, 6)]


# --- send_now ------------------------------------------------------------------------------


async def test_send_now_sends_only_the_messages_named(
    engine: AsyncEngine, clock: FixedClock
) -> None:
    store = store_for(engine)
    await enqueue(store, message("mine"), message("other", recipient="c2"))
    sender = RecordingSender()
    sending = dispatcher(store, clock, sender)
    assert vars(await sending.send_now([])) == vars(await sending.send_now(["missing"]))
    assert sender.sent == []
    stats = await sending.send_now(["mine"])
    assert (stats.claimed, stats.sent) == (1, 1)
    assert sender.texts() == ["text of mine"]
    state = await rows(engine)
    assert (state["mine"].status, state["other"].status) == ("sent", "pending")


# --- results the database will not take -------------------------------------------------------


@pytest.mark.parametrize(
    "trouble",
    [StoreUnavailable("connection refused"), RuntimeError("deadlock detected")],
)
async def test_a_result_that_cannot_be_recorded_is_recorded_later_and_never_sent_twice(
    engine: AsyncEngine, clock: FixedClock, trouble: Exception, caplog: pytest.LogCaptureFixture
) -> None:
    flaky = FlakyStore(store_for(engine))
    await enqueue(flaky, message("m"))
    sender = RecordingSender()
    sending = dispatcher(flaky, clock, sender, owner="one")
    # The database refuses the result now (and at the tick's next claim), and again after
    # the lease has run out.
    flaky.failures["record_results"] = [trouble, trouble, trouble]
    with caplog.at_level(logging.WARNING, logger="bot.outbox"):
        await sending.tick()
    assert "could not record 1 outbox result(s)" in caplog.text
    row = (await rows(engine))["m"]
    assert (row.status, row.lease_owner) == ("sending", "one")
    clock.set(START + LEASE + timedelta(seconds=1))
    await sending.tick()  # the result still waits here: the row is not claimed again
    assert sender.texts() == ["text of m"]
    assert (await rows(engine))["m"].status == "sending"
    await sending.tick()
    assert sender.texts() == ["text of m"]
    row = (await rows(engine))["m"]
    assert (row.status, row.attempts, row.provider_message_id) == ("sent", 1, "console-1")
    assert row.sent_at == START


# --- a channel's reply window ------------------------------------------------------------------


async def test_a_chat_heard_within_the_window_gets_the_message_directly(
    engine: AsyncEngine, clock: FixedClock
) -> None:
    store = store_for(engine)
    await last_heard(store, "c1", START - timedelta(hours=23))
    await enqueue(store, message("m"))
    sender, fallback = RecordingSender(), Fallback()
    await dispatcher(
        store,
        clock,
        sender,
        reply_windows={"console": ReplyWindow(timedelta(hours=24))},
        out_of_window={"console": fallback},
    ).tick()
    assert sender.texts() == ["text of m"] and fallback.delivered == []


async def test_past_the_window_without_a_fallback_the_message_fails_unsent(
    engine: AsyncEngine, clock: FixedClock
) -> None:
    store = store_for(engine)
    await last_heard(store, "c1", START - timedelta(hours=25))
    await enqueue(store, message("late"), message("never-heard", recipient="stranger"))
    sender = RecordingSender()
    stats = await dispatcher(
        store, clock, sender, reply_windows={"console": ReplyWindow(timedelta(hours=24))}
    ).tick()
    assert stats.failed == 2 and sender.sent == []
    for row in (await rows(engine)).values():
        assert (row.status, row.attempts, row.last_error) == (
            "failed",
            0,
            "outside the consultation window",
        )


def windowed(
    store: Store, clock: FixedClock, fallback: OutOfWindow, **kw: Any
) -> tuple[Dispatcher, RecordingSender]:
    sender = RecordingSender()
    return (
        dispatcher(
            store,
            clock,
            sender,
            reply_windows={"console": ReplyWindow(timedelta(hours=24))},
            out_of_window={"console": fallback},
            **kw,
        ),
        sender,
    )


async def test_past_the_window_the_fallback_carries_the_message(
    engine: AsyncEngine, clock: FixedClock
) -> None:
    store = store_for(engine)
    await enqueue(store, message("m"))
    fallback = Fallback(result="zns-77")
    sending, sender = windowed(store, clock, fallback)
    stats = await sending.tick()
    assert stats.sent == 1 and sender.sent == []
    assert fallback.delivered == ["m"] and fallback.undeliverable_keys == []
    row = (await rows(engine))["m"]
    assert (row.status, row.provider_message_id, row.attempts) == ("sent", "zns-77", 1)


@pytest.mark.parametrize(
    "refusal",
    [None, Unreachable("user not following the OA"), Rejected("template not approved")],
)
async def test_a_fallback_that_cannot_carry_it_asks_the_officers_to_phone(
    engine: AsyncEngine, clock: FixedClock, refusal: Exception | None
) -> None:
    store = store_for(engine)
    await enqueue(store, message("m"))
    fallback = Fallback(result=None, error=refusal)
    sending, sender = windowed(store, clock, fallback)
    stats = await sending.tick()
    assert stats.failed == 1
    assert fallback.undeliverable_keys == ["m"] and sender.sent == []
    row = (await rows(engine))["m"]
    assert (row.status, row.attempts, row.last_error) == (
        "failed",
        1,
        "outside the consultation window",
    )


async def test_officers_that_cannot_be_told_do_not_change_the_messages_fate(
    engine: AsyncEngine, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    store = store_for(engine)
    await enqueue(store, message("m"), message("n", recipient="c2"))
    fallback = Fallback(result=None, undeliverable_error=RuntimeError("alert queue down"))
    sending, _sender = windowed(store, clock, fallback)
    with caplog.at_level(logging.ERROR, logger="bot.outbox"):
        stats = await sending.tick()
    assert stats.failed == 2
    assert fallback.undeliverable_keys == ["m", "n"]
    assert "could not ask the officers to phone" in caplog.text
    assert {row.status for row in (await rows(engine)).values()} == {"failed"}


@pytest.mark.parametrize(
    ("wait", "seconds", "paused"),
    [(RetryAfter(30), 30, [30]), (ChannelDown(60, "token expired"), 60, [])],
)
async def test_a_fallback_asked_to_wait_tries_again_then(
    engine: AsyncEngine,
    clock: FixedClock,
    wait: SendFailure,
    seconds: int,
    paused: list[float],
) -> None:
    store = store_for(engine)
    await enqueue(store, message("m"))
    fallback = Fallback(error=wait)
    limiter = RecordingLimiter()
    sending, _sender = windowed(store, clock, fallback, limiters={"console": limiter})
    stats = await sending.tick()
    assert stats.retried == 1 and limiter.paused == paused
    assert fallback.undeliverable_keys == []
    row = (await rows(engine))["m"]
    assert (row.status, row.attempts, row.last_error) == ("pending", 0, str(wait))
    assert row.next_attempt_at == START + timedelta(seconds=seconds)
    fallback.error = None
    clock.set(START + timedelta(seconds=seconds))
    await sending.tick()
    assert fallback.delivered == ["m", "m"]
    assert (await rows(engine))["m"].status == "sent"


async def test_a_fallback_that_breaks_is_retried_with_growing_waits(
    engine: AsyncEngine, clock: FixedClock
) -> None:
    store = store_for(engine)
    await enqueue(store, message("m"))
    fallback = Fallback(error=OSError("ZNS endpoint unreachable"))
    sending, _sender = windowed(store, clock, fallback, retry_first=timedelta(seconds=20))
    stats = await sending.tick()
    assert stats.retried == 1 and fallback.undeliverable_keys == []
    row = (await rows(engine))["m"]
    assert (row.status, row.attempts, row.last_error) == (
        "pending",
        1,
        "fallback: ZNS endpoint unreachable",
    )
    assert row.next_attempt_at == START + timedelta(seconds=20)
    clock.set(START + timedelta(seconds=20))
    await sending.tick()
    row = (await rows(engine))["m"]
    assert (row.attempts, row.next_attempt_at) == (2, START + timedelta(seconds=60))


async def test_a_paid_message_is_not_sent_once_another_dispatcher_holds_its_row(
    engine: AsyncEngine, clock: FixedClock
) -> None:
    """The fallback costs money: when waiting for the channel's rate outlasted the lease and
    another dispatcher took the row meanwhile, this one leaves it to that one."""
    store = store_for(engine)
    await enqueue(store, message("m"))

    async def slow_turn(_chat: str) -> None:
        later = START + LEASE + timedelta(seconds=1)
        clock.set(later)
        async with store.transaction() as repo:
            taken = await repo.claim_outbox(later, "other", later + LEASE, [("console", None)], 10)
        assert [item.key for item in taken] == ["m"]

    fallback = Fallback()
    sending, _sender = windowed(
        store, clock, fallback, limiters={"console": RecordingLimiter(slow_turn)}
    )
    stats = await sending.tick()
    assert fallback.delivered == []
    assert (stats.claimed, stats.settled, stats.retried) == (1, 0, 0)
    row = (await rows(engine))["m"]
    assert (row.status, row.lease_owner, row.attempts) == ("sending", "other", 1)


# --- counted messages after a chat's last one, and a turn's replies packed ---------------------


def counted(free: int = 0, pack: bool = False) -> ReplyWindow:
    """A channel that cuts a reply into a message per 100 characters."""
    return ReplyWindow(
        timedelta(hours=24),
        free_messages=free,
        messages=lambda reply: max(1, -(-len(reply.text) // 100)),
        pack=pack,
    )


async def test_the_messages_after_a_chats_last_one_are_counted_part_by_part(
    engine: AsyncEngine, clock: FixedClock
) -> None:
    store = store_for(engine)
    await last_heard(store, "c1", START - timedelta(hours=1))
    await enqueue(store, message("a"), message("long", text="x" * 150), message("b"), message("c"))
    sender, fallback = RecordingSender(), Fallback(result="zns-9")
    sending = dispatcher(
        store,
        clock,
        sender,
        reply_windows={"console": counted(free=3)},
        out_of_window={"console": fallback},
    )
    await sending.tick()
    # One message, then two: three. The next ones go the other way.
    assert sender.texts() == ["text of a", "x" * 150]
    assert fallback.delivered == ["b", "c"]
    found = await rows(engine)
    assert [found[k].parts for k in ("a", "long", "b", "c")] == [1, 2, None, None]
    # The chat writes: three more.
    await last_heard(store, "c1", START + timedelta(minutes=1))
    clock.set(START + timedelta(minutes=1))
    await enqueue(store, message("d"))
    await sending.tick()
    assert sender.texts()[-1] == "text of d" and fallback.delivered == ["b", "c"]


async def test_a_channel_that_finds_the_window_closed_hands_the_message_over(
    engine: AsyncEngine, clock: FixedClock
) -> None:
    store = store_for(engine)
    await last_heard(store, "c1", START - timedelta(hours=1))
    await enqueue(store, message("m"))
    sender = RecordingSender(failures=[OutsideWindow("-230: not within 7 days")])
    fallback = Fallback(result=None)
    sending = dispatcher(
        store,
        clock,
        sender,
        reply_windows={"console": counted()},
        out_of_window={"console": fallback},
    )
    stats = await sending.tick()
    assert stats.failed == 1 and sender.sent == []
    assert fallback.delivered == ["m"] and fallback.undeliverable_keys == ["m"]
    row = (await rows(engine))["m"]
    assert (row.status, row.last_error) == ("failed", "outside the consultation window")


async def held(store: Store, sending: Dispatcher, *messages: OutboxMessage) -> list[OutboxItem]:
    async with store.transaction() as repo:
        return await repo.enqueue_held(messages, sending.hold())


async def test_a_turns_plain_replies_go_together_the_menu_last(
    engine: AsyncEngine, clock: FixedClock
) -> None:
    store = store_for(engine)
    await last_heard(store, "c1", START)
    sender = RecordingSender()
    sending = dispatcher(store, clock, sender, reply_windows={"console": counted(pack=True)})
    menu = (Choice("Menu", "m:menu"),)
    items = await held(
        store,
        sending,
        message("note", text="The form waits."),
        message("page", text="The schedule.", choices=menu),
        # After a menu, a new message: the menu stays with its own text.
        message("after", text="One more thing."),
    )
    stats = await sending.deliver_held(items)
    assert stats.sent == 3
    assert sender.sent == [
        ("c1", "The form waits.\n\nThe schedule.", menu),
        ("c1", "One more thing.", ()),
    ]
    found = await rows(engine)
    assert [found[k].provider_message_id for k in ("note", "page", "after")] == [
        "console-1",
        "console-1",
        "console-2",
    ]
    assert [found[k].parts for k in ("note", "page", "after")] == [None, 1, 1]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # Each a message already: nothing saved.
        ({"text": "x" * 100}, {"text": "y" * 100}),
        # A reminder's condition or end must be checked for itself.
        ({"text": "a", "guard": {"registration": 1}}, {"text": "b"}),
        ({"text": "a"}, {"text": "b", "expires_at": START + timedelta(hours=1)}),
    ],
)
async def test_replies_that_cannot_share_a_message_go_each_alone(
    engine: AsyncEngine, clock: FixedClock, first: dict[str, Any], second: dict[str, Any]
) -> None:
    store = store_for(engine)
    await last_heard(store, "c1", START)
    sender = RecordingSender()
    sending = dispatcher(store, clock, sender, reply_windows={"console": counted(pack=True)})
    items = await held(store, sending, message("one", **first), message("two", **second))
    await sending.deliver_held(items)
    # Each went, or was found no longer true, for itself.
    assert second["text"] in sender.texts()
    assert not any("\n\n" in text for text in sender.texts())


async def test_packed_replies_share_the_fate_of_their_message(
    engine: AsyncEngine, clock: FixedClock
) -> None:
    store = store_for(engine)
    await last_heard(store, "c1", START)
    sender = RecordingSender(failures=[Unavailable("502 Bad Gateway")])
    sending = dispatcher(store, clock, sender, reply_windows={"console": counted(pack=True)})
    items = await held(store, sending, message("one"), message("two"))
    stats = await sending.deliver_held(items)
    assert stats.retried == 2
    found = await rows(engine)
    assert {(r.status, r.attempts, r.last_error) for r in found.values()} == {
        ("pending", 1, "502 Bad Gateway")
    }
    # Tried again one by one, each gets there.
    clock.set(START + timedelta(minutes=5))
    await sending.tick()
    assert sender.texts() == ["text of one", "text of two"]


async def test_a_packed_rows_fate_is_kept_when_another_task_records_meanwhile(
    engine: AsyncEngine, clock: FixedClock
) -> None:
    """While the packed message is on the wire, another turn's results are written (and
    taken off the list): the rows it carries are still recorded, never sent again."""
    store = FlakyStore(store_for(engine))
    await last_heard(store, "c1", START)
    await last_heard(store, "c2", START)
    sending: Dispatcher

    class RecordsMeanwhile(RecordingSender):
        async def send(self, recipient: str, reply: Reply, *, skip: int = 0) -> str:
            if "\n\n" in reply.text:
                await sending._record()  # another task's, in this one
            return await super().send(recipient, reply, skip=skip)

    sender = RecordsMeanwhile()
    sending = dispatcher(store, clock, sender, reply_windows={"console": counted(pack=True)})
    # A result the database could not take waits on the list, before the packed one's.
    store.failures["record_results"] = [StoreUnavailable("down")]
    await sending.deliver_held(await held(store, sending, message("x", recipient="c2")))
    await sending.deliver_held(await held(store, sending, message("one"), message("two")))
    found = await rows(engine)
    assert {k: found[k].status for k in ("one", "two", "x")} == {
        "one": "sent",
        "two": "sent",
        "x": "sent",
    }
    clock.set(START + timedelta(minutes=5))
    await sending.tick()
    assert sender.texts("c1") == ["text of one\n\ntext of two"]


async def test_the_rows_of_a_packed_message_are_held_again_together(
    engine: AsyncEngine, clock: FixedClock
) -> None:
    """The channel's rate limit keeps the packed message waiting until its lease is near its
    end: every row it carries is held again, so another instance sends none of them."""
    store = store_for(engine)
    await last_heard(store, "c1", START)
    other_sender = RecordingSender()
    other = dispatcher(store, clock, other_sender, owner="other")

    async def late(_chat: str) -> None:
        clock.set(START + timedelta(seconds=90))

    class Slow(RecordingSender):
        async def send(self, recipient: str, reply: Reply, *, skip: int = 0) -> str:
            clock.set(START + timedelta(minutes=2, seconds=30))
            await other.tick()  # the first lease has run out by now
            return await super().send(recipient, reply, skip=skip)

    sender = Slow()
    sending = dispatcher(
        store,
        clock,
        sender,
        reply_windows={"console": counted(pack=True)},
        limiters={"console": RecordingLimiter(late)},
    )
    await sending.deliver_held(await held(store, sending, message("one"), message("two")))
    assert other_sender.sent == []
    assert sender.texts() == ["text of one\n\ntext of two"]
    assert {row.status for row in (await rows(engine)).values()} == {"sent"}


# --- a long reply that fails half way ----------------------------------------------------------


class PartsSender(RecordingSender):
    """A channel that cuts a reply at each "|" into parts, sending each as a message, and
    fails at the part given (then works)."""

    def __init__(self, fail_at: int | None, failure: SendFailure) -> None:
        super().__init__()
        self.fail_at = fail_at
        self.failure = failure
        self.parts: list[str] = []

    async def send(self, recipient: str, reply: Reply, *, skip: int = 0) -> str:
        pieces = reply.text.split("|")
        for number, piece in enumerate(pieces[skip:], start=skip):
            if number == self.fail_at:
                self.fail_at = None
                self.failure.delivered = number
                raise self.failure
            self.parts.append(piece)
        return f"part-{len(self.parts)}"


@pytest.mark.parametrize(
    "failure",
    [Unavailable("502 Bad Gateway"), RetryAfter(3), ChannelDown(60, "token being renewed")],
)
async def test_the_parts_of_a_long_reply_that_went_are_not_sent_again(
    engine: AsyncEngine, clock: FixedClock, failure: SendFailure
) -> None:
    store = store_for(engine)
    await enqueue(store, message("long", text="one|two|three"))
    sender = PartsSender(fail_at=2, failure=failure)
    sending = dispatcher(store, clock, sender)
    await sending.tick()
    row = (await rows(engine))["long"]
    assert (row.status, row.parts) == ("pending", 2)
    clock.set(START + timedelta(hours=1))
    await sending.tick()
    # Each part once: the retry began where the failure stopped.
    assert sender.parts == ["one", "two", "three"]
    assert (await rows(engine))["long"].status == "sent"


async def test_a_second_failure_keeps_what_the_first_attempt_delivered(
    engine: AsyncEngine, clock: FixedClock
) -> None:
    """The first attempt delivers one part; the second fails before sending any: the third
    still starts at the second part."""
    store = store_for(engine)
    await enqueue(store, message("long", text="one|two|three"))
    sender = PartsSender(fail_at=1, failure=Unavailable("502"))
    sending = dispatcher(store, clock, sender)
    await sending.tick()
    sender.fail_at, sender.failure = 1, Unavailable("503")
    clock.set(START + timedelta(hours=1))
    await sending.tick()
    assert (await rows(engine))["long"].parts == 1
    clock.set(START + timedelta(hours=3))
    await sending.tick()
    assert sender.parts == ["one", "two", "three"]


async def test_a_packed_message_that_fails_half_way_is_tried_again_row_by_row_from_the_start(
    engine: AsyncEngine, clock: FixedClock
) -> None:
    """What went of a packed message says nothing of where each row's own text stands: the
    rows are tried again whole, one by one."""
    store = store_for(engine)
    await last_heard(store, "c1", START)
    sender = PartsSender(fail_at=1, failure=Unavailable("502"))
    window = ReplyWindow(timedelta(hours=24), messages=lambda r: len(r.text.split("|")), pack=True)
    sending = dispatcher(store, clock, sender, reply_windows={"console": window})
    items = await held(store, sending, message("one", text="a"), message("two", text="b|c|d"))
    await sending.deliver_held(items)
    assert sender.parts == ["a\n\nb"]
    assert {(r.status, r.parts) for r in (await rows(engine)).values()} == {("pending", None)}
    clock.set(START + timedelta(hours=1))
    await sending.tick()
    assert sender.parts == ["a\n\nb", "a", "b", "c", "d"]
