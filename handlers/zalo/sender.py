"""Sending through the Zalo Bot Platform, its refusals read as the core's send failures.

The platform documents no error codes; these follow HTTP's meaning, which the status and the
``error_code`` of its answers mirror (docs/zalo.md).
"""

from __future__ import annotations

from bot.core.model import Channel, Reply
from bot.core.sending import Rejected, RetryAfter, Unavailable, Unreachable
from handlers.zalo import render
from handlers.zalo.bot_api import NETWORK_ERRORS, ZaloApiError, ZaloBotClient

# With no retry_after in its answers, a flood refusal waits this long before the next try.
FLOOD_WAIT_SECONDS = 5.0


class ZaloBotSender:
    channel = Channel.ZALO_BOT.value
    only_recipient: str | None = None

    def __init__(self, client: ZaloBotClient) -> None:
        self._client = client

    async def send(self, recipient: str, reply: Reply) -> str:
        last = ""
        try:
            for text in render.messages(reply):
                last = (await self._client.send_message(recipient, text)).message_id
        except ZaloApiError as refused:
            raise _failure(refused) from refused
        except NETWORK_ERRORS as trouble:
            raise Unavailable(f"{type(trouble).__name__}: {trouble}") from trouble
        return last


def _failure(refused: ZaloApiError) -> Exception:
    code = refused.error_code if refused.error_code >= 400 else refused.status
    if code == 429:
        return RetryAfter(FLOOD_WAIT_SECONDS)
    if code == 403:
        return Unreachable(refused.description)
    if code in {400, 404, 413}:
        return Rejected(refused.description)
    # 401 (a token being replaced), 5xx and anything unknown: try again later.
    return Unavailable(str(refused))
