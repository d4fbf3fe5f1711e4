"""The outbox: every outgoing message stored before it is sent, claimed under a lease."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, and_, bindparam, case, func, or_, select, update

from bot.core.model import (
    Choice,
    Hold,
    OutboxItem,
    OutboxMessage,
    OutgoingFile,
    Reply,
    SendResult,
)
from storage.part import SqlPart, insert_or_ignore
from storage.tables import (
    Base,
    OutboxRow,
    UTCDateTime,
)

_outbox = Base.metadata.tables[OutboxRow.__tablename__]

# Statements of every reply, built once (SQLAlchemy caches their compiled form).
_QUEUE = {
    name: statement.returning(_outbox.c.id, _outbox.c.idempotency_key)
    for name, statement in insert_or_ignore(_outbox, ["idempotency_key"]).items()
}
_RECORD = (
    update(_outbox)
    # Only the dispatcher that holds the row records its fate.
    .where(_outbox.c.id == bindparam("item_id"), _outbox.c.lease_owner == bindparam("owner"))
    .values(
        status=bindparam("new_status"),
        lease_owner=None,
        lease_until=None,
        next_attempt_at=bindparam("retry_at"),
        last_error=bindparam("error"),
        attempts=_outbox.c.attempts + bindparam("attempted", type_=Integer()),
        provider_message_id=func.coalesce(
            bindparam("message_id", type_=String()), _outbox.c.provider_message_id
        ),
        sent_at=func.coalesce(bindparam("sent", type_=UTCDateTime()), _outbox.c.sent_at),
        parts=func.coalesce(bindparam("parts", type_=Integer()), _outbox.c.parts),
    )
)


class OutboxRepository(SqlPart):
    async def enqueue(self, message: OutboxMessage) -> bool:
        added = await self._s.execute(_QUEUE[self._dialect], _row(message))
        return added.first() is not None

    async def enqueue_held(
        self, messages: Sequence[OutboxMessage], hold: Hold
    ) -> list[OutboxItem]:
        if not messages:
            return []
        rows = [
            {**_row(m), "status": "sending", "lease_owner": hold.owner, "lease_until": hold.until}
            for m in messages
        ]
        added = await self._s.execute(_QUEUE[self._dialect], rows)
        ids = {key: item_id for item_id, key in added.all()}
        return [
            OutboxItem(
                id=ids[m.idempotency_key],
                key=m.idempotency_key,
                channel=m.channel,
                recipient=m.recipient,
                reply=Reply(m.text, m.choices, m.contact_request, m.file),
                attempts=0,
                expires_at=m.expires_at,
                guard=m.guard,
                lease_until=hold.until,
            )
            for m in messages
            if m.idempotency_key in ids
        ]

    async def record_results(self, results: Sequence[SendResult]) -> None:
        if not results:
            return
        await self._s.execute(
            _RECORD,
            [
                {
                    "item_id": r.item_id,
                    "owner": r.owner,
                    "new_status": r.status,
                    "retry_at": r.next_attempt_at,
                    "error": r.error[:2000],
                    "attempted": int(r.attempted),
                    "message_id": (r.provider_message_id or "")[:64] or None,
                    "sent": r.at if r.status == "sent" else None,
                    "parts": r.parts,
                }
                for r in results
            ],
        )

    async def messages_sent_since(self, channel: str, recipient: str, since: datetime) -> int:
        total = (
            await self._s.execute(
                select(func.coalesce(func.sum(_outbox.c.parts), 0)).where(
                    _outbox.c.channel == channel,
                    _outbox.c.recipient == recipient,
                    _outbox.c.sent_at >= since,
                    _outbox.c.status == "sent",
                )
            )
        ).scalar_one()
        return int(total)

    async def take_back_held(self) -> int:
        result = await self._s.execute(
            update(_outbox)
            .where(_outbox.c.status == "sending")
            .values(
                status="pending",
                lease_owner=None,
                lease_until=None,
                attempts=_outbox.c.attempts + 1,
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def release_held(self, item_ids: Sequence[int], owner: str) -> int:
        if not item_ids:
            return 0
        result = await self._s.execute(
            update(_outbox)
            .where(
                _outbox.c.id.in_(item_ids),
                _outbox.c.status == "sending",
                _outbox.c.lease_owner == owner,
            )
            .values(status="pending", lease_owner=None, lease_until=None)
        )
        return int(getattr(result, "rowcount", 0) or 0)

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
        if not targets or keys == []:
            return []
        wanted = or_(
            *(
                and_(OutboxRow.channel == channel, OutboxRow.recipient == recipient)
                if recipient is not None
                else OutboxRow.channel == channel
                for channel, recipient in targets
            )
        )
        due = and_(
            OutboxRow.status == "pending",
            OutboxRow.due_at <= now,
            or_(OutboxRow.next_attempt_at.is_(None), OutboxRow.next_attempt_at <= now),
        )
        # A dispatcher that died mid-send leaves its rows "sending": they come back when the
        # lease runs out (at-least-once; the provider gets no idempotency key to dedupe).
        abandoned = and_(OutboxRow.status == "sending", OutboxRow.lease_until < now)
        query = (
            select(OutboxRow.id)
            .where(wanted, or_(due, abandoned))
            .order_by(OutboxRow.due_at, OutboxRow.id)
            .limit(limit)
        )
        if keys is not None:
            query = query.where(OutboxRow.idempotency_key.in_(keys))
        if excluding:
            query = query.where(OutboxRow.id.not_in(excluding))
        if self._dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)
        ids = list((await self._s.execute(query)).scalars())
        if not ids:
            return []
        await self._s.execute(
            update(OutboxRow)
            .where(OutboxRow.id.in_(ids))
            .values(
                # A row taken back from a dispatcher that died counts as one more attempt, so
                # a message that kills the process cannot come back forever.
                attempts=case(
                    (OutboxRow.status == "sending", OutboxRow.attempts + 1),
                    else_=OutboxRow.attempts,
                ),
                status="sending",
                lease_owner=owner,
                lease_until=lease_until,
            )
        )
        rows = await self._s.execute(
            select(OutboxRow).where(OutboxRow.id.in_(ids)).order_by(OutboxRow.due_at, OutboxRow.id)
        )
        return [_outbox_item(row) for row in rows.scalars()]

    async def renew_lease(
        self, item_id: int, owner: str, now: datetime, lease_until: datetime
    ) -> bool:
        result = await self._s.execute(
            update(OutboxRow)
            .where(
                OutboxRow.id == item_id,
                OutboxRow.status == "sending",
                OutboxRow.lease_owner == owner,
                OutboxRow.lease_until > now,
            )
            .values(lease_until=lease_until)
        )
        return bool(getattr(result, "rowcount", 0))


def _outbox_payload(message: OutboxMessage) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "text": message.text,
        "choices": [{"label": c.label, "payload": c.payload} for c in message.choices],
    }
    if message.contact_request:
        payload["contact_request"] = message.contact_request
    if message.file is not None:
        payload["file"] = {
            "filename": message.file.filename,
            "mime_type": message.file.mime_type,
            "content": base64.b64encode(message.file.content).decode("ascii"),
        }
    return payload


def _row(message: OutboxMessage) -> dict[str, Any]:
    return {
        "idempotency_key": message.idempotency_key,
        "channel": message.channel,
        "recipient": message.recipient,
        "payload": _outbox_payload(message),
        "due_at": message.due_at,
        "status": "pending",
        "attempts": 0,
        "last_error": "",
        "created_at": message.due_at,
        "purpose": message.purpose,
        "expires_at": message.expires_at,
        "guard": message.guard,
        "lease_owner": None,
        "lease_until": None,
    }


def _outbox_item(row: OutboxRow) -> OutboxItem:
    payload = row.payload or {}
    file = payload.get("file")
    return OutboxItem(
        id=row.id,
        key=row.idempotency_key,
        channel=row.channel,
        recipient=row.recipient,
        reply=Reply(
            text=str(payload.get("text", "")),
            choices=tuple(
                Choice(str(c["label"]), str(c["payload"])) for c in payload.get("choices", ())
            ),
            contact_request=payload.get("contact_request"),
            file=(
                OutgoingFile(
                    str(file["filename"]),
                    base64.b64decode(str(file["content"])),
                    str(file["mime_type"]),
                )
                if file
                else None
            ),
        ),
        attempts=row.attempts,
        # A row to try again keeps in parts how many of its messages went already.
        delivered=row.parts or 0,
        expires_at=row.expires_at,
        guard=dict(row.guard) if row.guard else None,
        lease_until=row.lease_until,
    )
