"""The approval notice carries the appointment as a calendar file, where the channel can hand a
file over; the notice's text stays what it was."""

from __future__ import annotations

import base64
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event
from sqlalchemy import select

from bot.app import App
from bot.core.model import Channel, accepts_files
from bot.dialogue import notices
from storage.tables import OutboxRow
from tests.support import Chat, leader, officer, register

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


async def approval_payload(app: App, chat_id: str) -> dict[str, Any]:
    """The citizen's newest decision notice, as the outbox keeps it."""
    async with app.engine.connect() as connection:
        payloads = await connection.execute(
            select(OutboxRow.payload)
            .where(OutboxRow.recipient == chat_id, OutboxRow.purpose == "notice")
            .order_by(OutboxRow.id.desc())
        )
        return dict(payloads.scalars().first() or {})


def only_event(data: bytes) -> Event:
    (event,) = Calendar.from_ical(data).events
    return event


async def applicant(app: App, user_id: str, channel: str) -> tuple[Chat, str]:
    chat = Chat(app.dialogue, user_id=user_id, channel=channel)
    await chat.send("/lang en")
    code = await register(chat, leader_id=(await leader(app, "bt-tinh")).id)
    return chat, code


def test_only_channels_that_hand_files_over_accept_them() -> None:
    assert accepts_files(Channel.TELEGRAM)
    assert accepts_files("telegram")
    assert not accepts_files(Channel.CONSOLE)
    assert not accepts_files(Channel.ZALO_BOT)


async def test_an_approval_on_telegram_carries_the_appointment_as_ics(app: App) -> None:
    _chat, code = await applicant(app, "4242", Channel.TELEGRAM.value)
    desk = await officer(app)
    await desk.send(f"/approve {code} 09:30")
    assert "scheduled into session" in desk.text

    payload = await approval_payload(app, "4242")
    file = payload["file"]
    assert file["filename"] == f"tiep-cong-dan-{code}.ics"
    assert file["mime_type"] == "text/calendar"
    event = only_event(base64.b64decode(file["content"]))
    async with app.store.transaction() as repo:
        registration = await repo.registration_by_code(code)
        assert registration is not None
        session = await repo.session(registration.session_id)
    assert session is not None
    day = session.starts_at.astimezone(ZONE).date()
    assert event.start == datetime.combine(day, time(9, 30), tzinfo=ZONE)
    assert isinstance(event.end, datetime) and event.end <= session.ends_at
    assert event.uid == f"registration-{code}@tiepdan"
    assert str(event.location) == session.location
    assert code in str(event.description)
    # The text is the approval notice as it always was.
    tr = app.services.catalogs.get("en")
    appointment = datetime.combine(day, time(9, 30), tzinfo=ZONE)
    assert payload["text"] == notices.approved(tr, registration, session, appointment)


async def test_a_new_approval_of_the_same_registration_is_a_newer_version(app: App) -> None:
    chat, code = await applicant(app, "4243", Channel.TELEGRAM.value)
    desk = await officer(app)
    await desk.send(f"/approve {code}")
    notice = await approval_payload(app, "4243")
    first = only_event(base64.b64decode(notice["file"]["content"]))
    # The citizen cannot come; the officers offer another time.
    await chat.press(
        next(c["payload"] for c in notice["choices"] if c["payload"].startswith("rc:no:"))
    )
    await desk.send(f"/approve {code} 10:00")
    assert "scheduled into session" in desk.text, desk.text
    second = only_event(base64.b64decode((await approval_payload(app, "4243"))["file"]["content"]))
    assert first.uid == second.uid
    assert second.sequence > first.sequence
    assert isinstance(second.start, datetime) and second.start.time() == time(10, 0)


async def test_an_approval_on_the_console_carries_no_file(app: App) -> None:
    _chat, code = await applicant(app, "4244", Channel.CONSOLE.value)
    desk = await officer(app)
    await desk.send(f"/approve {code}")
    payload = await approval_payload(app, "4244")
    assert code in payload["text"]
    assert "file" not in payload


async def test_a_moved_session_sends_the_same_event_at_its_new_time(app: App) -> None:
    _chat, code = await applicant(app, "4343", Channel.TELEGRAM.value)
    desk = await officer(app)
    await desk.send(f"/approve {code}")
    first = only_event(base64.b64decode((await approval_payload(app, "4343"))["file"]["content"]))
    async with app.store.transaction() as repo:
        registration = await repo.registration_by_code(code)
    assert registration is not None
    admin = await officer(app, "admin")

    await admin.send(f"/session move {registration.session_id} 17/12/2026 14:00-16:00 Hội trường")

    moved = await approval_payload(app, "4343")
    assert "17" in moved["text"] and moved["file"]["filename"] == f"tiep-cong-dan-{code}.ics"
    event = only_event(base64.b64decode(moved["file"]["content"]))
    assert event.uid == first.uid  # the same event, moved in the citizen's calendar
    assert int(str(event["SEQUENCE"])) > int(str(first["SEQUENCE"]))
    assert event.start == datetime(2026, 12, 17, 14, 0, tzinfo=ZONE)
    assert str(event.location) == "Hội trường"
