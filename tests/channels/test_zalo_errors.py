"""The Zalo Bot Platform client against the fake API on 127.0.0.1: what each call returns, how
each kind of answer (a refusal, a page that is not JSON, an answer that is not the API's) is
reported, and what each refusal means for the outbox."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import pytest

from bot.core.model import Reply
from bot.core.sending import Rejected, RetryAfter, SendFailure, Unavailable, Unreachable
from handlers.zalo.bot_api import NETWORK_ERRORS, BotInfo, SentMessage, ZaloApiError, ZaloBotClient
from handlers.zalo.sender import FLOOD_WAIT_SECONDS, ZaloBotSender
from tests.fakes.zalo_bot import TOKEN, Failure, FakeZaloBot

CHAT = "zu-7001"


@pytest.fixture
async def client(zalo: FakeZaloBot) -> AsyncIterator[ZaloBotClient]:
    client = ZaloBotClient(TOKEN, zalo.base_url + "/", request_timeout=5)
    yield client
    await client.close()


# --- what the calls return --------------------------------------------------------------------


async def test_get_me_names_the_bot(client: ZaloBotClient, zalo: FakeZaloBot) -> None:
    assert await client.get_me() == BotInfo("9999", "tiepdan_bot")
    assert zalo.calls == [("getMe", {})]


async def test_an_empty_long_poll_is_nothing_new_not_an_error(
    client: ZaloBotClient, zalo: FakeZaloBot
) -> None:
    # The fake answers ok=false, error_code 408 when its poll ends empty, as the platform does.
    assert await client.get_update(1) is None
    assert zalo.calls == [("getUpdates", {"timeout": "1"})]  # seconds, as a string

    event = zalo.text_event(CHAT, "xin chào")
    await zalo.deliver(event)
    assert await client.get_update(1) == event


async def test_an_empty_result_is_nothing_new_too(
    client: ZaloBotClient, zalo: FakeZaloBot
) -> None:
    zalo.inject("getUpdates", Failure(200, 0, body='{"ok": true, "result": {}}'))
    zalo.inject("getUpdates", Failure(200, 0, body='{"ok": true, "result": [1]}'))
    assert await client.get_update(1) is None
    assert await client.get_update(1) is None


async def test_a_refused_poll_is_raised_with_its_code(
    client: ZaloBotClient, zalo: FakeZaloBot
) -> None:
    await client.set_webhook("https://tiepdan.example/zalo", "s" * 12)
    # getUpdates is refused while a webhook is set: that is not "nothing new".
    with pytest.raises(ZaloApiError) as refused:
        await client.get_update(1)
    assert (refused.value.error_code, refused.value.status) == (409, 200)
    assert refused.value.description == "a webhook is set"


async def test_the_webhook_is_set_read_back_and_removed(
    client: ZaloBotClient, zalo: FakeZaloBot
) -> None:
    assert await client.get_webhook_info() == {"url": ""}
    await client.set_webhook("https://tiepdan.example/zalo", "secret-of-twelve")
    assert zalo.webhook == {
        "url": "https://tiepdan.example/zalo",
        "secret_token": "secret-of-twelve",
    }
    assert await client.get_webhook_info() == {"url": "https://tiepdan.example/zalo"}
    await client.delete_webhook()
    assert zalo.webhook is None
    # An answer whose result is not an object reads as no information.
    zalo.inject("getWebhookInfo", Failure(200, 0, body='{"ok": true, "result": "none"}'))
    assert await client.get_webhook_info() == {}


async def test_a_message_goes_with_its_id_and_date_and_a_wrong_length_never_leaves(
    client: ZaloBotClient, zalo: FakeZaloBot
) -> None:
    sent = await client.send_message(CHAT, "Xin chào")
    assert sent.message_id == zalo.to(CHAT)[0].message_id and sent.date_ms > 0

    for text in ("", "x" * 2001):
        with pytest.raises(ValueError, match="1 to 2000"):
            await client.send_message(CHAT, text)
    assert [text for method, text in zalo.calls if method == "sendMessage"] == [
        {"chat_id": CHAT, "text": "Xin chào"}
    ]
    # The limit itself is allowed.
    longest = await client.send_message(CHAT, "x" * 2000)
    assert zalo.to(CHAT)[-1].message_id == longest.message_id
    assert zalo.to(CHAT)[-1].text == "x" * 2000


async def test_a_photo_goes_with_its_caption_only_when_there_is_one(
    client: ZaloBotClient, zalo: FakeZaloBot
) -> None:
    first = await client.send_photo(CHAT, "https://tiepdan.example/map.png")
    second = await client.send_photo(CHAT, "https://tiepdan.example/map.png", "Bản đồ")
    assert zalo.photos == [
        {"chat_id": CHAT, "photo": "https://tiepdan.example/map.png"},
        {"chat_id": CHAT, "photo": "https://tiepdan.example/map.png", "caption": "Bản đồ"},
    ]
    assert first.message_id != second.message_id and first.message_id.startswith("p")


async def test_the_typing_action_is_sent_for_the_chat(
    client: ZaloBotClient, zalo: FakeZaloBot
) -> None:
    await client.send_chat_action(CHAT)
    assert zalo.calls == [("sendChatAction", {"chat_id": CHAT, "action": "typing"})]


async def test_a_send_answered_without_a_message_is_an_error(
    client: ZaloBotClient, zalo: FakeZaloBot
) -> None:
    zalo.inject("sendMessage", Failure(200, 0, body='{"ok": true, "result": true}'))
    with pytest.raises(ZaloApiError, match="no message in the answer") as refused:
        await client.send_message(CHAT, "Xin chào")
    assert refused.value.error_code == 0
    # A result without a date or an id still counts as sent, with what it gives.
    zalo.inject("sendMessage", Failure(200, 0, body='{"ok": true, "result": {}}'))
    assert await client.send_message(CHAT, "Xin chào") == SentMessage("", 0)


@pytest.mark.parametrize(
    ("result", "sent"),
    [
        ('{"message_id": 991, "date": "1764468000000"}', SentMessage("991", 1764468000000)),
        ('{"message_id": "m1", "date": "soon"}', SentMessage("m1", 0)),
        ('{"message_id": "m1", "date": null}', SentMessage("m1", 0)),
    ],
)
async def test_numbers_in_a_sent_message_may_come_as_strings_or_not_at_all(
    client: ZaloBotClient, zalo: FakeZaloBot, result: str, sent: SentMessage
) -> None:
    zalo.inject("sendMessage", Failure(200, 0, body=f'{{"ok": true, "result": {result}}}'))
    assert await client.send_message(CHAT, "Xin chào") == sent


@pytest.mark.parametrize("result", ['"bot"', "{}", '{"id": ""}', "[1]"])
async def test_get_me_without_a_bot_in_the_answer_is_an_error(
    client: ZaloBotClient, zalo: FakeZaloBot, result: str
) -> None:
    zalo.inject("getMe", Failure(200, 0, body=f'{{"ok": true, "result": {result}}}'))
    with pytest.raises(ZaloApiError, match="no bot in the answer"):
        await client.get_me()


# --- answers that are not the API's ----------------------------------------------------------


async def test_a_page_that_is_not_json_is_an_error_with_the_http_status(
    client: ZaloBotClient, zalo: FakeZaloBot
) -> None:
    zalo.inject("getMe", Failure(502, 0, body="<html>502 Bad Gateway</html>"))
    with pytest.raises(ZaloApiError) as refused:
        await client.get_me()
    assert (refused.value.error_code, refused.value.status) == (502, 502)
    assert refused.value.description == "not JSON"


async def test_json_that_is_not_an_api_answer_is_an_error(
    client: ZaloBotClient, zalo: FakeZaloBot
) -> None:
    zalo.inject("getMe", Failure(200, 0, body='["ok"]'))
    with pytest.raises(ZaloApiError) as refused:
        await client.get_me()
    assert (refused.value.error_code, refused.value.description) == (200, "not an API answer")


async def test_a_refusal_without_a_code_takes_the_http_status(
    client: ZaloBotClient, zalo: FakeZaloBot
) -> None:
    zalo.inject("getMe", Failure(503, 0, body='{"ok": false}'))
    with pytest.raises(ZaloApiError) as refused:
        await client.get_me()
    assert (refused.value.error_code, refused.value.description) == (503, "")


# --- what each refusal means for the outbox ----------------------------------------------------


@pytest.mark.parametrize(
    ("failure", "expected", "words"),
    [
        (Failure(429, 429, "Too many requests"), RetryAfter, "retry after"),
        # A code the platform leaves out (or below 400) is read from the HTTP status.
        (Failure(429, 0, "slow down"), RetryAfter, "retry after"),
        (Failure(200, -1, "slow down"), Unavailable, "-1: slow down"),
        (Failure(403, 403, "User blocked the bot"), Unreachable, "blocked"),
        (Failure(403, 1, "forbidden"), Unreachable, "forbidden"),
        (Failure(200, 400, "chat_id is invalid"), Rejected, "chat_id"),
        (Failure(404, 404, "chat not found"), Rejected, "not found"),
        (Failure(413, 413, "payload too large"), Rejected, "too large"),
        (Failure(401, 401, "Unauthorized"), Unavailable, "Unauthorized"),
        (Failure(500, 500, "Internal error"), Unavailable, "Internal error"),
        (Failure(502, 0, body="<html>Bad Gateway</html>"), Unavailable, "not JSON"),
        # An error code that is not a number: the HTTP status says what it means.
        (Failure(429, 0, body='{"ok": false, "error_code": "flood"}'), RetryAfter, "retry"),
        (Failure(403, 0, body='{"ok": false, "error_code": "x"}'), Unreachable, ""),
    ],
)
async def test_each_refusal_means_what_the_outbox_must_do(
    client: ZaloBotClient,
    zalo: FakeZaloBot,
    failure: Failure,
    expected: type[SendFailure],
    words: str,
) -> None:
    zalo.inject("sendMessage", failure)
    with pytest.raises(expected) as raised:
        await ZaloBotSender(client).send(CHAT, Reply("Xin chào"))
    assert words in str(raised.value)
    assert type(raised.value) is expected
    if isinstance(raised.value, RetryAfter):
        assert raised.value.seconds == FLOOD_WAIT_SECONDS
    assert zalo.to(CHAT) == []


async def test_a_long_reply_goes_in_parts_and_its_last_id_is_returned(
    client: ZaloBotClient, zalo: FakeZaloBot
) -> None:
    text = "\n".join(f"Dòng {number}: " + "chữ " * 40 for number in range(30))
    last = await ZaloBotSender(client).send(CHAT, Reply(text))
    parts = zalo.to(CHAT)
    assert len(parts) > 1 and all(len(part.text) <= 2000 for part in parts)
    assert "\n".join(part.text for part in parts) == text
    assert last == parts[-1].message_id


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_an_unreachable_platform_is_tried_again_later() -> None:
    client = ZaloBotClient(TOKEN, f"http://127.0.0.1:{closed_port()}", request_timeout=5)
    try:
        with pytest.raises(NETWORK_ERRORS):
            await client.get_me()
        with pytest.raises(Unavailable, match="ClientConnectorError"):
            await ZaloBotSender(client).send(CHAT, Reply("Xin chào"))
    finally:
        await client.close()


async def test_a_long_reply_says_how_many_parts_went_and_the_retry_sends_the_rest(
    client: ZaloBotClient, zalo: FakeZaloBot
) -> None:
    text = "\n".join(f"Dòng {n}: " + "chữ " * 40 for n in range(30))  # three messages or more
    zalo.inject("sendMessage", Failure(502, 502, "Bad Gateway", after=1))
    sender = ZaloBotSender(client)
    with pytest.raises(Unavailable) as failed:
        await sender.send(CHAT, Reply(text))
    assert failed.value.delivered == 1 and len(zalo.to(CHAT)) == 1
    await sender.send(CHAT, Reply(text), skip=failed.value.delivered)
    parts = [m.text for m in zalo.to(CHAT)]
    assert len(parts) > 2 and len(set(parts)) == len(parts)
    assert "\n".join(parts) == text
