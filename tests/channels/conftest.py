"""Fixtures shared by the channel tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fakes.telegram import FakeTelegram
from tests.fakes.zalo_bot import FakeZaloBot
from tests.fakes.zalo_oa import FakeZaloOa


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    """A fake Telegram Bot API server on 127.0.0.1, one per test."""
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def zalo() -> AsyncIterator[FakeZaloBot]:
    """A fake Zalo Bot Platform API on 127.0.0.1, one per test."""
    server = FakeZaloBot()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def oa() -> AsyncIterator[FakeZaloOa]:
    """A fake of the Zalo OA APIs (OAuth, messages, ZNS) on 127.0.0.1, one per test."""
    server = FakeZaloOa()
    await server.start()
    yield server
    await server.stop()
