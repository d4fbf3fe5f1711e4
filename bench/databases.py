"""Fresh databases for the benchmarks: a new SQLite file, or the PostgreSQL database named by
``--postgres`` emptied."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select, text

from storage.db import create_engine
from storage.tables import RegistrationRow


async def fresh_database(engine: str, folder: Path, postgres_url: str) -> str:
    folder.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - set-up, not measured
    if engine == "sqlite":
        path = folder / "tiepdan.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
        return f"sqlite+aiosqlite:///{path}"
    if not postgres_url:
        raise RuntimeError("PostgreSQL: give --postgres URL (make bench starts one)")
    database = create_engine(postgres_url)
    try:
        async with database.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    finally:
        await database.dispose()
    return postgres_url


async def count_registrations(url: str) -> int:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return int(
                (await connection.execute(select(func.count(RegistrationRow.id)))).scalar_one()
            )
    finally:
        await engine.dispose()
