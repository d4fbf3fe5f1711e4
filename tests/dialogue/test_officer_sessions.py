"""Admins' /session, /dayoff, /workday and /officer commands, in Vietnamese (the officers'
default): every refusal gives the right message, changes nothing and is audited."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from bot.app import App
from bot.core import sessions
from bot.core.clock import FixedClock
from bot.core.model import LeaderRole, RegistrationStatus, RegistrationView, SessionView
from storage.tables import (
    AuditRow,
    CalendarOverrideRow,
    LeaderRow,
    OfficerRow,
    OutboxRow,
    RegistrationEventRow,
    RegistrationRow,
    SessionRow,
)
from tests.support import Chat, leader, officer, row, submitted

FULL_USAGE = (
    "Cú pháp: /session list [LEADER] | "
    "/session add LEADER DD/MM/YYYY HH:MM-HH:MM CAPACITY [draft] PLACE | "
    "/session publish ID | /session cancel ID REASON | "
    "/session move ID DD/MM/YYYY HH:MM-HH:MM [PLACE]"
)
ADD_USAGE = "Cú pháp: /session add LEADER DD/MM/YYYY HH:MM-HH:MM CAPACITY [draft] PLACE"
CANCEL_USAGE = "Cú pháp: /session cancel ID REASON"
MOVE_USAGE = "Cú pháp: /session move ID DD/MM/YYYY HH:MM-HH:MM [PLACE]"
PAST = "Thời điểm này đã qua."


def not_planned(session_id: int) -> str:
    return f"Buổi tiếp #{session_id} đã diễn ra hoặc đã bị hủy: không thể thay đổi."


def desk(app: App, user_id: str = "admin") -> Chat:
    """An officer writing in Vietnamese, the language every officer starts with."""
    return Chat(app.dialogue, user_id=user_id)


async def first_session(app: App, leader_code: str) -> SessionView:
    """The leader's next published session."""
    host = await leader(app, leader_code)
    now = app.services.clock.now()
    async with app.store.transaction() as repo:
        found = await repo.sessions_between(now, now + timedelta(days=60), leader_id=host.id)
    return found[0]


async def schedule(app: App) -> list[tuple[Any, ...]]:
    """Every session as stored: what a refused command must leave alone."""
    async with app.engine.connect() as connection:
        rows = await connection.execute(
            select(
                SessionRow.id,
                SessionRow.leader_id,
                SessionRow.starts_at,
                SessionRow.ends_at,
                SessionRow.location,
                SessionRow.capacity,
                SessionRow.status,
                SessionRow.published_at,
                SessionRow.note,
            ).order_by(SessionRow.id)
        )
        return [tuple(r) for r in rows.all()]


async def audit(app: App, *actions: str) -> list[tuple[str, str, bool, str]]:
    async with app.engine.connect() as connection:
        rows = await connection.execute(
            select(AuditRow.action, AuditRow.target, AuditRow.allowed, AuditRow.detail)
            .where(AuditRow.action.in_(actions or ("session", "dayoff", "workday")))
            .order_by(AuditRow.id)
        )
        return [tuple(r) for r in rows.all()]  # type: ignore[misc]


async def outbox_count(app: App) -> int:
    async with app.engine.connect() as connection:
        return int(
            (await connection.execute(select(func.count()).select_from(OutboxRow))).scalar_one()
        )


async def scoped_admin(app: App) -> Chat:
    """An admin of the commune People's Committee only, added by the province admin."""
    province = desk(app)
    await province.send("/officer add console:xa-admin admin demo-ubnd-xa Chị Quản Trị Xã")
    assert "hiện là quản trị viên phụ trách demo-ubnd-xa" in province.text
    return desk(app, "xa-admin")


# --- the verb and its arguments ------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        "/session",
        "/session xoa 3",
        "/session publish",
        "/session publish 3 4",
        "/session cancel 3",
        "/session move 3 17/12/2026",
    ],
)
async def test_an_unknown_verb_or_too_few_words_shows_every_form_of_the_command(
    app: App, command: str
) -> None:
    before = await schedule(app)
    admin = desk(app)
    await admin.send(command)
    assert admin.text == FULL_USAGE
    assert await schedule(app) == before
    words = command.split()
    assert await audit(app) == [("session", words[1] if len(words) > 1 else "", False, "usage")]


