"""The edges of the schedule's and the booking's rules that need the database: a session that
starts this minute or is no longer planned cannot be changed; a session cannot be moved to now
or to no time at all; every booked citizen is told of a change, however often it happens and
whatever happened to the others; the reason for a cancellation stays with the registration;
a registration's deadlines are counted from the day in Hà Nội; the booking refusals that only
a change between the citizen's steps can reach.

Written against mutants of ``make mutate`` that no other test noticed (docs/testing.md)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import App, dialogue_settings
from bot.core import registrations, sessions
from bot.core.clock import FixedClock
from bot.core.model import RegistrationStatus, RegistrationView, RequestKind, SessionView
from bot.core.workdays import WorkCalendar
from storage.tables import OutboxRow, RegistrationEventRow, RegistrationRow, SessionRow
from tests.support import ANSWERS, Chat, citizen, leader, officer, register, row, submitted

REASON = "Lãnh đạo đi công tác đột xuất"


def not_planned(session_id: int) -> str:
    return f"Session #{session_id} is over or cancelled: it cannot be changed."


async def schedule(app: App) -> list[tuple[Any, ...]]:
    """Every session as stored: what a refused change must leave alone."""
    async with app.engine.connect() as connection:
        rows = await connection.execute(
            select(
                SessionRow.id,
                SessionRow.starts_at,
                SessionRow.ends_at,
                SessionRow.location,
                SessionRow.status,
                SessionRow.published_at,
                SessionRow.note,
            ).order_by(SessionRow.id)
        )
        return [tuple(r) for r in rows.all()]


async def notices(app: App, chat_id: str) -> list[str]:
    """The decision notices queued for a citizen, oldest first."""
    async with app.engine.connect() as connection:
        rows = await connection.execute(
            select(OutboxRow.payload)
            .where(OutboxRow.recipient == chat_id, OutboxRow.purpose == "notice")
            .order_by(OutboxRow.id)
        )
        return [str(payload["text"]) for payload in rows.scalars()]


async def sessions_of(app: App, leader_code: str) -> list[SessionView]:
    host = await leader(app, leader_code)
    now = app.services.clock.now()
    async with app.store.transaction() as repo:
        return await repo.sessions_between(now, now + timedelta(days=60), leader_id=host.id)


async def draft(admin: Chat, when: str) -> int:
    await admin.send(f"/session add ct-xa {when} 20 draft Hội trường UBND xã")
    assert admin.text.startswith("Session added: #"), admin.text
    return int(admin.text.split("#", 1)[1].split(" ", 1)[0])


# --- a session that has started, or is no longer planned, stays as it is ---------------------


async def test_a_session_starting_this_minute_can_be_neither_published_moved_nor_cancelled(
    app: App, clock: FixedClock
) -> None:
    admin = await officer(app, "admin")
    session_id = await draft(admin, "30/11/2026 10:00-11:00")
    clock.set(datetime(2026, 11, 30, 3, 0, tzinfo=UTC))  # 10:00 in Hà Nội: it starts now
    before = await schedule(app)
    for command in (
        f"/session publish {session_id}",
        f"/session move {session_id} 17/12/2026 14:00-16:00",
        f"/session cancel {session_id} {REASON}",
    ):
        await admin.send(command)
        assert admin.text == not_planned(session_id), command
    assert await schedule(app) == before


async def test_a_session_cancelled_ahead_of_its_time_can_be_neither_published_moved_nor_cancelled(
    app: App,
) -> None:
    admin = await officer(app, "admin")
    session_id = await draft(admin, "28/12/2026 08:00-10:00")
    await admin.send(f"/session cancel {session_id} {REASON}")
    assert admin.text.startswith(f"Session #{session_id} is cancelled"), admin.text
    before = await schedule(app)
    for command in (
        f"/session publish {session_id}",
        f"/session move {session_id} 29/12/2026 08:00-10:00",
        f"/session cancel {session_id} Lý do khác",
    ):
        await admin.send(command)
        assert admin.text == not_planned(session_id), command
    assert await schedule(app) == before


# --- where a session may be moved to ---------------------------------------------------------


async def test_a_session_cannot_be_moved_to_start_now_but_a_minute_later(app: App) -> None:
    session = (await sessions_of(app, "bt-tinh"))[0]
    before = await schedule(app)
    admin = await officer(app, "admin")
    await admin.send(f"/session move {session.id} 30/11/2026 09:00-10:00")  # now is 09:00
    assert admin.text == "This time is already past."
    assert await schedule(app) == before
    await admin.send(f"/session move {session.id} 30/11/2026 09:01-10:00")
    assert admin.text.startswith(f"Session #{session.id} moved to"), admin.text


async def test_a_session_cannot_be_moved_to_a_time_that_ends_when_it_starts(app: App) -> None:
    session = (await sessions_of(app, "bt-tinh"))[0]
    before = await schedule(app)
    now = app.services.clock.now()
    start = session.starts_at + timedelta(days=2)
    async with app.store.transaction() as repo:
        with pytest.raises(sessions.SessionChangeRefused) as refused:
            await sessions.move(repo, session.id, start, start, "Hội trường", "officer:1", now)
    assert refused.value.reason == "bad_time"
    assert await schedule(app) == before


# --- every booked citizen is told ------------------------------------------------------------


@pytest.mark.parametrize("change", ["cancel", "move"])
async def test_a_registration_withdrawn_between_two_others_does_not_stop_them_being_changed(
    app: App, change: str
) -> None:
    """The session's registrations are listed, then each is locked: one withdrawn in between
    is left alone, and the registrations listed after it are still cancelled or moved."""
    codes = {who: await submitted(app, user_id=who) for who in ("first", "middle", "last")}
    approving = await officer(app)
    for code in codes.values():
        await approving.send(f"/approve {code}")
    session_id = int((await row(app, codes["first"])).session_id)
    async with app.store.transaction() as repo:
        booked = await repo.registrations_in_session(
            session_id, frozenset({RegistrationStatus.APPROVED})
        )
    by_code = {r.code: r for r in booked}
    listed = [by_code[codes[who]] for who in ("first", "middle", "last")]
    await Chat(app.dialogue, user_id="middle").press(f"st:y:{codes['middle']}")
    assert (await row(app, codes["middle"])).status == "withdrawn"

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
                repo, session_id, REASON, "officer:1", now
            )
        else:
            start = now + timedelta(days=17, hours=5)
            _before, affected, _waiting = await sessions.move(
                repo, session_id, start, start + timedelta(hours=2), "Hội trường", "officer:1", now
            )
    assert [a.before.code for a in affected] == [codes["first"], codes["last"]]
    changed = "cancelled" if change == "cancel" else "rescheduled"
    assert (await row(app, codes["first"])).status == changed
    assert (await row(app, codes["last"])).status == changed
    assert (await row(app, codes["middle"])).status == "withdrawn"


async def test_the_reason_of_a_cancellation_stays_in_the_registrations_history(app: App) -> None:
    code = await submitted(app)
    desk = await officer(app)
    await desk.send(f"/approve {code}")
    session_id = int((await row(app, code)).session_id)
    admin = await officer(app, "admin")
    await admin.send(f"/session cancel {session_id} {REASON}")
    async with app.engine.connect() as connection:
        recorded = (
            await connection.execute(
                select(RegistrationEventRow.event, RegistrationEventRow.note)
                .join(RegistrationRow, RegistrationRow.id == RegistrationEventRow.registration_id)
                .where(RegistrationRow.code == code)
                .order_by(RegistrationEventRow.id)
            )
        ).all()
    assert [tuple(r) for r in recorded][-1] == ("session_cancelled", REASON)
    await desk.send(f"/view {code}")
    assert f"session cancelled — {REASON}" in desk.text
    assert f"Reason: {REASON}" in (await notices(app, "1001"))[-1]


async def test_a_session_moved_twice_clears_the_appointment_time_and_tells_the_citizen_twice(
    app: App,
) -> None:
    code = await submitted(app)
    session = (await sessions_of(app, "bt-tinh"))[0]
    desk = await officer(app)
    await desk.send(f"/approve {code} {session.id} 09:30")
    assert (await row(app, code)).slot_time == time(9, 30)
    admin = await officer(app, "admin")
    await admin.send(f"/session move {session.id} 16/12/2026 14:00-16:00")
    assert admin.text.startswith(f"Session #{session.id} moved to"), admin.text
    # 09:30 meant nothing at the new hours: the citizen is expected when the session starts.
    assert (await row(app, code)).slot_time is None
    await admin.send(f"/session move {session.id} 17/12/2026 14:00-16:00")
    assert admin.text.startswith(f"Session #{session.id} moved to"), admin.text
    moved = [text for text in await notices(app, "1001") if "has moved" in text]
    assert len(moved) == 2
    assert "December 16, 2026" in moved[0] and "December 17, 2026" in moved[1]
    assert (await row(app, code)).status == "rescheduled"


async def test_a_citizen_whose_sessions_are_cancelled_twice_is_told_twice(app: App) -> None:
    code = await submitted(app)
    first, second = (await sessions_of(app, "bt-tinh"))[:2]
    desk = await officer(app)
    admin = await officer(app, "admin")
    await desk.send(f"/approve {code} {first.id}")
    await admin.send(f"/session cancel {first.id} {REASON}")
    assert (await row(app, code)).status == "cancelled"
    # Back in the queue, first in line: approved into the next session, which is cancelled too.
    await desk.send(f"/approve {code} {second.id}")
    assert "scheduled into session" in desk.text
    await admin.send(f"/session cancel {second.id} Lãnh đạo họp đột xuất")
    cancelled = [text for text in await notices(app, "1001") if "is cancelled" in text]
    assert len(cancelled) == 2
    assert f"Reason: {REASON}" in cancelled[0]
    assert "Reason: Lãnh đạo họp đột xuất" in cancelled[1]


# --- submitting a registration ---------------------------------------------------------------


async def test_a_registration_sent_early_in_the_morning_counts_from_that_day_in_hanoi(
    app: App, clock: FixedClock
) -> None:
    """06:30 on Tuesday 1 December in Hà Nội is Monday 30 November, 23:30, in UTC. The answer
    is due 10 working days after Tuesday; and before an early session (06:30 on Wednesday 9
    December: Tuesday the 8th in UTC) the citizen hears by the working day before Wednesday."""
    clock.set(datetime(2026, 11, 30, 23, 30, tzinfo=UTC))
    admin = await officer(app, "admin")
    await admin.send("/session add bt-tinh 09/12/2026 06:30-09:00 10 Trụ sở Tiếp công dân tỉnh")
    assert admin.text.startswith("Session added: #"), admin.text
    session_id = int(admin.text.split("#", 1)[1].split(" ", 1)[0])
    chat = await citizen(app)
    code = await register(chat, leader_id=(await leader(app, "bt-tinh")).id)
    stored = await row(app, code)
    assert stored.session_id == session_id
    assert stored.due_date == WorkCalendar().add_working_days(date(2026, 12, 1), 10)
    assert stored.due_date == date(2026, 12, 15)
    assert "by Tuesday, December 8, 2026 at the latest, before your session" in chat.text


async def test_a_phone_number_shared_from_the_account_is_kept_as_verified(app: App) -> None:
    chat = await citizen(app)
    await chat.send("/register")
    await chat.press("reg:consent:yes")
    await chat.send(ANSWERS["full_name"])
    await chat.share_contact("+84 912 345 678", owner=chat.user_id)
    code = await register_rest(chat, app)
    stored = await row(app, code)
    assert (stored.phone, stored.phone_verified) == ("+84912345678", True)
    desk = await officer(app)
    await desk.send(f"/view {code}")
    assert "Phone: 0912 345 678 (shared from their account)" in desk.text
    typed = await submitted(app, user_id="1002")
    assert (await row(app, typed)).phone_verified is False


async def register_rest(chat: Chat, app: App) -> str:
    """The wizard's steps after the phone, with the usual answers; the ticket code."""
    for step in ("id_number", "province", "address"):
        await chat.send(ANSWERS[step])
    await chat.press("reg:kind:complaint")
    await chat.press(f"reg:leader:{(await leader(app, 'bt-tinh')).id}")
    await chat.press(chat.first_payload("reg:session:"))
    await chat.send("1")
    await chat.press("reg:interpreter:none")
    for step in ("summary", "prior_handling", "request"):
        await chat.send(ANSWERS[step])
    await chat.press("reg:review:submit")
    assert "Your ticket code is:" in chat.text, chat.text
    return chat.text.split("Your ticket code is: ", 1)[1].split()[0]


