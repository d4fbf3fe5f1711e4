"""Hostile input to the web side, over real HTTP on 127.0.0.1: each gets its 4xx with a short
JSON body, never a traceback, always with the security headers, and the process goes on
serving; the public routes are rate-limited per client; the console alone serves the web side
when [web] enabled = true."""

from __future__ import annotations

import asyncio
import gzip
import io
import json
import logging
import os
import re
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from multidict import CIMultiDict
from sqlalchemy import func, select

from bot import config as configuration
from bot.app import App
from bot.core.clock import FixedClock
from handlers.limits import ClientRateLimit
from handlers.telegram.webhook import MAX_UPDATE_BYTES, SECRET_HEADER
from handlers.web import SECURITY_HEADERS, WebServer
from handlers.zalo import oa_events
from storage.tables import InboxRow
from tests.channels.running import eventually, running_app, settled
from tests.conftest import OFFICERS
from tests.fakes.telegram import TOKEN, FakeTelegram
from tests.fakes.zalo_oa import APP_ID, OA_SECRET_KEY, FakeZaloOa

CITIZEN = 7001
SECRET = "webhook-secret-for-hardening"
HOOK = "/telegram/hook"
BURST = 5
JSON = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
# What a response would show of Python if an error escaped: none of it may appear.
PYTHON_TEXT = ("Traceback", 'File "', "Error", "Exception", "aiohttp", "Python")


@dataclass(frozen=True)
class Answer:
    status: int
    headers: CIMultiDict[str]
    body: bytes

    def error(self) -> str:
        document = json.loads(self.body)
        assert isinstance(document, dict) and set(document) == {"error"}, self.body[:200]
        reason = document["error"]
        assert isinstance(reason, str)
        return reason


async def ask(method: str, url: str, **options: Any) -> Answer:
    async with (
        aiohttp.ClientSession(auto_decompress=False) as http,
        http.request(method, url, **options) as response,
    ):
        return Answer(response.status, CIMultiDict(response.headers), await response.read())


def assert_hardened(answer: Answer) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert answer.headers.get(name) == value, (name, answer.headers)
    text = answer.body.decode("utf-8", "replace")
    assert not [word for word in PYTHON_TEXT if word in text], text[:300]


@pytest.fixture
async def served(
    database_url: str, clock: FixedClock, fake: FakeTelegram
) -> AsyncIterator[tuple[App, str]]:
    """The product as ``tiepdan run`` starts it: Telegram by webhook, the public documents,
    and a public limit of BURST requests, then one a minute."""
    config = configuration.parse(
        {
            "database": {"url": database_url},
            "telegram": {
                "enabled": True,
                "token": TOKEN,
                "api_base_url": fake.base_url,
                "mode": "webhook",
                "webhook_url": f"http://127.0.0.1:1{HOOK}",
                "webhook_secret": SECRET,
                "private_chat_gap_seconds": 0,
            },
            "web": {"port": 0, "public_rate_per_minute": 1, "public_burst": BURST},
            "outbox": {"dispatch_every_seconds": 0.1},
            "officers": OFFICERS,
        },
        {},
    )
    async with running_app(config, clock) as (app, running):
        yield app, f"http://127.0.0.1:{running.web.port}"


async def inbox_size(app: App) -> int:
    async with app.engine.connect() as connection:
        return int(await connection.scalar(select(func.count()).select_from(InboxRow)) or 0)


