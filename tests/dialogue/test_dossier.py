"""/view after each decision, on the officers' desk in Vietnamese: the state, what was
decided (session, time, host, refusal, body, letter, result, conclusion, written notice) and
one history line per event, with who did it."""

from __future__ import annotations

from datetime import timedelta

from bot.app import App
from bot.core.clock import FixedClock
from tests.support import Chat, leader, row, submitted

WHEN = "Thứ Hai, ngày 30/11/2026 lúc 09:00"


def desk(app: App, user_id: str = "officer") -> Chat:
    return Chat(app.dialogue, user_id=user_id)


async def view(chat: Chat, code: str) -> list[str]:
    await chat.send(f"/view {code}")
    assert chat.text.startswith(f"Phiếu {code}: "), chat.text
    return chat.text.splitlines()


def history(lines: list[str]) -> list[str]:
    """The history lines, without their date (every event here happens at the same minute)."""
    start = lines.index("Quá trình xử lý:") + 1
    return [line.removeprefix(f"• {WHEN} · ") for line in lines[start:] if line.startswith("• ")]


async def test_approved_into_another_session_at_a_time_with_a_delegate(app: App) -> None:
    code = await submitted(app)
    bt = await leader(app, "bt-tinh")
    now = app.services.clock.now()
    async with app.store.transaction() as repo:
        asked, later = (
            await repo.sessions_between(now, now + timedelta(days=60), leader_id=bt.id)
        )[:2]
    officer = desk(app)
    await officer.send(f"/approve {code} {later.id} 09:30")
    await officer.send(f"/delegate {code} Phó Bí thư Trần Văn Bảo")
    lines = await view(officer, code)
    assert lines[0] == f"Phiếu {code}: Đã xếp lịch tiếp"
    assert (
        "Buổi tiếp: Thứ Sáu, ngày 15/01/2027 lúc 08:00, Trụ sở Tiếp công dân tỉnh, số 1 đường "
        "Trần Hưng Đạo"
    ) in lines
    assert f"Ban đầu công dân đăng ký buổi tiếp #{asked.id}." in lines
    assert "Giờ hẹn: 09:30" in lines
    assert "Người tiếp: Phó Bí thư Trần Văn Bảo (tiếp thay lãnh đạo)" in lines
    assert history(lines) == [
        "công dân: công dân gửi phiếu đăng ký",
        "Chị Cán Bộ: đã xếp lịch tiếp",
        "Chị Cán Bộ: giao cán bộ khác tiếp thay người đứng đầu",
    ]
    # Scheduled: no other session to suggest.
    assert not any(line.startswith("Các buổi tiếp còn chỗ") for line in lines)


async def test_approved_into_the_session_asked_for_shows_no_change_of_session(app: App) -> None:
    code = await submitted(app)
    officer = desk(app)
    await officer.send(f"/approve {code}")
    lines = await view(officer, code)
    assert "Buổi tiếp: Thứ Ba, ngày 15/12/2026 lúc 08:00" in "\n".join(lines)
    assert not any(line.startswith("Ban đầu công dân đăng ký") for line in lines)
    assert not any(line.startswith(("Giờ hẹn", "Người tiếp")) for line in lines)


async def test_a_refusal_that_calls_for_form_01_tcd_then_the_form_issued(app: App) -> None:
    code = await submitted(app, leader_code="ct-tinh")
    officer = desk(app)
    await officer.send(f"/reject {code} resolved")
    lines = await view(officer, code)
    assert lines[0] == f"Phiếu {code}: Từ chối"
    assert any(
        line.startswith("Lý do từ chối tiếp nhận: Khiếu nại, tố cáo về vụ việc đã được giải quyết")
        for line in lines
    )
    assert "Căn cứ: Luật Tiếp công dân, Điều 9 khoản 3" in lines
    assert (
        "📝 Văn bản thông báo cần ban hành: Thông báo từ chối tiếp công dân (Mẫu 01/TCD), "
        "chậm nhất Thứ Năm, ngày 03/12/2026."
    ) in lines
    await officer.send(f"/issued {code} 12/TB-TCD")
    lines = await view(officer, code)
    assert (
        "Đã ban hành văn bản: Thông báo từ chối tiếp công dân (Mẫu 01/TCD), số 12/TB-TCD "
        "ngày 30/11/2026."
    ) in lines
    assert not any(line.startswith("📝 Văn bản thông báo cần ban hành") for line in lines)
    assert history(lines) == [
        "công dân: công dân gửi phiếu đăng ký",
        "Chị Cán Bộ: không được tiếp nhận",
        "Chị Cán Bộ: đã ban hành văn bản thông báo — 12/TB-TCD",
    ]


