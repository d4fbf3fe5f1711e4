"""A crowd of citizens writing to ``tiepdan run`` (a real process) over the fake Bot API, and
the checks that nobody was lost: for the tests that break things under load."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.tables import InboxRow, OutboxRow
from tests.channels.process import load_demo
from tests.fakes.telegram import TOKEN, FakeTelegram

STARTUP = 60.0


def crowd_config(
    folder: Path, fake: FakeTelegram, engine: AsyncEngine, database: str = ""
) -> Path:
    """``tiepdan run``'s configuration on the test's database, with the demo loaded; the flood
    limits lifted and the outbox quick, so that a run takes seconds. ``database`` adds lines
    to the [database] section."""
    path = folder / "config.toml"
    path.write_text(
        f"""
[database]
url = "{engine.url.render_as_string(hide_password=False)}"
{database}

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
    return path


async def citizens_write(
    fake: FakeTelegram, users: Sequence[int], randomness: random.Random, gap: float = 0.03
) -> None:
    """Each citizen writes once, one after another, up to ``gap`` seconds apart."""
    for user in users:
        await fake.deliver(fake.text_update(user, "/start"))
        await asyncio.sleep(randomness.uniform(0, gap))


async def polling_started(fake: FakeTelegram, process: asyncio.subprocess.Process) -> None:
    polls = fake.polls()
    for _ in range(int(STARTUP / 0.02)):
        if fake.polls() > polls:
            return
        assert process.returncode is None, "tiepdan run stopped by itself"
        await asyncio.sleep(0.02)
    raise AssertionError("tiepdan run did not start polling")


async def everyone_answered(
    fake: FakeTelegram, engine: AsyncEngine, users: Sequence[int], within: float = 120
) -> None:
    waiting = set(users)
    for _ in range(int(within / 0.1)):
        waiting = {user for user in waiting if not fake.to(user)}
        if not waiting:
            return
        await asyncio.sleep(0.1)
    some = sorted(waiting)[:5]
    raise AssertionError(
        f"{len(waiting)} citizens never answered, e.g. {some}: {await _whereabouts(engine, some)}"
    )


async def _whereabouts(engine: AsyncEngine, users: Sequence[int]) -> str:
    """Where the replies to these citizens are: what a failure on a CI machine must say,
    since its database is gone when the report is read."""
    async with engine.connect() as connection:
        replies = await connection.execute(
            select(
                OutboxRow.recipient,
                OutboxRow.status,
                OutboxRow.attempts,
                OutboxRow.lease_owner,
                OutboxRow.last_error,
            ).where(OutboxRow.recipient.in_([str(user) for user in users]))
        )
        unprocessed = await connection.scalar(
            select(func.count()).where(InboxRow.processed_at.is_(None))
        )
        failed = await connection.execute(
            select(InboxRow.update_id, InboxRow.error).where(InboxRow.error != "")
        )
    return (
        f"replies {[tuple(row) for row in replies]}; {unprocessed} updates unprocessed; "
        f"updates failed {[tuple(row) for row in failed][:5]}"
    )


async def nothing_left(engine: AsyncEngine, users: Sequence[int]) -> None:
    """Every update processed and every reply to the citizens recorded as sent."""
    recipients = [str(user) for user in users]
    for _ in range(int(60 / 0.1)):
        async with engine.connect() as connection:
            unprocessed = await connection.scalar(
                select(func.count()).where(InboxRow.processed_at.is_(None))
            )
            unsent = await connection.scalar(
                select(func.count()).where(
                    OutboxRow.recipient.in_(recipients),
                    OutboxRow.status.in_(("pending", "sending")),
                )
            )
        if unprocessed == 0 and unsent == 0:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{unprocessed} updates unprocessed, {unsent} replies unsent")


async def answered_and_stopped(
    fake: FakeTelegram,
    engine: AsyncEngine,
    process: asyncio.subprocess.Process,
    users: Sequence[int],
) -> tuple[dict[int, tuple[str, ...]], tuple[str, ...]]:
    """Wait until every citizen is answered and nothing is left to send, then stop the
    process: nothing more can arrive, so what the fake holds is everything each citizen got.
    Returns each citizen's messages, and the answer most of them got (all new citizens
    writing /start get the same)."""
    try:
        await everyone_answered(fake, engine, users)
        await nothing_left(engine, users)
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 30)
    replies = {user: tuple(message.text for message in fake.to(user)) for user in users}
    usual = Counter(replies.values()).most_common(1)[0][0]
    assert usual and all(usual)
    return replies, usual
