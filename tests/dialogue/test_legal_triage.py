"""The legal sign-off, as officers and citizens meet it on the console: refusal grounds on their
track, the written notices the law asks for (kept in view until issued), transfers in place of
refusals, the denunciation's extension, the interpreter, and what a citizen must know before
coming (docs/legal-basis.md)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.app import App
from bot.core.clock import FixedClock
from bot.core.model import Recipient
from bot.dialogue import planner
from storage.tables import AuditRow, OutboxRow, RegistrationEventRow, RegistrationRow
from tests.support import ANSWERS, Chat, leader, officer, register, row, submitted


async def notices(app: App, chat_id: str = "1001") -> list[str]:
    async with app.engine.connect() as connection:
        rows = await connection.execute(
            select(OutboxRow.payload)
            .where(OutboxRow.recipient == chat_id, OutboxRow.purpose == "notice")
            .order_by(OutboxRow.id)
        )
        return [str(payload["text"]) for payload in rows.scalars()]


async def events(app: App, code: str) -> list[tuple[str, dict[str, Any]]]:
    async with app.engine.connect() as connection:
        rows = await connection.execute(
            select(RegistrationEventRow.event, RegistrationEventRow.data)
            .join(RegistrationRow, RegistrationRow.id == RegistrationEventRow.registration_id)
            .where(RegistrationRow.code == code)
            .order_by(RegistrationEventRow.id)
        )
        return [(event, dict(data)) for event, data in rows.all()]


async def until_the_kind(chat: Chat) -> None:
    """Start a registration and answer every question before the kind of request."""
    await chat.send("/register")
    await chat.press("reg:consent:yes")
    for step in ("full_name", "phone", "id_number", "province", "address"):
        await chat.send(ANSWERS[step])


def local(app: App, day: str, hour: int) -> datetime:
    return datetime.fromisoformat(f"{day}T{hour:02d}:00").replace(tzinfo=app.config.bot.zone)


# --- the Party track -------------------------------------------------------------------------


async def test_outside_competence_on_the_party_track_becomes_a_transfer_with_written_notice(
    app: App,
) -> None:
    code = await submitted(app, locale="vi", leader_code="bt-tinh")
    desk = await officer(app)
    await desk.send(f"/reject {code} outside Thanh tra tỉnh")
    assert "is not refused: it is transferred to the competent body" in desk.text
    assert f"{code} transferred to Thanh tra tỉnh." in desk.text
    # Submitted Monday 30 Nov: Regulation 11 Art. 5 gives the head 10 working days.
    assert "Written notice to issue: the Party committee head's written notice" in desk.text
    assert "Monday, December 14, 2026" in desk.text
    assert f"/issued {code} NUMBER" in desk.text
    stored = await row(app, code)
    assert (stored.status, stored.referred_to, stored.rejection_reason) == (
        "referred",
        "Thanh tra tỉnh",
        "",
    )
    assert (stored.notice_form, stored.notice_due.isoformat(), stored.notice_issued_on) == (
        "party_answer",
        "2026-12-14",
        None,
    )
    assert await events(app, code) == [
        ("submitted", {}),
        ("transfer", {"body": "Thanh tra tỉnh", "letter": "", "instead_of": "outside"}),
    ]
    [notice] = await notices(app)
    assert "đã được chuyển đến Thanh tra tỉnh" in notice
    assert "thông báo bằng văn bản" in notice and "Thứ Hai, ngày 14/12/2026" in notice
    assert "câu trả lời chính thức" in notice
    # Never the Law's refusal grounds at a Party committee head's reception.
    assert "Luật Tiếp công dân" not in notice


async def test_the_laws_refusal_grounds_are_not_offered_on_the_party_track(app: App) -> None:
    code = await submitted(app, leader_code="bt-xa")
    desk = await officer(app)
    await desk.send(f"/reject {code} resolved")
    assert "cannot be the basis of a refusal" in desk.text
    assert f"Grounds for {code}: not_request, outside." in desk.text
    assert (await row(app, code)).status == "submitted"
    await desk.send(f"/reject {code} not_request")
    [notice] = await notices(app)
    assert "(Regulation 11-QĐi/TW, Art. 1:" in notice
    assert "Law on Citizen Reception" not in notice and "154/2026" not in notice


# --- refusal grounds and form 01/TCD ---------------------------------------------------------


async def test_a_refusal_on_law_9_3_queues_form_01_tcd_until_it_is_issued(
    app: App, clock: FixedClock
) -> None:
    code = await submitted(app, leader_code="ct-tinh")
    desk = await officer(app)
    await desk.send(f"/reject {code} answered")
    assert "applies only to: Petition, Feedback" in desk.text
    assert f"{code} is a request of the kind “Complaint”" in desk.text
    await desk.send(f"/reject {code} weapons")
    assert "is about what happens at the reception place" in desk.text
    await desk.send(f"/reject {code} resolved")
    assert "refused: A complaint or denunciation about a matter already resolved" in desk.text
    # Monday 30 Nov + 3 working days.
    assert "the written refusal notice (form 01/TCD), by Thursday, December 3, 2026" in desk.text
    [notice] = await notices(app)
    assert "Law on Citizen Reception, Art. 9(3)" in notice
    assert "written refusal notice (form 01/TCD) by Thursday, December 3, 2026" in notice
    assert "new facts or documents" in notice
    # The Law's own clause is not single-source: no caveat about Decree 154.
    assert "Official Gazette" not in notice

    await desk.send("/queue")
    assert "📝 1 written notice to issue" in desk.text
    assert f"• {code} · refusal notice 01/TCD · due 12/3/26 (3 working days left)" in desk.text
    await desk.send("/today")
    assert f"{code} · refusal notice 01/TCD" in desk.text
    clock.set(clock.now() + timedelta(days=4))  # Friday 4 Dec: overdue by one working day
    await desk.send("/today")
    assert f"⛔ {code} · refusal notice 01/TCD · overdue by 1 working days" in desk.text
    await desk.send(f"/view {code}")
    assert "📝 Written notice to issue: the written refusal notice (form 01/TCD)" in desk.text

    await desk.send(f"/issued {code} 03/12/2026")  # the number forgotten
    assert "Usage: /issued CODE NUMBER [DD/MM/YYYY]" in desk.text
    await desk.send(f"/issued {code} 07/TB-UBND 31/12/2026")
    assert "must be between Monday, November 30, 2026 and today" in desk.text
    await desk.send(f"/issued {code} 07/TB-UBND 03/12/2026")
    assert "no. 07/TB-UBND of 12/3/26 is recorded" in desk.text
    assert "late" not in desk.text
    await desk.send("/today")
    assert code not in desk.text
    assert "No written notice is waiting to be issued" in desk.text
    await desk.send(f"/issued {code} 08/TB-UBND")
    assert f"No written notice is waiting to be issued for {code}" in desk.text
    stored = await row(app, code)
    assert (stored.notice_letter, stored.notice_issued_on.isoformat()) == (
        "07/TB-UBND",
        "2026-12-03",
    )
    issued = (await notices(app))[-1]
    assert "has been issued: no. 07/TB-UBND" in issued and "official answer" in issued


async def test_a_decree_154_ground_tells_the_citizen_the_text_is_single_source(app: App) -> None:
    code = await submitted(app, leader_code="ct-xa", kind="feedback")
    desk = await officer(app)
    await desk.send(f"/reject {code} answered")
    [notice] = await notices(app)
    assert "Decree 154/2026/NĐ-CP, Art. 4(h)" in notice
    assert "not yet been checked against the Official Gazette" in notice
    assert (await row(app, code)).notice_form == "refusal"


async def test_a_refusal_at_the_reception_names_its_ground_and_enters_the_logbook(
    app: App, clock: FixedClock
) -> None:
    code = await submitted(app, leader_code="bt-tinh")
    desk = await officer(app)
    await desk.send(f"/approve {code}")
    clock.set(clock.now() + timedelta(days=15, hours=1))  # Tue 15 Dec, 10:00
    await desk.send(f"/attended {code}")
    await desk.send(f"/outcome {code} refused judgment")
    assert "cannot be the basis of a refusal" in desk.text  # a Party session
    await desk.send(f"/outcome {code} refused")
    assert "GROUND for" in desk.text and "incapacitated, misconduct, weapons" in desk.text
    await desk.send(f"/outcome {code} refused weapons Mang theo dao, không gửi lại.")
    assert "result recorded (refused)" in desk.text
    stored = await row(app, code)
    assert (stored.status, stored.outcome, stored.rejection_reason) == (
        "closed",
        "refused",
        "weapons",
    )
    assert stored.notice_form == ""  # no form 01/TCD for this ground
    notice = (await notices(app))[-1]
    assert "the reception was refused, on the ground below" in notice
    assert "weapons, explosives or dangerous items" in notice
    # The Party track's basis is the reception place's rules, never the Law or the Decree.
    assert "(The rules of the reception place)" in notice
    for law in ("154/2026", "Law on Citizen Reception", "Art. 9"):
        assert law not in notice


# --- denunciations ---------------------------------------------------------------------------


async def test_a_denunciations_time_limit_may_be_extended_once_to_10_working_days(
    app: App,
) -> None:
    code = await submitted(app, kind="denunciation", leader_code="ct-tinh")
    other = await submitted(app, user_id="1002", leader_code="ct-tinh")
    desk = await officer(app)
    await desk.send(f"/extend {other} Cần xác minh thêm.")
    assert "Only a denunciation's time limit can be extended" in desk.text
    await desk.send(f"/extend {code}")
    assert "Usage: /extend CODE reason" in desk.text
    assert (await row(app, code)).due_date.isoformat() == "2026-12-09"
    await desk.send(f"/extend {code} Phải xác minh tại nhiều địa điểm.")
    assert "extended to Monday, December 14, 2026" in desk.text
    assert (await row(app, code)).due_date.isoformat() == "2026-12-14"
    await desk.send(f"/extend {code} Lần nữa.")
    assert "was already extended, to Monday, December 14, 2026" in desk.text
    [notice] = await notices(app)
    assert "extended to Monday, December 14, 2026" in notice


# --- the interpreter, and what to know before coming -----------------------------------------


async def test_an_interpreter_request_reaches_view_today_and_the_leaders_digest(
    app: App, clock: FixedClock
) -> None:
    bt = await leader(app, "bt-tinh")
    async with app.store.transaction() as repo:
        await repo.set_leader_recipients(bt.id, (Recipient("console", "leader-chat", "vi"),), ())
    code = await submitted(app, interpreter="tiếng Khmer")
    desk = await officer(app)
    await desk.send(f"/view {code}")
    assert "🗣 Interpreter needed: tiếng Khmer" in desk.text
    assert "Governed by: Regulation 11-QĐi/TW" in desk.text
    await desk.send(f"/approve {code}")
    [approval] = await notices(app)
    assert "You asked for an interpreter (tiếng Khmer)" in approval

    clock.set(local(app, "2026-12-14", 15))
    await planner.plan(app.services, clock.now())
    async with app.engine.connect() as connection:
        digest = (
            await connection.execute(
                select(OutboxRow.payload).where(OutboxRow.purpose == "leader_digest")
            )
        ).scalar_one()
    assert "🗣 Cần người phiên dịch: tiếng Khmer" in digest["text"]

    clock.set(local(app, "2026-12-15", 7))
    await desk.send("/today")
    assert "Nguyễn Văn Minh" in desk.text and "1 citizen expected" in desk.text
    assert "(🗣 interpreter needed: tiếng Khmer)" in desk.text


async def test_the_approval_and_reminders_say_what_to_bring_and_how_to_behave(
    app: App,
) -> None:
    party = await submitted(app, answers={"people_count": "6"}, leader_code="bt-tinh")
    state = await submitted(app, user_id="1002", leader_code="ct-tinh")
    desk = await officer(app)
    await desk.send(f"/approve {party}")
    await desk.send(f"/approve {state}")
    [for_party] = await notices(app)
    for text in ("identity card (căn cước) or VNeID", "originals and copies", "a receipt"):
        assert text in for_party
    # Form 02/TCD is the state reception's receipt.
    assert "02/TCD" not in for_party
    assert "appoints the representatives" in for_party
    assert "power of attorney" in for_party
    assert "security check" in for_party and "weapons" in for_party
    assert "official answer on your matter is the committee's written notice" in for_party
    [for_state] = await notices(app, "1002")
    assert "form 02/TCD" in for_state
    assert "appoints the representatives" not in for_state
    assert "committee's written notice" not in for_state
    async with app.engine.connect() as connection:
        reminders = (
            await connection.execute(
                select(OutboxRow.payload).where(
                    OutboxRow.recipient == "1002", OutboxRow.purpose.like("reminder_%")
                )
            )
        ).scalars()
        texts = [str(payload["text"]) for payload in reminders]
    assert len(texts) == 2
    assert all("form 02/TCD" in t and "security check" in t for t in texts)


async def test_every_decision_is_audited_with_its_outcome(app: App) -> None:
    code = await submitted(app, leader_code="ct-tinh")
    desk = await officer(app)
    await desk.send(f"/issued {code} 01/TB")
    await desk.send(f"/reject {code} resolved")
    await desk.send(f"/issued {code} 01/TB")
    async with app.engine.connect() as connection:
        audit = (await connection.execute(select(AuditRow).order_by(AuditRow.id))).all()
    assert [(a.action, a.allowed, a.detail) for a in audit] == [
        ("issued", False, "no_notice"),
        ("reject", True, "ok"),
        ("issued", True, "ok"),
    ]
    assert [event for event, _data in await events(app, code)] == [
        "submitted",
        "reject",
        "issued",
    ]


async def test_the_officers_morning_digest_counts_the_written_notices_owed(
    app: App, clock: FixedClock
) -> None:
    code = await submitted(app, leader_code="ct-tinh")
    desk = await officer(app)
    await desk.send(f"/reject {code} resolved")
    clock.set(local(app, "2026-12-04", 7) + timedelta(minutes=30))  # Friday: one day late
    await planner.plan(app.services, clock.now())
    async with app.engine.connect() as connection:
        digests = [
            str(payload["text"])
            for payload in (
                await connection.execute(
                    select(OutboxRow.payload).where(
                        OutboxRow.purpose == "officer_digest", OutboxRow.recipient == "officer"
                    )
                )
            ).scalars()
        ]
    assert len(digests) == 1
    assert "📝 1 written notice to issue (1 overdue): /today" in digests[0]
    # An officer outside the unit hears nothing of it, in /today or in the digest.
    commune = await officer(app, "commune-officer")
    await commune.send("/today")
    assert "No written notice is waiting to be issued" in commune.text
    assert code not in commune.text


async def test_the_feedback_hint_sends_a_reported_violation_to_denunciation(app: App) -> None:
    """A violation reported as feedback would lose the denouncer's protection."""
    chat = Chat(app.dialogue, user_id="3003")
    await chat.send("/lang vi")
    await until_the_kind(chat)
    [feedback] = [line for line in chat.text.splitlines() if line.startswith("• Phản ánh")]
    assert "vi phạm pháp luật của ai đó, hãy chọn Tố cáo" in feedback
    assert "bất cập hoặc vi phạm" not in feedback


