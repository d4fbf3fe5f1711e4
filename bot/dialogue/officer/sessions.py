"""Admins change the schedule: list, add, publish, cancel and move sessions; days off."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from bot.core import sessions, triage, validation
from bot.core.i18n import Translator
from bot.core.labels import SESSION_STATES
from bot.core.model import (
    CalendarOverride,
    Leader,
    NewSession,
    OfficerRole,
    OutboxMessage,
    RegistrationView,
    Reply,
    SessionStatus,
    SessionView,
)
from bot.dialogue import alerts, notices
from bot.dialogue.context import Turn
from bot.dialogue.officer.access import Desk, Refusal, require_role
from bot.records import calendar

_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})", re.ASCII)
_HOURS = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)-([01]?\d|2[0-3]):([0-5]\d)", re.ASCII)
_ID = re.compile(r"#?(\d{1,9})", re.ASCII)
PLACE_MAX, REASON_MAX = 300, 1000

USAGE = {
    "list": "/session list [LEADER]",
    "add": "/session add LEADER DD/MM/YYYY HH:MM-HH:MM CAPACITY [draft] PLACE",
    "publish": "/session publish ID",
    "cancel": "/session cancel ID REASON",
    "move": "/session move ID DD/MM/YYYY HH:MM-HH:MM [PLACE]",
}
FURTHEST_AHEAD = timedelta(days=2 * 366)
DAY_USAGE = {"dayoff": "/dayoff DD/MM/YYYY [note]", "workday": "/workday DD/MM/YYYY [note]"}


def _usage(turn: Turn, usage: str) -> Refusal:
    return Refusal(turn._("Usage: {usage}", usage=usage), "usage")


def _day(turn: Turn, text: str, usage: str) -> date:
    match = _DATE.fullmatch(text)
    if match is None:
        raise _usage(turn, usage)
    try:
        day = date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
    except ValueError as exc:
        raise _usage(turn, usage) from exc
    if day > turn.today + FURTHEST_AHEAD:
        # Almost always a mistyped year; nobody plans receptions that far ahead.
        raise Refusal(
            turn._("{date} is more than two years ahead: please check the year.", date=text),
            "too_far",
        )
    return day


def _hours(turn: Turn, day: date, text: str, usage: str) -> tuple[datetime, datetime]:
    match = _HOURS.fullmatch(text)
    if match is None:
        raise _usage(turn, usage)
    zone = turn.settings.booking.zone
    start = datetime.combine(day, time(int(match.group(1)), int(match.group(2))), tzinfo=zone)
    end = datetime.combine(day, time(int(match.group(3)), int(match.group(4))), tzinfo=zone)
    if end <= start:
        raise _usage(turn, usage)
    return start, end


def _place(turn: Turn, words: list[str], usage: str) -> str:
    place = " ".join(words)
    if not place or len(place) > PLACE_MAX:
        raise _usage(turn, usage)
    return place


async def _leader_in_scope(turn: Turn, place: Desk, code: str) -> Leader:
    leader = await turn.repo.leader_by_code(code)
    if leader is None or not leader.active:
        raise Refusal(
            turn._("There is no leader with the code {leader}.", leader=code), "not_found"
        )
    if place.scope is not None and leader.unit_id not in place.scope:
        raise Refusal(
            turn._("{leader} works in a unit outside your units.", leader=leader.name),
            "out_of_scope",
        )
    return leader


async def _leaders_in_scope(turn: Turn, place: Desk) -> list[Leader]:
    return [
        leader
        for leader in await turn.repo.leaders()
        if place.scope is None or leader.unit_id in place.scope
    ]


async def _session_in_scope(turn: Turn, place: Desk, text: str, usage: str) -> SessionView:
    match = _ID.fullmatch(text)
    if match is None:
        raise _usage(turn, usage)
    session = await turn.repo.session(int(match.group(1)))
    if session is None:
        raise Refusal(
            turn._("There is no session #{session}.", session=match.group(1)), "not_found"
        )
    if place.scope is not None and session.unit_id not in place.scope:
        raise Refusal(
            turn._("Session #{session} belongs to a unit outside your units.", session=session.id),
            "out_of_scope",
        )
    return session


async def run(turn: Turn, place: Desk, argument: str) -> tuple[Reply, str]:
    require_role(turn, place.officer, OfficerRole.ADMIN)
    verb, _sep, rest = argument.strip().partition(" ")
    words = rest.split()
    if verb == "list":
        return await _list(turn, place, words), ""
    if verb == "add":
        return await _add(turn, place, words)
    if verb == "publish" and len(words) == 1:
        return await _publish(turn, place, words[0])
    if verb == "cancel" and len(words) >= 2:
        return await _cancel(turn, place, words[0], " ".join(words[1:]))
    if verb == "move" and len(words) >= 3:
        return await _move(turn, place, words)
    raise Refusal(turn._("Usage: {usage}", usage=" | ".join(USAGE.values())), "usage")


def _line(turn: Turn, session: SessionView) -> str:
    state = turn._("draft") if not session.published else turn._(SESSION_STATES[session.status])
    return turn._(
        "#{session} {date}, {start}–{end} · {leader} · {place} · {taken}/{capacity} · {state}",
        session=session.id,
        date=turn.tr.short_day(session.starts_at.astimezone(turn.settings.booking.zone).date()),
        start=turn.tr.hour(session.starts_at),
        end=turn.tr.hour(session.ends_at),
        leader=session.leader_name,
        place=session.location,
        taken=session.taken,
        capacity=session.capacity,
        state=state,
    )


async def _list(turn: Turn, place: Desk, words: list[str]) -> Reply:
    end = turn.now + timedelta(days=turn.settings.booking.horizon_days)
    if words:
        leaders = [await _leader_in_scope(turn, place, words[0])]
    else:
        leaders = await _leaders_in_scope(turn, place)
    lines = [
        turn._("Sessions of the coming {days} days:", days=turn.settings.booking.horizon_days)
    ]
    for leader in leaders:
        for session in await turn.repo.sessions_of_leader(leader.id, turn.now, end):
            lines.append(_line(turn, session))
    if len(lines) == 1:
        lines.append(turn._("No session."))
    return Reply("\n".join(lines))


async def _add(turn: Turn, place: Desk, words: list[str]) -> tuple[Reply, str]:
    usage = USAGE["add"]
    if len(words) < 5:
        raise _usage(turn, usage)
    leader = await _leader_in_scope(turn, place, words[0])
    day = _day(turn, words[1], usage)
    start, end = _hours(turn, day, words[2], usage)
    if not words[3].isascii() or not words[3].isdigit() or not 1 <= int(words[3]) <= 500:
        raise _usage(turn, usage)
    draft = words[4].lower() == "draft"
    location = _place(turn, words[5:] if draft else words[4:], usage)
    if start <= turn.now:
        raise Refusal(turn._("This time is already past."), "past")
    session_id = await turn.repo.add_session(
        NewSession(
            leader_id=leader.id,
            rule_id=None,
            nominal_date=day,
            starts_at=start,
            ends_at=end,
            location=location,
            capacity=int(words[3]),
            published_at=None if draft else turn.now,
        ),
        None,
        turn.now,
    )
    added = await turn.repo.session(session_id)
    assert added is not None
    lines = [turn._("Session added: {session}", session=_line(turn, added))]
    if not draft:
        lines += await _short_notice(turn, added)
    return Reply("\n".join(lines)), str(session_id)


async def _publish(turn: Turn, place: Desk, text: str) -> tuple[Reply, str]:
    session = await _session_in_scope(turn, place, text, USAGE["publish"])
    try:
        published = await sessions.publish(turn.repo, session.id, turn.now)
    except sessions.SessionChangeRefused as refused:
        raise Refusal(_not_planned(turn, session), refused.reason) from refused
    lines = [turn._("Published: {session}", session=_line(turn, published))]
    lines += await _short_notice(turn, published)
    return Reply("\n".join(lines)), str(session.id)


async def _short_notice(turn: Turn, session: SessionView) -> list[str]:
    day = session.starts_at.astimezone(turn.settings.booking.zone).date()
    if not sessions.publication_notice_short(day, turn.today, await turn.calendar()):
        return []
    return [
        turn._(
            "⚠️ This session is published less than {days} working days ahead; the Law on "
            "Citizen Reception (Art. 24) asks for at least {days}.",
            days=sessions.PUBLICATION_NOTICE_WORKING_DAYS,
        )
    ]


def _not_planned(turn: Turn, session: SessionView) -> str:
    return turn._(
        "Session #{session} is over or cancelled: it cannot be changed.", session=session.id
    )


async def _cancel(turn: Turn, place: Desk, text: str, reason: str) -> tuple[Reply, str]:
    session = await _session_in_scope(turn, place, text, USAGE["cancel"])
    if len(reason) > REASON_MAX:
        raise _usage(turn, USAGE["cancel"])
    try:
        before, affected, waiting = await sessions.cancel(
            turn.repo, session.id, reason, place.officer.actor, turn.now
        )
    except sessions.SessionChangeRefused as refused:
        raise Refusal(_not_planned(turn, session), refused.reason) from refused
    for item in affected:
        after = await turn.repo.registration_by_code(item.before.code)
        assert after is not None
        tr = notices.translator_for(turn, after)
        # The notice tells the date the citizen expected, before the cancellation.
        await notices.send(
            turn, after, item.event_id, notices.session_cancelled(tr, item.before, reason)
        )
    for registration in (r for r in waiting if r.has_chat):
        tr = notices.translator_for(turn, registration)
        await turn.repo.enqueue(
            OutboxMessage(
                idempotency_key=f"session:{session.id}:cancelled:registration:{registration.id}",
                channel=registration.citizen_channel,
                recipient=registration.citizen_chat_id,
                text=notices.session_cancelled_waiting(tr, registration, reason),
                due_at=turn.now,
            )
        )
    await alerts.tell_officers(
        turn.repo,
        turn.services,
        [item.before for item in affected] + waiting,
        lambda tr, regs: _cancelled_for_officers(tr, before, regs),
        f"session:{session.id}:cancelled",
        turn.now,
    )
    reply = turn.n_(
        "Session #{session} is cancelled; {n} scheduled registration goes back to the queue "
        "with priority. Every citizen concerned has been told.",
        "Session #{session} is cancelled; {n} scheduled registrations go back to the queue "
        "with priority. Every citizen concerned has been told.",
        len(affected),
        session=session.id,
    )
    told = [item.before for item in affected] + waiting
    return Reply("\n".join([reply, *_to_phone(turn, told)])), str(session.id)


def _to_phone(turn: Turn, registrations: list[RegistrationView]) -> list[str]:
    """Walk-ins with no chat linked hear nothing from the bot: the officer phones them."""
    unreached = [r for r in registrations if not r.has_chat]
    if not unreached:
        return []
    return [
        turn._(
            "📞 Except the walk-ins with no chat linked, whom you must phone: {who}.",
            who=", ".join(
                f"{r.code} ({validation.display_phone(r.phone)})" if r.phone else r.code
                for r in unreached
            ),
        )
    ]


def _cancelled_for_officers(
    tr: Translator, session: SessionView, registrations: list[RegistrationView]
) -> str:
    return tr._(
        "Session #{session} of {leader} on {date} is cancelled. Back in the queue with "
        "priority: {codes}.",
        session=session.id,
        leader=session.leader_name,
        date=tr.when(session.starts_at),
        codes=", ".join(r.code for r in registrations),
    )


async def _move(turn: Turn, place: Desk, words: list[str]) -> tuple[Reply, str]:
    usage = USAGE["move"]
    session = await _session_in_scope(turn, place, words[0], usage)
    day = _day(turn, words[1], usage)
    start, end = _hours(turn, day, words[2], usage)
    location = _place(turn, words[3:], usage) if len(words) > 3 else session.location
    try:
        _before, affected, waiting = await sessions.move(
            turn.repo, session.id, start, end, location, place.officer.actor, turn.now
        )
    except sessions.SessionChangeRefused as refused:
        if refused.reason == "bad_time":
            raise Refusal(turn._("This time is already past."), "past") from refused
        raise Refusal(_not_planned(turn, session), refused.reason) from refused
    moved = await turn.repo.session(session.id)
    assert moved is not None
    for item in affected:
        after = await turn.repo.registration_by_code(item.before.code)
        assert after is not None
        tr = notices.translator_for(turn, after)
        # The calendar event of the approval, moved: same UID, a newer SEQUENCE.
        invitation = calendar.appointment(
            after,
            moved,
            triage.appointment_of(after, turn.settings.booking.zone),
            tr,
            now=turn.now,
            sequence=len(await turn.repo.registration_events(after.id)),
            domain=turn.settings.calendar_domain,
        )
        await notices.send(
            turn,
            after,
            item.event_id,
            notices.session_moved(tr, after, moved),
            attendance_buttons=True,
            file=invitation,
        )
    for registration in (r for r in waiting if r.has_chat):
        tr = notices.translator_for(turn, registration)
        await turn.repo.enqueue(
            OutboxMessage(
                idempotency_key=(
                    f"session:{session.id}:moved:{start.isoformat()}:"
                    f"registration:{registration.id}"
                ),
                channel=registration.citizen_channel,
                recipient=registration.citizen_chat_id,
                text=notices.session_moved_waiting(tr, registration, moved),
                due_at=turn.now,
            )
        )
    lines = [
        turn._(
            "Session #{session} moved to {when}; {n} citizens with a booking are asked to "
            "confirm.",
            session=session.id,
            when=turn.tr.when(start),
            n=len(affected),
        )
    ]
    lines += await _short_notice(turn, moved)
    lines += _to_phone(turn, [item.before for item in affected] + waiting)
    return Reply("\n".join(lines)), str(session.id)


async def calendar_day(turn: Turn, place: Desk, name: str, argument: str) -> tuple[Reply, str]:
    """/dayoff or /workday: an extra day off, or a weekend day worked in exchange."""
    require_role(turn, place.officer, OfficerRole.ADMIN)
    usage = DAY_USAGE[name]
    words = argument.split()
    if not words:
        raise _usage(turn, usage)
    day = _day(turn, words[0], usage)
    note = " ".join(words[1:])[:300]
    working = name == "workday"
    await turn.repo.save_calendar_override(CalendarOverride(day, working=working, note=note))
    if working:
        return Reply(
            turn._("{date} is now a working day.", date=turn.tr.day(day))
        ), day.isoformat()
    lines = [turn._("{date} is now a day off.", date=turn.tr.day(day))]
    zone = turn.settings.booking.zone
    start = datetime.combine(day, time(), tzinfo=zone)
    planned = [
        session
        for leader in await _leaders_in_scope(turn, place)
        for session in await turn.repo.sessions_of_leader(
            leader.id, max(start, turn.now), start + timedelta(days=1)
        )
        if session.status is SessionStatus.PLANNED
    ]
    if planned:
        # The day off does not move them: each needs an admin's decision, and its citizens
        # must be told.
        lines.append(
            turn.n_(
                "⚠️ {n} session is planned on that day; move or cancel it with /session move "
                "or /session cancel:",
                "⚠️ {n} sessions are planned on that day; move or cancel them with /session "
                "move or /session cancel:",
                len(planned),
            )
        )
        lines += [_line(turn, session) for session in planned]
    return Reply("\n".join(lines)), day.isoformat()
