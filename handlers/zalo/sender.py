"""Sending through the Zalo Bot Platform, its refusals read as the core's send failures.

The platform documents no error codes; its table (handlers/zalo/errors.py) follows HTTP's
meaning, which the status and the ``error_code`` of its answers mirror (docs/zalo.md).
"""

from __future__ import annotations

from bot.core.model import Channel, Reply
from bot.core.sending import Rejected, RetryAfter, SendFailure, Unavailable, Unreachable
from handlers.zalo import render
from handlers.zalo.bot_api import NETWORK_ERRORS, ZaloApiError, ZaloBotClient
from handlers.zalo.errors import BOT_ERRORS, Meaning, meaning

# With no retry_after in its answers, a flood refusal waits this long before the next try.
FLOOD_WAIT_SECONDS = 5.0


class ZaloBotSender:
    channel = Channel.ZALO_BOT.value
    only_recipient: str | None = None

    def __init__(self, client: ZaloBotClient) -> None:
        self._client = client

    async def send(self, recipient: str, reply: Reply, *, skip: int = 0) -> str:
        last = ""
        delivered = skip
        try:
            for text in render.messages(reply)[skip:]:
                last = (await self._client.send_message(recipient, text)).message_id
                delivered += 1
        except ZaloApiError as refused:
            failure = _failure(refused)
            failure.delivered = delivered
            raise failure from refused
        except NETWORK_ERRORS as trouble:
            failure = Unavailable(f"{type(trouble).__name__}: {trouble}")
            failure.delivered = delivered
            raise failure from trouble
        return last


def _failure(refused: ZaloApiError) -> SendFailure:
    code = refused.error_code if refused.error_code >= 400 else refused.status
    said = meaning(
        BOT_ERRORS,
        "Bot Platform",
        code,
        refused.status,
        f"{refused.error_code}: {refused.description}",
        # ok=false with 200 and no code of HTTP's: undocumented, so tried again (a few
        # attempts) rather than lost.
        undocumented=Meaning.LATER,
    )
    if said is Meaning.FLOOD:
        return RetryAfter(FLOOD_WAIT_SECONDS)
    if said is Meaning.GONE:
        return Unreachable(refused.description)
    if said is Meaning.REFUSED:
        return Rejected(refused.description)
    return Unavailable(str(refused))
