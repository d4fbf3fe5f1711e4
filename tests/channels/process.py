"""``tiepdan`` as a real process, for the tests that run it the way an operator does."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path


def load_demo(config: Path) -> None:
    """``tiepdan --config FILE demo``, in the configuration's folder."""
    demo = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(config), "demo"],
        capture_output=True,
        text=True,
        check=False,
        cwd=config.parent,
    )
    assert demo.returncode == 0, demo.stderr


async def spawn_run(config: Path, log: Path) -> asyncio.subprocess.Process:
    """``tiepdan --config FILE run``, its output in ``log``."""
    with log.open("wb") as output:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "--config",
            str(config),
            "--log-level",
            "INFO",
            "run",
            cwd=config.parent,
            stdout=output,
            stderr=output,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
