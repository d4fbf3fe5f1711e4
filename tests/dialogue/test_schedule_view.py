"""The citizens' schedule view when many sessions are published: first a unit, then its
sessions and those of the units below it; full sessions; buttons from an older message."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from storage.tables import SubscriptionRow, UnitRow
from tests.support import Chat, leader, register

OVERVIEW = "Có 13 buổi tiếp công dân được công bố trong 30 ngày tới. Bạn hãy chọn đơn vị:"
LISTING = "Các buổi tiếp công dân trong 30 ngày tới:"
UNITS = {
    "demo-tinh-uy": "Tỉnh ủy Lạc Hồng (dữ liệu mẫu)",
    "demo-ubnd-tinh": "UBND tỉnh Lạc Hồng (dữ liệu mẫu)",
    "demo-dang-uy-xa": "Đảng ủy xã An Hòa (dữ liệu mẫu)",
    "demo-ubnd-xa": "UBND xã An Hòa (dữ liệu mẫu)",
}


async def unit_ids(app: App) -> dict[str, int]:
    async with app.engine.connect() as connection:
        rows = await connection.execute(select(UnitRow.code, UnitRow.id))
        return {unit.code: unit.id for unit in rows.all()}


async def crowded(app: App) -> None:
    """Seven more sessions of the commune chair: thirteen in the next 30 days (six from the
    demo schedules), more than one message should list. The first one has a single place."""
    admin = Chat(app.dialogue, user_id="admin")
    for day, places in (("08", 1), *((d, 6) for d in ("14", "16", "18", "22", "23", "28"))):
        await admin.send(
            f"/session add ct-xa {day}/12/2026 08:00-10:00 {places} Hội trường UBND xã"
        )
        assert admin.text.startswith("Đã thêm buổi tiếp"), admin.text


def sessions_listed(chat: Chat) -> list[str]:
    return [line for line in chat.text.splitlines() if line.startswith("• ")]


async def test_many_sessions_ask_for_a_unit_first(app: App) -> None:
    await crowded(app)
    ids = await unit_ids(app)
    chat = Chat(app.dialogue)
    await chat.send("/schedule")
    assert chat.text == OVERVIEW
    assert [(c.label, c.payload) for c in chat.choices] == [
        *((UNITS[code], f"s:{ids[code]}") for code in UNITS),
        ("🏠 Menu chính", "m:menu"),
    ]
    assert sessions_listed(chat) == []


async def test_a_unit_lists_its_sessions_and_those_of_the_units_below_it(app: App) -> None:
    await crowded(app)
    ids = await unit_ids(app)
    chat = Chat(app.dialogue)
    await chat.send("/schedule")
    await chat.tap("Tỉnh ủy Lạc Hồng")
    # The province Party committee and the commune Party committee under it: nothing of the
    # People's Committees.
    assert chat.text.startswith(LISTING)
    assert "🏛 Tỉnh ủy Lạc Hồng (dữ liệu mẫu)" in chat.text
    assert "🏛 Đảng ủy xã An Hòa (dữ liệu mẫu)" in chat.text
    assert "UBND" not in chat.text
    assert sessions_listed(chat) == [
        "• Thứ Ba, ngày 15/12/2026, 08:00–11:00, Trụ sở Tiếp công dân tỉnh, số 1 đường Trần "
        "Hưng Đạo (còn 10 lượt)",
        "• Thứ Hai, ngày 07/12/2026, 14:00–16:30, Phòng tiếp công dân, trụ sở Đảng ủy xã An "
        "Hòa (còn 6 lượt)",
        "• Thứ Hai, ngày 21/12/2026, 14:00–16:30, Phòng tiếp công dân, trụ sở Đảng ủy xã An "
        "Hòa (còn 6 lượt)",
    ]
    bt_tinh, bt_xa = await leader(app, "bt-tinh"), await leader(app, "bt-xa")
    assert chat.payloads == [
        f"rs:{bt_tinh.id}",
        f"rs:{bt_xa.id}",
        f"sub:{ids['demo-tinh-uy']}",
        f"sub:{ids['demo-dang-uy-xa']}",
        "m:menu",
    ]
    # A commune unit has nothing below it.
    await chat.press(f"s:{ids['demo-dang-uy-xa']}")
    assert "Tỉnh ủy Lạc Hồng" not in chat.text and len(sessions_listed(chat)) == 2


async def test_a_session_whose_places_are_taken_says_it_is_full(app: App) -> None:
    await crowded(app)
    ids = await unit_ids(app)
    # The single place of Tuesday 8 December, the chair's first session, is taken.
    first = Chat(app.dialogue, user_id="first")
    await register(first, leader_id=(await leader(app, "ct-xa")).id)
    chat = Chat(app.dialogue)
    await chat.press(f"s:{ids['demo-ubnd-xa']}")
    listed = sessions_listed(chat)
    assert len(listed) == 9
    assert listed[0] == "• Thứ Ba, ngày 08/12/2026, 08:00–10:00, Hội trường UBND xã (đã hết chỗ)"
    assert all(line.endswith("(còn 6 lượt)") for line in listed[1:])
    # Her other sessions have room: registering with her is still offered.
    assert f"rs:{(await leader(app, 'ct-xa')).id}" in chat.payloads


async def test_an_unknown_unit_on_an_old_button_shows_the_overview(app: App) -> None:
    await crowded(app)
    chat = Chat(app.dialogue)
    await chat.press("s:999999")
    assert chat.text == OVERVIEW
    await chat.press("sub:999999")
    assert chat.text == OVERVIEW
    await chat.press("unsub:999999")
    assert chat.text == OVERVIEW
    async with app.engine.connect() as connection:
        assert (await connection.execute(select(SubscriptionRow))).all() == []


async def test_a_unit_whose_sessions_were_all_cancelled_shows_the_whole_schedule(
    app: App,
) -> None:
    ids = await unit_ids(app)
    admin = Chat(app.dialogue, user_id="admin")
    await admin.send("/session list bt-xa")
    commune_sessions = [
        line.split(" ", 1)[0].lstrip("#")
        for line in admin.text.splitlines()
        if line.startswith("#") and "/12/2026" in line
    ]
    assert len(commune_sessions) == 2
    for session_id in commune_sessions:
        await admin.send(f"/session cancel {session_id} Lãnh đạo đi học tập trung")
    chat = Chat(app.dialogue)
    await chat.press(f"s:{ids['demo-dang-uy-xa']}")
    # Nothing of that unit is left: the four other sessions of the month, every unit.
    assert chat.text.startswith(LISTING)
    assert "Lê Văn Hùng" not in chat.text
    assert len(sessions_listed(chat)) == 4
    for name in ("Tỉnh ủy Lạc Hồng", "UBND tỉnh Lạc Hồng", "UBND xã An Hòa"):
        assert f"🏛 {name} (dữ liệu mẫu)" in chat.text


async def test_a_few_sessions_are_listed_at_once_and_a_unit_narrows_them(app: App) -> None:
    ids = await unit_ids(app)
    chat = Chat(app.dialogue)
    await chat.send("/schedule")
    assert chat.text.startswith(LISTING) and len(sessions_listed(chat)) == 6
    await chat.press(f"s:{ids['demo-ubnd-xa']}")
    assert chat.text.startswith(LISTING)
    assert sessions_listed(chat) == [
        "• Thứ Năm, ngày 10/12/2026, 08:00–11:00, Phòng tiếp công dân, trụ sở UBND xã An Hòa "
        "(còn 6 lượt)",
        "• Thứ Sáu, ngày 25/12/2026, 08:00–11:00, Phòng tiếp công dân, trụ sở UBND xã An Hòa "
        "(còn 6 lượt)",
    ]
