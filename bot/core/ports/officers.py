"""Officers and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.core.model import (
    AuditEntry,
    Officer,
    OfficerRole,
)
from bot.core.ports.records import OfficerRecord


class OfficerPort(Protocol):
    async def sync_config_officers(self, officers: list[OfficerRecord], now: datetime) -> None: ...

    async def officer_for(self, channel: str, user_id: str) -> Officer | None:
        """The active officer behind a channel identity, if any."""
        ...

    async def officers(self, include_former: bool = False) -> list[Officer]:
        """Active officers; with ``include_former``, those removed too (``active`` False)."""
        ...

    async def save_officer(
        self,
        channel: str,
        user_id: str,
        name: str,
        role: OfficerRole,
        units: tuple[str, ...],
        permissions: frozenset[str],
        now: datetime,
    ) -> Officer: ...

    async def deactivate_officer(self, channel: str, user_id: str) -> Officer | None: ...

    async def actor_names(self, actors: set[str]) -> dict[str, str]:
        """Display names for ``officer:<id>`` actors."""
        ...

    async def audit(self, entry: AuditEntry) -> None: ...
