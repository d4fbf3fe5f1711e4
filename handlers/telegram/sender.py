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
from bot.core.sending import Rejected, RetryAfter, Unavailable, Unreachable
from handlers.telegram import render

log = logging.getLogger(__name__)

# Bad requests that mean the chat is gone for good, not that the message is wrong.
_GONE = ("chat not found", "user is deactivated", "bot was kicked", "peer_id_invalid")


class TelegramSender:
    channel = Channel.TELEGRAM.value
    only_recipient: str | None = None

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def send(self, recipient: str, reply: Reply) -> str:
        try:
            return await self._send(int(recipient), reply)
        except render.ButtonTooLong as bug:
            raise Rejected(f"button payload over 64 bytes: {bug}") from bug
        except TelegramRetryAfter as wait:
            raise RetryAfter(float(wait.retry_after)) from wait
        except TelegramForbiddenError as blocked:
            raise Unreachable(blocked.message) from blocked
        except TelegramMigrateToChat as moved:
            # A group became a supergroup: its id changed, the configuration must follow.
            log.error(
                "chat %s is now %s; update the configuration", recipient, moved.migrate_to_chat_id
            )
            raise Rejected(moved.message) from moved
        except (TelegramBadRequest, TelegramEntityTooLarge) as refused:
            if any(sign in refused.message.lower() for sign in _GONE):
                raise Unreachable(refused.message) from refused
            raise Rejected(refused.message) from refused
        except TelegramUnauthorizedError as revoked:
            # Every message fails until the token is fixed; keep them for when it is.
            log.error("Telegram refuses the bot token: %s", revoked.message)
            raise Unavailable(revoked.message) from revoked
        except (TelegramNetworkError, TelegramAPIError) as trouble:
            # Network errors, 5xx, 409: try again later.
            raise Unavailable(str(trouble)) from trouble

    async def _send(self, chat_id: int, reply: Reply) -> str:
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
        for part in parts:
            sent = await self._bot.send_message(
                chat_id, part.html, parse_mode="HTML", reply_markup=part.markup
            )
            message_id = str(sent.message_id)
        if reply.file is not None:
            sent = await self._bot.send_document(
                chat_id, BufferedInputFile(reply.file.content, filename=reply.file.filename)
            )
            message_id = str(sent.message_id)
        return message_id
