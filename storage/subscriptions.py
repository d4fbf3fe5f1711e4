"""Citizens who follow a unit, and the new sessions to announce to them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

from bot.core.model import (
    Citizen,
    SessionStatus,
    SessionView,
)
from storage.citizens import citizen_of
from storage.part import SqlPart
from storage.schedules import session_view_of, session_views
from storage.tables import (
    CitizenRow,
    LeaderRow,
    SessionRow,
    SubscriptionRow,
)


class SubscriptionRepository(SqlPart):
    async def subscribe(self, citizen_id: int, unit_id: int, now: datetime) -> bool:
        added = await self._insert_ignoring_conflicts(
            SubscriptionRow,
            [{"citizen_id": citizen_id, "unit_id": unit_id, "created_at": now}],
            ["citizen_id", "unit_id"],
        )
        return added > 0

    async def unsubscribe(self, citizen_id: int, unit_id: int) -> bool:
        result = await self._s.execute(
            delete(SubscriptionRow).where(
                SubscriptionRow.citizen_id == citizen_id, SubscriptionRow.unit_id == unit_id
            )
        )
        return bool(getattr(result, "rowcount", 0))

    async def subscribed_units(self, citizen_id: int) -> frozenset[int]:
        rows = await self._s.execute(
            select(SubscriptionRow.unit_id).where(SubscriptionRow.citizen_id == citizen_id)
        )
        return frozenset(rows.scalars())

    async def announcements(
        self, since: datetime, now: datetime
    ) -> list[tuple[SessionView, Citizen]]:
        query = (
            session_views()
            .add_columns(CitizenRow)
            .join(SubscriptionRow, SubscriptionRow.unit_id == LeaderRow.unit_id)
            .join(CitizenRow, CitizenRow.id == SubscriptionRow.citizen_id)
            .where(
                SessionRow.published_at >= since,
                # Only what was published after the citizen started following.
                SessionRow.published_at > SubscriptionRow.created_at,
                SessionRow.starts_at > now,
                SessionRow.status == SessionStatus.PLANNED.value,
                LeaderRow.active.is_(True),
                CitizenRow.unreachable_at.is_(None),
            )
            .order_by(SessionRow.starts_at, SessionRow.id, CitizenRow.id)
        )
        return [
            (session_view_of(session, leader, unit, taken), citizen_of(citizen))
            for session, leader, unit, taken, citizen in (await self._s.execute(query)).all()
        ]
