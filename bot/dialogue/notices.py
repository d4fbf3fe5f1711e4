"""What a citizen is told about a decision on their registration, in their own language.

Each notice is queued in the outbox in the same transaction as the decision, keyed by the
decision's event, so it is sent once even if the queueing is repeated.
"""

from __future__ import annotations

from datetime import datetime

from bot.core import triage
from bot.core.content import RefusalText
from bot.core.i18n import Translator
from bot.core.labels import OUTCOME_LABELS
from bot.core.model import (
    Choice,
    OutboxMessage,
    OutgoingFile,
    RegistrationView,
    SessionView,
    accepts_files,
)
from bot.dialogue.context import Turn
from bot.dialogue.reminders import attendance_choices


def _signature(tr: Translator, code: str) -> tuple[Choice, ...]:
    return (
        Choice(tr._("🔎 {code}", code=code), f"st:v:{code}"),
        Choice(tr._("📋 My registrations"), "m:status"),
    )


def approved(
    tr: Translator, registration: RegistrationView, session: SessionView, when: datetime
) -> str:
    host = registration.host_name or f"{session.leader_name}, {session.leader_title}"
    bring = [tr._("your identity card (or VNeID)"), tr._("the documents about your matter")]
    if registration.representatives:
        bring.append(
            tr._("the paper, signed by the whole group, that appoints the representatives")
        )
    lines = [
        tr._("✅ Your registration {code} is approved.", code=registration.code),
        tr._(
            "You will be received by {host} on {date} at {time}, at {place}.",
            host=host,
            date=tr.day_of(when),
            time=tr.hour(when),
            place=session.location,
        ),
        tr._("Please bring: {items}.", items="; ".join(bring)),
        tr._(
            "If you cannot come, tap “I cannot come” so that your slot goes to someone else "
            "and the officers can offer you another session."
        ),
    ]
    return "\n\n".join(lines)


def rejected(tr: Translator, registration: RegistrationView, reason: RefusalText | None) -> str:
    lines = [
        tr._("Your registration {code} was not accepted.", code=registration.code),
    ]
    if reason is not None:
        lines.append(
            tr._(
                "Reason: {reason} ({basis}).",
                reason=reason.title,
                basis=reason.basis_for(registration.party_session),
            )
        )
    if registration.guided_to:
        lines.append(
            tr._(
                "Please take your matter to the competent body: {body}.",
                body=registration.guided_to,
            )
        )
    lines.append(
        tr._(
            "You may still come to the citizen reception office, and you may complain about "
            "this decision under the law."
        )
    )
    return "\n\n".join(lines)


def needs_info(tr: Translator, registration: RegistrationView) -> str:
    return "\n\n".join(
        (
            tr._(
                "The reception officers need more information about your registration {code}:",
                code=registration.code,
            ),
            registration.info_question,
            tr._(
                "Tap “Answer” below, or open /status {code}, and write your answer. The time "
                "limit for the decision pauses until you answer.",
                code=registration.code,
            ),
        )
    )


def delegated(tr: Translator, registration: RegistrationView) -> str:
    return tr._(
        "When you are received for registration {code}, {official} will receive you in place "
        "of {leader}, {title}.",
        code=registration.code,
        official=registration.host_name,
        leader=registration.leader_name,
        title=registration.leader_title,
    )


def transferred(tr: Translator, registration: RegistrationView) -> str:
    text = tr._(
        "Your matter (registration {code}) has been transferred to {body}, which is competent "
        "to handle it; that body will answer you.",
        code=registration.code,
        body=registration.referred_to,
    )
    if registration.letter_no:
        text += " " + tr._("Transfer letter no. {letter}.", letter=registration.letter_no)
    return text


def duplicate(tr: Translator, registration: RegistrationView, own_other: bool) -> str:
    if own_other:
        return tr._(
            "Your registration {code} raises the same matter as your registration {other}, so "
            "the two are joined: please follow {other}.",
            code=registration.code,
            other=registration.duplicate_of_code,
        )
    return tr._(
        "Your registration {code} raises a matter already registered, so it is joined to that "
        "registration and handled with it.",
        code=registration.code,
    )


def reassigned(tr: Translator, registration: RegistrationView, session: SessionView) -> str:
    return tr._(
        "Your registration {code} will be handled by {leader}, {title}, at the session of "
        "{date} ({place}). The officers will tell you their decision.",
        code=registration.code,
        leader=session.leader_name,
        title=session.leader_title,
        date=tr.when(session.starts_at),
        place=session.location,
    )


def no_show(tr: Translator, registration: RegistrationView) -> str:
    return tr._(
        "We recorded that you did not come to your meeting (registration {code}). If you still "
        "need to be received, you may register again with /register.",
        code=registration.code,
    )


