"""What a citizen is told about a decision on their registration, in their own language.

Each notice is queued in the outbox in the same transaction as the decision, keyed by the
decision's event, so it is sent once even if the queueing is repeated.
"""

from __future__ import annotations

from datetime import datetime

from bot.core import refusals, triage
from bot.core.content import RefusalText
from bot.core.deadlines import NoticeForm
from bot.core.i18n import Translator
from bot.core.labels import OUTCOME_LABELS
from bot.core.model import (
    Choice,
    OutboxMessage,
    OutgoingFile,
    RegistrationView,
    SessionView,
    Track,
    accepts_files,
)
from bot.dialogue import preparation
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
    lines = [
        tr._("✅ Your registration {code} is scheduled for reception.", code=registration.code),
        tr._(
            "You will be received by {host} on {date} at {time}, at {place}.",
            host=host,
            date=tr.day_of(when),
            time=tr.hour(when),
            place=session.location,
        ),
        preparation.what_to_bring(tr, registration),
        preparation.conduct(tr),
    ]
    if registration.interpreter:
        lines.append(
            tr._(
                "You asked for an interpreter ({language}): the officers have been told.",
                language=registration.interpreter,
            )
        )
    if registration.track is Track.PARTY:
        lines.append(preparation.party_answer(tr))
    lines.append(
        tr._(
            "If you cannot come, tap “I cannot come” so that your slot goes to someone else "
            "and the officers can offer you another session."
        )
    )
    return "\n\n".join(lines)


def _written_notice(tr: Translator, registration: RegistrationView) -> str | None:
    """What the citizen will receive in writing, and by when, when a notice is owed."""
    if not registration.notice_form or registration.notice_due is None:
        return None
    due = tr.day(registration.notice_due)
    form = NoticeForm(registration.notice_form)
    if form is NoticeForm.REFUSAL:
        return tr._(
            "You will receive the written refusal notice (form 01/TCD) by {date}.", date=due
        )
    if form is NoticeForm.DENUNCIATION_FORWARD:
        return tr._(
            "You will be told in writing, by {date}, that your denunciation was forwarded (Law "
            "on Denunciations, Art. 24).",
            date=due,
        )
    return tr._(
        "The head of the Party committee will tell you in writing, by {date}, how your matter "
        "is handled (Regulation 11-QĐi/TW, Art. 5); that written notice is the official "
        "answer, and this message only informs you.",
        date=due,
    )


def _refusal_lines(
    tr: Translator, registration: RegistrationView, reason: RefusalText | None
) -> list[str]:
    if reason is None:
        return []
    lines = [reason_line(tr, reason, registration.party_session), reason.explanation]
    ground = refusals.ground(reason.code)
    if ground is not None and ground.single_source and registration.track is Track.STATE:
        lines.append(
            tr._(
                "This ground is quoted from Decree 154/2026/NĐ-CP as published in a "
                "transcription that has not yet been checked against the Official Gazette; "
                "you may ask the reception office for the official text."
            )
        )
    return lines


def reason_line(tr: Translator, reason: RefusalText, party: bool) -> str:
    basis = reason.basis_for(party)
    if basis:
        return tr._("Reason: {reason} ({basis}).", reason=reason.title, basis=basis)
    return tr._("Reason: {reason}.", reason=reason.title)


def rejected(tr: Translator, registration: RegistrationView, reason: RefusalText | None) -> str:
    lines = [
        tr._("Your registration {code} was not accepted.", code=registration.code),
        *_refusal_lines(tr, registration, reason),
    ]
    if registration.guided_to:
        lines.append(
            tr._(
                "Please take your matter to the competent body: {body}.",
                body=registration.guided_to,
            )
        )
    written = _written_notice(tr, registration)
    if written is not None:
        lines.append(written)
    lines.append(
        tr._(
            "You may still come to the citizen reception office, and you may complain "
            "about this decision under the law."
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
    written = _written_notice(tr, registration)
    return f"{text}\n\n{written}" if written else text


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
        "We recorded that you did not come to your reception session (registration {code}). If "
        "you still need to be received, you may register again with /register.",
        code=registration.code,
    )


def outcome(
    tr: Translator, registration: RegistrationView, reason: RefusalText | None = None
) -> str:
    kind = triage.OutcomeType(registration.outcome)
    lines = [
        tr._(
            "The result of your reception (registration {code}): {outcome}.",
            code=registration.code,
            outcome=tr._(OUTCOME_LABELS[kind]),
        )
    ]
    lines += _refusal_lines(tr, registration, reason)
    if registration.letter_no:
        lines.append(tr._("Letter no. {letter}.", letter=registration.letter_no))
    if registration.outcome_note:
        lines.append(registration.outcome_note)
    written = _written_notice(tr, registration)
    if written is not None:
        lines.append(written)
    return "\n\n".join(lines)


def notice_issued(tr: Translator, registration: RegistrationView) -> str:
    assert registration.notice_issued_on is not None
    return tr._(
        "The written notice on your registration {code} has been issued: no. {letter}, dated "
        "{date}. It is the official answer; if it has not reached you within a few days, ask "
        "the citizen reception office for it.",
        code=registration.code,
        letter=registration.notice_letter,
        date=tr.day(registration.notice_issued_on),
    )


def extended(tr: Translator, registration: RegistrationView) -> str:
    return tr._(
        "The time to register and check your denunciation (registration {code}) is extended to "
        "{date}, as the Law on Denunciations allows (Art. 24).",
        code=registration.code,
        date=tr.day(registration.due_date),
    )


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
    where the citizen's channel can hand a file over. A walk-in with no chat linked hears
    it from the officers, at the office or by phone."""
    if not registration.has_chat:
        return
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
