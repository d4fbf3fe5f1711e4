"""APScheduler wiring only: ticks that call jobs of the application. Jobs live in memory and
are rebuilt at every start; everything they act on is in the database."""

from __future__ import annotations

import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.app import App, materialise_sessions

log = logging.getLogger(__name__)


def build(app: App) -> AsyncIOScheduler:
    zone = app.config.bot.zone
    scheduler = AsyncIOScheduler(timezone=zone)
    scheduler.add_job(
        _materialise,
        CronTrigger(hour=0, minute=5, timezone=zone),
        args=[app],
        id="materialise-sessions",
        coalesce=True,
        max_instances=1,
        # A machine asleep at 00:05 still extends the schedule when it wakes that day.
        misfire_grace_time=12 * 3600,
    )
    return scheduler


async def _materialise(app: App) -> None:
    try:
        added = await materialise_sessions(app)
    except Exception:
        log.exception("could not create the coming sessions; will try again tomorrow")
        return
    log.info("created %d sessions from the schedule rules", added)
