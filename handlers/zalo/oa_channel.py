"""A Zalo Official Account, put together: its webhook route (the URL is set once in the Zalo
developer console, not through the API) and its client."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from handlers.receiving import Receiving
from handlers.web import WebServer
from handlers.webhook import UpdateSink
from handlers.zalo.oa_api import ZaloOaClient
from handlers.zalo.oa_events import url_check_handler, webhook_handler

log = logging.getLogger(__name__)


class ZaloOaChannel(Receiving):
    def __init__(
        self,
        client: ZaloOaClient,
        sink: UpdateSink,
        *,
        app_id: str,
        secret_key: str,
        path: str,
        now: Callable[[], datetime],
    ) -> None:
        super().__init__()
        self._now = now
        self.client = client
        self._sink = sink
        self._app_id = app_id
        self._secret_key = secret_key
        self._path = path

    def route(self, web: WebServer) -> None:
        web.add_post(
            self._path, webhook_handler(self._sink, self._app_id, self._secret_key, self._now)
        )
        web.add_get(self._path, url_check_handler())

    def start(self) -> None:
        """Events arrive on the webhook only: nothing to start."""
        if not self._secret_key:
            log.warning(
                "Zalo OA in registration mode: [zalo_oa] secret_key is not set, so the webhook "
                "answers Zalo's URL check and drops every event. Save the webhook URL in the "
                "developer console, copy the OA secret key it then shows into the "
                "configuration, and restart (docs/zalo.md)."
            )

    async def close(self) -> None:
        await self.client.close()
