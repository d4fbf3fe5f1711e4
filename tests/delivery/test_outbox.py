"""The outbox dispatcher: each message once, on time, retried or given up for the right
reasons; safe across restarts and across two instances on PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.clock import FixedClock
from bot.core.model import OutboxMessage, Reply, SendResult
from bot.core.ports import Store
from bot.core.sending import Rejected, RetryAfter, Unavailable, Unreachable
from bot.outbox import Dispatcher
from storage.db import create_engine
from storage.sqlite import store_for
from storage.tables import CitizenRow, OutboxRow
from tests.conftest import START
from tests.support import RecordingSender


def message(key: str, **fields: Any) -> OutboxMessage:
    return OutboxMessage(
        idempotency_key=key,
        channel=fields.pop("channel", "console"),
        recipient=fields.pop("recipient", "c1"),
        text=fields.pop("text", f"text of {key}"),
        due_at=fields.pop("due_at", START),
        **fields,
    )


async def enqueue(store: Store, *messages: OutboxMessage) -> list[bool]:
    async with store.transaction() as repo:
        return [await repo.enqueue(m) for m in messages]


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


async def test_a_due_message_is_sent_once_and_recorded(
    engine: AsyncEngine, clock: FixedClock
) -> None:
    store = store_for(engine)
    assert await enqueue(store, message("a"), message("a")) == [True, False]
    sender = RecordingSender()
    stats = await dispatcher(store, clock, sender).drain()
    await dispatcher(store, clock, sender).drain()
    assert stats.sent == 1 and sender.texts() == ["text of a"]
    row = (await rows(engine))["a"]
    assert (row.status, row.attempts, row.provider_message_id) == ("sent", 1, "console-1")
    assert row.sent_at == START


async def test_a_message_waits_for_its_due_time(engine: AsyncEngine, clock: FixedClock) -> None:
    store = store_for(engine)
    await enqueue(store, message("later", due_at=START + timedelta(hours=1)))
    sender = RecordingSender()
    await dispatcher(store, clock, sender).drain()
    assert sender.sent == []
    clock.set(START + timedelta(hours=1))
    await dispatcher(store, clock, sender).drain()
    assert sender.texts() == ["text of later"]


async def test_a_429_waits_exactly_as_long_as_asked(
    engine: AsyncEngine, clock: FixedClock
) -> None:
    store = store_for(engine)
    await enqueue(store, message("slow"))
    sender = RecordingSender(failures=[RetryAfter(17)])
    await dispatcher(store, clock, sender).tick()
    row = (await rows(engine))["slow"]
    assert row.status == "pending" and row.next_attempt_at == START + timedelta(seconds=17)
    assert row.attempts == 0  # being asked to slow down is not a failure
    clock.set(START + timedelta(seconds=16))
    await dispatcher(store, clock, sender).tick()
    assert sender.sent == []
    clock.set(START + timedelta(seconds=17))
    await dispatcher(store, clock, sender).tick()
    assert sender.texts() == ["text of slow"]


async def test_one_tick_sends_batch_after_batch_until_nothing_is_due(
    engine: AsyncEngine, clock: FixedClock
) -> None:
    """A morning's reminders go out at the channel's rate, not one batch per tick."""
    store = store_for(engine)
    await enqueue(store, *(message(f"m{n}", recipient=f"c{n}") for n in range(120)))
    sender = RecordingSender()
    stats = await dispatcher(store, clock, sender, batch=50).tick()
    assert (stats.claimed, stats.sent, len(sender.sent)) == (120, 120, 120)
    assert {row.status for row in (await rows(engine)).values()} == {"sent"}


async def test_a_tick_whose_batch_only_waits_does_not_spin(
    engine: AsyncEngine, clock: FixedClock
) -> None:
    """Rows asked to wait come back due only later: a full batch of them ends the tick."""
    store = store_for(engine)
    await enqueue(store, *(message(f"w{n}", recipient=f"c{n}") for n in range(3)))
    sender = RecordingSender(failures=[RetryAfter(0)] * 100)
    stats = await dispatcher(store, clock, sender, batch=3).tick()
    assert (stats.claimed, stats.retried, len(sender.failures)) == (3, 3, 97)


async def test_a_stop_during_a_burst_finishes_the_send_and_hands_back_the_rest(
    engine: AsyncEngine, clock: FixedClock
) -> None:
    store = store_for(engine)
    await enqueue(store, *(message(f"s{n}", recipient=f"c{n}") for n in range(10)))
    sending = dispatcher(store, clock, RecordingSender(), owner="stopping", batch=50)
    original = sending.senders["console"].send

    async def send_then_stop(recipient: str, reply: Reply, *, skip: int = 0) -> str:
        message_id = await original(recipient, reply, skip=skip)
        if recipient == "c3":
            sending.stop()  # SIGTERM arrives while the fourth message is on the wire
        return message_id

    sending.senders["console"].send = send_then_stop  # type: ignore[method-assign]
    stats = await sending.tick()
    assert (stats.claimed, stats.sent) == (10, 4)
    found = await rows(engine)
    assert [found[f"s{n}"].status for n in range(4)] == ["sent"] * 4
    handed_back = [found[f"s{n}"] for n in range(4, 10)]
    assert {(r.status, r.lease_owner, r.lease_until, r.attempts) for r in handed_back} == {
        ("pending", None, None, 0)
    }
    # The next run sends them at once, each once.
    later = RecordingSender()
    await dispatcher(store, clock, later, owner="next").drain()
    assert sorted(later.texts()) == sorted(f"text of s{n}" for n in range(4, 10))


async def test_network_errors_back_off_and_are_given_up_after_max_attempts(
    engine: AsyncEngine, clock: FixedClock
) -> None:
    store = store_for(engine)
    await enqueue(store, message("flaky"))
    sender = RecordingSender(failures=[Unavailable("timeout")] * 3)
    waits = []
    for _ in range(3):
        await dispatcher(
            store, clock, sender, max_attempts=3, retry_first=timedelta(seconds=30)
        ).tick()
        row = (await rows(engine))["flaky"]
        if row.status == "pending":
            waits.append(row.next_attempt_at - clock.now())
            clock.set(row.next_attempt_at)
    assert waits == [timedelta(seconds=30), timedelta(seconds=60)]
    row = (await rows(engine))["flaky"]
    assert (row.status, row.attempts, row.last_error) == ("failed", 3, "timeout")


async def test_a_blocked_recipient_is_marked_dead_and_unreachable(
    engine: AsyncEngine, clock: FixedClock
) -> None:
    store = store_for(engine)
    async with store.transaction() as repo:
        await repo.citizen_for("console", "c1", "c1", "vi", START)
    await enqueue(store, message("blocked"), message("refused", recipient="c2"))
    sender = RecordingSender(failures=[Unreachable("blocked by the user"), Rejected("bad")])
    stats = await dispatcher(store, clock, sender).drain()
    assert (stats.dead, stats.failed) == (1, 1)
    state = await rows(engine)
    assert state["blocked"].status == "dead" and state["refused"].status == "failed"
    async with engine.connect() as connection:
        unreachable = (await connection.execute(select(CitizenRow.unreachable_at))).scalar_one()
    assert unreachable == START


async def test_a_sender_bug_does_not_stop_the_other_messages(
    engine: AsyncEngine, clock: FixedClock
) -> None:
    store = store_for(engine)
    await enqueue(store, message("first"), message("second", due_at=START + timedelta(seconds=1)))
    clock.set(START + timedelta(seconds=1))
    sender = RecordingSender(failures=[ZeroDivisionError("oops")])
    await dispatcher(store, clock, sender).tick()
    assert sender.texts() == ["text of second"]
    assert (await rows(engine))["first"].status == "pending"


async def test_late_or_no_longer_true_messages_expire_unsent(
    engine: AsyncEngine, clock: FixedClock
) -> None:
    store = store_for(engine)
    await enqueue(
        store,
        message("too-late", expires_at=START),
        message("obsolete", guard={"registration": 999999, "statuses": ["approved"]}),
        message("fine", expires_at=START + timedelta(hours=1)),
    )
    sender = RecordingSender()
    stats = await dispatcher(store, clock, sender).drain()
    assert stats.expired == 2 and sender.texts() == ["text of fine"]
    state = await rows(engine)
    assert state["too-late"].status == state["obsolete"].status == "expired"


async def test_only_the_console_users_messages_go_to_the_console(
    engine: AsyncEngine, clock: FixedClock
) -> None:
    store = store_for(engine)
    await enqueue(
        store,
        message("mine", recipient="me"),
        message("theirs", recipient="someone-else"),
        message("elsewhere", channel="telegram", recipient="me"),
    )
    sender = RecordingSender(only_recipient="me")
    await dispatcher(store, clock, sender).drain()
    assert sender.texts() == ["text of mine"]
    state = await rows(engine)
    assert state["theirs"].status == state["elsewhere"].status == "pending"


async def test_a_dispatcher_that_died_mid_send_leaves_its_rows_to_another(
    engine: AsyncEngine, clock: FixedClock
) -> None:
    store = store_for(engine)
    await enqueue(store, message("orphan"))
    async with store.transaction() as repo:
        claimed = await repo.claim_outbox(
            START, "dead-process", START + timedelta(minutes=2), [("console", None)], 10
        )
    assert [item.key for item in claimed] == ["orphan"]
    sender = RecordingSender()
    await dispatcher(store, clock, sender).drain()
    assert sender.sent == []  # still leased by the process that died
    clock.set(START + timedelta(minutes=2, seconds=1))
    await dispatcher(store, clock, sender).drain()
    assert sender.texts() == ["text of orphan"]


async def test_a_process_killed_during_a_burst_leaves_only_the_message_on_the_wire_in_doubt(
    engine: AsyncEngine, clock: FixedClock
) -> None:
    """The messages a dead process never tried are not charged an attempt: ten restarts
    during a morning's burst must not give up the citizens at the end of it."""
    store = store_for(engine)
    await enqueue(store, *(message(f"b{n}", recipient=f"c{n}") for n in range(10)))
    on_the_wire = asyncio.Event()

    class Hanging(RecordingSender):
        async def send(self, recipient: str, reply: Reply, *, skip: int = 0) -> str:
            if recipient == "c3":
                on_the_wire.set()
                await asyncio.Event().wait()  # the process dies here (SIGKILL)
            return await super().send(recipient, reply, skip=skip)

    burst = asyncio.create_task(dispatcher(store, clock, Hanging(), owner="killed").tick())
    await asyncio.wait_for(on_the_wire.wait(), 5)
    burst.cancel()
    with pytest.raises(asyncio.CancelledError):
        await burst
    sender = RecordingSender()
    restarted = dispatcher(store, clock, sender, owner="next-run")
    assert await restarted.take_back() == 1
    await restarted.drain()
    attempts = {key: row.attempts for key, row in (await rows(engine)).items()}
    assert attempts == {f"b{n}": 2 if n == 3 else 1 for n in range(10)}
    assert sender.texts() == [f"text of b{n}" for n in range(3, 10)]


