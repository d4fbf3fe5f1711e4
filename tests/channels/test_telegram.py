"""Telegram end to end, in process: the real aiogram client against the fake Bot API server,
through the inbox, the dialogue and the outbox, with the database of the test."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from bot import config as configuration
from bot import runtime
from bot.app import App, build
from bot.core.clock import FixedClock
from bot.demo import load_demo
from storage.tables import CitizenRow, InboxRow, OutboxRow
from tests.channels.running import settled
from tests.channels.telegram_steps import register, say, tap
from tests.conftest import OFFICERS, fresh_schema
from tests.fakes.telegram import TOKEN, Failure, FakeTelegram

CITIZEN = 7001
OFFICERS_GROUP = -100777
TELEGRAM_OFFICER = 5001
WEBHOOK_SECRET = "webhook-secret-for-tests"


def telegram_config(database_url: str, fake: FakeTelegram, **telegram: Any) -> Any:
    return configuration.parse(
        {
            "database": {"url": database_url},
            "telegram": {
                "enabled": True,
                "token": TOKEN,
                "api_base_url": fake.base_url,
                "poll_timeout_seconds": 1,
                "private_chat_gap_seconds": 0,
                "group_chat_gap_seconds": 0,
                "officers_chat_id": str(OFFICERS_GROUP),
                **telegram,
            },
            "web": {"port": 0},
            "outbox": {"dispatch_every_seconds": 0.1},
            "officers": [
                *OFFICERS,
                {
                    "channel": "telegram",
                    "user_id": str(TELEGRAM_OFFICER),
                    "name": "Chị Cán Bộ Telegram",
                    "role": "supervisor",
                    "permissions": ["confidential"],
                },
            ],
        },
        {},
    )


async def running_app(
    database_url: str, clock: FixedClock, fake: FakeTelegram, **telegram: Any
) -> tuple[App, runtime.Running]:
    app = build(telegram_config(database_url, fake, **telegram), clock)
    await fresh_schema(app.engine)
    async with app.store.transaction() as repo:
        await load_demo(repo, clock.now())
    fake.quiet = functools.partial(settled, app)
    return app, await runtime.start(app)


@pytest.fixture
async def polling(database_url: str, clock: FixedClock, fake: FakeTelegram) -> AsyncIterator[App]:
    app, running = await running_app(database_url, clock, fake)
    try:
        yield app
    finally:
        await runtime.stop(running)
        await app.close()


async def rows(app: App, table: Any, *where: Any) -> list[Any]:
    async with app.engine.connect() as connection:
        return list(await connection.execute(select(table).where(*where)))


# --- the conversation ------------------------------------------------------------------------


async def test_a_citizen_registers_with_buttons_and_the_contact_button(
    polling: App, fake: FakeTelegram
) -> None:
    welcome = await say(fake, CITIZEN, "/start")
    assert "Tiếp Dân" in welcome.text and welcome.buttons()
    code = await register(fake, CITIZEN, summary="Tôi phản ánh <b>việc</b> lấn chiếm & xây dựng")
    [stored] = await rows(polling, CitizenRow, CitizenRow.channel_user_id == str(CITIZEN))
    assert stored.chat_id == str(CITIZEN)
    # What the citizen typed comes back exactly, escaped on the way (the fake refuses bad HTML).
    review = next(m for m in fake.to(CITIZEN) if "<b>việc</b> lấn chiếm & xây dựng" in m.text)
    assert review.buttons()
    assert code in fake.last(CITIZEN).text  # type: ignore[union-attr]
    # Every button press was answered, so no spinner is left turning.
    presses = [m for m, _p, _t in fake.calls if m == "answerCallbackQuery"]
    assert (
        len(presses) == len(fake.answered_callbacks) == 6
    )  # consent, kind, leader, session, interpreter, submit
    # The phone keyboard went away with the next plain message.
    removals = [
        m for m in fake.sent if m.chat_id == CITIZEN and (m.markup or {}).get("remove_keyboard")
    ]
    assert removals


async def test_a_button_of_an_old_message_gets_a_sensible_reply(
    polling: App, fake: FakeTelegram
) -> None:
    await say(fake, CITIZEN, "/start")
    first_menu = fake.last(CITIZEN)
    assert first_menu is not None
    await say(fake, CITIZEN, "/register")
    await tap(fake, CITIZEN, "reg:consent:yes")
    # A long-gone button: a consent already given, pressed again from the old message.
    stale = fake.button_update(CITIZEN, first_menu, "reg:consent:yes")
    answer = await fake.reply_to(CITIZEN, fake.deliver(stale))
    assert (answer.text and answer.buttons()) or "?" in answer.text
    made_up = fake.button_update(CITIZEN, first_menu, "zz:nothing")
    answer = await fake.reply_to(CITIZEN, fake.deliver(made_up))
    assert answer.text
    assert stale["callback_query"]["id"] in fake.answered_callbacks


async def test_messages_in_groups_and_edits_are_not_acted_on(
    polling: App, fake: FakeTelegram
) -> None:
    await fake.deliver(fake.group_update(CITIZEN, OFFICERS_GROUP, "/start"))
    await fake.deliver(
        {"update_id": 99, "edited_message": fake.text_update(CITIZEN, "x")["message"]}
    )
    await say(fake, CITIZEN, "/start")  # a later update, so the two before were processed
    assert fake.to(OFFICERS_GROUP) == []
    processed = await rows(polling, InboxRow)
    assert len(processed) == 3 and all(r.processed_at is not None for r in processed)


async def test_a_file_is_refused_and_not_kept(polling: App, fake: FakeTelegram) -> None:
    update = fake.text_update(CITIZEN, "")
    del update["message"]["text"]
    update["message"]["photo"] = [
        {"file_id": "p", "file_unique_id": "p", "width": 10, "height": 10}
    ]
    answer = await fake.reply_to(CITIZEN, fake.deliver(update))
    assert "ảnh" in answer.text or "tệp" in answer.text
    [row] = await rows(polling, InboxRow)
    assert row.payload == {}


# --- never lose, never double ----------------------------------------------------------------


async def test_a_redelivered_update_is_processed_once(polling: App, fake: FakeTelegram) -> None:
    update = fake.text_update(CITIZEN, "/start")
    await fake.deliver(update)
    await fake.deliver(update)  # Telegram sends it again
    await fake.wait_for(CITIZEN, lambda m: "Tiếp Dân" in m.text)
    await say(fake, CITIZEN, "/rules")
    welcomes = [m for m in fake.to(CITIZEN) if "Tiếp Dân" in m.text and m.buttons()]
    assert len(welcomes) == 1
    assert len(await rows(polling, InboxRow)) == 2


async def test_a_429_is_waited_out_exactly_then_the_reply_goes(
    polling: App, fake: FakeTelegram, clock: FixedClock
) -> None:
    fake.inject("sendMessage", Failure(429, "Too Many Requests: retry after 2", retry_after=2))
    await fake.write(CITIZEN, "/start")
    refused_at = await _failed_call(fake, "sendMessage")
    # Recorded as waiting before the clock moves, or the wait would start from the new time.
    await _eventually(lambda: rows(polling, OutboxRow, OutboxRow.status == "pending"))
    clock.set(clock.now() + timedelta(seconds=2))  # the outbox's own clock moves on too
    await fake.wait_for(CITIZEN, lambda m: "Tiếp Dân" in m.text)
    sent_at = [t for m, _p, t in fake.calls if m == "sendMessage"][1]
    assert sent_at - refused_at >= 2.0


async def test_a_server_error_is_retried_and_the_reply_still_arrives(
    polling: App, fake: FakeTelegram, clock: FixedClock
) -> None:
    fake.inject("sendMessage", Failure(502, "Bad Gateway"))
    await fake.write(CITIZEN, "/start")
    await _failed_call(fake, "sendMessage")
    pending = await _eventually(lambda: rows(polling, OutboxRow, OutboxRow.status == "pending"))
    assert pending.attempts == 1 and "Bad Gateway" in pending.last_error
    clock.set(clock.now() + timedelta(seconds=11))
    await fake.wait_for(CITIZEN, lambda m: "Tiếp Dân" in m.text)
    sent = await _eventually(
        lambda: rows(polling, OutboxRow, OutboxRow.id == pending.id, OutboxRow.status == "sent")
    )
    assert sent.attempts == 2 and sent.provider_message_id


async def test_a_citizen_who_blocked_the_bot_is_marked_unreachable(
    polling: App, fake: FakeTelegram
) -> None:
    fake.inject("sendMessage", Failure(403, "Forbidden: bot was blocked by the user"))
    await fake.write(CITIZEN, "/start")
    await _failed_call(fake, "sendMessage")
    dead = await _eventually(lambda: rows(polling, OutboxRow, OutboxRow.status == "dead"))
    assert "blocked" in dead.last_error
    [citizen] = await rows(polling, CitizenRow, CitizenRow.channel_user_id == str(CITIZEN))
    assert citizen.unreachable_at is not None
    # Writing again means the chat works again.
    await say(fake, CITIZEN, "/start")
    [citizen] = await rows(polling, CitizenRow, CitizenRow.channel_user_id == str(CITIZEN))
    assert citizen.unreachable_at is None


async def _eventually(query: Callable[[], Awaitable[list[Any]]]) -> Any:
    """The one row the query finds, once it finds one (the dispatcher records asynchronously)."""
    for _ in range(500):
        found = await query()
        if found:
            [one] = found
            return one
        await asyncio.sleep(0.02)
    raise AssertionError("nothing found")


async def _failed_call(fake: FakeTelegram, method: str) -> float:
    for _ in range(500):
        calls = [t for m, _p, t in fake.calls if m == method]
        if calls:
            return calls[0]
        await asyncio.sleep(0.02)
    raise AssertionError(f"no {method} call")


# --- officers ---------------------------------------------------------------------------------


async def test_the_officers_group_hears_of_each_registration_but_not_of_a_denouncer(
    polling: App, fake: FakeTelegram
) -> None:
    code = await register(fake, CITIZEN)
    announced = await fake.wait_for(OFFICERS_GROUP, lambda m: code in m.text)
    assert "Tôi khiếu nại quyết định thu hồi đất" in announced.text
    assert "/view " + code in announced.text
    secret = await register(
        fake, CITIZEN + 1, kind="denunciation", summary="Tố cáo ông X nhận hối lộ"
    )
    confidential = await fake.wait_for(OFFICERS_GROUP, lambda m: "🔒" in m.text)
    for leaked in (secret, "hối lộ", "Nguyễn Văn An", "0912"):
        assert leaked not in confidential.text
    assert len(fake.to(OFFICERS_GROUP)) == 2


async def test_command_menus_for_citizens_in_each_language_and_for_officers(
    polling: App, fake: FakeTelegram
) -> None:
    await say(fake, CITIZEN, "/start")
    private = '{"type": "all_private_chats"}'
    for _ in range(100):
        if len(fake.commands) >= 4:
            break
        await asyncio.sleep(0.02)
    default, vi, en = (fake.commands[(private, lang)] for lang in ("", "vi", "en"))
    assert default == vi
    assert [c["command"] for c in vi][:3] == ["start", "schedule", "register"]
    assert vi[0]["description"] != en[0]["description"]
    officer = fake.commands[(f'{{"chat_id": {TELEGRAM_OFFICER}, "type": "chat"}}', "")]
    names = [c["command"] for c in officer]
    assert "queue" in names and "approve" in names and "session" not in names  # a supervisor
    # An officer's command works from their own chat.
    answer = await say(fake, TELEGRAM_OFFICER, "/queue")
    assert answer.text.startswith("Danh sách chờ xử lý: 0 phiếu"), answer.text


# --- webhook mode -------------------------------------------------------------------------------


@pytest.fixture
async def webhook(
    database_url: str, clock: FixedClock, fake: FakeTelegram
) -> AsyncIterator[tuple[App, runtime.Running]]:
    app, running = await running_app(
        database_url,
        clock,
        fake,
        mode="webhook",
        webhook_url="http://127.0.0.1:1/telegram/hook",
        webhook_secret=WEBHOOK_SECRET,
    )
    try:
        yield app, running
    finally:
        await runtime.stop(running)
        await app.close()


async def test_webhook_mode_checks_the_secret_and_processes_each_update_once(
    webhook: tuple[App, runtime.Running], fake: FakeTelegram
) -> None:
    app, running = webhook
    for _ in range(100):
        if fake.webhook is not None:
            break
        await asyncio.sleep(0.02)
    assert fake.webhook == {
        "url": "http://127.0.0.1:1/telegram/hook",
        "secret_token": WEBHOOK_SECRET,
        "allowed_updates": ["message", "callback_query"],
    }
    url = f"http://127.0.0.1:{running.web.port}/telegram/hook"
    update = fake.text_update(CITIZEN, "/start")
    async with aiohttp.ClientSession() as http:
        for secret in ("", "wrong-secret-of-the-same-size"):
            async with http.post(
                url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": secret}
            ) as response:
                assert response.status == 401
        assert await rows(app, InboxRow) == []
        for _ in range(2):
            async with http.post(
                url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
            ) as response:
                assert response.status == 200
        async with http.post(
            url, data=b"{not json", headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
        ) as response:
            assert response.status == 400
        await fake.wait_for(CITIZEN, lambda m: "Tiếp Dân" in m.text)
        async with http.get(f"http://127.0.0.1:{running.web.port}/healthz") as response:
            assert response.status == 200
            assert (await response.json())["database"] == "up"
    await settled(app, str(CITIZEN))
    assert len([m for m in fake.to(CITIZEN) if "Tiếp Dân" in m.text and m.buttons()]) == 1
    assert len(await rows(app, InboxRow)) == 1
    assert not any(method == "getUpdates" for method, _p, _t in fake.calls)
