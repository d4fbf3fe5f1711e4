"""The log's format ([log] format: "text" or "json") and the turn a line belongs to.

The inbox sets the channel and the update (the inbox row id: an opaque number, never a chat
id, a phone number, a name or anything a citizen typed) around each turn, in context
variables: every line logged while the turn runs carries them, whatever logger wrote it, in
both formats. Text appends `` [channel=telegram update=42]``; JSON lines have the fields
``channel`` and ``update``.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import IO, Literal

LogFormat = Literal["text", "json"]

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# A batch of many users' updates is one turn in the log: its first ids, then how many more.
_SHOWN_IDS = 8

_channel: ContextVar[str | None] = ContextVar("log_channel", default=None)
_update: ContextVar[str | None] = ContextVar("log_update", default=None)


@contextmanager
def turn(channel: str, update_ids: Sequence[int]) -> Iterator[None]:
    """Lines logged inside this block belong to the turn of these inbox rows."""
    shown = ",".join(str(int(i)) for i in update_ids[:_SHOWN_IDS])
    if len(update_ids) > _SHOWN_IDS:
        shown += f",+{len(update_ids) - _SHOWN_IDS}"
    channel_token = _channel.set(channel)
    update_token = _update.set(shown)
    try:
        yield
    finally:
        _update.reset(update_token)
        _channel.reset(channel_token)


def current() -> tuple[str | None, str | None]:
    """The (channel, update) of the turn running here, or (None, None)."""
    return _channel.get(), _update.get()


class TurnFields(logging.Filter):
    """Puts the turn's channel and update on each record, where it is logged (a handler's
    filter runs in the logging caller's context)."""

    def filter(self, record: logging.LogRecord) -> bool:
        channel, update = current()
        record.turn_channel = channel
        record.turn_update = update
        return True


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        channel = getattr(record, "turn_channel", None)
        if channel is None:
            return line
        update = getattr(record, "turn_update", None)
        first, newline, rest = line.partition("\n")
        # On the message's line, before a traceback.
        return f"{first} [channel={channel} update={update}]{newline}{rest}"


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (ISO 8601, UTC), level, logger, message; channel and
    update during a turn; exception with its traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        channel = getattr(record, "turn_channel", None)
        if channel is not None:
            entry["channel"] = channel
            entry["update"] = getattr(record, "turn_update", None)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def handler(fmt: LogFormat, stream: IO[str] | None = None) -> logging.Handler:
    """A handler writing ``stream`` (stderr) in ``fmt``, with the turn's fields."""
    made = logging.StreamHandler(stream if stream is not None else sys.stderr)
    made.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    made.addFilter(TurnFields())
    return made


def configure(level: int | str, fmt: LogFormat, stream: IO[str] | None = None) -> None:
    """The root logger writes ``stream`` in ``fmt`` from now on (replacing its handlers)."""
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
        old.close()
    root.addHandler(handler(fmt, stream))
    root.setLevel(level)
