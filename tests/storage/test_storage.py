"""Storage on SQLite and PostgreSQL: schema, constraints, append-only history, repositories."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError, StatementError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core import schedules
from bot.core.model import (
    AuditEntry,
    DialogState,
    HolidayPolicy,
    LeaderRole,
    NewRegistration,
    Recurrence,
    RecurrenceKind,
    RegistrationStatus,
    RequestKind,
    ScheduleRule,
    UnitKind,
    UnitLevel,
)
from bot.core.ports import OfficerRecord, Repository, Store
from bot.core.workdays import WorkCalendar
from bot.demo import load_demo
from storage import migrate
from storage.db import create_inline_sqlite_engine
from storage.repositories import SqlRepository
from storage.sqlite import NestedTransaction, SqliteStore, store_for
from storage.tables import (
    AuditRow,
    Base,
    CitizenRow,
    InboxRow,
    LeaderRow,
    OfficerRow,
    RegistrationEventRow,
    ScheduleRuleRow,
    SessionRow,
    UnitRow,
)
from tests.conftest import START

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


# For mypy: the SQL implementations satisfy the core's ports.
def _conforms(repository: SqlRepository, store: Store) -> tuple[Repository, Store]:
    return repository, store


async def test_migrations_build_exactly_the_models(engine: AsyncEngine) -> None:
    def differences(connection: object) -> list[object]:
        context = MigrationContext.configure(connection)  # type: ignore[arg-type]
        return list(compare_metadata(context, Base.metadata))

    async with engine.connect() as connection:
        assert await connection.run_sync(differences) == []
    assert await migrate.current_revision(engine) == migrate.head_revision()


async def test_upgrading_twice_is_harmless(engine: AsyncEngine) -> None:
    await migrate.upgrade(engine)
    assert await migrate.current_revision(engine) == migrate.head_revision()


def test_the_recorded_head_is_the_newest_migration() -> None:
    assert migrate.head_revision() == migrate.HEAD_REVISION


def test_a_database_at_the_head_starts_without_loading_alembic(
    database_url: str, tmp_path: Path
) -> None:
    """Alembic is a tenth of a second of every start; a database already migrated skips it."""
    script = (
        "import asyncio, sys\n"
        "from storage import migrate\n"
        "from storage.db import create_engine\n"
        "async def main():\n"
        f"    engine = create_engine({database_url!r})\n"
        "    await migrate.upgrade(engine)\n"
        "    await engine.dispose()\n"
        "asyncio.run(main())\n"
        "print('alembic' in sys.modules)\n"
    )
    run = functools.partial(
        subprocess.run,
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    new = database_url.startswith("sqlite")
    if new:
        Path(database_url.removeprefix("sqlite+aiosqlite:///")).unlink()
    first = run().stdout.strip()
    if new:
        assert first == "True"  # a new database is migrated by Alembic
    assert run().stdout.strip() == "False"


async def test_sqlite_runs_in_wal_mode_with_foreign_keys(engine: AsyncEngine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas")
    async with engine.connect() as connection:
        assert (await connection.execute(text("PRAGMA journal_mode"))).scalar_one() == "wal"
        assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar_one() == 1
        assert (await connection.execute(text("PRAGMA busy_timeout"))).scalar_one() == 5000


async def _submitted(store: Store, now: datetime) -> int:
    """A demo registration, straight through the repository; returns its id."""
    async with store.transaction() as repo:
        await load_demo(repo, now)
        await schedules.materialise(repo, WorkCalendar(), ZONE, now, 60)
        citizen = await repo.citizen_for("console", "42", "42", "vi", now)
        consent = await repo.record_consent(citizen.id, "v1", "vi", now)
        session = (await repo.sessions_between(now, now + timedelta(days=60)))[0]
        view = await repo.create_registration(
            NewRegistration(
                code="2345-6789",
                citizen_id=citizen.id,
                consent_id=consent,
                kind=RequestKind.COMPLAINT,
                full_name="Nguyễn Văn An",
                phone="+84912345678",
                phone_verified=False,
                id_number="001090012345",
                province="Thành phố Hà Nội",
                address="Số 5 phố Huế",
                leader_id=session.leader_id,
                session_id=session.id,
                people_count=1,
                representatives=(),
                summary="Khiếu nại về quyết định thu hồi đất",
                prior_handling="",
                request="Xem xét lại",
                locale="vi",
                submitted_at=now,
                due_date=date(2026, 12, 14),
            ),
            actor=f"citizen:{citizen.id}",
        )
        return view.id


async def test_registration_history_is_append_only_in_the_database(engine: AsyncEngine) -> None:
    store = store_for(engine)
    registration_id = await _submitted(store, START)
    async with store.transaction() as repo:
        await repo.record_decision(
            registration_id,
            RegistrationStatus.WITHDRAWN,
            event="withdraw",
            actor="citizen:1",
            at=START + timedelta(hours=1),
            note="",
            internal=False,
            data={},
            changes={},
        )
        events = await repo.registration_events(registration_id)
    assert [(e.event, e.from_status, e.to_status) for e in events] == [
        ("submitted", None, RegistrationStatus.SUBMITTED),
        ("withdraw", RegistrationStatus.SUBMITTED, RegistrationStatus.WITHDRAWN),
    ]
    for statement in (
        update(RegistrationEventRow).values(note="rewritten"),
        delete(RegistrationEventRow),
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            async with engine.begin() as connection:
                await connection.execute(statement)
    async with engine.connect() as connection:
        count = await connection.execute(select(func.count()).select_from(RegistrationEventRow))
        assert count.scalar_one() == 2


async def test_a_ticket_code_is_unique(engine: AsyncEngine) -> None:
    store = store_for(engine)
    await _submitted(store, START)
    async with store.transaction() as repo:
        assert await repo.code_taken("2345-6789")
        assert not await repo.code_taken("2345-678A")


async def test_inbox_keeps_one_row_per_channel_update(engine: AsyncEngine) -> None:
    row = {
        "channel": "telegram",
        "update_id": "1001",
        "payload": {"update_id": 1001},
        "received_at": START,
        "error": "",
    }
    async with engine.begin() as connection:
        await connection.execute(insert(InboxRow).values(**row))
        await connection.execute(insert(InboxRow).values(**{**row, "channel": "zalo_bot"}))
    with pytest.raises(IntegrityError):
        async with engine.begin() as connection:
            await connection.execute(insert(InboxRow).values(**row))


async def test_timestamps_come_back_timezone_aware_in_utc(engine: AsyncEngine) -> None:
    store = store_for(engine)
    async with store.transaction() as repo:
        await repo.citizen_for("console", "7", "7", "vi", START.astimezone(ZONE))
    async with engine.connect() as connection:
        created = (await connection.execute(select(CitizenRow.created_at))).scalar_one()
    assert created == START
    assert created.utcoffset() == timedelta(0)
    with pytest.raises(StatementError, match="naive"):
        async with store.transaction() as repo:
            await repo.citizen_for("console", "8", "8", "vi", datetime(2026, 1, 1))  # noqa: DTZ001


async def test_one_identity_per_channel(engine: AsyncEngine) -> None:
    store = store_for(engine)
    async with store.transaction() as repo:
        first = await repo.citizen_for("telegram", "5", "5", "vi", START)
        same = await repo.citizen_for("telegram", "5", "chat-changed", "en", START)
        other_channel = await repo.citizen_for("zalo_bot", "5", "5", "vi", START)
    assert same.id == first.id and same.chat_id == "chat-changed"
    assert same.locale == "vi"  # an existing citizen keeps the language they chose
    assert other_channel.id != first.id


async def test_materialising_sessions_is_idempotent_and_respects_holidays(
    engine: AsyncEngine,
) -> None:
    store = store_for(engine)
    now = datetime(2027, 1, 20, 2, 0, tzinfo=UTC)
    async with store.transaction() as repo:
        await load_demo(repo, now)
        first = await schedules.materialise(repo, WorkCalendar(), ZONE, now, 60)
        second = await schedules.materialise(repo, WorkCalendar(), ZONE, now, 60)
    assert first > 0 and second == 0
    async with engine.connect() as connection:
        february_tenth = (
            await connection.execute(
                select(SessionRow.starts_at).where(SessionRow.nominal_date == date(2027, 2, 10))
            )
        ).scalar_one()
    # 10 February 2027 is the fifth day of Tết: the session moves to Thursday 11 February.
    assert february_tenth.astimezone(ZONE).date() == date(2027, 2, 11)


async def test_rules_and_leaders_can_be_updated_in_place(engine: AsyncEngine) -> None:
    store = store_for(engine)
    async with store.transaction() as repo:
        unit = await repo.upsert_unit(
            "u1", "UBND xã A", UnitKind.PEOPLES_COMMITTEE, UnitLevel.COMMUNE, None, "", START
        )
        leader = await repo.upsert_leader(
            "l1", unit.id, "Ông A", "Chủ tịch", LeaderRole.COMMITTEE_CHAIR, "vi", START
        )
        rule = ScheduleRule(
            id=0,
            leader_id=leader.id,
            recurrence=Recurrence(RecurrenceKind.WEEKLY, weekday=2),
            start=time(8),
            end=time(11),
            location="Phòng 1",
            capacity=4,
            holiday_policy=HolidayPolicy.SKIP,
            valid_from=date(2026, 1, 1),
        )
        saved = await repo.upsert_schedule_rule("r1", rule, START)
        renamed = await repo.upsert_leader(
            "l1", unit.id, "Bà B", "Chủ tịch", LeaderRole.COMMITTEE_CHAIR, "en", START
        )
        moved = await repo.upsert_schedule_rule("r1", dataclasses.replace(rule, capacity=9), START)
        rules = await repo.active_schedule_rules()
    assert renamed.id == leader.id and renamed.name == "Bà B" and renamed.locale == "en"
    assert moved.id == saved.id and moved.capacity == 9
    assert [r.id for r in rules] == [saved.id]


async def test_officers_from_the_configuration_are_synchronised(engine: AsyncEngine) -> None:
    store = store_for(engine)
    async with store.transaction() as repo:
        await repo.sync_config_officers(
            [
                OfficerRecord("console", "admin", "Chị Admin", "admin", ()),
                OfficerRecord("telegram", "77", "Anh Cán bộ", "officer", ("demo-ubnd-xa",)),
            ],
            START,
        )
    async with store.transaction() as repo:
        await repo.sync_config_officers(
            [OfficerRecord("console", "admin", "Chị Admin", "supervisor", ())], START
        )
    async with engine.connect() as connection:
        rows = (
            await connection.execute(
                select(OfficerRow.user_id, OfficerRow.role, OfficerRow.active).order_by(
                    OfficerRow.user_id
                )
            )
        ).all()
    assert [tuple(r) for r in rows] == [("77", "officer", False), ("admin", "supervisor", True)]


async def test_dialog_rows_are_locked_per_citizen_on_postgresql(engine: AsyncEngine) -> None:
    """A second transaction for the same citizen waits until the first one commits."""
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite serialises writers with BEGIN IMMEDIATE")
    store = store_for(engine)
    async with store.transaction() as repo:
        citizen = await repo.citizen_for("telegram", "1", "1", "vi", START)
    order: list[str] = []
    first_has_lock = asyncio.Event()

    async def first() -> None:
        async with store.transaction() as repo:
            state = await repo.load_dialog(citizen.id, START)
            first_has_lock.set()
            await asyncio.sleep(0.3)
            state.data["n"] = 1
            await repo.save_dialog(citizen.id, state, START)
            order.append("first")

    async def second() -> None:
        await first_has_lock.wait()
        async with store.transaction() as repo:
            state = await repo.load_dialog(citizen.id, START)
            order.append(f"second saw {state.data.get('n')}")
            await repo.save_dialog(citizen.id, DialogState({}), START)

    await asyncio.gather(first(), second())
    assert order == ["first", "second saw 1"]


async def test_loading_the_demo_twice_changes_nothing(engine: AsyncEngine) -> None:
    store = store_for(engine)

    async def counts() -> list[int]:
        async with engine.connect() as connection:
            return [
                (await connection.execute(select(func.count()).select_from(table))).scalar_one()
                for table in (UnitRow, LeaderRow, ScheduleRuleRow, SessionRow)
            ]

    for _ in range(2):
        async with store.transaction() as repo:
            await load_demo(repo, START)
            await schedules.materialise(repo, WorkCalendar(), ZONE, START, 60)
    first = await counts()
    async with store.transaction() as repo:
        await load_demo(repo, START)
        await schedules.materialise(repo, WorkCalendar(), ZONE, START, 60)
    assert await counts() == first
    assert first[:3] == [4, 4, 6]


async def test_the_audit_log_is_append_only_in_the_database(engine: AsyncEngine) -> None:
    store = store_for(engine)
    async with store.transaction() as repo:
        await repo.audit(AuditEntry(START, "officer:1", "approve", "2345-6789", True, "ok"))
    for statement in (update(AuditRow).values(allowed=False), delete(AuditRow)):
        with pytest.raises(DBAPIError, match="append-only"):
            async with engine.begin() as connection:
                await connection.execute(statement)
    async with engine.connect() as connection:
        rows = (await connection.execute(select(AuditRow.allowed))).scalars().all()
    assert list(rows) == [True]


async def test_the_sqlite_store_refuses_a_transaction_inside_another(tmp_path: Path) -> None:
    """One connection holds one transaction: nesting would wait for itself forever."""
    store = SqliteStore(create_inline_sqlite_engine(f"sqlite+aiosqlite:///{tmp_path}/n.db"))
    try:
        async with store.transaction():
            with pytest.raises(NestedTransaction):
                async with store.transaction():
                    pass
        # Other tasks wait their turn instead.
        order: list[str] = []

        async def work(name: str) -> None:
            async with store.transaction():
                order.append(f"{name} in")
                await asyncio.sleep(0)
                order.append(f"{name} out")

        await asyncio.gather(work("a"), work("b"))
        assert order == ["a in", "a out", "b in", "b out"]
    finally:
        store.engine.dispose()
