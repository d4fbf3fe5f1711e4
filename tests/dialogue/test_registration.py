"""The registration wizard end to end: happy path, every bad input, /back, /cancel, editing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.core import tickets
from bot.core.clock import FixedClock
from bot.core.model import RegistrationStatus
from storage.tables import ConsentRow, DialogStateRow, RegistrationEventRow, RegistrationRow
from tests.support import ANSWERS, Chat, register


@pytest.fixture
async def chat(app: App) -> AsyncIterator[Chat]:
    chat = Chat(app.dialogue)
    await chat.send("/lang en")
    yield chat


async def answer_until(chat: Chat, step: str) -> None:
    """Start a registration and answer every step before ``step``."""
    order = ["full_name", "phone", "id_number", "province", "address"]
    await chat.send("/register")
    await chat.press("reg:consent:yes")
    for name in order:
        if name == step:
            return
        await chat.send(ANSWERS[name])
    if step == "kind":
        return
    await chat.press("reg:kind:complaint")
    if step == "leader":
        return
    await chat.press(chat.first_payload("reg:leader:"))
    if step == "session":
        return
    await chat.press(chat.first_payload("reg:session:"))
    if step == "people_count":
        return
    await chat.send("1")
    if step == "interpreter":
        return
    await chat.press("reg:interpreter:none")
    for name in ("summary", "prior_handling", "request"):
        if name == step:
            return
        await chat.send(ANSWERS[name])


async def draft_of(app: App, user_id: str = "1001") -> dict[str, object]:
    async with app.store.transaction() as repo:
        citizen = await repo.citizen_for(
            "console", user_id, user_id, "vi", app.services.clock.now()
        )
        state = await repo.load_dialog(citizen.id, app.services.clock.now())
    data = state.data.get("registration")
    return dict(data["draft"]) if isinstance(data, dict) else {}


async def count(app: App, table: type) -> int:
    async with app.engine.connect() as connection:
        return int(
            (await connection.execute(select(func.count()).select_from(table))).scalar_one()
        )


async def test_whole_registration_gives_a_ticket_code_and_shows_in_status(
    app: App, chat: Chat
) -> None:
    code = await register(chat)

    assert tickets.normalize(code) == code
    assert "Your registration has been sent" in chat.text
    # The first session is on Monday 7 December: the decision comes before it, although the
    # legal deadline (10 working days after Monday 30 November) is Monday 14 December.
    assert "by Friday, December 4, 2026 at the latest, before your session" in chat.text
    await chat.send("/status")
    assert code in chat.text
    assert "Submitted, waiting for review" in chat.text
    await chat.tap(code)
    assert "Complaint" in chat.text
    assert "Answer due by: Monday, December 14, 2026" in chat.text
    assert "You sent the registration" in chat.text
    async with app.engine.connect() as connection:
        row = (await connection.execute(select(RegistrationRow))).one()
    assert row.full_name == "Nguyễn Văn An"
    assert row.phone == "+84912345678"
    assert row.phone_verified is False
    assert row.id_number == "001090012345"
    assert row.province == "Thành phố Hà Nội"
    assert row.status == RegistrationStatus.SUBMITTED.value
    assert row.summary == ANSWERS["summary"]
    assert row.prior_handling == ANSWERS["prior_handling"]
    assert row.request == ANSWERS["request"]
    assert await draft_of(app) == {}


async def test_consent_is_stored_with_its_version_and_time_before_any_personal_data(
    app: App, chat: Chat
) -> None:
    await chat.send("/register")
    assert "I agree" in chat.labels and "I do not agree" in chat.labels
    await chat.send("Nguyễn Văn An")  # a name typed instead of an answer to the notice
    assert "Please choose" in chat.text
    assert await draft_of(app) == {}
    assert await count(app, ConsentRow) == 0

    await chat.press("reg:consent:yes")
    async with app.engine.connect() as connection:
        consent = (await connection.execute(select(ConsentRow))).one()
    assert consent.notice_version == app.services.content.privacy_version
    assert consent.given_at.isoformat().startswith("2026-11-30T02:00")
    assert consent.locale == "en"


async def test_refusing_consent_ends_the_registration_and_keeps_nothing(
    app: App, chat: Chat
) -> None:
    await chat.send("/register")
    await chat.press("reg:consent:no")
    assert "kept none of your data" in chat.text
    assert await draft_of(app) == {}
    # Going back to the notice later and refusing deletes what was typed meanwhile.
    await chat.send("/register")
    await chat.press("reg:consent:yes")
    await chat.send("Nguyễn Văn An")
    await chat.send("/back")
    await chat.send("/back")
    assert "I do not agree" in chat.labels
    await chat.send("I do not agree")
    assert await draft_of(app) == {}
    assert await count(app, RegistrationRow) == 0


@pytest.mark.parametrize(
    ("step", "bad", "complaint"),
    [
        ("full_name", "A", "full name"),
        ("full_name", "Nguyen Van 4n", "only letters"),
        ("phone", "12345", "Vietnamese phone number"),
        ("phone", "+1 650 253 0000", "Vietnamese phone number"),
        ("id_number", "12345", "12 digits; you typed 5"),
        ("id_number", "0010900123x5", "only digits"),
        ("id_number", "003090012345", "not a valid citizen ID"),
        ("province", "Atlantis", "could not find that province"),
        ("address", "12", "commune, ward or special zone"),
        ("kind", "a bit of everything", "four kinds"),
        ("people_count", "none", "a number"),
        ("people_count", "0", "between 1 and 1000"),
        ("summary", "too short", "at least 20 characters"),
        ("summary", "x" * 2001, "at most 2000 characters, you wrote 2001"),
        ("prior_handling", "no", "at least 3 characters"),
        ("request", "?", "at least 5 characters"),
    ],
)
async def test_bad_input_is_explained_and_the_step_repeats_without_losing_answers(
    app: App, chat: Chat, step: str, bad: str, complaint: str
) -> None:
    await answer_until(chat, step)
    asked = chat.text
    before = await draft_of(app)

    await chat.send(bad)

    assert complaint in chat.text
    question = asked.split("\n", 1)[1]  # without the "Step n of m" line
    assert question in chat.text
    assert await draft_of(app) == before
    assert step not in await draft_of(app)


async def test_someone_elses_contact_is_refused_and_ones_own_is_verified(
    app: App, chat: Chat
) -> None:
    await answer_until(chat, "phone")
    assert chat.replies[-1].contact_request == "📱 Share my phone number"
    await chat.share_contact("+84912345678", owner="2002")
    assert "someone else's contact" in chat.text
    assert "phone" not in await draft_of(app)

    await chat.share_contact("+84 912 345 678", owner=chat.user_id)
    draft = await draft_of(app)
    assert draft["phone"] == "+84912345678"
    assert draft["phone_verified"] is True


async def test_denunciation_shows_the_confidentiality_notice_and_needs_confirmation(
    app: App, chat: Chat
) -> None:
    await answer_until(chat, "kind")
    await chat.press("reg:kind:denunciation")
    assert "kept secret" in chat.text
    await chat.send("maybe")
    assert "confirm that you have read" in chat.text
    await chat.tap("I understand")
    assert "Whom do you want to meet?" in chat.text


async def test_groups_of_five_or_more_name_representatives_within_the_legal_limits(
    app: App, chat: Chat
) -> None:
    await answer_until(chat, "people_count")
    await chat.send("7")
    assert "1 to 2 people" in chat.text
    await chat.send("Nguyễn Văn Bình, Trần Thị Cúc, Lê Văn Dũng")
    assert "between 1 and 2 names" in chat.text and "you gave 3" in chat.text
    await chat.send("Nguyễn Văn Bình, 12345")
    assert "only letters" in chat.text
    await chat.send("Nguyễn Văn Bình; trần thị cúc")
    assert (await draft_of(app))["representatives"] == ["Nguyễn Văn Bình", "Trần Thị Cúc"]
    assert "Do you need an interpreter" in chat.text


async def test_an_interpreter_is_asked_for_by_language_and_shown_for_review(
    app: App, chat: Chat
) -> None:
    await answer_until(chat, "interpreter")
    # The first leader heads a Party committee: no citation of the Law on Citizen Reception.
    assert "you may ask for one" in chat.text
    assert chat.labels == ["No interpreter needed"]
    # A sentence meant for the next question is not taken for a language.
    await chat.send("Tôi khiếu nại quyết định thu hồi đất của xã An Hòa năm nay")
    assert "type the name of the language" in chat.text
    assert "interpreter" not in await draft_of(app)
    await chat.send("tiếng Khmer")
    assert (await draft_of(app))["interpreter"] == "tiếng Khmer"
    assert "Describe your matter" in chat.text
    for name in ("summary", "prior_handling", "request"):
        await chat.send(ANSWERS[name])
    assert "Interpreter: tiếng Khmer" in chat.text
    await chat.tap("✏️ Interpreter")
    await chat.tap("No interpreter needed")
    assert "Interpreter: not needed" in chat.text
    assert (await draft_of(app))["interpreter"] == ""


async def test_group_of_eleven_may_name_up_to_five(app: App, chat: Chat) -> None:
    await answer_until(chat, "people_count")
    await chat.send("11")
    assert "1 to 5 people" in chat.text
    await chat.send("An Bình, Bảo Cúc, Chi Dũng, Dung Em, Giang Hà, Hải Yến")
    assert "you gave 6" in chat.text


async def test_back_returns_one_step_and_offers_to_keep_the_earlier_answer(
    app: App, chat: Chat
) -> None:
    await answer_until(chat, "id_number")
    await chat.send("/back")
    assert "Your phone number" in chat.text
    assert "phone" not in await draft_of(app)
    await chat.tap("Keep: 0912 345 678")
    assert "personal identification number" in chat.text
    assert (await draft_of(app))["phone"] == "+84912345678"

    await chat.send("/back")
    await chat.send("/back")
    assert "full name" in chat.text
    await chat.send("Trần Thị Bé")
    assert "Your phone number" in chat.text  # back to the next unanswered step
    assert (await draft_of(app))["full_name"] == "Trần Thị Bé"


async def test_back_at_the_first_step_explains_how_to_stop(chat: Chat) -> None:
    await chat.send("/register")
    await chat.send("/back")
    assert "This is the first step" in chat.text
    assert "I agree" in chat.labels


async def test_cancel_at_any_step_deletes_the_answers(app: App, chat: Chat) -> None:
    await answer_until(chat, "summary")
    await chat.send("/cancel")
    assert "Registration cancelled" in chat.text
    assert await draft_of(app) == {}
    await chat.send("/register")
    assert "Step 1 of" in chat.text  # a fresh start, at the privacy notice
    assert "I agree" in chat.labels


async def test_review_lists_every_answer_and_any_field_can_be_edited(app: App, chat: Chat) -> None:
    await answer_until(chat, "review")
    await chat.send(ANSWERS["request"])
    for value in (
        "Nguyễn Văn An",
        "0912 345 678",
        "001090012345",
        "Thành phố Hà Nội",
        ANSWERS["address"],
        "Complaint",
        ANSWERS["summary"],
        ANSWERS["request"],
    ):
        assert value in chat.text
    assert "Send my registration" in chat.labels[0]

    await chat.tap("✏️ Address")
    assert "Keep:" in chat.labels[0]
    await chat.send("Thôn 3, xã An Hòa")
    assert "Please check your registration" in chat.text
    assert "Thôn 3, xã An Hòa" in chat.text

    # Editing the number of people to a group makes the representatives' step appear.
    await chat.tap("✏️ Number of people")
    await chat.send("6")
    assert "1 to 2 people" in chat.text
    await chat.send("Nguyễn Văn Bình")
    assert "Representatives: Nguyễn Văn Bình" in chat.text

    # Changing the leader asks for a session of the new leader.
    await chat.tap("✏️ Leader")
    other = [p for p in chat.payloads if p.startswith("reg:leader:")][1]
    await chat.press(other)
    assert "Which session?" in chat.text
    await chat.press(chat.first_payload("reg:session:"))
    assert "Please check your registration" in chat.text

    # Turning it into a denunciation asks for the confidentiality notice before the review.
    await chat.tap("✏️ Kind of request")
    await chat.press("reg:kind:denunciation")
    assert "kept secret" in chat.text
    await chat.press("reg:confidential:ok")
    assert "Denunciation" in chat.text and "Please check" in chat.text

    # /back while editing abandons the edit and keeps the old value.
    await chat.tap("✏️ Full name")
    await chat.send("/back")
    assert "Full name: Nguyễn Văn An" in chat.text

    await chat.press("reg:review:submit")
    assert "Your registration has been sent" in chat.text
    async with app.engine.connect() as connection:
        row = (await connection.execute(select(RegistrationRow))).one()
    assert (row.address, row.kind, row.people_count) == ("Thôn 3, xã An Hòa", "denunciation", 6)
    assert row.representatives == ["Nguyễn Văn Bình"]


async def test_typed_label_works_like_tapping_the_button(chat: Chat) -> None:
    await answer_until(chat, "kind")
    await chat.send("petition")
    assert "Whom do you want to meet?" in chat.text


async def test_a_button_from_an_earlier_question_is_answered_politely(
    app: App, chat: Chat
) -> None:
    await answer_until(chat, "summary")
    await chat.press("reg:kind:feedback")
    assert "belongs to an earlier question" in chat.text
    assert "Describe your matter" in chat.text
    assert (await draft_of(app))["kind"] == "complaint"

    await chat.send("/cancel")
    await chat.press("reg:review:submit")
    assert "registration form that is closed" in chat.text
    assert await count(app, RegistrationRow) == 0


async def test_other_commands_pause_the_wizard_and_register_resumes_it(
    app: App, chat: Chat
) -> None:
    await answer_until(chat, "address")
    await chat.send("/schedule")
    assert "paused" in chat.text
    assert "Reception sessions in the next 30 days" in chat.text
    await chat.send("Something I type")  # not an answer any more: the wizard is paused
    assert "address" not in await draft_of(app)
    await chat.send("/register")
    assert "unfinished registration" in chat.text
    assert "Your address" in chat.text
    await chat.send(ANSWERS["address"])
    assert "What kind of request" in chat.text


async def test_a_session_that_fills_up_before_submission_is_chosen_again(
    app: App, chat: Chat
) -> None:
    await answer_until(chat, "review")
    await chat.send(ANSWERS["request"])
    session_id = int((await draft_of(app))["session"])  # type: ignore[call-overload]
    async with app.store.transaction() as repo:
        session = await repo.session(session_id)
        assert session is not None
    # Other citizens take every place meanwhile.
    for n in range(session.capacity):
        other = Chat(app.dialogue, user_id=f"other-{n}")
        await answer_until(other, "session")
        await other.press(f"reg:session:{session_id}")
        await other.send("1")
        await other.press("reg:interpreter:none")
        for name in ("summary", "prior_handling", "request"):
            await other.send(ANSWERS[name])
        await other.press("reg:review:submit")
        assert "Mã phiếu" in other.text  # others write in Vietnamese, the default

    await chat.press("reg:review:submit")
    assert "has just become full" in chat.text
    assert "Which session?" in chat.text
    assert f"reg:session:{session_id}" not in chat.payloads
    assert (await draft_of(app))["full_name"] == "Nguyễn Văn An"


async def test_the_number_of_active_registrations_is_limited(app: App, chat: Chat) -> None:
    limit = app.services.settings.booking.max_active_per_citizen
    for _ in range(limit):
        await register(chat)
    await chat.send("/register")
    assert f"You already have {limit} registrations" in chat.text
    assert not any(p.startswith("reg:") for p in chat.payloads)


async def test_schedule_button_and_deep_link_preselect_the_leader(app: App, chat: Chat) -> None:
    async with app.store.transaction() as repo:
        leader = await repo.leader_by_code("ct-xa")
        assert leader is not None
    await chat.send("/start reg_ct-xa")
    await chat.press("reg:consent:yes")
    assert (await draft_of(app))["leader"] == leader.id
    for name in ("full_name", "phone", "id_number", "province", "address"):
        await chat.send(ANSWERS[name])
    await chat.press("reg:kind:petition")
    assert "Which session?" in chat.text  # the leader question is skipped
    assert "UBND xã An Hòa" in chat.text or "trụ sở UBND xã An Hòa" in chat.text


async def test_withdrawing_needs_confirmation_and_is_recorded(app: App, chat: Chat) -> None:
    code = await register(chat)
    await chat.send(f"/status {code.lower().replace('-', '')}")
    await chat.tap("Withdraw")
    assert "Do you really want to withdraw" in chat.text
    await chat.tap("No, keep it")
    assert "Submitted, waiting for review" in chat.text
    await chat.tap("Withdraw")
    await chat.tap("Yes, withdraw it")
    assert f"Registration {code} is withdrawn" in chat.text
    await chat.send(f"/status {code}")
    assert "Withdrawn by you" in chat.text
    assert "You withdrew the registration" in chat.text
    assert "Withdraw this registration" not in " ".join(chat.labels)
    async with app.engine.connect() as connection:
        events = (await connection.execute(select(RegistrationEventRow.event))).scalars().all()
    assert list(events) == ["submitted", "withdraw"]
    # A second, stale confirmation changes nothing.
    await chat.press(f"st:y:{code}")
    assert "can no longer be withdrawn" in chat.text


async def test_another_citizens_code_reveals_nothing(app: App, chat: Chat) -> None:
    code = await register(chat)
    stranger = Chat(app.dialogue, user_id="9999")
    await stranger.send("/lang en")
    await stranger.send(f"/status {code}")
    assert f"You have no registration with the code {code}" in stranger.text
    assert "Nguyễn" not in stranger.text
    await stranger.press(f"st:y:{code}")
    assert "no registration with the code" in stranger.text
    await stranger.send("/status ABCD-1234")
    assert "not a valid ticket code" in stranger.text


async def test_dialog_state_survives_in_the_database_only(app: App, chat: Chat) -> None:
    await answer_until(chat, "province")
    async with app.engine.connect() as connection:
        row = (await connection.execute(select(DialogStateRow.data))).scalar_one()
    assert row["flow"] == "registration"
    assert row["registration"]["draft"]["full_name"] == "Nguyễn Văn An"


async def test_a_session_after_the_legal_deadline_shows_the_deadline(app: App, chat: Chat) -> None:
    await answer_until(chat, "session")
    later = [p for p in chat.payloads if p.startswith("reg:session:")][-1]
    await chat.press(later)
    await chat.send("1")
    await chat.press("reg:interpreter:none")
    for name in ("summary", "prior_handling", "request"):
        await chat.send(ANSWERS[name])
    await chat.press("reg:review:submit")
    assert "by Monday, December 14, 2026 at the latest (10 working days)" in chat.text


async def test_withdrawal_is_not_offered_once_the_meeting_has_started(
    app: App, chat: Chat, clock: FixedClock
) -> None:
    code = await register(chat)
    clock.set(clock.now() + timedelta(days=30))
    await chat.send(f"/status {code}")
    assert "Withdraw this registration" not in " ".join(chat.labels)
    await chat.press(f"st:y:{code}")
    assert "can no longer be withdrawn" in chat.text


async def test_buttons_naming_a_wrong_leader_or_session_are_refused(app: App, chat: Chat) -> None:
    await answer_until(chat, "leader")
    await chat.press("reg:leader:999999")
    assert "no session with free places any more" in chat.text
    assert "Whom do you want to meet?" in chat.text
    leaders = [p for p in chat.payloads if p.startswith("reg:leader:")]
    await chat.press(leaders[1])
    other_sessions = list(chat.payloads)
    await chat.send("/back")
    await chat.press(leaders[0])
    foreign = next(p for p in other_sessions if p.startswith("reg:session:"))
    await chat.press(foreign)  # a session of the other leader, from an earlier message
    assert "full or no longer available" in chat.text
    assert "session" not in await draft_of(app)


async def test_citizens_submitting_at_once_never_overfill_a_session(app: App) -> None:
    """Eight citizens at the review screen press "send" together for a six-place session."""
    chats = [Chat(app.dialogue, user_id=f"rush-{n}") for n in range(8)]
    session_payload = ""
    for chat in chats:
        await chat.send("/lang en")
        await answer_until(chat, "session")
        session_payload = session_payload or chat.first_payload("reg:session:")
        await chat.press(session_payload)
        await chat.send("1")
        await chat.press("reg:interpreter:none")
        for name in ("summary", "prior_handling", "request"):
            await chat.send(ANSWERS[name])
        assert "Please check your registration" in chat.text
    await asyncio.gather(*(chat.press("reg:review:submit") for chat in chats))

    session_id = int(session_payload.rsplit(":", 1)[1])
    async with app.store.transaction() as repo:
        session = await repo.session(session_id)
    assert session is not None
    sent = [chat for chat in chats if "Your registration has been sent" in chat.text]
    refused = [chat for chat in chats if "has just become full" in chat.text]
    assert session.taken == session.capacity == len(sent)
    assert len(refused) == len(chats) - session.capacity


async def test_back_after_an_edit_walks_back_through_the_steps(app: App, chat: Chat) -> None:
    await answer_until(chat, "review")
    await chat.send(ANSWERS["request"])
    await chat.tap("✏️ Kind of request")
    await chat.press("reg:kind:complaint")
    assert "Please check your registration" in chat.text
    await chat.send("/back")
    assert "What do you ask the leader to do?" in chat.text
    await chat.send("/back")
    assert "Has any agency already handled" in chat.text
    await chat.send("/back")
    assert "Describe your matter" in chat.text
    draft = await draft_of(app)
    assert {"kind", "leader", "session", "people_count"} <= set(draft)


async def test_back_from_the_first_question_after_a_schedule_button_keeps_the_leader(
    app: App, chat: Chat
) -> None:
    async with app.store.transaction() as repo:
        leader = await repo.leader_by_code("bt-tinh")
        assert leader is not None
    await chat.press(f"rs:{leader.id}")
    await chat.press("reg:consent:yes")
    await chat.send("/back")
    assert "I agree" in chat.labels
    await chat.press("reg:consent:yes")
    assert (await draft_of(app))["leader"] == leader.id


async def test_the_review_buttons_may_be_typed_without_their_emoji(chat: Chat) -> None:
    await answer_until(chat, "review")
    await chat.send(ANSWERS["request"])
    await chat.send("send my registration")
    assert "Your registration has been sent" in chat.text
