"""How Zalo updates come in, against the fakes on 127.0.0.1: the Bot Platform's polling loop
(what it stores, what it skips, how it waits after a failure), its webhook registration, the
webhooks' answers to what is not an update or cannot be stored, and /healthz."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from typing import Any

import aiohttp
import pytest

import handlers.web
from bot.core.clock import FixedClock
from handlers.web import WebServer
from handlers.zalo.bot_api import ZaloBotClient
from handlers.zalo.channel import BACKOFF_MAX, SECRET_HEADER, WEBHOOK_RETRY_SECONDS, ZaloBotChannel
from handlers.zalo.oa_api import ZaloOaClient
from handlers.zalo.oa_channel import ZaloOaChannel
from tests.channels.running import eventually
from tests.fakes.zalo_bot import TOKEN, Failure, FakeZaloBot
from tests.fakes.zalo_oa import APP_ID, OA_SECRET_KEY, FakeZaloOa

CITIZEN = "zu-5150"
SECRET = "zalo-webhook-secret"
HOOK_URL = "https://tiepdan.example/zalo/hook"


class Sink:
    """The inbox, as the channels see it: it stores what it is given, or (``refusals`` times)
    raises as a database that does not answer would."""

    def __init__(self, refusals: int = 0, watch: Callable[[], object] | None = None) -> None:
        self.stored: list[tuple[str, Mapping[str, Any]]] = []
        self.refusals = refusals
        self.attempts = 0
        # ``watch`` is asked at each attempt; what it said is kept in ``watched``.
        self._watch = watch
        self.watched: list[object] = []

    async def accept(self, updates: Sequence[tuple[str, Mapping[str, Any]]]) -> int:
        self.attempts += 1
        if self._watch is not None:
            self.watched.append(self._watch())
        if self.refusals:
            self.refusals -= 1
            raise RuntimeError("database is locked")
        self.stored.extend(updates)
        return len(updates)

    async def room(self) -> None:
        return None

    def names(self) -> list[str]:
        return [name for name, _update in self.stored]


class Sleeps:
    """The channel's sleep: records each wait and returns at once; the ``limit``-th wait lasts
    until the test stops the channel (so a loop that keeps failing stops spinning)."""

    def __init__(self, limit: int = 50) -> None:
        self.waits: list[float] = []
        self._limit = limit
        self._never = asyncio.Event()

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        if len(self.waits) >= self._limit:
            await self._never.wait()
        await asyncio.sleep(0)


async def until(condition: Callable[[], object], what: str) -> None:
    async def holds() -> bool:
        return bool(condition())

    await eventually(holds, what)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Receiver:
    """A Zalo Bot channel started against a client, with its sink and its sleeps."""

    def __init__(self, client: ZaloBotClient, sink: Sink, sleeps: Sleeps, mode: str) -> None:
        self.sink, self.sleeps = sink, sleeps
        self.channel = ZaloBotChannel(
            client,
            sink,
            mode=mode,
            poll_timeout=1,
            webhook_url=HOOK_URL,
            webhook_path="/zalo/hook",
            webhook_secret=SECRET,
            sleep=sleeps,
        )

    async def __aenter__(self) -> Receiver:
        self.channel.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.channel.stop_receiving()
        await self.channel.close()


def polling(zalo: FakeZaloBot, sink: Sink | None = None, sleeps: Sleeps | None = None) -> Receiver:
    client = ZaloBotClient(TOKEN, zalo.base_url, request_timeout=5)
    return Receiver(client, sink or Sink(), sleeps or Sleeps(), "polling")


# --- polling ------------------------------------------------------------------------------


async def test_polling_removes_the_webhook_first_and_stores_each_event_under_its_id(
    zalo: FakeZaloBot,
) -> None:
    zalo.webhook = {"url": HOOK_URL, "secret_token": SECRET}
    # Two long polls end with nothing new: that is no failure, so no wait follows them.
    zalo.inject("getUpdates", Failure(200, 408, "Request timeout"))
    zalo.inject("getUpdates", Failure(200, 408, "Request timeout"))
    first, second = zalo.text_event(CITIZEN, "/start"), zalo.text_event(CITIZEN, "1")
    await zalo.deliver(first)
    await zalo.deliver(second)

    async with polling(zalo) as receiver:
        await until(lambda: len(receiver.sink.stored) == 2, "both events stored")

    assert zalo.calls[0][0] == "deleteWebhook" and zalo.webhook is None
    assert receiver.sink.stored == [
        (f"message.text.received:{first['message']['message_id']}", first),
        (f"message.text.received:{second['message']['message_id']}", second),
    ]
    assert receiver.sleeps.waits == []


async def test_an_event_that_is_not_a_message_is_skipped_with_a_warning(
    zalo: FakeZaloBot, caplog: pytest.LogCaptureFixture
) -> None:
    await zalo.deliver({"event_name": "bot.status.changed", "status": "online"})
    await zalo.deliver({"event_name": "message.text.received", "message": {"text": "no id"}})
    await zalo.deliver({"event_name": "message.text.received", "message": "hi"})
    event = zalo.text_event(CITIZEN, "/start")
    await zalo.deliver(event)

    with caplog.at_level(logging.WARNING, logger="handlers.zalo.channel"):
        async with polling(zalo) as receiver:
            await until(lambda: receiver.sink.stored, "the real event stored")

    assert [update for _name, update in receiver.sink.stored] == [event]
    skipped = [r.getMessage() for r in caplog.records if "not a message" in r.getMessage()]
    assert skipped == [
        "ignoring a Zalo Bot event that is not a message: ['event_name', 'status']",
        "ignoring a Zalo Bot event that is not a message: ['event_name', 'message']",
        "ignoring a Zalo Bot event that is not a message: ['event_name', 'message']",
    ]
    # Skipping is not a failure of the platform: nothing waited.
    assert receiver.sleeps.waits == []


async def test_an_event_the_inbox_cannot_store_is_held_until_it_can_and_stored_once(
    zalo: FakeZaloBot, caplog: pytest.LogCaptureFixture
) -> None:
    event = zalo.text_event(CITIZEN, "/start")
    await zalo.deliver(event)
    sink = Sink(refusals=3, watch=lambda: sum(1 for c in zalo.calls if c[0] == "getUpdates"))

    with caplog.at_level(logging.ERROR, logger="handlers.zalo.channel"):
        async with polling(zalo, sink) as receiver:
            await until(lambda: sink.stored, "the event stored")

    name = f"message.text.received:{event['message']['message_id']}"
    assert sink.stored == [(name, event)] and sink.attempts == 4
    # The platform will not send it again, so it was held, with growing waits between tries,
    # and nothing more was asked of the platform meanwhile.
    assert receiver.sleeps.waits == [1.0, 2.0, 4.0]
    assert sink.watched == [1, 1, 1, 1]
    logged = [r for r in caplog.records if "could not store" in r.getMessage()]
    assert [r.getMessage() for r in logged] == [
        f"could not store Zalo Bot event {name}; trying again"
    ] * 3
    assert all(r.exc_info is not None for r in logged)


async def test_refusals_back_off_growing_and_a_success_starts_the_waits_again(
    zalo: FakeZaloBot, caplog: pytest.LogCaptureFixture
) -> None:
    zalo.inject("deleteWebhook", Failure(500, 500, "Internal"), Failure(502, 502, "Gateway"))
    zalo.inject("getUpdates", Failure(401, 401, "Unauthorized"))
    event = zalo.text_event(CITIZEN, "/start")
    await zalo.deliver(event)

    with caplog.at_level(logging.WARNING, logger="handlers.zalo.channel"):
        async with polling(zalo) as receiver:
            await until(lambda: receiver.sink.stored, "the event stored")

    # 1 s, then 2 s for deleteWebhook; once it worked, the getUpdates failure waits 1 s again.
    assert receiver.sleeps.waits == [1.0, 2.0, 1.0]
    refused = [r.getMessage() for r in caplog.records if "refused a call" in r.getMessage()]
    assert refused == [
        "the Zalo Bot Platform refused a call: 500: Internal",
        "the Zalo Bot Platform refused a call: 502: Gateway",
        "the Zalo Bot Platform refused a call: 401: Unauthorized",
    ]
    assert [m for m, _b in zalo.calls][:4] == [
        "deleteWebhook",
        "deleteWebhook",
        "deleteWebhook",
        "getUpdates",
    ]


async def test_an_unreachable_platform_is_retried_with_waits_up_to_a_minute(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = ZaloBotClient(TOKEN, f"http://127.0.0.1:{closed_port()}", request_timeout=5)
    sleeps = Sleeps(limit=9)
    with caplog.at_level(logging.WARNING, logger="handlers.zalo.channel"):
        async with Receiver(client, Sink(), sleeps, "polling"):
            await until(lambda: len(sleeps.waits) == 9, "nine waits")

    assert sleeps.waits == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, BACKOFF_MAX, BACKOFF_MAX, BACKOFF_MAX]
    failed = [r for r in caplog.records if "reaching the Zalo Bot Platform" in r.getMessage()]
    assert len(failed) == 9 and "ClientConnectorError" in failed[0].getMessage()


# --- the webhook ------------------------------------------------------------------------------


async def test_the_webhook_is_registered_again_after_a_refusal(
    zalo: FakeZaloBot, caplog: pytest.LogCaptureFixture
) -> None:
    zalo.inject("setWebhook", Failure(500, 500, "Internal"))
    client = ZaloBotClient(TOKEN, zalo.base_url, request_timeout=5)
    sleeps = Sleeps()
    with caplog.at_level(logging.INFO, logger="handlers.zalo.channel"):
        async with Receiver(client, Sink(), sleeps, "webhook"):
            await until(lambda: zalo.webhook, "the webhook set")

    assert zalo.webhook == {"url": HOOK_URL, "secret_token": SECRET}
    assert sleeps.waits == [WEBHOOK_RETRY_SECONDS]
    messages = [r.getMessage() for r in caplog.records]
    assert "could not set the Zalo Bot webhook: 500: Internal; trying again" in messages
    assert f"Zalo Bot webhook set to {HOOK_URL}" in messages
    # Webhook mode never polls.
    assert {m for m, _b in zalo.calls} == {"setWebhook"}


@pytest.fixture
async def server(clock: FixedClock) -> AsyncIterator[tuple[WebServer, Sink, Sink]]:
    """The HTTP server with the Zalo Bot webhook (secret SECRET) at /zalo/hook and the OA's
    at /oa, each over a sink of its own."""
    bot_sink, oa_sink = Sink(), Sink()
    web = WebServer("127.0.0.1", 0, _database_up)
    bot = ZaloBotChannel(
        ZaloBotClient(TOKEN, "http://127.0.0.1:9"),
        bot_sink,
        mode="webhook",
        poll_timeout=1,
        webhook_path="/zalo/hook",
        webhook_secret=SECRET,
    )
    client = ZaloOaClient(
        oauth_base_url="http://127.0.0.1:9",
        api_base_url="http://127.0.0.1:9",
        zns_base_url="http://127.0.0.1:9",
    )
    oa = ZaloOaChannel(
        client, oa_sink, app_id=APP_ID, secret_key=OA_SECRET_KEY, path="/oa", now=clock.now
    )
    bot.route(web)
    oa.route(web)
    await web.start()
    yield web, bot_sink, oa_sink
    await web.stop()
    await bot.close()
    await oa.close()


async def _database_up() -> None:
    return None


async def post(
    web: WebServer, path: str, body: bytes, headers: Mapping[str, str]
) -> tuple[int, Any]:
    url = f"http://127.0.0.1:{web.port}{path}"
    async with aiohttp.ClientSession() as http, http.post(url, data=body, headers=headers) as r:
        return r.status, await r.json()


def error(reason: str) -> dict[str, str]:
    return {"error": reason}


WITH_SECRET = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}


async def test_the_bot_webhook_answers_400_to_what_is_not_an_event(
    server: tuple[WebServer, Sink, Sink], zalo: FakeZaloBot
) -> None:
    web, sink, _oa = server
    for body, reason in (
        (b"[1, 2]", "not a JSON object"),
        (b'"text"', "not a JSON object"),
        (b"{not json", "not JSON"),
        (b'{"event_name": "x"}', "not a Zalo Bot update"),
        (b"\xff\xfe", "not UTF-8"),
    ):
        assert await post(web, "/zalo/hook", body, WITH_SECRET) == (400, error(reason))
    assert sink.attempts == 0


async def test_an_event_the_inbox_cannot_store_is_answered_503_and_taken_when_sent_again(
    server: tuple[WebServer, Sink, Sink], zalo: FakeZaloBot, caplog: pytest.LogCaptureFixture
) -> None:
    web, sink, _oa = server
    sink.refusals = 1
    event = zalo.text_event(CITIZEN, "/start")
    body = json.dumps(event).encode()
    name = f"message.text.received:{event['message']['message_id']}"

    with caplog.at_level(logging.ERROR, logger="handlers.webhook"):
        # Not stored, so not acknowledged: the platform is told to post it again.
        assert await post(web, "/zalo/hook", body, WITH_SECRET) == (503, error("try again"))
    assert sink.stored == []
    [logged] = [r for r in caplog.records if r.name == "handlers.webhook"]
    assert logged.getMessage() == f"could not store Zalo Bot update {name}"
    assert logged.exc_info is not None

    assert await post(web, "/zalo/hook", body, WITH_SECRET) == (200, {})
    assert sink.stored == [(name, event)]


async def test_a_webhook_without_a_configured_secret_accepts_nothing(zalo: FakeZaloBot) -> None:
    sink = Sink()
    web = WebServer("127.0.0.1", 0, _database_up)
    channel = ZaloBotChannel(
        ZaloBotClient(TOKEN, zalo.base_url),
        sink,
        mode="webhook",
        poll_timeout=1,
        webhook_path="/zalo/hook",
        webhook_secret="",
    )
    channel.route(web)
    await web.start()
    try:
        body = json.dumps(zalo.text_event(CITIZEN, "/start")).encode()
        for headers in ({SECRET_HEADER: ""}, {}):
            assert await post(web, "/zalo/hook", body, headers) == (401, error("unauthorized"))
    finally:
        await web.stop()
        await channel.close()
    assert sink.attempts == 0


# --- the Official Account's webhook -------------------------------------------------------------


def oa_events(clock: FixedClock) -> FakeZaloOa:
    """The OA fake used only to build and sign events, stamped on the test's clock."""
    events = FakeZaloOa()
    events.now = clock.now
    return events


