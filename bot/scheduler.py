"""APScheduler wiring only: ticks that call jobs of the application. Jobs live in memory and
are rebuilt at every start; everything they act on is in the database."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.app import App, materialise_sessions
from bot.dialogue import planner
from bot.outbox import Dispatcher

log = logging.getLogger(__name__)


def build(app: App, dispatcher: Dispatcher | None = None) -> AsyncIOScheduler:
    zone = app.config.bot.zone
    reminders = app.config.reminders
    scheduler = AsyncIOScheduler(timezone=zone)
    _add(
        scheduler,
        "materialise-sessions",
        lambda: materialise_sessions(app),
        CronTrigger(hour=0, minute=5, timezone=zone),
        # A machine asleep at 00:05 still extends the schedule when it wakes that day.
        grace=12 * 3600,
    )
    _add(
        scheduler,
        "plan-messages",
        lambda: planner.plan(app.services, app.services.clock.now()),
        IntervalTrigger(seconds=reminders.plan_every_seconds, timezone=zone),
        grace=reminders.plan_every_seconds,
    )
    if dispatcher is not None:
        _add(
            scheduler,
            "dispatch-outbox",
            dispatcher.tick,
            IntervalTrigger(seconds=reminders.dispatch_every_seconds, timezone=zone),
            grace=reminders.dispatch_every_seconds,
        )
    return scheduler


def _add(
    scheduler: AsyncIOScheduler,
    job_id: str,
    job: Callable[[], Awaitable[object]],
    trigger: object,
    grace: int,
) -> None:
    async def run() -> None:
        try:
            await job()
        except Exception:
            # The next tick tries again; the database still holds everything to do.
            log.exception("scheduled job %s failed", job_id)

    scheduler.add_job(
        run, trigger, id=job_id, coalesce=True, max_instances=1, misfire_grace_time=grace
    )
