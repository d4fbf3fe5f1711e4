"""The Zalo OA access token, renewed before it expires.

Each refresh spends the refresh token and returns a new one, so the pair in force lives in the
database and is replaced atomically (compare and swap on the old refresh token): a crash, a
restart or a second instance never loses it. A failed refresh tells the administrators, and
messages wait in the outbox until a refresh works again.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta

from bot.core.clock import Clock
from bot.core.model import Channel, Credentials
from bot.core.ports import Store
from handlers.zalo.oa_api import NETWORK_ERRORS, ZaloOaClient, ZaloOaError

log = logging.getLogger(__name__)

_CHANNEL = Channel.ZALO_OA.value
# An access token lasts about 25 h; older accounts of the API say 1 h (docs/zalo.md).
UNSTATED_LIFETIME = timedelta(hours=1)


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
            expired = replace(credentials, access_token="", access_expires_at=None)
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
        """The pair in force; the configured refresh token's when there is none yet, or when
        an administrator configured a new one (the OA authorised again after a loss)."""
        configured = self._first_refresh_token
        digest = _digest(configured) if configured else ""
        async with self._store.transaction() as repo:
            stored = await repo.credentials(_CHANNEL)
            if stored is not None and (not digest or stored.seeded_from == digest):
                return stored
            if not configured:
                raise TokenUnavailable("no refresh token: set [zalo_oa] refresh_token")
            seed = Credentials("", None, configured, digest)
            replacing = stored.refresh_token if stored is not None else None
            await repo.save_credentials(_CHANNEL, seed, replacing, self._clock.now())
            if stored is not None:
                log.warning("Zalo OA: a new refresh token was configured; it replaces the pair")
            stored = await repo.credentials(_CHANNEL)
        assert stored is not None  # just written, or written by a concurrent start
        return stored

    async def _refresh(self, credentials: Credentials) -> str:
        try:
            pair = await self._client.refresh(
                self._app_id, self._app_secret, credentials.refresh_token
            )
        except (ZaloOaError, *NETWORK_ERRORS) as trouble:
            # Another instance may have spent the same refresh token first: theirs stands.
            current = await self._load()
            if current.refresh_token != credentials.refresh_token and self._fresh(current):
                return current.access_token
            log.error("Zalo OA token refresh failed: %s", trouble)
            await self._on_failure(str(trouble))
            raise TokenUnavailable(str(trouble)) from trouble
        now = self._clock.now()
        if pair.expires_in > 0:
            lifetime = timedelta(seconds=pair.expires_in)
        else:
            # The old refresh token is spent already: dropping this pair would lock the OA out
            # until someone authorises it again. Kept, and assumed as short-lived as ever seen.
            log.warning("Zalo OA token answer without expires_in: assuming %s", UNSTATED_LIFETIME)
            lifetime = UNSTATED_LIFETIME
        if lifetime <= 2 * self._renew_before:
            # A token shorter-lived than the margin would be renewed at every call: renew it
            # half-way through its life instead.
            self._renew_before = lifetime / 2
        renewed = replace(
            credentials,
            access_token=pair.access_token,
            access_expires_at=now + lifetime,
            refresh_token=pair.refresh_token,
        )
        try:
            async with self._store.transaction() as repo:
                won = await repo.save_credentials(
                    _CHANNEL, renewed, credentials.refresh_token, now
                )
        except Exception as trouble:
            # The new refresh token exists only here now: say so loudly.
            await self._on_failure(f"the new tokens could not be stored: {trouble}")
            raise TokenUnavailable(str(trouble)) from trouble
        if not won:
            return (await self._load()).access_token
        log.info("Zalo OA access token renewed until %s", renewed.access_expires_at)
        return renewed.access_token


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
