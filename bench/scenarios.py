"""The benchmark scenarios. Each starts the fake Bot API, runs Tiepdan (and, where a bare bot
can do the same work, the echo bot) against it as a separate process, and returns table rows.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench import seed
from bench.contenders import LIFTED, Contender, EchoBot, Tiepdan
from bench.databases import count_registrations, fresh_database
from bench.fake import BenchTelegram, FloodLimits
from bot import config as configuration
from bot.app import App, build, prepare
from bot.core.model import Incoming, OutboxMessage
from storage import migrate
from tests.fakes.telegram import Sent
from tests.support import ANSWERS

# Chat ids of each scenario's users, far from each other and from the tests'.
THROUGHPUT_USERS = 10_000_000
LATENCY_USERS = 20_000_000
CONVERSATION_USERS = 30_000_000
REMINDED_USERS = 40_000_000
MEMORY_USERS = 50_000_000
COLD_USER = 60_000_000

THROUGHPUT_ROUNDS = 3


@dataclass(frozen=True)
class Row:
    scenario: str
    engine: str
    measure: str
    tiepdan: float
    echo: float | None
    unit: str
    target: str
    met: bool | None

    @property
    def ratio(self) -> float | None:
        if self.echo in (None, 0):
            return None
        assert self.echo is not None
        return self.tiepdan / self.echo


@dataclass(frozen=True)
class Options:
    folder: Path
    engines: tuple[str, ...]
    postgres_url: str
    # 1.0: the sizes of the issue; smaller for a quick look.
    scale: float = 1.0

    def size(self, full: int) -> int:
        return max(1, round(full * self.scale))


Scenario = Callable[[Options], Coroutine[Any, Any, list[Row]]]


# --- helpers ---------------------------------------------------------------------------------


async def with_fake(
    limits: FloodLimits | None, run: Callable[[BenchTelegram], Awaitable[object]]
) -> None:
    fake = BenchTelegram(limits)
    await fake.start()
    try:
        await run(fake)
    finally:
        await fake.stop()


async def tiepdan(options: Options, engine: str, name: str, extra: str = "") -> Tiepdan:
    folder = options.folder / f"{name}-{engine}"
    return Tiepdan(folder, await fresh_database(engine, folder, options.postgres_url), extra)


async def flood(fake: BenchTelegram, users: Sequence[int], text: str, within: float) -> float:
    """Every user writes once, all at the same moment; the rate of first replies, per second."""
    answered = fake.expect_replies(set(users))
    start = time.monotonic()
    await fake.deliver_many([fake.text_update(user, text) for user in users])
    await asyncio.wait_for(answered.wait(), within)
    last = max(fake.first_reply[user] for user in users)
    return len(users) / (last - start)


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))
    return ordered[index]


# --- throughput ------------------------------------------------------------------------------


async def throughput(options: Options) -> list[Row]:
    """New users, one message each, until each has its reply. Both bots run several rounds,
    taking turns, each round with users they have not seen; the medians are compared, since
    one run of either varies by about a tenth. SQLite runs durable (synchronous=FULL, the
    default: the figure that counts) and, for information, with synchronous=NORMAL."""
    size = options.size(3000)
    variants = [(engine, "full") for engine in options.engines]
    if "sqlite" in options.engines:
        variants.append(("sqlite", "normal"))
    echo_rates: list[float] = []
    rates: dict[tuple[str, str], list[float]] = {variant: [] for variant in variants}
    for round_ in range(THROUGHPUT_ROUNDS):
        users = range(THROUGHPUT_USERS + round_ * size, THROUGHPUT_USERS + (round_ + 1) * size)
        echo_rates.append(await _echo_flood(options, users))
        for engine, synchronous in variants:
            name = f"throughput-{round_}-{synchronous}"
            rates[engine, synchronous].append(
                await _tiepdan_flood(options, engine, name, users, synchronous)
            )
    echo_rate = statistics.median(echo_rates)
    rows = []
    for engine, synchronous in variants:
        rate = statistics.median(rates[engine, synchronous])
        durable = synchronous == "full"
        rows.append(
            Row(
                "throughput",
                engine if durable else f"{engine}, synchronous=NORMAL",
                f"{size} new users, 1 message each (median of {THROUGHPUT_ROUNDS})",
                rate,
                echo_rate,
                "updates/s",
                "≥ 0.5× echo" if durable else "for information",
                rate / echo_rate >= 0.5 if durable else None,
            )
        )
    return rows


async def _echo_flood(options: Options, users: range) -> float:
    rates: list[float] = []

    async def run(fake: BenchTelegram) -> None:
        bot = EchoBot(options.folder / "echo")
        await bot.start(fake)
        try:
            rates.append(await flood(fake, users, "/start", 600))
        finally:
            await bot.stop()

    await with_fake(None, run)
    return rates[0]


async def _tiepdan_flood(
    options: Options, engine: str, name: str, users: range, synchronous: str
) -> float:
    rates: list[float] = []

    async def run(fake: BenchTelegram) -> None:
        bot = await tiepdan(options, engine, name)
        bot.write_config(fake, messages_per_second=LIFTED, sqlite_synchronous=synchronous)
        bot.tiepdan("demo")
        await bot.start(fake)
        try:
            rates.append(await flood(fake, users, "/start", 1200))
        finally:
            await bot.stop()

    await with_fake(None, run)
    return rates[0]


# --- latency ---------------------------------------------------------------------------------


async def offered(fake: BenchTelegram, users: Sequence[int], per_second: float) -> list[float]:
    """New users arriving at a steady rate; each one's time from update to first reply."""
    answered = fake.expect_replies(set(users))
    start = time.monotonic()
    sent_at: dict[int, float] = {}
    for number, user in enumerate(users):
        due = start + number / per_second
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        sent_at[user] = time.monotonic()
        await fake.deliver(fake.text_update(user, "/start"))
    await asyncio.wait_for(answered.wait(), 600)
    return [fake.first_reply[user] - sent_at[user] for user in users]


