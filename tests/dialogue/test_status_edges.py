"""The citizen's "my registrations" at its edges, in Vietnamese: a long list, a transfer,
buttons for someone else's or an already decided registration, an answer too short or too
late, and a history event this version has no label for."""

from __future__ import annotations

from sqlalchemy import insert, select

from bot.app import App
from storage.tables import RegistrationEventRow, RegistrationRow
from tests.support import Chat, register, row, submitted


def not_yours(code: str) -> str:
    return f"Bạn không có phiếu đăng ký nào có mã phiếu {code}."


async def events(app: App, code: str) -> list[str]:
    async with app.engine.connect() as connection:
        found = await connection.execute(
            select(RegistrationEventRow.event)
            .join(RegistrationRow, RegistrationRow.id == RegistrationEventRow.registration_id)
            .where(RegistrationRow.code == code)
            .order_by(RegistrationEventRow.id)
        )
        return list(found.scalars())


async def test_more_than_ten_registrations_list_the_newest_and_say_how_to_find_older(
    app: App,
) -> None:
    person = Chat(app.dialogue)
    codes = []
    for _ in range(11):
        codes.append(await register(person))
        # At most three may be active at once: each is withdrawn before the next.
        await person.press(f"st:y:{codes[-1]}")
        assert person.text.startswith(f"Bạn đã rút phiếu đăng ký {codes[-1]}.")
    await person.send("/status")
    listed = [line for line in person.text.splitlines() if line.startswith("• ")]
    assert [line.split(":", 1)[0].removeprefix("• ") for line in listed] == codes[:0:-1]
    assert "Phiếu đăng ký cũ hơn: gửi /status kèm theo mã phiếu." in person.text
    assert [c.payload for c in person.choices] == [
        *(f"st:v:{code}" for code in codes[:0:-1]),
        "m:menu",
    ]
    # The oldest is still there, by its code.
    await person.send(f"/status {codes[0]}")
    assert person.text.startswith(f"Phiếu đăng ký {codes[0]}")


async def test_three_registrations_fit_in_the_list_without_the_hint(app: App) -> None:
    for _ in range(3):
        await submitted(app, locale="vi")
    person = Chat(app.dialogue)
    await person.send("/status")
    assert len([line for line in person.text.splitlines() if line.startswith("• ")]) == 3
    assert "Phiếu đăng ký cũ hơn" not in person.text


async def test_a_transferred_registration_names_the_body(app: App) -> None:
    code = await submitted(app, locale="vi")
    officer = Chat(app.dialogue, user_id="officer")
    await officer.send(f"/transfer {code} Thanh tra tỉnh ; 123/CV-UBND")
    person = Chat(app.dialogue)
    await person.send(f"/status {code}")
    assert "Đã chuyển đến: Thanh tra tỉnh" in person.text.splitlines()
    assert f"st:w:{code}" not in person.payloads


async def test_withdrawing_someone_elses_or_a_decided_registration(app: App) -> None:
    code = await submitted(app, locale="vi")
    stranger = Chat(app.dialogue, user_id="2002")
    await stranger.press(f"st:w:{code}")
    assert stranger.text == not_yours(code)
    assert stranger.payloads == ["m:status", "m:menu"]
    await stranger.press("st:w:XYZ")
    assert stranger.text.startswith("“XYZ” không phải là mã phiếu hợp lệ.")
    assert (await row(app, code)).status == "submitted"

    officer = Chat(app.dialogue, user_id="officer")
    await officer.send(f"/reject {code} not_request")
    person = Chat(app.dialogue)
    await person.press(f"st:w:{code}")  # the button of an earlier message
    # No question: the registration as it stands, without a withdraw button.
    assert person.text.startswith(f"Phiếu đăng ký {code}")
    assert "Bạn có chắc muốn rút" not in person.text
    assert f"st:w:{code}" not in person.payloads
    assert (await row(app, code)).status == "rejected"


async def test_answering_someone_elses_question_is_not_possible(app: App) -> None:
    code = await submitted(app, locale="vi")
    officer = Chat(app.dialogue, user_id="officer")
    await officer.send(f"/needinfo {code} Anh có giấy chứng nhận quyền sử dụng đất không?")
    stranger = Chat(app.dialogue, user_id="2002")
    await stranger.press(f"st:a:{code}")
    assert stranger.text == not_yours(code)
    # Not armed: their next words are not taken for an answer.
    await stranger.send("Có, sổ đỏ cấp năm 2010.")
    assert (await row(app, code)).status == "needs_info"
    assert await events(app, code) == ["submitted", "needinfo"]


async def test_an_answer_too_short_is_asked_for_again(app: App) -> None:
    code = await submitted(app, locale="vi")
    officer = Chat(app.dialogue, user_id="officer")
    await officer.send(f"/needinfo {code} Anh có giấy chứng nhận quyền sử dụng đất không?")
    person = Chat(app.dialogue)
    await person.press(f"st:a:{code}")
    await person.send("?")
    assert person.text == "Bạn vui lòng viết thêm một chút: ít nhất 2 ký tự."
    assert (await row(app, code)).status == "needs_info"
    await person.send("Có, sổ đỏ cấp năm 2010.")
    assert person.text.startswith(
        f"Cảm ơn bạn: câu trả lời đã được bổ sung vào phiếu đăng ký {code}"
    )
    assert await events(app, code) == ["submitted", "needinfo", "info_received"]


async def test_an_answer_after_the_officers_decided_is_not_attached(app: App) -> None:
    code = await submitted(app, locale="vi")
    officer = Chat(app.dialogue, user_id="officer")
    await officer.send(f"/needinfo {code} Anh có giấy chứng nhận quyền sử dụng đất không?")
    person = Chat(app.dialogue)
    await person.press(f"st:a:{code}")
    # While the citizen types, another officer decides without waiting for the answer.
    await officer.send(f"/approve {code}")
    await person.send("Có, sổ đỏ cấp năm 2010.")
    assert person.text.startswith(f"Phiếu đăng ký {code} không còn chờ câu trả lời của bạn nữa.")
    stored = await row(app, code)
    assert (stored.status, stored.paused_since is None) == ("approved", True)
    assert await events(app, code) == ["submitted", "needinfo", "approve"]


async def test_an_event_without_a_label_reads_as_the_state_it_led_to(app: App) -> None:
    """An event this version does not know (written by a newer one, or imported) is shown
    by the state it led to, never by its internal name."""
    code = await submitted(app, locale="vi")
    stored = await row(app, code)
    async with app.engine.begin() as connection:
        await connection.execute(
            insert(RegistrationEventRow).values(
                registration_id=stored.id,
                at=stored.submitted_at,
                actor="import:legacy",
                event="legacy_import",
                from_status="submitted",
                to_status="rejected",
                note="",
                internal=False,
                data={},
            )
        )
    person = Chat(app.dialogue)
    await person.send(f"/status {code}")
    history = person.text.split("Quá trình xử lý:", 1)[1]
    assert "Không được tiếp nhận" in history
    assert "legacy_import" not in history
