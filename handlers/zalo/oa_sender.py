"""Sending as a Zalo Official Account: consultation messages, with a button template for a
short menu (its taps come back as text carrying the payload) and a numbered menu otherwise;
past the consultation window, a ZNS template when one is configured. What each refusal means
comes from the error tables of handlers/zalo/errors.py."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping

from bot.core.model import Channel, OutboxItem, Reply
from bot.core.sending import (
    ChannelDown,
    OutsideWindow,
    Rejected,
    RetryAfter,
    SendFailure,
    Unavailable,
    Unreachable,
)
from bot.core.text import cut_point
from handlers.zalo import render
from handlers.zalo.errors import OA_ERRORS, ZNS_ERRORS, ErrorCode, Meaning, meaning
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

log = logging.getLogger(__name__)

FLOOD_WAIT_SECONDS = 5.0
TOKEN_WAIT_SECONDS = 60.0
# Sending at night is refused until 06:00: try again each hour rather than compute when.
NIGHT_WAIT_SECONDS = 3600.0
# The OA or the app is not set up for this: every message waits (not counting attempts)
# while the administrators, told, set it right; past the consultation window a waiting
# message goes to the officers' phone.
SETUP_WAIT_SECONDS = 600.0

SetupAlert = Callable[[str], Awaitable[object]]


async def _no_alert(_error: str) -> None:
    return None


class ZaloOaSender:
    channel = Channel.ZALO_OA.value
    only_recipient: str | None = None

    def __init__(
        self, client: ZaloOaClient, tokens: OaTokens, on_setup_error: SetupAlert = _no_alert
    ) -> None:
        self._client = client
        self._tokens = tokens
        self._on_setup_error = on_setup_error

    async def send(self, recipient: str, reply: Reply, *, skip: int = 0) -> str:
        token = await _token(self._tokens)
        last = ""
        delivered = skip
        for text, buttons in _messages(reply)[skip:]:
            try:
                last = await self._client.send(token, recipient, text, buttons)
            except ZaloOaError as refused:
                failure = await _failure(
                    refused, OA_ERRORS, "OA", token, self._tokens, self._on_setup_error
                )
                failure.delivered = delivered
                raise failure from refused
            except NETWORK_ERRORS as trouble:
                failure = Unavailable(f"{type(trouble).__name__}: {trouble}")
                failure.delivered = delivered
                raise failure from trouble
            delivered += 1
        return last


def message_count(reply: Reply) -> int:
    """How many consultation messages carry ``reply``."""
    return len(_messages(reply))


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


async def _failure(
    refused: ZaloOaError,
    table: Mapping[int, ErrorCode],
    api: str,
    token: str,
    tokens: OaTokens,
    on_setup_error: SetupAlert,
) -> SendFailure:
    """What the outbox must do about a refusal of the OA API (``api`` "OA") or of ZNS."""
    if refused.garbled:
        return Unavailable(str(refused))
    said = meaning(table, api, refused.code, refused.status, refused.raw)
    if said is Meaning.TOKEN:
        await tokens.invalidate(token)
        return Unavailable(str(refused))
    if said is Meaning.FLOOD:
        return RetryAfter(FLOOD_WAIT_SECONDS)
    if said is Meaning.LATER:
        return Unavailable(str(refused))
    if said is Meaning.NIGHT:
        return ChannelDown(NIGHT_WAIT_SECONDS, str(refused))
    if said is Meaning.SETUP:
        log.error("Zalo %s refused: the OA or the app is not set up for it: %s", api, refused)
        try:
            await on_setup_error(f"{api} {refused}")
        except Exception:  # the alert is extra: the message's fate must not depend on it
            log.exception("could not tell the administrators about Zalo's refusal")
        if api == "ZNS":
            # ZNS is already the other way: without it, the officers phone the citizen.
            return Rejected(str(refused))
        return ChannelDown(SETUP_WAIT_SECONDS, str(refused))
    if api == "OA" and said in {Meaning.WINDOW, Meaning.QUOTA}:
        return OutsideWindow(str(refused))
    if api == "OA" and said is Meaning.GONE:
        return Unreachable(str(refused))
    # A ZNS the citizen cannot receive, or out of quota: the officers are asked to phone.
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
        on_setup_error: SetupAlert = _no_alert,
    ) -> None:
        self._client = client
        self._tokens = tokens
        self._template_id = template_id
        self._code_param = code_param
        self._text_param = text_param
        self._contact = contact
        self._tell_officers = tell_officers
        self._on_setup_error = on_setup_error

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
            self._text_param: item.reply.text[: cut_point(item.reply.text, 100)],
        }
        token = await _token(self._tokens)
        try:
            return await self._client.send_template(
                token, _zns_phone(phone), self._template_id, data, item.key[:64]
            )
        except ZaloOaError as refused:
            raise await _failure(
                refused, ZNS_ERRORS, "ZNS", token, self._tokens, self._on_setup_error
            ) from refused
        except NETWORK_ERRORS as trouble:
            raise Unavailable(f"{type(trouble).__name__}: {trouble}") from trouble

    async def undeliverable(self, item: OutboxItem) -> None:
        await self._tell_officers(item)


def _zns_phone(e164: str) -> str:
    """ZNS wants 84912345678: the E.164 number registrations keep, without the plus."""
    return e164.lstrip("+")