def outcome(tr: Translator, registration: RegistrationView) -> str:
    kind = triage.OutcomeType(registration.outcome)
    lines = [
        tr._(
            "The result of your meeting (registration {code}): {outcome}.",
            code=registration.code,
            outcome=tr._(OUTCOME_LABELS[kind]),
        )
    ]
    if registration.letter_no:
        lines.append(tr._("Letter no. {letter}.", letter=registration.letter_no))
    if registration.outcome_note:
        lines.append(registration.outcome_note)
    return "\n\n".join(lines)


def conclusion(tr: Translator, registration: RegistrationView) -> str:
    deadline = registration.conclusion_deadline
    lines = [
        tr._(
            "The leader's conclusion on your matter (registration {code}):",
            code=registration.code,
        ),
        registration.conclusion,
    ]
    if deadline is not None:
        lines.append(
            tr._(
                "Responsible: {unit}. Deadline: {date}.",
                unit=registration.conclusion_unit,
                date=tr.day(deadline),
            )
        )
    return "\n\n".join(lines)


def session_cancelled(tr: Translator, registration: RegistrationView, reason: str) -> str:
    lines = [
        tr._(
            "The session of {date} for your registration {code} is cancelled.",
            date=tr.when(registration.session_starts_at),
            code=registration.code,
        )
    ]
    if reason:
        lines.append(tr._("Reason: {reason}", reason=reason))
    lines.append(
        tr._(
            "Your registration goes back to the officers, first in line, and they will offer "
            "you another session. You do not need to register again."
        )
    )
    return "\n\n".join(lines)


def session_cancelled_waiting(tr: Translator, registration: RegistrationView, reason: str) -> str:
    text = tr._(
        "The session you asked for with registration {code} ({date}) is cancelled. The "
        "officers are still reviewing your registration and will offer you another session.",
        code=registration.code,
        date=tr.when(registration.session_starts_at),
    )
    return f"{text}\n\n{tr._('Reason: {reason}', reason=reason)}" if reason else text


def session_moved(tr: Translator, registration: RegistrationView, session: SessionView) -> str:
    return "\n\n".join(
        (
            tr._(
                "The session for your registration {code} has moved: it now takes place on "
                "{date} at {time}, at {place}.",
                code=registration.code,
                date=tr.day_of(session.starts_at),
                time=tr.hour(session.starts_at),
                place=session.location,
            ),
            tr._("Can you come at the new time? Please answer with one tap."),
        )
    )


def session_moved_waiting(
    tr: Translator, registration: RegistrationView, session: SessionView
) -> str:
    return tr._(
        "The session you asked for with registration {code} has moved to {date} at {time}, at "
        "{place}. The officers are still reviewing your registration.",
        code=registration.code,
        date=tr.day_of(session.starts_at),
        time=tr.hour(session.starts_at),
        place=session.location,
    )


def announcement(tr: Translator, session: SessionView) -> str:
    return tr._(
        "📅 New reception session: {leader}, {title}, on {date} at {time}, at {place} "
        "({unit}). To register, send /register.",
        leader=session.leader_name,
        title=session.leader_title,
        date=tr.day_of(session.starts_at),
        time=tr.hour(session.starts_at),
        place=session.location,
        unit=session.unit_name,
    )


async def send(
    turn: Turn,
    registration: RegistrationView,
    event_id: int,
    text: str,
    *,
    answer_button: bool = False,
    attendance_buttons: bool = False,
    file: OutgoingFile | None = None,
) -> None:
    """Queue ``text`` for the registration's citizen, once per decision; ``file`` goes with it
    where the citizen's channel can hand a file over."""
    tr = turn.services.catalogs.get(registration.citizen_locale)
    choices = _signature(tr, registration.code)
    if answer_button:
        choices = (Choice(tr._("✍️ Answer"), f"st:a:{registration.code}"), *choices)
    if attendance_buttons:
        appointment = triage.appointment_of(registration, turn.settings.booking.zone)
        choices = (*attendance_choices(tr, registration.code, appointment), *choices)
    await turn.repo.enqueue(
        OutboxMessage(
            idempotency_key=f"registration:{registration.id}:event:{event_id}",
            channel=registration.citizen_channel,
            recipient=registration.citizen_chat_id,
            text=text,
            due_at=turn.now,
            choices=choices,
            file=file if accepts_files(registration.citizen_channel) else None,
        )
    )


def translator_for(turn: Turn, registration: RegistrationView) -> Translator:
    return turn.services.catalogs.get(registration.citizen_locale)
