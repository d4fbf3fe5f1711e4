"""The database goes away three times while 500 citizens write to ``tiepdan run``: nobody is
lost and nobody is answered twice. PostgreSQL: the server is restarted when the test knows how
(``TIEPDAN_TEST_PG_RESTART``, set by .ci/with-postgres); otherwise every connection of the bot
is cut and new ones refused for a while, as a restart looks to the bot. SQLite: another
process holds the write lock longer than the bot waits for it ("database is locked")."""

from __future__ import annotations

import asyncio
import os
import random
import re
import sqlite3
import time
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.channels.crowd import (
    answered_and_stopped,
    citizens_write,
    crowd_config,
    polling_started,
)
from tests.channels.process import spawn_run
from tests.channels.running import eventually
from tests.fakes.telegram import FakeTelegram

USERS = range(820_000, 820_500)
# A shell command that restarts the test's PostgreSQL server.
PG_RESTART = os.environ.get("TIEPDAN_TEST_PG_RESTART", "")
OUTAGES = 3
OUTAGE_SECONDS = 2.0


@pytest.fixture
def config(tmp_path: Path, fake: FakeTelegram, engine: AsyncEngine) -> Path:
    # SQLite: the bot waits a quarter of a second for the write lock, then has an error.
    return crowd_config(tmp_path, fake, engine, database="busy_timeout_ms = 250")


# Restarting the server would cut the other test workers' connections too: run alone.
@pytest.mark.serial
async def test_three_outages_while_500_citizens_write_lose_nobody_and_repeat_nobody(
    config: Path, fake: FakeTelegram, engine: AsyncEngine
) -> None:
    randomness = random.Random(19)
    users = list(USERS)
    process = await spawn_run(config, config.with_name("run.log"))
    try:
        await polling_started(fake, process)
        health = await _health_url(config.with_name("run.log"))
        writing = asyncio.create_task(citizens_write(fake, users, randomness, gap=0.008))
        for _ in range(OUTAGES):
            await asyncio.sleep(randomness.uniform(0.2, 0.6))
            if engine.dialect.name == "postgresql" and PG_RESTART:
                await _pg_restart()
            elif engine.dialect.name == "postgresql":
                await _pg_outage(engine, OUTAGE_SECONDS, health)
            else:
                await _sqlite_outage(engine, OUTAGE_SECONDS)
            assert process.returncode is None
        # Back: the readiness check says so again.
        assert await _health_status(health) == 200
        await writing
    except BaseException:
        process.kill()
        raise
    replies, usual = await answered_and_stopped(fake, engine, process, users)
    twice = {user: len(texts) for user, texts in replies.items() if texts != usual}
    assert twice == {}, f"{len(twice)} citizens answered otherwise: {list(twice.items())[:5]}"


async def _health_url(log: Path) -> str:
    async def port() -> str:
        found = re.search(
            r"HTTP server on 127\.0\.0\.1:(\d+)", await asyncio.to_thread(log.read_text)
        )
        return found.group(1) if found else ""

    return f"http://127.0.0.1:{await eventually(port, 'the HTTP server started')}/healthz"


async def _health_status(url: str) -> int:
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        return response.status


async def _pg_restart() -> None:
    restart = await asyncio.create_subprocess_shell(
        PG_RESTART, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
    )
    _out, errors = await restart.communicate()
    assert restart.returncode == 0, errors.decode()


async def _pg_outage(engine: AsyncEngine, seconds: float, health: str) -> None:
    """Cut every other connection to the database and refuse new ones for ``seconds``;
    meanwhile the bot's readiness check (``/healthz``) says the database is down."""
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        database = (await connection.execute(text("SELECT current_database()"))).scalar_one()
        await connection.execute(text(f'ALTER DATABASE "{database}" CONNECTION LIMIT 0'))
        try:
            await connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
            started = time.monotonic()

            async def reported_down() -> bool:
                return await _health_status(health) == 503

            await eventually(reported_down, "/healthz reporting the database down", seconds)
            await asyncio.sleep(max(0.0, seconds - (time.monotonic() - started)))
        finally:
            await connection.execute(text(f'ALTER DATABASE "{database}" CONNECTION LIMIT -1'))


async def _sqlite_outage(engine: AsyncEngine, seconds: float) -> None:
    """Another process's writer holds the database for ``seconds``."""
    path = str(engine.url.database)
    await asyncio.to_thread(_hold_the_write_lock, path, seconds)


def _hold_the_write_lock(path: str, seconds: float) -> None:
    connection = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        time.sleep(seconds)
        connection.execute("ROLLBACK")
    finally:
        connection.close()
