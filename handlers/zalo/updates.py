"""A Zalo Bot Platform event (as stored in the inbox) as an ``Incoming``.

Events look like ``{"event_name": "message.text.received", "message": {"message_id",
"from": {"id", "display_name"?}, "chat": {"id", "chat_type"}, "date", "text"?}}``; a webhook
may wrap them in ``{"ok", "result"}``. Only private chats are served.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from bot.core.model import Channel, Incoming

log = logging.getLogger(__name__)

_CHANNEL = Channel.ZALO_BOT.value
TEXT_EVENT = "message.text.received"
# What a citizen may send instead of text; none is kept (see the dialogue).
_ATTACHMENT_EVENTS = {
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
LINK_EVENT = "message.link.received"
# What a citizen does to a message rather than send one: nothing to answer.
_NOT_MESSAGES = frozenset({"message.reaction.received"})
# Event names met that this code does not know: each logged once, then answered as what the
# bot cannot read (a citizen who sent something gets an answer, whatever Zalo adds next).
_UNKNOWN_SEEN: set[str] = set()


def event_of(payload: Mapping[str, Any]) -> Mapping[str, Any]:
    """The event itself, whether wrapped in ``{"ok", "result"}`` or not."""
    result = payload.get("result")
    return result if isinstance(result, Mapping) else payload


def update_id(payload: Mapping[str, Any]) -> str:
    """What makes an event unique: the platform redelivers with the same message id.
    KeyError or TypeError when the payload is not an event."""
    event = event_of(payload)
    message = event["message"]
    name = str(event.get("event_name") or _guess_event(message))
    return f"{name}:{message['message_id']}"


def to_incoming(payload: Mapping[str, Any]) -> Incoming | None:
    event = event_of(payload)
    message = event.get("message")
    if not isinstance(message, Mapping):
        return None
    chat = _mapping(message.get("chat"))
    sender = _mapping(message.get("from"))
    if str(chat.get("chat_type", "PRIVATE")).upper() != "PRIVATE" or not sender.get("id"):
        return None
    user_id, chat_id = str(sender["id"]), str(chat.get("id") or sender["id"])
    name = str(event.get("event_name") or _guess_event(message))
    if name in _ATTACHMENT_EVENTS:
        return Incoming(_CHANNEL, user_id, chat_id, attachment=_ATTACHMENT_EVENTS[name])
    text = message.get("text")
    if name == LINK_EVENT:
        # A link is read as the text it came with (its address at least).
        link = text if isinstance(text, str) and text else message.get("url")
        return Incoming(_CHANNEL, user_id, chat_id, text=str(link or ""))
    if name == TEXT_EVENT:
        return Incoming(_CHANNEL, user_id, chat_id, text=text) if isinstance(text, str) else None
    if name in _NOT_MESSAGES:
        return None
    if name not in _UNKNOWN_SEEN:
        _UNKNOWN_SEEN.add(name)
        log.warning(
            "Zalo Bot Platform: an event named %r is not known; answered as unreadable", name
        )
    return Incoming(_CHANNEL, user_id, chat_id, attachment="unknown")


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _guess_event(message: Mapping[str, Any]) -> str:
    if "text" in message:
        return TEXT_EVENT
    if "photo" in message:
        return "message.image.received"
    if "sticker" in message:
        return "message.sticker.received"
    return "message.unsupported.received"
