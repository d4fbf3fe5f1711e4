"""Citizens and their conversations: identities by channel, dialog state, consents, and the
menu a chat was last sent."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, select, update

from bot.core.model import (
    Choice,
    Citizen,
    DialogState,
)
from storage.part import SqlPart, insert_or_ignore
from storage.tables import (
    Base,
    CitizenRow,
    ConsentRow,
    DialogStateRow,
    OutboxRow,
)

_citizens = Base.metadata.tables[CitizenRow.__tablename__]
_dialogs = Base.metadata.tables[DialogStateRow.__tablename__]

# Statements of every message, built once (SQLAlchemy caches their compiled form).
_CONVERSATION = (
    select(
        _citizens.c.id,
        _citizens.c.chat_id,
        _citizens.c.locale,
        _citizens.c.last_seen_at,
        _citizens.c.unreachable_at,
        _dialogs.c.data,
    )
    .join(_dialogs, _dialogs.c.citizen_id == _citizens.c.id)
    .where(
        _citizens.c.channel == bindparam("channel"),
        _citizens.c.channel_user_id == bindparam("user_id"),
    )
)
# One user's messages never run concurrently, even across instances.
_CONVERSATION_LOCKED = _CONVERSATION.with_for_update(of=_dialogs)
_NEW_CITIZEN = {
    name: statement.returning(_citizens.c.id)
    for name, statement in insert_or_ignore(_citizens, ["channel", "channel_user_id"]).items()
}
_NEW_DIALOG = insert_or_ignore(_dialogs, ["citizen_id"])
# (A bind parameter of an UPDATE may not be named after a column.)
_SEEN = (
    update(_citizens)
    .where(_citizens.c.id == bindparam("who"))
    .values(last_seen_at=bindparam("now"), unreachable_at=None, chat_id=bindparam("chat"))
)
_SAVE_DIALOG = (
    update(_dialogs)
    .where(_dialogs.c.citizen_id == bindparam("who"))
    .values(data=bindparam("state"), updated_at=bindparam("now"))
)
# "Last seen" is written again only when older than this (it times the Zalo OA's window).
SEEN_AGAIN_AFTER = timedelta(minutes=1)


class CitizenRepository(SqlPart):
    async def open_conversation(
        self, channel: str, user_id: str, chat_id: str, locale: str, now: datetime
    ) -> tuple[Citizen, DialogState]:
        query = _CONVERSATION_LOCKED if self._dialect == "postgresql" else _CONVERSATION
        key = {"channel": channel, "user_id": user_id}
        row = (await self._s.execute(query, key)).first()
        if row is None:
            created = await self._first_contact(channel, user_id, chat_id, locale, now)
            if created is not None:
                return created, DialogState({})
            # Someone else's first message won the race, or the citizen had no dialog.
            row = (await self._s.execute(query, key)).first()
            if row is None:
                citizen = await self.citizen_for(channel, user_id, chat_id, locale, now)
                await self._s.execute(
                    _NEW_DIALOG[self._dialect],
                    {"citizen_id": citizen.id, "data": {}, "updated_at": now},
                )
                row = (await self._s.execute(query, key)).one()
        citizen_id, known_chat, known_locale, seen, unreachable, data = row
        # Writing again means the chat works again (they unblocked the bot).
        if unreachable is not None or known_chat != chat_id or now - seen >= SEEN_AGAIN_AFTER:
            await self._s.execute(_SEEN, {"who": citizen_id, "now": now, "chat": chat_id})
        citizen = Citizen(citizen_id, channel, user_id, chat_id, known_locale)
        return citizen, DialogState(dict(data))

    async def _first_contact(
        self, channel: str, user_id: str, chat_id: str, locale: str, now: datetime
    ) -> Citizen | None:
        """A new citizen and their empty dialog; None when the row already existed."""
        created = await self._s.execute(
            _NEW_CITIZEN[self._dialect], _new_citizen(channel, user_id, chat_id, locale, now)
        )
        citizen_id = created.scalar_one_or_none()
        if citizen_id is None:
            return None
        await self._s.execute(
            _NEW_DIALOG[self._dialect], {"citizen_id": citizen_id, "data": {}, "updated_at": now}
        )
        return Citizen(citizen_id, channel, user_id, chat_id, locale)

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
                [_new_citizen(channel, user_id, chat_id, locale, now)],
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
        await self._s.execute(_SAVE_DIALOG, {"who": citizen_id, "state": state.data, "now": now})

    async def record_consent(
        self,
        citizen_id: int,
        notice_version: str,
        locale: str,
        at: datetime,
        given_as: str = "chat",
        recorded_by: str = "",
    ) -> int:
        row = ConsentRow(
            citizen_id=citizen_id,
            notice_version=notice_version,
            locale=locale,
            given_at=at,
            given_as=given_as,
            recorded_by=recorded_by,
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


def _new_citizen(
    channel: str, user_id: str, chat_id: str, locale: str, now: datetime
) -> dict[str, object]:
    """The row of a citizen seen for the first time."""
    return {
        "channel": channel,
        "channel_user_id": user_id,
        "chat_id": chat_id,
        "locale": locale,
        "created_at": now,
        "last_seen_at": now,
    }
