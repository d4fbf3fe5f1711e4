"""/walkin and /link on the console: a citizen received in person, a phone call, a letter and a
file forwarded by another body, each recorded with the form and found in the logbook with its
source; the form's checks; a walk-in's citizen linking their chat with the right and the wrong
digits, and the pause after repeated wrong tries."""

from __future__ import annotations

import random
import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.app import App
from bot.core import tickets
from bot.core.clock import FixedClock
from bot.records import logbook
from storage.tables import ConsentRow, OutboxRow, RegistrationEventRow
from tests.conftest import START
from tests.support import Chat, citizen, officer, row, submitted

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
TICKET = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}\b")
FORM = """/walkin
Source: {source}
Session: {session}
Consent: {consent}
Full name: Lê Thị Mai
Phone: 0903 111 {last}
ID number: 079185001234
Province: Hồ Chí Minh
Address: Số 12 đường Lê Lợi, phường Bến Thành
Kind: {kind}
People: 1
Matter: Tôi khiếu nại việc phường chậm cấp giấy chứng nhận quyền sử dụng đất
 cho gia đình tôi đã hơn một năm.
Already handled by:
Request: Đề nghị cấp giấy chứng nhận cho gia đình tôi.
{extra}"""


def form(session: int, source: str = "in person", **values: str) -> str:
    fields = {"consent": "on paper", "kind": "complaint", "extra": "", "last": "222", **values}
    return FORM.format(source=source, session=session, **fields)


async def session_today(app: App, clock: FixedClock) -> int:
    """A session of the province's people's committee from 09:30 this morning, now under way
    (the clock moves to 10:00 in Hà Nội)."""
    admin = await officer(app, "admin")
    await admin.send("/session add ct-tinh 30/11/2026 09:30-11:30 20 Trụ sở tiếp công dân tỉnh")
    session = await session_on(app, "11/30/26")
    clock.set(START + timedelta(hours=1))
    return session


async def session_on(app: App, day: str, leader: str = "ct-tinh") -> int:
    admin = await officer(app, "admin")
    await admin.send(f"/session list {leader}")
    line = next(line for line in admin.text.splitlines() if day in line)
    return int(line.split()[0].lstrip("#"))


def code_in(chat: Chat) -> str:
    """The ticket code of the walk-in just recorded, in whatever language the reply is."""
    found = TICKET.search(chat.text)
    assert found is not None, chat.text
    return found.group(0)


async def book(app: App, start: date, end: date) -> logbook.Logbook:
    async with app.store.transaction() as repo:
        return await logbook.read(repo, logbook.load_form(), None, start, end, ZONE, True)


def column(book_: logbook.Logbook, line: tuple[object, ...], header: str) -> object:
    return line[book_.headers.index(header)]


