"""The Telegram webhook: Telegram posts each update with the secret token header."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from handlers.web import MAX_BODY
from handlers.webhook import Handler, UpdateSink, secret_webhook

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram publishes no maximum. An update is one message of at most 4,096 characters with the
# one it replies to, tens of kilobytes at the very most; the body is read only once the secret
# matched, so the general limit costs nothing and leaves Telegram room to grow its updates.
MAX_UPDATE_BYTES = MAX_BODY


def _update_id(payload: Mapping[str, Any]) -> str:
    return str(int(payload["update_id"]))


def webhook_handler(sink: UpdateSink, secret: str) -> Handler:
    return secret_webhook(sink, secret, SECRET_HEADER, _update_id, "Telegram", MAX_UPDATE_BYTES)
