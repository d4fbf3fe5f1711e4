"""A small client of the Zalo Official Account Open API v3, its OAuth v4 token endpoint and
ZNS (docs/zalo.md; every URL is configuration).

- Tokens: ``POST {oauth}/v4/oa/access_token``, form-encoded ``refresh_token, app_id,
  grant_type=refresh_token``, header ``secret_key: <app secret>`` → ``access_token``,
  ``refresh_token`` (new: the old one is spent), ``expires_in`` (seconds, as a string).
- Consultation message: ``POST {openapi}/v3.0/oa/message/cs``, header ``access_token``, JSON
  ``{recipient: {user_id}, message: {text[, attachment]}}`` → ``{error: 0, data:
  {message_id}}``; errors are negative codes with a message.
- ZNS: ``POST {business}/message/template``, header ``access_token``, JSON ``{phone,
  template_id, template_data, tracking_id}``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp

from handlers.zalo.numbers import integer

NETWORK_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError, OSError)
# "Giới hạn tối đa là 2.000 ký tự" (the consultation text message's documentation).
TEXT_LIMIT = 2000
# A button template holds a few short buttons; past these, the menu is numbered text.
MAX_BUTTONS = 5
BUTTON_TITLE_LIMIT = 35


class ZaloOaError(Exception):
    """The API answered with an error: ``code`` (negative for the OA API, else the HTTP
    status), its message, and the answer as it came (``raw``), for the log."""

    def __init__(
        self,
        code: int,
        message: str,
        status: int = 200,
        *,
        garbled: bool = False,
        raw: str = "",
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        # Not an answer of the API at all (a proxy's page, a cut-off body): the service is in
        # trouble, which says nothing about the message.
        self.garbled = garbled
        self.raw = raw


@dataclass(frozen=True, slots=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int


@dataclass(frozen=True, slots=True)
class Button:
    title: str
    payload: str


class ZaloOaClient:
    def __init__(
        self,
        *,
        oauth_base_url: str,
        api_base_url: str,
        zns_base_url: str,
        request_timeout: float = 20.0,
    ) -> None:
        self._oauth = oauth_base_url.rstrip("/")
        self._api = api_base_url.rstrip("/")
        self._zns = zns_base_url.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=request_timeout)
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    async def refresh(self, app_id: str, app_secret: str, refresh_token: str) -> TokenPair:
        async with self._http().post(
            f"{self._oauth}/v4/oa/access_token",
            data={
                "refresh_token": refresh_token,
                "app_id": app_id,
                "grant_type": "refresh_token",
            },
            headers={"secret_key": app_secret},
        ) as response:
            answer = await _json(response)
        if "access_token" not in answer or "refresh_token" not in answer:
            raise ZaloOaError(
                integer(answer.get("error"), 0) or -1,
                str(answer.get("error_description") or answer.get("message") or "no tokens"),
                response.status,
                raw=_raw(answer),
            )
        return TokenPair(
            str(answer["access_token"]),
            str(answer["refresh_token"]),
            integer(answer.get("expires_in"), 0),
        )

    async def send(
        self, access_token: str, user_id: str, text: str, buttons: Sequence[Button] = ()
    ) -> str:
        """A consultation message; with ``buttons``, a button template whose taps come back
        as the user's text carrying the button's payload. Returns the message id."""
        message: dict[str, Any] = {"text": text}
        if buttons:
            message = {
                "text": text,
                "attachment": {
                    "type": "template",
                    "payload": {
                        "buttons": [
                            {
                                "title": button.title[:BUTTON_TITLE_LIMIT],
                                "type": "oa.query.show",
                                "payload": button.payload,
                            }
                            for button in buttons
                        ]
                    },
                },
            }
        answer = await self._post(
            f"{self._api}/v3.0/oa/message/cs",
            access_token,
            {"recipient": {"user_id": user_id}, "message": message},
        )
        return _data_field(answer, "message_id")

    async def send_template(
        self,
        access_token: str,
        phone: str,
        template_id: str,
        data: Mapping[str, str],
        tracking_id: str,
    ) -> str:
        """A ZNS message (phone without "+", e.g. 84912345678). Returns the message id."""
        answer = await self._post(
            f"{self._zns}/message/template",
            access_token,
            {
                "phone": phone,
                "template_id": template_id,
                "template_data": dict(data),
                "tracking_id": tracking_id,
            },
        )
        return _data_field(answer, "msg_id")

    async def _post(self, url: str, access_token: str, body: Mapping[str, Any]) -> Any:
        async with self._http().post(
            url, json=dict(body), headers={"access_token": access_token}
        ) as response:
            answer = await _json(response)
        code = integer(answer.get("error"), 0)
        if code != 0 or response.status >= 400:
            raise ZaloOaError(
                code or response.status,
                str(answer.get("message", "")),
                response.status,
                raw=_raw(answer),
            )
        return answer


async def _json(response: aiohttp.ClientResponse) -> Mapping[str, Any]:
    text = await response.text(errors="replace")
    try:
        answer = json.loads(text)
    except ValueError as error:
        raise ZaloOaError(
            response.status, "not JSON", response.status, garbled=True, raw=text[:500]
        ) from error
    if not isinstance(answer, Mapping):
        raise ZaloOaError(
            response.status, "not an API answer", response.status, garbled=True, raw=text[:500]
        )
    return answer


def _data_field(answer: Mapping[str, Any], name: str) -> str:
    """A field of the answer's ``data``, "" when it is not there: the message went."""
    data = answer.get("data")
    value = data.get(name) if isinstance(data, Mapping) else None
    return "" if value is None else str(value)


def _raw(answer: Mapping[str, Any]) -> str:
    return json.dumps(answer, ensure_ascii=False)[:500]
