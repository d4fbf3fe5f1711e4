"""Zalo events as the inbox stores them, read without a network: which ones become an
``Incoming`` (and which kind), which ones are dropped, and what names an event uniquely."""

from __future__ import annotations

from typing import Any

import pytest

from bot.core.model import Incoming
from handlers.zalo import oa_events
from handlers.zalo import updates as bot_updates


def bot_event(name: str | None, **message: Any) -> dict[str, Any]:
    """A Zalo Bot Platform event from user "u7" in its private chat, with ``message`` fields
    added to (or replacing) the usual ones; ``name`` None leaves the event name out."""
    event: dict[str, Any] = {
        "message": {
            "message_id": "m1",
            "from": {"id": "u7", "display_name": "Công dân"},
            "chat": {"id": "c7", "chat_type": "PRIVATE"},
            "date": 1764468000000,
            **message,
        }
    }
    if name is not None:
        event["event_name"] = name
    return event


# --- the Zalo Bot Platform --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("message.image.received", "photo"),
        ("message.sticker.received", "sticker"),
        ("message.unsupported.received", "document"),
    ],
)
def test_a_file_a_citizen_sends_is_an_attachment_of_its_kind_without_text(
    name: str, kind: str
) -> None:
    # A caption on the photo is not read as an answer: the dialogue says files are not kept.
    event = bot_event(name, photo="https://zalo.example/p.jpg", caption="ảnh đơn")
    assert bot_updates.to_incoming(event) == Incoming("zalo_bot", "u7", "c7", attachment=kind)


@pytest.mark.parametrize(
    ("content", "expected", "name"),
    [
        ({"text": "xin chào"}, Incoming("zalo_bot", "u7", "c7", text="xin chào"), "text"),
        (
            {"photo": "https://z.example/p.jpg"},
            Incoming("zalo_bot", "u7", "c7", attachment="photo"),
            "image",
        ),
        ({"sticker": "st-1"}, Incoming("zalo_bot", "u7", "c7", attachment="sticker"), "sticker"),
        ({}, Incoming("zalo_bot", "u7", "c7", attachment="document"), "unsupported"),
    ],
)
def test_an_event_without_its_name_is_read_from_what_the_message_holds(
    content: dict[str, Any], expected: Incoming, name: str
) -> None:
    event = bot_event(None, **content)
    assert bot_updates.to_incoming(event) == expected
    # ... and named as the platform would have named it, so a redelivery is recognised.
    assert bot_updates.update_id(event) == f"message.{name}.received:m1"


def test_a_webhook_event_wrapped_in_ok_and_result_reads_as_the_bare_one() -> None:
    bare = bot_event("message.text.received", text="/start")
    wrapped = {"ok": True, "result": bare}
    assert bot_updates.to_incoming(wrapped) == bot_updates.to_incoming(bare)
    assert bot_updates.to_incoming(wrapped) == Incoming("zalo_bot", "u7", "c7", text="/start")
    assert bot_updates.update_id(wrapped) == "message.text.received:m1"


def test_the_chat_id_falls_back_to_the_sender_when_the_event_names_no_chat() -> None:
    event = bot_event("message.text.received", text="hi")
    del event["message"]["chat"]
    assert bot_updates.to_incoming(event) == Incoming("zalo_bot", "u7", "u7", text="hi")
    # A chat that is not an object names no chat either.
    event["message"]["chat"] = "c7"
    assert bot_updates.to_incoming(event) == Incoming("zalo_bot", "u7", "u7", text="hi")


@pytest.mark.parametrize(
    "event",
    [
        pytest.param({"event_name": "message.text.received"}, id="no message"),
        pytest.param({"event_name": "message.text.received", "message": "hi"}, id="message text"),
        pytest.param(
            bot_event("message.text.received", text="hi", chat={"id": "g1", "chat_type": "GROUP"}),
            id="a group chat",
        ),
        pytest.param(
            bot_event("message.text.received", text="hi", **{"from": {"name": "no id"}}),
            id="a sender without id",
        ),
        pytest.param(bot_event("message.text.received"), id="a text event without text"),
        pytest.param(bot_event("message.text.received", text=42), id="text that is a number"),
        pytest.param(bot_event("message.reaction.received", text="👍"), id="an unknown event"),
        pytest.param(
            bot_event("message.text.received", text="hi", **{"from": ["u7"]}),
            id="a sender that is a list",
        ),
    ],
)
def test_what_the_bot_cannot_act_on_reads_as_nothing(event: dict[str, Any]) -> None:
    assert bot_updates.to_incoming(event) is None


