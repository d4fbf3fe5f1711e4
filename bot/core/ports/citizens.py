"""Citizens and their conversations."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.core.model import (
    Choice,
    Citizen,
    DialogState,
)


class CitizenPort(Protocol):
    async def open_conversation(
        self, channel: str, user_id: str, chat_id: str, locale: str, now: datetime
    ) -> tuple[Citizen, DialogState]:
        """The citizen behind a channel identity (created at first contact, ``locale`` being
        the default) and their dialog state, which stays locked until the transaction ends so
        that one user's messages take turns, even across instances."""
        ...

    async def citizen_for(
        self, channel: str, user_id: str, chat_id: str, locale: str, now: datetime
    ) -> Citizen:
        """Return the citizen behind a channel identity, creating them on first contact."""
        ...

    async def locale_of(self, channel: str, user_id: str) -> str | None:
        """The language a chat identity chose, if it ever talked to the bot."""
        ...

    async def set_citizen_locale(self, citizen_id: int, locale: str) -> None: ...

    async def load_dialog(self, citizen_id: int, now: datetime) -> DialogState:
        """Load the conversation state, locking it until the transaction ends."""
        ...

    async def save_dialog(self, citizen_id: int, state: DialogState, now: datetime) -> None: ...

    async def record_consent(
        self,
        citizen_id: int,
        notice_version: str,
        locale: str,
        at: datetime,
        given_as: str = "chat",
        recorded_by: str = "",
    ) -> int:
        """Record consent to the privacy notice: in the chat, or (``given_as`` "paper" or
        "oral") at the office, to the officer ``recorded_by``."""
        ...

    async def last_heard(self, channel: str, chat_id: str) -> datetime | None:
        """When the chat last wrote to us (a Zalo OA may answer only within a window)."""
        ...

    async def last_choices(self, channel: str, chat_id: str) -> tuple[Choice, ...]:
        """The choices of the last message sent to the chat (none if it had none): what a
        citizen on a channel without buttons answers by number."""
        ...

    async def mark_unreachable(self, channel: str, chat_id: str, at: datetime) -> None: ...
