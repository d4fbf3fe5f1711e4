"""``tiepdan run`` killed with SIGKILL ten times while 500 citizens write: nobody is lost, and
nobody hears an answer twice unless the bot itself records that the answer was on the wire
when the process died (Telegram takes no idempotency key: such a reply is sent again)."""

from __future__ import annotations

import asyncio
import random
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.tables import OutboxRow
from tests.channels.crowd import (
    STARTUP,
    answered_and_stopped,
    citizens_write,
    crowd_config,
    polling_started,
)
from tests.channels.process import spawn_run
from tests.channels.running import eventually
from tests.fakes.telegram import FakeTelegram

USERS = range(810_000, 810_500)
KILLS = 10


@pytest.fixture
def config(tmp_path: Path, fake: FakeTelegram, engine: AsyncEngine) -> Path:
    return crowd_config(tmp_path, fake, engine)


async def test_ten_kills_while_500_citizens_write_lose_nobody_and_repeat_only_what_was_on_the_wire(
    config: Path, fake: FakeTelegram, engine: AsyncEngine
) -> None:
    randomness = random.Random(2026)
    users = list(USERS)
    # Half write while the bot is down (a crowd waits at every restart), half while it runs.
    waiting, steady = users[::2], users[1::2]
    writing = asyncio.create_task(citizens_write(fake, steady, randomness))
    for kill in range(KILLS):
        for user in waiting[kill::KILLS]:
            await fake.deliver(fake.text_update(user, "/start"))
        process = await spawn_run(config, config.with_name(f"run-{kill}.log"))
        answered = len(fake.sent)
        await polling_started(fake, process)
        # Killed while it stores, answers and records, once it has answered someone: a run
        # killed before its first send, ten times over (a slow machine), is a crash loop, and
        # the outbox rightly gives up a message held by each of eight dead runs.
        await eventually(partial(_more, fake, answered), "an answer from this run", STARTUP)
        await asyncio.sleep(randomness.uniform(0.01, 0.4))
        process.kill()
        await process.wait()
    await writing
    process = await spawn_run(config, config.with_name("run-last.log"))
    try:
        await polling_started(fake, process)
    except BaseException:
        process.kill()
        raise
    replies, single = await answered_and_stopped(fake, engine, process, users)
    in_doubt = await _answers_sent_again(engine)
    twice = {user for user, texts in replies.items() if texts != single}
    for user in twice:
        # The whole answer again, never a part lost or a stranger's: and only where the bot
        # knows the first one may have left.
        assert replies[user] == single * (len(replies[user]) // len(single)), replies[user]
        assert str(user) in in_doubt, f"{user} got {len(replies[user])} messages"
    assert len(twice) <= len(in_doubt)


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


async def _more(fake: FakeTelegram, than: int) -> bool:
    return len(fake.sent) > than
