"""Alembic environment. The application passes its own connection (see storage/migrate.py);
``alembic -x url=... upgrade head`` also works for operators who prefer the Alembic CLI."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from storage.db import create_engine
from storage.tables import Base

target_metadata = Base.metadata


def run_with(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds tables instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_from_url(url: str) -> None:
    engine = create_engine(url)
    async with engine.connect() as connection:
        await connection.run_sync(run_with)
        await connection.commit()
    await engine.dispose()


shared = context.config.attributes.get("connection")
if shared is not None:
    run_with(shared)
else:
    x_arguments = context.get_x_argument(as_dictionary=True)
    url = x_arguments.get("url") or context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit(
            "pass the database URL: alembic -x url=sqlite+aiosqlite:///... upgrade head"
        )
    asyncio.run(_run_from_url(url))
