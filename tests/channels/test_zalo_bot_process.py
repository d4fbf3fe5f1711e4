"""``tiepdan run`` as a real process with the Zalo Bot Platform channel, polling a fake of its
API on 127.0.0.1: a whole registration through numbered menus, then a clean stop."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from tests.channels.process import load_demo, spawn_run
from tests.channels.running import eventually
from tests.channels.zalo_steps import register
from tests.fakes.zalo_bot import TOKEN, FakeZaloBot

CITIZEN = "zu-7001"
STARTUP = 60.0


def write_config(tmp_path: Path, fake: FakeZaloBot) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f"""
[database]
url = "sqlite+aiosqlite:///{tmp_path}/tiepdan.sqlite3"

[zalo_bot]
enabled = true
token = "{TOKEN}"
api_base_url = "{fake.base_url}"
mode = "polling"
poll_timeout_seconds = 1
chat_gap_seconds = 0

[web]
port = 0

[outbox]
dispatch_every_seconds = 0.2
""",
        encoding="utf-8",
    )
    load_demo(path)
    return path


async def test_a_citizen_registers_on_zalo_through_tiepdan_run(
    tmp_path: Path, zalo: FakeZaloBot
) -> None:
    config = write_config(tmp_path, zalo)
    process = await spawn_run(config, tmp_path / "run.log")
    log = tmp_path / "run.log"
    try:

        async def polling() -> bool:
            assert process.returncode is None, log.read_text(encoding="utf-8")
            return any(method == "getUpdates" for method, _body in zalo.calls)

        await eventually(polling, "tiepdan run polling the Zalo Bot Platform", within=STARTUP)
        # Polling and the webhook exclude each other: the webhook went first.
        assert zalo.calls[0][0] == "deleteWebhook"

        welcome = await zalo.reply_to(CITIZEN, "/start")
        assert welcome.menu, welcome.text
        code = await register(zalo, CITIZEN)
        assert code in zalo.to(CITIZEN)[-1].text

        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 30) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
