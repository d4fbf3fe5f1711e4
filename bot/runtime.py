"""``tiepdan run`` with network channels: wires Telegram (and later Zalo) to the inbox, the
outbox dispatcher, the scheduler and the HTTP server, and stops them in the right order.

Start: schema and data ready → HTTP server (webhook routes, /healthz) → updates left unprocessed
by the last run → scheduler (planning and sending start at once) → receiving.
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
from handlers.telegram.channel import TelegramChannel, create_bot
from handlers.telegram.commands import CommandMenus, Menus
from handlers.telegram.sender import TelegramSender
from handlers.telegram.updates import to_incoming
from handlers.web import WebServer

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


async def start(app: App) -> Running:
    await prepare(app)
    config = app.config
    clock = app.services.clock

    async def database_ready() -> None:
        async with app.store.transaction() as repo:
            await repo.ping()

    web = WebServer(config.web.host, config.web.port, database_ready)
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
    if telegram is not None:
        telegram.start()
    log.info("Tiếp Dân is running (HTTP on %s:%s)", config.web.host, web.port)
    return Running(web, ticks, inboxes, telegram)


async def stop(running: Running) -> None:
    if running.telegram is not None:
        await running.telegram.stop_receiving()
    for inbox in running.inboxes:
        await inbox.stop()
    await running.ticks.stop()
    await running.web.stop()
    if running.telegram is not None:
        await running.telegram.close()


async def serve(app: App, stopping: asyncio.Event) -> None:
    running = await start(app)
    try:
        await stopping.wait()
    finally:
        await stop(running)


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