async def latency(options: Options) -> list[Row]:
    per_second, seconds = 100, options.size(30)
    users = range(LATENCY_USERS, LATENCY_USERS + per_second * seconds)
    found: dict[str, list[float]] = {}

    async def measure(fake: BenchTelegram, bot: Contender, name: str) -> None:
        await bot.start(fake)
        try:
            found[name] = await offered(fake, users, per_second)
        finally:
            await bot.stop()

    await with_fake(None, lambda fake: measure(fake, EchoBot(options.folder / "echo"), "echo"))

    async def with_tiepdan(fake: BenchTelegram) -> None:
        bot = await tiepdan(options, "sqlite", "latency")
        bot.write_config(fake, messages_per_second=LIFTED)
        bot.tiepdan("demo")
        await measure(fake, bot, "tiepdan")

    await with_fake(None, with_tiepdan)
    ours, theirs = found["tiepdan"], found["echo"]
    load = f"{per_second} new users/s for {seconds} s"
    return [
        Row("latency", "sqlite", f"p50, {load}", percentile(ours, 0.5) * 1000,
            percentile(theirs, 0.5) * 1000, "ms", "", None),
        Row("latency", "sqlite", f"p99, {load}", percentile(ours, 0.99) * 1000,
            percentile(theirs, 0.99) * 1000, "ms", "≤ 50 ms", percentile(ours, 0.99) <= 0.05),
        Row("latency", "sqlite", f"max, {load}", max(ours) * 1000, max(theirs) * 1000, "ms",
            "", None),
    ]  # fmt: skip


# --- conversations ---------------------------------------------------------------------------