async def session_day(app: App, code: str) -> datetime:
    """The local start of the registration's session."""
    async with app.store.transaction() as repo:
        registration = await repo.registration_by_code(code)
        assert registration is not None
        session = await repo.session(registration.session_id)
    assert session is not None
    return session.starts_at.astimezone(app.config.bot.zone)


async def test_a_denunciations_notice_and_language_stay_with_those_who_may_read_them(
    app: App, clock: FixedClock
) -> None:
    """The commune officer works on the commune's units but may not read denunciations."""
    forwarded = await submitted(app, kind="denunciation", leader_code="ct-xa")
    received = await submitted(
        app, user_id="1002", kind="denunciation", leader_code="ct-xa", interpreter="tiếng Chăm"
    )
    admin = await officer(app, "admin")
    await admin.send(f"/reject {forwarded} outside Công an tỉnh")
    await admin.send(f"/approve {received}")
    commune = await officer(app, "commune-officer")
    for command in ("/today", "/queue"):
        await commune.send(command)
        assert forwarded not in commune.text, command
        assert "🔒 1 more concerns a denunciation" in commune.text, command
    await admin.send("/today")
    assert f"{forwarded} · notice of a forwarded denunciation" in admin.text

    day = await session_day(app, received)
    clock.set(day.replace(hour=7))
    await commune.send("/today")
    assert "1 citizen expected" in commune.text and "Chăm" not in commune.text
    await admin.send("/today")
    assert "(🗣 interpreter needed: tiếng Chăm)" in admin.text

    clock.set(day.replace(hour=7, minute=30))
    await planner.plan(app.services, clock.now())
    async with app.engine.connect() as connection:
        digests = {
            recipient: str(payload["text"])
            for recipient, payload in (
                await connection.execute(
                    select(OutboxRow.recipient, OutboxRow.payload).where(
                        OutboxRow.purpose == "officer_digest"
                    )
                )
            ).all()
        }
    assert "written notice" in digests["admin"]
    assert "written notice" not in digests.get("commune-officer", "")