async def test_a_citizen_received_in_person_is_in_the_logbook_at_once(
    app: App, clock: FixedClock
) -> None:
    desk = await officer(app)
    session = await session_today(app, clock)
    await desk.send("/walkin")
    assert "Source: in person / by phone / by letter / forwarded" in desk.text
    assert f"#{session} · Monday, November 30, 2026 at 9:30\u202fAM · Trần Thị Lan" in desk.text
    await desk.send(
        form(session, extra="Outcome: answered Đã giải thích quy trình và hẹn ngày trả kết quả.")
    )
    code = code_in(desk)
    assert desk.text.startswith(
        f"Recorded as {code} (in person), complaint, in the session of Monday, November 30, "
        "2026 at 9:30\u202fAM with Trần Thị Lan.\nReceived by you: in the logbook."
    )
    assert f"/link {code} and the last 4 digits of their phone" in desk.text
    assert "result recorded (answered at the reception)" in desk.text
    assert "No chat is linked to this walk-in: tell the citizen yourself." in desk.text
    registration = await row(app, code)
    assert (registration.status, registration.source, registration.received_by) == (
        "closed",
        "in_person",
        "Chị Cán Bộ",
    )
    async with app.engine.connect() as connection:
        consent = (
            await connection.execute(
                select(ConsentRow).where(ConsentRow.id == registration.consent_id)
            )
        ).one()
        events = (
            await connection.execute(
                select(RegistrationEventRow.event, RegistrationEventRow.actor)
                .where(RegistrationEventRow.registration_id == registration.id)
                .order_by(RegistrationEventRow.id)
            )
        ).all()
        to_desk = await connection.scalar(select(func.count()).where(OutboxRow.channel == "desk"))
    assert (consent.given_as, consent.recorded_by) == ("paper", "Chị Cán Bộ")
    assert [event for event, _actor in events] == ["recorded", "approve", "attended", "outcome"]
    assert len({actor for _event, actor in events}) == 1  # the recording officer
    assert to_desk == 0  # nobody to send to: the officers tell the citizen
    found = await book(app, date(2026, 11, 30), date(2026, 11, 30))
    assert len(found.rows) == 1
    line = found.rows[0]
    assert column(found, line, "Ngày tiếp") == date(2026, 11, 30)
    assert column(found, line, "Họ tên, địa chỉ") == (
        "Lê Thị Mai\nSố 12 đường Lê Lợi, phường Bến Thành, Thành phố Hồ Chí Minh"
    )
    assert column(found, line, "CCCD/Hộ chiếu") == "079185001234"
    assert column(found, line, "Loại đơn") == "Khiếu nại"
    notes = str(column(found, line, "Ghi chú"))
    assert notes.splitlines() == [
        code,
        "Lãnh đạo chủ trì: Trần Thị Lan, Chủ tịch UBND tỉnh",
        "Hình thức: Trực tiếp tại trụ sở",
        "Người tiếp: Chị Cán Bộ",
    ]
    await desk.send(f"/view {code}")
    assert "recorded at the office (walk-in)" in desk.text
    supervisor = await officer(app, "supervisor")
    await supervisor.send("/report 2026-11")
    assert (
        "How they came: through the bot 0, in person 1, by phone 0, by letter 0, forwarded 0; "
        "received: through the bot 0, in person 1, by phone 0, by letter 0, forwarded 0"
    ) in supervisor.text


async def test_a_call_a_letter_and_a_forwarded_file_wait_in_the_queue_then_the_logbook(
    app: App, clock: FixedClock
) -> None:
    desk = await officer(app)
    future = await session_on(app, "12/17/26")
    codes = {}
    for source, consent in (
        ("by phone", "orally"),
        ("by letter", "on paper"),
        ("forwarded", "on paper"),
    ):
        await desk.send(form(future, source, consent=consent))
        codes[source] = code_in(desk)
        assert "It waits in the queue like any registration" in desk.text
    rows = {source: await row(app, code) for source, code in codes.items()}
    assert {source: (r.status, r.source) for source, r in rows.items()} == {
        "by phone": ("submitted", "phone"),
        "by letter": ("submitted", "letter"),
        "forwarded": ("submitted", "forwarded"),
    }
    # The same citizen three times on the same matter: the later two are flagged.
    assert rows["by phone"].repeat_of_code == ""
    assert rows["by letter"].repeat_of_code == codes["by phone"]
    await desk.send("/queue")
    assert all(code in desk.text for code in codes.values())
    for code in codes.values():
        await desk.send(f"/approve {code}")
        assert "No chat is linked to this walk-in: tell the citizen yourself." in desk.text
    assert {(await row(app, code)).status for code in codes.values()} == {"approved"}
    clock.set(datetime_of(date(2026, 12, 17), 9))
    for code in codes.values():
        await desk.send(f"/attended {code}")
        await desk.send(f"/outcome {code} guided UBND phường Bến Thành")
    found = await book(app, date(2026, 12, 1), date(2026, 12, 31))
    sources = {
        str(column(found, line, "Ghi chú")).splitlines()[0]: str(
            column(found, line, "Ghi chú")
        ).splitlines()[2]
        for line in found.rows
    }
    assert sources == {
        codes["by phone"]: "Hình thức: Qua điện thoại",
        codes["by letter"]: "Hình thức: Qua thư",
        codes["forwarded"]: "Hình thức: Cơ quan khác chuyển đến",
    }
    assert {column(found, line, "Ngày tiếp") for line in found.rows} == {date(2026, 12, 17)}


def datetime_of(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), ZONE)


