"""The inbox: every incoming update stored before it is acknowledged, processed once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, select, update

from bot.core.model import (
    StoredUpdate,
)
from storage.part import SqlPart, insert_or_ignore
from storage.tables import (
    Base,
    InboxRow,
)

_inbox = Base.metadata.tables[InboxRow.__tablename__]

# Statements of every update, built once (SQLAlchemy caches their compiled form).
# Insert-or-ignore with RETURNING: only the updates this call stored come back, even when
# another instance stores the same redelivered update at the same moment.
_STORE = {
    name: statement.returning(_inbox.c.id, _inbox.c.update_id, sort_by_parameter_order=True)
    for name, statement in insert_or_ignore(_inbox, ["channel", "update_id"]).items()
}
# Processed: its payload is no longer needed (it may hold a citizen's message).
_CLAIM = (
    update(_inbox)
    .where(_inbox.c.id.in_(bindparam("updates", expanding=True)), _inbox.c.processed_at.is_(None))
    .values(processed_at=bindparam("now"), payload={})
    .returning(_inbox.c.id)
)


class InboxRepository(SqlPart):
    async def store_updates(
        self, channel: str, updates: Sequence[tuple[str, dict[str, Any]]], now: datetime
    ) -> list[StoredUpdate]:
        fresh = dict(updates)  # the same update twice in one batch is stored once
        if not fresh:
            return []
        rows = [
            {
                "channel": channel,
                "update_id": update_id,
                "payload": payload,
                "received_at": now,
                "processed_at": None,
                "error": "",
            }
            for update_id, payload in fresh.items()
        ]
        stored = {
            update_id: row_id
            for row_id, update_id in await self._s.execute(_STORE[self._dialect], rows)
        }
        return [
            StoredUpdate(stored[update_id], channel, update_id, payload)
            for update_id, payload in fresh.items()
            if update_id in stored
        ]

    async def claim_updates(self, update_ids: Sequence[int], now: datetime) -> set[int]:
        if not update_ids:
            return set()
        result = await self._s.execute(_CLAIM, {"updates": list(update_ids), "now": now})
        return set(result.scalars())

    async def note_update_failure(self, update_id: int, error: str, now: datetime) -> None:
        await self._s.execute(
            update(InboxRow)
            .where(InboxRow.id == update_id)
            .values(processed_at=now, payload={}, error=error[:2000])
        )

    async def unprocessed_updates(
        self, channel: str, received_before: datetime, limit: int
    ) -> list[StoredUpdate]:
        rows = (
            await self._s.execute(
                select(InboxRow)
                .where(
                    InboxRow.channel == channel,
                    InboxRow.processed_at.is_(None),
                    InboxRow.received_at < received_before,
                )
                .order_by(InboxRow.id)
                .limit(limit)
            )
        ).scalars()
        return [_stored_update(row) for row in rows]

    async def purge_updates(self, processed_before: datetime) -> int:
        result = await self._s.execute(
            delete(InboxRow).where(
                InboxRow.processed_at.is_not(None), InboxRow.processed_at < processed_before
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)


def _stored_update(row: InboxRow) -> StoredUpdate:
    return StoredUpdate(row.id, row.channel, row.update_id, dict(row.payload or {}))