def test_a_payload_that_is_not_an_event_has_no_identity() -> None:
    with pytest.raises(KeyError):
        bot_updates.update_id({"event_name": "message.text.received"})
    with pytest.raises(KeyError):
        bot_updates.update_id(bot_event("message.text.received", text="x") | {"message": {}})
    with pytest.raises(TypeError):
        bot_updates.update_id({"event_name": "message.text.received", "message": "hi"})


# --- the Zalo Official Account ----------------------------------------------------------------


def test_an_oa_event_with_no_message_id_and_no_person_has_no_identity() -> None:
    # The OA's own messages echoed back name no sender: nothing to store.
    echo = {"event_name": "oa_send_text", "recipient": {"id": "u1"}, "timestamp": "8"}
    with pytest.raises(KeyError):
        oa_events.update_id(echo)
    # A sender whose id is empty is no sender either.
    with pytest.raises(KeyError):
        oa_events.update_id({**echo, "sender": {"id": ""}})
    # An event without a name is not an event.
    with pytest.raises(KeyError):
        oa_events.update_id({"sender": {"id": "u1"}, "timestamp": "8"})


def test_an_unfollow_is_keyed_by_the_follower_and_the_time_and_says_nothing() -> None:
    unfollow = {"event_name": "unfollow", "follower": {"id": "u1"}, "timestamp": "9"}
    assert oa_events.update_id(unfollow) == "unfollow:u1:9"
    assert oa_events.to_incoming(unfollow) is None


@pytest.mark.parametrize(
    "event",
    [
        pytest.param({"event_name": "user_send_text", "message": {"text": "hi"}}, id="no sender"),
        pytest.param(
            {"event_name": "user_send_text", "sender": "u1", "message": {"text": "hi"}},
            id="a sender that is not an object",
        ),
        pytest.param(
            {"event_name": "user_send_text", "sender": {"id": "u1"}, "message": "hi"},
            id="a message that is not an object",
        ),
        pytest.param(
            {"event_name": "user_send_text", "sender": {"id": "u1"}, "message": {"text": 5}},
            id="text that is a number",
        ),
    ],
)
def test_an_oa_event_the_bot_cannot_act_on_reads_as_nothing(event: dict[str, Any]) -> None:
    assert oa_events.to_incoming(event) is None


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("user_send_file", "document"),
        ("user_send_sticker", "sticker"),
        ("user_send_gif", "animation"),
        ("user_send_audio", "voice"),
        ("user_send_video", "video"),
        ("user_send_location", "location"),
        ("user_send_business_card", "contact"),
    ],
)
def test_each_kind_of_file_on_the_oa_is_an_attachment(name: str, kind: str) -> None:
    event = {"event_name": name, "sender": {"id": "u1"}, "message": {"msg_id": "m9"}}
    assert oa_events.to_incoming(event) == Incoming("zalo_oa", "u1", "u1", attachment=kind)
    assert oa_events.update_id(event) == f"{name}:m9"


@pytest.mark.parametrize(
    ("message", "name", "incoming"),
    [
        (
            {"msg_id": "m1", "text": "/start"},
            "user_send_text",
            Incoming("zalo_oa", "u1", "u1", text="/start"),
        ),
        (
            {"msg_id": "m2", "attachments": [{"type": "audio", "payload": {"url": "x"}}]},
            "user_send_audio",
            Incoming("zalo_oa", "u1", "u1", attachment="voice"),
        ),
        (
            {"msg_id": "m3", "attachments": [{"type": "image"}]},
            "user_send_image",
            Incoming("zalo_oa", "u1", "u1", attachment="photo"),
        ),
    ],
)
def test_an_oa_event_without_its_name_is_read_from_what_the_message_holds(
    message: dict[str, Any], name: str, incoming: Incoming
) -> None:
    event = {"sender": {"id": "u1"}, "timestamp": 5, "message": message}
    assert oa_events.to_incoming(event) == incoming
    assert oa_events.update_id(event) == f"{name}:{message['msg_id']}"
