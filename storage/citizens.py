"""Citizens and their conversations: identities by channel, dialog state, consents, and the
menu a chat was last sent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update

from bot.core.model import (
    Choice,
    Citizen,
    DialogState,
)
from storage.part import SqlPart
from storage.tables import (
    CitizenRow,
    ConsentRow,
    DialogStateRow,
    OutboxRow,
)


class CitizenRepository(SqlPart):
    async def citizen_for(
        self, channel: str, user_id: str, chat_id: str, locale: str, now: datetime
    ) -> Citizen:
        find = select(CitizenRow).where(
            CitizenRow.channel == channel, CitizenRow.channel_user_id == user_id
        )
        row = (await self._s.execute(find)).scalar_one_or_none()
        if row is None:
            # Two first messages of a new user may race on PostgreSQL: insert-or-ignore,
            # then read whichever row won.
            await self._insert_ignoring_conflicts(
                CitizenRow,
                [
                    {
                        "channel": channel,
                        "channel_user_id": user_id,
                        "chat_id": chat_id,
                        "locale": locale,
                        "created_at": now,
                        "last_seen_at": now,
                    }
                ],
                ["channel", "channel_user_id"],
            )
            row = (await self._s.execute(find)).scalar_one()
        row.last_seen_at = now
        # Writing again means the chat works again (they unblocked the bot).
        row.unreachable_at = None
        if row.chat_id != chat_id:
            row.chat_id = chat_id
        return citizen_of(row)

    async def locale_of(self, channel: str, user_id: str) -> str | None:
        found = await self._s.execute(
            select(CitizenRow.locale).where(
                CitizenRow.channel == channel, CitizenRow.channel_user_id == user_id
            )
        )
        return found.scalar_one_or_none()

    async def set_citizen_locale(self, citizen_id: int, locale: str) -> None:
        await self._s.execute(
            update(CitizenRow).where(CitizenRow.id == citizen_id).values(locale=locale)
        )

    async def load_dialog(self, citizen_id: int, now: datetime) -> DialogState:
        query = select(DialogStateRow.data).where(DialogStateRow.citizen_id == citizen_id)
        if self._dialect == "postgresql":
            # One user's messages never run concurrently, even across instances.
            query = query.with_for_update()
        data = (await self._s.execute(query)).scalar_one_or_none()
        if data is None:
            await self._insert_ignoring_conflicts(
                DialogStateRow,
                [{"citizen_id": citizen_id, "data": {}, "updated_at": now}],
                ["citizen_id"],
            )
            data = (await self._s.execute(query)).scalar_one()
        return DialogState(dict(data))

    async def save_dialog(self, citizen_id: int, state: DialogState, now: datetime) -> None:
        await self._s.execute(
            update(DialogStateRow)
            .where(DialogStateRow.citizen_id == citizen_id)
            .values(data=state.data, updated_at=now)
        )

    async def record_consent(
        self, citizen_id: int, notice_version: str, locale: str, at: datetime
    ) -> int:
        row = ConsentRow(
            citizen_id=citizen_id, notice_version=notice_version, locale=locale, given_at=at
        )
        self._s.add(row)
        await self._s.flush()
        return row.id

    async def last_heard(self, channel: str, chat_id: str) -> datetime | None:
        return (
            await self._s.execute(
                select(func.max(CitizenRow.last_seen_at)).where(
                    CitizenRow.channel == channel, CitizenRow.chat_id == chat_id
                )
            )
        ).scalar_one_or_none()

    async def last_choices(self, channel: str, chat_id: str) -> tuple[Choice, ...]:
        payload = (
            await self._s.execute(
                select(OutboxRow.payload)
                .where(
                    OutboxRow.channel == channel,
                    OutboxRow.recipient == chat_id,
                    OutboxRow.status == "sent",
                )
                .order_by(OutboxRow.sent_at.desc(), OutboxRow.id.desc())
                .limit(1)
            )
        ).scalar_one_or_none()
        return tuple(
            Choice(str(c["label"]), str(c["payload"])) for c in (payload or {}).get("choices", ())
        )

    async def mark_unreachable(self, channel: str, chat_id: str, at: datetime) -> None:
        await self._s.execute(
            update(CitizenRow)
            .where(CitizenRow.channel == channel, CitizenRow.chat_id == chat_id)
            .values(unreachable_at=at)
        )


def citizen_of(row: CitizenRow) -> Citizen:
    return Citizen(row.id, row.channel, row.channel_user_id, row.chat_id, row.locale)
