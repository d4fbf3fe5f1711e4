"""Engines for the embedded default (SQLite) and for growth (PostgreSQL)."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Engine, event, exc, text
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool

from bot.core.ports import StoreUnavailable

log = logging.getLogger(__name__)

# How SQLite commits. FULL: a commit is on the disk before it returns, so an update stored
# before it is acknowledged, or a send recorded as done, survives a power cut. NORMAL (WAL) is
# safe against the process dying but may lose the last commits to a power cut or an OS crash.
Synchronous = Literal["full", "normal"]


def create_engine(
    url: str,
    *,
    echo: bool = False,
    busy_timeout_ms: int = 5000,
    synchronous: Synchronous = "full",
) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_async_engine(url, echo=echo, pool_pre_ping=True)
    database = parsed.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, echo=echo)
    # This engine serves migrations, the command line and tests; the bot's own reads and
    # writes go through the inline store, in the event loop's thread. A transaction here
    # must not take the write lock before it writes: a mere read that did would make the
    # store wait, in the very thread this read needs to finish.
    _configure_sqlite(engine, busy_timeout_ms, synchronous, begin="BEGIN")
    return engine


def create_inline_sqlite_engine(
    url: str,
    *,
    echo: bool = False,
    busy_timeout_ms: int = 5000,
    synchronous: Synchronous = "full",
) -> Engine:
    """The same SQLite database through the synchronous driver, one connection, for the
    store whose statements run in the event loop's own thread (storage/sqlite.py)."""
    parsed = make_url(url).set(drivername="sqlite+pysqlite")
    engine = sa_create_engine(parsed, echo=echo, poolclass=StaticPool)
    # Every transaction of the store reads then writes (the dialogue loads and saves its
    # state). A deferred transaction that upgrades to a writer gets SQLITE_BUSY at once in
    # WAL mode, ignoring busy_timeout; IMMEDIATE takes the write lock up front and waits.
    _configure_sqlite(engine, busy_timeout_ms, synchronous, begin="BEGIN IMMEDIATE")
    return engine


def _configure_sqlite(
    engine: AsyncEngine | Engine, busy_timeout_ms: int, synchronous: Synchronous, begin: str
) -> None:
    mode = {"full": "FULL", "normal": "NORMAL"}[synchronous]
    sync_engine = engine.sync_engine if isinstance(engine, AsyncEngine) else engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the sqlite3 module (its implicit BEGINs are deferred)
        # so that the "begin" hook below decides how every transaction starts.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={mode}")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        if isinstance(engine, AsyncEngine):
            connection.exec_driver_sql(begin)
        else:
            # Straight to the driver: it is one statement of every transaction.
            connection.connection.driver_connection.execute(begin)


async def durability_warnings(engine: AsyncEngine) -> list[str]:
    """What in the PostgreSQL server's settings breaks the promise that an acknowledged update
    or a recorded send survives a crash of the server (SQLite: decided by this process)."""
    if engine.dialect.name != "postgresql":
        return []
    warnings = []
    async with engine.connect() as connection:
        commit = (await connection.execute(text("SHOW synchronous_commit"))).scalar_one()
        fsync = (await connection.execute(text("SHOW fsync"))).scalar_one()
    if commit == "off":
        warnings.append(
            "PostgreSQL synchronous_commit is off: updates acknowledged to Telegram or Zalo and "
            "sends recorded as done may be lost if the database server crashes; set it to on"
        )
    if fsync == "off":
        warnings.append(
            "PostgreSQL fsync is off: a power cut or an OS crash may lose or corrupt data; "
            "set it to on"
        )
    return warnings


# Errors of the statement itself, not of the database's availability.
_WORK_ERRORS = (exc.IntegrityError, exc.ProgrammingError, exc.DataError, exc.NotSupportedError)


def unavailable(error: BaseException) -> bool:
    """Whether ``error`` says the database did not answer, rather than that the work was
    wrong: a lost or refused connection, a server shutting down, SQLite locked or failing
    to read or write its file."""
    if isinstance(error, exc.DBAPIError):
        return error.connection_invalidated or not isinstance(error, _WORK_ERRORS)
    # The inline store begins its transactions straight through the driver (storage/db.py).
    return isinstance(
        error, (OSError, sqlite3.OperationalError, exc.DisconnectionError, exc.TimeoutError)
    )


@contextmanager
def unavailability_reported() -> Iterator[None]:
    """Re-raise the database's failures to answer as ``StoreUnavailable``."""
    try:
        yield
    except Exception as error:
        if unavailable(error):
            raise StoreUnavailable(f"{type(error).__name__}: {error}") from error
        raise