async def chunks(total: int, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    """A body sent chunked, without a length the server could check first."""
    sent = 0
    while sent < total:
        part = min(size, total - sent)
        yield b" " * part
        sent += part


async def test_hostile_bodies_on_the_webhook_get_their_4xx_and_an_update_still_goes_through(
    served: tuple[App, str], fake: FakeTelegram
) -> None:
    app, base = served
    hook = f"{base}{HOOK}"
    hostile: Sequence[tuple[str, dict[str, Any], int, str]] = [
        (
            "too large",
            {"data": io.BytesIO(b"{}" + b" " * MAX_UPDATE_BYTES), "headers": JSON},
            413,
            f"at most {MAX_UPDATE_BYTES} bytes",
        ),
        (
            "too large, chunked",
            {"data": chunks(MAX_UPDATE_BYTES + 1), "headers": JSON},
            413,
            f"at most {MAX_UPDATE_BYTES} bytes",
        ),
        ("100,000 arrays deep", {"data": b"[" * 100_000, "headers": JSON}, 400, "nested"),
        ("100,000 objects deep", {"data": b'{"a":' * 100_000, "headers": JSON}, 400, "nested"),
        ("not UTF-8", {"data": b'{"update_id": 1, "x": "\xff"}', "headers": JSON}, 400, "UTF-8"),
        ("not JSON", {"data": b'{"update_id": 1', "headers": JSON}, 400, "JSON"),
        ("an array", {"data": b"[1, 2]", "headers": JSON}, 400, "object"),
        ("a string", {"data": b'"update"', "headers": JSON}, 400, "object"),
        (
            "a huge number",
            {"data": b'{"update_id": 1' + b"0" * 9_999 + b"}", "headers": JSON},
            400,
            "JSON",
        ),
        ("not an update", {"data": b'{"message": {}}', "headers": JSON}, 400, "Telegram"),
        (
            "text/plain",
            {"data": b'{"update_id": 1}', "headers": {**JSON, "Content-Type": "text/plain"}},
            415,
            "application/json",
        ),
        (
            "a form",
            {"data": {"update_id": "1"}, "headers": {SECRET_HEADER: SECRET}},
            415,
            "application/json",
        ),
        (
            "gzip",
            {
                "data": gzip.compress(b"[" * 1_000_000),
                "headers": {**JSON, "Content-Encoding": "gzip"},
            },
            415,
            "uncompressed",
        ),
        # Without the secret nothing of the body is read, whatever it is.
        (
            "no secret",
            {"data": b"[" * 100_000, "headers": {"Content-Type": "text/plain"}},
            401,
            "unauthorized",
        ),
    ]
    for what, options, status, reason in hostile:
        answer = await ask("POST", hook, **options)
        assert answer.status == status, (what, answer.status, answer.body[:200])
        assert reason in answer.error(), (what, answer.error())
        assert_hardened(answer)
    # A GET route takes no body; a method the route lacks is refused, hardened too.
    with_body = await ask("GET", f"{base}/open311/v2/services.json", data=b"x" * 100)
    assert with_body.status == 413
    not_allowed = await ask("GET", hook)
    assert not_allowed.status == 405
    nowhere = await ask("POST", f"{base}/nowhere", data=b"[" * 100_000)
    assert nowhere.status == 404
    for answer in (with_body, not_allowed, nowhere):
        assert_hardened(answer)

    assert await inbox_size(app) == 0
    health = await ask("GET", f"{base}/healthz")
    assert (health.status, json.loads(health.body)) == (200, {"status": "ok", "database": "up"})
    assert_hardened(health)
    update = fake.text_update(CITIZEN, "/start")
    accepted = await ask("POST", hook, json=update, headers={SECRET_HEADER: SECRET})
    assert (accepted.status, accepted.body) == (200, b"{}")
    assert_hardened(accepted)
    await fake.wait_for(CITIZEN, lambda m: "Tiếp Dân" in m.text)
    await settled(app, str(CITIZEN))
    assert await inbox_size(app) == 1


async def test_a_flood_on_the_public_routes_is_answered_429_and_the_rest_still_serves(
    served: tuple[App, str], fake: FakeTelegram
) -> None:
    app, base = served
    public = [f"{base}/open311/v2/services.json", f"{base}/calendar/demo-tinh-uy.ics"]
    answers = [await ask("GET", public[n % 2]) for n in range(BURST + 10)]

    # One bucket per client, across the public routes: the burst, then nothing.
    assert [a.status for a in answers] == [200] * BURST + [429] * 10
    for answer in answers[BURST:]:
        # One a minute: the next request is possible within the minute.
        assert 1 <= int(answer.headers["Retry-After"]) <= 60
        assert answer.error() == "too many requests"
    for answer in answers:
        assert_hardened(answer)
    # The cache headers are the routes' own.
    assert answers[0].headers["Cache-Control"] == "public, max-age=3600"
    assert answers[1].headers["Cache-Control"] == "public, max-age=300"

    # Neither /healthz nor the webhook counts against the public limit.
    for _ in range(3):
        assert (await ask("GET", f"{base}/healthz")).status == 200
    update = fake.text_update(CITIZEN, "/start")
    accepted = await ask("POST", f"{base}{HOOK}", json=update, headers={SECRET_HEADER: SECRET})
    assert accepted.status == 200
    await fake.wait_for(CITIZEN, lambda m: "Tiếp Dân" in m.text)
    await settled(app, str(CITIZEN))


# --- the server alone ------------------------------------------------------------------------


async def _up() -> None:
    return None


@pytest.fixture
async def failing_server() -> AsyncIterator[WebServer]:
    """A server whose routes fail the way a bug would, with words a client must not see."""

    async def broken(_request: web.Request) -> web.StreamResponse:
        raise RuntimeError("secret detail of the bug")

    async def recursing(request: web.Request) -> web.StreamResponse:
        return await recursing(request)

    server = WebServer("127.0.0.1", 0, _up)
    server.add_get("/broken", broken)
    server.add_post("/recursing", recursing)
    await server.start()
    yield server
    await server.stop()


async def test_an_unexpected_exception_is_a_plain_500_logged_once_with_its_traceback(
    failing_server: WebServer, caplog: pytest.LogCaptureFixture
) -> None:
    base = f"http://127.0.0.1:{failing_server.port}"
    with caplog.at_level(logging.DEBUG):
        broken = await ask("GET", f"{base}/broken")
        recursing = await ask("POST", f"{base}/recursing", json={})
    for answer in (broken, recursing):
        assert answer.status == 500
        assert answer.error() == "internal error"
        assert b"secret detail" not in answer.body
        assert_hardened(answer)
    failures = [r for r in caplog.records if r.exc_info is not None]
    assert [(r.name, r.getMessage()) for r in failures] == [
        ("handlers.web", "answering GET /broken failed"),
        ("handlers.web", "answering POST /recursing failed"),
    ]
    assert [r.exc_info[0] for r in failures if r.exc_info] == [RuntimeError, RecursionError]
    assert (await ask("GET", f"{base}/healthz")).status == 200


async def ok(_request: web.Request) -> web.StreamResponse:
    return web.json_response({})


@pytest.mark.parametrize("trusted", [False, True])
async def test_the_client_is_named_by_x_forwarded_for_only_when_trusted(trusted: bool) -> None:
    server = WebServer(
        "127.0.0.1", 0, _up, public_limit=ClientRateLimit(1, 1), trust_forwarded_for=trusted
    )
    server.add_get("/public", ok)
    await server.start()
    url = f"http://127.0.0.1:{server.port}/public"
    try:
        statuses = [
            (await ask("GET", url, headers={"X-Forwarded-For": f"spoofed, 198.51.100.{n}"})).status
            for n in (1, 2, 1)
        ]
    finally:
        await server.stop()
    # Trusted, each address the proxy added has its own bucket; not trusted, every request
    # is the peer's, whatever the header claims.
    assert statuses == ([200, 200, 429] if trusted else [200, 429, 429])


class Recorded:
    """An inbox that keeps what it is given."""

    def __init__(self) -> None:
        self.stored: list[tuple[str, Mapping[str, Any]]] = []

    async def accept(self, updates: Sequence[tuple[str, Mapping[str, Any]]]) -> int:
        self.stored.extend(updates)
        return len(updates)

    async def room(self) -> None:
        return None


async def test_the_oa_webhook_reads_no_more_than_its_own_limit_before_the_signature(
    clock: FixedClock,
) -> None:
    """Zalo OA signs the body, so the body is read before anything is known of the sender:
    its limit is tighter than the general one."""
    inbox = Recorded()
    server = WebServer("127.0.0.1", 0, _up)
    server.add_post("/oa", oa_events.webhook_handler(inbox, APP_ID, OA_SECRET_KEY, clock.now))
    await server.start()
    url = f"http://127.0.0.1:{server.port}/oa"
    events = FakeZaloOa()
    events.now = clock.now
    try:
        big = {**events.event("u1", "/start"), "padding": "x" * oa_events.MAX_EVENT_BYTES}
        body, signed = FakeZaloOa.signed(big)
        good_body, good_headers = FakeZaloOa.signed(events.event("u1", "/start"))
        answers = [
            await ask("POST", url, data=body, headers=signed),
            await ask("POST", url, data=chunks(oa_events.MAX_EVENT_BYTES + 1), headers=signed),
            await ask("POST", url, data=b"[" * 100_000, headers=signed),
            await ask("POST", url, data=good_body, headers={**signed, "Content-Type": "text/xml"}),
            # A body under the limit with the signature of another: refused as ever.
            await ask("POST", url, data=good_body, headers=signed),
        ]
        accepted = await ask("POST", url, data=good_body, headers=good_headers)
    finally:
        await server.stop()
    assert [a.status for a in answers] == [413, 413, 400, 415, 403]
    assert accepted.status == 200
    for answer in (*answers, accepted):
        assert_hardened(answer)
    msg_id = json.loads(good_body)["message"]["msg_id"]
    assert [name for name, _event in inbox.stored] == [f"user_send_text:{msg_id}"]


# --- the console alone, with [web] enabled ------------------------------------------------------

CONSOLE_CONFIG = """
[database]
url = "sqlite+aiosqlite:///{folder}/tiepdan.sqlite3"

[web]
enabled = true
port = 0
"""


@pytest.fixture
def console_config(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "config.toml"
    path.write_text(CONSOLE_CONFIG.format(folder=tmp_path), encoding="utf-8")
    yield path


async def test_tiepdan_run_with_the_console_alone_serves_the_web_side(
    console_config: Path,
) -> None:
    log = console_config.with_name("run.log")
    with log.open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "--config",
            str(console_config),
            "run",
            cwd=console_config.parent,
            stdin=asyncio.subprocess.PIPE,
            stdout=output,
            stderr=output,
            env={**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8"},
        )
    try:

        async def told_address() -> str | None:
            said = await asyncio.to_thread(log.read_text, encoding="utf-8")
            assert process.returncode is None, said
            found = re.search(r"HTTP server: (http://127\.0\.0\.1:\d+)/healthz", said)
            return found.group(1) if found else None

        base = await eventually(told_address, "tiepdan run told where it serves", within=60)
        health = await ask("GET", f"{base}/healthz")
        assert (health.status, json.loads(health.body)) == (
            200,
            {"status": "ok", "database": "up"},
        )
        services = await ask("GET", f"{base}/open311/v2/services.json")
        assert services.status == 200
        for answer in (health, services):
            assert_hardened(answer)
        # The public pages too, each under its own policy (tests/pages/).
        units = await ask("GET", f"{base}/")
        assert (units.status, units.headers["Content-Type"]) == (200, "text/html; charset=utf-8")
        assert units.headers["X-Frame-Options"] == "DENY"
        assert "script-src" not in units.headers["Content-Security-Policy"]
        assert b'<html lang="vi">' in units.body

        assert process.stdin is not None
        process.stdin.write(b"/start\n")
        await process.stdin.drain()
        process.stdin.close()
        # The console ends with its input, and takes the server down with it.
        assert await asyncio.wait_for(process.wait(), 60) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    said = log.read_text(encoding="utf-8")
    assert "Tiếp Dân" in said  # the console answered /start
    assert f"Calendar of a unit and the units below it: {base}/calendar/<unit code>.ics" in said
    assert f"Public pages (units, schedules, rules): {base}/" in said
    with pytest.raises(aiohttp.ClientConnectionError):
        await ask("GET", f"{base}/healthz")


def test_the_console_goes_on_when_the_web_port_is_taken(tmp_path: Path) -> None:
    """`make run` turns the web side on by the environment; a port some other program holds
    must not take the demo console down with it."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        config = tmp_path / "config.toml"
        config.write_text(
            f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path}/tiepdan.sqlite3"\n\n'
            f"[web]\nport = {port}\n",
            encoding="utf-8",
        )
        done = subprocess.run(
            [sys.executable, "-m", "bot", "--config", str(config), "run"],
            input="/start\n",
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            cwd=tmp_path,
            env={**os.environ, "TIEPDAN_WEB_ENABLED": "true", "PYTHONIOENCODING": "utf-8"},
        )
    assert done.returncode == 0, done.stderr
    [told] = [line for line in done.stderr.splitlines() if "HTTP server not started" in line]
    assert f"('127.0.0.1', {port}): address already in use" in told
    assert told.endswith("set [web] port")
    assert "Traceback" not in done.stdout + done.stderr
    assert "Tiếp Dân" in done.stdout
