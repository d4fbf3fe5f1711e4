"""Khmer (ភាសាខ្មែរ): a citizen who writes in Khmer registers in Khmer, confirms the
Vietnamese record the officers will read, and is offered a Khmer interpreter first; the
officers read Vietnamese with the citizen's language and the interpreter flagged; texts not
yet reviewed by a native speaker say so and offer the Vietnamese original."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest

from bot.app import App, build, prepare
from bot.core.clock import FixedClock
from bot.core.model import RegistrationView
from bot.core.text import in_khmer
from bot.demo import load_demo
from bot.dialogue import planner
from tests.conftest import config_for, fresh_schema
from tests.support import ANSWERS, Chat

KHMER = ("vi", "en", "km")
# What the citizen writes, in Khmer: kept as written in the Vietnamese record.
SUMMARY = "ខ្ញុំសូមប្ដឹងតវ៉ាអំពីសេចក្ដីសម្រេចដកហូតដីលេខ 12/QĐ-UBND ព្រោះសំណងមិនត្រឹមត្រូវ។"
REQUEST = "សូមពិនិត្យសេចក្ដីសម្រេចដកហូតដីឡើងវិញ។"
TICKET = re.compile(r"\b[2-9A-Z]{4}-[2-9A-Z]{4}\b")


async def submitted(app: App, chat: Chat) -> RegistrationView:
    """The registration whose code the citizen was just given."""
    [code] = set(TICKET.findall(chat.text))
    async with app.store.transaction() as repo:
        found = await repo.registration_by_code(code)
    assert found is not None
    return found


@pytest.fixture
async def app(database_url: str, clock: FixedClock) -> AsyncIterator[App]:
    application = build(config_for(database_url, bot={"locales": list(KHMER)}), clock)
    await fresh_schema(application.engine)
    async with application.store.transaction() as repo:
        await load_demo(repo, clock.now())
    await prepare(application)
    yield application
    await application.close()


async def khmer_citizen(app: App, user_id: str = "kh-1") -> Chat:
    chat = Chat(app.dialogue, user_id=user_id)
    await chat.send("/lang")
    assert "ភាសាខ្មែរ (Khmer)" in chat.labels
    await chat.tap("ភាសាខ្មែរ")
    assert in_khmer(chat.text)
    return chat


async def register_in_khmer(chat: Chat, interpreter: str = "reg:interpreter:km") -> str:
    await chat.send("/register")
    # The privacy notice is a translation not yet reviewed: it says so, and where the
    # Vietnamese is.
    assert "/privacy_vi" in chat.text and in_khmer(chat.text)
    await chat.press("reg:consent:yes")
    for step in ("full_name", "phone", "id_number", "province", "address"):
        await chat.send(ANSWERS[step])
    await chat.press("reg:kind:complaint")
    await chat.press(chat.first_payload("reg:leader:"))
    await chat.press(chat.first_payload("reg:session:"))
    await chat.send("1")
    # Writing in Khmer: a Khmer interpreter is offered first, one tap.
    assert chat.payloads[0] == "reg:interpreter:km"
    assert in_khmer(chat.labels[0])
    if interpreter.startswith("reg:"):
        await chat.press(interpreter)
    else:
        await chat.send(interpreter)
    await chat.send(SUMMARY)
    await chat.send(ANSWERS["prior_handling"])
    await chat.send(REQUEST)
    return chat.text


async def test_a_registration_in_khmer_shows_the_vietnamese_record_before_it_is_sent(
    app: App,
) -> None:
    chat = await khmer_citizen(app)
    review = await register_in_khmer(chat)
    mine, _sep, record = review.partition("កំណត់ត្រាដែលមន្ត្រីនឹងអាន ជាភាសាវៀតណាម")
    assert record, review
    # The citizen's own review, in Khmer...
    assert in_khmer(mine)
    # ...then the fields as the officers will read them: labels and choices in Vietnamese,
    # what the citizen wrote as written.
    assert "• Họ và tên: Nguyễn Văn An" in record
    assert "• Loại nội dung: Khiếu nại" in record
    assert "• Người phiên dịch: tiếng Khmer" in record
    assert f"• Nội dung sự việc: {SUMMARY}" in record
    assert "• Số người cùng nội dung: 1" in record or "Số người" in record

    await chat.press("reg:review:submit")
    assert in_khmer(chat.text)
    code = (await submitted(app, chat)).code

    # The officers' language is Vietnamese (the default): no /lang.
    desk = Chat(app.dialogue, user_id="officer")
    await desk.send(f"/view {code}")
    view = desk.text
    # Vietnamese throughout, but for what the citizen wrote.
    assert SUMMARY in view and REQUEST in view
    assert not in_khmer(view.replace(SUMMARY, "").replace(REQUEST, ""))
    assert "🗣 Cần người phiên dịch: tiếng Khmer" in view
    assert "💬 Trò chuyện với bot bằng tiếng Khmer" in view


async def test_the_leaders_digest_flags_the_interpreter_and_the_language(app: App) -> None:
    chat = await khmer_citizen(app)
    await register_in_khmer(chat)
    await chat.press("reg:review:submit")
    registration = await submitted(app, chat)
    tr = app.services.catalogs.get("vi")
    async with app.store.transaction() as repo:
        session = await repo.session(registration.session_id)
    assert session is not None
    digest = planner.digest_text(tr, session, [registration], True, app.services)
    assert "🗣 Cần người phiên dịch: tiếng Khmer" in digest
    assert "💬 Trò chuyện với bot bằng tiếng Khmer" in digest


@pytest.mark.parametrize(
    ("answer", "recorded"),
    [
        ("reg:interpreter:none", ""),
        ("មិនត្រូវការអ្នកបកប្រែទេ", ""),  # "I do not need an interpreter"
        ("ទេ", ""),  # "no"
        ("không cần phiên dịch tiếng Khmer", ""),
        ("ខ្មែរ", "tiếng Khmer"),
        ("ខ្ញុំនិយាយភាសាខ្មែរ ហើយមិនសូវចេះភាសាវៀតណាម", "tiếng Khmer"),  # "not fluent"
        ("tiếng Khmer", "tiếng Khmer"),
    ],
)
async def test_what_a_citizen_writing_in_khmer_answers_about_an_interpreter(
    app: App, answer: str, recorded: str
) -> None:
    chat = await khmer_citizen(app, "kh-2")
    review = await register_in_khmer(chat, interpreter=answer)
    assert f"• Người phiên dịch: {recorded or 'không cần'}" in review
    await chat.press("reg:review:submit")
    registration = await submitted(app, chat)
    assert registration.interpreter == recorded


async def test_an_unreviewed_topic_says_so_and_offers_the_vietnamese_original(app: App) -> None:
    chat = await khmer_citizen(app)
    await chat.send("/rules")
    await chat.press(chat.first_payload("r:"))
    topic = chat.text
    assert in_khmer(topic)
    assert topic.startswith("ℹ️ ")
    assert chat.payloads[0].endswith(":vi")
    await chat.press(chat.payloads[0])
    original = chat.text
    # The same topic in Vietnamese, the buttons still in Khmer.
    assert not in_khmer(original) and "Luật" in original
    assert all(in_khmer(label) for label in chat.labels)
    # The privacy notice: a button on its page, a command to tap in its note.
    await chat.send("/privacy")
    assert in_khmer(chat.text) and "/privacy_vi" in chat.text
    await chat.press(chat.payloads[0])
    assert chat.text.startswith("Thông báo về xử lý dữ liệu cá nhân")
    assert not in_khmer(chat.text)
    for command in ("/privacy_vi", "/privacy vi"):
        await chat.send(command)
        assert chat.text.startswith("Thông báo về xử lý dữ liệu cá nhân")


async def test_a_reviewed_language_shows_no_notice(app: App) -> None:
    chat = Chat(app.dialogue, user_id="vi-1")
    await chat.send("/rules")
    await chat.press(chat.first_payload("r:"))
    assert not chat.text.startswith("ℹ️") and not any(p.endswith(":vi") for p in chat.payloads)
    await chat.send("/privacy")
    assert "/privacy_vi" not in chat.text


async def test_a_refusal_in_khmer_keeps_the_vietnamese_ground_beside_it(app: App) -> None:
    content = app.services.content
    assert not content.reviewed("km", "refusals") and content.reviewed("vi", "refusals")
    km = content.refusal("km", "incapacitated")
    vi = content.refusal("vi", "incapacitated")
    assert km is not None and vi is not None
    assert in_khmer(km.title) and km.title.endswith(f"[{vi.title}]")
    assert "Điều 9" in km.basis


async def test_khmer_dates_are_written_by_babel_for_khmer(app: App, clock: FixedClock) -> None:
    tr = app.services.catalogs.get("km")
    day = tr.day(clock.now().date())
    assert in_khmer(day) and "2026" in day


async def test_a_question_typed_in_khmer_finds_its_topic(app: App) -> None:
    """Khmer writes no spaces between words: a keyword is found inside the question."""
    chat = await khmer_citizen(app)
    await chat.send("តើមន្ត្រីអាចបដិសេធមិនទទួលជួបបានទេ")
    assert chat.text.startswith("ℹ️ ") and in_khmer(chat.text)
    assert any(p == "r:refusal:vi" for p in chat.payloads)


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("តើមន្ត្រីអាចបដិសេធមិនទទួលជួបបានទេ", "refusal"),  # can the officers refuse me?
        ("ត្រូវយកអ្វីមកជាមួយ", "before"),  # what must I bring?
        ("ខ្ញុំចង់ដឹងពីសិទ្ធិរបស់ប្រជាពលរដ្ឋ", "rights"),  # citizens' rights
        # Words that only contain a keyword, or a keyword's start inside a written character:
        ("ប្រធានាធិបតី", None),  # "president" (ប្រធាន + ា)
        ("ការបែងចែកដី", None),  # dividing land: a matter, not a question about the kinds
        ("អរគុណសម្រាប់ចម្លើយ", None),  # thanks for the answer
        ("សុវត្ថិភាពចរាចរណ៍", None),  # road safety
    ],
)
def test_khmer_questions_find_their_topic_and_nothing_else(
    app: App, question: str, topic: str | None
) -> None:
    assert app.services.content.match(question) == topic
