"""The citizen's reminders before a meeting, queued when the meeting is settled.

Each reminder is an outbox row due at its local time, guarded by "still approved, same session,
same start": if the meeting moves, is cancelled or the citizen withdraws, the reminder expires
unsent; if the process was down at its time, it goes out at start while still useful.
"""

from __future__ import annotations

from datetime import datetime

from bot.core import reminders
from bot.core.i18n import Translator
from bot.core.model import Choice, OutboxMessage, RegistrationView, SessionView
from bot.core.ports import Repository
from bot.core.workdays import WorkCalendar
from bot.dialogue import preparation
from bot.dialogue.context import Services


def appointment_token(appointment: datetime) -> str:
    """Names one appointment in a button, so a button of an earlier one is recognised."""
    return str(int(appointment.timestamp()))


def attendance_choices(tr: Translator, code: str, appointment: datetime) -> tuple[Choice, ...]:
    token = appointment_token(appointment)
    return (
        Choice(tr._("✅ I will come"), f"rc:yes:{code}:{token}"),
        Choice(tr._("❌ I cannot come"), f"rc:no:{code}:{token}"),
    )


def _text(
    tr: Translator,
    kind: str,
    registration: RegistrationView,
    session: SessionView,
    appointment: datetime,
) -> str:
    host = registration.host_name or f"{session.leader_name}, {session.leader_title}"
    if kind == "eve":
        first = tr._(
            "⏰ Reminder: you are received on {date} at {time} by {host}, at {place} "
            "(registration {code}).",
            date=tr.day_of(appointment),
            time=tr.hour(appointment),
            host=host,
            place=session.location,
            code=registration.code,
        )
    else:
        first = tr._(
            "⏰ Today at {time} you are received by {host}, at {place} (registration {code}).",
            time=tr.hour(appointment),
            host=host,
            place=session.location,
            code=registration.code,
        )
    lines = [first, preparation.what_to_bring(tr, registration), preparation.conduct(tr)]
    if registration.interpreter:
        lines.append(
            tr._(
                "An interpreter ({language}) has been asked for you.",
                language=registration.interpreter,
            )
        )
    lines.append(tr._("Will you come?"))
    return "\n\n".join(lines)


async def queue_citizen_reminders(
    repo: Repository,
    services: Services,
    registration: RegistrationView,
    session: SessionView,
    appointment: datetime,
    now: datetime,
    work: WorkCalendar,
) -> int:
    """Queue the reminders still ahead of ``now``; return how many were queued."""
    if not registration.has_chat:
        return 0
    tr = services.catalogs.get(registration.citizen_locale)
    guard = reminders.reminder_guard(registration, session)
    queued = 0
    times = services.settings.reminder_times
    for kind, due in reminders.citizen_reminders(appointment, times, work).items():
        if due <= now:
            # Settled after this reminder's time: the approval notice already said it all.
            continue
        added = await repo.enqueue(
            OutboxMessage(
                idempotency_key=(
                    f"registration:{registration.id}:reminder:{kind}:"
                    f"{session.id}:{appointment.isoformat()}"
                ),
                channel=registration.citizen_channel,
                recipient=registration.citizen_chat_id,
                text=_text(tr, kind, registration, session, appointment),
                due_at=due,
                choices=attendance_choices(tr, registration.code, appointment),
                purpose=f"reminder_{kind}",
                expires_at=appointment,
                guard=guard,
            )
        )
        queued += int(added)
    return queued