async def test_the_oa_webhook_refuses_what_is_not_a_signed_event_of_this_app(
    server: tuple[WebServer, Sink, Sink], clock: FixedClock
) -> None:
    web, _bot, sink = server
    events = oa_events(clock)
    plain = {"Content-Type": "application/json"}
    assert await post(web, "/oa", b"{not json", plain) == (400, error("not JSON"))
    assert await post(web, "/oa", b"[1, 2]", plain) == (400, error("not a JSON object"))
    assert await post(web, "/oa", b"\xff\xfe\x00", plain) == (400, error("not UTF-8"))

    forged = FakeZaloOa.signed(events.event("u1", "/start"), secret="not-the-oa-secret")
    assert await post(web, "/oa", *forged) == (403, error("bad signature"))
    # Signed right, but by the rules of this OA for another app's event.
    other_app = {**events.event("u1", "/start"), "app_id": "999"}
    assert await post(web, "/oa", *FakeZaloOa.signed(other_app)) == (403, error("another app"))

    for timestamp in ("soon", "9" * 30, ""):
        odd = {**events.event("u1", "/start"), "timestamp": timestamp}
        assert await post(web, "/oa", *FakeZaloOa.signed(odd)) == (400, error("bad timestamp"))
    assert sink.attempts == 0


async def test_an_oa_event_with_nothing_to_act_on_is_acknowledged_and_dropped(
    server: tuple[WebServer, Sink, Sink], clock: FixedClock
) -> None:
    web, _bot, sink = server
    events = oa_events(clock)
    # The OA's own message echoed back: no message id, no sender.
    echo = {**events.event("u1", "x"), "event_name": "oa_send_text", "message": {"text": "x"}}
    del echo["sender"]
    assert await post(web, "/oa", *FakeZaloOa.signed(echo)) == (200, {})
    assert sink.attempts == 0


