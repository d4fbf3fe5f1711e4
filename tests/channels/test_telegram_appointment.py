"""On Telegram the approved citizen receives the appointment as a document: the file survives
the outbox and goes out through sendDocument, with the approval's text and buttons."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from bot import runtime
from bot.app import App
from bot.core.clock import FixedClock
from tests.channels.telegram_steps import register, say
from tests.channels.test_telegram import CITIZEN, TELEGRAM_OFFICER, running_app
from tests.fakes.telegram import FakeTelegram

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
async def telegram_app(
    database_url: str, clock: FixedClock, fake: FakeTelegram
) -> AsyncIterator[App]:
    app, running = await running_app(database_url, clock, fake)
    try:
        yield app
    finally:
        await runtime.stop(running)
        await app.close()


async def test_the_approved_citizen_receives_the_appointment_as_a_document(
    telegram_app: App, fake: FakeTelegram
) -> None:
    code = await register(fake, CITIZEN)
    answer = await say(fake, TELEGRAM_OFFICER, f"/approve {code}")
    assert code in answer.text

    sent = await fake.wait_for(CITIZEN, lambda m: m.document is not None)
    assert sent.document is not None
    assert sent.document_name == f"tiep-cong-dan-{code}.ics"
    async with telegram_app.store.transaction() as repo:
        registration = await repo.registration_by_code(code)
        assert registration is not None
        session = await repo.session(registration.session_id)
    assert session is not None
    (event,) = Calendar.from_ical(sent.document).events
    assert event.uid == f"registration-{code}@tiepdan"
    assert event.start == session.starts_at.astimezone(ZONE)
    assert isinstance(event.start, datetime) and str(event.start.tzinfo) == "Asia/Ho_Chi_Minh"
    [call] = [params for method, params, _at in fake.calls if method == "sendDocument"]
    assert call["chat_id"] == str(CITIZEN)
    # The approval's words and its "I will come / I cannot come" buttons came too.
    notice = next(m for m in fake.to(CITIZEN) if code in m.text and "rc:" in str(m.markup))
    assert any(b["callback_data"].startswith("rc:yes:") for b in notice.buttons())
