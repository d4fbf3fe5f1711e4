"""Backups and checks (issue 12): ``tiepdan db backup``, ``db restore`` and ``db check`` on
SQLite and on PostgreSQL, run the way an operator runs them."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Table, insert, make_url, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.app import App
from bot.core.model import AuditEntry, OutboxMessage
from storage import backup, health, migrate
from storage.db import create_engine
from storage.tables import AuditRow, Base, InboxRow, OutboxRow, RegistrationEventRow
from storage.tables import RegistrationRow as RegistrationTable
from tests.conftest import PG_URL, START
from tests.support import submitted

# What a backup must carry over unchanged: the citizens' requests, their append-only history,
# the officers' audit trail and the messages owed to people.
RECORDS = tuple(
    Base.metadata.tables[row.__tablename__]
    for row in (RegistrationTable, RegistrationEventRow, AuditRow, OutboxRow)
)
LEADERS = ("bt-tinh", "ct-tinh", "bt-xa", "ct-xa")
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


@dataclass
class Tiepdan:
    returncode: int
    stdout: str
    stderr: str


async def tiepdan(config: Path, *arguments: str, path: str | None = None) -> Tiepdan:
    """``tiepdan --config FILE ...`` as a process, in the configuration's folder."""
    environment = {**os.environ, "PYTHONUNBUFFERED": "1"}
    if path is not None:
        environment["PATH"] = path
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "--config",
        str(config),
        *arguments,
        cwd=config.parent,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=environment,
    )
    out, err = await process.communicate()
    assert process.returncode is not None
    return Tiepdan(process.returncode, out.decode(), err.decode())


def config_file(folder: Path, name: str, url: str) -> Path:
    path = folder / f"{name}.toml"
    path.write_text(f'[database]\nurl = "{url}"\n', encoding="utf-8")
    return path


def plain(url: str) -> str:
    """The URL with its password, as a configuration file holds it."""
    return make_url(url).render_as_string(hide_password=False)


@asynccontextmanager
async def scratch_database(suffix: str) -> AsyncIterator[str]:
    """An empty PostgreSQL database beside the test's own, dropped afterwards."""
    name = f"{make_url(PG_URL).database}_{suffix}"
    admin = create_async_engine(PG_URL, isolation_level="AUTOCOMMIT")

    async def drop() -> None:
        # Plain DROP first: it stops an autovacuum worker busy in the database by itself,
        # where FORCE refuses to end a process of another role (the worker's is the
        # superuser's). FORCE then for a connection of ours left open by a failed test.
        statement = f'DROP DATABASE IF EXISTS "{name}"'
        try:
            async with admin.connect() as connection:
                await connection.execute(text(statement))
        except DBAPIError:
            async with admin.connect() as connection:
                await connection.execute(text(f"{statement} WITH (FORCE)"))

    try:
        await drop()
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield plain(str(make_url(PG_URL).set(database=name)))
    finally:
        await drop()
        await admin.dispose()


