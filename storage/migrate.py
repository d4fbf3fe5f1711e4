"""Bring a database to the newest schema, from inside the running application.

Alembic is imported only where it is used: see ``HEAD_REVISION``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# The newest migration (a test keeps it in step with migrations/versions). A database already
# there starts without loading Alembic at all: a tenth of a second of every start.
HEAD_REVISION = "0015"
# Any constant works; it only has to be the same for every instance of the application.
_PG_MIGRATION_LOCK = 0x7469_6570_6461_6E


def alembic_config(connection: Connection | None = None) -> AlembicConfig:
    from alembic.config import Config as AlembicConfig  # noqa: PLC0415 - see HEAD_REVISION

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


async def upgrade(engine: AsyncEngine) -> None:
    """Apply every pending migration; several instances starting at once take turns."""
    if await _recorded_revision(engine) == HEAD_REVISION:
        return
    from alembic import command  # noqa: PLC0415 - see HEAD_REVISION

    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            await connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK}
            )
        await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), "head"))


async def _recorded_revision(engine: AsyncEngine) -> str | None:
    """The revision the database says it is at; None when it has none yet."""
    try:
        async with engine.connect() as connection:
            found = await connection.execute(text("SELECT version_num FROM alembic_version"))
            return found.scalar_one_or_none()
    except DBAPIError:  # no such table: a new database
        return None


async def current_revision(engine: AsyncEngine) -> str | None:
    from alembic.runtime.migration import MigrationContext  # noqa: PLC0415 - see HEAD_REVISION

    async with engine.connect() as connection:
        return await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory  # noqa: PLC0415 - see HEAD_REVISION

    return ScriptDirectory.from_config(alembic_config()).get_current_head()