async def submission_like(app: App, code: str, **changes: Any) -> registrations.Submission:
    """The submission of an existing registration, as the same citizen would send it again."""
    stored = await row(app, code)
    return replace(
        registrations.Submission(
            citizen_id=stored.citizen_id,
            consent_id=stored.consent_id,
            kind=RequestKind.COMPLAINT,
            full_name=stored.full_name,
            phone=stored.phone,
            phone_verified=False,
            id_number=stored.id_number,
            province=stored.province,
            address=stored.address,
            leader_id=stored.leader_id,
            session_id=stored.session_id,
            people_count=1,
            representatives=(),
            summary=stored.summary,
            prior_handling=stored.prior_handling,
            request=stored.request,
            locale="en",
        ),
        **changes,
    )


async def submit(
    app: App, submission: registrations.Submission, **rule_changes: Any
) -> registrations.Submitted:
    rules = replace(dialogue_settings(app.config).booking, **rule_changes)
    async with app.store.transaction() as repo:
        return await registrations.submit(
            repo,
            submission,
            now=app.services.clock.now(),
            work=WorkCalendar(),
            rules=rules,
            new_code=app.services.new_ticket_code,
            actor="citizen:1",
        )


async def test_the_limit_counts_the_citizens_own_active_registrations(app: App) -> None:
    """The wizard checks the limit when it starts; submitting checks it again, for what
    changed meanwhile (here, the limit lowered to one)."""
    code = await submitted(app)
    again = await submission_like(app, code)
    with pytest.raises(registrations.LimitReached) as refused:
        await submit(app, again, max_active_per_citizen=1)
    assert refused.value.count == 1
    # Someone else's registration does not count against this citizen.
    other = await submitted(app, user_id="1002", leader_code="ct-tinh")
    assert (await row(app, other)).citizen_id != again.citizen_id
    made = await submit(app, again, max_active_per_citizen=2)
    assert made.registration.citizen_id == again.citizen_id


async def test_a_session_of_another_leader_is_refused(app: App) -> None:
    """The session step offers only the chosen leader's sessions; submitting checks again."""
    code = await submitted(app, leader_code="bt-tinh")
    other = await leader(app, "ct-tinh")
    mixed = await submission_like(app, code, leader_id=other.id)
    with pytest.raises(registrations.SessionUnavailable):
        await submit(app, mixed)
    made = await submit(app, await submission_like(app, code))
    assert made.registration.leader_name == "Nguyễn Văn Minh"
