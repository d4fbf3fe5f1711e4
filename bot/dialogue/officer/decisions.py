"""Officer decisions on one registration: each command parses its arguments, checks the
dossier, applies one transition of the triage table and tells the citizen."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.core import registrations, triage
from bot.core.i18n import Translator
from bot.core.model import (
    RegistrationStatus,
    RegistrationView,
    Reply,
    SessionStatus,
)
from bot.core.triage import Action, Decision, OutcomeType, RefusalReason
from bot.dialogue import notices
from bot.dialogue.context import Turn
from bot.dialogue.labels import OFFICER_EVENT_LABELS, STATUS_LABELS
from bot.dialogue.officer.access import Desk, Refusal, code_of, registration_at

_HOUR = re.compile(r"([01]?\d|2[0-3])[:hH]([0-5]\d)")
_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the officer is told, and what the citizen is told (None: nothing)."""

    reply: str
    notice: Callable[[Translator, RegistrationView], str] | None = None
    answer_button: bool = False


Handler = Callable[[Turn, Desk, RegistrationView, str], Awaitable[tuple[Decision, Outcome]]]


def _split(text: str) -> tuple[str, str]:
    """``"first ; second"`` → ("first", "second"); the part after ";" is optional."""
    first, _sep, second = text.partition(";")
    return first.strip(), second.strip()


def _required(turn: Turn, value: str, usage: str) -> str:
    if not value:
        raise Refusal(turn._("Usage: {usage}", usage=usage), "usage")
    return value


# --- the commands ----------------------------------------------------------------------------


async def _approve(
    turn: Turn, place: Desk, registration: RegistrationView, rest: str
) -> tuple[Decision, Outcome]:
    usage = "/approve CODE [SESSION] [HH:MM]"
    session_id, slot = registration.session_id, None
    for token in rest.split():
        if token.lstrip("#").isdigit():
            session_id = int(token.lstrip("#"))
        elif match := _HOUR.fullmatch(token):
            slot = time(int(match.group(1)), int(match.group(2)))
        else:
            raise Refusal(turn._("Usage: {usage}", usage=usage), "usage")
    await turn.repo.lock_session(session_id)
    session = await turn.repo.session(session_id)
    if session is None or session.leader_id != registration.leader_id:
        raise Refusal(
            turn._(
                "Session #{session} is not a session of {leader}. {options}",
                session=session_id,
                leader=registration.leader_name,
                options=await sessions_with_room(turn, registration, session_id),
            ),
            "bad_session",
        )
    if session.status is not SessionStatus.PLANNED or session.starts_at <= turn.now:
        raise Refusal(
            turn._(
                "Session #{session} is over or cancelled. {options}",
                session=session_id,
                options=await sessions_with_room(turn, registration, session_id),
            ),
            "bad_session",
        )
    already_counted = session.id == registration.session_id
    if session.taken - (1 if already_counted else 0) >= session.capacity:
        raise Refusal(
            turn._(
                "Session #{session} ({date}) is full: {taken} of {capacity} slots are taken. "
                "{options}",
                session=session_id,
                date=turn.tr.when(session.starts_at),
                taken=session.taken,
                capacity=session.capacity,
                options=await sessions_with_room(turn, registration, session_id),
            ),
            "full",
        )
    when = session.starts_at
    if slot is not None:
        local = session.starts_at.astimezone(turn.settings.booking.zone)
        when = datetime.combine(local.date(), slot, tzinfo=local.tzinfo)
        if not session.starts_at <= when < session.ends_at:
            raise Refusal(
                turn._(
                    "{time} is outside session #{session} ({start}–{end}).",
                    time=slot.strftime("%H:%M"),
                    session=session_id,
                    start=turn.tr.hour(session.starts_at),
                    end=turn.tr.hour(session.ends_at),
                ),
                "bad_time",
            )
    decision = Decision(
        Action.APPROVE,
        changes={
            "session_id": session.id,
            "slot_time": slot,
            "paused_since": None,
            "info_question": "",
        },
        data={"session": str(session.id), "time": slot.strftime("%H:%M") if slot else ""},
    )
    reply = turn._(
        "✅ {code} approved into session #{session}, {when}.",
        code=registration.code,
        session=session.id,
        when=turn.tr.when(when),
    )

    def notice(tr: Translator, after: RegistrationView) -> str:
        return notices.approved(tr, after, session, when)

    return decision, Outcome(reply, notice)