async def test_the_form_lists_every_problem_and_records_nothing(
    app: App, clock: FixedClock
) -> None:
    desk = await officer(app)
    today = await session_today(app, clock)
    future = await session_on(app, "12/17/26")
    bad = form(today, "by pigeon", consent="nodded", kind="gossip", last="2")
    bad = bad.replace("ID number: 079185001234", "ID number: 12345")
    bad = bad.replace("Request: Đề nghị cấp giấy chứng nhận cho gia đình tôi.\n", "")
    await desk.send("/walkin this line names no field\n" + bad.removeprefix("/walkin\n"))
    lines = desk.text.splitlines()
    assert lines[0] == "Nothing was recorded. Please correct the form and send it again:"
    assert [line.split(":")[0] for line in lines[1:]] == [
        "• “this line names no field” is not a line of the form.",
        "• Request",
        "• Source",
        "• Consent",
        "• Kind",
        "• Phone",
        "• ID number",
    ], desk.text
    assert lines[3] == "• Source: write one of: in person, by phone, by letter, forwarded."
    # The session must fit the source: in person, one under way; otherwise one to come.
    await desk.send(form(future))
    assert desk.text == (
        f"Session #{future} has not begun: a citizen received in person is recorded in the "
        "session they came to. Nothing was recorded."
    )
    await desk.send(form(today, "by letter"))
    assert desk.text.startswith(f"Session #{today} has already taken place")
    await desk.send(form(future, "by letter", extra="Outcome: answered Đã trả lời."))
    assert "• Outcome: only for a citizen received in person." in desk.text
    # Another unit's session is not the commune officer's to record in.
    commune = await officer(app, "commune-officer")
    await commune.send(form(today))
    assert commune.text == (
        f"There is no session #{today} in your units. /walkin alone lists them."
    )
    await desk.send("/find 079185001234")
    assert desk.text.startswith("No registration in your units matches")


async def test_the_vietnamese_form_is_read_back_with_or_without_accents(
    app: App, clock: FixedClock
) -> None:
    desk = Chat(app.dialogue, user_id="officer")
    await desk.send("/lang vi")
    today = await session_today(app, clock)
    await desk.send("/walkin")
    blank = desk.text.split("\n\n")[1].splitlines()
    labels = [line.split(":")[0] for line in blank[1:]]
    assert blank[0] == "/walkin" and len(labels) == 15
    assert blank[1:4] == [
        "Hình thức: trực tiếp / qua điện thoại / qua thư / cơ quan khác chuyển đến",
        "Buổi tiếp:",
        "Sự đồng ý: bằng văn bản / bằng lời nói",
    ]
    values = {
        0: "truc tiep",
        1: f"#{today}",
        2: blank[3].split(": ")[1].split(" / ")[1],  # orally, as the form offers it
        3: "Lê Thị Mai",
        4: "0903 111 222",
        5: "079185001234",
        6: "Hồ Chí Minh",
        7: "Số 12 đường Lê Lợi, phường Bến Thành",
        8: "phan anh",
        11: "Tôi phản ánh việc đèn đường trước nhà tôi hỏng đã ba tháng chưa sửa.",
        13: "Đề nghị sửa đèn đường.",
    }
    # Accents dropped from a label: still read.
    labels[4] = "so dien thoai"
    filled = "\n".join(f"{labels[n]}: {value}" for n, value in values.items())
    await desk.send(f"/walkin\n{filled}")
    registration = await row(app, code_in(desk))
    assert (registration.kind, registration.source, registration.status) == (
        "feedback",
        "in_person",
        "attended",
    ), desk.text
    async with app.engine.connect() as connection:
        consent = await connection.scalar(
            select(ConsentRow.given_as).where(ConsentRow.id == registration.consent_id)
        )
    assert consent == "oral"


