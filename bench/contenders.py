"""The two bots a scenario runs, each as its own process against the same fake Bot API:
``tiepdan run`` as an operator starts it, and the bare aiogram echo bot."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from bench.fake import BenchTelegram
from tests.fakes.telegram import TOKEN

ROOT = Path(__file__).resolve().parent.parent
# Telegram's flood limit as the scenarios that do not measure it set it: far above what either
# bot reaches on this machine, so that the limiter is not what is measured.
LIFTED = 10_000
STARTUP = 60.0


@dataclass
class Contender(ABC):
    """A bot process polling ``fake``."""

    name: str
    folder: Path
    process: asyncio.subprocess.Process | None = None
    # time.monotonic() when the process was spawned, and when it first polled.
    spawned_at: float = 0.0
    polling_at: float = 0.0
    log: Path = field(init=False)

    def __post_init__(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.log = self.folder / f"{self.name}.log"

    @abstractmethod
    def command(self, fake: BenchTelegram) -> list[str]:
        """The command line of the process."""

    @property
    def cwd(self) -> Path:
        return self.folder

    async def start(self, fake: BenchTelegram, *, wait: bool = True) -> None:
        polls = fake.polls()
        with self.log.open("ab") as output:
            self.spawned_at = time.monotonic()
            self.process = await asyncio.create_subprocess_exec(
                *self.command(fake),
                cwd=self.cwd,
                stdout=output,
                stderr=output,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        if wait:
            await self.polling(fake, polls)

    async def polling(self, fake: BenchTelegram, polls_before: int = 0) -> None:
        """Wait for the process's first getUpdates."""
        deadline = time.monotonic() + STARTUP
        while time.monotonic() < deadline:
            if fake.polls() > polls_before:
                self.polling_at = time.monotonic()
                return
            if self.process is not None and self.process.returncode is not None:
                break
            await asyncio.sleep(0.01)
        raise RuntimeError(f"{self.name} did not start polling; see {self.log}")

    def rss_mb(self) -> float:
        """Resident memory of the process, in MB."""
        assert self.process is not None
        status = Path(f"/proc/{self.process.pid}/status").read_text(encoding="utf-8")
        line = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
        return int(line.split()[1]) / 1024

    async def stop(self) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.terminate()
        try:
            await asyncio.wait_for(self.process.wait(), 20)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()


class EchoBot(Contender):
    def __init__(self, folder: Path) -> None:
        super().__init__("echo", folder)

    def command(self, fake: BenchTelegram) -> list[str]:
        return [sys.executable, "-m", "bench.echo_bot", fake.base_url, TOKEN]

    @property
    def cwd(self) -> Path:
        # From the project, so that ``bench`` is importable.
        return ROOT


class Tiepdan(Contender):
    """``tiepdan run`` on a fresh database, with ``extra`` TOML appended to its configuration."""

    def __init__(self, folder: Path, database_url: str, extra: str = "") -> None:
        super().__init__("tiepdan", folder)
        self.database_url = database_url
        self.extra = extra
        self.config = folder / "config.toml"

    def write_config(
        self,
        fake: BenchTelegram,
        *,
        messages_per_second: float,
        chat_gap_seconds: float = 0,
        sqlite_synchronous: str = "full",
    ) -> None:
        """``messages_per_second`` and ``chat_gap_seconds`` are Telegram's flood limits; the
        scenarios that do not measure them lift them, so that they are not what is measured.
        ``sqlite_synchronous`` is the durable default unless a scenario shows the other."""
        self.config.write_text(
            f"""
[database]
url = "{self.database_url}"
sqlite_synchronous = "{sqlite_synchronous}"

[telegram]
enabled = true
token = "{TOKEN}"
api_base_url = "{fake.base_url}"
mode = "polling"
poll_timeout_seconds = 10
messages_per_second = {messages_per_second}
private_chat_gap_seconds = {chat_gap_seconds}

[web]
port = 0

[[officers]]
channel = "console"
user_id = "bench-officer"
name = "Cán bộ đo tải"
role = "admin"
permissions = ["confidential"]
{self.extra}
""",
            encoding="utf-8",
        )

    def tiepdan(self, *arguments: str) -> None:
        """A one-off ``tiepdan`` command on this configuration (migrations, data)."""
        done = subprocess.run(
            [sys.executable, "-m", "bot", "--config", str(self.config), *arguments],
            cwd=self.folder,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"tiepdan {' '.join(arguments)} failed:\n{done.stderr}")

    def import_schedule(self, capacity: int, today: date) -> None:
        """One leader with a published session two weeks ahead, room for ``capacity``."""
        day = today + timedelta(days=14)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        schedule = self.folder / "schedule.toml"
        schedule.write_text(
            f"""
[[unit]]
code = "bench-ubnd"
name = "UBND xã Đo Tải"
kind = "peoples_committee"
level = "commune"

[[leader]]
code = "bench-ct"
unit = "bench-ubnd"
name = "Nguyễn Văn Đo"
title = "Chủ tịch UBND xã"
role = "committee_chair"

[[session]]
code = "bench-session"
leader = "bench-ct"
date = {day.isoformat()}
start = "07:30"
end = "17:00"
location = "Hội trường UBND xã"
capacity = {capacity}
""",
            encoding="utf-8",
        )
        self.tiepdan("schedule", "import", str(schedule))

    def command(self, fake: BenchTelegram) -> list[str]:
        return [
            sys.executable,
            "-m",
            "bot",
            "--config",
            str(self.config),
            "--log-level",
            "WARNING",
            "run",
        ]
