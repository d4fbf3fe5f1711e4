"""A session's revision, on SQLite and PostgreSQL: raised by each change a calendar must follow
(time, place, status), and only by those; a schedule file imported again with a new time too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core import sessions
from bot.core.model import NewSession, SessionStatus
from bot.demo import load_demo
from storage.sqlite import store_for
from tests.conftest import START


def ad_hoc(leader_id: int, starts_at: datetime, location: str = "Phòng tiếp dân") -> NewSession:
    return NewSession(
        leader_id=leader_id,
        rule_id=None,
        nominal_date=starts_at.date(),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        location=location,
        capacity=5,
        published_at=START,
    )


async def test_each_change_a_calendar_follows_raises_the_revision(engine: AsyncEngine) -> None:
    store = store_for(engine)
    later = START + timedelta(hours=3)
    async with store.transaction() as repo:
        await load_demo(repo, START)
        leader = await repo.leader_by_code("bt-tinh")
        assert leader is not None
        starts = datetime(2026, 12, 21, 1, 0, tzinfo=UTC)
        session_id = await repo.add_session(ad_hoc(leader.id, starts), None, START)
        created = await repo.session(session_id)
        await repo.update_session(session_id, {"note": "bring the files", "published_at": later})
        untouched = await repo.session(session_id)
        moved, _booked, _waiting = await sessions.move(
            repo,
            session_id,
            starts + timedelta(days=1),
            starts + timedelta(days=1, hours=2),
            "Hội trường",
            "test",
            later,
        )
        after_move = await repo.session(session_id)
        # The same time again is no change.
        await repo.update_session(session_id, {"starts_at": starts + timedelta(days=1)})
        same = await repo.session(session_id)
        await sessions.cancel(repo, session_id, "", "test", later + timedelta(hours=1))
        cancelled = await repo.session(session_id)
    assert created is not None and created.revision == 0 and created.updated_at == START
    assert untouched is not None and untouched.revision == 0
    assert moved.revision == 0
    assert after_move is not None and after_move.revision == 1
    assert after_move.updated_at == later
    assert same is not None and same.revision == 1
    assert cancelled is not None and cancelled.status is SessionStatus.CANCELLED
    assert cancelled.revision == 2
    assert cancelled.updated_at == later + timedelta(hours=1)


async def test_a_schedule_file_session_imported_at_a_new_time_is_a_new_revision(
    engine: AsyncEngine,
) -> None:
    store = store_for(engine)
    starts = datetime(2026, 12, 22, 1, 0, tzinfo=UTC)
    async with store.transaction() as repo:
        await load_demo(repo, START)
        leader = await repo.leader_by_code("ct-tinh")
        assert leader is not None
        first = await repo.add_session(ad_hoc(leader.id, starts), "dot-xuat-1", START)
        again = await repo.add_session(ad_hoc(leader.id, starts), "dot-xuat-1", START)
        unchanged = await repo.session(first)
        later = START + timedelta(days=1)
        await repo.add_session(ad_hoc(leader.id, starts, "Hội trường"), "dot-xuat-1", later)
        changed = await repo.session(first)
    assert again == first
    assert unchanged is not None and unchanged.revision == 0
    assert changed is not None and changed.revision == 1 and changed.updated_at == later
