"""Shared fixtures. Storage and dialogue tests run on SQLite, and also on PostgreSQL when
``TIEPDAN_TEST_PG_URL`` names a database the tests may wipe (CI sets it; see .ci/run)."""

from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot import config as configuration
from bot.app import App, build, prepare
from bot.core.clock import FixedClock
from bot.demo import load_demo
from storage import migrate
from storage.db import create_engine
from storage.tables import Base

# Under pytest-xdist each worker gets a database of its own, named after the one given.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
SHARED_PG_URL = os.environ.get("TIEPDAN_TEST_PG_URL", "")
PG_URL = (
    str(make_url(SHARED_PG_URL).set(database=f"{make_url(SHARED_PG_URL).database}_{WORKER}"))
    if SHARED_PG_URL and WORKER
    else SHARED_PG_URL
)
# Monday 30 November 2026, 09:00 in Hà Nội: a working day with demo sessions ahead.
START = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


def pytest_sessionstart(session: pytest.Session) -> None:
    if PG_URL != SHARED_PG_URL:
        asyncio.run(_create_worker_database())


async def _create_worker_database() -> None:
    """Create this worker's database beside the shared one (its role needs CREATEDB)."""
    name = make_url(PG_URL).database
    engine = create_async_engine(SHARED_PG_URL, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            exists = await connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
            if not exists:
                await connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await engine.dispose()


_sqlite_template: list[Path] = []


async def migrated_sqlite_template() -> Path:
    """A database file migrated once per test process; each test starts from a copy of it."""
    if not _sqlite_template:
        folder = Path(tempfile.mkdtemp(prefix="tiepdan-template-"))
        atexit.register(shutil.rmtree, folder, True)
        path = folder / "tiepdan.sqlite3"
        engine = create_engine(f"sqlite+aiosqlite:///{path}")
        await migrate.upgrade(engine)
        await engine.dispose()
        _sqlite_template.append(path)
    return _sqlite_template[0]


@pytest.fixture(scope="session")
def migrated_sqlite() -> Path:
    return asyncio.run(migrated_sqlite_template())


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("migrated_sqlite")
        shutil.copyfile(template, tmp_path / "tiepdan.sqlite3")
        return f"sqlite+aiosqlite:///{tmp_path}/tiepdan.sqlite3"
    if not PG_URL:
        pytest.skip("TIEPDAN_TEST_PG_URL is not set")
    return PG_URL


async def fresh_schema(engine: AsyncEngine) -> None:
    """Empty the database at the newest schema: PostgreSQL is migrated once per run and
    truncated for each test; a SQLite file is replaced by a copy of the migrated template."""
    if engine.dialect.name == "sqlite":
        await engine.dispose()
        database = Path(str(engine.url.database))
        for suffix in ("", "-wal", "-shm"):
            database.with_name(database.name + suffix).unlink(missing_ok=True)
        shutil.copyfile(await migrated_sqlite_template(), database)
        return
    if engine.dialect.name == "postgresql":
        if await migrate.current_revision(engine) == migrate.head_revision():
            tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
            async with engine.begin() as connection:
                await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            return
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    await migrate.upgrade(engine)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    await fresh_schema(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


# Console identities of the officers every test app knows (see tests/dialogue/test_triage.py).
OFFICERS = [
    {
        "channel": "console",
        "user_id": "admin",
        "name": "Chị Quản Trị",
        "role": "admin",
        "permissions": ["confidential"],
    },
    {
        "channel": "console",
        "user_id": "supervisor",
        "name": "Anh Giám Sát",
        "role": "supervisor",
        "permissions": ["confidential"],
    },
    {
        "channel": "console",
        "user_id": "officer",
        "name": "Chị Cán Bộ",
        "role": "officer",
        "permissions": ["confidential"],
    },
    {
        "channel": "console",
        "user_id": "commune-officer",
        "name": "Anh Cán Bộ Xã",
        "role": "officer",
        "units": ["demo-dang-uy-xa", "demo-ubnd-xa"],
    },
]


def config_for(database_url: str, **sections: object) -> configuration.Config:
    return configuration.parse(
        {"database": {"url": database_url}, "officers": OFFICERS, **sections}, {}
    )


@pytest.fixture
async def app(database_url: str, clock: FixedClock) -> AsyncIterator[App]:
    """The whole product on a fresh database with the demo province loaded."""
    application = build(config_for(database_url), clock)
    await fresh_schema(application.engine)
    async with application.store.transaction() as repo:
        await load_demo(repo, clock.now())
    await prepare(application)
    yield application
    await application.close()
