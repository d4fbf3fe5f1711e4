"""Sending as a Zalo Official Account: consultation messages, with a button template for a
short menu (its taps come back as text carrying the payload) and a numbered menu otherwise;
past the consultation window, a ZNS template when one is configured."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from bot.core.model import Channel, OutboxItem, Reply
from bot.core.sending import ChannelDown, Rejected, RetryAfter, Unavailable
from handlers.zalo import render
from handlers.zalo.oa_api import (
    BUTTON_TITLE_LIMIT,
    MAX_BUTTONS,
    NETWORK_ERRORS,
    TEXT_LIMIT,
    Button,
    ZaloOaClient,
    ZaloOaError,
)
from handlers.zalo.oa_tokens import OaTokens, TokenUnavailable

# The OA API's code for too many requests (caresoft's table of OA error codes).
FLOOD_CODE = -32
FLOOD_WAIT_SECONDS = 5.0
TOKEN_WAIT_SECONDS = 60.0


class ZaloOaSender:
    channel = Channel.ZALO_OA.value
    only_recipient: str | None = None

    def __init__(self, client: ZaloOaClient, tokens: OaTokens) -> None:
        self._client = client
        self._tokens = tokens

    async def send(self, recipient: str, reply: Reply) -> str:
        token = await _token(self._tokens)
        last = ""
        for text, buttons in _messages(reply):
            try:
                last = await self._client.send(token, recipient, text, buttons)
            except ZaloOaError as refused:
                if refused.bad_token:
                    await self._tokens.invalidate(token)
                raise _failure(refused) from refused
            except NETWORK_ERRORS as trouble:
                raise Unavailable(f"{type(trouble).__name__}: {trouble}") from trouble
        return last


def _messages(reply: Reply) -> list[tuple[str, tuple[Button, ...]]]:
    short = 0 < len(reply.choices) <= MAX_BUTTONS and all(
        len(c.label) <= BUTTON_TITLE_LIMIT for c in reply.choices
    )
    if not short:
        return [(text, ()) for text in render.messages(reply, TEXT_LIMIT)]
    texts = render.messages(Reply(reply.text), TEXT_LIMIT)
    buttons = tuple(Button(c.label, c.payload) for c in reply.choices)
    return [(text, ()) for text in texts[:-1]] + [(texts[-1], buttons)]


async def _token(tokens: OaTokens) -> str:
    try:
        return await tokens.access_token()
    except TokenUnavailable as missing:
        # The channel is down, not the message wrong: it waits without using up its
        # attempts (the administrators were told).
        raise ChannelDown(TOKEN_WAIT_SECONDS, str(missing)) from missing


def _failure(refused: ZaloOaError) -> Exception:
    if refused.bad_token or refused.garbled or refused.status >= 500:
        return Unavailable(str(refused))
    if refused.code == FLOOD_CODE or refused.status == 429:
        return RetryAfter(FLOOD_WAIT_SECONDS)
    return Rejected(str(refused))


class ZnsFallback:
    """Past the window: the ZNS template, to the phone of the citizen's newest registration,
    with its code and the start of the message; without a template, nothing (the officers
    are then asked to phone)."""

    def __init__(
        self,
        client: ZaloOaClient,
        tokens: OaTokens,
        *,
        template_id: str,
        code_param: str,
        text_param: str,
        contact: Callable[[OutboxItem], Awaitable[tuple[str, str] | None]],
        tell_officers: Callable[[OutboxItem], Awaitable[object]],
    ) -> None:
        self._client = client
        self._tokens = tokens
        self._template_id = template_id
        self._code_param = code_param
        self._text_param = text_param
        self._contact = contact
        self._tell_officers = tell_officers

    async def deliver(self, item: OutboxItem) -> str | None:
        if not self._template_id:
            return None
        found = await self._contact(item)
        if found is None:
            return None
        phone, code = found
        data: Mapping[str, str] = {
            self._code_param: code,
            # ZNS template parameters are short; the whole message is in the chat later.
            self._text_param: item.reply.text[:100],
        }
        token = await _token(self._tokens)
        try:
            return await self._client.send_template(
                token, _zns_phone(phone), self._template_id, data, item.key[:64]
            )
        except ZaloOaError as refused:
            if refused.bad_token:
                await self._tokens.invalidate(token)
            raise _failure(refused) from refused
        except NETWORK_ERRORS as trouble:
            raise Unavailable(f"{type(trouble).__name__}: {trouble}") from trouble

    async def undeliverable(self, item: OutboxItem) -> None:
        await self._tell_officers(item)


def _zns_phone(e164: str) -> str:
    """ZNS wants 84912345678: the E.164 number registrations keep, without the plus."""
    return e164.lstrip("+")
