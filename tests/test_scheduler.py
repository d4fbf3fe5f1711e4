"""The scheduler only ticks: it extends the materialised sessions every night, and plans and
sends what is due from the moment the process starts."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import func, select

from bot import scheduler
from bot.app import App, dispatcher
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


async def test_planning_and_sending_run_at_start_to_catch_up(app: App) -> None:
    # APScheduler runs on the machine's time whatever clock the application has.
    before = datetime.now(UTC)
    ticks = scheduler.build(app, dispatcher(app, []))
    ticks.start(paused=True)
    try:
        for job_id in ("plan-messages", "dispatch-outbox"):
            job = ticks.get_job(job_id)
            assert job is not None
            assert before <= job.next_run_time <= datetime.now(UTC)
    finally:
        await ticks.stop()


async def test_a_stop_lets_a_running_job_finish_its_work() -> None:
    finished: list[str] = []
    started = asyncio.Event()

    async def slow_round() -> None:
        started.set()
        await asyncio.sleep(0.2)
        finished.append("committed")

    ticks = scheduler.Ticks(AsyncIOScheduler(timezone=UTC))
    scheduler.add(
        ticks, "slow", slow_round, IntervalTrigger(hours=1), grace=60, first_run=datetime.now(UTC)
    )
    ticks.start()
    await asyncio.wait_for(started.wait(), 5)
    await ticks.stop()
    assert finished == ["committed"] and not ticks.scheduler.running
