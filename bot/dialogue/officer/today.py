"""/today: an officer's working day in their units — the sessions held today, the written
notices the law still asks for, and the queue's deadlines."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from bot.core import triage
from bot.core.deadlines import NoticeForm
from bot.core.labels import NOTICE_FORM_SHORT, SOURCE_LABELS, STATUS_NAMES
from bot.core.model import (
    QUEUED_STATUSES,
    RegistrationStatus,
    RegistrationView,
    Reply,
    RequestKind,
    SessionStatus,
    Source,
)
from bot.core.workdays import WorkCalendar
from bot.dialogue.context import Turn
from bot.dialogue.officer.access import Desk

EXPECTED = frozenset({RegistrationStatus.APPROVED, RegistrationStatus.RESCHEDULED})
# Said they cannot come: back in the queue, still named in the session they left.
DECLINED = frozenset({RegistrationStatus.CANCELLED})
# Already through the session (today's, as it goes on).
SEEN = frozenset(
    {RegistrationStatus.ATTENDED, RegistrationStatus.CLOSED, RegistrationStatus.NO_SHOW}
)
OVERDUE_SHOWN = 10
NOTICES_IN_QUEUE = 5


async def show(turn: Turn, place: Desk) -> Reply:
    work = await turn.calendar()
    lines = [turn._("📅 {date}", date=turn.tr.day(turn.today))]
    if not work.is_working_day(turn.today):
        lines.append(turn._("Today is not a working day."))
    tomorrow = turn.today + timedelta(days=1)
    lines += ["", *await _sessions(turn, place, turn.today)]
    lines += ["", *await _sessions(turn, place, tomorrow)]
    lines += ["", *await _walkins(turn, place)]
    notices = await notice_lines(turn, place, limit=None)
    lines += ["", *(notices or [turn._("📝 No written notice is waiting to be issued.")])]
    lines += ["", *await _queue(turn, place)]
    return Reply("\n".join(lines))


async def _sessions(turn: Turn, place: Desk, day: date) -> list[str]:
    zone = turn.settings.booking.zone
    start = datetime.combine(day, time(0), tzinfo=zone)
    sessions = [
        s
        for s in await turn.repo.sessions_between(start, start + timedelta(days=1))
        if place.scope is None or s.unit_id in place.scope
    ]
    today = day == turn.today
    if not sessions:
        return [
            turn._("No reception session today in your units.")
            if today
            else turn._("No reception session tomorrow in your units.")
        ]
    lines = [
        turn._("Reception sessions today:") if today else turn._("Reception sessions tomorrow:")
    ]
    for session in sessions:
        if session.status is SessionStatus.CANCELLED:
            lines.append(
                turn._(
                    "• {time} · {leader}: cancelled",
                    time=turn.tr.hour(session.starts_at),
                    leader=session.leader_name,
                )
            )
            continue
        booked = await turn.repo.registrations_in_session(session.id, EXPECTED | DECLINED | SEEN)
        expected = [r for r in booked if r.status in EXPECTED]
        line = turn._(
            "• {time} · {leader} · {place}: {people}",
            time=turn.tr.hour(session.starts_at),
            leader=session.leader_name,
            place=session.location,
            people=turn.n_("{n} citizen expected", "{n} citizens expected", len(expected)),
        )
        # A denouncer's language could point to them: only for those who may read it.
        interpreters = sorted(
            {
                r.interpreter
                for r in expected
                if r.interpreter and triage.may_read(place.officer, r)
            }
        )
        if interpreters:
            line += " " + turn._(
                "(🗣 interpreter needed: {languages})", languages=", ".join(interpreters)
            )
        lines.append(line)
        lines += await _citizens(turn, place, booked)
    return lines


async def _citizens(turn: Turn, place: Desk, booked: list[RegistrationView]) -> list[str]:
    """Who is expected, and who said they will come or cannot: whom to phone before the
    session. A denunciation's citizen is named only to those who may read it."""
    confirmed = await turn.repo.first_events([r.id for r in booked], frozenset({"will_come"}))
    lines = []
    for r in sorted(booked, key=lambda r: (r.slot_time is None, r.slot_time, r.code)):
        if r.status is RegistrationStatus.NO_SHOW:
            answer = turn._("✖ did not come")
        elif r.status in SEEN:
            answer = turn._("✔ received")
        elif r.status is RegistrationStatus.CANCELLED:
            answer = turn._("❌ cannot come")
        elif r.status is RegistrationStatus.RESCHEDULED:
            answer = turn._("❔ new time not yet confirmed")
        elif r.id in confirmed:
            answer = turn._("✅ will come")
        else:
            answer = turn._("❔ not yet confirmed")
        name = r.full_name if triage.may_read(place.officer, r) else turn._("(confidential)")
        at = f"{r.slot_time:%H:%M} " if r.slot_time is not None else ""
        lines.append(f"  {at}{r.code} · {name} · {answer}")
    return lines


