"""Zalo Official Account webhook events: their signature, their identity, and what a
citizen said.

Events look like ``{"app_id", "sender": {"id"}, "recipient": {"id"}, "event_name",
"message": {"msg_id", "text"}, "timestamp"}``; a tap on an ``oa.query.show`` button comes back
as ``user_send_text`` whose text is the button's payload.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

from bot.core.model import Channel, Incoming
from handlers.limits import BadBody, json_object
from handlers.web import refusal
from handlers.webhook import Handler, Refused, UpdateSink, read_body, read_json

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-ZEvent-Signature"
_CHANNEL = Channel.ZALO_OA.value
_ATTACHMENT_EVENTS = {
    "user_send_image": "photo",
    "user_send_photo": "photo",
    "user_send_file": "document",
    "user_send_sticker": "sticker",
    "user_send_gif": "animation",
    "user_send_audio": "voice",
    "user_send_video": "video",
    "user_send_location": "location",
    "user_send_business_card": "contact",
}


def expected_signature(app_id: str, body: bytes, timestamp: str, oa_secret_key: str) -> str:
    """``mac=`` + hex SHA-256 of app id + raw body + timestamp + OA secret key.

    The formula comes from secondary sources (docs/zalo.md, marked
    conflicting there: some use the OA id, one uses HMAC); it lives here alone so that a
    correction is one change."""
    digest = hashlib.sha256(
        app_id.encode("utf-8") + body + timestamp.encode("utf-8") + oa_secret_key.encode("utf-8")
    ).hexdigest()
    return f"mac={digest}"


def event_name(event: Mapping[str, Any]) -> str:
    """The event's name; when it has none, the name its message implies (a text, or an
    attachment of some type), else ""."""
    name = event.get("event_name")
    if isinstance(name, str) and name:
        return name
    message = event.get("message")
    if not isinstance(message, Mapping):
        return ""
    attachments = message.get("attachments")
    if isinstance(attachments, list) and attachments and isinstance(attachments[0], Mapping):
        return f"user_send_{attachments[0].get('type') or 'file'}"
    return "user_send_text" if isinstance(message.get("text"), str) else ""


def update_id(event: Mapping[str, Any]) -> str:
    """An event is unique by its name and message id (KeyError/TypeError if it has none:
    follow, unfollow and the like are keyed by user and time)."""
    name = event_name(event)
    if not name:
        raise KeyError("event_name")
    message = event.get("message")
    if isinstance(message, Mapping) and message.get("msg_id"):
        return f"{name}:{message['msg_id']}"
    who = _user_of(event)
    if who is None:
        raise KeyError("sender")
    return f"{name}:{who}:{event['timestamp']}"


def _user_of(event: Mapping[str, Any]) -> str | None:
    """Who the event is from: ``sender`` for messages, ``follower`` for (un)follows."""
    for key in ("sender", "follower"):
        person = event.get(key)
        if isinstance(person, Mapping) and person.get("id"):
            return str(person["id"])
    return None


def to_incoming(event: Mapping[str, Any]) -> Incoming | None:
    name = event_name(event)
    user_id = _user_of(event)
    if user_id is None:
        return None
    if name == "follow":
        return Incoming(_CHANNEL, user_id, user_id, text="/start")
    if name in _ATTACHMENT_EVENTS:
        return Incoming(_CHANNEL, user_id, user_id, attachment=_ATTACHMENT_EVENTS[name])
    message = event.get("message")
    text = message.get("text") if isinstance(message, Mapping) else None
    if name == "user_send_text":
        return Incoming(_CHANNEL, user_id, user_id, text=text) if isinstance(text, str) else None
    if name == "user_send_link" and isinstance(message, Mapping):
        # A link is read as the text it came with (its address at least).
        return Incoming(_CHANNEL, user_id, user_id, text=str(text or _link_url(message)))
    if name.startswith("user_send_"):
        if name not in _UNKNOWN_SEEN:
            _UNKNOWN_SEEN.add(name)
            log.warning("Zalo OA: an event named %r is not known; answered as unreadable", name)
        return Incoming(_CHANNEL, user_id, user_id, attachment="unknown")
    return None


def _link_url(message: Mapping[str, Any]) -> str:
    attachments = message.get("attachments")
    if isinstance(attachments, list) and attachments and isinstance(attachments[0], Mapping):
        payload = attachments[0].get("payload")
        if isinstance(payload, Mapping) and payload.get("url"):
            return str(payload["url"])
    return ""


# Citizens' event names met that this code does not know: each logged once (a citizen who
# sent something is answered whatever Zalo adds next).
_UNKNOWN_SEEN: set[str] = set()


# Zalo retries a failed delivery for hours; an event older than this is a replay, even past
# the time the inbox remembers what it has seen.
OLDEST_EVENT = timedelta(days=1)
# The signature is over the body, so anyone may make the server read this much before it is
# checked: kept well under the general limit. An event is one message of at most 2,000
# characters or a link to an attachment, a few kilobytes.
MAX_EVENT_BYTES = 256 * 1024


_DROPPED = (
    "Zalo OA: an event arrived in registration mode and was dropped: set [zalo_oa] secret_key "
    "(shown in the developer console once the webhook URL is saved) and restart"
)


def domain_verification_handler(content: str) -> Handler:
    """The ``zalo_verifier….html`` file the developer console asks the domain to serve: Zalo
    reads it back, byte for byte, before it accepts a webhook URL on the domain."""
    body = content.encode("utf-8")

    async def serve(_request: web.Request) -> web.StreamResponse:
        return web.Response(body=body, content_type="text/html", charset="utf-8")

    return serve


def url_check_handler() -> Handler:
    """A GET on the webhook's URL (a browser, or the console checking it is up): 200."""

    async def check(_request: web.Request) -> web.StreamResponse:
        return web.json_response({})

    return check


