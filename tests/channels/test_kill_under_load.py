"""``tiepdan run`` killed with SIGKILL ten times while 500 citizens write: nobody is lost, and
nobody hears an answer twice unless the bot itself records that the answer was on the wire
when the process died (Telegram takes no idempotency key: such a reply is sent again)."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.tables import InboxRow, OutboxRow
from tests.channels.process import load_demo, spawn_run
from tests.fakes.telegram import TOKEN, FakeTelegram

USERS = range(810_000, 810_500)
KILLS = 10
STARTUP = 60.0


@pytest.fixture
def config(tmp_path: Path, fake: FakeTelegram, engine: AsyncEngine) -> Iterator[Path]:
    """The run's configuration on the test's database (SQLite file or PostgreSQL), demo data
    loaded."""
    path = tmp_path / "config.toml"
    path.write_text(
        f"""
[database]
url = "{engine.url.render_as_string(hide_password=False)}"

[telegram]
enabled = true
token = "{TOKEN}"
api_base_url = "{fake.base_url}"
mode = "polling"
poll_timeout_seconds = 1
messages_per_second = 1000
private_chat_gap_seconds = 0

[web]
port = 0

[outbox]
dispatch_every_seconds = 0.2
lease_seconds = 2
""",
        encoding="utf-8",
    )
    load_demo(path)
    yield path


async def test_ten_kills_while_500_citizens_write_lose_nobody_and_repeat_only_what_was_on_the_wire(
    config: Path, fake: FakeTelegram, engine: AsyncEngine
) -> None:
    randomness = random.Random(2026)
    users = list(USERS)
    # Half write while the bot is down (a crowd waits at every restart), half while it runs.
    waiting, steady = users[::2], users[1::2]
    writing = asyncio.create_task(_citizens_write(fake, steady, randomness))
    for kill in range(KILLS):
        for user in waiting[kill::KILLS]:
            await fake.deliver(fake.text_update(user, "/start"))
        process = await spawn_run(config, config.with_name(f"run-{kill}.log"))
        await _polling_started(fake, process)
        # Killed while it stores, answers and records: anywhere from the first batch on.
        await asyncio.sleep(randomness.uniform(0.01, 0.4))
        process.kill()
        await process.wait()
    await writing
    process = await spawn_run(config, config.with_name("run-last.log"))
    try:
        await _polling_started(fake, process)
        await _everyone_answered(fake, users)
        await _nothing_left(engine)
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 30)

    # Once the database holds nothing unsent and the process has stopped, nothing more can
    # arrive: what the fake holds is everything every citizen got.
    replies = {user: tuple(m.text for m in fake.to(user)) for user in users}
    single = Counter(replies.values()).most_common(1)[0][0]
    assert single and all(text for text in single)
    in_doubt = await _answers_sent_again(engine)
    twice = {user for user, texts in replies.items() if texts != single}
    for user in twice:
        # The whole answer again, never a part lost or a stranger's: and only where the bot
        # knows the first one may have left.
        assert replies[user] == single * (len(replies[user]) // len(single)), replies[user]
        assert str(user) in in_doubt, f"{user} got {len(replies[user])} messages"
    assert len(twice) <= len(in_doubt)


async def _citizens_write(fake: FakeTelegram, users: list[int], randomness: random.Random) -> None:
    """Each citizen writes once; they keep coming while the bot dies and comes back."""
    for user in users:
        await fake.deliver(fake.text_update(user, "/start"))
        await asyncio.sleep(randomness.uniform(0, 0.03))


async def _polling_started(fake: FakeTelegram, process: asyncio.subprocess.Process) -> None:
    polls = fake.polls()
    for _ in range(int(STARTUP / 0.02)):
        if fake.polls() > polls:
            return
        assert process.returncode is None, "tiepdan run stopped by itself"
        await asyncio.sleep(0.02)
    raise AssertionError("tiepdan run did not start polling")


async def _everyone_answered(fake: FakeTelegram, users: list[int]) -> None:
    waiting = set(users)
    for _ in range(int(120 / 0.1)):
        waiting = {user for user in waiting if not fake.to(user)}
        if not waiting:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{len(waiting)} citizens never answered, e.g. {sorted(waiting)[:5]}")


async def _nothing_left(engine: AsyncEngine) -> None:
    """Every update processed and every reply to the citizens recorded as sent."""
    for _ in range(int(60 / 0.1)):
        async with engine.connect() as connection:
            unprocessed = await connection.scalar(
                select(func.count()).where(InboxRow.processed_at.is_(None))
            )
            unsent = await connection.scalar(
                select(func.count()).where(
                    OutboxRow.recipient.in_([str(user) for user in USERS]),
                    OutboxRow.status.in_(("pending", "sending")),
                )
            )
        if unprocessed == 0 and unsent == 0:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{unprocessed} updates unprocessed, {unsent} replies unsent")


async def _answers_sent_again(engine: AsyncEngine) -> set[str]:
    """Recipients of replies taken back from a killed process: a reply counts one attempt
    when it is sent, and one more each time it is taken back from a process that died."""
    async with engine.connect() as connection:
        found = await connection.execute(
            select(OutboxRow.recipient).where(
                OutboxRow.channel == "telegram", OutboxRow.attempts > 1
            )
        )
        return {str(recipient) for recipient in found.scalars()}
