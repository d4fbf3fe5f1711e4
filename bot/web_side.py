"""The web side as ``tiepdan run`` sets it up: the HTTP server with the limits of [web],
/healthz over the database, /metrics (with [web] metrics_token), and the public documents
(the public pages, calendar feeds, open data) when [open_data] is enabled. The network
channels add their webhooks before it starts.

Apart from ``bot.runtime`` so that the console alone can serve it without importing the
network channels' libraries (aiogram alone takes seconds).
"""

from __future__ import annotations

from bot.app import App
from bot.config import Config
from bot.records.calendar import DEFAULT_DOMAIN, FeedSettings
from bot.records.public_pages import PageSettings, PublicPages
from handlers.calendars import CalendarFeeds
from handlers.limits import ClientRateLimit
from handlers.metrics import DatabaseReading, PrometheusMetrics
from handlers.open311 import Open311
from handlers.pages import PublicPageRoutes
from handlers.web import WebServer
from handlers.zalo.oa_events import domain_verification_handler
from storage import gauges

# How to reach a server listening on every address, from the machine it runs on.
_LOCAL_FOR_ANY = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "[::1]"}


def build(app: App, metrics: PrometheusMetrics | None = None) -> WebServer:
    """``metrics``: what the process counts into (``tiepdan run`` gives the one its inbox,
    outbox and scheduler use); without it /metrics has the database's gauges alone."""
    settings = app.config.web

    async def database_ready() -> None:
        async with app.store.transaction() as repo:
            await repo.ping()

    web = WebServer(
        settings.host,
        settings.port,
        database_ready,
        public_limit=ClientRateLimit(settings.public_rate_per_minute, settings.public_burst),
        trust_forwarded_for=settings.trust_forwarded_for,
    )
    clock = app.services.clock

    async def database_gauges() -> DatabaseReading:
        found = await gauges.read(app.engine, clock.now())
        return DatabaseReading(found.outbox, found.inbox_lag_seconds)

    (metrics or PrometheusMetrics()).route(
        web, database_gauges, token=settings.metrics_token.get_secret_value()
    )
    if app.config.open_data.enabled:
        _publish(app, web)
    oa = app.config.zalo_oa
    if oa.domain_verification_file:
        web.add_get(
            f"/{oa.domain_verification_file}",
            domain_verification_handler(oa.domain_verification_content),
        )
    return web


def addresses(config: Config, port: int) -> list[str]:
    """What the operator is told at start: where the server answers, and the public feeds."""
    host = config.web.host
    shown = _LOCAL_FOR_ANY.get(host, f"[{host}]" if ":" in host else host)
    base = f"http://{shown}:{port}"
    told = [f"HTTP server: {base}/healthz", f"Metrics (Prometheus): {base}/metrics"]
    if config.open_data.enabled:
        told += [
            f"Public pages (units, schedules, rules): {base}/",
            f"Schedule of a unit, to print or embed: {base}/schedules/<unit code> "
            f"(/poster, ?embed=1)",
            f"Calendar of a unit and the units below it: {base}/calendar/<unit code>.ics",
            f"Calendar of a leader: {base}/calendar/leader/<leader id or code>.ics",
            f"Open data (Open311): {base}/open311/v2/services.json and "
            f"{base}/open311/v2/requests.json",
        ]
    return told


def _publish(app: App, web: WebServer) -> None:
    """The public, read-only routes: the pages, calendar feeds and Open311 open data."""
    settings = app.config.open_data
    services = app.services
    config = app.config
    pages = PublicPages(
        app.store,
        services.catalogs,
        services.content,
        PageSettings(
            booking=services.settings.booking,
            calendar=services.settings.calendar,
            telegram_username=config.telegram.username,
            zalo_oa_id=config.zalo_oa.oa_id,
            public_url=config.web.public_url,
        ),
    )
    PublicPageRoutes(pages, services.clock, config.web.embed_origins).route(web)
    CalendarFeeds(
        app.store,
        services.catalogs,
        services.clock,
        FeedSettings(
            domain=settings.jurisdiction_id or DEFAULT_DOMAIN,
            days_ahead=settings.calendar_days_ahead,
        ),
    ).route(web)
    Open311(
        app.store, services.catalogs, services.content, services.clock, settings.jurisdiction_id
    ).route(web)
