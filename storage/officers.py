"""Officers, and the append-only audit log of their commands."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot.core.model import (
    AuditEntry,
    Officer,
    OfficerRole,
)
from bot.core.ports import OfficerRecord
from storage.part import SqlPart
from storage.tables import (
    AuditRow,
    OfficerRow,
)


class OfficerRepository(SqlPart):
    async def sync_config_officers(self, officers: list[OfficerRecord], now: datetime) -> None:
        existing = {
            (row.channel, row.user_id): row
            for row in (
                await self._s.execute(select(OfficerRow).where(OfficerRow.source == "config"))
            ).scalars()
        }
        for officer in officers:
            row = existing.pop((officer.channel, officer.user_id), None)
            if row is None:
                row = (
                    await self._s.execute(
                        select(OfficerRow).where(
                            OfficerRow.channel == officer.channel,
                            OfficerRow.user_id == officer.user_id,
                        )
                    )
                ).scalar_one_or_none()
            if row is None:
                row = OfficerRow(
                    channel=officer.channel,
                    user_id=officer.user_id,
                    permissions=[],
                    created_at=now,
                )
                self._s.add(row)
            row.name, row.role, row.units = officer.name, officer.role, list(officer.units)
            row.permissions = sorted(officer.permissions)
            row.source, row.active = "config", True
        # Removed from the configuration: no longer an officer.
        for row in existing.values():
            row.active = False
        await self._s.flush()

    async def officer_for(self, channel: str, user_id: str) -> Officer | None:
        row = (
            await self._s.execute(
                select(OfficerRow).where(
                    OfficerRow.channel == channel,
                    OfficerRow.user_id == user_id,
                    OfficerRow.active.is_(True),
                )
            )
        ).scalar_one_or_none()
        return _officer(row) if row else None

    async def officers(self, include_former: bool = False) -> list[Officer]:
        query = select(OfficerRow).order_by(OfficerRow.id)
        if not include_former:
            query = query.where(OfficerRow.active.is_(True))
        return [_officer(row) for row in (await self._s.execute(query)).scalars()]

    async def save_officer(
        self,
        channel: str,
        user_id: str,
        name: str,
        role: OfficerRole,
        units: tuple[str, ...],
        permissions: frozenset[str],
        now: datetime,
    ) -> Officer:
        row = (
            await self._s.execute(
                select(OfficerRow).where(
                    OfficerRow.channel == channel, OfficerRow.user_id == user_id
                )
            )
        ).scalar_one_or_none()
        if row is None:
            row = OfficerRow(channel=channel, user_id=user_id, created_at=now, source="command")
            self._s.add(row)
        row.name, row.role, row.units = name, role.value, list(units)
        row.permissions, row.active = sorted(permissions), True
        await self._s.flush()
        return _officer(row)

    async def deactivate_officer(self, channel: str, user_id: str) -> Officer | None:
        row = (
            await self._s.execute(
                select(OfficerRow).where(
                    OfficerRow.channel == channel,
                    OfficerRow.user_id == user_id,
                    OfficerRow.active.is_(True),
                )
            )
        ).scalar_one_or_none()
        if row is None:
            return None
        row.active = False
        await self._s.flush()
        return _officer(row)

    async def actor_names(self, actors: set[str]) -> dict[str, str]:
        ids = {
            int(actor.removeprefix("officer:")): actor
            for actor in actors
            if actor.startswith("officer:") and actor.removeprefix("officer:").isdigit()
        }
        if not ids:
            return {}
        rows = await self._s.execute(
            select(OfficerRow.id, OfficerRow.name).where(OfficerRow.id.in_(ids))
        )
        return {ids[officer_id]: name for officer_id, name in rows.all()}

    async def audit(self, entry: AuditEntry) -> None:
        self._s.add(
            AuditRow(
                at=entry.at,
                actor=entry.actor,
                action=entry.action,
                target=entry.target,
                allowed=entry.allowed,
                detail=entry.detail,
            )
        )
        await self._s.flush()


def _officer(row: OfficerRow) -> Officer:
    return Officer(
        id=row.id,
        channel=row.channel,
        user_id=row.user_id,
        name=row.name,
        role=OfficerRole(row.role),
        units=tuple(row.units),
        permissions=frozenset(row.permissions),
        from_config=row.source == "config",
        active=row.active,
    )
