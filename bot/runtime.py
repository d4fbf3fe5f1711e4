"""``tiepdan run`` with network channels: wires Telegram and the Zalo Bot Platform to the
inbox, the outbox dispatcher, the scheduler and the HTTP server, and stops them in order.

Start: schema and data ready → HTTP server (webhook routes, /healthz, calendar feeds, open
data) → updates left unprocessed by the last run → scheduler (planning and sending start at
once) → receiving.
Stop: receiving first (nothing new is acknowledged) → what was received is processed →
scheduler (a running dispatch finishes) → HTTP server → clients closed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

from bot import scheduler
from bot.app import App, dispatcher, prepare
from bot.core.clock import Clock
from bot.core.model import Channel
from bot.core.sending import Sender
from bot.dialogue import menu
from bot.dialogue.officer import guide
from bot.inbox import Arrival, Inbox
from bot.ratelimit import RateLimiter
from bot.records.calendar import DEFAULT_DOMAIN, FeedSettings
from handlers.calendars import CalendarFeeds
from handlers.open311 import Open311
from handlers.telegram.channel import TelegramChannel, create_bot
from handlers.telegram.commands import CommandMenus, Menus
from handlers.telegram.sender import TelegramSender
from handlers.telegram.updates import to_incoming
from handlers.web import WebServer
from handlers.zalo.bot_api import ZaloBotClient
from handlers.zalo.channel import ZaloBotChannel
from handlers.zalo.sender import ZaloBotSender
from handlers.zalo.updates import to_incoming as zalo_bot_incoming

log = logging.getLogger(__name__)

# An update still unprocessed this long after it arrived was left by a stopped process.
SWEEP_AFTER = timedelta(seconds=60)
SWEEP_EVERY_SECONDS = 60.0
COMMAND_MENUS_EVERY_SECONDS = 600.0


@dataclass
class Running:
    """What ``start`` set going, for ``stop`` and for tests."""

    web: WebServer
    ticks: scheduler.Ticks
    inboxes: list[Inbox] = field(default_factory=list)
    telegram: TelegramChannel | None = None
    zalo_bot: ZaloBotChannel | None = None

    @property
    def channels(self) -> list[TelegramChannel | ZaloBotChannel]:
        return [c for c in (self.telegram, self.zalo_bot) if c is not None]


async def start(app: App) -> Running:
    await prepare(app)
    config = app.config
    clock = app.services.clock

    async def database_ready() -> None:
        async with app.store.transaction() as repo:
            await repo.ping()

    web = WebServer(config.web.host, config.web.port, database_ready)
    if config.open_data.enabled:
        _publish(app, web)
    senders: list[Sender] = []
    limiters: dict[str, RateLimiter] = {}
    telegram: TelegramChannel | None = None
    tg = config.telegram
    bot = create_bot(tg.token.get_secret_value(), tg.api_base_url) if tg.enabled else None
    if bot is not None:
        senders.append(TelegramSender(bot))
        limiters[Channel.TELEGRAM.value] = RateLimiter(
            tg.messages_per_second,
            burst=tg.chat_burst,
            # Group chat ids are negative.
            gap_for=lambda chat: (
                tg.group_chat_gap_seconds if chat.startswith("-") else tg.private_chat_gap_seconds
            ),
        )
    zb = config.zalo_bot
    zalo_client = (
        ZaloBotClient(zb.token.get_secret_value(), zb.api_base_url) if zb.enabled else None
    )
    if zalo_client is not None:
        senders.append(ZaloBotSender(zalo_client))
        limiters[Channel.ZALO_BOT.value] = RateLimiter(
            zb.messages_per_second, burst=zb.chat_burst, gap_for=lambda _chat: zb.chat_gap_seconds
        )
    outbox = dispatcher(app, senders, limiters)
    inboxes: list[Inbox] = []
    periodic: list[scheduler.Periodic] = []
    if bot is not None:
        hooks = _Hooks()
        inbox = Inbox(
            Channel.TELEGRAM.value,
            app.store,
            app.dialogue,
            outbox,
            clock,
            to_incoming,
            concurrency=tg.concurrency,
            on_arrival=hooks.on_arrival,
        )
        telegram = TelegramChannel(
            bot,
            inbox,
            mode=tg.mode,
            poll_timeout=tg.poll_timeout_seconds,
            webhook_url=tg.webhook_url,
            webhook_path=tg.webhook_path,
            webhook_secret=tg.webhook_secret.get_secret_value(),
        )
        hooks.telegram = telegram
        telegram.route(web)
        inboxes.append(inbox)
        menus = CommandMenus(telegram.bot)
        periodic.append(
            scheduler.Periodic(
                "telegram-command-menus",
                lambda: _sync_menus(app, menus),
                COMMAND_MENUS_EVERY_SECONDS,
            )
        )
    zalo_bot: ZaloBotChannel | None = None
    if zalo_client is not None:
        zalo_inbox = Inbox(
            Channel.ZALO_BOT.value,
            app.store,
            app.dialogue,
            outbox,
            clock,
            zalo_bot_incoming,
            concurrency=zb.concurrency,
        )
        zalo_bot = ZaloBotChannel(
            zalo_client,
            zalo_inbox,
            mode=zb.mode,
            poll_timeout=zb.poll_timeout_seconds,
            webhook_url=zb.webhook_url,
            webhook_path=zb.webhook_path,
            webhook_secret=zb.webhook_secret.get_secret_value(),
        )
        zalo_bot.route(web)
        inboxes.append(zalo_inbox)
    periodic += [
        scheduler.Periodic(
            f"{inbox.channel}-inbox-sweep", _sweeper(inbox, clock), SWEEP_EVERY_SECONDS
        )
        for inbox in inboxes
    ]
    await web.start()
    for inbox in inboxes:
        inbox.start()
        # Updates stored by the last run but not processed: theirs is the first turn.
        await inbox.sweep(clock.now())
    ticks = scheduler.build(app, outbox, periodic)
    ticks.start()
    running = Running(web, ticks, inboxes, telegram, zalo_bot)
    for channel in running.channels:
        channel.start()
    log.info("Tiếp Dân is running (HTTP on %s:%s)", config.web.host, web.port)
    return running


async def stop(running: Running) -> None:
    for channel in running.channels:
        await channel.stop_receiving()
    for inbox in running.inboxes:
        await inbox.stop()
    await running.ticks.stop()
    await running.web.stop()
    for channel in running.channels:
        await channel.close()


async def serve(app: App, stopping: asyncio.Event) -> None:
    running = await start(app)
    try:
        await stopping.wait()
    finally:
        await stop(running)


def _publish(app: App, web: WebServer) -> None:
    """The public, read-only routes: calendar feeds and Open311 open data."""
    settings = app.config.open_data
    services = app.services
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


def _sweeper(inbox: Inbox, clock: Clock) -> Callable[[], Awaitable[int]]:
    async def sweep() -> int:
        return await inbox.sweep(clock.now() - SWEEP_AFTER)

    return sweep


@dataclass
class _Hooks:
    telegram: TelegramChannel | None = None

    async def on_arrival(self, arrival: Arrival) -> None:
        if self.telegram is not None:
            await self.telegram.answer_button(arrival.stored.payload)


async def _sync_menus(app: App, menus: CommandMenus) -> None:
    catalogs = app.services.catalogs
    locales = [catalogs.default, *(loc for loc in catalogs.locales if loc != catalogs.default)]
    async with app.store.transaction() as repo:
        officers = await repo.officers(include_former=True)
    telegram = [o for o in officers if o.channel == Channel.TELEGRAM.value and o.user_id.isdigit()]
    await menus.apply(
        Menus(
            citizen={loc: menu.citizen_commands(catalogs.get(loc)) for loc in locales},
            officers={
                o.user_id: guide.command_menu(catalogs.get(catalogs.default), o.role)
                for o in telegram
                if o.active
            },
            former=[o.user_id for o in telegram if not o.active],
        )
    )
