"""A citizen's rights over their data, on the console and as a Telegram chat: /mydata (and its
JSON file), /correct (by themselves, or as a data request the officers answer), /withdraw
(what the database holds before and after, field by field; nothing sent afterwards); a data
request escalated past its acknowledgement deadline; the retention job."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import func, select, update

from bot.app import App
from bot.core import privacy
from bot.core.clock import FixedClock
from bot.dialogue import planner
from bot.outbox import Dispatcher
from bot.records import logbook
from storage.tables import (
    AuditRow,
    CitizenRow,
    ConsentRow,
    DataRequestRow,
    DialogStateRow,
    OutboxRow,
    RegistrationNameWordRow,
    RegistrationRow,
    SubscriptionRow,
)
from tests.conftest import START
from tests.support import ANSWERS, Chat, RecordingSender, citizen, officer, row, submitted

ZONE_NAME = "Asia/Ho_Chi_Minh"


async def audited(app: App, action: str) -> list[tuple[str, str, str]]:
    async with app.engine.connect() as connection:
        rows = await connection.execute(
            select(AuditRow.actor, AuditRow.target, AuditRow.detail)
            .where(AuditRow.action == action)
            .order_by(AuditRow.id)
        )
        return [(r.actor, r.target, r.detail) for r in rows.all()]


async def test_mydata_shows_everything_held_and_nothing_else(app: App) -> None:
    code = await submitted(app)
    other = await submitted(
        app, user_id="1002", answers={"full_name": "Trần Thị Bình", "id_number": "001190054321"}
    )
    desk = await officer(app)
    await desk.send(f"/note {code} Cán bộ ghi chú nội bộ: gọi lại sau")
    # As a Telegram chat, which can take files: the same account as a JSON document.
    mine = Chat(app.dialogue, user_id="1001", channel="telegram")
    an = await citizen(app)
    await an.send("/mydata")
    text = an.text
    assert text.startswith("Everything this service holds about you (this chat):")
    for shown in (
        "Chat: console, user 1001; language en",
        "Consent to the privacy notice of",
        f"Registration {code} (complaint): Submitted, waiting for review",
        "Name: Nguyễn Văn An; phone: +84912345678; ID number: 001090012345",
        f"Your matter: {ANSWERS['summary']}",
        "You sent the registration",
    ):
        assert shown in text, shown
    assert "gọi lại sau" not in text and other not in text and "Trần Thị Bình" not in text
    assert all(reply.file is None for reply in an.replies)  # the console takes no files
    await mine.send("/lang en")
    await mine.send("/mydata")
    files = [reply.file for reply in mine.replies if reply.file is not None]
    assert len(files) == 1 and files[0].mime_type == "application/json"
    assert files[0].filename == "tiepdan-my-data-2026-11-30.json"
    held = json.loads(files[0].content)
    assert held["identity"]["channel"] == "telegram" and held["registrations"] == []
    actors = [actor for actor, _t, _d in await audited(app, "mydata")]
    assert len(set(actors)) == 2 and all(actor.startswith("citizen:") for actor in actors)


async def test_correct_by_oneself_while_undecided_then_through_the_officers(
    app: App, clock: FixedClock
) -> None:
    code = await submitted(app, leader_code="ct-tinh")
    an = await citizen(app)
    await an.send(f"/correct {code} phone 0987 111 222")
    assert an.text.startswith(f"Corrected on {code}: the officers will read the new phone number.")
    assert (await row(app, code)).phone == "+84987111222"
    await an.send(f"/correct {code} name Nguyễn Văn Ân")
    async with app.engine.connect() as connection:
        words = set(
            (
                await connection.execute(
                    select(RegistrationNameWordRow.word).where(
                        RegistrationNameWordRow.registration_id == (await row(app, code)).id
                    )
                )
            ).scalars()
        )
    assert words == {"nguyen", "van", "an"} and (await row(app, code)).full_name == "Nguyễn Văn Ân"
    await an.send(f"/correct {code} phone 12")
    assert "phone" in an.text.lower() and (await row(app, code)).phone == "+84987111222"
    # Decided: the officers correct it, within Decree 356's times.
    desk = await officer(app)
    await desk.send(f"/approve {code}")
    await an.send(f"/correct {code} address Số 9 ngõ 4 phố Huế, phường Hai Bà Trưng")
    assert f"{code} has been decided, so the officers make the correction: your request #1" in (
        an.text
    )
    assert (
        "They acknowledge it by Wednesday, December 2, 2026 and answer by Tuesday, December 15"
        in (an.text)
    )
    assert (await row(app, code)).address == ANSWERS["address"]
    await desk.send("/datarequests")
    assert f"• #1 · correction · {code} · not acknowledged · acknowledge by 12/2/26" in desk.text
    await desk.send("/datarequests 1 ack")
    assert desk.text == "Data request #1: acknowledged. The citizen has been told."
    await desk.send("/datarequests 1 done")
    assert (await row(app, code)).address == "Số 9 ngõ 4 phố Huế, phường Hai Bà Trưng"
    async with app.engine.connect() as connection:
        told = list(
            (
                await connection.execute(
                    select(OutboxRow.payload)
                    .where(
                        OutboxRow.recipient == "1001",
                        OutboxRow.idempotency_key.like("data-request:%"),
                    )
                    .order_by(OutboxRow.id)
                )
            ).scalars()
        )
    assert [payload["text"] for payload in told] == [
        "Your data request #1 has been received by the officers; they answer by Tuesday, "
        "December 15, 2026.",
        "Your data request #1 has been carried out.",
    ]
    await desk.send("/datarequests 1 done")
    assert desk.text == "Data request #1 is carried out: nothing to do."
    assert [target for _a, target, _d in await audited(app, "correct")] == [code, code, code]


async def test_a_data_request_not_acknowledged_in_time_is_escalated(
    app: App, clock: FixedClock
) -> None:
    code = await submitted(app, leader_code="ct-tinh")
    desk = await officer(app)
    await desk.send(f"/approve {code}")
    an = await citizen(app)
    await an.send(f"/correct {code} phone 0987 111 222")
    stats = await planner.plan(app.services, clock.now())
    assert stats.data_requests == 0
    # Received Monday 30/11: to be acknowledged by Wednesday 2/12; on Thursday it is late.
    clock.set(START + timedelta(days=3))
    stats = await planner.plan(app.services, clock.now())
    again = await planner.plan(app.services, clock.now())
    assert (stats.data_requests, again.data_requests) == (2, 0)  # admin and supervisor, once
    async with app.engine.connect() as connection:
        texts = (
            await connection.execute(
                select(OutboxRow.recipient, OutboxRow.payload).where(
                    OutboxRow.idempotency_key.like("officer:%:data-request:1:acknowledge")
                )
            )
        ).all()
    assert {recipient for recipient, _p in texts} == {"admin", "supervisor"}
    # Still not answered 15 days after: a second escalation, for that deadline.
    clock.set(START + timedelta(days=16))
    late = await planner.plan(app.services, clock.now())
    assert late.data_requests == 2
    # Each in their own language (the supervisor never chose one: Vietnamese).
    assert {payload["text"] for _r, payload in texts} >= {
        "⛔ Yêu cầu về dữ liệu #1 chưa được tiếp nhận trước 02/12/2026 như Nghị định 356/2025 "
        "quy định: /datarequests"
    }


async def test_withdraw_erases_what_no_law_keeps_and_nothing_is_sent_after(
    app: App, clock: FixedClock
) -> None:
    kept = await submitted(app, leader_code="ct-tinh")
    desk = await officer(app)
    await desk.send(f"/approve {kept}")
    lamp = "Tôi phản ánh việc đèn đường trước nhà tôi hỏng đã ba tháng chưa sửa."
    pending = await submitted(app, leader_code="ct-tinh", answers={"summary": lamp})
    noise = "Tôi phản ánh tiếng ồn từ quán karaoke đầu ngõ kéo dài đến nửa đêm mỗi ngày."
    scheduled = await submitted(app, leader_code="ct-tinh", answers={"summary": noise})
    await desk.send(f"/approve {scheduled}")
    an = await citizen(app)
    await an.press("sub:1")
    async with app.engine.connect() as connection:
        citizen_id = (await row(app, kept)).citizen_id
        assert (
            await connection.scalar(
                select(func.count()).where(SubscriptionRow.citizen_id == citizen_id)
            )
            == 1
        )
        reminders = await connection.scalar(
            select(func.count()).where(
                OutboxRow.recipient == "1001",
                OutboxRow.status == "pending",
                OutboxRow.purpose.like("reminder_%"),
            )
        )
    assert reminders and reminders >= 1
    # The reception of the first one took place: a record the law keeps.
    clock.set(START + timedelta(days=17, hours=1))  # the session of 17/12 has begun
    await desk.send(f"/attended {kept}")
    await desk.send(f"/outcome {kept} answered Đã trả lời trực tiếp.")
    await an.send("/withdraw")
    assert an.text.startswith("Withdraw your consent and erase your data?")
    assert "What the law asks the office to keep stays" in an.text
    await an.press("rt:withdraw:yes")
    assert an.text.startswith("Your consent is withdrawn and your data erased.")
    assert f"Withdrawn and erased: {pending}." in an.text
    # Received, and scheduled into the session under way (its reception is about to be
    # recorded): both the body's records.
    assert (
        "Kept, as the Law on Citizen Reception asks the office to keep its records of "
        f"receptions and decisions: {scheduled}, {kept}. They are no longer linked to this "
        "chat."
    ) in an.text
    assert (await row(app, scheduled)).status == "approved"
    erased, received = await row(app, pending), await row(app, kept)
    assert (erased.status, erased.full_name, erased.phone, erased.id_number) == (
        "withdrawn",
        "—",
        "",
        "",
    )
    assert (erased.address, erased.summary, erased.request) == ("—", "—", "—")
    assert erased.erased_at is not None
    assert (received.status, received.full_name, received.id_number, received.erased_at) == (
        "closed",
        "Nguyễn Văn An",
        "001090012345",
        None,
    )
    async with app.engine.connect() as connection:
        identity = (
            await connection.execute(select(CitizenRow).where(CitizenRow.id == citizen_id))
        ).one()
        consents = (
            await connection.execute(
                select(ConsentRow.withdrawn_at).where(ConsentRow.citizen_id == citizen_id)
            )
        ).scalars()
        assert all(when is not None for when in consents)
        assert (identity.channel_user_id, identity.chat_id) == (f"withdrawn:{citizen_id}", "")
        assert (
            await connection.scalar(
                select(func.count()).where(SubscriptionRow.citizen_id == citizen_id)
            )
            == 0
        )
        assert (
            await connection.scalar(
                select(func.count()).where(RegistrationNameWordRow.registration_id == erased.id)
            )
            == 0
        )
        state = await connection.scalar(
            select(DialogStateRow.data).where(DialogStateRow.citizen_id == citizen_id)
        )
        assert not state
        waiting = await connection.scalar(
            select(func.count()).where(
                OutboxRow.recipient == "1001", OutboxRow.status == "pending"
            )
        )
    assert waiting == 0
    # The officers hear of the withdrawn registration; the citizen hears nothing more.
    sender = RecordingSender()
    dispatcher = Dispatcher(
        store=app.store, senders={"console": sender}, clock=clock, owner="after-withdrawal"
    )
    clock.set(START + timedelta(days=40))
    await dispatcher.drain()
    assert sender.texts("1001") == []
    assert any(pending in text for text in sender.texts("officer"))
    # A later registration asks for consent again.
    again = await citizen(app)
    await again.send("/register")
    assert "do you agree that your data is processed" in again.text
    assert [detail for _a, _t, detail in await audited(app, "withdraw")] == ["1 withdrawn, 2 kept"]


async def test_the_retention_job_erases_closed_registrations_past_the_period(
    app: App, clock: FixedClock
) -> None:
    old = await submitted(app, leader_code="ct-tinh")
    recent = await submitted(app, user_id="1002", leader_code="ct-tinh")
    waiting = await submitted(app, user_id="1003", leader_code="ct-tinh")
    desk = await officer(app)
    for code in (old, recent):
        await desk.send(f"/approve {code}")
    clock.set(START + timedelta(days=17, hours=1))  # the session of 17/12 has begun
    for code in (old, recent):
        await desk.send(f"/attended {code}")
        await desk.send(f"/outcome {code} answered Đã trả lời trực tiếp.")
    # Refused with a written notice still to issue: addressed to the citizen, so kept.
    await desk.send(f"/reject {waiting} resolved")
    assert (await row(app, waiting)).notice_due is not None
    async with app.engine.begin() as connection:
        await connection.execute(
            update(RegistrationRow)
            .where(RegistrationRow.code.in_([old, waiting]))
            .values(updated_at=START - timedelta(days=400))
        )
    async with app.store.transaction() as repo:
        today = clock.now().date()
        assert await privacy.erase_past_retention(repo, clock.now(), today, 0) == 0  # 0: keep
        assert await privacy.erase_past_retention(repo, clock.now(), today, 12) == 1
        assert await privacy.erase_past_retention(repo, clock.now(), today, 12) == 0
    gone, kept, open_one = await row(app, old), await row(app, recent), await row(app, waiting)
    personal = ("full_name", "phone", "id_number", "address", "summary", "request")
    assert {name: getattr(gone, name) for name in personal} == {
        "full_name": "—",
        "phone": "",
        "id_number": "",
        "address": "—",
        "summary": "—",
        "request": "—",
    }
    assert gone.status == "closed" and gone.kind == "complaint"  # the statistics stay
    assert kept.full_name == open_one.full_name == "Nguyễn Văn An"
    async with app.store.transaction() as repo:
        book = await logbook.read(
            repo,
            logbook.load_form(),
            None,
            (START + timedelta(days=10)).date(),
            (START + timedelta(days=20)).date(),
            app.services.settings.booking.zone,
            True,
        )
    assert len(book.rows) == 2 and logbook.to_xlsx(book)[:2] == b"PK"
    names = {
        str(line[book.headers.index("Họ tên, địa chỉ")]).splitlines()[0] for line in book.rows
    }
    assert names == {"—", "Nguyễn Văn An"}
    async with app.engine.connect() as connection:
        assert await connection.scalar(select(func.count()).select_from(DataRequestRow)) == 0
