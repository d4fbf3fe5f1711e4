"""Sends the outbox's Telegram messages, and says in the outbox's words why one failed."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.types import BufferedInputFile

from bot.core.model import Channel, Reply
from bot.core.sending import Rejected, RetryAfter, SendFailure, Unavailable, Unreachable
from handlers.telegram import render

log = logging.getLogger(__name__)

# Bad requests that mean the chat is gone for good, not that the message is wrong.
_GONE = ("chat not found", "user is deactivated", "bot was kicked", "peer_id_invalid")


class TelegramSender:
    channel = Channel.TELEGRAM.value
    only_recipient: str | None = None

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def send(self, recipient: str, reply: Reply, *, skip: int = 0) -> str:
        progress = _Progress(skip)
        try:
            return await self._send(int(recipient), reply, progress)
        except Exception as trouble:
            failure = _failure(recipient, trouble)
            if failure is None:
                raise
            failure.delivered = progress.delivered
            raise failure from trouble

    async def _send(self, chat_id: int, reply: Reply, progress: _Progress) -> str:
        parts = render.messages(reply)
        short = len(parts) == 1 and render.length(reply.text) <= render.CAPTION_LIMIT
        if reply.file is not None and short:
            sent = await self._bot.send_document(
                chat_id,
                BufferedInputFile(reply.file.content, filename=reply.file.filename),
                caption=parts[0].html,
                parse_mode="HTML",
                reply_markup=parts[0].markup,
            )
            return str(sent.message_id)
        message_id = ""
        for number, part in enumerate(parts):
            if number < progress.skip:
                continue  # delivered by an earlier attempt
            sent = await self._bot.send_message(
                chat_id, part.html, parse_mode="HTML", reply_markup=part.markup
            )
            message_id = str(sent.message_id)
            progress.delivered = number + 1
        if reply.file is not None:
            sent = await self._bot.send_document(
                chat_id, BufferedInputFile(reply.file.content, filename=reply.file.filename)
            )
            message_id = str(sent.message_id)
        return message_id


class _Progress:
    """The parts of one reply delivered so far, counted from its first."""

    def __init__(self, skip: int) -> None:
        self.skip = skip
        self.delivered = skip


def _failure(recipient: str, trouble: Exception) -> SendFailure | None:
    """The outbox's word for what Telegram answered; None for what is not Telegram's."""
    if isinstance(trouble, render.ButtonTooLong):
        return Rejected(f"button payload over 64 bytes: {trouble}")
    if isinstance(trouble, TelegramRetryAfter):
        return RetryAfter(float(trouble.retry_after))
    if isinstance(trouble, TelegramForbiddenError):
        return Unreachable(trouble.message)
    if isinstance(trouble, TelegramMigrateToChat):
        # A group became a supergroup: its id changed, the configuration must follow.
        log.error(
            "chat %s is now %s; update the configuration", recipient, trouble.migrate_to_chat_id
        )
        return Rejected(trouble.message)
    if isinstance(trouble, (TelegramBadRequest, TelegramEntityTooLarge)):
        if any(sign in trouble.message.lower() for sign in _GONE):
            return Unreachable(trouble.message)
        return Rejected(trouble.message)
    if isinstance(trouble, TelegramUnauthorizedError):
        # Every message fails until the token is fixed; keep them for when it is.
        log.error("Telegram refuses the bot token: %s", trouble.message)
        return Unavailable(trouble.message)
    if isinstance(trouble, (TelegramNetworkError, TelegramAPIError)):
        # Network errors, 5xx, 409: try again later.
        return Unavailable(str(trouble))
    return None
