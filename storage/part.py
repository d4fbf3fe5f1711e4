"""What every part of the repository shares: the transaction's session and its dialect."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.tables import Base

DialectInsert = postgresql.Insert | sqlite.Insert


def _insert(dialect: str, table: Table | type[Base]) -> DialectInsert:
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


def insert_or_ignore(table: Table, keys: Sequence[str]) -> dict[str, DialectInsert]:
    """INSERT ... ON CONFLICT (keys) DO NOTHING, by dialect name: for the statements built
    once at import (SQLAlchemy then caches their compiled form); add RETURNING to each."""
    return {
        dialect: _insert(dialect, table).on_conflict_do_nothing(index_elements=list(keys))
        for dialect in ("sqlite", "postgresql")
    }


class SqlPart:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session
        self._dialect = session.get_bind().dialect.name

    async def _insert_ignoring_conflicts(
        self, table: type[Base], rows: Sequence[dict[str, Any]], keys: Sequence[str]
    ) -> int:
        """INSERT ... ON CONFLICT DO NOTHING in the dialect at hand; returns rows inserted."""
        if not rows:
            return 0
        statement = (
            _insert(self._dialect, table)
            .values(list(rows))
            .on_conflict_do_nothing(index_elements=keys)
        )
        result = await self._s.execute(statement)
        return int(getattr(result, "rowcount", 0) or 0)