async def test_officers_below_admin_may_not_touch_the_schedule_or_the_calendar(
    app: App,
) -> None:
    before = await schedule(app)
    session = await first_session(app, "bt-tinh")
    for user in ("officer", "supervisor"):
        chat = desk(app, user)
        for command in (
            "/session list",
            f"/session cancel {session.id} Lãnh đạo bận",
            "/dayoff 01/12/2026",
            "/workday 05/12/2026",
        ):
            await chat.send(command)
            assert chat.text == "Lệnh này yêu cầu vai trò quản trị viên.", command
    assert await schedule(app) == before
    async with app.engine.connect() as connection:
        assert (await connection.execute(select(CalendarOverrideRow))).all() == []
    assert {(allowed, detail) for _a, _t, allowed, detail in await audit(app)} == {(False, "role")}


# --- /session list -------------------------------------------------------------------------


async def test_the_list_shows_every_leaders_sessions_or_one_leaders(app: App) -> None:
    admin = desk(app)
    await admin.send("/session list")
    lines = admin.text.splitlines()
    assert lines[0] == "Các buổi tiếp trong 60 ngày tới:"
    # Four leaders, two sessions a month each (bt-xa: the 1st and 3rd Monday) within 60 days.
    assert len(lines) == 13 and all(line.startswith("#") for line in lines[1:])
    for name in ("Nguyễn Văn Minh", "Trần Thị Lan", "Lê Văn Hùng", "Phạm Thị Hoa"):
        assert any(f" · {name} · " in line for line in lines[1:]), name
    bt = await first_session(app, "bt-tinh")
    assert (
        f"#{bt.id} 15/12/2026, 08:00–11:00 · Nguyễn Văn Minh · "
        "Trụ sở Tiếp công dân tỉnh, số 1 đường Trần Hưng Đạo · 0/10 · "
    ) in admin.text

    await admin.send("/session list ct-xa")
    lines = admin.text.splitlines()
    assert lines[0] == "Các buổi tiếp trong 60 ngày tới:"
    assert len(lines) == 5 and all(" · Phạm Thị Hoa · " in line for line in lines[1:])

    await admin.send("/session add ct-xa 28/12/2026 08:00-10:00 20 draft Hội trường UBND xã")
    await admin.send("/session list ct-xa")
    assert "28/12/2026, 08:00–10:00 · Phạm Thị Hoa · Hội trường UBND xã · 0/20 · bản nháp" in (
        admin.text
    )
    assert [a for a in await audit(app) if a[0] == "session"][:2] == [
        ("session", "", True, "ok"),
        ("session", "", True, "ok"),
    ]


async def test_a_leader_without_sessions_and_an_unknown_leader(app: App) -> None:
    unit = (await leader(app, "ct-xa")).unit_id
    async with app.store.transaction() as repo:
        await repo.upsert_leader(
            "pct-xa",
            unit,
            "Đỗ Văn Tâm",
            "Phó Chủ tịch UBND xã",
            LeaderRole.COMMITTEE_CHAIR,
            "vi",
            app.services.clock.now(),
        )
    admin = desk(app)
    await admin.send("/session list pct-xa")
    assert admin.text == "Các buổi tiếp trong 60 ngày tới:\nKhông có buổi tiếp nào."
    await admin.send("/session list nobody")
    assert admin.text == "Không có lãnh đạo nào có mã nobody."
    assert (await audit(app))[-1] == ("session", "list", False, "not_found")


async def test_the_state_of_a_listed_session_is_in_the_officers_language(app: App) -> None:
    admin = desk(app)
    await admin.send("/session list bt-tinh")
    assert admin.text.startswith("Các buổi tiếp trong 60 ngày tới:")
    assert "planned" not in admin.text


# --- an admin of some units only -------------------------------------------------------------


