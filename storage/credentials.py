"""A channel's rotating tokens, replaced atomically."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update

from bot.core.model import (
    Credentials,
)
from storage.part import SqlPart
from storage.tables import (
    CredentialRow,
)


class CredentialRepository(SqlPart):
    async def credentials(self, channel: str) -> Credentials | None:
        row = await self._s.get(CredentialRow, channel)
        if row is None:
            return None
        return Credentials(
            row.access_token, row.access_expires_at, row.refresh_token, row.seeded_from
        )

    async def save_credentials(
        self, channel: str, credentials: Credentials, replacing: str | None, now: datetime
    ) -> bool:
        values = {
            "access_token": credentials.access_token,
            "access_expires_at": credentials.access_expires_at,
            "refresh_token": credentials.refresh_token,
            "seeded_from": credentials.seeded_from,
            "updated_at": now,
        }
        if replacing is None:
            await self._insert_ignoring_conflicts(
                CredentialRow, [{"channel": channel, **values}], ["channel"]
            )
            row = await self._s.get(CredentialRow, channel, populate_existing=True)
            return row is not None and row.refresh_token == credentials.refresh_token
        # Compare and swap: of two instances refreshing at once, one wins; the other reads
        # the winner's tokens.
        result = await self._s.execute(
            update(CredentialRow)
            .where(CredentialRow.channel == channel, CredentialRow.refresh_token == replacing)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]
