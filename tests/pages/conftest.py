"""The public pages as ``tiepdan run`` serves them: the demo province on a fresh database, the
web side on a free port, and a schedule with one session cancelled and one moved."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from multidict import CIMultiDict

from bot import web_side
from bot.app import App, build, prepare
from bot.core import sessions
from bot.core.clock import FixedClock
from bot.core.model import SessionView
from bot.demo import load_demo
from tests.conftest import config_for, fresh_schema

BOT = "TiepDanAnHoaBot"
OA_ID = "4318690667034730183"
PORTAL = "https://xa.example.gov.vn"
PUBLIC_URL = "https://tiepdan.example.gov.vn"
# The demo's province Party committee and the commune's below it.
PROVINCE = "demo-tinh-uy"
COMMUNE = "demo-dang-uy-xa"
MOVED_PLACE = "Hội trường B, trụ sở Tỉnh ủy"


@dataclass(frozen=True)
class Answer:
    status: int
    headers: CIMultiDict[str]
    body: bytes

    @property
    def html(self) -> str:
        return self.body.decode("utf-8")


@dataclass
class Site:
    app: App
    base: str
    clock: FixedClock
    # The sessions changed before the test: the cancelled one, and the moved one as it is now.
    cancelled: SessionView | None = None
    moved: SessionView | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    async def get(self, path: str, **headers: str) -> Answer:
        return await fetch("GET", self.base + path, **headers)


async def fetch(method: str, url: str, **headers: str) -> Answer:
    async with (
        aiohttp.ClientSession() as client,
        client.request(method, url, headers=headers, allow_redirects=False) as response,
    ):
        return Answer(response.status, CIMultiDict(response.headers), await response.read())


@asynccontextmanager
async def serving(
    database_url: str, clock: FixedClock, **sections: dict[str, Any]
) -> AsyncIterator[Site]:
    """The demo served with the configuration ``sections``; the web side only (no channel)."""
    web = {"port": 0, **sections.pop("web", {})}
    app = build(config_for(database_url, web=web, **sections), clock)
    await fresh_schema(app.engine)
    async with app.store.transaction() as repo:
        await load_demo(repo, clock.now())
    await prepare(app)
    server = web_side.build(app)
    await server.start()
    try:
        yield Site(app, f"http://127.0.0.1:{server.port}", clock)
    finally:
        await server.stop()
        await app.close()


async def change_schedule(site: Site) -> None:
    """Cancel the commune secretary's first session ahead and move the province secretary's."""
    now = site.clock.now()
    async with site.app.store.transaction() as repo:
        ahead = [
            s
            for s in await repo.sessions_in(now, now + timedelta(days=60))
            if s.published and s.starts_at > now
        ]
        commune = next(s for s in ahead if s.leader_name == "Lê Văn Hùng")
        province = next(s for s in ahead if s.leader_name == "Nguyễn Văn Minh")
        await sessions.cancel(repo, commune.id, "Lãnh đạo đi công tác", "test", now)
        start = province.starts_at + timedelta(days=1, hours=1)
        await sessions.move(
            repo, province.id, start, start + timedelta(hours=2), MOVED_PLACE, "test", now
        )
        site.cancelled = await repo.session(commune.id)
        site.moved = await repo.session(province.id)


@pytest.fixture
async def site(database_url: str, clock: FixedClock) -> AsyncIterator[Site]:
    """Telegram and Zalo published, a portal allowed to embed, a public address; the schedule
    changed (one cancelled, one moved)."""
    async with serving(
        database_url,
        clock,
        telegram={"username": BOT},
        zalo_oa={"oa_id": OA_ID},
        web={"embed_origins": [PORTAL], "public_url": PUBLIC_URL},
    ) as served:
        await change_schedule(served)
        yield served


@pytest.fixture
async def unconfigured(database_url: str, clock: FixedClock) -> AsyncIterator[Site]:
    """No bot address, no portal, no public address: the built-in defaults."""
    async with serving(database_url, clock) as served:
        yield served
