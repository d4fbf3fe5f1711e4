"""Telegram's edges, against the fake Bot API on 127.0.0.1: the polling loop's answer to each
kind of failure, the command menus (only changes sent, a failure tried again), a button press
Telegram no longer knows, the webhook set again after a refusal, requests that time out, and
updates the bot does not act on. At the end, the console channel's interactive mode."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from typing import Any

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramNetworkError

import handlers.telegram.channel
from bot.core.model import Channel, Choice, Incoming, OutgoingFile, Reply
from bot.core.ports import StoreUnavailable
from handlers.console import ConsoleChannel, render
from handlers.telegram.channel import TelegramChannel, create_bot
from handlers.telegram.commands import CommandMenus, Menus
from handlers.telegram.polling import BACKOFF_FIRST, Poller
from handlers.telegram.session import JsonSession
from handlers.telegram.updates import ALLOWED_UPDATES, callback_query_id, to_incoming
from tests.channels.running import eventually
from tests.fakes.telegram import Failure, FakeTelegram

CITIZEN = 7001
POLLING = "handlers.telegram.polling"


async def until(condition: Callable[[], object], what: str) -> None:
    async def holds() -> bool:
        return bool(condition())

    await eventually(holds, what)


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    bot = create_bot(fake.token, fake.base_url)
    yield bot
    await bot.session.close()


# --- polling -------------------------------------------------------------------------------------


class Sink:
    """The inbox as the poller sees it; each of ``refusals`` is raised once, in order."""

    def __init__(self, *refusals: Exception) -> None:
        self.stored: list[tuple[str, Mapping[str, Any]]] = []
        self._refusals = list(refusals)

    async def accept(self, updates: Sequence[tuple[str, Mapping[str, Any]]]) -> int:
        if self._refusals:
            raise self._refusals.pop(0)
        self.stored.extend(updates)
        return len(updates)

    async def room(self) -> None:
        return None


class Sleeps:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        await asyncio.sleep(0)


@contextlib.asynccontextmanager
async def polling(bot: Bot, sink: Sink, sleeps: Sleeps) -> AsyncIterator[None]:
    task = asyncio.create_task(Poller(bot, sink, 1, sleep=sleeps).run())
    try:
        yield
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


def logged_by(caplog: pytest.LogCaptureFixture, logger: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == logger]


def offsets(fake: FakeTelegram) -> list[str | None]:
    return [params.get("offset") for method, params, _at in fake.calls if method == "getUpdates"]


async def test_each_polling_failure_is_logged_and_waited_out_as_it_asks(
    bot: Bot, fake: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    fake.inject(
        "getUpdates",
        Failure(429, "Too Many Requests: retry after 3", retry_after=3),
        Failure(409, "Conflict: terminated by other getUpdates request"),
        Failure(401, "Unauthorized"),
        Failure(502, "Bad Gateway"),
    )
    update = await fake.deliver(fake.text_update(CITIZEN, "/start"))
    sink, sleeps = Sink(), Sleeps()

    with caplog.at_level(logging.WARNING, logger=POLLING):
        async with polling(bot, sink, sleeps):
            await until(lambda: sink.stored, "the update stored")

    assert sink.stored == [(str(update["update_id"]), update)]
    # Exactly what Telegram asked for after the 429, without counting it as a failure; then
    # 1, 2, 4 s for the others.
    assert sleeps.waits == [3.0, BACKOFF_FIRST, 2 * BACKOFF_FIRST, 4 * BACKOFF_FIRST]
    logged = [(r.levelname, r.getMessage()) for r in logged_by(caplog, POLLING)]
    assert logged == [
        ("WARNING", "Telegram asks to wait 3 s before polling again"),
        (
            "ERROR",
            "another process polls with this bot token, or a webhook is set: "
            "Conflict: terminated by other getUpdates request",
        ),
        ("ERROR", "Telegram refuses the bot token: Unauthorized"),
        ("WARNING", "polling Telegram failed: Telegram server says - Bad Gateway"),
    ]


async def test_updates_the_inbox_cannot_store_are_not_acknowledged_and_come_again(
    bot: Bot, fake: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    first = await fake.deliver(fake.text_update(CITIZEN, "/start"))
    sink = Sink(StoreUnavailable("connection refused"), RuntimeError("disk I/O error"))
    sleeps = Sleeps()

    with caplog.at_level(logging.WARNING, logger=POLLING):
        async with polling(bot, sink, sleeps):
            await until(lambda: sink.stored, "the update stored")
            second = await fake.deliver(fake.text_update(CITIZEN, "1"))
            await until(lambda: len(sink.stored) == 2, "the next update stored")

    assert [name for name, _u in sink.stored] == [
        str(first["update_id"]),
        str(second["update_id"]),
    ]
    # Offered three times under no offset (nothing acknowledged), then acknowledged by the
    # offset past it.
    assert offsets(fake)[:4] == [None, None, None, str(first["update_id"] + 1)]
    assert sleeps.waits == [1.0, 2.0]
    logged = [
        (r.levelname, r.getMessage(), r.exc_info is not None) for r in logged_by(caplog, POLLING)
    ]
    assert logged == [
        (
            "WARNING",
            "could not store Telegram updates: the database does not answer (connection refused)",
            False,
        ),
        ("ERROR", "could not store Telegram updates", True),
    ]


async def test_an_unreachable_api_is_a_logged_failure_with_a_wait(
    bot: Bot, fake: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    await fake.stop()
    sleeps = Sleeps()
    with caplog.at_level(logging.WARNING, logger=POLLING):
        async with polling(bot, Sink(), sleeps):
            await until(lambda: len(sleeps.waits) >= 3, "three waits")
    assert sleeps.waits[:3] == [1.0, 2.0, 4.0]
    logged = logged_by(caplog, POLLING)
    assert len(logged) >= 3
    assert all("polling Telegram failed" in r.getMessage() for r in logged)


# --- command menus -------------------------------------------------------------------------------

CITIZEN_VI = [("start", "Bắt đầu"), ("help", "Trợ giúp")]
CITIZEN_EN = [("start", "Start"), ("help", "Help")]
OFFICER = [*CITIZEN_VI, ("queue", "Hàng đợi " + "x" * 300)]
ALL_PRIVATE = json.dumps({"type": "all_private_chats"}, sort_keys=True)


def chat_scope(chat_id: int) -> str:
    return json.dumps({"type": "chat", "chat_id": chat_id}, sort_keys=True)


def menu_calls(fake: FakeTelegram) -> list[str]:
    return [m for m, _p, _t in fake.calls if m in {"setMyCommands", "deleteMyCommands"}]


async def test_menus_are_set_per_language_and_officer_and_only_changes_are_sent_again(
    bot: Bot, fake: FakeTelegram
) -> None:
    menus = CommandMenus(bot)
    fake.commands[(chat_scope(5002), "")] = [{"command": "queue", "description": "old"}]
    wanted = Menus(citizen={"vi": CITIZEN_VI, "en": CITIZEN_EN}, officers={"5001": OFFICER})

    await menus.apply(Menus(wanted.citizen, wanted.officers, former=["5002", "5001"]))

    as_sent = [{"command": c, "description": d} for c, d in CITIZEN_VI]
    assert fake.commands[(ALL_PRIVATE, "")] == as_sent  # the first language is the default
    assert fake.commands[(ALL_PRIVATE, "vi")] == as_sent
    assert fake.commands[(ALL_PRIVATE, "en")][0] == {"command": "start", "description": "Start"}
    officer = fake.commands[(chat_scope(5001), "")]
    # A description past Telegram's 256 characters is cut with an ellipsis.
    assert len(officer[2]["description"]) == 256 and officer[2]["description"].endswith("…")
    # 5002 is an officer no longer: its menu went; 5001 still is, so its menu stays.
    assert (chat_scope(5002), "") not in fake.commands
    assert menu_calls(fake) == ["setMyCommands"] * 4 + ["deleteMyCommands"]

    # The periodic sync: nothing changed, nothing sent; one change, one call.
    await menus.apply(Menus(wanted.citizen, wanted.officers, former=["5002"]))
    assert len(menu_calls(fake)) == 5
    await menus.apply(Menus(wanted.citizen, {"5001": CITIZEN_VI}, former=["5002"]))
    assert menu_calls(fake)[5:] == ["setMyCommands"]
    assert fake.commands[(chat_scope(5001), "")] == as_sent


async def test_a_menu_telegram_refuses_is_logged_and_sent_at_the_next_sync(
    bot: Bot, fake: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    menus = CommandMenus(bot)
    wanted = Menus(citizen={"vi": CITIZEN_VI}, officers={})
    fake.inject("setMyCommands", Failure(500, "Internal Server Error"))

    with caplog.at_level(logging.WARNING, logger="handlers.telegram.commands"):
        await menus.apply(wanted)  # does not raise: the bot runs on without menus
    assert [r.getMessage() for r in logged_by(caplog, "handlers.telegram.commands")] == [
        "could not set the Telegram command menus: Telegram server says - Internal Server Error"
    ]
    assert fake.commands == {}

    await menus.apply(wanted)
    assert set(fake.commands) == {(ALL_PRIVATE, ""), (ALL_PRIVATE, "vi")}


# --- the channel ---------------------------------------------------------------------------------


def channel_for(bot: Bot, mode: str = "polling") -> TelegramChannel:
    return TelegramChannel(
        bot,
        Sink(),
        mode=mode,
        poll_timeout=1,
        webhook_url="https://tiepdan.example/telegram",
        webhook_path="/telegram",
        webhook_secret="telegram-webhook-secret",
    )


def press_update() -> dict[str, Any]:
    return {
        "update_id": 1,
        "callback_query": {
            "id": "cb-old",
            "from": {"id": CITIZEN, "is_bot": False, "first_name": "An"},
            "chat_instance": "ci",
            "data": "reg:consent:yes",
        },
    }


async def test_a_press_telegram_no_longer_knows_is_let_go_quietly(
    bot: Bot, fake: FakeTelegram
) -> None:
    fake.inject(
        "answerCallbackQuery", Failure(400, "Bad Request: query is too old and response timeout")
    )
    channel = channel_for(bot)
    await channel.answer_button(press_update())  # does not raise
    assert [p for m, p, _t in fake.calls if m == "answerCallbackQuery"] == [
        {"callback_query_id": "cb-old"}
    ]
    assert fake.answered_callbacks == []
    # Nothing to answer when the update is not a press.
    await channel.answer_button(fake.text_update(CITIZEN, "hi"))
    assert len(fake.calls) == 1
    await fake.stop()
    await channel.answer_button(press_update())  # the network, too, is let go


async def test_the_webhook_is_set_again_after_a_refusal(
    bot: Bot,
    fake: FakeTelegram,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(handlers.telegram.channel, "WEBHOOK_RETRY_SECONDS", 0.01)
    fake.inject("setWebhook", Failure(502, "Bad Gateway"))
    channel = channel_for(bot, "webhook")
    with caplog.at_level(logging.INFO, logger="handlers.telegram.channel"):
        channel.start()
        try:
            await until(lambda: fake.webhook, "the webhook set")
        finally:
            await channel.stop_receiving()
    assert fake.webhook == {
        "url": "https://tiepdan.example/telegram",
        "secret_token": "telegram-webhook-secret",
        "allowed_updates": ALLOWED_UPDATES,
    }
    assert [m for m, _p, _t in fake.calls] == ["setWebhook", "setWebhook"]
    assert [r.getMessage() for r in logged_by(caplog, "handlers.telegram.channel")] == [
        "could not set the Telegram webhook: Telegram server says - Bad Gateway; trying again",
        "Telegram webhook set to https://tiepdan.example/telegram",
    ]


# --- the session ---------------------------------------------------------------------------------


async def test_a_request_telegram_never_answers_times_out_as_a_network_error(
    bot: Bot, fake: FakeTelegram
) -> None:
    fake.inject("sendMessage", Failure(500, "never answered", hang=True))
    with pytest.raises(TelegramNetworkError, match="Request timeout error"):
        await bot.send_message(CITIZEN, "Xin chào", request_timeout=1)
    assert fake.to(CITIZEN) == []


async def test_a_session_over_https_closes_its_connections() -> None:
    session = create_bot("123456:TEST-token", "https://api.telegram.org").session
    assert isinstance(session, JsonSession)
    http = await session.create_session()  # no request made: nothing leaves the machine
    await session.close()
    assert http.closed


# --- updates the bot does not act on -------------------------------------------------------------


def message_update(content: dict[str, Any], chat_type: str = "private") -> dict[str, Any]:
    return {
        "update_id": 10,
        "message": {
            "message_id": 3,
            "date": 1764468000,
            "chat": {"id": CITIZEN, "type": chat_type, "first_name": "An"},
            "from": {"id": CITIZEN, "is_bot": False, "first_name": "An"},
            **content,
        },
    }


def press(data: str | None, chat_type: str = "private") -> dict[str, Any]:
    query: dict[str, Any] = {
        "id": "cb1",
        "from": {"id": CITIZEN, "is_bot": False, "first_name": "An"},
        "chat_instance": "ci",
        "message": {
            "message_id": 3,
            "date": 1764468000,
            "chat": {"id": CITIZEN if chat_type == "private" else -100, "type": chat_type},
            "text": "Chọn",
        },
    }
    if data is not None:
        query["data"] = data
    return {"update_id": 11, "callback_query": query}


def test_a_photo_with_a_caption_is_an_attachment_carrying_the_caption() -> None:
    photo = [{"file_id": "f1", "file_unique_id": "u1", "width": 90, "height": 90}]
    update = message_update({"photo": photo, "caption": "đơn khiếu nại"})
    assert to_incoming(update) == Incoming(
        "telegram", str(CITIZEN), str(CITIZEN), text="đơn khiếu nại", attachment="photo"
    )
    location = message_update({"location": {"latitude": 21.0, "longitude": 105.8}})
    assert to_incoming(location) == Incoming(
        "telegram", str(CITIZEN), str(CITIZEN), attachment="location"
    )


def test_a_service_message_reads_as_nothing() -> None:
    joined = message_update({"new_chat_title": "Tiếp dân"})
    assert to_incoming(joined) is None


def test_a_press_without_data_or_outside_a_private_chat_reads_as_nothing() -> None:
    assert to_incoming(press("reg:consent:yes")) == Incoming(
        "telegram", str(CITIZEN), str(CITIZEN), payload="reg:consent:yes"
    )
    assert to_incoming(press(None)) is None
    assert to_incoming(press("reg:consent:yes", chat_type="supergroup")) is None
    # Still a press: its spinner is answered.
    assert callback_query_id(press(None)) == "cb1"
    assert callback_query_id(message_update({"text": "hi"})) is None


# --- the console (interactive) -------------------------------------------------------------------


class Dialogue:
    """Answers every message with a menu of two choices; records what it was given."""

    def __init__(self) -> None:
        self.heard: list[Incoming] = []

    async def handle(self, incoming: Incoming) -> list[Reply]:
        self.heard.append(incoming)
        return [
            Reply(f"Đã nhận {len(self.heard)}", (Choice("Có", "p:yes"), Choice("Không", "p:no")))
        ]


async def test_an_interactive_console_greets_first_and_prompts_before_each_line() -> None:
    dialogue = Dialogue()
    out = io.StringIO()
    turns: list[int] = []

    async def after_turn() -> None:
        turns.append(len(dialogue.heard))

    console = ConsoleChannel(
        dialogue,
        "u1",
        io.StringIO("2\n\nxin chào\n"),
        out,
        interactive=True,
        after_turn=after_turn,
    )
    await console.run()

    assert dialogue.heard == [
        Incoming(Channel.CONSOLE.value, "u1", "u1", text="/start"),
        Incoming(Channel.CONSOLE.value, "u1", "u1", payload="p:no"),
        Incoming(Channel.CONSOLE.value, "u1", "u1", text="xin chào"),
    ]
    menu = "  1. Có\n  2. Không"
    assert out.getvalue() == (
        f"Đã nhận 1\n{menu}\n\n> Đã nhận 2\n{menu}\n\n> > Đã nhận 3\n{menu}\n\n> "
    )
    assert turns == [1, 2, 3]


def test_a_file_is_named_in_the_terminal() -> None:
    reply = Reply("Lịch hẹn", file=OutgoingFile("hen.ics", b"BEGIN:VCALENDAR", "text/calendar"))
    assert render([reply]) == ("Lịch hẹn\n  [file: hen.ics]", [])
