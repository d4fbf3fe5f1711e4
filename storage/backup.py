"""Backups and their restore. SQLite is copied through its online backup API, PostgreSQL
through pg_dump and pg_restore; the engine decides the file's format, and a file is only
restored into the engine that made it."""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sqlalchemy import URL, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import migrate
from storage.health import standing

SQLITE_HEADER = b"SQLite format 3\0"
PG_DUMP_HEADER = b"PGDMP"
# How long a SQLite connection of this module waits for another one's lock.
_SQLITE_TIMEOUT_SECONDS = 30.0
# pg_dump and pg_restore run from cron: a server that does not answer must end the run.
_PG_CONNECT_TIMEOUT_SECONDS = "10"


class BackupError(Exception):
    """The backup or the restore was not done; the message, one line, says why."""


@dataclass(frozen=True)
class Restored:
    revision: str
    # Older than this code's schema: the next ``tiepdan db upgrade`` or ``run`` migrates it.
    behind: bool


async def take(engine: AsyncEngine, target: Path) -> None:
    """Write a consistent copy of the database to ``target``, safe while the bot writes;
    ``target`` appears only once the copy is complete."""
    if engine.dialect.name == "sqlite":
        await asyncio.to_thread(_sqlite_take, _sqlite_file(engine.url), target)
    else:
        await _pg_take(engine.url, target)


async def restore(engine: AsyncEngine, source: Path, *, force: bool) -> Restored:
    """Replace the configured database by the backup in ``source``. Refused, before anything
    is written, for a file of the other engine, a schema newer than this code's, or a
    database that is not empty unless ``force``."""
    made_by = await asyncio.to_thread(_engine_of, source)
    if made_by != engine.dialect.name:
        raise BackupError(_wrong_engine(source, made_by, engine.dialect.name))
    if engine.dialect.name == "sqlite":
        database = _sqlite_file(engine.url)
        _check_restorable(source, await asyncio.to_thread(_sqlite_revision, source))
        # Its pooled connections would keep reading the pages being replaced.
        await engine.dispose()
        await asyncio.to_thread(_sqlite_restore, source, database, force)
    else:
        _check_restorable(source, await _pg_dump_revision(source))
        if not force and await _pg_holds_tables(engine):
            raise BackupError(
                f"the database {engine.url.database} on {engine.url.host or 'localhost'} is "
                "not empty: stop the bot, then run again with --force to replace it"
            )
        # pg_restore drops the tables: no connection of ours may hold them.
        await engine.dispose()
        await _pg_restore(engine.url, source)
    revision = await migrate.current_revision(engine)
    if revision is None:
        raise BackupError(f"the database restored from {source} has no schema revision")
    return Restored(revision, behind=standing(revision) == "behind")


# --- SQLite ----------------------------------------------------------------------------


def _sqlite_file(url: URL) -> Path:
    database = url.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError(f"the database URL names no SQLite file: {url}")
    return Path(database)


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(
        f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=_SQLITE_TIMEOUT_SECONDS
    )


def _sqlite_take(database: Path, target: Path) -> None:
    if not database.is_file():
        raise BackupError(f"no database at {database}")
    partial = _partial(target)
    try:
        with closing(_read_only(database)) as live, closing(sqlite3.connect(partial)) as copy:
            # In one step (pages=-1): the copy is the snapshot of one read transaction, which
            # in WAL mode never holds the bot's writes back. Copied in steps, SQLite would
            # start over after each write of the bot's.
            live.backup(copy, pages=-1)
            # One self-contained file: without WAL no -wal file beside it holds a part.
            copy.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as error:
        partial.unlink(missing_ok=True)
        raise BackupError(f"cannot copy {database}: {error}") from error
    _put_in_place(partial, target)


def _sqlite_revision(source: Path) -> str | None:
    try:
        with closing(_read_only(source)) as backup:
            found = backup.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
            ).fetchone()
            if found is None:
                return None
            row = backup.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error as error:
        raise BackupError(f"cannot read {source}: {error}") from error
    return None if row is None else str(row[0])


def _sqlite_restore(source: Path, database: Path, force: bool) -> None:
    database.parent.mkdir(parents=True, exist_ok=True)
    try:
        with (
            closing(_read_only(source)) as backup,
            closing(sqlite3.connect(database, timeout=_SQLITE_TIMEOUT_SECONDS)) as live,
        ):
            tables = live.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if tables and not force:
                raise BackupError(
                    f"the database {database} is not empty: stop the bot, then run again "
                    "with --force to replace it"
                )
            # Through the backup API rather than a file copy: it takes the live database's
            # locks and writes through its journal, so a -wal file left beside it cannot
            # bring old pages back over the restored ones.
            backup.backup(live, pages=-1)
    except sqlite3.Error as error:
        raise BackupError(f"cannot restore into {database}: {error}") from error


# --- PostgreSQL ------------------------------------------------------------------------


async def _pg_take(url: URL, target: Path) -> None:
    partial = _partial(target)
    try:
        # pg_dump reads in one repeatable-read transaction: a snapshot while the bot writes.
        await _pg_tool(
            "pg_dump",
            [*_pg_connection(url), "--format=custom", f"--file={partial}"],
            _pg_environment(url),
        )
    except BackupError:
        partial.unlink(missing_ok=True)
        raise
    _put_in_place(partial, target)


async def _pg_dump_revision(source: Path) -> str | None:
    """The schema revision a dump holds, read from its alembic_version data (no server)."""
    listing = await _pg_tool(
        "pg_restore",
        ["--data-only", "--table=alembic_version", "--file=-", str(source)],
        environment={},
    )
    lines = listing.decode("utf-8", "replace").splitlines()
    for number, line in enumerate(lines):
        if line.startswith("COPY ") and "alembic_version" in line:
            value = lines[number + 1] if number + 1 < len(lines) else "\\."
            return None if value == "\\." else value.strip()
    return None


