"""``tiepdan run`` with network channels: wires Telegram and the Zalo Bot Platform to the
inbox, the outbox dispatcher, the scheduler and the HTTP server, and stops them in order.

Start: schema and data ready → HTTP server (webhook routes, /healthz, calendar feeds, open
data: ``bot.web_side``) → updates left unprocessed by the last run → scheduler (planning and
sending start at once) → receiving.
Stop: receiving first (nothing new is acknowledged) → what was received is processed →
scheduler (a running dispatch finishes its current send and hands the rest back) → HTTP
server → clients closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from aiogram import Bot

from bot import scheduler, web_side
from bot.app import App, dispatcher, prepare
from bot.core.clock import Clock
from bot.core.i18n import Translator
from bot.core.model import Channel, Incoming, OutboxItem, RegistrationView
from bot.core.sending import Sender
from bot.dialogue import alerts, menu
from bot.dialogue.officer import guide
from bot.inbox import Arrival, Inbox
from bot.metrics import Metrics
from bot.outbox import Dispatcher, ReplyWindow
from bot.ratelimit import HEADROOM, RateLimiter
from handlers.metrics import PrometheusMetrics
from handlers.telegram.channel import TelegramChannel, create_bot
from handlers.telegram.commands import CommandMenus, Menus
from handlers.telegram.sender import TelegramSender
from handlers.telegram.updates import to_incoming
from handlers.web import WebServer
from handlers.zalo.bot_api import ZaloBotClient
from handlers.zalo.channel import ZaloBotChannel
from handlers.zalo.oa_api import ZaloOaClient
from handlers.zalo.oa_channel import ZaloOaChannel
from handlers.zalo.oa_events import to_incoming as zalo_oa_incoming
from handlers.zalo.oa_sender import ZaloOaSender, ZnsFallback
from handlers.zalo.oa_sender import message_count as oa_message_count
from handlers.zalo.oa_tokens import OaTokens, TokenUnavailable
from handlers.zalo.sender import ZaloBotSender
from handlers.zalo.updates import to_incoming as zalo_bot_incoming

log = logging.getLogger(__name__)

# An update still unprocessed this long after it arrived was left by a stopped process.
SWEEP_AFTER = timedelta(seconds=60)
SWEEP_EVERY_SECONDS = 60.0
COMMAND_MENUS_EVERY_SECONDS = 600.0
# The OA token is checked this often and renewed ahead of its expiry.
TOKEN_CHECK_EVERY_SECONDS = 300.0


@dataclass
class Running:
    """What ``start`` set going, for ``stop`` and for tests."""

    web: WebServer
    ticks: scheduler.Ticks
    outbox: Dispatcher
    inboxes: list[Inbox] = field(default_factory=list)
    telegram: TelegramChannel | None = None
    zalo_bot: ZaloBotChannel | None = None
    zalo_oa: ZaloOaChannel | None = None
    metrics: PrometheusMetrics = field(default_factory=PrometheusMetrics)

    @property
    def channels(self) -> list[TelegramChannel | ZaloBotChannel | ZaloOaChannel]:
        return [c for c in (self.telegram, self.zalo_bot, self.zalo_oa) if c is not None]


async def start(app: App) -> Running:
    await prepare(app)
    config = app.config
    clock = app.services.clock
    # What the inbox, the outbox and the scheduler count; served at /metrics.
    metrics = PrometheusMetrics()
    web = web_side.build(app, metrics)
    sending = _Sending.build(app, metrics)
    oa = sending.zalo_oa
    outbox = dispatcher(
        app,
        sending.senders,
        sending.limiters,
        reply_windows=(
            {
                Channel.ZALO_OA.value: ReplyWindow(
                    timedelta(hours=config.zalo_oa.consultation_window_hours),
                    free_messages=config.zalo_oa.free_replies_per_window,
                    messages=oa_message_count,
                    pack=True,
                )
            }
            if oa
            else {}
        ),
        out_of_window={Channel.ZALO_OA.value: oa.fallback} if oa else {},
    )
    outbox.metrics = metrics
    inboxes: list[Inbox] = []
    periodic: list[scheduler.Periodic] = []
    telegram: TelegramChannel | None = None
    if sending.bot is not None:
        tg = config.telegram
        hooks = _Hooks()
        inbox = _inbox(app, outbox, Channel.TELEGRAM, to_incoming, tg.concurrency, metrics, hooks)
        telegram = TelegramChannel(
            sending.bot,
            inbox,
            mode=tg.mode,
            poll_timeout=tg.poll_timeout_seconds,
            webhook_url=tg.webhook_url,
            webhook_path=tg.webhook_path,
            webhook_secret=tg.webhook_secret.get_secret_value(),
        )
        hooks.telegram = telegram
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
    if sending.zalo_client is not None:
        zb = config.zalo_bot
        inbox = _inbox(app, outbox, Channel.ZALO_BOT, zalo_bot_incoming, zb.concurrency, metrics)
        zalo_bot = ZaloBotChannel(
            sending.zalo_client,
            inbox,
            mode=zb.mode,
            poll_timeout=zb.poll_timeout_seconds,
            webhook_url=zb.webhook_url,
            webhook_path=zb.webhook_path,
            webhook_secret=zb.webhook_secret.get_secret_value(),
        )
        inboxes.append(inbox)
    zalo_oa: ZaloOaChannel | None = None
    if oa is not None:
        settings = config.zalo_oa
        inbox = _inbox(
            app, outbox, Channel.ZALO_OA, zalo_oa_incoming, settings.concurrency, metrics
        )
        zalo_oa = ZaloOaChannel(
            oa.client,
            inbox,
            app_id=settings.app_id,
            secret_key=settings.secret_key.get_secret_value(),
            path=settings.webhook_path,
            now=app.services.clock.now,
        )
        inboxes.append(inbox)
        periodic.append(
            scheduler.Periodic("zalo-oa-token", _renewer(oa.tokens), TOKEN_CHECK_EVERY_SECONDS)
        )
    periodic += [
        scheduler.Periodic(
            f"{inbox.channel}-inbox-sweep", _sweeper(inbox, clock), SWEEP_EVERY_SECONDS
        )
        for inbox in inboxes
    ]
    for channel in (telegram, zalo_bot, zalo_oa):
        if channel is not None:
            channel.route(web)
    await web.start()
    await _take_back_what_the_last_run_held(app, outbox)
    for inbox in inboxes:
        inbox.start()
        # Updates stored by the last run but not processed: theirs is the first turn.
        await inbox.sweep(clock.now())
    ticks = scheduler.build(app, outbox, periodic, metrics)
    ticks.start()
    running = Running(web, ticks, outbox, inboxes, telegram, zalo_bot, zalo_oa, metrics)
    for channel in running.channels:
        channel.start()
    log.info("Tiếp Dân is running (HTTP on %s:%s)", config.web.host, web.port)
    for line in web_side.addresses(config, web.port):
        log.info("%s", line)
    return running


async def stop(running: Running) -> None:
    for channel in running.channels:
        await channel.stop_receiving()
    for inbox in running.inboxes:
        await inbox.stop()
    # A burst of reminders may be going out for minutes: it stops after the current send.
    running.outbox.stop()
    await running.ticks.stop()
    await running.web.stop()
    for channel in running.channels:
        await channel.close()


def _settle_the_heap() -> None:
    """Leave what start-up built out of the garbage collector's full passes.

    The libraries and the app leave about 280,000 objects that live as long as the process.
    Each full collection walked them all: measured under a flood of new users, collections took
    an eighth of the process's time, about a tenth of a second each for the full ones; frozen,
    a fiftieth. No collection first: one found nothing to free after start-up and took 0.2 s
    that the first citizen would wait. Frozen objects are still freed when their last
    reference goes; only a cycle among them would stay.
    """
    gc.freeze()


async def serve(app: App, stopping: asyncio.Event) -> None:
    running = await start(app)
    _settle_the_heap()
    try:
        await stopping.wait()
    finally:
        await stop(running)


@dataclass
class _Sending:
    """The channels' clients, senders and flood limits: the dispatcher needs them before
    the channels can be put together."""

    senders: list[Sender] = field(default_factory=list)
    limiters: dict[str, RateLimiter] = field(default_factory=dict)
    bot: Bot | None = None
    zalo_client: ZaloBotClient | None = None
    zalo_oa: _ZaloOa | None = None

    @classmethod
    def build(cls, app: App, metrics: Metrics) -> _Sending:
        config = app.config
        sending = cls()
        tg, zb, oa = config.telegram, config.zalo_bot, config.zalo_oa
        if tg.enabled:
            sending.bot = create_bot(tg.token.get_secret_value(), tg.api_base_url)
            sending.add(
                TelegramSender(sending.bot),
                RateLimiter(
                    tg.messages_per_second * HEADROOM,
                    burst=tg.chat_burst,
                    # Group chat ids are negative.
                    gap_for=lambda chat: (
                        tg.group_chat_gap_seconds
                        if chat.startswith("-")
                        else tg.private_chat_gap_seconds
                    ),
                ),
            )
        if zb.enabled:
            sending.zalo_client = ZaloBotClient(zb.token.get_secret_value(), zb.api_base_url)
            sending.add(
                ZaloBotSender(sending.zalo_client),
                RateLimiter(
                    zb.messages_per_second * HEADROOM,
                    burst=zb.chat_burst,
                    gap_for=lambda _chat: zb.chat_gap_seconds,
                ),
            )
        if oa.enabled:
            sending.zalo_oa = _zalo_oa(app, metrics)
            sending.add(
                sending.zalo_oa.sender,
                RateLimiter(
                    oa.messages_per_second * HEADROOM,
                    burst=oa.chat_burst,
                    gap_for=lambda _chat: oa.chat_gap_seconds,
                ),
            )
        return sending

    def add(self, sender: Sender, limiter: RateLimiter) -> None:
        self.senders.append(sender)
        self.limiters[sender.channel] = limiter


def _inbox(
    app: App,
    outbox: Dispatcher,
    channel: Channel,
    incoming: Callable[[Mapping[str, Any]], Incoming | None],
    concurrency: int,
    metrics: Metrics,
    hooks: _Hooks | None = None,
) -> Inbox:
    return Inbox(
        channel.value,
        app.store,
        app.dialogue,
        outbox,
        app.services.clock,
        incoming,
        # SQLite has one writer: batches follow one another. PostgreSQL's round trips overlap.
        loops=1 if app.engine.dialect.name == "sqlite" else concurrency,
        on_arrival=hooks.on_arrival if hooks else None,
        metrics=metrics,
    )


@dataclass(frozen=True)
class _ZaloOa:
    client: ZaloOaClient
    tokens: OaTokens
    sender: ZaloOaSender
    fallback: ZnsFallback


def _zalo_oa(app: App, metrics: Metrics) -> _ZaloOa:
    settings = app.config.zalo_oa
    services = app.services
    client = ZaloOaClient(
        oauth_base_url=settings.oauth_base_url,
        api_base_url=settings.api_base_url,
        zns_base_url=settings.zns_base_url,
    )

    async def tell_admins(topic: str, text: Callable[[Translator], str]) -> None:
        now = services.clock.now()
        async with app.store.transaction() as repo:
            # Once an hour at most for each topic, however many messages are waiting.
            key = f"zalo-oa-{topic}:{now:%Y%m%d%H}"
            await alerts.tell_admins(repo, services, text, key, now)

    async def token_failed(error: str) -> None:
        # Every failure oa_tokens reports, alerted on (docs/operations.md, "Monitoring").
        metrics.token_refresh_failed(Channel.ZALO_OA.value)
        await tell_admins(
            "token",
            lambda tr: tr._(
                "⚠️ The Zalo Official Account could not renew its access token ({error}). "
                "Messages to citizens on Zalo OA wait until it works again; if this goes on, "
                "authorise the app again and set a new refresh token.",
                error=error[:200],
            ),
        )

    async def setup_failed(error: str) -> None:
        await tell_admins(
            "setup",
            lambda tr: tr._(
                "⚠️ Zalo refused to send for the Official Account ({error}): the OA or the "
                "app is not set up for it in Zalo's consoles. Messages to citizens on Zalo OA "
                "wait until it is set right; those that wait past the consultation window go "
                "to the officers to phone.",
                error=error[:200],
            ),
        )

    tokens = OaTokens(
        client,
        app.store,
        services.clock,
        app_id=settings.app_id,
        app_secret=settings.app_secret.get_secret_value(),
        first_refresh_token=settings.refresh_token.get_secret_value(),
        renew_before=timedelta(minutes=settings.renew_before_minutes),
        on_failure=token_failed,
    )

    async def concerned(item: OutboxItem) -> RegistrationView | None:
        """The registration the message is about (its guard says so), else the citizen's
        newest."""
        async with app.store.transaction() as repo:
            guarded = (item.guard or {}).get("registration")
            if guarded is not None:
                found = await repo.registration_by_id(int(str(guarded)))
                if found is not None:
                    return found
            return await repo.latest_registration_of_chat(item.channel, item.recipient)

    async def contact(item: OutboxItem) -> tuple[str, str] | None:
        found = await concerned(item)
        return (found.phone, found.code) if found and found.phone else None

    async def phone_instead(item: OutboxItem) -> None:
        registration = await concerned(item)
        async with app.store.transaction() as repo:
            await alerts.phone_the_citizen(
                repo, services, registration, f"{item.key}:phone", services.clock.now()
            )

    fallback = ZnsFallback(
        client,
        tokens,
        template_id=settings.zns_template_id,
        code_param=settings.zns_code_param,
        text_param=settings.zns_text_param,
        contact=contact,
        tell_officers=phone_instead,
        on_setup_error=setup_failed,
    )
    return _ZaloOa(client, tokens, ZaloOaSender(client, tokens, setup_failed), fallback)


def _renewer(tokens: OaTokens) -> Callable[[], Awaitable[object]]:
    async def renew() -> None:
        # On failure the administrators were told; the next check tries again.
        with contextlib.suppress(TokenUnavailable):
            await tokens.access_token()

    return renew


async def _take_back_what_the_last_run_held(app: App, outbox: Dispatcher) -> None:
    """SQLite has one process at a time: what the last run held, nobody holds any more."""
    if app.engine.dialect.name == "sqlite":
        taken = await outbox.take_back()
        if taken:
            log.info("%d outgoing message(s) left held by the last run are due again", taken)


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
