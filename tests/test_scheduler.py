"""The scheduler only ticks: its one job extends the materialised sessions every night."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from bot import scheduler
from bot.app import App
from bot.core.clock import FixedClock
from storage.tables import SessionRow


async def test_the_nightly_job_runs_at_five_past_midnight_local_time(app: App) -> None:
    ticks = scheduler.build(app)
    job = ticks.get_job("materialise-sessions")
    assert job is not None
    now = datetime(2026, 11, 30, 9, 0, tzinfo=app.config.bot.zone)
    next_run = job.trigger.get_next_fire_time(None, now)
    assert next_run == datetime(2026, 12, 1, 0, 5, tzinfo=app.config.bot.zone)


async def test_the_job_adds_the_sessions_that_came_into_the_horizon(
    app: App, clock: FixedClock
) -> None:
    async def sessions() -> int:
        async with app.engine.connect() as connection:
            count = await connection.execute(select(func.count()).select_from(SessionRow))
            return int(count.scalar_one())

    before = await sessions()
    job = scheduler.build(app).get_job("materialise-sessions")
    assert job is not None
    clock.set(clock.now().replace(month=12, day=31))
    await job.func()
    assert await sessions() > before