async def _pg_holds_tables(engine: AsyncEngine) -> bool:
    try:
        async with engine.connect() as connection:
            found = await connection.scalar(
                text(
                    "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_tables "
                    "WHERE schemaname NOT IN ('pg_catalog', 'information_schema'))"
                )
            )
    except (DBAPIError, OSError) as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()
        raise BackupError(
            f"cannot reach the database {engine.url.database}: {reason[0] if reason else error}"
        ) from error
    return bool(found)


async def _pg_restore(url: URL, source: Path) -> None:
    await _pg_tool(
        "pg_restore",
        [
            *_pg_connection(url),
            # Drops what the dump holds before creating it again (--force on a database
            # that is not empty); no error for what is not there yet.
            "--clean",
            "--if-exists",
            # The tables belong to whoever restores them, whatever role made the dump.
            "--no-owner",
            # All or nothing: a restore that fails leaves the database as it was.
            "--single-transaction",
            str(source),
        ],
        _pg_environment(url),
    )


def _pg_connection(url: URL) -> list[str]:
    options = ["--no-password"]  # from cron, a prompt would wait forever
    host = url.host or _query_value(url, "host")
    if host:
        options.append(f"--host={host}")
    if url.port:
        options.append(f"--port={url.port}")
    if url.username:
        options.append(f"--username={url.username}")
    options.append(f"--dbname={url.database or url.username or 'postgres'}")
    return options


def _pg_environment(url: URL) -> dict[str, str]:
    """The tool's whole environment: the configured connection and nothing else, so that no
    PG* variable of the operator's shell points it at another database. The password goes
    here, never on the command line, where any user of the machine can read it."""
    environment = {"PGCONNECT_TIMEOUT": _PG_CONNECT_TIMEOUT_SECONDS}
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    ssl = _query_value(url, "ssl") or _query_value(url, "sslmode")
    if ssl:
        environment["PGSSLMODE"] = "require" if ssl.lower() == "true" else ssl
    return environment


def _query_value(url: URL, name: str) -> str:
    value = url.query.get(name, "")
    return value if isinstance(value, str) else value[0]


async def _pg_tool(program: str, arguments: Sequence[str], environment: dict[str, str]) -> bytes:
    """Run pg_dump or pg_restore; its output, or its complaint as a BackupError."""
    path = shutil.which(program)
    if path is None:
        raise BackupError(
            f"{program} not found on PATH: install the PostgreSQL client tools of the "
            "server's version or newer (Debian and Ubuntu: postgresql-client)"
        )
    process = await asyncio.create_subprocess_exec(
        path,
        *arguments,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=environment,
    )
    output, complaint = await process.communicate()
    if process.returncode != 0:
        raise BackupError(f"{program} failed: {_summary(complaint, program)}")
    return output


def _summary(complaint: bytes, program: str) -> str:
    lines = [
        line.strip().removeprefix(f"{program}: ").removeprefix("error: ")
        for line in complaint.decode("utf-8", "replace").splitlines()
        if line.strip()
    ]
    summary = "; ".join(lines[:3]) or "no message"
    return summary if len(summary) <= 400 else summary[:399] + "…"


# --- both ------------------------------------------------------------------------------


EngineName = Literal["sqlite", "postgresql"]


def _engine_of(source: Path) -> EngineName | None:
    try:
        with source.open("rb") as file:
            header = file.read(len(SQLITE_HEADER))
    except OSError as error:
        raise BackupError(f"cannot read {source}: {error.strerror or error}") from error
    if header.startswith(SQLITE_HEADER):
        return "sqlite"
    if header.startswith(PG_DUMP_HEADER):
        return "postgresql"
    return None


_ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def _wrong_engine(source: Path, made_by: EngineName | None, configured: str) -> str:
    if made_by is None:
        return (
            f"{source} is not a backup made by tiepdan db backup (neither a SQLite database nor "
            "a pg_dump custom-format file)"
        )
    return (
        f"{source} is a {_ENGINE_NAMES[made_by]} backup but the configured database is "
        f"{_ENGINE_NAMES.get(configured, configured)}: restore it into a "
        f"{_ENGINE_NAMES[made_by]} database"
    )


def _check_restorable(source: Path, revision: str | None) -> None:
    found = standing(revision)
    if found == "empty":
        raise BackupError(f"{source} holds no Tiếp Dân schema (no alembic_version)")
    if found == "unknown":
        raise BackupError(
            f"{source} is at schema revision {revision}, newer than this version of Tiếp Dân "
            f"knows (its newest is {migrate.HEAD_REVISION}): restore it with the version that "
            "made it"
        )


def _partial(target: Path) -> Path:
    """Where the backup is written until complete: beside ``target``, so that the final
    rename stays on one file system and is atomic."""
    if not target.parent.is_dir():
        raise BackupError(f"no folder {target.parent} to write {target.name} in")
    partial = target.with_name(f".{target.name}.partial")
    try:
        partial.unlink(missing_ok=True)
        # Owner only from the first byte: a backup holds every citizen's identity and phone.
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError as error:
        raise BackupError(f"cannot write {target}: {error.strerror or error}") from error
    return partial


def _put_in_place(partial: Path, target: Path) -> None:
    # On the disk before it takes the name: a power cut must not leave a torn backup
    # under the name of a good one.
    try:
        with partial.open("rb") as file:
            os.fsync(file.fileno())
        partial.replace(target)
        folder = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise BackupError(f"cannot write {target}: {error.strerror or error}") from error