async def test_the_party_head_accepting_at_the_reception_owes_the_written_notice(
    app: App, clock: FixedClock
) -> None:
    code = await submitted(app, leader_code="bt-tinh")
    desk = await officer(app)
    await desk.send(f"/approve {code}")
    clock.set(clock.now() + timedelta(days=15, hours=2))  # Tue 15 Dec, the session's day
    await desk.send(f"/attended {code}")
    await desk.send(f"/outcome {code} guided Tòa án nhân dân khu vực 1")
    assert f"/outcome {code} transferred BODY" in desk.text
    assert (await row(app, code)).status == "attended"
    await desk.send(f"/outcome {code} accepted Ủy ban Kiểm tra Tỉnh ủy")
    # Ten working days from the reception: Tuesday 29 December.
    assert "by Tuesday, December 29, 2026" in desk.text
    notice = (await notices(app))[-1]
    assert "will tell you in writing, by Tuesday, December 29, 2026" in notice
    assert (await row(app, code)).notice_form == "party_answer"


async def test_form_01_tcd_after_a_refusal_at_the_reception_counts_from_the_reception(
    app: App, clock: FixedClock
) -> None:
    code = await submitted(app, leader_code="ct-tinh")
    desk = await officer(app)
    await desk.send(f"/approve {code}")
    day = await session_day(app, code)  # Thursday 17 December
    clock.set(day.replace(hour=10))
    await desk.send(f"/attended {code}")
    clock.set(day.replace(hour=10) + timedelta(days=7))  # recorded a week later
    await desk.send(f"/outcome {code} refused resolved")
    stored = await row(app, code)
    # Fri 18, Mon 21, Tue 22 December: from the reception, not from the typing.
    assert (stored.notice_form, stored.notice_due.isoformat()) == ("refusal", "2026-12-22")