async def test_an_admin_of_some_units_sees_and_changes_only_their_sessions(app: App) -> None:
    commune = await scoped_admin(app)
    province_session = await first_session(app, "bt-tinh")
    before, sent_before = await schedule(app), await outbox_count(app)

    await commune.send("/session list")
    lines = commune.text.splitlines()
    assert len(lines) == 5 and all(" · Phạm Thị Hoa · " in line for line in lines[1:])

    refusals = {
        "/session list bt-tinh": (
            "Nguyễn Văn Minh thuộc đơn vị nằm ngoài các đơn vị được phân công."
        ),
        "/session add bt-tinh 17/12/2026 08:00-10:00 10 Hội trường": (
            "Nguyễn Văn Minh thuộc đơn vị nằm ngoài các đơn vị được phân công."
        ),
    }
    outside = f"Buổi tiếp #{province_session.id} thuộc đơn vị nằm ngoài các đơn vị được phân công."
    for command in (
        f"/session publish {province_session.id}",
        f"/session cancel {province_session.id} Lãnh đạo đi công tác",
        f"/session move {province_session.id} 17/12/2026 08:00-10:00",
    ):
        refusals[command] = outside
    for command, expected in refusals.items():
        await commune.send(command)
        assert commune.text == expected, command
    assert await schedule(app) == before
    assert await outbox_count(app) == sent_before
    assert [detail for _a, _t, _allowed, detail in await audit(app)] == ["ok"] + [
        "out_of_scope"
    ] * 5


# --- /session add --------------------------------------------------------------------------

LONG_PLACE = "Hội trường " + "A" * 300


@pytest.mark.parametrize(
    ("arguments", "reply", "detail"),
    [
        ("ct-xa 03/12/2026 08:00-10:00 20", ADD_USAGE, "usage"),
        ("ct-xa 3-12-2026 08:00-10:00 20 Hội trường", ADD_USAGE, "usage"),
        ("ct-xa 31/02/2027 08:00-10:00 20 Hội trường", ADD_USAGE, "usage"),
        ("ct-xa 03/12/2026 8h-10h 20 Hội trường", ADD_USAGE, "usage"),
        ("ct-xa 03/12/2026 10:00-08:00 20 Hội trường", ADD_USAGE, "usage"),
        ("ct-xa 03/12/2026 10:00-10:00 20 Hội trường", ADD_USAGE, "usage"),
        ("ct-xa 03/12/2026 08:00-10:00 0 Hội trường", ADD_USAGE, "usage"),
        ("ct-xa 03/12/2026 08:00-10:00 501 Hội trường", ADD_USAGE, "usage"),
        ("ct-xa 03/12/2026 08:00-10:00 hai Hội trường", ADD_USAGE, "usage"),
        ("ct-xa 03/12/2026 08:00-10:00 ２０ Hội trường", ADD_USAGE, "usage"),
        ("ct-xa 03/12/2026 08:00-10:00 20 draft", ADD_USAGE, "usage"),
        (f"ct-xa 03/12/2026 08:00-10:00 20 {LONG_PLACE}", ADD_USAGE, "usage"),
        # Monday 30 November, 09:00: the morning is past, 09:00 itself too.
        ("ct-xa 30/11/2026 08:00-10:00 20 Hội trường", PAST, "past"),
        ("ct-xa 30/11/2026 09:00-10:00 20 Hội trường", PAST, "past"),
        (
            "nobody 03/12/2026 08:00-10:00 20 Hội trường",
            "Không có lãnh đạo nào có mã nobody.",
            "not_found",
        ),
    ],
)
async def test_a_session_that_cannot_be_added_is_explained_and_not_added(
    app: App, arguments: str, reply: str, detail: str
) -> None:
    before = await schedule(app)
    admin = desk(app)
    await admin.send(f"/session add {arguments}")
    assert admin.text == reply
    assert await schedule(app) == before
    assert await audit(app) == [("session", "add", False, detail)]


