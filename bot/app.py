"""The composition root: builds every service once from the configuration and wires them."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import time, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Config
from bot.core import schedules, tickets, triage
from bot.core.clock import Clock, SystemClock
from bot.core.content import load_content
from bot.core.deadlines import Deadlines
from bot.core.i18n import Catalogs
from bot.core.model import CalendarOverride, Channel, LeaderRole, Recipient, UnitLevel
from bot.core.ports import OfficerRecord
from bot.core.registrations import BookingRules
from bot.core.reminders import ReminderTimes
from bot.core.sending import Sender
from bot.core.workdays import WorkCalendar
from bot.dialogue import Dialogue, DialogueSettings, PrivacySettings, Services
from bot.outbox import Dispatcher, OutOfWindow, ReplyWindow
from bot.ratelimit import RateLimiter
from bot.records.calendar import DEFAULT_DOMAIN
from bot.records.frequency import DEFAULT_MINIMUMS, Minimum, Per
from storage import migrate
from storage.db import create_engine, durability_warnings
from storage.repositories import SqlStore
from storage.sqlite import SqliteStore, store_for

log = logging.getLogger(__name__)


@dataclass
class App:
    config: Config
    engine: AsyncEngine
    store: SqlStore | SqliteStore
    services: Services
    dialogue: Dialogue

    async def close(self) -> None:
        if isinstance(self.store, SqliteStore):
            self.store.engine.dispose()
        await self.engine.dispose()


def dialogue_settings(config: Config) -> DialogueSettings:
    registration = config.registration
    return DialogueSettings(
        booking=BookingRules(
            zone=config.bot.zone,
            horizon_days=registration.booking_horizon_days,
            min_notice_working_days=registration.min_notice_working_days,
            max_active_per_citizen=registration.max_active_per_citizen,
            deadlines=Deadlines(**config.deadlines.model_dump()),
            repeat_threshold=config.triage.repeat_threshold,
        ),
        summary_max_chars=registration.summary_max_chars,
        schedule_view_days=config.schedule.view_days,
        queue_page_size=config.triage.queue_page_size,
        calendar=calendar_overrides(config),
        reminders=reminder_times(config),
        due_soon_working_days=config.triage.due_soon_working_days,
        officer_groups=officer_groups(config),
        minimums=report_minimums(config),
        monthly_report_to=config.reports.monthly_to,
        monthly_report_time=time.fromisoformat(config.reports.monthly_time),
        calendar_domain=config.open_data.jurisdiction_id or DEFAULT_DOMAIN,
        privacy=PrivacySettings(
            controller=config.privacy.controller,
            contact=config.privacy.contact,
            retention_months=config.privacy.retention_months,
        ),
    )


def officer_groups(config: Config) -> tuple[Recipient, ...]:
    telegram = config.telegram
    if telegram.enabled and telegram.officers_chat_id:
        return (
            Recipient(
                Channel.TELEGRAM.value, telegram.officers_chat_id, config.bot.default_locale
            ),
        )
    return ()


def reminder_times(config: Config) -> ReminderTimes:
    r = config.reminders
    return ReminderTimes(
        zone=config.bot.zone,
        citizen_eve=time.fromisoformat(r.citizen_eve_time),
        citizen_eve_working_days=r.citizen_eve_working_days,
        citizen_morning=time.fromisoformat(r.citizen_morning_time),
        leader_digest=time.fromisoformat(r.leader_digest_time),
        leader_digest_working_days=r.leader_digest_working_days,
        officer_digest=time.fromisoformat(r.officer_digest_time),
    )


def report_minimums(config: Config) -> tuple[Minimum, ...]:
    if not config.reports.minimums:
        return DEFAULT_MINIMUMS
    return tuple(
        Minimum(
            role=LeaderRole(m.role),
            level=UnitLevel(m.level) if m.level else None,
            days=m.days,
            per=Per(m.per),
            valid_from=m.valid_from,
            valid_until=m.valid_until,
            basis=m.basis,
        )
        for m in config.reports.minimums
    )


def calendar_overrides(config: Config) -> tuple[CalendarOverride, ...]:
    return tuple(
        [CalendarOverride(day, working=False, note="config") for day in config.calendar.days_off]
        + [
            CalendarOverride(day, working=True, note="config")
            for day in config.calendar.working_days
        ]
    )


def build(config: Config, clock: Clock | None = None) -> App:
    database = config.database
    engine = create_engine(
        database.url,
        echo=database.echo,
        busy_timeout_ms=database.busy_timeout_ms,
        synchronous=database.sqlite_synchronous,
    )
    store = store_for(
        engine, busy_timeout_ms=database.busy_timeout_ms, synchronous=database.sqlite_synchronous
    )
    locales_dir = config.bot.locales_path
    services = Services(
        store=store,
        catalogs=Catalogs(
            locales_dir, tuple(config.bot.locales), config.bot.default_locale, config.bot.zone
        ),
        content=load_content(locales_dir, tuple(config.bot.locales)),
        clock=clock or SystemClock(),
        settings=dialogue_settings(config),
        new_ticket_code=tickets.new_code,
    )
    return App(config, engine, store, services, Dialogue(services))


def dispatcher(
    app: App,
    senders: Sequence[Sender],
    limiters: Mapping[str, RateLimiter] | None = None,
    *,
    reply_windows: Mapping[str, ReplyWindow] | None = None,
    out_of_window: Mapping[str, OutOfWindow] | None = None,
) -> Dispatcher:
    """The outbox dispatcher of this process, sending through the given channels."""
    outbox = app.config.outbox
    return Dispatcher(
        reply_windows=dict(reply_windows or {}),
        out_of_window=dict(out_of_window or {}),
        store=app.store,
        senders={sender.channel: sender for sender in senders},
        clock=app.services.clock,
        owner=f"{socket.gethostname()}:{os.getpid()}",
        limiters=dict(limiters or {}),
        lease=timedelta(seconds=outbox.lease_seconds),
        max_attempts=outbox.max_attempts,
        retry_first=timedelta(seconds=outbox.retry_first_seconds),
        retry_max=timedelta(seconds=outbox.retry_max_seconds),
    )


async def prepare(app: App) -> None:
    """Everything a start needs before the first message: schema, officers, upcoming sessions."""
    await migrate.upgrade(app.engine)
    for warning in await durability_warnings(app.engine):
        log.warning("%s", warning)
    async with app.store.transaction() as repo:
        await repo.sync_config_officers(
            [
                OfficerRecord(o.channel, o.user_id, o.name, o.role, o.units, o.permissions)
                for o in app.config.officers
            ],
            app.services.clock.now(),
        )
        forbidden = frozenset(app.config.triage.delegation_forbidden_units)
        allowed = frozenset(app.config.triage.delegation_allowed_units)
        await repo.set_delegation_allowed(
            frozenset(
                unit.code
                for unit in await repo.units()
                if triage.delegation_allowed(unit, forbidden, allowed)
            )
        )
    await materialise_sessions(app)


async def materialise_sessions(app: App) -> int:
    """Create the sessions of the coming weeks from the schedule rules (idempotent)."""
    async with app.store.transaction() as repo:
        return await schedules.materialise(
            repo,
            WorkCalendar([*calendar_overrides(app.config), *await repo.calendar_overrides()]),
            app.config.bot.zone,
            app.services.clock.now(),
            app.config.schedule.materialise_days,
        )
