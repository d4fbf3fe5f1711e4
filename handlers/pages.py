"""The public pages over HTTP (bot.records.public_pages renders them):

- ``GET /``: the units;
- ``GET /schedules/<unit code>``: the unit's schedule; ``?embed=1`` for a portal's iframe;
- ``GET /schedules/<unit code>/poster``: the month's notice to print (``?month=YYYY-MM``);
- ``GET /rules``: the rules explainer.

``?lang=en`` for English (the deployment's default language otherwise). Each page has its own
Content-Security-Policy: its one inlined stylesheet by hash, nothing else, no script; framing is
refused (``X-Frame-Options: DENY``, ``frame-ancestors 'none'``) except the embedded schedule
for the origins of ``[web] embed_origins``. ETag and Last-Modified: a client that has the page
gets 304. An unknown unit is a 404 page; a failure is a 500 page, never a traceback.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from aiohttp import web

from bot.core.clock import Clock
from bot.core.i18n import Translator
from bot.records.public_pages import STYLE_HASH, Page, PublicPages
from handlers.web import PAGE_POLICY, PagePolicy, WebServer, document, etag_of

log = logging.getLogger(__name__)

CONTENT_TYPE = "text/html; charset=utf-8"
# A page changes when a session does, or when places are taken: a minute in a cache at most.
MAX_AGE_SECONDS = 60
# How many pages' Last-Modified the server remembers (one per unit, language and variant).
REMEMBERED = 4096


class PublicPageRoutes:
    def __init__(
        self, pages: PublicPages, clock: Clock, embed_origins: Sequence[str] = ()
    ) -> None:
        self._pages = pages
        self._clock = clock
        self._first_seen = FirstSeen(REMEMBERED)
        self._strict = _policy("'none'")
        self._embeddable = _policy(" ".join(embed_origins)) if embed_origins else self._strict

    def route(self, server: WebServer) -> None:
        server.add_get("/", self._index)
        server.add_get("/rules", self._rules)
        server.add_get("/schedules/{unit}", self._schedule)
        server.add_get("/schedules/{unit}/poster", self._poster)

    async def _index(self, request: web.Request) -> web.StreamResponse:
        tr = self._reader(request)
        return await self._answer(request, tr, "index", lambda: self._pages.index(tr, self._now()))

    async def _rules(self, request: web.Request) -> web.StreamResponse:
        tr = self._reader(request)

        async def rules() -> Page:
            return self._pages.rules(tr)

        return await self._answer(request, tr, "rules", rules)

    async def _schedule(self, request: web.Request) -> web.StreamResponse:
        tr = self._reader(request)
        unit = request.match_info["unit"]
        embed = request.query.get("embed") == "1"
        return await self._answer(
            request,
            tr,
            f"schedule {unit} {'embed' if embed else ''}",
            lambda: self._pages.schedule(unit, tr, self._now(), embed=embed),
            policy=self._embeddable if embed else self._strict,
        )

    async def _poster(self, request: web.Request) -> web.StreamResponse:
        tr = self._reader(request)
        unit = request.match_info["unit"]
        month = request.query.get("month")
        return await self._answer(
            request,
            tr,
            f"poster {unit} {month or ''}",
            lambda: self._pages.poster(unit, tr, self._now(), month),
        )

    async def _answer(
        self,
        request: web.Request,
        tr: Translator,
        key: str,
        render: Callable[[], Awaitable[Page]],
        *,
        policy: PagePolicy | None = None,
    ) -> web.StreamResponse:
        try:
            page = await render()
        except Exception:
            # Logged once with its traceback; the reader gets a page that says so in words.
            log.exception("rendering %s failed", request.path)
            return self._plain(self._pages.unavailable(tr), 500)
        if not page.found:
            return self._plain(page, 404)
        since = self._first_seen.since(f"{tr.locale} {key}", page.html, self._now())
        response = document(
            request, page.html, CONTENT_TYPE, max_age=MAX_AGE_SECONDS, last_modified=since
        )
        response[PAGE_POLICY] = policy or self._strict
        return response

    def _plain(self, page: Page, status: int) -> web.Response:
        response = web.Response(
            status=status,
            body=page.html,
            headers={"Content-Type": CONTENT_TYPE, "Cache-Control": "no-store"},
        )
        response[PAGE_POLICY] = self._strict
        return response

    def _reader(self, request: web.Request) -> Translator:
        return self._pages.translator(request.query.get("lang"))

    def _now(self) -> datetime:
        return self._clock.now()


class FirstSeen:
    """When this server first produced each page as it is now: its Last-Modified.

    A page changes with the sessions, with the places taken and with the passing days, so
    there is no one column to read it from; the time its bytes were first seen is honest, and
    only ever later than the change (a restart forgets, which costs a full answer, never a
    wrong 304). Bounded: the least recently asked pages are forgotten first."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._seen: OrderedDict[str, tuple[str, datetime]] = OrderedDict()

    def since(self, key: str, body: bytes, now: datetime) -> datetime:
        tag = etag_of(body)
        found = self._seen.get(key)
        if found is None or found[0] != tag:
            found = (tag, now.replace(microsecond=0))
        self._seen[key] = found
        self._seen.move_to_end(key)
        while len(self._seen) > self._limit:
            self._seen.popitem(last=False)
        return found[1]


def _policy(ancestors: str) -> PagePolicy:
    csp = (
        f"default-src 'none'; style-src '{STYLE_HASH}'; base-uri 'none'; "
        f"form-action 'none'; frame-ancestors {ancestors}"
    )
    return PagePolicy(csp, "DENY" if ancestors == "'none'" else None)