async def test_the_limits_of_a_session_just_fit(app: App) -> None:
    """One hour from now is not past; 1 and 500 places are allowed; 300 characters of place."""
    admin = desk(app)
    place = "P" * 300
    await admin.send(f"/session add ct-xa 30/11/2026 10:00-11:00 500 {place}")
    assert admin.text.startswith("Đã thêm buổi tiếp: #")
    assert f"30/11/2026, 10:00–11:00 · Phạm Thị Hoa · {place} · 0/500 · " in admin.text
    await admin.send("/session add ct-xa 30/11/2026 10:00-11:00 1 draft Phòng họp nhỏ")
    assert "· Phòng họp nhỏ · 0/1 · bản nháp" in admin.text
    async with app.engine.connect() as connection:
        added = (
            await connection.execute(
                select(SessionRow.capacity, SessionRow.location, SessionRow.published_at)
                .where(SessionRow.rule_id.is_(None))
                .order_by(SessionRow.id)
            )
        ).all()
    assert [(c, len(loc), p is not None) for c, loc, p in added] == [
        (500, 300, True),
        (1, len("Phòng họp nhỏ"), False),
    ]


async def test_a_leader_no_longer_active_cannot_be_given_a_session(app: App) -> None:
    async with app.engine.begin() as connection:
        await connection.execute(
            update(LeaderRow).where(LeaderRow.code == "ct-xa").values(active=False)
        )
    before = await schedule(app)
    admin = desk(app)
    await admin.send("/session add ct-xa 03/12/2026 08:00-10:00 20 Hội trường")
    assert admin.text == "Không có lãnh đạo nào có mã ct-xa."
    await admin.send("/session list ct-xa")
    assert admin.text == "Không có lãnh đạo nào có mã ct-xa."
    assert await schedule(app) == before


# --- /session publish ----------------------------------------------------------------------


async def test_publishing_needs_a_known_session_id(app: App) -> None:
    admin = desk(app)
    await admin.send("/session publish abc")
    assert admin.text == "Cú pháp: /session publish ID"
    await admin.send("/session publish 99999")
    assert admin.text == "Không có buổi tiếp #99999."
    await admin.send("/session publish 1234567890")  # ten digits: not an id
    assert admin.text == "Cú pháp: /session publish ID"
    assert await audit(app) == [
        ("session", "publish", False, "usage"),
        ("session", "publish", False, "not_found"),
        ("session", "publish", False, "usage"),
    ]


async def draft(admin: Chat, when: str) -> int:
    await admin.send(f"/session add ct-xa {when} 20 draft Hội trường UBND xã")
    assert admin.text.startswith("Đã thêm buổi tiếp: #"), admin.text
    return int(admin.text.split("#", 1)[1].split(" ", 1)[0])


async def published_at(app: App, session_id: int) -> tuple[str, Any]:
    async with app.engine.connect() as connection:
        found = (
            await connection.execute(
                select(SessionRow.status, SessionRow.published_at).where(
                    SessionRow.id == session_id
                )
            )
        ).one()
    return found[0], found[1]


async def test_a_cancelled_draft_cannot_be_published(app: App) -> None:
    admin = desk(app)
    session_id = await draft(admin, "28/12/2026 08:00-10:00")
    await admin.send(f"/session cancel #{session_id} Trùng lịch họp")
    assert f"Buổi tiếp #{session_id} đã bị hủy; 0 phiếu" in admin.text
    await admin.send(f"/session publish #{session_id}")
    assert admin.text == not_planned(session_id)
    assert await published_at(app, session_id) == ("cancelled", None)
    assert (await audit(app))[-1] == ("session", "publish", False, "not_planned")


async def test_a_draft_whose_time_has_passed_cannot_be_published(
    app: App, clock: FixedClock
) -> None:
    admin = desk(app)
    session_id = await draft(admin, "30/11/2026 10:00-11:00")
    clock.set(clock.now() + timedelta(hours=1, minutes=30))  # 10:30: under way
    await admin.send(f"/session publish {session_id}")
    assert admin.text == not_planned(session_id)
    assert await published_at(app, session_id) == ("planned", None)


# --- /session cancel -----------------------------------------------------------------------


