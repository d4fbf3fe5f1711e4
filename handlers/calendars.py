"""Public calendar feeds over HTTP: ``GET /calendar/<unit code>.ics`` (the unit and every unit
below it) and ``GET /calendar/leader/<id or code>.ics``; ``?lang=en`` for English wording."""

from __future__ import annotations

from aiohttp import web

from bot.core.clock import Clock
from bot.core.i18n import Catalogs
from bot.core.ports import Store
from bot.records import calendar
from handlers.web import WebServer, document

CONTENT_TYPE = "text/calendar; charset=utf-8"
# Calendar apps poll feeds every few hours at most; a short life keeps a change quick to show.
MAX_AGE_SECONDS = 300


class CalendarFeeds:
    def __init__(
        self, store: Store, catalogs: Catalogs, clock: Clock, settings: calendar.FeedSettings
    ) -> None:
        self._store = store
        self._catalogs = catalogs
        self._clock = clock
        self._settings = settings

    def route(self, server: WebServer) -> None:
        server.add_get("/calendar/leader/{leader}.ics", self._leader)
        server.add_get("/calendar/{unit}.ics", self._unit)

    async def _unit(self, request: web.Request) -> web.StreamResponse:
        body = await calendar.unit_feed(
            self._store,
            request.match_info["unit"],
            self._catalogs.get(request.query.get("lang")),
            self._settings,
            self._clock.now(),
        )
        return self._answer(request, body)

    async def _leader(self, request: web.Request) -> web.StreamResponse:
        body = await calendar.leader_feed(
            self._store,
            request.match_info["leader"],
            self._catalogs.get(request.query.get("lang")),
            self._settings,
            self._clock.now(),
        )
        return self._answer(request, body)

    @staticmethod
    def _answer(request: web.Request, body: bytes | None) -> web.StreamResponse:
        if body is None:
            raise web.HTTPNotFound()
        return document(request, body, CONTENT_TYPE, max_age=MAX_AGE_SECONDS)