# The whole registration, as a citizen on Telegram goes through it.
WIZARD: tuple[tuple[str, str], ...] = (
    ("write", "/register"),
    ("tap", "reg:consent:yes"),
    ("write", ANSWERS["full_name"]),
    ("write", ANSWERS["phone"]),
    ("write", ANSWERS["id_number"]),
    ("write", ANSWERS["province"]),
    ("write", ANSWERS["address"]),
    ("tap", "reg:kind:complaint"),
    ("tap", "reg:leader:"),
    ("tap", "reg:session:"),
    ("write", "1"),
    ("tap", "reg:interpreter:none"),
    ("write", ANSWERS["summary"]),
    ("write", ANSWERS["prior_handling"]),
    ("write", ANSWERS["request"]),
    ("tap", "reg:review:submit"),
)


async def converse(fake: BenchTelegram, user: int) -> list[float]:
    """One citizen through the wizard; the time of each turn (message to reply)."""
    turns = []
    # Each citizen is a different person: their own phone and ID number (one person's 300
    # registrations would each be compared with that person's earlier ones, see repeats).
    own = {
        ANSWERS["phone"]: f"09{user % 100_000_000:08d}",
        ANSWERS["id_number"]: f"0010900{user % 100_000:05d}"[-12:],
    }
    for action, value in WIZARD:
        seen = len(fake.by_chat[user])
        if action == "write":
            update = fake.text_update(user, own.get(value, value))
        else:
            update = fake.button_update(user, *_button(fake.to(user), value))
        start = time.monotonic()
        await fake.deliver(update)
        reply = await fake.next_message(user, seen, 120)
        turns.append(reply.at - start)
    return turns


def _button(messages: list[Sent], prefix: str) -> tuple[Sent, str]:
    """The newest button whose data starts with ``prefix``; the echo bot sends no buttons,
    so its citizens tap the prefix itself on its last message."""
    for message in reversed(messages):
        for button in message.buttons():
            if str(button["callback_data"]).startswith(prefix):
                return message, str(button["callback_data"])
    return messages[-1], prefix


async def conversations(options: Options) -> list[Row]:
    citizens = range(CONVERSATION_USERS, CONVERSATION_USERS + options.size(300))
    found: dict[str, tuple[float, list[float]]] = {}

    async def measure(fake: BenchTelegram, bot: Contender, name: str) -> None:
        await bot.start(fake)
        try:
            start = time.monotonic()
            every = await asyncio.gather(*(converse(fake, user) for user in citizens))
            elapsed = time.monotonic() - start
            turns = [turn for turns in every for turn in turns]
            found[name] = (len(turns) / elapsed, turns)
        finally:
            await bot.stop()

    await with_fake(None, lambda fake: measure(fake, EchoBot(options.folder / "echo"), "echo"))

    async def with_tiepdan(fake: BenchTelegram) -> None:
        bot = await tiepdan(options, "sqlite", "conversations")
        bot.write_config(fake, messages_per_second=LIFTED)
        bot.import_schedule(capacity=len(citizens) + 10, today=datetime.now(UTC).date())
        await measure(fake, bot, "tiepdan")
        await _all_registered(bot, len(citizens))

    await with_fake(None, with_tiepdan)
    (rate, turns), (echo_rate, echo_turns) = found["tiepdan"], found["echo"]
    load = f"{len(citizens)} citizens registering at once, {len(WIZARD)} turns each"
    return [
        Row("conversations", "sqlite", f"turns/s, {load}", rate, echo_rate, "turns/s", "",
            None),
        Row("conversations", "sqlite", "p99 per turn", percentile(turns, 0.99) * 1000,
            percentile(echo_turns, 0.99) * 1000, "ms", "", None),
    ]  # fmt: skip


async def _all_registered(bot: Tiepdan, expected: int) -> None:
    """The conversations really ended in registrations (not in polite refusals)."""
    found = await count_registrations(bot.database_url)
    if found != expected:
        raise RuntimeError(f"{found} registrations made of {expected}; see {bot.log}")


# --- a morning of reminders ------------------------------------------------------------------


