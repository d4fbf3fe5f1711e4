"""The database's health as ``tiepdan db check`` reports it: readable, at the newest schema,
and no message left behind by a dispatcher or an update left behind by a channel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import migrate
from storage.tables import InboxRow, OutboxRow

# A stored update is processed within seconds of arriving; one waiting a minute was dropped
# by a crash the restart did not recover from, or by a channel no longer enabled.
INBOX_GRACE = timedelta(minutes=1)

# A message given up on this recently still calls for a look (and for telling the citizen
# another way); older ones were dealt with or never will be.
FAILED_WINDOW = timedelta(days=7)

Standing = Literal["current", "behind", "unknown", "empty"]


@dataclass(frozen=True)
class Finding:
    check: str
    ok: bool
    detail: str


def standing(revision: str | None) -> Standing:
    """Where a schema revision stands against this code's migrations; "unknown" is a
    revision written by a newer version of Tiếp Dân (or by something else)."""
    if revision is None:
        return "empty"
    if revision == migrate.HEAD_REVISION:
        return "current"
    from alembic.script import ScriptDirectory  # noqa: PLC0415 - see migrate.HEAD_REVISION

    scripts = ScriptDirectory.from_config(migrate.alembic_config())
    known = {script.revision for script in scripts.walk_revisions()}
    return "behind" if revision in known else "unknown"


async def examine(engine: AsyncEngine, now: datetime) -> list[Finding]:
    """Every check, in the order an operator reads them; ``now`` is timezone-aware."""
    try:
        integrity = await _integrity(engine)
    except (DBAPIError, OSError) as error:
        # The other checks would each wait for the same silent database.
        reason = f"the database could not be read: {_first_line(error)}"
        return [Finding("integrity", False, reason)]
    findings = [integrity, await _migrations(engine)]
    for check, read in (
        ("outbox sending", _stuck_sends),
        ("outbox failed", _failed_sends),
        ("inbox", _unprocessed_updates),
    ):
        try:
            findings.append(await read(engine, now))
        except DBAPIError as error:
            findings.append(Finding(check, False, f"could not be read: {_first_line(error)}"))
    return findings


async def _integrity(engine: AsyncEngine) -> Finding:
    async with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            found = list((await connection.execute(text("PRAGMA integrity_check"))).scalars())
        else:
            # The server checks its own pages as it reads them; what is worth asking from
            # here is whether it answers.
            found = ["ok"] if await connection.scalar(text("SELECT 1")) == 1 else []
    if found == ["ok"]:
        what = "PRAGMA integrity_check" if engine.dialect.name == "sqlite" else "the server"
        return Finding("integrity", True, f"{what} answers ok")
    return Finding("integrity", False, "; ".join(str(line) for line in found[:5]))


async def _migrations(engine: AsyncEngine) -> Finding:
    revision = await migrate.current_revision(engine)
    head = migrate.HEAD_REVISION
    detail = {
        "current": f"schema at {revision}, the newest",
        "behind": f"schema at {revision}, this version needs {head}: run tiepdan db upgrade",
        "unknown": f"schema at {revision}, which this version does not know (its newest is "
        f"{head}): a newer Tiếp Dân upgraded this database",
        "empty": "no schema: run tiepdan db upgrade",
    }
    found = standing(revision)
    return Finding("migrations", found == "current", detail[found])


async def _stuck_sends(engine: AsyncEngine, now: datetime) -> Finding:
    async with engine.connect() as connection:
        count, oldest = (
            await connection.execute(
                select(func.count(), func.min(OutboxRow.lease_until)).where(
                    OutboxRow.status == "sending", OutboxRow.lease_until < now
                )
            )
        ).one()
    if not count:
        return Finding("outbox sending", True, "no message held past its lease")
    return Finding(
        "outbox sending",
        False,
        f"{_count(count, 'message')} still 'sending' past the lease (the earliest ended "
        f"{_instant(oldest)}): not taken back by a running bot",
    )


async def _failed_sends(engine: AsyncEngine, now: datetime) -> Finding:
    since = now - FAILED_WINDOW
    async with engine.connect() as connection:
        recent, latest = (
            await connection.execute(
                select(func.count(), func.max(OutboxRow.due_at)).where(
                    OutboxRow.status == "failed", OutboxRow.due_at >= since
                )
            )
        ).one()
        earlier = await connection.scalar(
            select(func.count()).where(OutboxRow.status == "failed", OutboxRow.due_at < since)
        )
    # Failed rows stay, the record of what never arrived; only recent ones call for action,
    # or the check would stay red for ever after the first.
    before = f" ({_count(earlier, 'message')} before that)" if earlier else ""
    if not recent:
        return Finding(
            "outbox failed",
            True,
            f"no message given up on in the last {FAILED_WINDOW.days} days{before}",
        )
    return Finding(
        "outbox failed",
        False,
        f"{_count(recent, 'message')} given up on in the last {FAILED_WINDOW.days} days (the "
        f"latest due {_instant(latest)}){before}",
    )


async def _unprocessed_updates(engine: AsyncEngine, now: datetime) -> Finding:
    async with engine.connect() as connection:
        count, oldest = (
            await connection.execute(
                select(func.count(), func.min(InboxRow.received_at)).where(
                    InboxRow.processed_at.is_(None), InboxRow.received_at < now - INBOX_GRACE
                )
            )
        ).one()
    if not count:
        return Finding("inbox", True, "every update older than a minute was processed")
    return Finding(
        "inbox",
        False,
        f"{_count(count, 'update')} stored but never processed (the earliest received "
        f"{_instant(oldest)})",
    )


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}" if number == 1 else f"{number} {thing}s"


def _instant(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M} UTC" if value is not None else "an unknown time"


def _first_line(error: BaseException) -> str:
    lines = str(getattr(error, "orig", None) or error).strip().splitlines()
    return lines[0] if lines else type(error).__name__