async def _walkins(turn: Turn, place: Desk) -> list[str]:
    """Walk-ins recorded today in the officer's units: what the paper book used to hold."""
    zone = turn.settings.booking.zone
    start = datetime.combine(turn.today, time(0), tzinfo=zone)
    recorded = [
        r
        for r in await turn.repo.registrations_submitted_between(
            start, start + timedelta(days=1), place.scope
        )
        if r.source is not Source.CHAT and triage.may_read(place.officer, r)
    ]
    if not recorded:
        return [turn._("🏢 No walk-in recorded today (/walkin).")]
    lines = [
        turn.n_(
            "🏢 {n} walk-in recorded today:",
            "🏢 {n} walk-ins recorded today:",
            len(recorded),
        )
    ]
    lines += [
        turn._(
            "• {code} · {source} · {name} · {status}",
            code=r.code,
            source=turn._(SOURCE_LABELS[r.source]),
            name=r.full_name,
            status=turn._(STATUS_NAMES[r.status]),
        )
        for r in recorded
    ]
    return lines


async def notice_lines(turn: Turn, place: Desk, limit: int | None) -> list[str]:
    """The written notices still owed in the officer's units, the earliest due first; a
    denunciation's only to those who may read it (the others learn how many are hidden)."""
    kinds = triage.visible_kinds(place.officer, None)
    owed = await turn.repo.pending_notices(kinds, place.scope)
    hidden = 0
    if kinds is not None:
        hidden = len(
            await turn.repo.pending_notices(frozenset({RequestKind.DENUNCIATION}), place.scope)
        )
    if not owed and not hidden:
        return []
    lines = [
        turn.n_(
            "📝 {n} written notice to issue (record each with /issued CODE NUMBER):",
            "📝 {n} written notices to issue (record each with /issued CODE NUMBER):",
            len(owed) + hidden,
        )
    ]
    work = await turn.calendar()
    shown = owed if limit is None else owed[:limit]
    for registration in shown:
        lines.append(_notice_line(turn, registration, work))
    if len(shown) < len(owed):
        lines.append(turn._("… and {n} more: /today", n=len(owed) - len(shown)))
    if hidden:
        lines.append(
            turn.n_(
                "🔒 {n} more concerns a denunciation (it needs the confidential permission).",
                "🔒 {n} more concern denunciations (they need the confidential permission).",
                hidden,
            )
        )
    return lines


def deadline(turn: Turn, due: date, left: int) -> tuple[str, str]:
    """A deadline ``left`` working days away as a flag and words: ⛔ overdue, ⚠️ soon."""
    if left < 0:
        return "⛔", turn._("overdue by {days} working days", days=-left)
    words = turn._("due {date} ({days} working days left)", date=turn.tr.short_day(due), days=left)
    return ("⚠️" if left <= turn.settings.due_soon_working_days else "•"), words


def _notice_line(turn: Turn, registration: RegistrationView, work: WorkCalendar) -> str:
    assert registration.notice_due is not None
    left = work.working_days_between(turn.today, registration.notice_due)
    flag, due = deadline(turn, registration.notice_due, left)
    return turn._(
        "{flag} {code} · {form} · {due}",
        flag=flag,
        code=registration.code,
        form=turn._(NOTICE_FORM_SHORT[NoticeForm(registration.notice_form)]),
        due=due,
    )


async def _queue(turn: Turn, place: Desk) -> list[str]:
    kinds = triage.visible_kinds(place.officer, None)
    items, total = await turn.repo.queue(QUEUED_STATUSES, kinds, place.scope, 1000, 0)
    work = await turn.calendar()
    soon = turn.settings.due_soon_working_days
    left = {
        r.code: work.working_days_between(turn.today, r.due_date)
        for r in items
        if r.status is not RegistrationStatus.NEEDS_INFO
    }
    overdue = sorted((days, code) for code, days in left.items() if days < 0)
    lines = [
        turn._(
            "📥 Queue: {waiting} waiting, {soon} due within {days} working days, {overdue} "
            "overdue: /queue",
            waiting=total,
            soon=sum(1 for days in left.values() if 0 <= days <= soon),
            days=soon,
            overdue=len(overdue),
        )
    ]
    if overdue:
        # The longest overdue first: the answers the law is waiting for.
        lines.append(
            turn._(
                "⛔ Answers overdue: {codes}",
                codes=", ".join(code for _days, code in overdue[:OVERDUE_SHOWN]),
            )
            + (" …" if len(overdue) > OVERDUE_SHOWN else "")
        )
    return lines
