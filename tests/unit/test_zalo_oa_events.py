"""Zalo OA events without a network: the signature formula, identities, what a citizen said."""

from __future__ import annotations

import hashlib

from bot.core.model import Incoming
from handlers.zalo.oa_events import expected_signature, to_incoming, update_id


def test_the_signature_is_sha256_of_app_id_body_timestamp_and_oa_secret() -> None:
    body = b'{"event_name":"user_send_text"}'
    digest = hashlib.sha256(b"app-1" + body + b"1732760000000" + b"oa-secret").hexdigest()

    assert expected_signature("app-1", body, "1732760000000", "oa-secret") == f"mac={digest}"
    assert expected_signature("app-1", body + b" ", "1732760000000", "oa-secret") != (
        f"mac={digest}"
    )


def test_what_a_citizen_sends_becomes_an_incoming_message() -> None:
    text = {
        "event_name": "user_send_text",
        "sender": {"id": "u1"},
        "timestamp": "1",
        "message": {"msg_id": "m1", "text": "st:a:ABCD"},
    }
    image = {**text, "event_name": "user_send_image", "message": {"msg_id": "m2"}}
    # Follow events name the follower, not a sender.
    follow = {"event_name": "follow", "follower": {"id": "u1"}, "timestamp": "7"}
    echo = {"event_name": "oa_send_text", "sender": {"id": "oa"}, "timestamp": "8"}

    assert to_incoming(text) == Incoming("zalo_oa", "u1", "u1", text="st:a:ABCD")
    assert to_incoming(image) == Incoming("zalo_oa", "u1", "u1", attachment="photo")
    # Following the OA is the first "hello": the welcome and the menu.
    assert to_incoming(follow) == Incoming("zalo_oa", "u1", "u1", text="/start")
    assert to_incoming(echo) is None
    assert update_id(text) == "user_send_text:m1"
    assert update_id(follow) == "follow:u1:7"
