"""A Telegram update (the Bot API's JSON, as stored in the inbox) as an ``Incoming``.

The bot converses in private chats only: in a group, a user's chat id is the group's, and
notices meant for one citizen must never go there. Updates it does not act on (edited
messages, other chats, service messages) read as None and are only marked processed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram.types import CallbackQuery, Message, Update

from bot.core.model import Channel, Incoming, SharedContact

# What the bot asks Telegram for (getUpdates and setWebhook).
ALLOWED_UPDATES = ["message", "callback_query"]
_CHANNEL = Channel.TELEGRAM.value

# Message contents a citizen might send instead of text; none is kept (see the dialogue).
_ATTACHMENTS = (
    "photo",
    "document",
    "video",
    "voice",
    "audio",
    "video_note",
    "sticker",
    "animation",
    "location",
    "venue",
    "poll",
)


def to_incoming(payload: Mapping[str, Any]) -> Incoming | None:
    update = Update.model_validate(dict(payload))
    if update.message is not None:
        return _from_message(update.message)
    if update.callback_query is not None:
        return _from_button(update.callback_query)
    return None


def callback_query_id(payload: Mapping[str, Any]) -> str | None:
    """The id to answer when the update is a button press."""
    query = payload.get("callback_query")
    return str(query["id"]) if isinstance(query, Mapping) and "id" in query else None


def _from_message(message: Message) -> Incoming | None:
    user = message.from_user
    if user is None or user.is_bot or message.chat.type != "private":
        return None
    user_id, chat_id = str(user.id), str(message.chat.id)
    if message.contact is not None:
        contact = message.contact
        owner = str(contact.user_id) if contact.user_id is not None else None
        shared = SharedContact(contact.phone_number, owner)
        return Incoming(_CHANNEL, user_id, chat_id, contact=shared)
    if message.text is not None:
        return Incoming(_CHANNEL, user_id, chat_id, text=message.text)
    for kind in _ATTACHMENTS:
        if getattr(message, kind, None) is not None:
            return Incoming(_CHANNEL, user_id, chat_id, text=message.caption, attachment=kind)
    return None


def _from_button(query: CallbackQuery) -> Incoming | None:
    message = query.message
    if query.data is None or message is None or message.chat.type != "private":
        return None
    return Incoming(
        channel=_CHANNEL,
        user_id=str(query.from_user.id),
        chat_id=str(message.chat.id),
        payload=query.data,
    )
