"""Reception sessions as iCalendar (RFC 5545): the feeds anyone may subscribe to, by unit or by
leader, and the appointment a citizen receives when their registration is approved.

A moved session is the same event at its new time: its UID stays, its SEQUENCE (the session's
revision) rises, so a calendar that already shows it moves it. A cancelled session stays in the
feed, marked STATUS:CANCELLED, so subscribers see it struck out rather than silently gone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from icalendar import Alarm, Calendar, Event, Timezone, vDuration

from bot.core.i18n import Translator
from bot.core.model import (
    Leader,
    OutgoingFile,
    RegistrationView,
    SessionStatus,
    SessionView,
)
from bot.core.ports import Repository, Store
from bot.records.scope import UnknownUnit, resolve_scope

PRODID = "-//Tiep Dan//Lich tiep cong dan//VI"
MIME_TYPE = "text/calendar"
DEFAULT_DOMAIN = "tiepdan"
# A feed keeps the recent past: a session just held or cancelled stays visible.
DAYS_BACK = 90
# How often a subscribed calendar should fetch the feed again.
REFRESH = timedelta(hours=1)
# An appointment at a given time blocks this long, within the session's hours.
APPOINTMENT_LENGTH = timedelta(minutes=45)
# The calendar reminds the citizen the day before, at the time of the appointment.
ALARM_BEFORE = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class FeedSettings:
    # Names the events (UID "session-<id>@<domain>"): the deployment's domain, or "tiepdan".
    domain: str = DEFAULT_DOMAIN
    days_ahead: int = 180
    days_back: int = DAYS_BACK


def feed(
    sessions: Iterable[SessionView],
    tr: Translator,
    *,
    name: str,
    uid: str,
    now: datetime,
    domain: str = DEFAULT_DOMAIN,
) -> bytes:
    """A subscribable calendar of the published sessions among ``sessions``."""
    calendar = Calendar.new(
        prodid=PRODID,
        name=tr._("Citizen reception schedule: {name}", name=name),
        uid=f"{uid}@{domain}",
        refresh_interval=REFRESH,
    )
    calendar.add("X-WR-TIMEZONE", tr.zone.key)
    # Outlook reads its own name for the refresh interval.
    calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH))
    calendar.add_component(_timezone(tr.zone.key))
    for session in sessions:
        if session.published:
            calendar.add_component(_session_event(session, tr, now, domain))
    return bytes(calendar.to_ical())


def _session_event(session: SessionView, tr: Translator, now: datetime, domain: str) -> Event:
    cancelled = session.status is SessionStatus.CANCELLED
    summary = tr._(
        "Citizen reception: {leader}, {title}",
        leader=session.leader_name,
        title=session.leader_title,
    )
    lines = [tr._("Unit: {unit}", unit=session.unit_name)]
    if cancelled:
        summary = tr._("Cancelled: {summary}", summary=summary)
        lines.append(tr._("This session is cancelled."))
    elif session.status is SessionStatus.PLANNED and now < session.starts_at:
        lines.append(
            tr._(
                "Places left: {remaining} of {capacity}.",
                remaining=session.remaining,
                capacity=session.capacity,
            )
        )
        lines.append(tr._("To register, send /register to the Tiếp Dân bot."))
    changed = session.updated_at or now
    event = Event.new(
        uid=f"session-{session.id}@{domain}",
        summary=summary,
        start=session.starts_at.astimezone(tr.zone),
        end=session.ends_at.astimezone(tr.zone),
        location=session.location,
        description="\n".join(lines),
        # A feed has no METHOD: DTSTAMP is then when the session last changed (RFC 5545
        # 3.8.7.2), which also keeps the feed's bytes, and so its ETag, stable.
        stamp=changed,
        last_modified=changed,
        sequence=session.revision,
    )
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def appointment(
    registration: RegistrationView,
    session: SessionView,
    when: datetime,
    tr: Translator,
    *,
    now: datetime,
    sequence: int,
    domain: str = DEFAULT_DOMAIN,
) -> OutgoingFile:
    """The citizen's meeting as a calendar file: one event from ``when`` (their slot, or the
    session's start) to the end of their block, with a reminder the day before.

    ``sequence`` grows with each new appointment of the same registration (approved again
    after a cancellation), so importing the newer file moves the event instead of adding one.
    """
    # Without a slot of their own, the citizen is expected for the whole session.
    end = session.ends_at
    if registration.slot_time is not None:
        end = min(when + APPOINTMENT_LENGTH, session.ends_at)
    host = registration.host_name or f"{session.leader_name}, {session.leader_title}"
    summary = tr._(
        "Citizen reception: {host} (registration {code})", host=host, code=registration.code
    )
    description = "\n".join(
        (
            tr._("Received by: {host}", host=host),
            tr._("Registration code: {code}", code=registration.code),
            tr._(
                "Please bring: {items}.",
                items="; ".join(
                    (
                        tr._("your identity card (or VNeID)"),
                        tr._("the documents about your matter"),
                    )
                ),
            ),
            tr._(
                "To see or change your registration, send /status {code} to the Tiếp Dân bot.",
                code=registration.code,
            ),
        )
    )
    uid = f"registration-{registration.code}@{domain}"
    event = Event.new(
        uid=uid,
        summary=summary,
        start=when.astimezone(tr.zone),
        end=end.astimezone(tr.zone),
        location=session.location,
        description=description,
        stamp=now,
        sequence=sequence,
    )
    event.add("status", "CONFIRMED")
    alarm = Alarm.new(description=summary)
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", -ALARM_BEFORE)
    event.add_component(alarm)
    calendar = Calendar.new(prodid=PRODID, method="PUBLISH", uid=uid)
    calendar.add_component(_timezone(tr.zone.key))
    calendar.add_component(event)
    return OutgoingFile(
        f"tiep-cong-dan-{registration.code}.ics", bytes(calendar.to_ical()), MIME_TYPE
    )


@lru_cache(maxsize=4)
def _vtimezone(tzid: str) -> bytes:
    # Working the transitions out is slow: once per zone.
    return bytes(Timezone.from_tzid(tzid).to_ical())


def _timezone(tzid: str) -> Timezone:
    component = Timezone.from_ical(_vtimezone(tzid))
    assert isinstance(component, Timezone)
    return component


# --- reading through the Store ---------------------------------------------------------------


async def unit_feed(
    store: Store, code: str, tr: Translator, settings: FeedSettings, now: datetime
) -> bytes | None:
    """The sessions of a unit and of every unit below it; None when no unit has the code."""
    async with store.transaction() as repo:
        units = await repo.units()
        try:
            scope = resolve_scope(units, code)
        except UnknownUnit:
            return None
        start, end = _window(settings, now)
        sessions = await repo.sessions_in(start, end, unit_ids=scope.unit_ids)
        sessions = _still_held(sessions, {leader.id for leader in await repo.leaders()}, now)
    return feed(
        sessions, tr, name=scope.name, uid=f"unit-{scope.code}", now=now, domain=settings.domain
    )


async def leader_feed(
    store: Store, key: str, tr: Translator, settings: FeedSettings, now: datetime
) -> bytes | None:
    """The sessions of one leader, named by id or by code; None when there is no such leader."""
    async with store.transaction() as repo:
        leader = await _leader(repo, key)
        if leader is None:
            return None
        start, end = _window(settings, now)
        sessions = await repo.sessions_of_leader(leader.id, start, end)
        sessions = _still_held(sessions, {leader.id} if leader.active else set(), now)
    return feed(
        sessions,
        tr,
        name=f"{leader.name}, {leader.title}",
        uid=f"leader-{leader.id}",
        now=now,
        domain=settings.domain,
    )


async def _leader(repo: Repository, key: str) -> Leader | None:
    if key.isascii() and key.isdigit():
        found = await repo.leader(int(key))
        if found is not None:
            return found
    return await repo.leader_by_code(key)


def _window(settings: FeedSettings, now: datetime) -> tuple[datetime, datetime]:
    return now - timedelta(days=settings.days_back), now + timedelta(days=settings.days_ahead)


def _still_held(
    sessions: list[SessionView], active_leaders: set[int], now: datetime
) -> list[SessionView]:
    """A leader no longer in office holds none of their sessions still ahead."""
    return [s for s in sessions if s.starts_at <= now or s.leader_id in active_leaders]