async def test_an_extension_after_waiting_for_the_citizen_keeps_the_days_waited(
    app: App, clock: FixedClock
) -> None:
    code = await submitted(app, kind="denunciation", leader_code="ct-tinh")
    desk = await officer(app)
    await desk.send(f"/needinfo {code} Xin cho biết tên cán bộ bị tố cáo.")
    clock.set(clock.now() + timedelta(days=2))  # Wednesday: two working days waited
    await desk.send(f"/extend {code} Phải xác minh tại nhiều địa điểm.")
    assert (await row(app, code)).due_date.isoformat() == "2026-12-14"  # 9 Dec + 3
    person = Chat(app.dialogue, user_id="1001")
    await person.send(f"/status {code}")
    await person.tap("Answer")
    await person.send("Ông Nguyễn Văn X, cán bộ địa chính.")
    # The answer resumes the clock: the two working days waited are added.
    assert (await row(app, code)).due_date.isoformat() == "2026-12-16"


async def test_a_notice_cannot_be_dated_before_the_decision_that_called_for_it(
    app: App, clock: FixedClock
) -> None:
    code = await submitted(app, leader_code="ct-tinh")
    desk = await officer(app)
    clock.set(clock.now() + timedelta(days=3))  # Thursday 3 December
    await desk.send(f"/reject {code} resolved")
    await desk.send(f"/issued {code} 07/TB-UBND 01/12/2026")
    assert "must be between Thursday, December 3, 2026 and today" in desk.text
    await desk.send(f"/issued {code} Số7")
    assert "Usage: /issued CODE NUMBER" in desk.text
    assert (await row(app, code)).notice_issued_on is None


async def test_the_interpreter_question_cites_the_law_only_for_a_state_reception(
    app: App,
) -> None:
    for leader_code, cites in (("bt-xa", False), ("ct-xa", True)):
        chat = Chat(app.dialogue, user_id=f"q-{leader_code}")
        await chat.send("/lang en")
        code_leader = await leader(app, leader_code)
        await until_the_kind(chat)
        await chat.press("reg:kind:complaint")
        await chat.press(f"reg:leader:{code_leader.id}")
        await chat.press(chat.first_payload("reg:session:"))
        await chat.send("1")
        assert "Do you need an interpreter" in chat.text
        assert ("Law on Citizen Reception" in chat.text) is cites, leader_code


async def test_no_answer_to_the_interpreter_question_is_taken_for_a_language(
    app: App,
) -> None:
    for n, answer in enumerate(("Không cần phiên dịch", "tiếng Việt", "no thanks", "không")):
        chat = Chat(app.dialogue, user_id=f"i-{n}")
        await chat.send("/lang en")
        code = await register_with_interpreter(chat, answer)
        assert (await row(app, code)).interpreter == "", answer


async def register_with_interpreter(chat: Chat, answer: str) -> str:
    return await register(chat, interpreter=answer)
