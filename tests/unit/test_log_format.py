"""[log] format: JSON lines that parse, and in both formats the channel and the update (the
inbox row id) on every line logged during a turn — never a chat id or what a citizen typed."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot import logs
from bot.core.clock import FixedClock
from bot.core.model import Hold, Incoming, OutboxItem, StoredUpdate
from bot.inbox import Inbox

CHAT = "7001234"
TYPED = "Tôi tên Nguyễn Văn An, số 0912345678"
ROW_ID = 41
TELEGRAM_UPDATE_ID = "900123"
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

turn_log = logging.getLogger("tests.turn")


@pytest.fixture
def captured() -> Iterator[tuple[io.StringIO, list[logging.Handler]]]:
    """The root logger as ``logs.configure`` leaves it, restored afterwards."""
    root = logging.getLogger()
    saved, level = list(root.handlers), root.level
    stream = io.StringIO()
    yield stream, saved
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in saved:
        root.addHandler(handler)
    root.setLevel(level)


def configure(captured: tuple[io.StringIO, Any], fmt: logs.LogFormat) -> io.StringIO:
    stream = captured[0]
    logs.configure(logging.INFO, fmt, stream)
    return stream


# --- an inbox with a turn that logs ----------------------------------------------------------


class _Repo:
    async def store_updates(
        self, channel: str, updates: Sequence[tuple[str, dict[str, Any]]], now: datetime
    ) -> list[StoredUpdate]:
        return [StoredUpdate(ROW_ID, channel, u, p) for u, p in updates]


class _Store:
    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[_Repo]:
        yield _Repo()


class _Dialogue:
    async def handle_updates(
        self, updates: Sequence[tuple[StoredUpdate, Incoming | None]], hold: Hold
    ) -> list[list[OutboxItem]]:
        turn_log.info("answering %d update(s)", len(updates))
        return [[] for _ in updates]


class _Replies:
    def hold(self) -> Hold:
        return Hold("test", NOW + timedelta(minutes=2))

    async def deliver_held(self, items: Sequence[OutboxItem]) -> object:
        logging.getLogger("tests.send").info("replies sent")
        return None


def _parse(payload: Mapping[str, Any]) -> Incoming:
    message = payload["message"]
    chat = str(message["chat"]["id"])
    return Incoming("telegram", chat, chat, text=message["text"])


async def run_a_turn() -> None:
    inbox = Inbox("telegram", _Store(), _Dialogue(), _Replies(), FixedClock(NOW), _parse)  # type: ignore[arg-type]
    inbox.start()
    payload = {"message": {"chat": {"id": int(CHAT)}, "text": TYPED}}
    await inbox.accept([(TELEGRAM_UPDATE_ID, payload)])
    await inbox.idle()
    await inbox.stop()
    logging.getLogger("tests.after").info("after the turn")


# --- JSON --------------------------------------------------------------------------------------


async def test_json_lines_carry_the_turn_and_nothing_personal(
    captured: tuple[io.StringIO, Any],
) -> None:
    stream = configure(captured, "json")
    await run_a_turn()
    output = stream.getvalue()
    lines = [json.loads(line) for line in output.splitlines()]
    by_logger = {line["logger"]: line for line in lines}

    during = by_logger["tests.turn"]
    assert during["message"] == "answering 1 update(s)"
    assert during["level"] == "INFO"
    assert (during["channel"], during["update"]) == ("telegram", str(ROW_ID))
    assert datetime.fromisoformat(during["time"]).utcoffset() == timedelta(0)
    # The replies of the turn, sent beside the next one, carry it too.
    assert (by_logger["tests.send"]["channel"], by_logger["tests.send"]["update"]) == (
        "telegram",
        str(ROW_ID),
    )
    # After the turn, no turn.
    assert "channel" not in by_logger["tests.after"]
    assert "update" not in by_logger["tests.after"]
    # Neither the chat, nor what was typed, nor the provider's own update id.
    for secret in (CHAT, TYPED, "Nguyễn", "0912345678", TELEGRAM_UPDATE_ID):
        assert secret not in output


def test_a_json_line_keeps_the_traceback_and_non_ascii_text(
    captured: tuple[io.StringIO, Any],
) -> None:
    stream = configure(captured, "json")
    try:
        raise ValueError("hỏng")
    except ValueError:
        logging.getLogger("tests.error").exception("Tiếp Dân: lỗi")
    [line] = [json.loads(text) for text in stream.getvalue().splitlines()]
    assert line["message"] == "Tiếp Dân: lỗi"
    assert line["level"] == "ERROR"
    assert "ValueError: hỏng" in line["exception"]
    assert set(line) == {"time", "level", "logger", "message", "exception"}


def test_a_batch_names_its_rows_shortly() -> None:
    with logs.turn("zalo_bot", list(range(1, 21))):
        assert logs.current() == ("zalo_bot", "1,2,3,4,5,6,7,8,+12")
    assert logs.current() == (None, None)


# --- text --------------------------------------------------------------------------------------


async def test_text_lines_end_with_the_turn(captured: tuple[io.StringIO, Any]) -> None:
    stream = configure(captured, "text")
    await run_a_turn()
    output = stream.getvalue()
    [during] = [line for line in output.splitlines() if "tests.turn" in line]
    assert during.endswith(f"answering 1 update(s) [channel=telegram update={ROW_ID}]")
    [after] = [line for line in output.splitlines() if "tests.after" in line]
    assert after.endswith("after the turn")
    for secret in (CHAT, TYPED, TELEGRAM_UPDATE_ID):
        assert secret not in output


def test_the_text_context_goes_on_the_message_line_not_after_the_traceback(
    captured: tuple[io.StringIO, Any],
) -> None:
    stream = configure(captured, "text")
    with logs.turn("telegram", [5]):
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            turn_log.exception("failed")
    first, *rest = stream.getvalue().splitlines()
    assert first.endswith("failed [channel=telegram update=5]")
    assert rest[-1] == "RuntimeError: boom"
