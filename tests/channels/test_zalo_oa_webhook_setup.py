"""Setting up a Zalo OA in the developer console: the domain's verification file is served;
the console's unsigned check of the webhook URL gets 200 and stores nothing; a forged signed
event is still refused; without the OA secret key (registration mode) every event is
acknowledged and dropped, never processed unsigned."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator

import aiohttp
import pytest
from sqlalchemy import func, select

from bot import config as configuration
from bot import runtime, web_side
from bot.app import App, build
from bot.core.clock import FixedClock
from storage.tables import InboxRow
from tests.channels.running import running_app
from tests.conftest import OFFICERS
from tests.fakes.zalo_oa import APP_ID, APP_SECRET, FIRST_REFRESH_TOKEN, OA_SECRET_KEY, FakeZaloOa

USER = "oa-user-7701"
PATH = "/zalo-oa/events"


def oa_config(database_url: str, oa: FakeZaloOa, secret_key: str) -> configuration.Config:
    return configuration.parse(
        {
            "database": {"url": database_url},
            "zalo_oa": {
                "enabled": True,
                "app_id": APP_ID,
                "secret_key": secret_key,
                "app_secret": APP_SECRET,
                "refresh_token": FIRST_REFRESH_TOKEN,
                "oauth_base_url": oa.base_url,
                "api_base_url": oa.base_url,
                "zns_base_url": oa.base_url,
            },
            "web": {"port": 0},
            "officers": OFFICERS,
        },
        {},
    )


@pytest.fixture
async def configured(
    database_url: str, clock: FixedClock, oa: FakeZaloOa
) -> AsyncIterator[tuple[App, runtime.Running]]:
    oa.now = clock.now
    async with running_app(oa_config(database_url, oa, OA_SECRET_KEY), clock) as started:
        yield started


@pytest.fixture
async def registering(
    database_url: str, clock: FixedClock, oa: FakeZaloOa
) -> AsyncIterator[tuple[App, runtime.Running]]:
    oa.now = clock.now
    async with running_app(oa_config(database_url, oa, ""), clock) as started:
        yield started


async def call(
    running: runtime.Running, method: str, body: bytes = b"", headers: dict[str, str] | None = None
) -> int:
    url = f"http://127.0.0.1:{running.web.port}{PATH}"
    async with (
        aiohttp.ClientSession() as http,
        http.request(method, url, data=body, headers=headers or {}) as answer,
    ):
        return answer.status


async def stored(app: App) -> int:
    async with app.engine.connect() as connection:
        return int(await connection.scalar(select(func.count()).select_from(InboxRow)) or 0)


async def test_the_consoles_url_check_gets_200_and_stores_nothing(
    configured: tuple[App, runtime.Running], oa: FakeZaloOa, caplog: pytest.LogCaptureFixture
) -> None:
    app, running = configured
    with caplog.at_level(logging.INFO, logger="handlers.zalo.oa_events"):
        assert await call(running, "POST", b"{}", {"Content-Type": "application/json"}) == 200
        assert await call(running, "POST", b"", {"Content-Type": "text/plain"}) == 200
        assert await call(running, "GET") == 200
    assert "the webhook URL was checked" in caplog.text
    # An unsigned event, and an event signed with another key: refused as before.
    event = oa.event(USER, "/start")
    assert (
        await call(
            running, "POST", json.dumps(event).encode(), {"Content-Type": "application/json"}
        )
        == 403
    )
    forged_body, forged = FakeZaloOa.signed(event, secret="not-the-oa-secret")
    assert await call(running, "POST", forged_body, forged) == 403
    assert await stored(app) == 0
    assert oa.to(USER) == []


async def test_registration_mode_acknowledges_and_drops_every_event(
    registering: tuple[App, runtime.Running], oa: FakeZaloOa, caplog: pytest.LogCaptureFixture
) -> None:
    app, running = registering
    assert await call(running, "POST", b"{}", {"Content-Type": "application/json"}) == 200
    with caplog.at_level(logging.WARNING, logger="handlers.zalo.oa_events"):
        body, signed = FakeZaloOa.signed(oa.event(USER, "/start"))
        assert await call(running, "POST", body, signed) == 200
        unsigned = json.dumps(oa.event(USER, "/register")).encode()
        assert await call(running, "POST", unsigned, {"Content-Type": "application/json"}) == 200
    assert caplog.text.count("arrived in registration mode and was dropped") == 2
    assert await stored(app) == 0
    assert oa.to(USER) == []


VERIFIER = "zalo_verifierQk1XzS3aRm0W4Hb.html"
VERIFIER_CONTENT = (
    '<html><head><meta property="zalo-platform-site-verification" '
    'content="Qk1XzS3aRm0W4Hb" /></head><body>There Is No Limit To What You Can Accomplish '
    "Using Zalo!</body></html>"
)


async def test_the_domain_verification_file_is_served_byte_for_byte(
    database_url: str, clock: FixedClock
) -> None:
    """Served at the web root by [web] before the OA is even enabled: the domain is verified
    first, then the webhook URL is saved."""
    config = configuration.parse(
        {
            "database": {"url": database_url},
            "zalo_oa": {
                "domain_verification_file": VERIFIER,
                "domain_verification_content": VERIFIER_CONTENT,
            },
            "web": {"port": 0},
        },
        {},
    )
    server = web_side.build(build(config, clock))
    await server.start()
    try:
        base = f"http://127.0.0.1:{server.port}"
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{base}/{VERIFIER}") as answer:
                assert answer.status == 200
                assert answer.content_type == "text/html"
                assert await answer.read() == VERIFIER_CONTENT.encode("utf-8")
            async with http.get(f"{base}/zalo_verifierSOMETHINGELSE.html") as other:
                assert other.status == 404
    finally:
        await server.stop()


@pytest.mark.parametrize(
    "section",
    [
        {"domain_verification_file": VERIFIER},
        {"domain_verification_content": VERIFIER_CONTENT},
        {"domain_verification_file": "../etc/passwd.html", "domain_verification_content": "x"},
        {"domain_verification_file": "verifier.txt", "domain_verification_content": "x"},
    ],
)
def test_a_verification_file_needs_a_plain_html_name_and_its_content(
    section: dict[str, str],
) -> None:
    with pytest.raises(configuration.ConfigError):
        configuration.parse({"zalo_oa": section}, {})
