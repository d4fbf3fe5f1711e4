"""The boundary between the domain and storage, one Protocol per aggregate (citizens,
schedules, registrations, officers, outbox, credentials, inbox, subscriptions); ``storage``
implements them. ``Repository`` is all of them on one transaction."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Protocol

from bot.core.ports.citizens import CitizenPort
from bot.core.ports.credentials import CredentialPort
from bot.core.ports.inbox import InboxPort
from bot.core.ports.officers import OfficerPort
from bot.core.ports.outbox import OutboxPort
from bot.core.ports.privacy import PrivacyPort
from bot.core.ports.records import DECISION_COLUMNS, OfficerRecord
from bot.core.ports.registrations import RegistrationPort, SearchBy
from bot.core.ports.schedules import SchedulePort
from bot.core.ports.subscriptions import SubscriptionPort

__all__ = [
    "DECISION_COLUMNS",
    "OfficerRecord",
    "Repository",
    "SearchBy",
    "Store",
    "StoreUnavailable",
]


class Repository(
    CitizenPort,
    SchedulePort,
    RegistrationPort,
    OfficerPort,
    OutboxPort,
    CredentialPort,
    InboxPort,
    SubscriptionPort,
    PrivacyPort,
    Protocol,
):
    async def ping(self) -> None:
        """A trivial query: raises when the database cannot be reached."""
        ...


class StoreUnavailable(Exception):
    """The database did not answer (down, restarting, locked by another writer too long).
    The transaction was rolled back, unless the connection broke during its commit, when it
    cannot be known: every transaction of the bot is safe to run again, and should be, in a
    moment. Errors of the work itself (a constraint it broke, a bug) are not this."""


class Store(Protocol):
    def transaction(self) -> AbstractAsyncContextManager[Repository]:
        """Open one transaction; commit when the block ends, roll back if it raises. Raises
        ``StoreUnavailable`` when the database does not answer."""
        ...
