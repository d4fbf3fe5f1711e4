"""The inbox: incoming updates, stored before they are acknowledged."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from bot.core.model import (
    StoredUpdate,
)


class InboxPort(Protocol):
    async def store_updates(
        self, channel: str, updates: Sequence[tuple[str, dict[str, Any]]], now: datetime
    ) -> list[StoredUpdate]:
        """Keep these (update id, payload) updates; return the new ones, in the given order.
        An update id seen before is a redelivery and is left out."""
        ...

    async def claim_updates(self, update_ids: Sequence[int], now: datetime) -> set[int]:
        """Mark stored updates processed, in the transaction that acts on them; returns those
        this call marked (not those another transaction did first). Their payloads are
        dropped: they may hold personal data that the registration keeps where it belongs."""
        ...

    async def note_update_failure(self, update_id: int, error: str, now: datetime) -> None:
        """An update that could not be processed: marked so it is not retried forever."""
        ...

    async def unprocessed_updates(
        self, channel: str, received_before: datetime, limit: int
    ) -> list[StoredUpdate]:
        """Updates stored but never processed (the process stopped in between), oldest first."""
        ...

    async def purge_updates(self, processed_before: datetime) -> int:
        """Forget processed updates once a redelivery can no longer come."""
        ...
