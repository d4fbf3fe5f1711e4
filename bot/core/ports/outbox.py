"""The outbox: outgoing messages, stored before they are sent."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from bot.core.model import (
    Hold,
    OutboxItem,
    OutboxMessage,
    SendResult,
)


class OutboxPort(Protocol):
    async def enqueue(self, message: OutboxMessage) -> bool:
        """Queue a message; False when one with the same key was queued before."""
        ...

    async def claim_outbox(
        self,
        now: datetime,
        owner: str,
        lease_until: datetime,
        targets: Sequence[tuple[str, str | None]],
        limit: int,
        keys: Sequence[str] | None = None,
        excluding: Sequence[int] = (),
    ) -> list[OutboxItem]:
        """Take due messages for these (channel, recipient or any) targets: pending ones,
        and those whose previous claim ran out of lease. Several dispatchers never take the
        same row (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: one writer at a time).
        ``keys``: only these messages (the replies of the turn just processed).
        ``excluding``: rows never to take (the caller sent them but could not record it
        yet, or already tried them in this round)."""
        ...

    async def enqueue_held(
        self, messages: Sequence[OutboxMessage], hold: Hold
    ) -> list[OutboxItem]:
        """Queue messages already held by ``hold`` (a turn's replies, to be sent at once);
        returns those that were new, ready to send."""
        ...

    async def record_results(self, results: Sequence[SendResult]) -> None:
        """Record each message's fate, where its dispatcher still holds it."""
        ...

    async def messages_sent_since(self, channel: str, recipient: str, since: datetime) -> int:
        """How many of the channel's messages went to ``recipient`` from ``since`` on, counted
        where the rows recorded it (SendResult.parts)."""
        ...

    async def take_back_held(self) -> int:
        """Make every held row due again (counting one more attempt): only when no other
        dispatcher can be running, as on SQLite after a restart."""
        ...

    async def release_held(self, item_ids: Sequence[int], owner: str) -> int:
        """Hand back rows ``owner`` holds and never tried to send: due at once, attempts
        unchanged; rows someone else holds now are left alone."""
        ...

    async def renew_lease(
        self, item_id: int, owner: str, now: datetime, lease_until: datetime
    ) -> bool:
        """Extend the lease before sending; False when this dispatcher lost the row."""
        ...