@pytest.mark.postgres
async def test_two_dispatchers_on_postgresql_send_every_row_exactly_once(
    engine: AsyncEngine, clock: FixedClock
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("several instances share one database on PostgreSQL")
    rows_in = [
        {
            "idempotency_key": f"bulk-{n}",
            "channel": "telegram",
            "recipient": f"chat-{n % 37}",
            "payload": {"text": f"message {n}", "choices": []},
            "due_at": START - timedelta(seconds=n % 60),
            "status": "pending",
            "attempts": 0,
            "last_error": "",
            "created_at": START,
            "purpose": "notice",
        }
        for n in range(500)
    ]
    async with engine.begin() as connection:
        await connection.execute(insert(OutboxRow), rows_in)
    # Two instances: two engines and pools, as two `tiepdan run` processes would have.
    second_engine = create_engine(str(engine.url.render_as_string(hide_password=False)))
    try:
        one, two = RecordingSender("telegram"), RecordingSender("telegram")
        first = dispatcher(store_for(engine), clock, one, owner="instance-1", batch=20)
        second = dispatcher(store_for(second_engine), clock, two, owner="instance-2", batch=20)
        await asyncio.gather(first.drain(rounds=100), second.drain(rounds=100))
    finally:
        await second_engine.dispose()
    texts = one.texts() + two.texts()
    assert len(texts) == 500 and len(set(texts)) == 500
    assert one.sent and two.sent  # both instances took part
    async with engine.connect() as connection:
        sent = await connection.execute(
            select(func.count()).select_from(OutboxRow).where(OutboxRow.status == "sent")
        )
        assert sent.scalar_one() == 500


@pytest.mark.postgres
async def test_a_claim_in_progress_is_skipped_not_shared(
    engine: AsyncEngine, clock: FixedClock
) -> None:
    """While one instance's claim transaction is still open, another instance claiming at
    the same moment gets other rows, at once (FOR UPDATE SKIP LOCKED)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite has a single writer")
    store = store_for(engine)
    await enqueue(store, *(message(f"m{n}", recipient=f"c{n}") for n in range(20)))
    other_engine = create_engine(str(engine.url.render_as_string(hide_password=False)))
    try:
        other = store_for(other_engine)
        lease = START + timedelta(minutes=2)
        async with store.transaction() as first:
            mine = await first.claim_outbox(START, "one", lease, [("console", None)], 10)
            async with other.transaction() as second:
                theirs = await asyncio.wait_for(
                    second.claim_outbox(START, "two", lease, [("console", None)], 10), timeout=5
                )
    finally:
        await other_engine.dispose()
    assert len(mine) == len(theirs) == 10
    assert not {item.key for item in mine} & {item.key for item in theirs}


async def test_rows_taken_over_from_a_slow_dispatcher_are_never_sent_twice(
    engine: AsyncEngine, clock: FixedClock
) -> None:
    """Each send takes 25 s of the clock and a lease lasts 60 s: the rows the first
    dispatcher has not reached yet pass to the second, and each row is sent once."""
    store = store_for(engine)
    await enqueue(store, *(message(f"m{n}", recipient=f"c{n}") for n in range(6)))
    sent: list[str] = []

    class Slow(RecordingSender):
        async def send(self, recipient: str, reply: Reply, *, skip: int = 0) -> str:
            sent.append(reply.text)
            await asyncio.sleep(0.01)
            clock.set(clock.now() + timedelta(seconds=25))
            return "ok"

    first = dispatcher(store, clock, Slow(), owner="one", lease=timedelta(seconds=60))
    second = dispatcher(store, clock, Slow(), owner="two", lease=timedelta(seconds=60))

    async def keep_ticking() -> None:
        for _ in range(30):
            await second.tick()
            await asyncio.sleep(0.005)

    await asyncio.gather(first.tick(), keep_ticking())
    await first.drain()
    assert sorted(sent) == sorted(f"text of m{n}" for n in range(6))
    state = await rows(engine)
    assert all(row.status == "sent" for row in state.values())


async def test_a_result_is_recorded_only_by_the_dispatcher_that_still_holds_the_row(
    engine: AsyncEngine, clock: FixedClock
) -> None:
    """A dispatcher that lost its lease (it stalled; the row was taken over) must not write
    over the new holder's work when its late result finally arrives."""
    store = store_for(engine)
    await enqueue(store, message("contested"))
    lease = timedelta(minutes=2)
    async with store.transaction() as repo:
        [stalled] = await repo.claim_outbox(
            START, "stalled", START + lease, [("console", None)], 10
        )
    later = START + lease + timedelta(seconds=1)
    async with store.transaction() as repo:
        [taken] = await repo.claim_outbox(
            later, "new-holder", later + lease, [("console", None)], 10
        )
    assert taken.id == stalled.id
    async with store.transaction() as repo:
        await repo.record_results(
            [SendResult(stalled.id, "stalled", "failed", later, attempted=True, error="late")]
        )
    row = (await rows(engine))["contested"]
    assert (row.status, row.lease_owner, row.last_error) == ("sending", "new-holder", "")
    assert row.attempts == 1  # the take-over counted; the stalled result did not
    async with store.transaction() as repo:
        await repo.record_results(
            [
                SendResult(
                    taken.id, "new-holder", "sent", later, attempted=True, provider_message_id="m7"
                )
            ]
        )
    row = (await rows(engine))["contested"]
    assert (row.status, row.lease_owner, row.provider_message_id, row.attempts) == (
        "sent",
        None,
        "m7",
        2,
    )
