"""Time is injected so that rules and tests never read the wall clock behind our back."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """Return the current instant, timezone-aware."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def machine_now() -> datetime:
    """The machine's own time, for APScheduler, whose triggers run on it whatever clock the
    application is given (a frozen clock in tests)."""
    return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until moved; for tests, demos and benchmarks."""

    def __init__(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware instant")
        self._instant = instant

    def now(self) -> datetime:
        return self._instant

    def set(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware instant")
        self._instant = instant
