"""Whatever a citizen sends instead of text gets a polite answer in their language — why the
bot cannot read it and how to go on, with the office's contact — and the dialog step stays
where it was; the Zalo adapters name every kind of message (a link read as its text, an
unknown event answered and logged once)."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bot.app import App
from bot.core.model import Incoming
from handlers.zalo import oa_events, updates
from tests.support import Chat, citizen

CONTACT = "To speak to an officer, call or visit: Trụ sở tiếp công dân của đơn vị vận hành."


async def send(chat: Chat, attachment: str) -> str:
    replies = await chat.dialogue.handle(
        Incoming("console", chat.user_id, chat.user_id, attachment=attachment)
    )
    chat.replies = replies
    return chat.text


@pytest.mark.parametrize(
    ("kinds", "said"),
    [
        (("voice", "audio", "video_note"), "I cannot listen to voice messages here"),
        (("location", "venue"), "I cannot use a location here"),
        (("photo", "document", "video", "animation"), "I cannot receive files here"),
        (("sticker", "poll", "contact", "unknown"), "I can only read text here"),
    ],
)
async def test_each_kind_gets_its_answer_and_the_step_is_unchanged(
    app: App, kinds: tuple[str, ...], said: str
) -> None:
    chat = await citizen(app)
    for kind in kinds:
        text = await send(chat, kind)
        assert text.startswith(said) and CONTACT in text, (kind, text)
    await chat.send("/register")
    await chat.press("reg:consent:yes")
    asked = chat.text
    assert "full name" in asked
    for kind in kinds:
        text = await send(chat, kind)
        assert text.startswith(said), kind
        # The same question again: nothing was taken as an answer.
        assert text.endswith(asked.split("\n\n")[-1]), text
    await chat.send("Nguyễn Văn An")
    assert "phone" in chat.text.lower()


async def test_the_answer_is_in_the_citizens_language(app: App) -> None:
    chat = await citizen(app, locale="vi")
    text = await send(chat, "voice")
    assert text.startswith("Tôi không nghe được tin nhắn thoại"), text


BOT_EVENTS = {
    "message.image.received": "photo",
    "message.sticker.received": "sticker",
    "message.voice.received": "voice",
    "message.audio.received": "voice",
    "message.video.received": "video",
    "message.gif.received": "animation",
    "message.file.received": "document",
    "message.location.received": "location",
    "message.unsupported.received": "document",
}


def bot_event(name: str, **message: Any) -> dict[str, Any]:
    return {
        "event_name": name,
        "message": {
            "message_id": "m1",
            "from": {"id": "u1"},
            "chat": {"id": "u1", "chat_type": "PRIVATE"},
            "date": 1764468000000,
            **message,
        },
    }


@pytest.mark.parametrize(("name", "kind"), BOT_EVENTS.items())
def test_every_bot_platform_message_kind_is_named(name: str, kind: str) -> None:
    found = updates.to_incoming(bot_event(name))
    assert found is not None and found.attachment == kind


def test_a_bot_platform_link_is_read_as_its_text_and_an_unknown_event_once_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    link = updates.to_incoming(
        bot_event("message.link.received", text="https://dichvucong.gov.vn")
    )
    assert link is not None and link.text == "https://dichvucong.gov.vn" and not link.attachment
    with caplog.at_level(logging.WARNING, logger="handlers.zalo.updates"):
        for _ in range(3):
            odd = updates.to_incoming(bot_event("message.hologram.received"))
            assert odd is not None and odd.attachment == "unknown"
    assert caplog.text.count("message.hologram.received") == 1
    # A reaction to a message is not one: nothing to answer.
    assert updates.to_incoming(bot_event("message.reaction.received")) is None


OA_EVENTS = {
    "user_send_image": "photo",
    "user_send_file": "document",
    "user_send_sticker": "sticker",
    "user_send_gif": "animation",
    "user_send_audio": "voice",
    "user_send_video": "video",
    "user_send_location": "location",
    "user_send_business_card": "contact",
}


def oa_event(name: str, **message: Any) -> dict[str, Any]:
    return {
        "app_id": "1",
        "event_name": name,
        "timestamp": "1764468000000",
        "sender": {"id": "u1"},
        "recipient": {"id": "oa"},
        "message": {"msg_id": "m1", **message},
    }


@pytest.mark.parametrize(("name", "kind"), OA_EVENTS.items())
def test_every_oa_message_kind_is_named(name: str, kind: str) -> None:
    found = oa_events.to_incoming(oa_event(name))
    assert found is not None and found.attachment == kind


def test_an_oa_link_is_read_as_its_text_and_an_unknown_event_once_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with_text = oa_events.to_incoming(oa_event("user_send_link", text="Xem bài báo này"))
    assert with_text is not None and with_text.text == "Xem bài báo này"
    bare = oa_events.to_incoming(
        oa_event("user_send_link", attachments=[{"payload": {"url": "https://baochinhphu.vn"}}])
    )
    assert bare is not None and bare.text == "https://baochinhphu.vn"
    with caplog.at_level(logging.WARNING, logger="handlers.zalo.oa_events"):
        for _ in range(2):
            odd = oa_events.to_incoming(oa_event("user_send_hologram"))
            assert odd is not None and odd.attachment == "unknown"
    assert caplog.text.count("user_send_hologram") == 1
    # Not a citizen's message: nothing to answer.
    assert oa_events.to_incoming(oa_event("user_seen_message")) is None
