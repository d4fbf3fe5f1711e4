"""/link CODE DIGITS: a citizen recorded at the office (a walk-in) links this chat to their
ticket with the last digits of the phone on record, and hears every decision from then on."""

from __future__ import annotations

from datetime import datetime

from bot.core import tickets, triage, walkins
from bot.core.labels import STATUS_NAMES
from bot.core.model import RegistrationStatus, RegistrationView, Reply
from bot.core.walkins import LinkResult
from bot.dialogue import menu, reminders
from bot.dialogue.context import Replies, Turn

USAGE = "/link CODE 1234"
STATE_KEY = "link_tries"


async def run(turn: Turn, argument: str) -> Replies:
    words = argument.split()
    code = tickets.normalize(words[0]) if words else None
    if code is None or len(words) != 2:
        return menu.main_menu(
            turn,
            turn._(
                "To follow a matter the reception office recorded for you, send /link, the "
                "ticket code the officer gave you and the last {n} digits of your phone "
                "number, for example: {usage}",
                n=walkins.LINK_DIGITS,
                usage=USAGE,
            ),
        )
    linking = await walkins.link(
        turn.repo, code, words[1], turn.citizen, _tries(turn), turn.actor, turn.now
    )
    _keep(turn, linking.tries)
    if linking.result is LinkResult.LINKED or linking.result is LinkResult.ALREADY:
        registration = linking.registration
        assert registration is not None
        expected = await _remind(turn, registration) if linking.result is LinkResult.LINKED else ""
        lead = (
            turn._(
                "Done: {code} is linked to this chat. You will be told here of every decision "
                "on it, and reminded before your session.",
                code=registration.code,
            )
            if linking.result is LinkResult.LINKED
            else turn._("{code} is already linked to this chat.", code=registration.code)
        )
        state = turn._(
            "Its state now: {status}. /status {code} shows the details.",
            status=turn._(STATUS_NAMES[registration.status]),
            code=registration.code,
        )
        return [Reply("\n".join(line for line in (lead, state, expected) if line))]
    if linking.result is LinkResult.PAUSED:
        assert linking.tries.paused_until is not None
        return [
            Reply(
                turn._(
                    "Too many wrong tries. Please try again after {when}, or ask the reception "
                    "office.",
                    when=turn.tr.when(linking.tries.paused_until),
                )
            )
        ]
    return [
        Reply(
            turn._(
                "This code and these digits do not match a registration recorded at the "
                "office. Please check both: the last {n} digits of the phone number you gave "
                "the officer. After {tries} wrong tries, /link waits for an hour.",
                n=walkins.LINK_DIGITS,
                tries=walkins.LINK_TRIES,
            )
        )
    ]


def _tries(turn: Turn) -> walkins.Tries:
    kept = turn.state.data.get(STATE_KEY)
    if not isinstance(kept, dict):
        return walkins.Tries()
    failures = kept.get("failures")
    until = kept.get("paused_until")
    try:
        paused = datetime.fromisoformat(until) if isinstance(until, str) else None
    except ValueError:
        paused = None
    return walkins.Tries(failures if isinstance(failures, int) else 0, paused)


def _keep(turn: Turn, tries: walkins.Tries) -> None:
    if tries == walkins.Tries():
        turn.state.data.pop(STATE_KEY, None)
        return
    turn.state.data[STATE_KEY] = {
        "failures": tries.failures,
        "paused_until": tries.paused_until.isoformat() if tries.paused_until else None,
    }


async def _remind(turn: Turn, registration: RegistrationView) -> str:
    """Scheduled before the chat was linked: the reminders nobody could be sent are queued
    now, as for any approval; returns where and when the citizen is expected."""
    if registration.status is not RegistrationStatus.APPROVED:
        return ""
    session = await turn.repo.session(registration.session_id)
    if session is None:
        return ""
    appointment = triage.appointment_of(registration, turn.settings.booking.zone)
    await reminders.queue_citizen_reminders(
        turn.repo,
        turn.services,
        registration,
        session,
        appointment,
        turn.now,
        await turn.calendar(),
    )
    return turn._(
        "You are expected on {date} at {time}, at {place}.",
        date=turn.tr.day_of(appointment),
        time=turn.tr.hour(appointment),
        place=session.location,
    )