async def sessions_with_room(
    turn: Turn, registration: RegistrationView, excluding: int | None = None
) -> str:
    """The leader's coming sessions that still have room, to suggest instead of ``excluding``."""
    sessions = await turn.repo.sessions_between(
        turn.now, turn.now + _horizon(turn), leader_id=registration.leader_id
    )
    lines = [
        turn._(
            "#{session} {date} ({places})",
            session=s.id,
            date=turn.tr.when(s.starts_at),
            places=turn.n_("{n} slot left", "{n} slots left", s.remaining),
        )
        for s in sessions
        if s.id != excluding and (s.remaining > 0 or s.id == registration.session_id)
    ][:5]
    if not lines:
        return turn._("{leader} has no other session with room.", leader=registration.leader_name)
    return turn._("Sessions with room: {sessions}.", sessions="; ".join(lines))


def _horizon(turn: Turn) -> timedelta:
    return timedelta(days=turn.settings.booking.horizon_days)


async def _reject(
    turn: Turn, _place: Desk, registration: RegistrationView, rest: str
) -> tuple[Decision, Outcome]:
    token, _sep, note = rest.strip().partition(" ")
    codes = ", ".join(reason.value for reason in RefusalReason)
    try:
        reason = RefusalReason(token.lower())
    except ValueError as exc:
        raise Refusal(
            turn._(
                "Usage: {usage}. REASON is one of: {codes}.",
                usage="/reject CODE REASON [note]",
                codes=codes,
            ),
            "usage",
        ) from exc
    note = note.strip()
    if reason.needs_body and not note:
        raise Refusal(
            turn._(
                "“outside” needs the competent body the citizen is guided to: "
                "/reject CODE outside <body>."
            ),
            "usage",
        )
    decision = Decision(
        Action.REJECT,
        note=note,
        changes={
            "rejection_reason": reason.value,
            "guided_to": note if reason.needs_body else "",
            "paused_since": None,
        },
        data={"reason": reason.value},
    )
    reply = turn._("{code} rejected ({reason}).", code=registration.code, reason=reason.value)

    def notice(tr: Translator, after: RegistrationView) -> str:
        return notices.rejected(turn, tr, after)

    return decision, Outcome(reply, notice)


async def _need_info(
    turn: Turn, _place: Desk, registration: RegistrationView, rest: str
) -> tuple[Decision, Outcome]:
    question = _required(turn, rest.strip(), "/needinfo CODE question")
    decision = Decision(
        Action.NEED_INFO,
        note=question,
        changes={
            "info_question": question,
            # Asking again does not restart the pause.
            "paused_since": registration.paused_since or turn.now,
        },
    )
    reply = turn._(
        "{code}: the question was sent to the citizen; the time limit pauses until they answer.",
        code=registration.code,
    )
    return decision, Outcome(reply, notices.needs_info, answer_button=True)


async def _delegate(
    turn: Turn, _place: Desk, registration: RegistrationView, rest: str
) -> tuple[Decision, Outcome]:
    official = _required(turn, rest.strip(), "/delegate CODE OFFICIAL")
    if not registration.delegation_allowed:
        raise Refusal(
            turn._(
                "{unit} does not allow another official to receive in the head's place (this "
                "is set in the configuration: [triage] delegation_forbidden_units).",
                unit=registration.unit_name,
            ),
            "delegation_forbidden",
        )
    decision = Decision(
        Action.DELEGATE, changes={"host_name": official}, data={"official": official}
    )
    reply = turn._(
        "{code}: {official} will receive the citizen in place of {leader}.",
        code=registration.code,
        official=official,
        leader=registration.leader_name,
    )
    return decision, Outcome(reply, notices.delegated)


async def _transfer(
    turn: Turn, _place: Desk, registration: RegistrationView, rest: str
) -> tuple[Decision, Outcome]:
    body, letter = _split(rest)
    _required(turn, body, "/transfer CODE BODY [; letter no.]")
    decision = Decision(
        Action.TRANSFER,
        changes={"referred_to": body, "letter_no": letter, "paused_since": None},
        data={"body": body, "letter": letter},
    )
    reply = turn._("{code} transferred to {body}.", code=registration.code, body=body)
    return decision, Outcome(reply, notices.transferred)


async def _duplicate(
    turn: Turn, place: Desk, registration: RegistrationView, rest: str
) -> tuple[Decision, Outcome]:
    other_code = code_of(turn, _required(turn, rest.strip(), "/duplicate CODE OTHER"))
    if other_code == registration.code:
        raise Refusal(turn._("A registration cannot duplicate itself."), "usage")
    other = await registration_at(turn, place, other_code, lock=False)
    decision = Decision(
        Action.DUPLICATE,
        changes={"duplicate_of_code": other.code, "paused_since": None},
        data={"other": other.code},
    )
    reply = turn._("{code} joined to {other}.", code=registration.code, other=other.code)
    own = other.citizen_id == registration.citizen_id

    def notice(tr: Translator, after: RegistrationView) -> str:
        return notices.duplicate(tr, after, own)

    return decision, Outcome(reply, notice)


