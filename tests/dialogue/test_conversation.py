"""Menus, language, the rules explainer, schedules, restarts, ordering and failures."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest
from sqlalchemy import select

from bot.app import App, build, prepare
from bot.core.clock import FixedClock
from bot.core.model import Incoming, Reply
from bot.core.workdays import WorkCalendar
from bot.demo import load_demo
from bot.dialogue import Dialogue
from storage.tables import CitizenRow, SessionRow
from tests.conftest import config_for, fresh_schema
from tests.support import ANSWERS, Chat, register


async def test_start_greets_and_offers_the_main_menu(app: App) -> None:
    chat = Chat(app.dialogue)
    await chat.send("/start")
    assert chat.payloads == ["m:schedule", "m:register", "m:status", "m:rules", "m:lang", "m:help"]
    await chat.send("/lang en")
    await chat.send("/start")
    assert "Welcome to Tiếp Dân" in chat.text
    assert "you keep your right to come in person" in chat.text


async def test_every_menu_entry_leads_somewhere_useful(app: App) -> None:
    chat = Chat(app.dialogue)
    await chat.send("/lang en")
    await chat.press("m:rules")
    assert "Regulation 11-QĐi/TW" in chat.text
    assert any(p.startswith("r:") for p in chat.payloads)
    await chat.press("m:schedule")
    assert "Reception sessions in the next 30 days" in chat.text
    await chat.press("m:status")
    assert "You have no registrations yet" in chat.text
    await chat.press("m:lang")
    assert chat.payloads == ["l:vi", "l:en"]
    await chat.press("m:help")
    assert "/register" in chat.text and "/cancel" in chat.text
    await chat.send("/privacy")
    assert "Ban Tiếp công dân" in chat.text  # the controller named in the configuration
    await chat.send("/nonsense")
    assert "I do not know the command /nonsense" in chat.text


async def test_unknown_chatter_gets_the_menu_and_a_polite_hint(app: App) -> None:
    chat = Chat(app.dialogue)
    await chat.send("/lang en")
    await chat.send("qwerty zxcv")
    assert "Sorry, I did not understand" in chat.text
    assert "m:register" in chat.payloads


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("tu choi", "refusal"),
        ("Khi nào bị từ chối tiếp?", "refusal"),
        ("bao lau thi co ket qua", "answer"),
        ("ai tiep cong dan", "who"),
        ("when will I get an answer?", "answer"),
    ],
)
async def test_a_free_text_question_finds_its_topic_without_accents(
    app: App, question: str, topic: str
) -> None:
    chat = Chat(app.dialogue)
    await chat.send(question)
    expected = app.services.content.topic("vi", topic)
    assert expected is not None
    assert chat.text.startswith(expected.title)
    assert "m:rules" in chat.payloads


async def test_every_rules_topic_opens_in_both_languages(app: App) -> None:
    chat = Chat(app.dialogue)
    for locale in ("vi", "en"):
        await chat.send(f"/lang {locale}")
        await chat.send("/rules")
        topic_payloads = [p for p in chat.payloads if p.startswith("r:")]
        assert len(topic_payloads) >= 8
        for payload in topic_payloads:
            await chat.press(payload)
            topic = app.services.content.topic(locale, payload.removeprefix("r:"))
            assert topic is not None
            assert topic.body in chat.text


async def test_schedule_lists_sessions_with_host_place_and_places_left(app: App) -> None:
    chat = Chat(app.dialogue)
    await chat.send("/lang en")
    await chat.send("/schedule")
    text = chat.text.replace("\u202f", " ")  # CLDR puts a narrow space before AM/PM
    assert "Tỉnh ủy Lạc Hồng (dữ liệu mẫu)" in text
    assert "Host: Nguyễn Văn Minh, Bí thư Tỉnh ủy" in text
    assert "Tuesday, December 15, 2026, 8:00 AM–11:00 AM" in text
    assert "10 slots left" in text
    assert "Host: Phạm Thị Hoa, Chủ tịch UBND xã" in text
    # 30 days from 30 Nov: the 25 Dec session is listed, 10 January is not.
    assert "Friday, December 25, 2026" in text
    assert "January 10" not in text
    assert any(p.startswith("rs:") for p in chat.payloads)


async def test_schedule_shifts_a_session_off_a_holiday(
    database_url: str, clock: FixedClock
) -> None:
    """Demo rule "10th of each month" meets Tết in February 2027 (4–10 Feb are holidays)."""
    clock.set(clock.now().replace(year=2027, month=1, day=25))
    application = build(config_for(database_url), clock)
    try:
        await fresh_schema(application.engine)
        async with application.store.transaction() as repo:
            await load_demo(repo, clock.now())
        await prepare(application)
        async with application.engine.connect() as connection:
            rows = (
                await connection.execute(
                    select(SessionRow.nominal_date, SessionRow.starts_at).order_by(
                        SessionRow.starts_at
                    )
                )
            ).all()
        shifted = [(n, s) for n, s in rows if n.isoformat() == "2027-02-10"]
        assert len(shifted) == 1
        assert shifted[0][1].astimezone(application.config.bot.zone).date().isoformat() == (
            "2027-02-11"
        )
    finally:
        await application.close()


async def test_switching_language_changes_the_whole_conversation_dates_included(
    app: App,
) -> None:
    chat = Chat(app.dialogue)
    await chat.send("/schedule")
    vietnamese = chat.text
    assert "Thứ Ba, ngày 15/12/2026" in vietnamese
    await chat.press("m:lang")
    await chat.tap("English")
    assert "From now on I will write in English" in chat.text
    await chat.send("/schedule")
    english = chat.text
    assert "Tuesday, December 15, 2026" in english
    assert "Thứ Ba" not in english
    code = await register(chat)
    assert "Friday, December 4, 2026" in chat.text
    await chat.send("/lang vi")
    await chat.send(f"/status {code}")
    assert "Thứ Hai, ngày 14/12/2026" in chat.text
    assert "Monday" not in chat.text
    async with app.engine.connect() as connection:
        locale = (await connection.execute(select(CitizenRow.locale))).scalar_one()
    assert locale == "vi"


async def test_language_change_inside_the_wizard_repeats_the_question(app: App) -> None:
    chat = Chat(app.dialogue)
    await chat.send("/register")
    await chat.press("reg:consent:yes")
    await chat.send("/lang en")
    assert "What is your full name" in chat.text
    await chat.send(ANSWERS["full_name"])
    assert "Your phone number" in chat.text


async def test_a_restart_in_the_middle_of_the_wizard_resumes_at_the_same_step(
    database_url: str, clock: FixedClock, app: App
) -> None:
    chat = Chat(app.dialogue)
    await chat.send("/lang en")
    await chat.send("/register")
    await chat.press("reg:consent:yes")
    await chat.send(ANSWERS["full_name"])
    await chat.send(ANSWERS["phone"])
    assert "personal identification number" in chat.text
    await app.close()

    restarted = build(config_for(database_url), clock)
    try:
        again = Chat(restarted.dialogue)
        await again.send(ANSWERS["id_number"])
        assert "In which province" in again.text
        for name in ("province", "address"):
            await again.send(ANSWERS[name])
        await again.press("reg:kind:feedback")
        await again.press(again.first_payload("reg:leader:"))
        await again.press(again.first_payload("reg:session:"))
        await again.send("1")
        await again.press("reg:interpreter:none")
        for name in ("summary", "prior_handling", "request"):
            await again.send(ANSWERS[name])
        assert "Full name: Nguyễn Văn An" in again.text
        await again.press("reg:review:submit")
        assert "Your registration has been sent" in again.text
    finally:
        await restarted.close()


async def test_one_users_messages_are_handled_in_order_never_concurrently(app: App) -> None:
    chat = Chat(app.dialogue)
    await chat.send("/lang en")
    await chat.send("/register")
    await chat.press("reg:consent:yes")
    answers = [ANSWERS[name] for name in ("full_name", "phone", "id_number", "province")]
    incoming = [
        Incoming(channel="console", user_id=chat.user_id, chat_id=chat.user_id, text=text)
        for text in answers
    ]
    results = await asyncio.gather(*(app.dialogue.handle(i) for i in incoming))
    # Each reply asks the question that follows the answer sent in that position.
    assert "Your phone number" in results[0][0].text
    assert "personal identification number" in results[1][0].text
    assert "In which province" in results[2][0].text
    assert "Your address" in results[3][0].text


async def test_a_failure_inside_the_dialogue_never_shows_a_traceback(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    chat = Chat(app.dialogue)
    await chat.send("/lang en")
    await chat.send("/register")
    await chat.press("reg:consent:yes")
    await chat.send(ANSWERS["full_name"])

    async def broken(*_args: object, **_kwargs: object) -> list[Reply]:
        raise RuntimeError("database is on fire")

    monkeypatch.setattr("bot.dialogue.engine.route", broken)
    await chat.send(ANSWERS["phone"])
    assert "something went wrong on our side" in chat.text
    assert "Traceback" not in chat.text and "fire" not in chat.text
    monkeypatch.undo()
    await chat.send(ANSWERS["phone"])  # the earlier answers were kept
    assert "personal identification number" in chat.text


async def test_no_sessions_means_no_registration_and_a_clear_reason(
    database_url: str, clock: FixedClock
) -> None:
    application = build(config_for(database_url), clock)
    try:
        await fresh_schema(application.engine)
        chat = Chat(application.dialogue)
        await chat.send("/lang en")
        await chat.send("/register")
        assert "No reception session has free places" in chat.text
        await chat.send("/schedule")
        assert "No reception session is published for the next 30 days" in chat.text
    finally:
        await application.close()


@pytest.mark.parametrize(
    ("local_now", "first_open"),
    [
        # Thursday 3 Dec: Friday is a full working day to decide, so Monday 7 Dec is open.
        ((12, 3, 16), "Monday, December 7, 2026"),
        # Friday 4 Dec and Saturday 5 Dec: no working day is left before Monday 7 Dec.
        ((12, 4, 9), "Monday, December 21, 2026"),
        ((12, 5, 9), "Monday, December 21, 2026"),
    ],
)
async def test_bookings_close_when_the_officers_would_have_no_working_day_left(
    app: App, clock: FixedClock, local_now: tuple[int, int, int], first_open: str
) -> None:
    month, day, hour = local_now
    clock.set(datetime(2026, month, day, hour, 0, tzinfo=app.config.bot.zone))
    chat = Chat(app.dialogue)
    await chat.send("/lang en")
    await chat.send("/schedule")
    monday_line = next(line for line in chat.text.splitlines() if "December 7," in line)
    if first_open == "Monday, December 7, 2026":
        assert "slots left" in monday_line
    else:
        assert "registration closed" in monday_line
    await chat.send("/register")
    await chat.press("reg:consent:yes")
    for name in ("full_name", "phone", "id_number", "province", "address"):
        await chat.send(ANSWERS[name])
    await chat.press("reg:kind:complaint")
    async with app.store.transaction() as repo:
        leader = await repo.leader_by_code("bt-xa")
        assert leader is not None
    await chat.press(f"reg:leader:{leader.id}")
    offered = [line for line in chat.text.splitlines() if line.startswith("•")]
    assert first_open in offered[0]
    await chat.press(chat.first_payload("reg:session:"))
    await chat.send("1")
    await chat.press("reg:interpreter:none")
    for name in ("summary", "prior_handling", "request"):
        await chat.send(ANSWERS[name])
    await chat.press("reg:review:submit")
    # The promised answer date is a working day after today and before the session.
    assert "Your registration has been sent" in chat.text
    today = clock.now().astimezone(app.config.bot.zone).date()
    async with app.store.transaction() as repo:
        mine = await repo.registrations_of(
            (await repo.citizen_for("console", chat.user_id, chat.user_id, "vi", clock.now())).id
        )
    work = WorkCalendar()
    promised = min(
        mine[0].due_date,
        work.previous_working_day(
            mine[0].session_starts_at.astimezone(app.config.bot.zone).date()
        ),
    )
    assert promised > today
    assert promised.strftime("%B %-d, %Y") in chat.text


async def test_opening_the_chat_again_mid_registration_brings_the_question_back(
    app: App,
) -> None:
    chat = Chat(app.dialogue)
    await chat.send("/lang en")
    await chat.send("/register")
    await chat.press("reg:consent:yes")
    await chat.send(ANSWERS["full_name"])
    await chat.send("/start")
    assert "continue where you stopped" in chat.text
    assert "Your phone number" in chat.text
    await chat.send(ANSWERS["phone"])
    assert "personal identification number" in chat.text


async def test_a_file_is_refused_and_not_kept(app: App) -> None:
    chat = Chat(app.dialogue)
    await chat.send("/lang en")
    await chat.send("/register")
    await chat.press("reg:consent:yes")
    await chat.send(ANSWERS["full_name"])
    await chat.send(ANSWERS["phone"])
    replies = await app.dialogue.handle(
        Incoming(channel="console", user_id=chat.user_id, chat_id=chat.user_id, attachment="photo")
    )
    text = replies[0].text
    assert "did not keep the one you sent" in text
    assert "Never send a photo of your identity card" in text
    assert "personal identification number" in text  # the question is asked again


def test_the_dialogue_has_no_channel_specific_entry_point() -> None:
    # All take an Incoming: handle answers directly (console), handle_update and
    # handle_updates (several users' in one transaction) answer through the outbox for any
    # channel whose updates go through the inbox.
    assert [name for name in vars(Dialogue) if not name.startswith("_")] == [
        "handle",
        "handle_update",
        "handle_updates",
    ]
