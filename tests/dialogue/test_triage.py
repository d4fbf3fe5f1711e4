"""Officer triage on the console channel: every command, every refusal, the citizen's notices,
concurrent decisions, and the event log as the registration's whole history."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from bot.app import App, build, prepare
from bot.core import tickets
from bot.core.clock import FixedClock
from bot.core.model import RegistrationStatus
from bot.demo import load_demo
from storage.tables import AuditRow, OutboxRow, RegistrationEventRow, RegistrationRow
from tests.conftest import config_for, fresh_schema
from tests.support import ANSWERS, Chat, citizen, leader, officer, row, submitted


async def notices(app: App, chat_id: str = "1001") -> list[str]:
    """The decision notices queued for a citizen (reminders aside)."""
    async with app.engine.connect() as connection:
        rows = await connection.execute(
            select(OutboxRow.payload)
            .where(OutboxRow.recipient == chat_id, OutboxRow.purpose == "notice")
            .order_by(OutboxRow.id)
        )
        return [str(payload["text"]) for payload in rows.scalars()]


async def events(app: App, code: str) -> list[tuple[str, str | None, str | None]]:
    async with app.engine.connect() as connection:
        rows = await connection.execute(
            select(
                RegistrationEventRow.event,
                RegistrationEventRow.from_status,
                RegistrationEventRow.to_status,
            )
            .join(RegistrationRow, RegistrationRow.id == RegistrationEventRow.registration_id)
            .where(RegistrationRow.code == code)
            .order_by(RegistrationEventRow.id)
        )
        return [tuple(r) for r in rows.all()]  # type: ignore[misc]


# --- access ---------------------------------------------------------------------------------


async def test_a_citizen_sending_an_officer_command_is_told_it_is_unknown_and_audited(
    app: App,
) -> None:
    code = await submitted(app)
    stranger = await citizen(app, "2002")
    await stranger.send(f"/approve {code}")
    assert "I do not know the command /approve" in stranger.text
    assert (await row(app, code)).status == "submitted"
    async with app.engine.connect() as connection:
        audit = (await connection.execute(select(AuditRow))).all()
    assert [(a.actor, a.action, a.target, a.allowed, a.detail) for a in audit] == [
        ("console:2002", "approve", code, False, "not an officer")
    ]


async def test_every_officer_command_is_audited_allowed_or_refused(app: App) -> None:
    code = await submitted(app)
    desk = await officer(app)
    await desk.send(f"/view {code}")
    await desk.send("/approve NOPE-0000")
    async with app.engine.connect() as connection:
        audit = (await connection.execute(select(AuditRow).order_by(AuditRow.id))).all()
    assert [(a.action, a.target, a.allowed, a.detail) for a in audit] == [
        ("view", code, True, "ok"),
        ("approve", "NOPE-0000", False, "bad_code"),
    ]
    assert all(a.actor.startswith("officer:") for a in audit)


async def test_wrong_role_is_refused(app: App) -> None:
    code = await submitted(app)
    desk = await officer(app)
    await desk.send(f"/reassign {code} ct-tinh")
    assert "This command needs the supervisor role" in desk.text
    await desk.send("/officer list")
    assert "This command needs the admin role" in desk.text


async def test_out_of_scope_is_refused(app: App) -> None:
    code = await submitted(app, leader_code="bt-tinh")
    commune = await officer(app, "commune-officer")
    await commune.send(f"/view {code}")
    assert "outside your units" in commune.text
    await commune.send(f"/approve {code}")
    assert "outside your units" in commune.text
    assert (await row(app, code)).status == "submitted"
    # The same officer does work on a commune registration.
    local = await submitted(app, user_id="1002", leader_code="ct-xa")
    await commune.send(f"/view {local}")
    assert f"Registration {local}" in commune.text


async def test_unknown_code_and_malformed_arguments_are_explained(app: App) -> None:
    code = await submitted(app)
    desk = await officer(app)
    await desk.send("/approve")
    assert "Usage: /approve CODE [SESSION] [HH:MM]" in desk.text
    unknown = tickets.new_code(lambda alphabet: alphabet[0])
    await desk.send(f"/approve {unknown}")
    assert f"There is no registration with the code {unknown}" in desk.text
    await desk.send("/approve K7MQ-X4PD")
    assert "not a valid ticket code" in desk.text
    await desk.send(f"/approve {code} tomorrow")
    assert "Usage: /approve" in desk.text
    await desk.send(f"/reject {code} because")
    # bt-tinh heads a Party committee: only the grounds that do not rest on the Law.
    assert f"GROUND for {code} is one of: not_request, outside." in desk.text
    await desk.send(f"/reject {code} outside")
    assert "Usage: /reject CODE outside BODY" in desk.text
    await desk.send(f"/needinfo {code}")
    assert "Usage: /needinfo CODE question" in desk.text
    await desk.send(f"/duplicate {code} {code}")
    assert "cannot duplicate itself" in desk.text
    await desk.send("/queue nonsense")
    assert "“nonsense” is not a state" in desk.text
    assert (await row(app, code)).status == "submitted"
    assert await notices(app) == []


async def test_a_command_that_does_not_fit_the_state_names_the_state_and_who_decided(
    app: App,
) -> None:
    code = await submitted(app)
    first = await officer(app)
    second = await officer(app, "supervisor")
    await first.send(f"/reject {code} not_request")
    await second.send(f"/approve {code}")
    assert "/approve does not apply to" in second.text
    assert "“Refused”" in second.text and "refused" in second.text
    assert "by Chị Cán Bộ" in second.text
    await second.send(f"/attended {code}")
    assert "does not apply" in second.text


# --- each decision, and what the citizen is told ---------------------------------------------


async def test_approve_into_the_requested_session_tells_date_time_place_and_what_to_bring(
    app: App,
) -> None:
    code = await submitted(app, answers={"people_count": "6"})
    desk = await officer(app)
    await desk.send(f"/approve {code}")
    assert f"✅ {code} scheduled into session" in desk.text
    assert "The citizen has been told" in desk.text
    [notice] = await notices(app)
    assert f"Your registration {code} is scheduled for reception" in notice
    assert "Nguyễn Văn Minh, Bí thư Tỉnh ủy" in notice
    assert "Tuesday, December 15, 2026" in notice
    assert "Trụ sở Tiếp công dân tỉnh" in notice
    assert "identity card" in notice and "appoints the representatives" in notice
    assert (await row(app, code)).status == "approved"


async def test_approve_into_another_session_at_a_time(app: App) -> None:
    code = await submitted(app)
    bt = await leader(app, "bt-tinh")
    async with app.store.transaction() as repo:
        sessions = await repo.sessions_between(
            app.services.clock.now(),
            app.services.clock.now() + timedelta(days=60),
            leader_id=bt.id,
        )
    later = sessions[1]
    desk = await officer(app)
    await desk.send(f"/approve {code} {later.id} 09:30")
    assert "scheduled into session" in desk.text
    stored = await row(app, code)
    assert stored.session_id == later.id and stored.slot_time.strftime("%H:%M") == "09:30"
    [notice] = await notices(app)
    assert "9:30" in notice


async def test_a_full_session_is_refused_with_sessions_that_have_room(
    app: App, clock: FixedClock
) -> None:
    bt = await leader(app, "bt-tinh")
    async with app.store.transaction() as repo:
        first = (
            await repo.sessions_between(
                clock.now(), clock.now() + timedelta(days=60), leader_id=bt.id
            )
        )[0]
    codes = [await submitted(app, user_id=f"c{n}") for n in range(first.capacity)]
    late = await submitted(app, user_id="late")  # asked for the next session
    desk = await officer(app, "admin")
    # Everyone in the first session is approved, then the late one is pushed into it.
    for code in codes:
        await desk.send(f"/approve {code}")
        assert "scheduled into session" in desk.text
    await desk.send(f"/approve {late} {first.id}")
    assert f"Session #{first.id}" in desk.text and "is full" in desk.text
    assert "Sessions with room: #" in desk.text
    assert (await row(app, late)).status == "submitted"


async def test_reject_tells_the_reason_its_legal_basis_and_where_to_go(app: App) -> None:
    state = await submitted(app, locale="vi", leader_code="ct-tinh")
    party = await submitted(app, user_id="1002", locale="vi", leader_code="bt-tinh")
    desk = await officer(app)
    await desk.send(f"/reject {state} outside Sở Tài nguyên và Môi trường tỉnh")
    assert "refused: The matter is outside the competence of this body" in desk.text
    await desk.send(f"/reject {party} not_request")
    [notice] = await notices(app)
    assert f"Phiếu đăng ký {state} của bạn không được tiếp nhận" in notice
    assert "không thuộc thẩm quyền" in notice
    assert "Luật Tiếp công dân, Điều 8 và Điều 28" in notice
    assert "Sở Tài nguyên và Môi trường tỉnh" in notice
    # At a Party committee's session the basis is Regulation 11, not the Law.
    [party_notice] = await notices(app, "1002")
    assert "Quy định 11-QĐi/TW" in party_notice
    code = state
    stored = await row(app, code)
    assert (stored.status, stored.rejection_reason, stored.guided_to) == (
        "rejected",
        "outside",
        "Sở Tài nguyên và Môi trường tỉnh",
    )


async def test_needinfo_pauses_the_clock_and_the_answer_resumes_it(
    app: App, clock: FixedClock
) -> None:
    code = await submitted(app)
    due = (await row(app, code)).due_date
    desk = await officer(app)
    await desk.send(f"/needinfo {code} Anh có giấy chứng nhận quyền sử dụng đất không?")
    [notice] = await notices(app)
    assert "need more information" in notice and "quyền sử dụng đất" in notice
    await desk.send("/queue")
    assert "paused: waiting for the citizen" in desk.text
    # The citizen answers three working days later (Mon 30 Nov -> Thu 3 Dec).
    clock.set(clock.now() + timedelta(days=3))
    person = Chat(app.dialogue, user_id="1001")
    await person.send(f"/status {code}")
    assert "The officers ask: Anh có giấy chứng nhận" in person.text
    await person.tap("Answer")
    await person.send("Có, sổ đỏ cấp năm 2010.")
    assert "your answer is attached" in person.text
    stored = await row(app, code)
    assert stored.status == "submitted" and stored.paused_since is None
    assert (stored.due_date - due).days == 3  # three working days later, same weekday span
    await desk.send(f"/view {code}")
    assert "Có, sổ đỏ cấp năm 2010." in desk.text


async def test_delegate_names_who_receives_where_the_unit_allows_it(app: App) -> None:
    """By default a Party committee allows it, a people's committee does not (the amended
    Law on Citizen Reception gives the head of a state body no power to delegate)."""
    party = await submitted(app, leader_code="bt-tinh")
    state = await submitted(app, user_id="1002", leader_code="ct-tinh")
    desk = await officer(app)
    await desk.send(f"/delegate {party} Phó Bí thư Trần Văn Bảo")
    assert "will receive the citizen in place of Nguyễn Văn Minh" in desk.text
    [notice] = await notices(app)
    assert "Phó Bí thư Trần Văn Bảo will receive you in place of Nguyễn Văn Minh" in notice
    await desk.send(f"/delegate {state} Phó Chủ tịch Lê Văn Cường")
    assert "does not allow another official to receive" in desk.text
    assert (await row(app, state)).host_name == ""


async def test_the_configuration_decides_delegation_for_each_unit(
    database_url: str, clock: FixedClock
) -> None:
    triage_config = {
        "delegation_forbidden_units": ["demo-tinh-uy"],
        "delegation_allowed_units": ["demo-ubnd-tinh"],
    }
    application = build(config_for(database_url, triage=triage_config), clock)
    try:
        await fresh_schema(application.engine)
        async with application.store.transaction() as repo:
            await load_demo(repo, clock.now())
        await prepare(application)
        party = await submitted(application, leader_code="bt-tinh")
        state = await submitted(application, user_id="1002", leader_code="ct-tinh")
        desk = await officer(application)
        await desk.send(f"/delegate {party} Phó Bí thư Trần Văn Bảo")
        assert "does not allow another official to receive" in desk.text
        await desk.send(f"/delegate {state} Phó Chủ tịch Lê Văn Cường")
        assert "will receive the citizen in place of Trần Thị Lan" in desk.text
    finally:
        await application.close()


async def test_transfer_tells_the_competent_body_and_the_letter(app: App) -> None:
    code = await submitted(app)
    desk = await officer(app)
    await desk.send(f"/transfer {code} Thanh tra tỉnh ; 123/CV-UBND")
    [notice] = await notices(app)
    assert "transferred to Thanh tra tỉnh" in notice and "123/CV-UBND" in notice
    stored = await row(app, code)
    assert (stored.status, stored.referred_to, stored.letter_no) == (
        "referred",
        "Thanh tra tỉnh",
        "123/CV-UBND",
    )


async def test_duplicate_links_to_the_earlier_registration(app: App) -> None:
    first = await submitted(app)
    again = await submitted(app)
    desk = await officer(app)
    await desk.send(f"/duplicate {again} {first}")
    [notice] = await notices(app)
    assert f"same matter as your registration {first}" in notice
    assert (await row(app, again)).duplicate_of_code == first
    assert (await row(app, first)).status == "submitted"


async def test_attendance_outcome_and_conclusion_after_the_session(
    app: App, clock: FixedClock
) -> None:
    code = await submitted(app, locale="vi")
    desk = await officer(app)
    await desk.send(f"/approve {code}")
    await desk.send(f"/attended {code}")
    assert "has not come yet" in desk.text
    clock.set(clock.now() + timedelta(days=15, hours=2))  # Tue 15 Dec, 11:00
    await desk.send(f"/attended {code}")
    assert "reception recorded" in desk.text
    await desk.send(f"/outcome {code} lunch")
    assert "TYPE is one of: accepted, guided" in desk.text
    await desk.send(f"/conclusion {code} 31/02/2026 Phòng Tài nguyên ; Kiểm tra.")
    assert "Usage: /conclusion" in desk.text
    await desk.send(f"/outcome {code} accepted 45/TB-UBND ; Giao Phòng Tài nguyên xác minh.")
    await desk.send(f"/conclusion {code} 31/12/2026 Phòng Tài nguyên ; Kiểm tra lại hồ sơ.")
    texts = await notices(app)
    assert len(texts) == 3  # approve, outcome, conclusion
    assert "được thụ lý" in texts[1] or "thụ lý" in texts[1]
    assert "45/TB-UBND" in texts[1]
    assert "Phòng Tài nguyên" in texts[2] and "31/12/2026" in texts[2]
    stored = await row(app, code)
    assert (stored.status, stored.outcome, stored.conclusion_unit) == (
        "closed",
        "accepted",
        "Phòng Tài nguyên",
    )


async def test_no_show_is_recorded_and_the_citizen_told(app: App, clock: FixedClock) -> None:
    code = await submitted(app)
    desk = await officer(app)
    await desk.send(f"/approve {code}")
    clock.set(clock.now() + timedelta(days=16))
    await desk.send(f"/noshow {code}")
    assert (await row(app, code)).status == "no_show"
    assert "did not come" in (await notices(app))[-1]


async def test_a_note_is_internal(app: App) -> None:
    code = await submitted(app)
    desk = await officer(app)
    await desk.send(f"/note {code} Đã gọi điện, công dân sẽ mang sổ đỏ.")
    assert "never shown to the citizen" in desk.text
    assert await notices(app) == []
    person = Chat(app.dialogue, user_id="1001")
    await person.send(f"/status {code}")
    assert "Đã gọi điện" not in person.text and "Internal note" not in person.text
    await desk.send(f"/view {code}")
    assert "Đã gọi điện, công dân sẽ mang sổ đỏ." in desk.text


async def test_a_supervisor_reassigns_to_another_leader(app: App) -> None:
    code = await submitted(app)
    boss = await officer(app, "supervisor")
    await boss.send(f"/reassign {code} ct-tinh")
    assert "passed to Trần Thị Lan" in boss.text
    assert "Trần Thị Lan" in (await notices(app))[0]
    assert (await row(app, code)).leader_id == (await leader(app, "ct-tinh")).id


async def test_notices_follow_each_citizens_language(app: App) -> None:
    vi = await submitted(app, user_id="vi-citizen", locale="vi")
    en = await submitted(app, user_id="en-citizen", locale="en")
    desk = await officer(app)
    await desk.send(f"/approve {vi}")
    await desk.send(f"/approve {en}")
    [vietnamese] = await notices(app, "vi-citizen")
    [english] = await notices(app, "en-citizen")
    assert "đã được xếp lịch tiếp" in vietnamese and "Thứ Ba, ngày 15/12/2026" in vietnamese
    assert "is scheduled for reception" in english and "Tuesday, December 15, 2026" in english


# --- the queue and the dossier ---------------------------------------------------------------


async def test_queue_lists_oldest_first_with_deadlines_and_flags(
    app: App, clock: FixedClock
) -> None:
    old = await submitted(app, user_id="old")  # Mon 30 Nov: due Mon 14 Dec
    clock.set(clock.now() + timedelta(days=10))  # Thu 10 Dec: 2 working days left for "old"
    new = await submitted(app, user_id="new")
    desk = await officer(app)
    await desk.send("/queue")
    lines = [line for line in desk.text.splitlines() if "·" in line]
    assert lines[0].startswith(f"⚠️ {old}") and "8 working days old" in lines[0]
    assert "(2 working days left)" in lines[0]
    assert lines[1].startswith(f"• {new}")
    clock.set(clock.now() + timedelta(days=7))  # Thu 17 Dec: "old" is overdue
    await desk.send("/queue")
    assert f"⛔ {old}" in desk.text and "overdue by 3 working days" in desk.text


async def test_queue_filters_and_pages(app: App) -> None:
    for n in range(12):
        await submitted(app, user_id=f"p{n}", kind="petition" if n % 2 else "feedback")
    desk = await officer(app)
    await desk.send("/queue")
    assert "Queue: 12 registrations" in desk.text and "page 1 of 2" in desk.text
    await desk.tap("Next page")
    assert "page 2 of 2" in desk.text
    assert len([line for line in desk.text.splitlines() if "·" in line]) == 2
    await desk.send("/queue petition")
    assert "Queue: 6 registrations" in desk.text
    await desk.send("/queue approved")
    assert "Nothing is waiting" in desk.text


async def test_denunciations_are_hidden_from_officers_without_the_permission(app: App) -> None:
    secret = await submitted(app, leader_code="ct-xa", kind="denunciation")
    plain = await submitted(app, user_id="1002", leader_code="ct-xa")
    commune = await officer(app, "commune-officer")
    await commune.send("/queue")
    assert plain in commune.text and secret not in commune.text
    assert "1 confidential request is not listed" in commune.text
    # Asking for denunciations by name shows none either, only that one exists.
    await commune.send("/queue denunciation")
    assert secret not in commune.text and "Nguyễn Văn An" not in commune.text
    assert "Nothing is waiting" in commune.text
    assert "1 confidential request is not listed" in commune.text
    await commune.send(f"/view {secret}")
    assert "confidential request" in commune.text and "Nguyễn Văn An" not in commune.text
    cleared = await officer(app)
    await cleared.send(f"/view {secret}")
    assert "Nguyễn Văn An" in cleared.text and "Denunciation" in cleared.text


async def test_view_shows_the_whole_dossier_and_history(app: App) -> None:
    code = await submitted(app, answers={"people_count": "7"})
    desk = await officer(app)
    await desk.send(f"/needinfo {code} Ai là người đại diện thứ hai?")
    await desk.send(f"/view {code}")
    text = desk.text
    for expected in (
        "Nguyễn Văn An",
        "0912 345 678",
        "001090012345",
        ANSWERS["address"],
        "People with the same matter: 7",
        "Representatives: Nguyễn Văn Bình, Trần Thị Cúc",
        ANSWERS["summary"],
        ANSWERS["prior_handling"],
        ANSWERS["request"],
        "Question to the citizen: Ai là người đại diện thứ hai?",
        "the citizen: registration sent by the citizen",
        "Chị Cán Bộ: question sent to the citizen",
    ):
        assert expected in text, expected


# --- officers managed by admins --------------------------------------------------------------


async def test_admins_add_and_remove_officers(app: App) -> None:
    code = await submitted(app, leader_code="ct-xa")
    admin = await officer(app, "admin")
    await admin.send("/officer add console:new-officer officer demo-ubnd-xa Chị Mới")
    assert "Chị Mới (console:new-officer) is now officer for demo-ubnd-xa" in admin.text
    newcomer = await officer(app, "new-officer")
    await newcomer.send(f"/view {code}")
    assert f"Registration {code}" in newcomer.text
    await admin.send("/officer list")
    assert "Chị Mới" in admin.text and "Chị Quản Trị" in admin.text
    await admin.send("/officer remove console:officer")
    assert "defined in the configuration file" in admin.text
    await admin.send("/officer remove console:new-officer")
    assert "is no longer an officer" in admin.text
    await newcomer.send(f"/view {code}")
    assert "I do not know the command /view" in newcomer.text
    await admin.send("/officer add console:x boss * Someone")
    assert "ROLE is one of" in admin.text
    await admin.send("/officer add console:x officer nowhere Someone")
    assert "Unknown unit codes: nowhere" in admin.text


async def test_officers_get_their_commands_in_help(app: App) -> None:
    desk = await officer(app)
    await desk.send("/help")
    assert "Officer commands" in desk.text and "/reassign" not in desk.text
    await desk.send("/help approve")
    assert desk.text.startswith("/approve CODE [SESSION] [HH:MM]")
    person = await citizen(app)
    await person.send("/help")
    assert "Officer commands" not in person.text


# --- concurrency and the event log -----------------------------------------------------------


async def test_two_officers_approving_at_once_one_wins_the_other_is_told(app: App) -> None:
    code = await submitted(app)
    one, two = await officer(app), await officer(app, "supervisor")
    await asyncio.gather(one.send(f"/approve {code}"), two.send(f"/approve {code}"))
    winners = [c for c in (one, two) if "scheduled into session" in c.text]
    losers = [c for c in (one, two) if "does not apply" in c.text]
    assert len(winners) == 1 and len(losers) == 1
    assert "by " in losers[0].text  # who decided, and when
    assert [e[0] for e in await events(app, code)] == ["submitted", "approve"]
    assert len(await notices(app)) == 1


async def test_parallel_approvals_never_overfill_a_session(app: App, clock: FixedClock) -> None:
    bt = await leader(app, "bt-tinh")
    async with app.store.transaction() as repo:
        first = (
            await repo.sessions_between(
                clock.now(), clock.now() + timedelta(days=60), leader_id=bt.id
            )
        )[0]
        second = (
            await repo.sessions_between(
                clock.now(), clock.now() + timedelta(days=60), leader_id=bt.id
            )
        )[1]
    # Capacity of the first session is 10: eight citizens asked for it, six for the second.
    in_first = [await submitted(app, user_id=f"a{n}") for n in range(8)]
    for n in range(first.capacity - 8):
        await submitted(app, user_id=f"filler{n}")
    others = []
    for n in range(6):
        chat = await citizen(app, f"b{n}")
        await chat.send("/register")
        await chat.press("reg:consent:yes")
        for name in ("full_name", "phone", "id_number", "province", "address"):
            await chat.send(ANSWERS[name])
        await chat.press("reg:kind:petition")
        await chat.press(f"reg:leader:{bt.id}")
        await chat.press(f"reg:session:{second.id}")
        await chat.send("1")
        await chat.press("reg:interpreter:none")
        for name in ("summary", "prior_handling", "request"):
            await chat.send(ANSWERS[name])
        await chat.press("reg:review:submit")
        others.append(next(w for w in chat.text.split() if len(w) == 9 and w[4] == "-"))
    desks = [await officer(app, name) for name in ("officer", "supervisor", "admin")]
    # Everyone in the second session is pushed into the already full first one, at once.
    commands = [
        desks[n % 3].send(f"/approve {code} {first.id}") for n, code in enumerate(others)
    ] + [desks[n % 3].send(f"/approve {code}") for n, code in enumerate(in_first)]
    await asyncio.gather(*commands)
    async with app.store.transaction() as repo:
        after = await repo.session(first.id)
    assert after is not None and after.taken == after.capacity
    async with app.engine.connect() as connection:
        approved_into_first = (
            await connection.execute(
                select(func.count())
                .select_from(RegistrationRow)
                .where(
                    RegistrationRow.session_id == first.id,
                    RegistrationRow.status == "approved",
                )
            )
        ).scalar_one()
        approvals = (
            await connection.execute(
                select(func.count())
                .select_from(RegistrationEventRow)
                .where(RegistrationEventRow.event == "approve")
            )
        ).scalar_one()
    assert approved_into_first == len(in_first)
    assert approvals == len(in_first)
    for code in others:
        assert (await row(app, code)).status == "submitted"


async def test_the_event_log_reconstructs_the_whole_history(app: App, clock: FixedClock) -> None:
    code = await submitted(app)
    desk = await officer(app)
    await desk.send(f"/needinfo {code} Cần bổ sung giấy tờ gì?")
    person = Chat(app.dialogue, user_id="1001")
    await person.press(f"st:a:{code}")
    await person.send("Tôi sẽ mang bản sao sổ đỏ.")
    await desk.send(f"/delegate {code} Phó Bí thư Trần Văn Bảo")
    await desk.send(f"/approve {code}")
    clock.set(clock.now() + timedelta(days=15, hours=2))
    await desk.send(f"/attended {code}")
    await desk.send(f"/outcome {code} answered Đã giải thích tại buổi tiếp.")
    log = await events(app, code)
    assert log == [
        ("submitted", None, "submitted"),
        ("needinfo", "submitted", "needs_info"),
        ("info_received", "needs_info", "submitted"),
        ("delegate", "submitted", "submitted"),
        ("approve", "submitted", "approved"),
        ("attended", "approved", "attended"),
        ("outcome", "attended", "closed"),
    ]
    # Replaying the transitions gives the registration's current state: the log is complete.
    state = None
    for _event, before, after in log:
        assert before == state
        state = after
    assert state == (await row(app, code)).status == RegistrationStatus.CLOSED.value


async def test_configured_days_off_and_make_up_days_move_the_due_date(
    database_url: str, clock: FixedClock
) -> None:
    """Submitted Monday 30 Nov 2026: 10 working days end on Monday 14 Dec, unless the
    configuration adds a day off (Tue 1 Dec) and a make-up working Saturday (12 Dec)."""
    for calendar, expected in (
        ({}, "2026-12-14"),
        ({"days_off": ["2026-12-01"]}, "2026-12-15"),
        ({"days_off": ["2026-12-01"], "working_days": ["2026-12-12"]}, "2026-12-14"),
        ({"working_days": ["2026-12-05", "2026-12-12"]}, "2026-12-11"),
    ):
        parsed = {k: [date.fromisoformat(d) for d in v] for k, v in calendar.items()}
        application = build(config_for(database_url, calendar=parsed), clock)
        try:
            await fresh_schema(application.engine)
            async with application.store.transaction() as repo:
                await load_demo(repo, clock.now())
            await prepare(application)
            code = await submitted(application)
            assert (await row(application, code)).due_date.isoformat() == expected, calendar
        finally:
            await application.close()


async def test_the_citizens_status_page_shows_the_decision(app: App) -> None:
    approved = await submitted(app)
    refused = await submitted(app, leader_code="ct-tinh")
    desk = await officer(app)
    await desk.send(f"/approve {approved} 09:15")
    await desk.send(f"/delegate {approved} Phó Bí thư Trần Văn Bảo")
    await desk.send(f"/reject {refused} outside Thanh tra tỉnh")
    person = Chat(app.dialogue, user_id="1001")
    await person.send(f"/status {approved}")
    assert "Your appointment time: 09:15" in person.text
    assert "You will be received by: Phó Bí thư Trần Văn Bảo" in person.text
    assert "Scheduled for a reception session" in person.text
    await person.send(f"/status {refused}")
    assert "Reason: The matter is outside the competence of this body" in person.text
    assert "Please take your matter to the competent body: Thanh tra tỉnh." in person.text


# --- what the review of this feature found ---------------------------------------------------


async def test_a_scoped_admin_grants_no_more_than_they_hold(app: App) -> None:
    admin = await officer(app, "admin")
    await admin.send("/officer add console:adm-xa admin demo-ubnd-xa Quản Trị Xã")
    scoped = await officer(app, "adm-xa")
    await scoped.send("/officer add console:adm-xa admin * confidential Quản Trị Xã")
    assert "You cannot change your own rights" in scoped.text
    await scoped.send("/officer add console:friend officer * Bạn Bè")
    assert "only grant units within your own units" in scoped.text
    await scoped.send("/officer add console:friend officer demo-ubnd-xa confidential Bạn Bè")
    assert "Only an admin with the confidential permission" in scoped.text
    await scoped.send("/officer add console:friend officer demo-ubnd-xa Bạn Bè")
    assert "is now officer for demo-ubnd-xa" in scoped.text
    await scoped.send("/officer remove console:supervisor")
    assert "defined in the configuration file" in scoped.text


async def test_reassign_respects_the_supervisors_units(app: App) -> None:
    admin = await officer(app, "admin")
    await admin.send("/officer add console:sup-xa supervisor demo-ubnd-xa Giám Sát Xã")
    code = await submitted(app, leader_code="ct-xa")
    supervisor = await officer(app, "sup-xa")
    await supervisor.send(f"/reassign {code} bt-tinh")
    assert "outside your units" in supervisor.text
    assert (await row(app, code)).leader_id == (await leader(app, "ct-xa")).id


async def test_concurrent_reassignments_never_overfill_the_target(
    app: App, clock: FixedClock
) -> None:
    target = await leader(app, "ct-tinh")
    async with app.store.transaction() as repo:
        first = (
            await repo.sessions_between(
                clock.now(), clock.now() + timedelta(days=60), leader_id=target.id
            )
        )[0]
    for n in range(first.capacity - 1):
        await submitted(app, user_id=f"fill{n}", leader_code="ct-tinh")
    movers = [await submitted(app, user_id=f"m{n}", leader_code="bt-tinh") for n in range(3)]
    bosses = [await officer(app, name) for name in ("supervisor", "admin", "supervisor")]
    await asyncio.gather(
        *(
            boss.send(f"/reassign {code} ct-tinh {first.id}")
            for boss, code in zip(bosses, movers, strict=True)
        )
    )
    async with app.store.transaction() as repo:
        after = await repo.session(first.id)
    assert after is not None and after.taken == after.capacity
    moved = [code for code in movers if (await row(app, code)).session_id == first.id]
    assert len(moved) == 1


async def test_duplicates_never_point_at_each_other_or_at_a_closed_registration(
    app: App,
) -> None:
    first, second, third = [await submitted(app) for _ in range(3)]
    desk = await officer(app)
    await desk.send(f"/duplicate {second} {first}")
    await desk.send(f"/duplicate {first} {second}")
    assert f"{second} cannot take this matter" in desk.text
    await desk.send(f"/reject {third} not_request")
    fourth = await submitted(app, user_id="1002")
    await desk.send(f"/duplicate {fourth} {third}")
    assert f"{third} cannot take this matter" in desk.text
    assert (await row(app, first)).status == "submitted"


async def test_a_stale_answer_button_never_arms_another_registration(app: App) -> None:
    first = await submitted(app)
    second = await submitted(app)
    desk = await officer(app)
    await desk.send(f"/needinfo {first} Câu hỏi một?")
    await desk.send(f"/needinfo {second} Câu hỏi hai?")
    person = Chat(app.dialogue, user_id="1001")
    await person.press(f"st:a:{second}")
    await person.send("Trả lời cho phiếu thứ hai.")
    await person.press(f"st:a:{first}")  # armed for the first one...
    await person.press(f"st:a:{second}")  # ...then an old button of the answered second one
    await person.send("Ghi chú bất kỳ")
    assert (await row(app, first)).status == "needs_info"


async def test_odd_input_is_answered_not_crashed_on(app: App) -> None:
    code = await submitted(app)
    desk = await officer(app)
    for command in (
        f"/approve {code} ²",
        f"/approve {code} 99999999999999999999",
        f"/view {code} " + "x" * 150,
        "/view " + "y" * 150,
        f"/transfer {code} Thanh tra ; " + "9" * 80,
        f"/delegate {code} " + "Ông " * 80,
        f"/needinfo {code} " + "hỏi " * 600,
    ):
        await desk.send(command)
        assert "something went wrong" not in desk.text, command
    await desk.send(f"/reject {code}\nnot_request")
    assert "refused" in desk.text
    stranger = await citizen(app, "2002")
    await stranger.send("/approve " + "z" * 300)
    assert "I do not know the command /approve" in stranger.text


async def test_decided_registrations_are_not_flagged_overdue(app: App, clock: FixedClock) -> None:
    code = await submitted(app)
    desk = await officer(app)
    await desk.send(f"/reject {code} not_request")
    clock.set(clock.now() + timedelta(days=30))
    await desk.send("/queue all")
    line = next(line for line in desk.text.splitlines() if code in line)
    assert "overdue" not in line and "Refused" in line


async def test_an_officer_command_from_a_citizen_pauses_the_wizard_like_any_unknown_one(
    app: App,
) -> None:
    person = await citizen(app)
    await person.send("/register")
    await person.press("reg:consent:yes")
    await person.send("/approve")
    officer_like = person.text
    await person.send("/register")
    await person.send("/frobnicate")
    assert officer_like.replace("/approve", "/frobnicate") == person.text


async def test_no_show_waits_for_the_appointment_time(app: App, clock: FixedClock) -> None:
    code = await submitted(app)
    desk = await officer(app)
    await desk.send(f"/approve {code} 10:30")
    clock.set(datetime(2026, 12, 15, 9, 0, tzinfo=app.config.bot.zone))
    await desk.send(f"/noshow {code}")
    assert "has not come yet" in desk.text
    clock.set(datetime(2026, 12, 15, 10, 45, tzinfo=app.config.bot.zone))
    await desk.send(f"/noshow {code}")
    assert "did not come" in desk.text


async def test_denunciations_have_their_own_deadline_and_are_transferred_not_refused(
    app: App,
) -> None:
    code = await submitted(app, kind="denunciation", leader_code="ct-tinh")
    assert (await row(app, code)).due_date.isoformat() == "2026-12-09"  # 7 working days
    desk = await officer(app)
    await desk.send(f"/reject {code} outside Công an tỉnh")
    assert "A denunciation outside your competence is not refused" in desk.text
    stored = await row(app, code)
    assert (stored.status, stored.referred_to, stored.rejection_reason) == (
        "referred",
        "Công an tỉnh",
        "",
    )
    # Forwarded, and the denouncer told, within 5 working days of receipt (Mon 30 Nov).
    assert (stored.notice_form, stored.notice_due.isoformat()) == (
        "denunciation_forward",
        "2026-12-07",
    )
    other = await submitted(app, user_id="1002", kind="denunciation", leader_code="ct-tinh")
    await desk.send(f"/transfer {other} Công an tỉnh 15/CV-TCD")
    forwarded = await row(app, other)
    assert (forwarded.referred_to, forwarded.letter_no, forwarded.notice_form) == (
        "Công an tỉnh",
        "15/CV-TCD",
        "denunciation_forward",
    )


async def test_outcomes_name_the_body_or_explain(app: App, clock: FixedClock) -> None:
    code = await submitted(app, leader_code="ct-tinh")
    desk = await officer(app)
    await desk.send(f"/approve {code}")
    clock.set(clock.now() + timedelta(days=18))  # after the session of Thursday 17 December
    await desk.send(f"/attended {code}")
    await desk.send(f"/outcome {code} guided")
    assert "Usage: /outcome" in desk.text
    await desk.send(f"/outcome {code} guided Tòa án nhân dân khu vực 1 22/HD-TCD")
    stored = await row(app, code)
    assert (stored.outcome, stored.guided_to, stored.letter_no) == (
        "guided",
        "Tòa án nhân dân khu vực 1",
        "22/HD-TCD",
    )


async def test_a_conclusion_deadline_cannot_be_in_the_past(app: App, clock: FixedClock) -> None:
    code = await submitted(app)
    desk = await officer(app)
    await desk.send(f"/approve {code}")
    clock.set(clock.now() + timedelta(days=16))
    await desk.send(f"/attended {code}")
    await desk.send(f"/conclusion {code} 01/12/2026 Phòng Tài nguyên ; Kiểm tra.")
    assert "already past" in desk.text