async def _reassign(
    turn: Turn, _place: Desk, registration: RegistrationView, rest: str
) -> tuple[Decision, Outcome]:
    usage = "/reassign CODE LEADER [SESSION]"
    tokens = rest.split()
    if not tokens or len(tokens) > 2:
        raise Refusal(turn._("Usage: {usage}", usage=usage), "usage")
    leader = await turn.repo.leader_by_code(tokens[0])
    if leader is None or not leader.active:
        raise Refusal(
            turn._("There is no leader with the code {leader}.", leader=tokens[0]), "not_found"
        )
    work = await turn.calendar()
    candidates = await registrations.open_sessions(
        turn.repo, turn.now, work, turn.settings.booking, leader.id
    )
    if len(tokens) == 2:
        wanted = tokens[1].lstrip("#")
        candidates = [s for s in candidates if str(s.id) == wanted]
    if not candidates:
        raise Refusal(
            turn._("{leader} has no open session with room.", leader=leader.name), "full"
        )
    session = candidates[0]
    await turn.repo.lock_session(session.id)
    decision = Decision(
        Action.REASSIGN,
        changes={"leader_id": leader.id, "session_id": session.id, "host_name": ""},
        data={"leader": leader.code, "session": str(session.id)},
    )
    reply = turn._(
        "{code} passed to {leader}, session #{session}.",
        code=registration.code,
        leader=leader.name,
        session=session.id,
    )

    def notice(tr: Translator, after: RegistrationView) -> str:
        return notices.reassigned(tr, after, session)

    return decision, Outcome(reply, notice)


async def _attended(
    turn: Turn, _place: Desk, registration: RegistrationView, rest: str
) -> tuple[Decision, Outcome]:
    _session_has_started(turn, registration)
    reply = turn._("{code}: reception recorded.", code=registration.code)
    return Decision(Action.ATTENDED, note=rest.strip()), Outcome(reply)


async def _no_show(
    turn: Turn, _place: Desk, registration: RegistrationView, rest: str
) -> tuple[Decision, Outcome]:
    _session_has_started(turn, registration)
    reply = turn._("{code}: recorded that the citizen did not come.", code=registration.code)
    return Decision(Action.NO_SHOW, note=rest.strip()), Outcome(reply, notices.no_show)


def _session_has_started(turn: Turn, registration: RegistrationView) -> None:
    if (
        registration.status is RegistrationStatus.APPROVED
        and turn.now < registration.session_starts_at
    ):
        raise Refusal(
            turn._(
                "The session of {code} has not started yet ({when}).",
                code=registration.code,
                when=turn.tr.when(registration.session_starts_at),
            ),
            "too_early",
        )


async def _outcome(
    turn: Turn, _place: Desk, registration: RegistrationView, rest: str
) -> tuple[Decision, Outcome]:
    token, _sep, remainder = rest.strip().partition(" ")
    types = ", ".join(kind.value for kind in OutcomeType)
    try:
        kind = OutcomeType(token.lower())
    except ValueError as exc:
        raise Refusal(
            turn._(
                "Usage: {usage}. TYPE is one of: {types}.",
                usage="/outcome CODE TYPE [letter no. ;] note",
                types=types,
            ),
            "usage",
        ) from exc
    letter, note = _split(remainder) if ";" in remainder else ("", remainder.strip())
    decision = Decision(
        Action.OUTCOME,
        note=note,
        changes={
            "outcome": kind.value,
            "letter_no": letter or registration.letter_no,
            "outcome_note": note,
        },
        data={"outcome": kind.value, "letter": letter},
    )
    reply = turn._(
        "{code}: result recorded ({outcome}).", code=registration.code, outcome=kind.value
    )
    return decision, Outcome(reply, notices.outcome)


