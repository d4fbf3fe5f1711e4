"""Sessions and appointments as iCalendar: what a calendar app reads back from our bytes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Alarm, Calendar, Event

from bot.config import DEFAULT_LOCALES_DIR
from bot.core.i18n import Catalogs, Translator
from bot.core.model import (
    RegistrationStatus,
    RegistrationView,
    RequestKind,
    SessionStatus,
    SessionView,
)
from bot.records import calendar

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
LOCALES_DIR = DEFAULT_LOCALES_DIR
NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
CHANGED = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)

SESSION = SessionView(
    id=7,
    leader_id=2,
    leader_name="Nguyễn Văn Minh",
    leader_title="Bí thư Tỉnh ủy",
    unit_id=1,
    unit_name="Tỉnh ủy Lạc Hồng",
    starts_at=datetime(2026, 12, 15, 8, 0, tzinfo=ZONE),
    ends_at=datetime(2026, 12, 15, 11, 0, tzinfo=ZONE),
    location="Trụ sở Tiếp công dân tỉnh",
    capacity=10,
    taken=3,
    status=SessionStatus.PLANNED,
    published=True,
    revision=0,
    updated_at=CHANGED,
)
REGISTRATION = RegistrationView(
    id=11,
    code="K7MQ-X4PD",
    citizen_id=5,
    kind=RequestKind.COMPLAINT,
    status=RegistrationStatus.APPROVED,
    full_name="Nguyễn Văn An",
    summary="Khiếu nại quyết định thu hồi đất",
    request="Xem xét lại",
    people_count=1,
    leader_name=SESSION.leader_name,
    leader_title=SESSION.leader_title,
    session_id=SESSION.id,
    session_starts_at=SESSION.starts_at,
    session_location=SESSION.location,
    submitted_at=NOW,
    due_date=date(2026, 12, 14),
)


@pytest.fixture(scope="module")
def tr() -> Translator:
    return Catalogs(LOCALES_DIR, ("vi", "en"), "vi", ZONE).get("en")


def events(data: bytes) -> list[Event]:
    return list(Calendar.from_ical(data).events)


def test_a_feed_is_a_valid_calendar_with_its_time_zone(tr: Translator) -> None:
    parsed = Calendar.from_ical(
        calendar.feed([SESSION], tr, name="Tỉnh ủy Lạc Hồng", uid="unit-x", now=NOW)
    )
    assert parsed["VERSION"] == "2.0"
    assert parsed["PRODID"] == calendar.PRODID
    assert parsed["X-WR-TIMEZONE"] == "Asia/Ho_Chi_Minh"
    assert "Tỉnh ủy Lạc Hồng" in str(parsed["X-WR-CALNAME"])
    assert [tz["TZID"] for tz in parsed.walk("VTIMEZONE")] == ["Asia/Ho_Chi_Minh"]
    # An empty feed still says its zone, so a client shows later events right.
    empty = Calendar.from_ical(calendar.feed([], tr, name="x", uid="unit-x", now=NOW))
    assert [tz["TZID"] for tz in empty.walk("VTIMEZONE")] == ["Asia/Ho_Chi_Minh"]


def test_each_published_session_is_one_event_in_local_time(tr: Translator) -> None:
    hidden = replace(SESSION, id=8, published=False)
    (event,) = events(calendar.feed([SESSION, hidden], tr, name="x", uid="u", now=NOW))
    assert event.uid == "session-7@tiepdan"
    assert event.start == datetime(2026, 12, 15, 8, 0, tzinfo=ZONE)
    assert event.end == datetime(2026, 12, 15, 11, 0, tzinfo=ZONE)
    assert isinstance(event.start, datetime)
    assert str(event.start.tzinfo) == "Asia/Ho_Chi_Minh"
    assert "DTSTART;TZID=Asia/Ho_Chi_Minh:20261215T080000" in event.to_ical().decode()
    assert event["STATUS"] == "CONFIRMED"
    assert str(event.summary) == "Citizen reception: Nguyễn Văn Minh, Bí thư Tỉnh ủy"
    assert str(event.location) == "Trụ sở Tiếp công dân tỉnh"
    assert "Tỉnh ủy Lạc Hồng" in str(event.description)
    assert "7 of 10" in str(event.description)
    assert event.DTSTAMP == CHANGED
    assert event.sequence == 0


def test_a_cancelled_session_stays_marked_cancelled(tr: Translator) -> None:
    cancelled = replace(SESSION, status=SessionStatus.CANCELLED, revision=1)
    (event,) = events(calendar.feed([cancelled], tr, name="x", uid="u", now=NOW))
    assert event["STATUS"] == "CANCELLED"
    assert event.sequence == 1
    assert "Cancelled" in str(event.summary)
    assert "Places left" not in str(event.description)


def test_a_moved_session_keeps_its_uid_at_the_new_time_with_a_higher_sequence(
    tr: Translator,
) -> None:
    moved = replace(
        SESSION,
        starts_at=datetime(2026, 12, 17, 14, 0, tzinfo=ZONE),
        ends_at=datetime(2026, 12, 17, 16, 0, tzinfo=ZONE),
        revision=1,
        updated_at=NOW,
    )
    (before,) = events(calendar.feed([SESSION], tr, name="x", uid="u", now=NOW))
    (after,) = events(calendar.feed([moved], tr, name="x", uid="u", now=NOW))
    assert after.uid == before.uid
    assert after.sequence > before.sequence
    assert after.start == datetime(2026, 12, 17, 14, 0, tzinfo=ZONE)
    assert after.DTSTAMP > before.DTSTAMP


def test_the_same_sessions_give_the_same_bytes(tr: Translator) -> None:
    """A client revalidating with the ETag must not download an unchanged feed again."""
    first = calendar.feed([SESSION], tr, name="x", uid="u", now=NOW)
    later = calendar.feed([SESSION], tr, name="x", uid="u", now=NOW + timedelta(minutes=5))
    assert first == later


def test_the_domain_names_the_events(tr: Translator) -> None:
    data = calendar.feed([SESSION], tr, name="x", uid="u", now=NOW, domain="tiepdan.example.vn")
    (event,) = events(data)
    assert event.uid == "session-7@tiepdan.example.vn"


# --- the appointment -------------------------------------------------------------------------


def test_an_appointment_at_a_slot_is_a_block_within_the_session(tr: Translator) -> None:
    at = datetime(2026, 12, 15, 9, 30, tzinfo=ZONE)
    file = calendar.appointment(
        replace(REGISTRATION, slot_time=time(9, 30)), SESSION, at, tr, now=NOW, sequence=0
    )
    assert file.filename == "tiep-cong-dan-K7MQ-X4PD.ics"
    assert file.mime_type == "text/calendar"
    parsed = Calendar.from_ical(file.content)
    assert parsed["METHOD"] == "PUBLISH"
    (event,) = parsed.events
    assert event.uid == "registration-K7MQ-X4PD@tiepdan"
    assert event.start == at
    assert event.end == datetime(2026, 12, 15, 10, 15, tzinfo=ZONE)
    assert "K7MQ-X4PD" in str(event.description)
    assert "Nguyễn Văn Minh" in str(event.summary)
    assert str(event.location) == SESSION.location
    (alarm,) = event.subcomponents
    assert isinstance(alarm, Alarm)
    assert alarm.triggers.start == (timedelta(days=-1),)
    assert alarm["ACTION"] == "DISPLAY"


def test_a_late_slot_ends_with_the_session_and_no_slot_means_the_whole_session(
    tr: Translator,
) -> None:
    late = datetime(2026, 12, 15, 10, 40, tzinfo=ZONE)
    (event,) = events(
        calendar.appointment(
            replace(REGISTRATION, slot_time=time(10, 40)), SESSION, late, tr, now=NOW, sequence=0
        ).content
    )
    assert event.end == SESSION.ends_at
    (whole,) = events(
        calendar.appointment(
            REGISTRATION, SESSION, SESSION.starts_at, tr, now=NOW, sequence=2
        ).content
    )
    assert (whole.start, whole.end) == (SESSION.starts_at, SESSION.ends_at)
    assert whole.sequence == 2


def test_the_appointment_names_who_receives_in_the_leaders_place(tr: Translator) -> None:
    delegated = replace(REGISTRATION, host_name="Phó Bí thư Trần Văn Phó")
    (event,) = events(
        calendar.appointment(
            delegated, SESSION, SESSION.starts_at, tr, now=NOW, sequence=0
        ).content
    )
    assert "Trần Văn Phó" in str(event.summary)
    assert "Trần Văn Phó" in str(event.description)
    # Nothing the citizen wrote about their matter is in their calendar.
    assert "thu hồi đất" not in event.to_ical().decode()
