"""Open data over HTTP in the shape of Open311 GeoReport v2 (JSON only):
``GET /open311/v2/services.json`` and ``GET /open311/v2/requests.json``.

Read-only and without personal data (see ``bot.records.open_data``). Denunciations are not
listed; the ``X-Denunciations-Count`` header of requests.json says how many were registered in
the period asked. Errors are Open311's: a JSON array of ``{"code", "description"}``.
"""

from __future__ import annotations

import json

from aiohttp import web

from bot.core.clock import Clock
from bot.core.content import Content
from bot.core.i18n import Catalogs
from bot.core.ports import Store
from bot.records import open_data
from handlers.web import WebServer, document

CONTENT_TYPE = "application/json; charset=utf-8"
MAX_AGE_SECONDS = 60
COUNT_HEADER = "X-Denunciations-Count"
# Open data is for anyone, browsers on other sites included.
_PUBLIC = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": f"{COUNT_HEADER}, ETag",
}


class Open311:
    def __init__(
        self,
        store: Store,
        catalogs: Catalogs,
        content: Content,
        clock: Clock,
        jurisdiction_id: str,
    ) -> None:
        self._store = store
        self._catalogs = catalogs
        self._content = content
        self._clock = clock
        self._jurisdiction = jurisdiction_id

    def route(self, server: WebServer) -> None:
        server.add_get("/open311/v2/services.json", self._services)
        server.add_get("/open311/v2/requests.json", self._requests)

    async def _services(self, request: web.Request) -> web.StreamResponse:
        if not self._ours(request):
            return _error(404, "jurisdiction_id not found")
        tr = self._catalogs.get(request.query.get("lang"))
        return document(
            request, _json(open_data.services(tr)), CONTENT_TYPE, max_age=3600, headers=_PUBLIC
        )

    async def _requests(self, request: web.Request) -> web.StreamResponse:
        if not self._ours(request):
            return _error(404, "jurisdiction_id not found")
        tr = self._catalogs.get(request.query.get("lang"))
        try:
            query = open_data.parse_query(request.query, self._clock.now(), tr.zone)
        except open_data.BadQuery as bad:
            return _error(400, str(bad))
        found = await open_data.read(self._store, query, tr, self._content)
        return document(
            request,
            _json(found.requests),
            CONTENT_TYPE,
            max_age=MAX_AGE_SECONDS,
            headers={**_PUBLIC, COUNT_HEADER: str(found.denunciations)},
        )

    def _ours(self, request: web.Request) -> bool:
        asked = request.query.get("jurisdiction_id", "").strip().lower()
        return not asked or asked == self._jurisdiction


def _json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _error(status: int, description: str) -> web.Response:
    return web.Response(
        status=status,
        body=_json([{"code": status, "description": description}]),
        headers={"Content-Type": CONTENT_TYPE, **_PUBLIC},
    )
