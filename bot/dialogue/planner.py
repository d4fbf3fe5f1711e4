"""What is due to be told, prepared on every tick and queued once (idempotency keys):

- the leader's digest of a session, at the configured time before it, to the leader's chats
  and the assistants' (denunciations' content only to those who may read it);
- each officer's morning digest of the queue in their units, and supervisors' escalation of
  registrations close to or past their deadline;
- to citizens who follow a unit, each session newly published there.

Everything is computed from the database at the time, so a process that was down at the due
time catches up when it starts, as long as the message is still useful.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.core import reminders, triage
from bot.core.i18n import Translator
from bot.core.labels import KIND_LABELS, LANGUAGE_LABELS
from bot.core.model import (
    QUEUED_STATUSES,
    DataRequest,
    DataRequestStatus,
    Leader,
    Officer,
    OfficerRole,
    OutboxMessage,
    Recipient,
    RegistrationStatus,
    RegistrationView,
    SessionView,
)
from bot.core.ports import Repository
from bot.core.registrations import local_day
from bot.core.workdays import WorkCalendar
from bot.dialogue import notices
from bot.dialogue.context import Services

# How far ahead sessions are looked at for their digest.
DIGEST_LOOKAHEAD = timedelta(days=14)
# Published sessions are announced to followers for this long after publication.
ANNOUNCE_WITHIN = timedelta(days=7)
ESCALATION_LIMIT = 30


@dataclass
class PlanStats:
    digests: int = 0
    officer_digests: int = 0
    escalations: int = 0
    announcements: int = 0
    data_requests: int = 0


async def plan(services: Services, now: datetime) -> PlanStats:
    stats = PlanStats()
    async with services.store.transaction() as repo:
        work = WorkCalendar([*services.settings.calendar, *await repo.calendar_overrides()])
        stats.digests = await leader_digests(repo, services, now, work)
        stats.officer_digests, stats.escalations = await officer_digests(repo, services, now, work)
        stats.announcements = await announcements(repo, services, now)
        stats.data_requests = await data_request_escalations(repo, services, now)
    return stats


async def data_request_escalations(repo: Repository, services: Services, now: datetime) -> int:
    """Tell the supervisors at once of each data request not acknowledged, or not answered,
    by its Decree 356 deadline (once per request and deadline): a citizen asked about their
    data, and the law gives the office days, not weeks."""
    today = local_day(now, services.settings.booking.zone)
    waiting = frozenset({DataRequestStatus.OPEN, DataRequestStatus.ACKNOWLEDGED})
    late: list[tuple[DataRequest, str]] = []
    for request in await repo.data_requests(waiting, None):
        if request.status is DataRequestStatus.OPEN and request.acknowledge_by < today:
            late.append((request, "acknowledge"))
        if request.answer_by < today:
            late.append((request, "answer"))
    if not late:
        return 0
    units = await repo.units()
    queued = 0
    for officer in await repo.officers():
        if not officer.role.at_least(OfficerRole.SUPERVISOR):
            continue
        scope = triage.unit_scope(officer, units)
        theirs = {r.id for r in await repo.data_requests(waiting, scope)}
        locale = await repo.locale_of(officer.channel, officer.user_id)
        tr = services.catalogs.get(locale)
        for request, missed in late:
            if request.id not in theirs or not await _may_read_request(repo, officer, request):
                continue
            queued += await _enqueue(
                repo,
                officer,
                f"officer:{officer.id}:data-request:{request.id}:{missed}",
                _late_request(tr, request, missed),
                now,
                "escalation",
            )
    return queued


async def _may_read_request(repo: Repository, officer: Officer, request: DataRequest) -> bool:
    if not request.registration_code:
        return True
    registration = await repo.registration_by_code(request.registration_code)
    return registration is None or triage.may_read(officer, registration)


def _late_request(tr: Translator, request: DataRequest, missed: str) -> str:
    if missed == "acknowledge":
        return tr._(
            "⛔ Data request #{id} was not acknowledged by {date}, as Decree 356/2025 asks: "
            "/datarequests",
            id=request.id,
            date=tr.short_day(request.acknowledge_by),
        )
    return tr._(
        "⛔ Data request #{id} was not answered by {date}, as Decree 356/2025 asks: /datarequests",
        id=request.id,
        date=tr.short_day(request.answer_by),
    )


# --- the leader's digest ---------------------------------------------------------------------


async def leader_digests(
    repo: Repository, services: Services, now: datetime, work: WorkCalendar
) -> int:
    times = services.settings.reminder_times
    queued = 0
    for session in await repo.sessions_between(now, now + DIGEST_LOOKAHEAD):
        due = reminders.leader_digest_due(session.starts_at, times, work)
        if now < due:
            continue
        approved = await repo.registrations_in_session(
            session.id, frozenset({RegistrationStatus.APPROVED, RegistrationStatus.RESCHEDULED})
        )
        if not approved:
            continue
        leader = await repo.leader(session.leader_id)
        if leader is None:
            continue
        for recipient, is_leader in _recipients(leader):
            tr = services.catalogs.get(recipient.locale)
            added = await repo.enqueue(
                OutboxMessage(
                    idempotency_key=(
                        f"session:{session.id}:digest:{session.starts_at.isoformat()}:"
                        f"{recipient.channel}:{recipient.chat_id}"
                    ),
                    channel=recipient.channel,
                    recipient=recipient.chat_id,
                    text=digest_text(
                        tr,
                        session,
                        approved,
                        triage.digest_may_read(recipient, is_leader),
                        services,
                    ),
                    due_at=due,
                    purpose="leader_digest",
                    expires_at=session.starts_at,
                )
            )
            queued += int(added)
    return queued


def _recipients(leader: Leader) -> list[tuple[Recipient, bool]]:
    return [(r, True) for r in leader.contacts] + [(r, False) for r in leader.assistants]


def digest_text(
    tr: Translator,
    session: SessionView,
    approved: list[RegistrationView],
    may_read_confidential: bool,
    services: Services,
) -> str:
    zone = services.settings.booking.zone
    shown = [r for r in approved if may_read_confidential or not r.confidential]
    lines = [
        tr._(
            "📋 Citizen reception of {leader}, {title}: {date} at {time}, at {place}.",
            leader=session.leader_name,
            title=session.leader_title,
            date=tr.day_of(session.starts_at),
            time=tr.hour(session.starts_at),
            place=session.location,
        ),
        tr.n_("{n} registration is scheduled:", "{n} registrations are scheduled:", len(approved)),
    ]
    for number, r in enumerate(shown, start=1):
        when = triage.appointment_of(r, zone)
        head = tr._(
            "{number}. {code} · {kind} · {time} · {people}",
            number=number,
            code=r.code,
            kind=tr._(KIND_LABELS[r.kind]),
            time=tr.hour(when),
            people=tr.n_("{n} person", "{n} people", r.people_count),
        )
        lines += ["", head]
        if r.status is RegistrationStatus.RESCHEDULED:
            # The session moved and the citizen has not yet said they can come at the new time.
            lines.append(tr._("⏳ Not confirmed yet: the citizen was asked about the new time."))
        if r.host_name:
            lines.append(tr._("Received by: {official}", official=r.host_name))
        if r.interpreter:
            lines.append(tr._("🗣 Interpreter needed: {language}", language=r.interpreter))
        if r.citizen_locale in LANGUAGE_LABELS and r.citizen_locale != "vi":
            lines.append(
                tr._(
                    "💬 Wrote to the bot in {language}",
                    language=tr._(LANGUAGE_LABELS[r.citizen_locale]),
                )
            )
        lines.append(tr._("Matter: {summary}", summary=r.summary))
        lines.append(
            tr._("Already handled: {prior}", prior=r.prior_handling or tr._("no agency yet"))
        )
        lines.append(tr._("Asks for: {request}", request=r.request))
    hidden = len(approved) - len(shown)
    if hidden:
        # Not even the code or the time: either could point to the denouncer.
        lines += [
            "",
            tr.n_(
                "🔒 {n} more is a denunciation, shown only to those who may read it.",
                "🔒 {n} more are denunciations, shown only to those who may read them.",
                hidden,
            ),
        ]
    return "\n".join(lines)


# --- officers' digest and supervisors' escalation ----------------------------------------------


async def officer_digests(
    repo: Repository, services: Services, now: datetime, work: WorkCalendar
) -> tuple[int, int]:
    times = services.settings.reminder_times
    zone = services.settings.booking.zone
    today = local_day(now, zone)
    due = reminders.officer_digest_due(today, times, work)
    if due is None or now < due:
        return 0, 0
    since = reminders.at(work.previous_working_day(today), times.officer_digest, zone)
    units = await repo.units()
    digests = escalations = 0
    for officer in await repo.officers():
        scope = triage.unit_scope(officer, units)
        kinds = triage.visible_kinds(officer, None)
        items, _total = await repo.queue(QUEUED_STATUSES, kinds, scope, 1000, 0)
        owed = await repo.pending_notices(kinds, scope)
        if not items and not owed:
            continue
        locale = await repo.locale_of(officer.channel, officer.user_id)
        tr = services.catalogs.get(locale)
        key = f"officer:{officer.id}"
        text = _digest(tr, items, since, today, work, services)
        if owed:
            late = sum(1 for r in owed if r.notice_due is not None and r.notice_due < today)
            text += "\n" + tr.n_(
                "📝 {n} written notice to issue ({late} overdue): /today",
                "📝 {n} written notices to issue ({late} overdue): /today",
                len(owed),
                late=late,
            )
        digests += await _enqueue(
            repo, officer, f"{key}:digest:{today.isoformat()}", text, due, "officer_digest"
        )
        if officer.role.at_least(OfficerRole.SUPERVISOR):
            urgent = [r for r in items if _days_left(r, today, work) <= _soon(services)]
            if urgent:
                escalations += await _enqueue(
                    repo,
                    officer,
                    f"{key}:escalation:{today.isoformat()}",
                    _escalation(tr, urgent, today, work),
                    due,
                    "escalation",
                )
    return digests, escalations


def _soon(services: Services) -> int:
    return services.settings.due_soon_working_days


def _days_left(r: RegistrationView, today: date, work: WorkCalendar) -> int:
    return work.working_days_between(today, r.due_date)


async def _enqueue(
    repo: Repository, officer: Officer, key: str, text: str, due: datetime, purpose: str
) -> int:
    added = await repo.enqueue(
        OutboxMessage(
            idempotency_key=key,
            channel=officer.channel,
            recipient=officer.user_id,
            text=text,
            due_at=due,
            purpose=purpose,
        )
    )
    return int(added)


def _digest(
    tr: Translator,
    items: list[RegistrationView],
    since: datetime,
    today: date,
    work: WorkCalendar,
    services: Services,
) -> str:
    new = sum(1 for r in items if r.submitted_at >= since)
    overdue = sum(1 for r in items if _days_left(r, today, work) < 0)
    soon = sum(1 for r in items if 0 <= _days_left(r, today, work) <= _soon(services))
    priority = sum(1 for r in items if r.priority)
    return tr._(
        "☀️ Registrations in your units: {new} new since the last digest, {waiting} waiting "
        "in all, {priority} back with priority, {soon} due within {days} working days, "
        "{overdue} overdue. Send /queue to review them.",
        new=new,
        waiting=len(items),
        priority=priority,
        soon=soon,
        days=_soon(services),
        overdue=overdue,
    )


def _escalation(
    tr: Translator, urgent: list[RegistrationView], today: date, work: WorkCalendar
) -> str:
    lines = [tr._("⚠️ Registrations close to or past their deadline:")]
    for r in urgent[:ESCALATION_LIMIT]:
        left = _days_left(r, today, work)
        if left < 0:
            state = tr._("overdue by {days} working days", days=-left)
        else:
            state = tr._("{days} working days left", days=left)
        lines.append(
            tr._(
                "• {code} · {leader} · due {date} · {state}",
                code=r.code,
                leader=r.leader_name,
                date=tr.short_day(r.due_date),
                state=state,
            )
        )
    if len(urgent) > ESCALATION_LIMIT:
        lines.append(tr._("… and {n} more: /queue", n=len(urgent) - ESCALATION_LIMIT))
    return "\n".join(lines)


# --- announcements to followers --------------------------------------------------------------


async def announcements(repo: Repository, services: Services, now: datetime) -> int:
    queued = 0
    for session, citizen in await repo.announcements(now - ANNOUNCE_WITHIN, now):
        tr = services.catalogs.get(citizen.locale)
        added = await repo.enqueue(
            OutboxMessage(
                idempotency_key=f"session:{session.id}:announce:citizen:{citizen.id}",
                channel=citizen.channel,
                recipient=citizen.chat_id,
                text=notices.announcement(tr, session),
                due_at=now,
                purpose="announcement",
                expires_at=session.starts_at,
            )
        )
        queued += int(added)
    return queued