async def test_a_refusal_outside_competence_names_where_the_citizen_was_guided(
    app: App,
) -> None:
    code = await submitted(app, leader_code="ct-tinh")
    officer = desk(app)
    await officer.send(f"/reject {code} outside Sở Tài nguyên và Môi trường tỉnh")
    lines = await view(officer, code)
    assert lines[0] == f"Phiếu {code}: Từ chối"
    assert (
        "Lý do từ chối tiếp nhận: Vụ việc không thuộc thẩm quyền giải quyết của cơ quan, "
        "đơn vị này"
    ) in lines
    assert "Đã hướng dẫn đến: Sở Tài nguyên và Môi trường tỉnh" in lines
    assert not any(line.startswith("📝") for line in lines)  # no written notice for this one
    assert history(lines)[-1] == (
        "Chị Cán Bộ: không được tiếp nhận — Sở Tài nguyên và Môi trường tỉnh"
    )


async def test_a_transfer_names_the_body_the_letter_and_the_notice_owed(app: App) -> None:
    code = await submitted(app)  # a Party committee head: the head's written notice is owed
    officer = desk(app)
    await officer.send(f"/transfer {code} Thanh tra tỉnh ; 123/CV-UBND")
    lines = await view(officer, code)
    assert lines[0] == f"Phiếu {code}: Đã chuyển đơn"
    assert "Đã chuyển đến: Thanh tra tỉnh" in lines
    assert "Văn bản số: 123/CV-UBND" in lines
    assert (
        "📝 Văn bản thông báo cần ban hành: văn bản thông báo của người đứng đầu cấp ủy "
        "(Quy định 11-QĐi/TW, Điều 5), chậm nhất Thứ Hai, ngày 14/12/2026."
    ) in lines
    assert history(lines) == ["công dân: công dân gửi phiếu đăng ký", "Chị Cán Bộ: đã chuyển đơn"]


async def test_a_duplicate_names_the_registration_it_joined(app: App) -> None:
    first = await submitted(app)
    again = await submitted(app)
    officer = desk(app)
    await officer.send(f"/duplicate {again} {first}")
    lines = await view(officer, again)
    assert lines[0] == f"Phiếu {again}: Trùng lặp"
    assert f"Đã gộp vào phiếu: {first}" in lines
    assert history(lines)[-1] == "Chị Cán Bộ: gộp vào phiếu khác"
    # The earlier registration is untouched and still offers sessions with room.
    lines = await view(officer, first)
    assert lines[0] == f"Phiếu {first}: Chờ xem xét"
    assert not any(line.startswith("Đã gộp vào phiếu") for line in lines)
    assert lines[-1].startswith("Các buổi tiếp còn chỗ: #")


async def test_the_result_and_the_conclusion_after_the_reception(
    app: App, clock: FixedClock
) -> None:
    code = await submitted(app)
    officer = desk(app)
    await officer.send(f"/approve {code}")
    clock.set(clock.now() + timedelta(days=15, hours=2))  # Tuesday 15 December, 11:00
    await officer.send(f"/attended {code}")
    await officer.send(f"/outcome {code} accepted Phòng Tài nguyên ; 45/TB-UBND")
    await officer.send(f"/conclusion {code} 31/12/2026 Phòng Tài nguyên ; Kiểm tra lại hồ sơ.")
    await officer.send(f"/view {code}")
    lines = officer.text.splitlines()
    assert lines[0] == f"Phiếu {code}: Đã tiếp và kết thúc"
    assert "Kết quả: được thụ lý giải quyết" in lines
    assert "Kết luận: Kiểm tra lại hồ sơ." in lines
    assert "Đã chuyển đến: Phòng Tài nguyên" in lines
    assert "Văn bản số: 45/TB-UBND" in lines
    events = [line.split(" · ", 1)[1] for line in lines if line.startswith("• ")]
    assert events == [
        "công dân: công dân gửi phiếu đăng ký",
        "Chị Cán Bộ: đã xếp lịch tiếp",
        "Chị Cán Bộ: đã tiếp",
        "Chị Cán Bộ: đã ghi kết quả — Phòng Tài nguyên",
        "Chị Cán Bộ: đã ghi kết luận — Kiểm tra lại hồ sơ.",
    ]
    assert (await row(app, code)).status == "closed"


async def test_a_cancelled_session_shows_the_state_and_the_reason(app: App) -> None:
    code = await submitted(app)
    officer = desk(app)
    await officer.send(f"/approve {code}")
    admin = desk(app, "admin")
    await admin.send(f"/session cancel {(await row(app, code)).session_id} Lãnh đạo đi công tác")
    lines = await view(officer, code)
    assert lines[0] == f"Phiếu {code}: Buổi tiếp bị hủy, cần xếp lại"
    assert history(lines) == [
        "công dân: công dân gửi phiếu đăng ký",
        "Chị Cán Bộ: đã xếp lịch tiếp",
        "Chị Quản Trị: buổi tiếp bị hủy — Lãnh đạo đi công tác",
    ]


async def test_a_withdrawn_registration_is_named_as_officers_name_it(app: App) -> None:
    code = await submitted(app)
    person = Chat(app.dialogue, user_id="1001")
    await person.press(f"st:y:{code}")
    assert (await row(app, code)).status == "withdrawn"
    officer = desk(app)
    lines = await view(officer, code)
    assert history(lines)[-1] == "công dân: công dân đã rút đăng ký"
    assert lines[0] == f"Phiếu {code}: Đã rút"
