"""Citizens' rights over their data: what is held, withdrawal, erasure, data requests."""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol

from bot.core.model import (
    ConsentRecord,
    DataRequest,
    DataRequestKind,
    DataRequestStatus,
    Identity,
    RegistrationStatus,
)


class PrivacyPort(Protocol):
    async def identity(self, citizen_id: int) -> Identity | None: ...

    async def consents_of(self, citizen_id: int) -> list[ConsentRecord]:
        """Every consent the citizen gave, oldest first."""
        ...

    async def withdraw_consents(self, citizen_id: int, at: datetime) -> int:
        """Mark the citizen's consents withdrawn; returns how many were in force."""
        ...

    async def unsubscribe_all(self, citizen_id: int) -> int: ...

    async def erase_registration(self, registration_id: int, at: datetime) -> None:
        """Erase a registration's personal fields (name, phone, ID number, address,
        representatives, the words of its matter) and the words /find seeks; keep what the
        statistics need (kind, unit, dates, state)."""
        ...

    async def expire_messages_to(self, channel: str, chat_id: str, at: datetime) -> int:
        """Messages still waiting for this chat are never to be sent, and the texts of those
        already sent are forgotten (they repeat the citizen's name and matter)."""
        ...

    async def detach_citizen(self, citizen_id: int) -> None:
        """Forget the chat identity (the registrations kept stay with a nameless citizen)
        and the dialog state: the next message from that chat is a newcomer's."""
        ...

    async def add_data_request(
        self,
        citizen_id: int,
        registration_id: int | None,
        kind: DataRequestKind,
        detail: str,
        received_at: datetime,
        acknowledge_by: date,
        answer_by: date,
    ) -> DataRequest: ...

    async def data_requests(
        self, statuses: frozenset[DataRequestStatus], unit_ids: frozenset[int] | None
    ) -> list[DataRequest]:
        """Requests in these states, oldest first; ``unit_ids``: those about a registration
        of these units, and those about none."""
        ...

    async def data_request(self, request_id: int) -> DataRequest | None: ...

    async def close_data_requests(self, citizen_id: int, at: datetime) -> int:
        """The citizen withdrew: their open requests end, and what they asked is forgotten."""
        ...

    async def set_data_request(
        self, request_id: int, status: DataRequestStatus, note: str, at: datetime
    ) -> None: ...

    async def correct_registration(
        self, registration_id: int, changes: dict[str, str], actor: str, at: datetime
    ) -> None:
        """Change the citizen's own details (full_name, phone, address) on a registration;
        its history says which fields changed."""
        ...

    async def registrations_to_erase(
        self, statuses: frozenset[RegistrationStatus], changed_before: datetime, limit: int
    ) -> list[int]:
        """Registrations in these (final) states, unchanged since before ``changed_before``,
        whose personal fields are not erased yet."""
        ...
