"""The Zalo OA access token, renewed before it expires.

Each refresh spends the refresh token and returns a new one, so the pair in force lives in the
database and is replaced atomically (compare and swap on the old refresh token): a crash, a
restart or a second instance never loses it. A failed refresh tells the administrators, and
messages wait in the outbox until a refresh works again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from bot.core.clock import Clock
from bot.core.model import Channel, Credentials
from bot.core.ports import Store
from handlers.zalo.oa_api import NETWORK_ERRORS, ZaloOaClient, ZaloOaError

log = logging.getLogger(__name__)

_CHANNEL = Channel.ZALO_OA.value


class TokenUnavailable(Exception):
    """No working access token now; try again later."""


class OaTokens:
    def __init__(
        self,
        client: ZaloOaClient,
        store: Store,
        clock: Clock,
        *,
        app_id: str,
        app_secret: str,
        first_refresh_token: str,
        renew_before: timedelta,
        on_failure: Callable[[str], Awaitable[object]],
    ) -> None:
        self._client = client
        self._store = store
        self._clock = clock
        self._app_id = app_id
        self._app_secret = app_secret
        self._first_refresh_token = first_refresh_token
        self._renew_before = renew_before
        self._on_failure = on_failure
        self._lock = asyncio.Lock()

    async def access_token(self) -> str:
        """A token good for at least ``renew_before``, refreshed first if need be."""
        credentials = await self._load()
        if self._fresh(credentials):
            return credentials.access_token
        async with self._lock:
            # Another caller may have refreshed while this one waited.
            credentials = await self._load()
            if self._fresh(credentials):
                return credentials.access_token
            return await self._refresh(credentials)

    async def invalidate(self, token: str) -> None:
        """The API refused ``token``: the next call refreshes."""
        async with self._lock:
            credentials = await self._load()
            if credentials.access_token != token:
                return
            expired = Credentials("", None, credentials.refresh_token)
            async with self._store.transaction() as repo:
                await repo.save_credentials(
                    _CHANNEL, expired, credentials.refresh_token, self._clock.now()
                )

    def _fresh(self, credentials: Credentials) -> bool:
        expires = credentials.access_expires_at
        return bool(credentials.access_token) and (
            expires is not None and self._clock.now() + self._renew_before < expires
        )

    async def _load(self) -> Credentials:
        async with self._store.transaction() as repo:
            stored = await repo.credentials(_CHANNEL)
            if stored is not None:
                return stored
            if not self._first_refresh_token:
                raise TokenUnavailable("no refresh token: set [zalo_oa] refresh_token")
            seed = Credentials("", None, self._first_refresh_token)
            await repo.save_credentials(_CHANNEL, seed, None, self._clock.now())
            stored = await repo.credentials(_CHANNEL)
        assert stored is not None  # just written, or written by a concurrent first start
        return stored

    async def _refresh(self, credentials: Credentials) -> str:
        try:
            pair = await self._client.refresh(
                self._app_id, self._app_secret, credentials.refresh_token
            )
        except (ZaloOaError, *NETWORK_ERRORS) as trouble:
            log.error("Zalo OA token refresh failed: %s", trouble)
            await self._on_failure(str(trouble))
            raise TokenUnavailable(str(trouble)) from trouble
        now = self._clock.now()
        renewed = Credentials(
            pair.access_token, now + timedelta(seconds=pair.expires_in), pair.refresh_token
        )
        async with self._store.transaction() as repo:
            won = await repo.save_credentials(_CHANNEL, renewed, credentials.refresh_token, now)
        if not won:
            # Another instance refreshed with the same refresh token first: theirs stands.
            return (await self._load()).access_token
        log.info("Zalo OA access token renewed until %s", renewed.access_expires_at)
        return renewed.access_token
