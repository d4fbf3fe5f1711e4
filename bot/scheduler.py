"""APScheduler wiring only: ticks that call jobs of the application. Jobs live in memory and
are rebuilt at every start; everything they act on is in the database."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from apscheduler.job import Job
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.app import App, materialise_sessions
from bot.core import privacy
from bot.core.clock import machine_now
from bot.core.ports import StoreUnavailable
from bot.dialogue import planner, report_delivery
from bot.metrics import NO_METRICS, Metrics
from bot.outbox import Dispatcher

log = logging.getLogger(__name__)
# How long a stop waits for a job under way (a dispatch round, a planning pass) to finish.
STOP_GRACE_SECONDS = 15.0


class Ticks:
    """The scheduler and the jobs running right now, so a stop lets them finish their
    transaction instead of cancelling them half-way."""

    def __init__(self, scheduler: AsyncIOScheduler, metrics: Metrics = NO_METRICS) -> None:
        self.scheduler = scheduler
        self.running: set[asyncio.Task[object]] = set()
        # Each job's runs and failures.
        self.metrics = metrics

    def start(self, paused: bool = False) -> None:
        self.scheduler.start(paused=paused)

    def get_job(self, job_id: str) -> Job | None:
        return self.scheduler.get_job(job_id)

    async def stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        if not self.scheduler.running:
            return
        self.scheduler.pause()
        if self.running:
            _done, late = await asyncio.wait(set(self.running), timeout=grace)
            if late:
                log.warning("stopping with %d scheduled job(s) still running", len(late))
        self.scheduler.shutdown(wait=False)
        # AsyncIOScheduler.shutdown is scheduled on the loop; let it happen before returning.
        await asyncio.sleep(0)


@dataclass(frozen=True)
class Periodic:
    """A job of a channel or of the inbox, run every ``seconds`` from the start."""

    job_id: str
    job: Callable[[], Awaitable[object]]
    seconds: float


# Processed updates are kept this long: past it, no channel redelivers an update.
INBOX_KEPT = timedelta(days=7)


def build(
    app: App,
    dispatcher: Dispatcher | None = None,
    periodic: Sequence[Periodic] = (),
    metrics: Metrics = NO_METRICS,
) -> Ticks:
    zone = app.config.bot.zone
    reminders = app.config.reminders
    ticks = Ticks(AsyncIOScheduler(timezone=zone), metrics)
    add(
        ticks,
        "materialise-sessions",
        lambda: materialise_sessions(app),
        CronTrigger(hour=0, minute=5, timezone=zone),
        # A machine asleep at 00:05 still extends the schedule when it wakes that day.
        grace=12 * 3600,
    )
    add(
        ticks,
        "plan-messages",
        lambda: planner.plan(app.services, app.services.clock.now()),
        IntervalTrigger(seconds=reminders.plan_every_seconds, timezone=zone),
        grace=reminders.plan_every_seconds,
        # What fell due while the process was down goes out at start, not a tick later.
        first_run=machine_now(),
    )
    monthly = app.services.settings.monthly_report_time
    add(
        ticks,
        "monthly-report",
        lambda: report_delivery.send_monthly(app.services, app.services.clock.now()),
        CronTrigger(hour=monthly.hour, minute=monthly.minute, timezone=zone),
        grace=12 * 3600,
        # A start later in the morning of the first working day still sends it.
        first_run=machine_now(),
    )
    add(
        ticks,
        "purge-inbox",
        lambda: _purge_inbox(app),
        CronTrigger(hour=0, minute=20, timezone=zone),
        grace=12 * 3600,
    )
    add(
        ticks,
        "erase-past-retention",
        lambda: _erase_past_retention(app),
        CronTrigger(hour=0, minute=35, timezone=zone),
        grace=12 * 3600,
    )
    for extra in periodic:
        add(
            ticks,
            extra.job_id,
            extra.job,
            IntervalTrigger(seconds=extra.seconds, timezone=zone),
            grace=max(1, int(extra.seconds)),
            first_run=machine_now(),
        )
    if dispatcher is not None:
        add(
            ticks,
            "dispatch-outbox",
            dispatcher.tick,
            IntervalTrigger(seconds=app.config.outbox.dispatch_every_seconds, timezone=zone),
            grace=max(1, int(app.config.outbox.dispatch_every_seconds)),
            first_run=machine_now(),
        )
    return ticks


async def _erase_past_retention(app: App) -> int:
    """[privacy] retention_months: closed registrations past it lose their personal fields."""
    months = app.services.settings.privacy.retention_months
    now = app.services.clock.now()
    today = now.astimezone(app.config.bot.zone).date()
    async with app.store.transaction() as repo:
        return await privacy.erase_past_retention(repo, now, today, months)


async def _purge_inbox(app: App) -> int:
    async with app.store.transaction() as repo:
        return await repo.purge_updates(app.services.clock.now() - INBOX_KEPT)


def add(
    ticks: Ticks,
    job_id: str,
    job: Callable[[], Awaitable[object]],
    trigger: object,
    grace: int,
    first_run: datetime | None = None,
) -> None:
    async def run() -> None:
        task = asyncio.current_task()
        if task is not None:
            ticks.running.add(task)
        ok = True
        try:
            await job()
        except StoreUnavailable as down:
            # An outage, not a bug: one line, and the next tick tries again.
            ok = False
            ticks.metrics.database_error("scheduler")
            log.warning("scheduled job %s: the database does not answer (%s)", job_id, down)
        except Exception:
            # The next tick tries again; the database still holds everything to do.
            ok = False
            log.exception("scheduled job %s failed", job_id)
        finally:
            # A job cancelled by a stop counts as run, not failed.
            ticks.metrics.job_ran(job_id, ok)
            if task is not None:
                ticks.running.discard(task)

    # APScheduler reads a missing next_run_time as "from the trigger", None as "paused".
    when: dict[str, datetime] = {"next_run_time": first_run} if first_run else {}
    ticks.scheduler.add_job(
        run,
        trigger,
        id=job_id,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=grace,
        **when,
    )