@pytest.fixture
async def restore_url(database_url: str, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database of the same engine as the test's, to restore into."""
    if make_url(database_url).get_backend_name() == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/restored.sqlite3"
        return
    async with scratch_database("restore") as url:
        yield url


async def records(engine: AsyncEngine) -> dict[str, dict[int, dict[str, Any]]]:
    """Every row of RECORDS, by table and id."""
    found: dict[str, dict[int, dict[str, Any]]] = {}
    async with engine.connect() as connection:
        for table in RECORDS:
            rows = await connection.execute(select(table).order_by(table.c.id))
            found[table.name] = {row.id: dict(row._mapping) for row in rows}
    return found


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(
            lambda sync: command.downgrade(migrate.alembic_config(sync), revision)
        )


async def tables_in(url: str) -> int:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                query = "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
            else:
                query = "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
            return int(await connection.scalar(text(query)) or 0)
    finally:
        await engine.dispose()


# --- a backup while the bot writes ------------------------------------------------------


class Writer:
    """A citizen registering after another, each turn also queueing a message and writing an
    audit entry, as the running bot does; counts the turns it committed."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.committed = 0
        self.failure: BaseException | None = None
        self._progress = asyncio.Condition()
        self._stopping = False

    async def run(self) -> None:
        try:
            while not self._stopping:
                await self._turn()
        except BaseException as error:
            self.failure = error
            raise
        finally:
            # Whoever waits for a turn that will never come must learn it.
            async with self._progress:
                self._stopping = True
                self._progress.notify_all()

    async def _turn(self) -> None:
        turn = self.committed
        user_id = str(5000 + turn)
        code = await submitted(self.app, user_id=user_id, leader_code=LEADERS[turn % 4])
        async with self.app.store.transaction() as repo:
            await repo.enqueue(OutboxMessage(f"backup-{turn}", "console", user_id, code, START))
            await repo.audit(AuditEntry(START, "writer", "backup-test", code, True))
        async with self._progress:
            self.committed += 1
            self._progress.notify_all()
        # SQLite's store answers without ever suspending: between two updates the bot awaits
        # its channel, and so lets the rest of the loop run; this writer must do the same.
        await asyncio.sleep(0)

    async def reached(self, turns: int) -> None:
        async with self._progress:
            await self._progress.wait_for(lambda: self.committed >= turns or self._stopping)
        if self.committed < turns:
            raise AssertionError(f"the writer stopped after {self.committed} turns") from (
                self.failure
            )

    def stop(self) -> None:
        self._stopping = True


async def test_a_backup_taken_while_the_bot_writes_restores_a_consistent_snapshot(
    app: App, restore_url: str, tmp_path: Path
) -> None:
    writer = Writer(app)
    writing = asyncio.create_task(writer.run())
    try:
        await writer.reached(2)
        before = await records(app.engine)
        started_at = writer.committed
        await backup.take(app.engine, tmp_path / "during.backup")
        # The writer was not held back: it commits again after the backup.
        await writer.reached(started_at + 1)
    finally:
        writer.stop()
        await writing
    after = await records(app.engine)

    restored_engine = create_engine(restore_url)
    try:
        result = await backup.restore(restored_engine, tmp_path / "during.backup", force=False)
        restored = await records(restored_engine)
    finally:
        await restored_engine.dispose()

    assert result == backup.Restored(migrate.HEAD_REVISION, behind=False)
    for table in RECORDS:
        kept, final = restored[table.name], after[table.name]
        assert before[table.name], f"nothing written to {table.name} before the backup"
        assert set(before[table.name]) <= set(kept), table.name
        # Every row as it is in the live database, and no row without the ones before it: a
        # single writer's commits, cut at one instant.
        assert all(kept[row_id] == final[row_id] for row_id in kept), table.name
        assert sorted(kept) == sorted(final)[: len(kept)], table.name
    events = {row["registration_id"] for row in restored["registration_events"].values()}
    assert events == set(restored["registrations"])


# --- restore through the command line ---------------------------------------------------


async def test_tiepdan_restores_a_backup_into_an_empty_database_only(
    app: App, database_url: str, restore_url: str, tmp_path: Path
) -> None:
    await submitted(app)
    source = config_file(tmp_path, "source", plain(database_url))
    target = config_file(tmp_path, "target", restore_url)
    file = tmp_path / "tiepdan.backup"

    taken = await tiepdan(source, "db", "backup", str(file))
    assert taken.returncode == 0, taken.stderr
    assert taken.stdout.strip() == f"Wrote {file}."
    assert file.stat().st_mode & 0o777 == 0o600

    first = await tiepdan(target, "db", "restore", str(file))
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == f"Restored {file} (schema {migrate.HEAD_REVISION})."

    again = await tiepdan(target, "db", "restore", str(file))
    assert again.returncode == 2
    assert again.stderr.count("\n") == 1
    assert "is not empty" in again.stderr and "--force" in again.stderr

    restored_engine = create_engine(restore_url)
    try:
        async with restored_engine.begin() as connection:
            await connection.execute(
                insert(Base.metadata.tables[AuditRow.__tablename__]),
                {"at": START, "actor": "after", "action": "restore", "allowed": True},
            )
        # Its pooled connections must not outlive the tables pg_restore drops.
        await restored_engine.dispose()
        forced = await tiepdan(target, "db", "restore", "--force", str(file))
        assert forced.returncode == 0, forced.stderr
        assert await records(restored_engine) == await records(app.engine)
    finally:
        await restored_engine.dispose()


async def test_a_backup_of_the_other_engine_is_refused(
    database_url: str, restore_url: str, tmp_path: Path
) -> None:
    on_sqlite = make_url(database_url).get_backend_name() == "sqlite"
    other = tmp_path / "other.backup"
    # Only the header decides: the refusal comes before anything else is read.
    other.write_bytes((backup.PG_DUMP_HEADER if on_sqlite else backup.SQLITE_HEADER) + bytes(4096))
    target = config_file(tmp_path, "target", restore_url)

    refused = await tiepdan(target, "db", "restore", "--force", str(other))
    assert refused.returncode == 2
    made_by, configured = ("PostgreSQL", "SQLite") if on_sqlite else ("SQLite", "PostgreSQL")
    assert refused.stderr == (
        f"restore: {other} is a {made_by} backup but the configured database is "
        f"{configured}: restore it into a {made_by} database\n"
    )
    neither = tmp_path / "notes.txt"
    neither.write_text("not a backup", encoding="utf-8")
    refused = await tiepdan(target, "db", "restore", str(neither))
    assert refused.returncode == 2 and "not a backup made by tiepdan db backup" in refused.stderr
    assert await tables_in(restore_url) == 0


async def test_a_backup_from_an_older_schema_is_restored_for_the_upgrade_to_migrate(
    engine: AsyncEngine, database_url: str, restore_url: str, tmp_path: Path
) -> None:
    await downgrade(engine, "0008")
    file = tmp_path / "old.backup"
    await backup.take(engine, file)
    target = config_file(tmp_path, "target", restore_url)

    restored = await tiepdan(target, "db", "restore", str(file))
    assert restored.returncode == 0, restored.stderr
    assert restored.stdout.strip() == (
        f"Restored {file} (schema 0008, older than this version's {migrate.HEAD_REVISION}): "
        "tiepdan db upgrade, or tiepdan run, will migrate it."
    )
    upgraded = await tiepdan(target, "db", "upgrade")
    assert upgraded.returncode == 0 and upgraded.stdout.strip() == migrate.HEAD_REVISION


async def test_a_backup_from_a_newer_schema_is_refused_before_anything_is_written(
    engine: AsyncEngine, restore_url: str, tmp_path: Path
) -> None:
    async with engine.begin() as connection:
        await connection.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    file = tmp_path / "newer.backup"
    await backup.take(engine, file)
    target = config_file(tmp_path, "target", restore_url)

    refused = await tiepdan(target, "db", "restore", "--force", str(file))
    assert refused.returncode == 2
    assert refused.stderr == (
        f"restore: {file} is at schema revision 0099, newer than this version of Tiếp Dân "
        f"knows (its newest is {migrate.HEAD_REVISION}): restore it with the version that "
        "made it\n"
    )
    assert await tables_in(restore_url) == 0


# --- PostgreSQL's tools -----------------------------------------------------------------

PG_CONFIG_URL = "postgresql+asyncpg://tiepdan:s3cret-pw@db.example:6543/tiepdan"


async def test_missing_pg_dump_and_pg_restore_are_one_clear_line(tmp_path: Path) -> None:
    """Found missing before any connection: the configured server need not exist."""
    config = config_file(tmp_path, "pg", PG_CONFIG_URL)
    empty = tmp_path / "no-tools"
    empty.mkdir()
    dump = tmp_path / "tiepdan.dump"
    dump.write_bytes(backup.PG_DUMP_HEADER + bytes(64))

    taken = await tiepdan(config, "db", "backup", str(tmp_path / "new.dump"), path=str(empty))
    assert taken.returncode == 2
    assert taken.stderr == (
        "backup: pg_dump not found on PATH: install the PostgreSQL client tools of the "
        "server's version or newer (Debian and Ubuntu: postgresql-client)\n"
    )
    assert not (tmp_path / "new.dump").exists()

    restored = await tiepdan(config, "db", "restore", str(dump), path=str(empty))
    assert restored.returncode == 2
    assert restored.stderr == (
        "restore: pg_restore not found on PATH: install the PostgreSQL client tools of the "
        "server's version or newer (Debian and Ubuntu: postgresql-client)\n"
    )


async def test_pg_dump_gets_the_configured_connection_and_the_password_only_by_environment(
    tmp_path: Path,
) -> None:
    tools = tmp_path / "bin"
    tools.mkdir()
    seen = tmp_path / "seen.txt"
    # A stand-in pg_dump that tells what it was given and writes a dump's header.
    fake = tools / "pg_dump"
    fake.write_text(
        f"#!{sys.executable}\n"
        "import json, os, sys\n"
        "from pathlib import Path\n"
        f"Path({str(seen)!r}).write_text(json.dumps([sys.argv[1:], dict(os.environ)]))\n"
        "target = next(a for a in sys.argv if a.startswith('--file='))[len('--file='):]\n"
        "Path(target).write_bytes(b'PGDMP' + bytes(16))\n",
        encoding="utf-8",
    )
    fake.chmod(0o755)
    config = config_file(tmp_path, "pg", PG_CONFIG_URL + "?ssl=require")
    file = tmp_path / "tiepdan.dump"

    taken = await tiepdan(config, "db", "backup", str(file), path=str(tools))
    assert taken.returncode == 0, taken.stderr
    arguments, environment = json.loads(seen.read_text(encoding="utf-8"))
    assert arguments == [
        "--no-password",
        "--host=db.example",
        "--port=6543",
        "--username=tiepdan",
        "--dbname=tiepdan",
        "--format=custom",
        f"--file={tmp_path / '.tiepdan.dump.partial'}",
    ]
    assert not any("s3cret-pw" in argument for argument in arguments)
    # Nothing of the shell's environment: no PGHOST or PGDATABASE of the operator's can
    # point it at another database. (Python, the stand-in's interpreter, adds LC_CTYPE.)
    environment.pop("LC_CTYPE", None)
    assert environment == {
        "PGPASSWORD": "s3cret-pw",
        "PGSSLMODE": "require",
        "PGCONNECT_TIMEOUT": "10",
    }
    assert file.read_bytes().startswith(backup.PG_DUMP_HEADER)
    assert file.stat().st_mode & 0o777 == 0o600
    assert not (tmp_path / ".tiepdan.dump.partial").exists()


@pytest.mark.postgres
async def test_a_failing_pg_dump_is_summarised_in_one_line(tmp_path: Path) -> None:
    if not PG_URL:
        pytest.skip("TIEPDAN_TEST_PG_URL is not set")
    missing = plain(str(make_url(PG_URL).set(database="tiepdan_no_such_database")))
    config = config_file(tmp_path, "pg", missing)

    failed = await tiepdan(config, "db", "backup", str(tmp_path / "x.dump"))
    assert failed.returncode == 2
    assert failed.stderr.startswith("backup: pg_dump failed: ")
    assert 'database "tiepdan_no_such_database" does not exist' in failed.stderr
    assert failed.stderr.count("\n") == 1
    assert not (tmp_path / "x.dump").exists()
    assert not (tmp_path / ".x.dump.partial").exists()


# --- db check ---------------------------------------------------------------------------


def verdicts(output: str) -> dict[str, str]:
    """``db check``'s lines as check → OK or PROBLEM."""
    found = {}
    for line in output.splitlines():
        status, rest = line.split(maxsplit=1)
        found[rest.split(":", 1)[0]] = status
    return found


CHECKS = ("integrity", "migrations", "outbox sending", "outbox failed", "inbox")


async def test_db_check_on_a_healthy_database_is_all_ok(
    engine: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    config = config_file(tmp_path, "bot", plain(database_url))
    checked = await tiepdan(config, "db", "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert verdicts(checked.stdout) == dict.fromkeys(CHECKS, "OK")


async def test_db_check_leaves_failures_older_than_a_week_out_of_the_verdict(
    engine: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    outbox = Base.metadata.tables[OutboxRow.__tablename__]
    async with engine.begin() as connection:
        await connection.execute(insert(outbox), [outbox_row("given-up-long-ago", "failed")])
    config = config_file(tmp_path, "bot", plain(database_url))

    checked = await tiepdan(config, "db", "check")
    assert checked.returncode == 0, checked.stdout
    assert (
        "OK      outbox failed: no message given up on in the last 7 days "
        "(1 message before that)\n" in checked.stdout
    )


async def test_db_check_names_each_message_or_update_left_behind(
    engine: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    outbox = Base.metadata.tables[OutboxRow.__tablename__]
    # `db check` reads the machine's clock: a failure an hour ago is recent, one in 2020 is not.
    recently = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=1)
    async with engine.begin() as connection:
        await connection.execute(
            insert(outbox),
            [
                outbox_row("held-by-a-dead-dispatcher", "sending", lease_until=LONG_AGO),
                outbox_row("given-up-long-ago", "failed"),
                outbox_row("given-up", "failed", due_at=recently),
            ],
        )
        await connection.execute(
            insert(inbox_table()), [inbox_row("never-processed", received_at=LONG_AGO)]
        )
    config = config_file(tmp_path, "bot", plain(database_url))

    checked = await tiepdan(config, "db", "check")
    assert checked.returncode == 1
    assert verdicts(checked.stdout) == {
        "integrity": "OK",
        "migrations": "OK",
        "outbox sending": "PROBLEM",
        "outbox failed": "PROBLEM",
        "inbox": "PROBLEM",
    }
    assert (
        "PROBLEM outbox sending: 1 message still 'sending' past the lease (the earliest ended "
        "2020-01-01 00:00 UTC): not taken back by a running bot\n"
        "PROBLEM outbox failed: 1 message given up on in the last 7 days (the latest due "
        f"{recently:%Y-%m-%d %H:%M} UTC) (1 message before that)\n"
        "PROBLEM inbox: 1 update stored but never processed (the earliest received "
        "2020-01-01 00:00 UTC)\n"
    ) in checked.stdout


async def test_db_check_reports_a_database_behind_head(
    engine: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    await downgrade(engine, "0008")
    config = config_file(tmp_path, "bot", plain(database_url))

    checked = await tiepdan(config, "db", "check")
    assert checked.returncode == 1
    assert verdicts(checked.stdout) == {**dict.fromkeys(CHECKS, "OK"), "migrations": "PROBLEM"}
    assert (
        f"PROBLEM migrations: schema at 0008, this version needs {migrate.HEAD_REVISION}: "
        "run tiepdan db upgrade" in checked.stdout
    )


async def test_db_check_reports_a_sqlite_file_it_cannot_read(tmp_path: Path) -> None:
    (tmp_path / "broken.sqlite3").write_bytes(b"not a database at all" * 100)
    config = config_file(tmp_path, "bot", f"sqlite+aiosqlite:///{tmp_path}/broken.sqlite3")

    checked = await tiepdan(config, "db", "check")
    assert checked.returncode == 1
    assert checked.stdout.startswith("PROBLEM integrity: the database could not be read: ")
    assert checked.stdout.count("\n") == 1


async def test_what_is_still_in_time_is_not_a_problem(engine: AsyncEngine) -> None:
    now = START
    outbox = Base.metadata.tables[OutboxRow.__tablename__]
    async with engine.begin() as connection:
        await connection.execute(
            insert(outbox),
            [
                outbox_row("being-sent", "sending", lease_until=now + timedelta(seconds=30)),
                outbox_row("waiting", "pending"),
                outbox_row("done", "sent"),
            ],
        )
        await connection.execute(
            insert(inbox_table()),
            [
                inbox_row("just-arrived", received_at=now - timedelta(seconds=59)),
                inbox_row("done-long-ago", received_at=LONG_AGO, processed_at=LONG_AGO),
            ],
        )
    assert all(finding.ok for finding in await health.examine(engine, now))

    later = now + timedelta(seconds=31)
    found = {finding.check: finding.ok for finding in await health.examine(engine, later)}
    assert found == {**dict.fromkeys(CHECKS, True), "outbox sending": False, "inbox": False}


def inbox_table() -> Table:
    return Base.metadata.tables[InboxRow.__tablename__]


def outbox_row(
    key: str, status: str, lease_until: datetime | None = None, due_at: datetime = LONG_AGO
) -> dict[str, Any]:
    return {
        "idempotency_key": key,
        "channel": "telegram",
        "recipient": "1001",
        "payload": {"text": key},
        "due_at": due_at,
        "status": status,
        "attempts": 1,
        "lease_owner": "host:1" if lease_until else None,
        "lease_until": lease_until,
        "last_error": "",
        "created_at": LONG_AGO,
        "purpose": "notice",
    }


def inbox_row(
    update_id: str, received_at: datetime, processed_at: datetime | None = None
) -> dict[str, Any]:
    return {
        "channel": "telegram",
        "update_id": update_id,
        "payload": {},
        "received_at": received_at,
        "processed_at": processed_at,
        "error": "",
    }
