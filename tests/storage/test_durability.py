"""What "stored" means: on the disk before the outside world is told (issue: power cuts are an
ordinary event in a commune office). The crash itself — SIGKILL right after a batch was
acknowledged, every acknowledged update found after the restart — is
tests/channels/test_telegram_process.py::test_an_update_acknowledged_but_not_processed_before_kill_9_is_processed_after.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot import config as configuration
from bot.app import build
from storage.db import create_engine, durability_warnings
from storage.sqlite import SqliteStore
from tests.conftest import PG_URL

FULL, NORMAL = 2, 1


def _config(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path}/tiepdan.sqlite3"\n{extra}\n',
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    ("extra", "expected"), [("", FULL), ('sqlite_synchronous = "normal"', NORMAL)]
)
async def test_every_connection_of_the_run_commits_to_disk(
    tmp_path: Path, extra: str, expected: int
) -> None:
    """The store's own connection (updates stored before they are acknowledged, sends
    recorded as done) and the engine of migrations and commands, as ``tiepdan run`` opens
    them from its configuration."""
    app = build(configuration.load(str(_config(tmp_path, extra))))
    try:
        assert isinstance(app.store, SqliteStore)
        with app.store.engine.connect() as connection:
            assert connection.execute(text("PRAGMA synchronous")).scalar_one() == expected
            assert connection.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        async with app.engine.connect() as connection:
            found = (await connection.execute(text("PRAGMA synchronous"))).scalar_one()
            assert found == expected
    finally:
        await app.close()


async def test_an_unknown_setting_is_refused(tmp_path: Path) -> None:
    with pytest.raises(configuration.ConfigError, match="sqlite_synchronous"):
        configuration.load(str(_config(tmp_path, 'sqlite_synchronous = "off"')))


@pytest.mark.postgres
async def test_postgresql_without_synchronous_commit_is_reported() -> None:
    if not PG_URL:
        pytest.skip("TIEPDAN_TEST_PG_URL is not set")
    found = {}
    for setting in ("off", "on"):
        engine = create_async_engine(
            PG_URL, connect_args={"server_settings": {"synchronous_commit": setting}}
        )
        try:
            found[setting] = await durability_warnings(engine)
        finally:
            await engine.dispose()
    assert any("synchronous_commit is off" in warning for warning in found["off"])
    assert not any("synchronous_commit" in warning for warning in found["on"])


async def test_sqlite_has_nothing_to_report(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/t.sqlite3")
    try:
        assert await durability_warnings(engine) == []
    finally:
        await engine.dispose()
