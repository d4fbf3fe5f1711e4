"""The store of the embedded default: SQLite, its statements run in the event loop's thread.

SQLite answers a turn's statements in microseconds; what cost milliseconds was handing each
cursor operation to aiosqlite's thread and back (about 150 round trips per update) and, with
several connections, SQLite's busy handler sleeping while another one wrote. Here one
synchronous connection does the work where the coroutine runs, and transactions take turns
on an asyncio lock — the single writer SQLite allows anyway, without the sleeping.

The repository's parts (storage/part.py) use four methods of their session; ``InlineSession``
offers them, as coroutines, over a synchronous ``Session``. PostgreSQL keeps the asynchronous
session of storage/repositories.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Engine, Result
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql import Executable

from storage.db import Synchronous, create_inline_sqlite_engine, unavailability_reported
from storage.repositories import SqlRepository, SqlStore


class InlineSession:
    """What the repository asks of its session, answered at once by a synchronous one."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def execute(
        self, statement: Executable, params: Any = None, **options: Any
    ) -> Result[Any]:
        return self._session.execute(statement, params, **options)

    async def get(self, entity: Any, ident: Any, **options: Any) -> Any:
        return self._session.get(entity, ident, **options)

    def add(self, instance: object) -> None:
        self._session.add(instance)

    async def flush(self) -> None:
        self._session.flush()

    def get_bind(self) -> Any:
        return self._session.get_bind()


class SqliteStore:
    """One transaction at a time, on one connection, in the caller's thread."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._turn = asyncio.Lock()
        self._holder: asyncio.Task[Any] | None = None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqlRepository]:
        task = asyncio.current_task()
        if task is not None and task is self._holder:
            # It would wait for itself forever.
            raise NestedTransaction("a transaction was opened inside another one")
        async with self._turn:
            self._holder = task
            try:
                with unavailability_reported(), self._sessions() as session, session.begin():
                    yield SqlRepository(InlineSession(session))  # type: ignore[arg-type]
            finally:
                self._holder = None


class NestedTransaction(RuntimeError):
    """One connection holds one transaction: a second one inside it is a bug."""


def store_for(
    engine: AsyncEngine, *, busy_timeout_ms: int = 5000, synchronous: Synchronous = "full"
) -> SqlStore | SqliteStore:
    """The store the bot works through: SQLite's inline one, or the asynchronous one over
    ``engine`` (PostgreSQL)."""
    if engine.dialect.name != "sqlite":
        return SqlStore(engine)
    url = engine.url.render_as_string(hide_password=False)
    inline = create_inline_sqlite_engine(
        url, echo=engine.echo, busy_timeout_ms=busy_timeout_ms, synchronous=synchronous
    )
    return SqliteStore(inline)