async def test_a_reason_over_1000_characters_is_refused_and_the_session_kept(app: App) -> None:
    session = await first_session(app, "bt-tinh")
    before = await schedule(app)
    admin = desk(app)
    await admin.send(f"/session cancel {session.id} {'x' * 1001}")
    assert admin.text == CANCEL_USAGE
    await admin.send("/session cancel mười-lăm Lãnh đạo bận")
    assert admin.text == CANCEL_USAGE
    assert await schedule(app) == before
    await admin.send(f"/session cancel {session.id} {'x' * 1000}")
    assert admin.text.startswith(f"Buổi tiếp #{session.id} đã bị hủy")


async def test_a_session_cancelled_once_cannot_be_cancelled_or_moved_again(app: App) -> None:
    code = await submitted(app)  # bt-tinh, Tuesday 15 December
    approving = await officer(app)
    await approving.send(f"/approve {code}")
    session_id = int((await row(app, code)).session_id)
    admin = desk(app)
    await admin.send(f"/session cancel {session_id} Lãnh đạo đi công tác đột xuất")
    assert "1 phiếu đã được xếp lịch tiếp được đưa trở lại hàng chờ" in admin.text
    after_first, sent = await schedule(app), await outbox_count(app)
    await admin.send(f"/session cancel {session_id} Lý do khác")
    assert admin.text == not_planned(session_id)
    await admin.send(f"/session move {session_id} 17/12/2026 14:00-16:00 Hội trường tỉnh")
    assert admin.text == not_planned(session_id)
    # The first reason stays; nobody is told twice; the registration was cancelled once.
    assert await schedule(app) == after_first
    assert await outbox_count(app) == sent
    assert (await row(app, code)).status == "cancelled"
    async with app.engine.connect() as connection:
        cancellations = (
            await connection.execute(
                select(func.count())
                .select_from(RegistrationEventRow)
                .where(RegistrationEventRow.event == "session_cancelled")
            )
        ).scalar_one()
    assert cancellations == 1
    assert await audit(app) == [
        ("session", str(session_id), True, "ok"),
        ("session", "cancel", False, "not_planned"),
        ("session", "move", False, "not_planned"),
    ]


async def test_a_session_under_way_can_be_neither_cancelled_nor_moved(
    app: App, clock: FixedClock
) -> None:
    code = await submitted(app)
    approving = await officer(app)
    await approving.send(f"/approve {code}")
    session_id = int((await row(app, code)).session_id)
    clock.set(clock.now() + timedelta(days=15))  # Tuesday 15 December, 09:00
    before, sent = await schedule(app), await outbox_count(app)
    admin = desk(app)
    await admin.send(f"/session cancel {session_id} Mất điện")
    assert admin.text == not_planned(session_id)
    await admin.send(f"/session move {session_id} 17/12/2026 08:00-11:00")
    assert admin.text == not_planned(session_id)
    assert await schedule(app) == before
    assert await outbox_count(app) == sent
    assert (await row(app, code)).status == "approved"


# --- /session move -------------------------------------------------------------------------


async def test_a_session_moved_into_the_past_stays_where_it_was(app: App) -> None:
    code = await submitted(app)
    approving = await officer(app)
    await approving.send(f"/approve {code}")
    session_id = int((await row(app, code)).session_id)
    before, sent = await schedule(app), await outbox_count(app)
    admin = desk(app)
    for when in ("30/11/2026 08:00-08:30", "30/11/2026 09:00-10:00", "27/11/2026 08:00-11:00"):
        await admin.send(f"/session move {session_id} {when} Hội trường tỉnh")
        assert admin.text == PAST, when
    assert await schedule(app) == before
    assert await outbox_count(app) == sent
    assert (await row(app, code)).status == "approved"
    assert [a[3] for a in await audit(app)] == ["past"] * 3


@pytest.mark.parametrize(
    "arguments",
    [
        "17/12/2026 14h-16h",
        "17/12/2026 16:00-14:00",
        "17-12-2026 14:00-16:00",
        "30/02/2027 14:00-16:00",
        f"17/12/2026 14:00-16:00 {LONG_PLACE}",
    ],
)
async def test_a_move_with_malformed_arguments_is_explained(app: App, arguments: str) -> None:
    session = await first_session(app, "bt-tinh")
    before = await schedule(app)
    admin = desk(app)
    await admin.send(f"/session move {session.id} {arguments}")
    assert admin.text == MOVE_USAGE
    await admin.send(f"/session move x{session.id} 17/12/2026 14:00-16:00")
    assert admin.text == MOVE_USAGE
    await admin.send("/session move 99999 17/12/2026 14:00-16:00")
    assert admin.text == "Không có buổi tiếp #99999."
    assert await schedule(app) == before