async def test_link_with_the_right_digits_and_the_pause_after_wrong_ones(
    app: App, clock: FixedClock
) -> None:
    desk = await officer(app)
    future = await session_on(app, "12/17/26")
    await desk.send(form(future, "by phone", consent="orally"))  # phone 0903 111 222
    code = code_in(desk)
    at_the_desk = (await row(app, code)).citizen_id
    await desk.send(f"/approve {code} {future} 08:30")
    mai = await citizen(app, "5001")
    await mai.send(f"/link {code}")
    assert "send /link, the ticket code the officer gave you and the last 4 digits" in mai.text
    # An unknown code gets the same answer as wrong digits, and counts the same.
    unknown = tickets.new_code(random.Random(14).choice)
    await mai.send(f"/link {unknown} 1222")
    assert mai.text.startswith("This code and these digits do not match")
    for _ in range(3):
        await mai.send(f"/link {code} 9999")
        assert mai.text.startswith("This code and these digits do not match"), mai.text
        assert "After 5 wrong tries, /link waits for an hour." in mai.text
    await mai.send(f"/link {code} 9999")  # the fifth wrong try from this chat
    assert mai.text.startswith("Too many wrong tries. Please try again after")
    # The pause is kept in the chat's state in the database: the right digits wait it out.
    await mai.send(f"/link {code} 1222")
    assert mai.text.startswith("Too many wrong tries")
    assert (await row(app, code)).citizen_id == at_the_desk
    clock.set(clock.now() + timedelta(hours=1, minutes=1))
    await mai.send(f"/link {code.lower()} 1222")
    assert mai.text.startswith(f"Done: {code} is linked to this chat."), mai.text
    assert "You are expected on Thursday, December 17, 2026 at 8:30" in mai.text
    assert (await row(app, code)).citizen_id != at_the_desk
    async with app.engine.connect() as connection:
        purposes = set(
            (
                await connection.execute(
                    select(OutboxRow.purpose).where(OutboxRow.recipient == "5001")
                )
            ).scalars()
        )
    assert {"reminder_eve", "reminder_morning"} <= purposes, purposes
    await mai.send(f"/link {code} 1222")
    assert mai.text.startswith(f"{code} is already linked to this chat.")
    await mai.send("/status")
    assert code in mai.text
    # Once linked to a chat, no other chat can take it, even with the right digits.
    other_chat = await citizen(app, "5003")
    await other_chat.send(f"/link {code} 1222")
    assert other_chat.text.startswith("This code and these digits do not match")
    await desk.send(f"/view {code}")
    assert "the citizen linked a chat to it" in desk.text


async def test_many_chats_guessing_one_code_lock_it_silently(app: App, clock: FixedClock) -> None:
    desk = await officer(app)
    future = await session_on(app, "12/17/26")
    await desk.send(form(future, "by letter"))
    code = code_in(desk)
    for chat in range(4):
        guesser = await citizen(app, f"70{chat}")
        for guess in range(5):
            await guesser.send(f"/link {code} {chat}{guess}00")
    # Twenty wrong digits from four chats: the code refuses even the right ones for an hour,
    # with the answer wrong digits get, so that the guessers learn nothing.
    mai = await citizen(app, "5001")
    await mai.send(f"/link {code} 1222")
    assert mai.text.startswith("This code and these digits do not match")
    clock.set(clock.now() + timedelta(hours=1, minutes=1))
    await mai.send(f"/link {code} 1222")
    assert mai.text.startswith(f"Done: {code} is linked to this chat.")


async def attendance_button(app: App, user_id: str, answer: str) -> str:
    """The payload of the "I will come" / "I cannot come" button the approval notice carried."""
    async with app.engine.connect() as connection:
        payloads = (
            await connection.execute(
                select(OutboxRow.payload).where(
                    OutboxRow.channel == "console", OutboxRow.recipient == user_id
                )
            )
        ).scalars()
        return next(
            str(choice["payload"])
            for payload in payloads
            for choice in payload.get("choices", [])
            if choice["payload"].startswith(f"rc:{answer}:")
        )