async def _conclusion(
    turn: Turn, _place: Desk, registration: RegistrationView, rest: str
) -> tuple[Decision, Outcome]:
    usage = "/conclusion CODE DD/MM/YYYY RESPONSIBLE UNIT ; conclusion"
    head, text = _split(rest)
    deadline_text, _sep, unit = head.partition(" ")
    match = _DATE.fullmatch(deadline_text)
    if match is None or not unit.strip() or not text:
        raise Refusal(turn._("Usage: {usage}", usage=usage), "usage")
    try:
        deadline = date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
    except ValueError as exc:
        raise Refusal(turn._("Usage: {usage}", usage=usage), "usage") from exc
    decision = Decision(
        Action.CONCLUSION,
        note=text,
        changes={
            "conclusion": text,
            "conclusion_deadline": deadline,
            "conclusion_unit": unit.strip(),
        },
        data={"deadline": deadline.isoformat(), "unit": unit.strip()},
    )
    reply = turn._("{code}: the leader's conclusion is recorded.", code=registration.code)
    return decision, Outcome(reply, notices.conclusion)


async def _note(
    turn: Turn, _place: Desk, registration: RegistrationView, rest: str
) -> tuple[Decision, Outcome]:
    text = _required(turn, rest.strip(), "/note CODE text")
    reply = turn._("{code}: note added (never shown to the citizen).", code=registration.code)
    return Decision(Action.NOTE, note=text), Outcome(reply)


HANDLERS: dict[str, tuple[Action, Handler]] = {
    "approve": (Action.APPROVE, _approve),
    "reject": (Action.REJECT, _reject),
    "needinfo": (Action.NEED_INFO, _need_info),
    "delegate": (Action.DELEGATE, _delegate),
    "transfer": (Action.TRANSFER, _transfer),
    "duplicate": (Action.DUPLICATE, _duplicate),
    "reassign": (Action.REASSIGN, _reassign),
    "attended": (Action.ATTENDED, _attended),
    "noshow": (Action.NO_SHOW, _no_show),
    "outcome": (Action.OUTCOME, _outcome),
    "conclusion": (Action.CONCLUSION, _conclusion),
    "note": (Action.NOTE, _note),
}


async def run(turn: Turn, place: Desk, name: str, argument: str) -> tuple[Reply, str]:
    """Carry out one decision command; return the officer's reply and the registration code."""
    action, handler = HANDLERS[name]
    code_text, _sep, rest = argument.strip().partition(" ")
    if not code_text:
        raise Refusal(turn._("Usage: {usage}", usage=USAGE[name]), "usage")
    code = code_of(turn, code_text)
    registration = await registration_at(turn, place, code, lock=True)
    if registration.status not in triage.allowed_from(action):
        raise Refusal(await _wrong_state(turn, registration, name), "wrong_state")
    decision, outcome = await handler(turn, place, registration, rest)
    event_id = await triage.decide(
        turn.repo, registration, decision, place.officer.actor, turn.now
    )
    if outcome.notice is not None:
        after = await turn.repo.registration_by_code(code)
        assert after is not None
        tr = notices.translator_for(turn, after)
        await notices.send(
            turn, after, event_id, outcome.notice(tr, after), answer_button=outcome.answer_button
        )
        return Reply(outcome.reply + "\n" + turn._("The citizen has been told.")), code
    return Reply(outcome.reply), code


async def _wrong_state(turn: Turn, registration: RegistrationView, name: str) -> str:
    """Name the state, and who put it there and when: the other officer may have been first."""
    text = turn._(
        "/{command} does not apply to {code}: it is “{status}”.",
        command=name,
        code=registration.code,
        status=turn._(STATUS_LABELS[registration.status]),
    )
    events = [e for e in await turn.repo.registration_events(registration.id) if not e.internal]
    if events:
        last = events[-1]
        names = await turn.repo.actor_names({last.actor})
        who = names.get(
            last.actor, turn._("the citizen") if last.actor.startswith("citizen:") else last.actor
        )
        label = OFFICER_EVENT_LABELS.get(last.event)
        text += " " + turn._(
            "Last decision: {event}, by {who}, {when}.",
            event=turn._(label) if label else last.event,
            who=who,
            when=turn.tr.when(last.at),
        )
    return text


USAGE = {
    "approve": "/approve CODE [SESSION] [HH:MM]",
    "reject": "/reject CODE REASON [note]",
    "needinfo": "/needinfo CODE question",
    "delegate": "/delegate CODE OFFICIAL",
    "transfer": "/transfer CODE BODY [; letter no.]",
    "duplicate": "/duplicate CODE OTHER",
    "reassign": "/reassign CODE LEADER [SESSION]",
    "attended": "/attended CODE",
    "noshow": "/noshow CODE",
    "outcome": "/outcome CODE TYPE [letter no. ;] note",
    "conclusion": "/conclusion CODE DD/MM/YYYY RESPONSIBLE UNIT ; conclusion",
    "note": "/note CODE text",
}
