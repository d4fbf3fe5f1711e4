"""The Telegram webhook: Telegram posts each update with the secret token header."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from handlers.webhook import Handler, UpdateSink, secret_webhook

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def _update_id(payload: Mapping[str, Any]) -> str:
    return str(int(payload["update_id"]))


def webhook_handler(sink: UpdateSink, secret: str) -> Handler:
    return secret_webhook(sink, secret, SECRET_HEADER, _update_id, "Telegram")