def webhook_handler(
    sink: UpdateSink, app_id: str, oa_secret_key: str, now: Callable[[], datetime]
) -> Handler:
    """Signed events are stored for the inbox. Two requests are answered 200 and kept out:
    the developer console's check of the URL as it is saved (unsigned, no event in it: the
    URL is not saved without a 200), and, with no ``oa_secret_key`` yet (registration mode:
    the console shows the key only once the URL is saved), every request — never processed
    unsigned."""

    async def receive(request: web.Request) -> web.StreamResponse:
        given = request.headers.get(SIGNATURE_HEADER, "")
        if not given:
            # Maybe the console's check, whose shape is not documented (reported as "{}"):
            # any unsigned body without an event in it.
            try:
                unsigned = await read_body(request, MAX_EVENT_BYTES)
            except Refused as refused:
                return refused.response()
            try:
                found = json_object(unsigned) if unsigned.strip() else {}
            except BadBody as bad:
                return refusal(400, str(bad))
            if not found.get("event_name"):
                log.info("Zalo OA: the webhook URL was checked (answered 200, nothing stored)")
                return web.json_response({})
            if oa_secret_key:
                return refusal(403, "bad signature")
            log.warning(_DROPPED)
            return web.json_response({})
        try:
            body, event = await read_json(request, MAX_EVENT_BYTES)
        except Refused as refused:
            return refused.response()
        if not oa_secret_key:
            log.warning(_DROPPED)
            return web.json_response({})
        timestamp = str(event.get("timestamp", ""))
        wanted = expected_signature(app_id, body, timestamp, oa_secret_key)
        # Constant time: the comparison must not tell how much of a forgery was right.
        if not hmac.compare_digest(given.encode("utf-8"), wanted.encode("utf-8")):
            return refusal(403, "bad signature")
        if str(event.get("app_id", app_id)) != app_id:
            return refusal(403, "another app")
        try:
            sent = datetime.fromtimestamp(int(timestamp) / 1000, tz=UTC)
        except (ValueError, OverflowError, OSError):
            return refusal(400, "bad timestamp")
        if now() - sent > OLDEST_EVENT:
            return refusal(403, "too old")
        try:
            name = update_id(event)
        except (KeyError, TypeError):
            # Nothing to act on (an OA's own message echoed, say): acknowledged and dropped.
            return web.json_response({})
        try:
            await sink.accept([(name, event)])
        except Exception:
            log.exception("could not store Zalo OA event %s", name)
            return refusal(503, "try again")
        return web.json_response({})

    return receive
