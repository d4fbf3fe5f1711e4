"""Registrations, their decisions and their history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal, Protocol

from bot.core.model import (
    NewRegistration,
    RegistrationEvent,
    RegistrationStatus,
    RegistrationView,
    RequestKind,
)

# What /find looks a registration up by: its ticket code, the citizen's phone (E.164), their
# 12-digit ID number, or words of their name (bot.core.text.fold_words, space-separated).
SearchBy = Literal["code", "phone", "id", "name"]


class RegistrationPort(Protocol):
    async def code_taken(self, code: str) -> bool: ...

    async def count_active_registrations(self, citizen_id: int) -> int: ...

    async def create_registration(
        self, registration: NewRegistration, actor: str
    ) -> RegistrationView: ...

    async def registrations_of(self, citizen_id: int) -> list[RegistrationView]:
        """The citizen's registrations, newest first."""
        ...

    async def registration_by_code(self, code: str) -> RegistrationView | None: ...

    async def registration_by_id(self, registration_id: int) -> RegistrationView | None: ...

    async def registration_for_update(self, code: str) -> RegistrationView | None:
        """The registration, locked until the transaction ends (decisions take turns)."""
        ...

    async def registration_events(self, registration_id: int) -> list[RegistrationEvent]: ...

    async def queue(
        self,
        statuses: frozenset[RegistrationStatus],
        kinds: frozenset[RequestKind] | None,
        unit_ids: frozenset[int] | None,
        limit: int,
        offset: int,
    ) -> tuple[list[RegistrationView], int]:
        """Registrations in these states, oldest first, and how many there are in all."""
        ...

    async def find_registrations(
        self,
        by: SearchBy,
        key: str,
        kinds: frozenset[RequestKind] | None,
        unit_ids: frozenset[int] | None,
        limit: int,
        offset: int,
        count_max: int,
    ) -> tuple[list[RegistrationView], int]:
        """Registrations whose code, phone or ID number is ``key``, or whose name has a word
        starting with each word of ``key``; and how many there are, counted up to
        ``count_max`` (``count_max + 1``: more than that).

        Names whose words match the typed words whole come first, then those matched by a
        word's beginning only; within each, newest first. When more than ``count_max`` names
        match every typed word, newest first alone."""
        ...

    async def registrations_of_person(
        self,
        phone: str,
        id_number: str,
        kinds: frozenset[RequestKind] | None,
        unit_ids: frozenset[int] | None,
        excluding: int | None,
        limit: int,
    ) -> list[RegistrationView]:
        """Registrations with this phone or this ID number (an empty one matches nothing),
        of these kinds and units, newest first; ``excluding``: a registration left out (the
        one being read)."""
        ...

    async def note_link_failure(
        self, registration_id: int, failures: int, paused_until: datetime | None
    ) -> None:
        """Count a wrong try of /link on a walk-in, and the pause it earned (None: none)."""
        ...

    async def link_to_citizen(
        self, registration_id: int, citizen_id: int, actor: str, at: datetime
    ) -> None:
        """Move a walk-in to the chat citizen who proved it is theirs; history says so."""
        ...

    async def pending_notices(
        self, kinds: frozenset[RequestKind] | None, unit_ids: frozenset[int] | None
    ) -> list[RegistrationView]:
        """Registrations whose written notice is owed and not yet issued, earliest due first."""
        ...

    async def registrations_met_between(
        self, start: datetime, end: datetime, unit_ids: frozenset[int] | None
    ) -> list[RegistrationView]:
        """Registrations whose session starts in [start, end), in any state, by session
        start then code: the meetings of a period, held or missed."""
        ...

    async def registrations_submitted_between(
        self, start: datetime, end: datetime, unit_ids: frozenset[int] | None
    ) -> list[RegistrationView]:
        """Registrations submitted in [start, end), in any state."""
        ...

    async def first_events(
        self, registration_ids: Sequence[int], events: frozenset[str]
    ) -> dict[int, datetime]:
        """For each registration, when the first of ``events`` happened to it (if ever)."""
        ...

    async def record_decision(
        self,
        registration_id: int,
        to_status: RegistrationStatus,
        *,
        event: str,
        actor: str,
        at: datetime,
        note: str,
        internal: bool,
        data: dict[str, str],
        changes: dict[str, object],
    ) -> int:
        """Set the status and the changed columns (DECISION_COLUMNS), append the event in the
        same transaction; return the event's id."""
        ...

    async def latest_registration_of_chat(
        self, channel: str, chat_id: str
    ) -> RegistrationView | None:
        """The chat's citizen's newest registration: whom to phone when a message cannot go."""
        ...

    async def registrations_in_session(
        self, session_id: int, statuses: frozenset[RegistrationStatus]
    ) -> list[RegistrationView]: ...
