"""Repeats on the officers' desk: a registration that restates an earlier one of the same
citizen (same ID number or phone, same unit and kind) is flagged in /queue and /view with the
earlier code; /view lists the citizen's earlier registrations the officer may read."""

from __future__ import annotations

from datetime import timedelta

from bot.app import App
from bot.core.clock import FixedClock
from tests.support import officer, row, submitted

RESTATED = {
    "summary": (
        "Lần 2 tôi khiếu nại: quyết định thu hồi đất 12/QĐ-UBND bồi thường chưa đúng, "
        "chưa được giải quyết."
    ),
    "request": "Xem xét lại quyết định thu hồi đất.",
}
OTHER_MATTER = {
    "summary": "Tôi khiếu nại việc nhà hàng xóm xây tường lấn sang phần đất nhà tôi 40 cm.",
    "request": "Đề nghị buộc tháo dỡ phần tường xây lấn.",
}


async def test_a_restated_matter_is_flagged_with_the_earlier_code(app: App) -> None:
    first = await submitted(app)
    # Another chat, the same person: the same ID number, the phone written another way.
    again = await submitted(app, user_id="1002", answers={**RESTATED, "phone": "+84 912 345 678"})
    other = await submitted(app, user_id="1003", answers=OTHER_MATTER)
    assert (await row(app, again)).repeat_of_code == first
    assert (await row(app, other)).repeat_of_code == ""
    assert (await row(app, first)).repeat_of_code == ""
    desk = await officer(app)
    await desk.send("/queue")
    flagged = [line for line in desk.text.splitlines() if "likely repeat" in line]
    assert flagged == [next(line for line in desk.text.splitlines() if again in line)]
    assert flagged[0].endswith(f" · ↻ likely repeat of {first}")
    await desk.send(f"/view {again}")
    assert (
        f"↻ Likely a repeat of {first} (Waiting for review): the same citizen, kind and matter "
        f"in most words. Compare with /view {first}. To join them: /duplicate {again} {first}."
    ) in desk.text
    earlier = desk.text.split("Other registrations of this citizen (same ID number or phone):")
    assert len(earlier) == 2
    listed = [line for line in earlier[1].splitlines() if line.startswith("• ")]
    # Newest first, the one viewed left out.
    assert [line.split(" · ")[0] for line in listed[:2]] == [f"• {other}", f"• {first}"]
    assert listed[1] == f"• {first} · Complaint · Waiting for review · 11/30/26"
    await desk.send(f"/view {other}")
    assert "Likely a repeat" not in desk.text
    assert f"• {again} · Complaint" in desk.text


async def test_another_kind_or_another_units_registration_is_no_repeat(app: App) -> None:
    first = await submitted(app)
    petition = await submitted(app, user_id="1002", kind="petition", answers=RESTATED)
    elsewhere = await submitted(app, user_id="1003", leader_code="ct-xa", answers=RESTATED)
    assert (await row(app, petition)).repeat_of_code == ""
    assert (await row(app, elsewhere)).repeat_of_code == ""
    # The commune's officer reads only the commune's registrations: the province's earlier
    # ones of the same citizen are not listed to them.
    commune = await officer(app, "commune-officer")
    await commune.send(f"/view {elsewhere}")
    assert "Other registrations" not in commune.text and first not in commune.text


async def test_a_citizen_without_an_id_number_match_is_compared_by_phone(app: App) -> None:
    first = await submitted(app, answers={"id_number": "001090011111"})
    again = await submitted(app, user_id="1002", answers={**RESTATED, "id_number": "001090022222"})
    assert (await row(app, again)).repeat_of_code == first
    stranger = await submitted(
        app,
        user_id="1003",
        answers={**RESTATED, "id_number": "001090033333", "phone": "0987 000 111"},
    )
    assert (await row(app, stranger)).repeat_of_code == ""


async def test_refusing_a_repeat_is_offered_only_when_the_earlier_matter_was_settled(
    app: App, clock: FixedClock
) -> None:
    # A people's committee: the Law's refusal grounds apply.
    first = await submitted(app, leader_code="ct-tinh")
    desk = await officer(app)
    await desk.send(f"/reject {first} resolved")
    assert (await row(app, first)).status == "rejected", desk.text
    again = await submitted(app, user_id="1002", leader_code="ct-tinh", answers=RESTATED)
    await desk.send(f"/view {again}")
    # Refused is not settled: neither joining nor refusing again is offered, only comparing.
    assert f"↻ Likely a repeat of {first} (Refused)" in desk.text
    assert "/duplicate" not in desk.text.split("↻")[1].splitlines()[0]
    assert "/reject" not in desk.text.split("↻")[1].splitlines()[0]
    await desk.send(f"/approve {again}")
    clock.set(clock.now() + timedelta(days=30))
    await desk.send(f"/attended {again}")
    await desk.send(f"/outcome {again} answered Đã giải thích.")
    third = await submitted(app, user_id="1003", leader_code="ct-tinh", answers=RESTATED)
    assert (await row(app, third)).repeat_of_code == again
    await desk.send(f"/view {third}")
    assert (
        f"↻ Likely a repeat of {again} (Received and closed): the same citizen, kind and "
        f"matter in most words. Compare with /view {again}. If it brings nothing new: "
        f"/reject {third} resolved."
    ) in desk.text, desk.text