# --- /dayoff and /workday ------------------------------------------------------------------


async def test_a_day_needs_a_date(app: App) -> None:
    admin = desk(app)
    replies = {}
    for command in ("/dayoff", "/workday", "/dayoff mai", "/workday 31/04/2027 Làm bù"):
        await admin.send(command)
        replies[command] = admin.text
    assert replies == {
        "/dayoff": "Cú pháp: /dayoff DD/MM/YYYY [note]",
        "/workday": "Cú pháp: /workday DD/MM/YYYY [note]",
        "/dayoff mai": "Cú pháp: /dayoff DD/MM/YYYY [note]",
        "/workday 31/04/2027 Làm bù": "Cú pháp: /workday DD/MM/YYYY [note]",
    }
    async with app.engine.connect() as connection:
        assert (await connection.execute(select(CalendarOverrideRow))).all() == []
    assert await audit(app) == [
        ("dayoff", "", False, "usage"),
        ("workday", "", False, "usage"),
        ("dayoff", "mai", False, "usage"),
        ("workday", "31/04/2027", False, "usage"),
    ]


# --- the core, where only a race could reach -------------------------------------------------


async def test_changing_a_session_that_no_longer_exists_is_refused(app: App) -> None:
    now = app.services.clock.now()
    later = now + timedelta(days=1)
    for change in ("cancel", "move", "publish"):
        async with app.store.transaction() as repo:
            with pytest.raises(sessions.SessionChangeRefused) as refused:
                if change == "cancel":
                    await sessions.cancel(repo, 99999, "Lý do", "officer:1", now)
                elif change == "move":
                    await sessions.move(
                        repo, 99999, later, later + timedelta(hours=1), "P", "officer:1", now
                    )
                else:
                    await sessions.publish(repo, 99999, now)
        assert refused.value.reason == "not_found", change


@pytest.mark.parametrize("change", ["cancel", "move"])
async def test_a_registration_withdrawn_while_its_session_changes_is_left_alone(
    app: App, change: str
) -> None:
    """The session's registrations are listed, then each is locked: one withdrawn in between
    (its citizen's transaction committed first) is neither cancelled nor moved."""
    staying = await submitted(app, user_id="stays")
    leaving = await submitted(app, user_id="leaves")
    approving = await officer(app)
    for code in (staying, leaving):
        await approving.send(f"/approve {code}")
    session_id = int((await row(app, staying)).session_id)
    async with app.store.transaction() as repo:
        listed = await repo.registrations_in_session(
            session_id, frozenset({RegistrationStatus.APPROVED})
        )
    assert {r.code for r in listed} == {staying, leaving}
    person = Chat(app.dialogue, user_id="leaves")
    await person.press(f"st:y:{leaving}")
    assert (await row(app, leaving)).status == "withdrawn"

    now = app.services.clock.now()
    async with app.store.transaction() as repo:
        real = repo.registrations_in_session
        calls = 0

        async def listed_before_the_withdrawal(
            session_id: int, statuses: frozenset[RegistrationStatus]
        ) -> list[RegistrationView]:
            nonlocal calls
            calls += 1
            if calls == 1:  # the booked registrations, as read a moment earlier
                return list(listed)
            return await real(session_id, statuses)

        repo.registrations_in_session = listed_before_the_withdrawal  # type: ignore[method-assign]
        if change == "cancel":
            _before, affected, _waiting = await sessions.cancel(
                repo, session_id, "Lãnh đạo bận", "officer:1", now
            )
        else:
            start = now + timedelta(days=17, hours=5)
            _before, affected, _waiting = await sessions.move(
                repo, session_id, start, start + timedelta(hours=2), "Hội trường", "officer:1", now
            )
    assert [a.before.code for a in affected] == [staying]
    assert (await row(app, staying)).status == (
        "cancelled" if change == "cancel" else "rescheduled"
    )
    assert (await row(app, leaving)).status == "withdrawn"
    async with app.engine.connect() as connection:
        events = (
            await connection.execute(
                select(RegistrationEventRow.event)
                .join(RegistrationRow, RegistrationRow.id == RegistrationEventRow.registration_id)
                .where(RegistrationRow.code == leaving)
                .order_by(RegistrationEventRow.id)
            )
        ).scalars()
        assert list(events) == ["submitted", "approve", "withdraw"]