async def test_today_shows_who_is_expected_who_answered_and_the_walk_ins(
    app: App, clock: FixedClock
) -> None:
    admin = await officer(app, "admin")
    await admin.send("/session add ct-tinh 01/12/2026 08:00-11:00 10 Trụ sở tiếp công dân tỉnh")
    tomorrow = await session_on(app, "12/1/26")
    desk = await officer(app)
    codes = {}
    for user, name, hour in (("6001", "Đỗ Văn Một", "08:00"), ("6002", "Đỗ Văn Hai", "08:30"),
                             ("6003", "Đỗ Văn Ba", "09:00")):  # fmt: skip
        codes[user] = await submitted(
            app,
            user_id=user,
            leader_code="ct-tinh",
            answers={"full_name": name, "id_number": f"0010900{user}0", "phone": f"0912 00{user}"},
        )
        await desk.send(f"/approve {codes[user]} {tomorrow} {hour}")
        assert "The citizen has been told." in desk.text, desk.text
    await Chat(app.dialogue, user_id="6001").press(await attendance_button(app, "6001", "yes"))
    await Chat(app.dialogue, user_id="6003").press(await attendance_button(app, "6003", "no"))
    today = await session_today(app, clock)
    await desk.send(form(today))
    walk_in = code_in(desk)
    await desk.send("/today")
    text = desk.text
    assert "Reception sessions tomorrow:" in text
    assert f"  08:00 {codes['6001']} · Đỗ Văn Một · ✅ will come" in text
    assert f"  08:30 {codes['6002']} · Đỗ Văn Hai · ❔ not yet confirmed" in text
    assert f"{codes['6003']} · Đỗ Văn Ba · ❌ cannot come" in text
    assert "2 citizens expected" in text
    assert "🏢 1 walk-in recorded today:" in text
    assert f"• {walk_in} · in person · Lê Thị Mai · Received" in text
    assert f"  {walk_in} · Lê Thị Mai · ✔ received" in text
    # Weeks later, what waits past its legal time is named, the longest overdue first.
    clock.set(START + timedelta(days=40))
    await desk.send("/today")
    overdue = next(line for line in desk.text.splitlines() if line.startswith("⛔"))
    assert overdue == f"⛔ Answers overdue: {codes['6003']}", desk.text


async def test_the_form_refuses_what_would_mislead_or_leak(app: App, clock: FixedClock) -> None:
    commune = await officer(app, "commune-officer")  # no confidential permission
    commune_session = await session_on(app, "12/10/26", leader="ct-xa")
    await commune.send(form(commune_session, "by letter", kind="denunciation"))
    assert (
        "• Kind: a denunciation is recorded by an officer with the confidential permission."
    ) in commune.text
    desk = await officer(app)
    future = await session_on(app, "12/17/26")
    twice = form(future, "by letter").replace(
        "Request:", "Address: thửa đất số 5, tờ bản đồ 12\nRequest:"
    )
    await desk.send(twice)
    assert "• “Address: thửa đất số 5, tờ bản đồ 12”: this field is already filled above." in (
        desk.text
    )
    await desk.send(
        form(future, "by letter").replace("People: 1", "People: 1\nRepresentatives: An")
    )
    assert "• Representatives: only for 5 people or more; leave it empty." in desk.text
    # Five people or more name their representatives, as in the wizard.
    group = form(future, "by letter").replace("People: 1", "People: 6")
    await desk.send(group)
    assert "• Representatives: needed for 5 people or more." in desk.text
    await desk.send(group.replace("People: 6", "People: 6\nRepresentatives: Lê Văn A, Lê Văn B"))
    assert (await row(app, code_in(desk))).representatives == ["Lê Văn A", "Lê Văn B"]


async def test_a_call_takes_a_seat_and_a_cancelled_session_names_whom_to_phone(
    app: App, clock: FixedClock
) -> None:
    admin = await officer(app, "admin")
    await admin.send("/session add ct-tinh 02/12/2026 08:00-11:00 1 Trụ sở tiếp công dân tỉnh")
    small = await session_on(app, "12/2/26")
    desk = await officer(app)
    await desk.send(form(small, "by phone", consent="orally"))
    code = code_in(desk)
    await desk.send(form(small, "by letter").replace("Lê Thị Mai", "Lê Thị Lan"))
    assert desk.text == (
        f"Session #{small} is full: choose another one, or make room in it first. "
        "Nothing was recorded."
    )
    await desk.send(f"/approve {code} {small}")
    await admin.send(f"/session cancel {small} Lãnh đạo đi công tác")
    assert (
        f"📞 Except the walk-ins with no chat linked, whom you must phone: {code} (0903 111 222)."
    ) in admin.text
