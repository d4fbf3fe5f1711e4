"""The inbox: an update is stored before it is acknowledged and processed exactly once, each
user's in order; one stored but not processed, or processed but not answered, when the process
stopped is finished after the restart."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import App, dispatcher
from bot.core.clock import FixedClock
from bot.core.model import Hold, Incoming, OutboxItem, StoredUpdate
from bot.inbox import Inbox
from storage.tables import InboxRow, OutboxRow
from tests.conftest import START
from tests.support import RecordingSender


def parse(payload: Mapping[str, Any]) -> Incoming | None:
    """A console-shaped update: {"user": ..., "text": ...}; anything else is ignored."""
    if "user" not in payload:
        return None
    user = str(payload["user"])
    return Incoming(channel="console", user_id=user, chat_id=user, text=str(payload["text"]))


def inbox_for(app: App, phone: RecordingSender, **kw: Any) -> Inbox:
    return Inbox(
        "console",
        app.store,
        kw.pop("processor", app.dialogue),
        kw.pop("replies", dispatcher(app, [phone])),
        app.services.clock,
        parse,
        **kw,
    )


async def inbox_rows(app: App) -> list[Any]:
    async with app.engine.connect() as connection:
        return list(await connection.execute(select(InboxRow).order_by(InboxRow.id)))


async def test_a_redelivered_update_is_processed_and_answered_once(app: App) -> None:
    phone = RecordingSender()
    inbox = inbox_for(app, phone)
    inbox.start()
    assert await inbox.accept([("1", {"user": "u1", "text": "/start"})]) == 1
    # Telegram sends it again (no acknowledgement reached it), in a batch with a new one.
    assert (
        await inbox.accept(
            [("1", {"user": "u1", "text": "/start"}), ("2", {"user": "u1", "text": "/rules"})]
        )
        == 1
    )
    await inbox.idle()
    await inbox.stop()
    welcomes = [t for t in phone.texts("u1") if "Tiếp Dân" in t]
    assert len(welcomes) == 1
    rows = await inbox_rows(app)
    assert [(r.update_id, r.processed_at is not None, r.payload) for r in rows] == [
        ("1", True, {}),
        ("2", True, {}),
    ]


async def test_each_users_updates_are_processed_in_order_a_few_batches_at_a_time(
    app: App,
) -> None:
    seen: list[tuple[str, str]] = []
    batches: list[int] = []
    running = 0
    most = 0

    class Slow:
        async def handle_updates(
            self, updates: Sequence[tuple[StoredUpdate, Incoming | None]], hold: Hold
        ) -> list[list[OutboxItem]]:
            nonlocal running, most
            users = [incoming.user_id for _, incoming in updates if incoming is not None]
            assert len(users) == len(updates) == len(set(users)) <= 4
            batches.append(len(updates))
            running += 1
            most = max(most, running)
            await asyncio.sleep(random.uniform(0, 0.01))
            seen.extend((i.user_id, i.text or "") for _, i in updates if i is not None)
            running -= 1
            return [[] for _ in updates]

    class NoReplies:
        def hold(self) -> Hold:
            return Hold("test", START + timedelta(minutes=2))

        async def deliver_held(self, items: Sequence[OutboxItem]) -> None:
            assert items == []

    inbox = inbox_for(
        app, RecordingSender(), processor=Slow(), replies=NoReplies(), loops=3, batch=4
    )
    inbox.start()
    updates = [(f"{n}", {"user": f"u{n % 5}", "text": f"m{n}"}) for n in range(60)]
    for start in range(0, 60, 7):
        await inbox.accept(updates[start : start + 7])
    await inbox.idle()
    await inbox.stop()
    assert len(seen) == 60
    for user in range(5):
        mine = [text for who, text in seen if who == f"u{user}"]
        assert mine == [f"m{n}" for n in range(user, 60, 5)]
    # Several batches at once, never more than the loops; several users in a batch.
    assert 1 < most <= 3
    assert max(batches) > 1


async def test_an_update_stored_when_the_process_died_is_processed_after_restart(
    app: App, clock: FixedClock
) -> None:
    phone = RecordingSender()
    before = inbox_for(app, phone)  # never started: the process dies after storing
    await before.accept([("7", {"user": "u1", "text": "/start"})])
    assert phone.sent == []
    clock.set(clock.now() + timedelta(seconds=5))
    after = inbox_for(app, phone)
    after.start()
    assert await after.sweep(clock.now()) == 1
    await after.idle()
    await after.stop()
    assert any("Tiếp Dân" in t for t in phone.texts("u1"))
    assert await after.sweep(clock.now()) == 0


async def test_replies_of_a_processed_update_are_sent_even_if_the_process_died_first(
    app: App,
) -> None:
    phone = RecordingSender()
    dead = dispatcher(app, [phone])

    class Dies:
        def hold(self) -> Hold:
            return dead.hold()

        async def deliver_held(self, items: Sequence[OutboxItem]) -> None:
            raise ConnectionResetError("killed before sending")

    inbox = inbox_for(app, phone, replies=Dies())
    inbox.start()
    await inbox.accept([("8", {"user": "u1", "text": "/start"})])
    await inbox.idle()
    await inbox.stop()
    assert phone.sent == []
    restarted = dispatcher(app, [phone])
    # Still held by the dead process: on PostgreSQL, with other instances running, they wait
    # for the lease to run out...
    await restarted.drain()
    assert phone.sent == []
    # ...on SQLite, the only process takes them back at start.
    assert await restarted.take_back() == 1
    await restarted.drain()
    assert any("Tiếp Dân" in t for t in phone.texts("u1"))
    async with app.engine.connect() as connection:
        keys = list(await connection.execute(select(OutboxRow.idempotency_key)))
    assert ("inbox:1:reply:0",) in keys


async def test_a_turn_that_fails_apologises_once_and_is_not_retried(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = 0

    async def failing_turn(*args: Any) -> Any:
        nonlocal calls
        calls += 1
        raise RuntimeError("a bug")

    monkeypatch.setattr(app.dialogue, "_turn", failing_turn)
    phone = RecordingSender()
    inbox = inbox_for(app, phone)
    inbox.start()
    await inbox.accept([("9", {"user": "u1", "text": "hello"})])
    await inbox.idle()
    assert await inbox.sweep(app.services.clock.now() + timedelta(hours=1)) == 0
    await inbox.stop()
    assert calls == 1
    [apology] = phone.texts("u1")
    assert "Xin lỗi" in apology
    [row] = await inbox_rows(app)
    assert row.processed_at is not None and "RuntimeError: a bug" in row.error


async def test_in_a_batch_only_the_failing_turn_fails(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batch's transaction is given up, and each update is handled again alone: the
    others are answered as usual, the failing one gets the apology, each is processed once."""
    turn = app.dialogue._turn

    async def failing_for_u2(repo: Any, incoming: Incoming, now: Any) -> Any:
        if incoming.user_id == "u2":
            raise RuntimeError("a bug")
        return await turn(repo, incoming, now)

    monkeypatch.setattr(app.dialogue, "_turn", failing_for_u2)
    phone = RecordingSender()
    inbox = inbox_for(app, phone)
    # All three are ready before the loop starts: one batch.
    await inbox.accept([(f"{n}", {"user": f"u{n}", "text": "/start"}) for n in (1, 2, 3)])
    inbox.start()
    await inbox.idle()
    await inbox.stop()
    for user in ("u1", "u3"):
        [welcome] = phone.texts(user)
        assert "Tiếp Dân" in welcome
    [apology] = phone.texts("u2")
    assert "Xin lỗi" in apology
    rows = {row.update_id: row for row in await inbox_rows(app)}
    assert all(row.processed_at is not None for row in rows.values())
    assert "RuntimeError: a bug" in rows["2"].error and rows["1"].error == ""


async def test_an_update_without_a_user_is_only_marked_processed(app: App) -> None:
    phone = RecordingSender()
    inbox = inbox_for(app, phone)
    inbox.start()
    await inbox.accept([("10", {"something": "else"})])
    await inbox.idle()
    await inbox.stop()
    assert phone.sent == []
    [row] = await inbox_rows(app)
    assert row.processed_at is not None and row.error == ""