# --- /officer ------------------------------------------------------------------------------

OFFICER_USAGE = "Cú pháp: /officer add CHANNEL:USER_ID ROLE UNITS|* [confidential] NAME"
CHANNELS = "console, telegram, zalo_bot, zalo_oa"


async def officers(app: App) -> list[tuple[Any, ...]]:
    async with app.engine.connect() as connection:
        found = await connection.execute(
            select(
                OfficerRow.channel,
                OfficerRow.user_id,
                OfficerRow.name,
                OfficerRow.role,
                OfficerRow.units,
                OfficerRow.permissions,
                OfficerRow.active,
            ).order_by(OfficerRow.id)
        )
        return [tuple(r) for r in found.all()]


async def test_officer_commands_that_cannot_be_carried_out_change_no_officer(app: App) -> None:
    before = await officers(app)
    admin = desk(app)
    expected = {
        "/officer": (
            "Cú pháp: /officer add CHANNEL:USER_ID ROLE UNITS|* [confidential] NAME | "
            "/officer remove CHANNEL:USER_ID | /officer list"
        ),
        "/officer promote console:officer": (
            "Cú pháp: /officer add CHANNEL:USER_ID ROLE UNITS|* [confidential] NAME | "
            "/officer remove CHANNEL:USER_ID | /officer list"
        ),
        "/officer add console:new officer *": OFFICER_USAGE,
        "/officer add console:new officer * confidential": OFFICER_USAGE,
        "/officer add fax:new officer * Chị Mới": (
            f"“fax:new” không đúng dạng CHANNEL:USER_ID, trong đó CHANNEL là một trong: "
            f"{CHANNELS}."
        ),
        "/officer add console: officer * Chị Mới": (
            f"“console:” không đúng dạng CHANNEL:USER_ID, trong đó CHANNEL là một trong: "
            f"{CHANNELS}."
        ),
        "/officer remove telegram": (
            f"“telegram” không đúng dạng CHANNEL:USER_ID, trong đó CHANNEL là một trong: "
            f"{CHANNELS}."
        ),
        f"/officer add console:new officer * {'Nguyễn ' * 29}Văn": (
            "Họ và tên chỉ được dài tối đa 200 ký tự."
        ),
        # Officers of the configuration file are changed there, not by a command.
        "/officer add console:officer admin * Chị Cán Bộ": (
            "console:officer được khai báo trong tệp cấu hình; hãy sửa trong tệp đó."
        ),
        "/officer remove console:nobody": "console:nobody không phải là cán bộ.",
    }
    for command, reply in expected.items():
        await admin.send(command)
        assert admin.text == reply, command
    assert await officers(app) == before
    details = [detail for _a, _t, _allowed, detail in await audit(app, "officer")]
    assert details == ["usage"] * 7 + ["too_long", "configured", "not_found"]


async def test_a_name_of_exactly_200_characters_is_accepted(app: App) -> None:
    admin = desk(app)
    name = "Nguyễn " * 27 + "Trần Văn An"  # 189 + 11 characters
    assert len(name) == 200
    await admin.send(f"/officer add console:new officer demo-ubnd-xa confidential {name}")
    assert admin.text == (
        f"{name} (console:new) hiện là cán bộ phụ trách demo-ubnd-xa, có quyền xem thông tin "
        "phải giữ bí mật."
    )
    assert (await officers(app))[-1] == (
        "console",
        "new",
        name,
        "officer",
        ["demo-ubnd-xa"],
        ["confidential"],
        True,
    )