async def reminders(options: Options) -> list[Row]:
    """Reminders due in the same minute, the fake enforcing Telegram's flood limits."""
    count = options.size(3000)
    chats = range(REMINDED_USERS, REMINDED_USERS + count)
    limits = FloodLimits()
    found: dict[str, float] = {}

    async def with_tiepdan(fake: BenchTelegram) -> None:
        bot = await tiepdan(options, "sqlite", "reminders")
        bot.write_config(
            fake,
            messages_per_second=limits.per_second,
            chat_gap_seconds=limits.per_chat_seconds,
        )
        bot.tiepdan("demo")
        await queue_reminders(bot, chats)
        answered = fake.expect_replies(set(chats))
        await bot.start(fake)
        try:
            await asyncio.wait_for(answered.wait(), 30 * count / limits.per_second)
        finally:
            await bot.stop()
        times = [fake.first_reply[chat] for chat in chats]
        found["seconds"] = max(times) - bot.polling_at
        found["rate"] = (count - 1) / (max(times) - min(times))
        found["too_many"] = fake.too_many_requests

    await with_fake(limits, with_tiepdan)
    ceiling = float(limits.per_second)
    return [
        Row("reminder burst", "sqlite", f"{count} due at once: rate (limit {ceiling:.0f}/s)",
            found["rate"], ceiling, "msg/s", "≥ 0.93× the limit", found["rate"] >= 0.93 * ceiling),
        Row("reminder burst", "sqlite", "time to send all", found["seconds"], None, "s", "",
            None),
        Row("reminder burst", "sqlite", "429 received", found["too_many"], None, "", "0",
            found["too_many"] == 0),
    ]  # fmt: skip


async def queue_reminders(bot: Tiepdan, chats: Sequence[int]) -> None:
    """The outbox rows a morning's reminders leave, all due now."""
    app = build(configuration.load(str(bot.config)))
    now = app.services.clock.now()
    try:
        async with app.store.transaction() as repo:
            for chat in chats:
                await repo.enqueue(
                    OutboxMessage(
                        idempotency_key=f"bench:reminder:{chat}",
                        channel="telegram",
                        recipient=str(chat),
                        text="⏰ Nhắc lịch: bạn được tiếp vào ngày mai lúc 08:00.",
                        due_at=now,
                        purpose="reminder_eve",
                    )
                )
    finally:
        await app.close()


# --- memory and start-up ---------------------------------------------------------------------


async def memory(options: Options) -> list[Row]:
    """Resident memory after many new users, and the time from start to the first answer."""
    users = range(MEMORY_USERS, MEMORY_USERS + options.size(10_000))
    found: dict[str, tuple[float, float]] = {}

    async def measure(fake: BenchTelegram, bot: Contender, name: str) -> None:
        # Cold start: a citizen is already waiting when the process starts.
        answered = fake.expect_replies({COLD_USER})
        await fake.deliver(fake.text_update(COLD_USER, "/start"))
        await bot.start(fake, wait=False)
        try:
            await asyncio.wait_for(answered.wait(), 120)
            cold = fake.first_reply[COLD_USER] - bot.spawned_at
            await flood(fake, users, "/start", 3600)
            found[name] = (bot.rss_mb(), cold)
        finally:
            await bot.stop()

    await with_fake(None, lambda fake: measure(fake, EchoBot(options.folder / "echo"), "echo"))

    async def with_tiepdan(fake: BenchTelegram) -> None:
        bot = await tiepdan(options, "sqlite", "memory")
        bot.write_config(fake, messages_per_second=LIFTED)
        bot.tiepdan("demo")
        await measure(fake, bot, "tiepdan")

    await with_fake(None, with_tiepdan)
    (rss, cold), (echo_rss, echo_cold) = found["tiepdan"], found["echo"]
    return [
        Row("memory", "sqlite", f"RSS after {len(users)} updates", rss, echo_rss, "MB",
            "≤ 150 MB", rss <= 150),
        Row("cold start", "sqlite", "start to the first answered update", cold, echo_cold, "s",
            "≤ 2.5 s", cold <= 2.5),
    ]  # fmt: skip


