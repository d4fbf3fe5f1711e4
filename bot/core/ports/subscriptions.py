"""Citizens who follow a unit."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.core.model import (
    Citizen,
    SessionView,
)


class SubscriptionPort(Protocol):
    async def subscribe(self, citizen_id: int, unit_id: int, now: datetime) -> bool:
        """False when the citizen already follows the unit."""
        ...

    async def unsubscribe(self, citizen_id: int, unit_id: int) -> bool: ...

    async def subscribed_units(self, citizen_id: int) -> frozenset[int]: ...

    async def announcements(
        self, since: datetime, now: datetime
    ) -> list[tuple[SessionView, Citizen]]:
        """Sessions published since ``since`` and still ahead, with each citizen following
        their unit who subscribed before the session was published."""
        ...
