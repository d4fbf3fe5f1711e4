"""Where the time goes: ``tiepdan run`` under the throughput load, sampled by py-spy.

    python -m bench.profile [--engine sqlite|postgresql] [--users 3000] [--top 40]

Prints the functions that were on the stack in the largest share of samples (inclusive), and
those that were running themselves (exclusive), with the raw samples kept for a flame graph.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from bench.contenders import LIFTED, Tiepdan
from bench.databases import fresh_database
from bench.fake import BenchTelegram
from bench.scenarios import THROUGHPUT_USERS, flood


async def profile(engine: str, users: int, folder: Path, postgres_url: str) -> Path:
    fake = BenchTelegram()
    await fake.start()
    raw = folder / f"profile-{engine}.txt"
    try:
        bot = Tiepdan(folder / engine, await fresh_database(engine, folder / engine, postgres_url))
        bot.write_config(fake, messages_per_second=LIFTED)
        bot.tiepdan("demo")
        await bot.start(fake)
        assert bot.process is not None
        spy = subprocess.Popen(  # noqa: ASYNC220 - it runs beside the load, on purpose
            ["py-spy", "record", "-p", str(bot.process.pid), "-f", "raw", "-o", str(raw),
             "-r", "250"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            rate = await flood(fake, range(THROUGHPUT_USERS, THROUGHPUT_USERS + users), "/start",
                               1200)  # fmt: skip
            print(f"{engine}: {rate:.0f} updates/s while sampled")
        finally:
            spy.send_signal(2)
            spy.wait(30)
            await bot.stop()
    finally:
        await fake.stop()
    return raw


def summary(raw: Path, top: int) -> str:
    """The most sampled frames, inclusive and exclusive, from py-spy's raw (collapsed) output."""
    inclusive: Counter[str] = Counter()
    exclusive: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        samples = int(count)
        total += samples
        frames = [_short(frame) for frame in stack.split(";") if frame]
        for frame in set(frames):
            inclusive[frame] += samples
        if frames:
            exclusive[frames[-1]] += samples
    lines = [f"{total} samples", "", "inclusive:"]
    lines += [f"{100 * n / total:5.1f}%  {frame}" for frame, n in inclusive.most_common(top)]
    lines += ["", "exclusive:"]
    lines += [f"{100 * n / total:5.1f}%  {frame}" for frame, n in exclusive.most_common(top)]
    return "\n".join(lines)


def _short(frame: str) -> str:
    """``function (path/to/module.py:12)`` → ``function (module.py)``."""
    name, _, where = frame.partition(" (")
    path = where.rstrip(")").rsplit(":", 1)[0]
    marker = "site-packages/"
    if marker in path:
        path = path.split(marker, 1)[1]
    elif "/work/" in path or os.sep in path:
        path = "/".join(Path(path).parts[-2:])
    return f"{name} ({path})"


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--users", type=int, default=3000)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--postgres", default=os.environ.get("TIEPDAN_BENCH_PG_URL", ""))
    arguments = parser.parse_args()
    if shutil.which("py-spy") is None:
        print("py-spy is not installed: pip install py-spy", file=sys.stderr)
        return 2
    folder = Path(tempfile.mkdtemp(prefix="tiepdan-profile-"))
    raw = asyncio.run(profile(arguments.engine, arguments.users, folder, arguments.postgres))
    print(summary(raw, arguments.top))
    print(f"\nraw samples: {raw}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
