"""The core's Repository port over SQLAlchemy, one part per aggregate (storage/citizens.py,
schedules.py, registrations.py, officers.py, outbox.py, credentials.py, inbox.py,
subscriptions.py); rows never leave those modules, only core values."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from storage.citizens import CitizenRepository
from storage.credentials import CredentialRepository
from storage.db import unavailability_reported
from storage.inbox import InboxRepository
from storage.officers import OfficerRepository
from storage.outbox import OutboxRepository
from storage.privacy import PrivacyRepository
from storage.registrations import RegistrationRepository
from storage.schedules import ScheduleRepository
from storage.subscriptions import SubscriptionRepository


class SqlStore:
    """Opens one session and one transaction per unit of work."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqlRepository]:
        with unavailability_reported():
            async with self._sessions() as session, session.begin():
                yield SqlRepository(session)


class SqlRepository(
    CitizenRepository,
    ScheduleRepository,
    RegistrationRepository,
    OfficerRepository,
    OutboxRepository,
    CredentialRepository,
    InboxRepository,
    SubscriptionRepository,
    PrivacyRepository,
):
    """One transaction's view of the database: every aggregate's part, on one session."""

    async def ping(self) -> None:
        await self._s.execute(select(1))
