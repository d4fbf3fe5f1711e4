"""What /metrics reads from the database when it is scraped: the outbox's rows by status,
channel and purpose, and how long the oldest unprocessed update has waited.

Two cheap statements on their own connection (no transaction of the bot waits for them): one
GROUP BY over the outbox, one MIN over the unprocessed updates (``processed_at`` is indexed).
The caller caches the answer and bounds its wait (handlers.metrics).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.tables import InboxRow, OutboxRow


@dataclass(frozen=True)
class DatabaseGauges:
    # (status, channel, purpose) -> rows
    outbox: dict[tuple[str, str, str], int]
    # Seconds since the oldest unprocessed update arrived; 0 when none waits.
    inbox_lag_seconds: float


async def read(engine: AsyncEngine, now: datetime) -> DatabaseGauges:
    """``now`` is timezone-aware, from the clock the rows were stamped with."""
    async with engine.connect() as connection:
        grouped = await connection.execute(
            select(OutboxRow.status, OutboxRow.channel, OutboxRow.purpose, func.count()).group_by(
                OutboxRow.status, OutboxRow.channel, OutboxRow.purpose
            )
        )
        outbox = {(status, channel, purpose): count for status, channel, purpose, count in grouped}
        oldest = await connection.scalar(
            select(func.min(InboxRow.received_at)).where(InboxRow.processed_at.is_(None))
        )
    lag = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
    return DatabaseGauges(outbox, lag)
