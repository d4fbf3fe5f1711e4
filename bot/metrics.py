"""What the inbox, the outbox dispatcher and the scheduler count, as a port: the process's
metrics without the exporter. ``handlers.metrics`` implements it with prometheus-client and
serves /metrics; the default counts nothing (the console, tests that do not look).

Labels are names the code chose (a channel, a job id, a result): never a chat, a person or
anything a citizen typed.
"""

from __future__ import annotations

from typing import Literal, Protocol

# What became of one attempt to send an outbox row.
SendOutcome = Literal["sent", "retried", "flood", "dead", "failed", "expired"]


class Metrics(Protocol):
    def received(self, channel: str, count: int) -> None:
        """``count`` new updates were stored (redeliveries are not counted)."""
        ...

    def processed(self, channel: str, count: int, seconds: float) -> None:
        """``count`` updates were processed together in ``seconds``: each one's turn took
        that long (a turn's time is the time of the batch it was in)."""
        ...

    def failed(self, channel: str, count: int) -> None:
        """``count`` updates could not be processed; they stay for the sweep."""
        ...

    def send(self, channel: str, outcome: SendOutcome) -> None:
        """One outbox row's attempt ended this way."""
        ...

    def job_ran(self, job: str, ok: bool) -> None:
        """A scheduled job ran; ``ok`` False when it raised (an outage included)."""
        ...

    def database_error(self, where: str) -> None:
        """The database did not answer (``StoreUnavailable``) in ``where``."""
        ...

    def token_refresh_failed(self, channel: str) -> None:
        """A channel could not renew its access token (Zalo OA)."""
        ...


class NoMetrics:
    """Counts nothing."""

    def received(self, channel: str, count: int) -> None:
        pass

    def processed(self, channel: str, count: int, seconds: float) -> None:
        pass

    def failed(self, channel: str, count: int) -> None:
        pass

    def send(self, channel: str, outcome: SendOutcome) -> None:
        pass

    def job_ran(self, job: str, ok: bool) -> None:
        pass

    def database_error(self, where: str) -> None:
        pass

    def token_refresh_failed(self, channel: str) -> None:
        pass


NO_METRICS: Metrics = NoMetrics()