# --- officers' queries over a large deployment -----------------------------------------------

OFFICER = "bench-officer"


async def queries(options: Options) -> list[Row]:
    """/queue, /view, /report and /logbook, as an officer sends them, over 100,000
    registrations of three years in 200 units."""
    count = options.size(100_000)
    rows = []
    for engine in options.engines:
        folder = options.folder / f"queries-{engine}"
        url = await fresh_database(engine, folder, options.postgres_url)
        config = configuration.parse(
            {
                "database": {"url": url},
                "officers": [
                    {
                        "channel": "console",
                        "user_id": OFFICER,
                        "name": "Cán bộ đo tải",
                        "role": "admin",
                        "permissions": ["confidential"],
                    }
                ],
            },
            {},
        )
        app = build(config)
        try:
            await migrate.upgrade(app.engine)
            codes = await seed.seed(app.engine, count, app.services.clock.now())
            await prepare(app)
            rows += await _officer_queries(app, engine, codes, count)
        finally:
            await app.close()
    return rows


async def _officer_queries(app: App, engine: str, codes: list[str], count: int) -> list[Row]:
    async def timed(text: str) -> float:
        start = time.perf_counter()
        replies = await app.dialogue.handle(Incoming("console", OFFICER, OFFICER, text=text))
        elapsed = time.perf_counter() - start
        if not replies or "Sorry" in replies[0].text or "Xin lỗi" in replies[0].text:
            raise RuntimeError(f"{text}: {replies}")
        return elapsed

    await timed("/lang en")
    rng = random.Random(7)
    queue = [await timed("/queue") for _ in range(30)]
    queue += [await timed("/queue complaint p3-ub") for _ in range(30)]
    view = [await timed(f"/view {rng.choice(codes)}") for _ in range(60)]
    # /find by each key, the seeded citizens' as the officer would type them (bench/seed.py),
    # and a name every registration shares: the ranking and the count over all of them.
    numbers = [rng.randrange(1, count + 1) for _ in range(15)]
    exact = [await timed(f"/find {rng.choice(codes)}") for _ in range(15)]
    exact += [await timed(f"/find 09{n:08d}") for n in numbers]
    exact += [await timed(f"/find {f'0010900{n:05d}'[-12:]}") for n in numbers]
    named = [await timed(f"/find thu {n} nguyen") for n in numbers]
    common = [await timed("/find nguyen van thu") for _ in range(15)]
    # The last whole month.
    period = f"{datetime.now(UTC).replace(day=1) - timedelta(days=1):%Y-%m}"
    report = [await timed(f"/report {period}") for _ in range(3)]
    logbook = [await timed(f"/logbook {period}") for _ in range(3)]
    size = f"{count:,} registrations"
    return [
        Row("officer queries", engine, f"/queue p99 ({size})", percentile(queue, 0.99) * 1000,
            None, "ms", "≤ 30 ms", percentile(queue, 0.99) <= 0.03),
        Row("officer queries", engine, "/view p99", percentile(view, 0.99) * 1000, None, "ms",
            "≤ 30 ms", percentile(view, 0.99) <= 0.03),
        *(
            Row("officer queries", engine, f"/find p99, {by}", percentile(times, 0.99) * 1000,
                None, "ms", "≤ 50 ms", percentile(times, 0.99) <= 0.05)
            for by, times in (
                ("by code, phone or ID number", exact),
                ("by one citizen's name", named),
                ("by a name all share", common),
            )
        ),
        Row("officer queries", engine, "/report of a month, slowest of 3", max(report), None,
            "s", "≤ 2 s", max(report) <= 2),
        Row("officer queries", engine, "/logbook of a month, slowest of 3", max(logbook), None,
            "s", "", None),
    ]  # fmt: skip
