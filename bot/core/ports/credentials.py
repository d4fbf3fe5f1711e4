"""A channel's rotating tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.core.model import (
    Credentials,
)


class CredentialPort(Protocol):
    async def credentials(self, channel: str) -> Credentials | None: ...

    async def save_credentials(
        self, channel: str, credentials: Credentials, replacing: str | None, now: datetime
    ) -> bool:
        """Store new tokens if the refresh token in force is still ``replacing`` (None: there
        are none yet); False when another instance refreshed first."""
        ...
