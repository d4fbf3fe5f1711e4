"""``tiepdan run`` as a real process, polling the fake Bot API server: a whole registration,
and nothing lost when the process is killed (kill -9) between receiving and replying."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from tests.channels.process import load_demo, spawn_run
from tests.channels.running import eventually
from tests.channels.telegram_steps import register, say
from tests.fakes.telegram import TOKEN, Failure, FakeTelegram

ROOT = Path(__file__).resolve().parents[2]
CITIZEN = 7001
STARTUP = 60.0


@pytest.fixture
def config(tmp_path: Path, fake: FakeTelegram) -> Iterator[Path]:
    path = tmp_path / "config.toml"
    path.write_text(
        f"""
[database]
url = "sqlite+aiosqlite:///{tmp_path}/tiepdan.sqlite3"

[telegram]
enabled = true
token = "{TOKEN}"
api_base_url = "{fake.base_url}"
mode = "polling"
poll_timeout_seconds = 1
private_chat_gap_seconds = 0

[web]
port = 0

[outbox]
dispatch_every_seconds = 0.2
retry_first_seconds = 0.5
lease_seconds = 2
""",
        encoding="utf-8",
    )
    load_demo(path)
    yield path


@asynccontextmanager
async def tiepdan_run(
    config: Path, fake: FakeTelegram
) -> AsyncIterator[asyncio.subprocess.Process]:
    log = config.with_name(f"run-{len(list(config.parent.glob('run-*')))}.log")
    process = await spawn_run(config, log)
    try:
        await _polling_started(fake, process, log)
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def _polling_started(
    fake: FakeTelegram, process: asyncio.subprocess.Process, log: Path
) -> None:
    polls = sum(1 for method, _p, _t in fake.calls if method == "getUpdates")
    for _ in range(int(STARTUP / 0.05)):
        if sum(1 for method, _p, _t in fake.calls if method == "getUpdates") > polls:
            return
        if process.returncode is not None:
            break
        await asyncio.sleep(0.05)
    output = await asyncio.to_thread(log.read_text)
    raise AssertionError(f"tiepdan run did not start polling:\n{output}")


async def test_a_citizen_registers_through_tiepdan_run(config: Path, fake: FakeTelegram) -> None:
    async with tiepdan_run(config, fake) as process:
        welcome = await say(fake, CITIZEN, "/start")
        assert "Tiếp Dân" in welcome.text and welcome.buttons()
        code = await register(fake, CITIZEN)
        assert code in fake.last(CITIZEN).text  # type: ignore[union-attr]
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 30) == 0
    # The command menus were set at start.
    assert any(method == "setMyCommands" for method, _p, _t in fake.calls)


async def test_a_reply_cut_off_by_kill_9_is_sent_after_the_restart(
    config: Path, fake: FakeTelegram
) -> None:
    async with tiepdan_run(config, fake) as process:
        fake.inject("sendMessage", Failure(0, "", hang=True))
        await fake.write(CITIZEN, "/start")
        await _call_made(fake, "sendMessage")
        # The turn is done and its reply was being sent: the process dies.
        process.kill()
        await process.wait()
    assert fake.to(CITIZEN) == []
    async with tiepdan_run(config, fake):
        await fake.wait_for(CITIZEN, lambda m: "Tiếp Dân" in m.text, within=30)
    welcomes = [m for m in fake.to(CITIZEN) if "Tiếp Dân" in m.text and m.buttons()]
    assert len(welcomes) == 1


async def test_an_update_acknowledged_but_not_processed_before_kill_9_is_processed_after(
    config: Path, fake: FakeTelegram
) -> None:
    database = config.parent / "tiepdan.sqlite3"
    async with tiepdan_run(config, fake) as process:
        await say(fake, CITIZEN, "/start")
        # From now on no update can be marked processed: the next one is stored and
        # acknowledged to Telegram, but its turn never gets done.
        await asyncio.to_thread(_sql, database, HOLD_THE_INBOX)
        pressed = await fake.press(CITIZEN, "m:rules")
        await _acknowledged(fake)
        await _stays_unprocessed(database)
        process.kill()
        await process.wait()
    await asyncio.to_thread(_sql, database, "DROP TRIGGER hold_the_inbox")
    before = len(fake.to(CITIZEN))
    async with tiepdan_run(config, fake):
        await fake.wait_count(CITIZEN, before + 1, within=30)
        await _settled(database, CITIZEN)
    assert pressed == "m:rules"
    answers = fake.to(CITIZEN)[before:]
    assert len(answers) == 1 and answers[0].buttons()


async def _call_made(fake: FakeTelegram, method: str) -> None:
    for _ in range(600):
        if any(m == method for m, _p, _t in fake.calls):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"no {method} call")


HOLD_THE_INBOX = (
    "CREATE TRIGGER hold_the_inbox BEFORE UPDATE ON inbox "
    "BEGIN SELECT RAISE(ABORT, 'held by the test'); END"
)


def _sql(database: Path, statement: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(database, timeout=30) as connection:
        return list(connection.execute(statement))


async def _stays_unprocessed(database: Path) -> None:
    """The pressed button's update is stored, and the bot has tried and failed to finish it."""
    for _ in range(600):
        rows = await asyncio.to_thread(
            _sql, database, "SELECT processed_at FROM inbox ORDER BY id DESC LIMIT 1"
        )
        if rows and rows[0][0] is None:
            await asyncio.sleep(0.5)  # its turn ran into the trigger meanwhile
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the update was never stored")


async def _settled(database: Path, chat: int) -> None:
    """Every update processed and every reply to ``chat`` recorded as sent: what the fake
    holds for that chat is then final."""

    async def quiet() -> bool:
        [(unprocessed, unsent)] = await asyncio.to_thread(
            _sql,
            database,
            "SELECT (SELECT count(*) FROM inbox WHERE processed_at IS NULL), "
            f"(SELECT count(*) FROM outbox WHERE recipient = '{chat:d}' "
            "AND status IN ('pending', 'sending'))",
        )
        return unprocessed == 0 and unsent == 0

    await eventually(quiet, "the updates and the replies settled", within=30)


async def _acknowledged(fake: FakeTelegram) -> None:
    """Wait until getUpdates is called with an offset past every update delivered."""
    for _ in range(600):
        if not fake.pending_updates():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("updates were never acknowledged")
