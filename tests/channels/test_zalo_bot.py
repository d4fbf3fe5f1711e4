"""The Zalo Bot Platform channel against a fake of its API on 127.0.0.1: numbered menus,
polling, the webhook, and sending failures."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from bot import config as configuration
from bot import runtime
from bot.app import App
from bot.core.clock import FixedClock
from storage.tables import CitizenRow, InboxRow, OutboxRow, RegistrationRow
from tests.channels.running import eventually, running_app, settled
from tests.channels.zalo_steps import register
from tests.conftest import OFFICERS
from tests.fakes.zalo_bot import TOKEN, Failure, FakeZaloBot

CITIZEN = "zu-4401"
SECRET = "zalo-webhook-secret"


def zalo_config(database_url: str, fake: FakeZaloBot, **zalo_bot: Any) -> Any:
    return configuration.parse(
        {
            "database": {"url": database_url},
            "zalo_bot": {
                "enabled": True,
                "token": TOKEN,
                "api_base_url": fake.base_url,
                "poll_timeout_seconds": 1,
                "chat_gap_seconds": 0,
                **zalo_bot,
            },
            "web": {"port": 0},
            "outbox": {"dispatch_every_seconds": 0.1, "retry_first_seconds": 0.2},
            "officers": OFFICERS,
        },
        {},
    )


@pytest.fixture
async def started(
    request: pytest.FixtureRequest, database_url: str, clock: FixedClock, zalo: FakeZaloBot
) -> AsyncIterator[tuple[App, runtime.Running]]:
    options = getattr(request, "param", {})
    async with running_app(zalo_config(database_url, zalo, **options), clock) as started_app:
        zalo.quiet = functools.partial(settled, started_app[0])
        yield started_app


async def rows(app: App, table: Any, *where: Any) -> list[Any]:
    async with app.engine.connect() as connection:
        return list(await connection.execute(select(table).where(*where)))


async def test_a_citizen_registers_through_numbered_menus(
    started: tuple[App, runtime.Running], zalo: FakeZaloBot
) -> None:
    app, _running = started
    welcome = await zalo.reply_to(CITIZEN, "/start")
    assert "Tiếp Dân" in zalo.to(CITIZEN)[0].text and welcome.menu

    code = await register(zalo, CITIZEN)

    [registration] = await rows(app, RegistrationRow, RegistrationRow.code == code)
    assert registration.full_name == "Nguyễn Văn An" and registration.phone == "+84912345678"
    assert not registration.phone_verified  # typed, not shared by the platform
    [citizen] = await rows(app, CitizenRow, CitizenRow.channel == "zalo_bot")
    assert citizen.channel_user_id == CITIZEN
    # The words of an option work as well as its number, without accents.
    menu = await zalo.reply_to(CITIZEN, "/start")
    schedule = await zalo.reply_to(CITIZEN, "lich tiep cong dan")
    assert menu.menu and "Các buổi tiếp công dân" in schedule.text, schedule.text
    # A number when no menu is showing is just text, answered as such.
    assert all(len(m.text) <= 2000 for m in zalo.sent)


async def test_a_number_answers_only_the_last_menu_sent(
    started: tuple[App, runtime.Running], zalo: FakeZaloBot
) -> None:
    consent = await zalo.reply_to(CITIZEN, "/register")
    assert consent.menu
    name_question = await zalo.reply_to(CITIZEN, str(consent.option("Đồng ý")))
    assert not name_question.menu or "Họ và tên" in name_question.text
    # "2" is now a (bad) name, not the second option of the consent menu.
    answer = await zalo.reply_to(CITIZEN, "2")
    assert "Họ và tên" in answer.text or "tên" in answer.text, answer.text


WEBHOOK = {
    "mode": "webhook",
    "webhook_url": "https://tiepdan.example/zalo/hook",
    "webhook_secret": SECRET,
}


@pytest.mark.parametrize("started", [WEBHOOK], indirect=True)
async def test_the_webhook_checks_the_secret_and_stores_an_event_once(
    started: tuple[App, runtime.Running], zalo: FakeZaloBot
) -> None:
    app, running = started
    url = f"http://127.0.0.1:{running.web.port}/zalo/hook"
    event = zalo.text_event(CITIZEN, "/start")
    async with aiohttp.ClientSession() as http:
        async with http.post(url, json=event, headers={"X-Bot-Api-Secret-Token": "nope"}) as r:
            assert r.status == 401
        async with http.post(url, json=event) as r:
            assert r.status == 401
        for _ in range(2):
            async with http.post(url, json=event, headers={"X-Bot-Api-Secret-Token": SECRET}) as r:
                assert r.status == 200
        async with http.post(
            url, data=b"{not json", headers={"X-Bot-Api-Secret-Token": SECRET}
        ) as r:
            assert r.status == 400
    welcome = await zalo.wait_for(CITIZEN, "Tiếp Dân")
    assert welcome.text
    await settled(app, CITIZEN)
    assert len([m for m in zalo.to(CITIZEN) if "Tiếp Dân" in m.text]) == 1
    assert len(await rows(app, InboxRow, InboxRow.channel == "zalo_bot")) == 1
    assert zalo.webhook == {"url": "https://tiepdan.example/zalo/hook", "secret_token": SECRET}


@pytest.mark.parametrize("started", [WEBHOOK], indirect=True)
async def test_a_citizen_registers_through_the_webhook(
    started: tuple[App, runtime.Running], zalo: FakeZaloBot
) -> None:
    app, running = started
    for _ in range(100):
        if zalo.webhook is not None:
            break
        await asyncio.sleep(0.05)
    zalo.push_to(f"http://127.0.0.1:{running.web.port}/zalo/hook")

    code = await register(zalo, CITIZEN)

    assert await rows(app, RegistrationRow, RegistrationRow.code == code)
    assert not any(method == "getUpdates" for method, _body in zalo.calls)


async def test_a_server_error_is_retried_and_a_refusal_marks_the_citizen_unreachable(
    started: tuple[App, runtime.Running], zalo: FakeZaloBot, clock: FixedClock
) -> None:
    app, _running = started
    zalo.inject("sendMessage", Failure(502, 502, "Bad gateway"))
    await zalo.write(CITIZEN, "/start")
    await eventually(
        lambda: rows(app, OutboxRow, OutboxRow.last_error.contains("502")),
        "the refused attempt recorded",
    )
    # The retry waits (retry_first_seconds) on the application's clock.
    clock.set(clock.now() + timedelta(seconds=1))
    welcome = await zalo.wait_for(CITIZEN, "Tiếp Dân")
    assert welcome.text
    failed_sends = [c for c in zalo.calls if c[0] == "sendMessage"]
    assert len(failed_sends) >= 2  # the refused attempt, then the one that went through

    zalo.inject("sendMessage", Failure(403, 403, "User blocked the bot"))
    await zalo.write(CITIZEN, "/help")
    for _ in range(100):
        [citizen] = await rows(app, CitizenRow, CitizenRow.channel_user_id == CITIZEN)
        if citizen.unreachable_at is not None:
            break
        await asyncio.sleep(0.1)
    assert citizen.unreachable_at is not None
    dead = await rows(app, OutboxRow, OutboxRow.recipient == CITIZEN, OutboxRow.status == "dead")
    assert dead
