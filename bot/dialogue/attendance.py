"""The citizen's answer to a reminder or to a moved session: "I will come" / "I cannot come"."""

from __future__ import annotations

from bot.core import tickets, triage
from bot.core.i18n import Translator
from bot.core.labels import STATUS_LABELS
from bot.core.model import RegistrationStatus, RegistrationView, Reply
from bot.dialogue import alerts, menu, reminders
from bot.dialogue.context import Replies, Turn

_WAITING_FOR_AN_ANSWER = frozenset({RegistrationStatus.APPROVED, RegistrationStatus.RESCHEDULED})


async def answer(turn: Turn, coming: bool, code: str, token: str) -> Replies:
    canonical = tickets.normalize(code)
    registration = await turn.repo.registration_for_update(canonical) if canonical else None
    if registration is None or registration.citizen_id != turn.citizen.id:
        return menu.main_menu(
            turn, turn._("You have no registration with the code {code}.", code=code)
        )
    if registration.status not in _WAITING_FOR_AN_ANSWER or turn.now >= (
        registration.session_starts_at
    ):
        return menu.main_menu(
            turn,
            turn._(
                "Registration {code} is no longer waiting for this answer: {status}.",
                code=registration.code,
                status=turn._(STATUS_LABELS[registration.status]),
            ),
        )
    appointment = triage.appointment_of(registration, turn.settings.booking.zone)
    if token != reminders.appointment_token(appointment):
        # A button of an earlier appointment: answer for the current one, not that one.
        return [
            Reply(
                turn._(
                    "That button was for an earlier appointment. Your reception for registration "
                    "{code} is now on {date} at {time}. Can you come?",
                    code=registration.code,
                    date=turn.tr.day_of(appointment),
                    time=turn.tr.hour(appointment),
                ),
                reminders.attendance_choices(turn.tr, registration.code, appointment),
            )
        ]
    if coming:
        return await _will_come(turn, registration)
    return await _cannot_come(turn, registration)


async def _will_come(turn: Turn, registration: RegistrationView) -> Replies:
    confirming_a_move = registration.status is RegistrationStatus.RESCHEDULED
    await triage.decide(
        turn.repo, registration, triage.Decision(triage.Action.WILL_COME), turn.actor, turn.now
    )
    session = await turn.repo.session(registration.session_id)
    assert session is not None
    appointment = triage.appointment_of(registration, turn.settings.booking.zone)
    if confirming_a_move:
        after = await turn.repo.registration_by_code(registration.code)
        assert after is not None
        await reminders.queue_citizen_reminders(
            turn.repo, turn.services, after, session, appointment, turn.now, await turn.calendar()
        )
    return menu.main_menu(
        turn,
        turn._(
            "Thank you: you are expected on {date} at {time}, at {place}.",
            date=turn.tr.day_of(appointment),
            time=turn.tr.hour(appointment),
            place=session.location,
        ),
    )


async def _cannot_come(turn: Turn, registration: RegistrationView) -> Replies:
    await triage.decide(
        turn.repo,
        registration,
        triage.Decision(triage.Action.CANNOT_COME, changes={"priority": True, "slot_time": None}),
        turn.actor,
        turn.now,
    )
    await alerts.tell_officers(
        turn.repo,
        turn.services,
        [registration],
        _officers_text,
        f"registration:{registration.id}:cannot_come:{turn.now.isoformat()}",
        turn.now,
    )
    return [
        Reply(
            turn._(
                "Understood: your slot is freed. Your registration {code} goes back to the "
                "officers, first in line, and they will offer you another session. If you no "
                "longer need to be received, you can withdraw it in /status.",
                code=registration.code,
            )
        )
    ]


def _officers_text(tr: Translator, registrations: list[RegistrationView]) -> str:
    return tr._(
        "The citizen of {codes} cannot come to the session; the registration is back in the "
        "queue with priority.",
        codes=", ".join(r.code for r in registrations),
    )
