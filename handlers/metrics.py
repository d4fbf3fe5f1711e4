"""GET /metrics: the process's counters in the Prometheus text format (prometheus-client).

``PrometheusMetrics`` is what the inbox, the outbox dispatcher and the scheduler count into
(the ``bot.metrics.Metrics`` port), on a registry of its own: several apps in one process (the
tests) never mix their numbers. The database's gauges (the outbox by status, the inbox's lag)
are read when scraped, at most once every ``cache_seconds`` however many scrapes come, and
given up after ``timeout_seconds``: a flood of scrapes cannot load the database.

With a token, a scrape without ``Authorization: Bearer <token>`` gets 401; the token is
compared in constant time.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector

from handlers.web import WebServer

log = logging.getLogger(__name__)

# A turn answered from memory takes a millisecond; one that waits for a slow disk, seconds.
TURN_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# However many scrapes come, the database is asked at most once a second, and given up on
# after two (the counters are served anyway).
CACHE_SECONDS = 1.0
TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True)
class DatabaseReading:
    # (status, channel, purpose) -> rows
    outbox: Mapping[tuple[str, str, str], int]
    inbox_lag_seconds: float


ReadDatabase = Callable[[], Awaitable[DatabaseReading]]


class PrometheusMetrics:
    """The ``bot.metrics.Metrics`` port, counted for Prometheus."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self._received = Counter(
            "tiepdan_updates_received",
            "New updates stored by the inbox (redeliveries not counted).",
            ["channel"],
            registry=r,
        )
        self._processed = Counter(
            "tiepdan_updates_processed",
            "Updates processed (a turn's error answered with an apology counts too).",
            ["channel"],
            registry=r,
        )
        self._failed = Counter(
            "tiepdan_updates_failed",
            "Updates whose processing failed; they stay for the inbox sweep.",
            ["channel"],
            registry=r,
        )
        self._turns = Histogram(
            "tiepdan_turn_duration_seconds",
            "Time to process an update (the time of the batch it was processed in).",
            ["channel"],
            buckets=TURN_BUCKETS,
            registry=r,
        )
        self._sends = Counter(
            "tiepdan_sends",
            "Outbox send attempts by result: sent, retried, flood (429: wait as told), dead "
            "(recipient unreachable), failed (given up), expired (too late or no longer true).",
            ["channel", "result"],
            registry=r,
        )
        self._job_runs = Counter(
            "tiepdan_scheduler_job_runs",
            "Scheduled job runs.",
            ["job"],
            registry=r,
        )
        self._job_failures = Counter(
            "tiepdan_scheduler_job_failures",
            "Scheduled job runs that raised (a database outage included).",
            ["job"],
            registry=r,
        )
        self._database_errors = Counter(
            "tiepdan_database_errors",
            "Times the database did not answer (StoreUnavailable), by where it was met.",
            ["where"],
            registry=r,
        )
        self._token_failures = Counter(
            "tiepdan_token_refresh_failures",
            "Failed renewals of a channel's access token (Zalo OA).",
            ["channel"],
            registry=r,
        )

    # --- the port ----------------------------------------------------------------------------

    def received(self, channel: str, count: int) -> None:
        self._received.labels(channel).inc(count)

    def processed(self, channel: str, count: int, seconds: float) -> None:
        self._processed.labels(channel).inc(count)
        turns = self._turns.labels(channel)
        for _ in range(count):
            turns.observe(seconds)

    def failed(self, channel: str, count: int) -> None:
        self._failed.labels(channel).inc(count)

    def send(self, channel: str, outcome: str) -> None:
        self._sends.labels(channel, outcome).inc()

    def job_ran(self, job: str, ok: bool) -> None:
        self._job_runs.labels(job).inc()
        if not ok:
            self._job_failures.labels(job).inc()
        else:
            # Present at 0, so that rate() and "failures > 0" alerts see the job.
            self._job_failures.labels(job)

    def database_error(self, where: str) -> None:
        self._database_errors.labels(where).inc()

    def token_refresh_failed(self, channel: str) -> None:
        self._token_failures.labels(channel).inc()

    # --- serving -----------------------------------------------------------------------------

    def route(
        self,
        server: WebServer,
        read_database: ReadDatabase,
        *,
        token: str = "",
        cache_seconds: float = CACHE_SECONDS,
        timeout_seconds: float = TIMEOUT_SECONDS,
    ) -> None:
        """Serve GET /metrics on ``server``, with the database's gauges from
        ``read_database``."""
        gauges = _DatabaseGauges(read_database, cache_seconds, timeout_seconds)
        self.registry.register(gauges)
        expected = f"Bearer {token}".encode() if token else None

        async def metrics(request: web.Request) -> web.StreamResponse:
            if expected is not None and not hmac.compare_digest(
                request.headers.get("Authorization", "").encode(), expected
            ):
                return web.json_response(
                    {"error": "unauthorized"},
                    status=401,
                    headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
                )
            await gauges.refresh()
            return web.Response(
                body=generate_latest(self.registry),
                headers={"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"},
            )

        server.add_get("/metrics", metrics, limited=False)


class _DatabaseGauges(Collector):
    """The outbox by status and the inbox's lag, as last read; read again when older than
    ``cache_seconds``. One read at a time: scrapes that come meanwhile share it."""

    def __init__(self, read: ReadDatabase, cache_seconds: float, timeout_seconds: float) -> None:
        self._read = read
        self._cache_seconds = cache_seconds
        self._timeout_seconds = timeout_seconds
        self._reading: DatabaseReading | None = None
        self._ok = False
        self._read_at = -float("inf")
        self._lock = asyncio.Lock()

    async def refresh(self) -> None:
        async with self._lock:
            if time.monotonic() - self._read_at < self._cache_seconds:
                return
            try:
                self._reading = await asyncio.wait_for(self._read(), self._timeout_seconds)
                self._ok = True
            except Exception as trouble:
                # The counters are still worth serving; the gauges say they are missing.
                log.warning("metrics: the database gauges could not be read: %r", trouble)
                self._reading = None
                self._ok = False
            self._read_at = time.monotonic()

    def describe(self) -> Iterator[GaugeMetricFamily]:
        return iter(())

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily(
            "tiepdan_database_gauges_up",
            "1 when the last read of the database's gauges answered in time, else 0.",
        )
        up.add_metric([], 1.0 if self._ok else 0.0)
        yield up
        reading = self._reading
        if reading is None:
            return
        outbox = GaugeMetricFamily(
            "tiepdan_outbox_messages",
            "Outbox rows by status, channel and purpose.",
            labels=["status", "channel", "purpose"],
        )
        for (status, channel, purpose), rows in sorted(reading.outbox.items()):
            outbox.add_metric([status, channel, purpose], float(rows))
        yield outbox
        lag = GaugeMetricFamily(
            "tiepdan_inbox_lag_seconds",
            "Age of the oldest stored update not yet processed; 0 when none waits.",
        )
        lag.add_metric([], reading.inbox_lag_seconds)
        yield lag
