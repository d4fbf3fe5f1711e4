"""GET /metrics of the running product: Telegram polling against the fake Bot API, a scripted
conversation, then the Prometheus text scraped over HTTP and parsed with prometheus-client's
own parser. The numbers must be those of what happened: updates sent, messages the fake
received, rows in the outbox, refusals of the Bot API."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from sqlalchemy import func, select

from bot import runtime
from bot.app import App, build
from bot.core.clock import FixedClock
from bot.demo import load_demo
from handlers.metrics import DatabaseReading, PrometheusMetrics
from handlers.web import WebServer
from storage.tables import InboxRow, OutboxRow
from tests.channels.running import eventually, settled
from tests.channels.telegram_steps import say, tap
from tests.channels.test_telegram import telegram_config
from tests.conftest import fresh_schema
from tests.fakes.telegram import Failure, FakeTelegram

CITIZEN = 7001
TOKEN = "metrics-token-for-tests"

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@asynccontextmanager
async def product(
    database_url: str, clock: FixedClock, fake: FakeTelegram, metrics_token: str = ""
) -> AsyncIterator[tuple[App, runtime.Running]]:
    config = telegram_config(database_url, fake)
    web = config.web.model_copy(update={"metrics_token": SecretStr(metrics_token)})
    app = build(config.model_copy(update={"web": web}), clock)
    await fresh_schema(app.engine)
    async with app.store.transaction() as repo:
        await load_demo(repo, clock.now())
    fake.quiet = functools.partial(settled, app)
    running = await runtime.start(app)
    try:
        yield app, running
    finally:
        await runtime.stop(running)
        await app.close()


async def get(running: runtime.Running, headers: dict[str, str] | None = None) -> Any:
    url = f"http://127.0.0.1:{running.web.port}/metrics"
    async with aiohttp.ClientSession() as session, session.get(url, headers=headers) as answer:
        return answer.status, answer.headers, await answer.text()


async def scrape(running: runtime.Running, token: str = "") -> Samples:
    headers = {"Authorization": f"Bearer {token}"} if token else None
    status, _headers, text = await get(running, headers)
    assert status == 200, text
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    """The sum of the samples of ``name`` whose labels include ``labels`` (0 when none)."""
    wanted = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and wanted <= ls)


async def quiet(app: App) -> None:
    """Every update processed and nothing left to send, to anyone."""

    async def done() -> bool:
        async with app.engine.connect() as connection:
            waiting = await connection.scalar(
                select(func.count()).where(InboxRow.processed_at.is_(None))
            )
            unsent = await connection.scalar(
                select(func.count()).where(OutboxRow.status.in_(("pending", "sending")))
            )
        return waiting == 0 and unsent == 0

    await eventually(done, "every update processed and every message sent")


async def outbox_by_status(app: App) -> dict[str, int]:
    async with app.engine.connect() as connection:
        found = await connection.execute(
            select(OutboxRow.status, func.count().label("rows")).group_by(OutboxRow.status)
        )
        return {row.status: row.rows for row in found}


async def test_a_conversation_moves_the_counters_by_what_happened(
    database_url: str, clock: FixedClock, fake: FakeTelegram
) -> None:
    async with product(database_url, clock, fake) as (app, running):
        before = await scrape(running)
        assert value(before, "tiepdan_updates_received_total") == 0
        assert value(before, "tiepdan_database_gauges_up") == 1

        await say(fake, CITIZEN, "/start")
        await say(fake, CITIZEN, "/register")
        await tap(fake, CITIZEN, "reg:consent:yes")
        updates = 3
        await quiet(app)
        sent = len(fake.sent)

        async def fresh() -> Samples | None:
            # The database's gauges are read at most once a second: the first scrape's
            # reading may still be served.
            samples = await scrape(running)
            return samples if value(samples, "tiepdan_outbox_messages") == sent else None

        samples = await eventually(fresh, "the outbox gauge read again")
        assert samples is not None

        telegram = {"channel": "telegram"}
        assert value(samples, "tiepdan_updates_received_total", **telegram) == updates
        assert value(samples, "tiepdan_updates_processed_total", **telegram) == updates
        assert value(samples, "tiepdan_updates_failed_total") == 0
        assert value(samples, "tiepdan_turn_duration_seconds_count", **telegram) == updates
        assert value(samples, "tiepdan_turn_duration_seconds_bucket", le="+Inf") == updates
        assert 0 < value(samples, "tiepdan_turn_duration_seconds_sum", **telegram) < 10 * updates

        # Every message the fake Bot API took, and nothing else, counted as sent.
        assert fake.sent
        assert value(samples, "tiepdan_sends_total", result="sent", **telegram) == len(fake.sent)
        for result in ("retried", "flood", "dead", "failed", "expired"):
            assert value(samples, "tiepdan_sends_total", result=result) == 0, result

        # The outbox gauge is the database's GROUP BY, by status, channel and purpose.
        by_status = await outbox_by_status(app)
        assert by_status == {"sent": len(fake.sent)}
        for status, rows in by_status.items():
            assert value(samples, "tiepdan_outbox_messages", status=status) == rows
        assert all(
            dict(labels)["purpose"] and dict(labels)["channel"] == "telegram"
            for name, labels in samples
            if name == "tiepdan_outbox_messages"
        )
        assert value(samples, "tiepdan_inbox_lag_seconds") == 0

        # The scheduler's jobs ran; none failed; the database always answered.
        assert value(samples, "tiepdan_scheduler_job_runs_total", job="dispatch-outbox") >= 1
        assert value(samples, "tiepdan_scheduler_job_failures_total") == 0
        assert value(samples, "tiepdan_database_errors_total") == 0


@pytest.mark.parametrize(
    ("failure", "result", "status"),
    [
        (Failure(403, "Forbidden: bot was blocked by the user"), "dead", "dead"),
        (Failure(400, "Bad Request: message is too long"), "failed", "failed"),
        (Failure(429, "Too Many Requests: retry after 30", retry_after=30), "flood", "pending"),
        (Failure(502, "Bad Gateway"), "retried", "pending"),
    ],
)
async def test_a_refused_send_moves_its_result_counter(
    database_url: str,
    clock: FixedClock,
    fake: FakeTelegram,
    failure: Failure,
    result: str,
    status: str,
) -> None:
    async with product(database_url, clock, fake) as (app, running):
        fake.inject("sendMessage", failure)
        await fake.write(CITIZEN, "/start")

        async def counted() -> Samples | None:
            samples = await scrape(running)
            return samples if value(samples, "tiepdan_sends_total", result=result) else None

        samples = await eventually(counted, f"a send counted as {result}")
        assert samples is not None
        assert value(samples, "tiepdan_sends_total", result=result, channel="telegram") == 1
        assert value(samples, "tiepdan_updates_processed_total", channel="telegram") == 1

        # The refused message is in the outbox in the state its result says, once recorded
        # (the counter moves when the answer comes, the row a moment later).
        async def recorded() -> bool:
            return (await outbox_by_status(app)).get(status, 0) >= 1

        await eventually(recorded, f"the refused message recorded as {status}")
        assert value(samples, "tiepdan_sends_total", result="sent") == len(fake.sent)


async def test_the_metrics_token_is_asked_for_when_set(
    database_url: str, clock: FixedClock, fake: FakeTelegram
) -> None:
    async with product(database_url, clock, fake, metrics_token=TOKEN) as (_app, running):
        status, headers, _text = await get(running)
        assert status == 401
        assert headers["WWW-Authenticate"].startswith("Bearer")
        # Security headers on every answer, this one included.
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert (await get(running, {"Authorization": "Bearer wrong"}))[0] == 401
        assert (await get(running, {"Authorization": TOKEN}))[0] == 401
        status, headers, text = await get(running, {"Authorization": f"Bearer {TOKEN}"})
        assert status == 200
        assert headers["Content-Type"].startswith("text/plain")
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert "tiepdan_database_gauges_up 1.0" in text


async def test_metrics_are_not_rate_limited_like_the_public_routes(
    database_url: str, clock: FixedClock, fake: FakeTelegram
) -> None:
    async with product(database_url, clock, fake) as (_app, running):
        # More than the public burst (30) from one address.
        for _ in range(40):
            status, _headers, _text = await get(running)
            assert status == 200


# --- the database's gauges under a flood of scrapes -------------------------------------------


@asynccontextmanager
async def served(
    read: Callable[[], Awaitable[DatabaseReading]],
    cache_seconds: float = 1.0,
    timeout_seconds: float = 2.0,
) -> AsyncIterator[WebServer]:
    async def ready() -> None:
        return None

    web = WebServer("127.0.0.1", 0, ready)
    PrometheusMetrics().route(
        web, read, cache_seconds=cache_seconds, timeout_seconds=timeout_seconds
    )
    await web.start()
    try:
        yield web
    finally:
        await web.stop()


async def fetch(web: WebServer) -> Samples:
    url = f"http://127.0.0.1:{web.port}/metrics"
    async with aiohttp.ClientSession() as session, session.get(url) as answer:
        assert answer.status == 200
        text = await answer.text()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def test_a_flood_of_scrapes_reads_the_database_once() -> None:
    reads = 0

    async def read() -> DatabaseReading:
        nonlocal reads
        reads += 1
        await asyncio.sleep(0.05)
        return DatabaseReading({("pending", "telegram", "reply"): 2}, 3.5)

    async with served(read, cache_seconds=60) as web:
        answers = await asyncio.gather(*(fetch(web) for _ in range(30)))
    assert reads == 1
    for samples in answers:
        assert value(samples, "tiepdan_outbox_messages", status="pending", purpose="reply") == 2
        assert value(samples, "tiepdan_inbox_lag_seconds") == 3.5
        assert value(samples, "tiepdan_database_gauges_up") == 1


async def test_a_database_that_does_not_answer_leaves_the_counters_served() -> None:
    async def read() -> DatabaseReading:
        await asyncio.sleep(30)
        raise AssertionError("not reached")

    async with served(read, timeout_seconds=0.1) as web:
        samples = await fetch(web)
    assert value(samples, "tiepdan_database_gauges_up") == 0
    assert not [name for name, _labels in samples if name == "tiepdan_outbox_messages"]