async def test_an_oa_event_the_inbox_cannot_store_is_answered_503_and_taken_when_sent_again(
    server: tuple[WebServer, Sink, Sink], clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    web, _bot, sink = server
    sink.refusals = 1
    event = oa_events(clock).event("u1", "/start", msg_id="msg-77")
    with caplog.at_level(logging.ERROR, logger="handlers.zalo.oa_events"):
        assert await post(web, "/oa", *FakeZaloOa.signed(event)) == (503, error("try again"))
    assert sink.stored == []
    assert [r.getMessage() for r in caplog.records if r.name == "handlers.zalo.oa_events"] == [
        "could not store Zalo OA event user_send_text:msg-77"
    ]
    assert await post(web, "/oa", *FakeZaloOa.signed(event)) == (200, {})
    assert sink.stored == [("user_send_text:msg-77", event)]


# --- /healthz -----------------------------------------------------------------------------------


async def health(web: WebServer) -> tuple[int, Any]:
    url = f"http://127.0.0.1:{web.port}/healthz"
    async with aiohttp.ClientSession() as http, http.get(url) as r:
        return r.status, await r.json()


async def test_healthz_says_503_while_the_database_fails_or_does_not_answer(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    state = {"down": False, "hung": False}
    hanging = asyncio.Event()

    async def ready() -> None:
        if state["hung"]:
            await hanging.wait()
        if state["down"]:
            raise ConnectionRefusedError("connection refused")

    monkeypatch.setattr(handlers.web, "READY_TIMEOUT", 0.2)
    web = WebServer("127.0.0.1", 0, ready)
    await web.start()
    try:
        assert await health(web) == (200, {"status": "ok", "database": "up"})
        state["down"] = True
        with caplog.at_level(logging.WARNING, logger="handlers.web"):
            assert await health(web) == (503, {"status": "unavailable", "database": "down"})
        assert "not ready: connection refused" in [r.getMessage() for r in caplog.records]
        state["down"], state["hung"] = False, True
        assert await health(web) == (503, {"status": "unavailable", "database": "down"})
        state["hung"] = False
        assert await health(web) == (200, {"status": "ok", "database": "up"})
    finally:
        await web.stop()
