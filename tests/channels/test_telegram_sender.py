"""What each answer of the Bot API becomes for the outbox: wait, try later, give up, or mark
the citizen unreachable. The dispatcher's rules (tests/delivery) act on these."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.core.model import Choice, OutgoingFile, Reply
from bot.core.sending import Rejected, RetryAfter, SendFailure, Unavailable, Unreachable
from handlers.telegram.channel import create_bot
from handlers.telegram.sender import TelegramSender
from tests.fakes.telegram import Failure, FakeTelegram

CHAT = "4242"


@pytest.fixture
async def sender(fake: FakeTelegram) -> AsyncIterator[TelegramSender]:
    bot = create_bot(fake.token, fake.base_url)
    yield TelegramSender(bot)
    await bot.session.close()


@pytest.mark.parametrize(
    ("failure", "expected", "words"),
    [
        (Failure(429, "Too Many Requests: retry after 7", retry_after=7), RetryAfter, "7"),
        (Failure(403, "Forbidden: bot was blocked by the user"), Unreachable, "blocked"),
        (Failure(400, "Bad Request: chat not found"), Unreachable, "chat not found"),
        (Failure(400, "Bad Request: user is deactivated"), Unreachable, "deactivated"),
        (Failure(400, "Bad Request: message is too long"), Rejected, "too long"),
        (
            Failure(400, "Bad Request: group chat was upgraded", migrate_to_chat_id=-1009),
            Rejected,
            "upgraded",
        ),
        (Failure(401, "Unauthorized"), Unavailable, "Unauthorized"),
        (Failure(502, "Bad Gateway"), Unavailable, "Bad Gateway"),
    ],
)
async def test_each_refusal_means_what_the_outbox_must_do(
    sender: TelegramSender,
    fake: FakeTelegram,
    failure: Failure,
    expected: type[SendFailure],
    words: str,
) -> None:
    fake.inject("sendMessage", failure)
    with pytest.raises(expected) as raised:
        await sender.send(CHAT, Reply("Xin chào"))
    assert words in str(raised.value)
    if isinstance(raised.value, RetryAfter):
        assert raised.value.seconds == 7
    assert fake.to(int(CHAT)) == []


async def test_an_unreachable_server_is_tried_again_later(
    sender: TelegramSender, fake: FakeTelegram
) -> None:
    await fake.stop()
    with pytest.raises(Unavailable):
        await sender.send(CHAT, Reply("Xin chào"))


async def test_a_button_whose_payload_telegram_would_refuse_is_not_sent(
    sender: TelegramSender, fake: FakeTelegram
) -> None:
    with pytest.raises(Rejected, match="64 bytes"):
        await sender.send(CHAT, Reply("Chọn", (Choice("Quá dài", "x" * 65),)))
    assert fake.calls == []


async def test_a_long_text_with_a_file_goes_as_messages_then_the_document(
    sender: TelegramSender, fake: FakeTelegram
) -> None:
    text = "Lịch tiếp công dân." * 60  # longer than a caption may be
    reply = Reply(text, file=OutgoingFile("lich.ics", b"BEGIN:VCALENDAR", "text/calendar"))
    message_id = await sender.send(CHAT, reply)
    sent = fake.to(int(CHAT))
    assert [m.document_name for m in sent] == [None, "lich.ics"]
    assert sent[0].text == text
    assert message_id == str(sent[-1].message_id)


async def test_a_long_reply_says_how_many_parts_went_and_the_retry_sends_the_rest(
    sender: TelegramSender, fake: FakeTelegram
) -> None:
    text = "\n".join(f"Dòng {n}: " + "chữ " * 60 for n in range(50))  # several messages
    fake.inject("sendMessage", Failure(502, "Bad Gateway", after=1))
    with pytest.raises(Unavailable) as failed:
        await sender.send(CHAT, Reply(text))
    assert failed.value.delivered == 1
    first = [m.text for m in fake.to(int(CHAT))]
    assert len(first) == 1
    await sender.send(CHAT, Reply(text), skip=failed.value.delivered)
    parts = [m.text for m in fake.to(int(CHAT))]
    assert len(parts) > 2 and parts[0] == first[0] and len(set(parts)) == len(parts)
    assert "\n".join(parts) == text
