"""Officer decisions on one registration: each command parses its arguments, checks the
dossier, applies one transition of the triage table and tells the citizen.

``DECISIONS`` is the one table of these commands: action, usage, help text and handler.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, time, timedelta

from bot.core import deadlines, refusals, registrations, triage
from bot.core.deadlines import NoticeDuty, NoticeForm
from bot.core.i18n import N_, Translator
from bot.core.labels import (
    KIND_LABELS,
    NOTICE_FORM_NAMES,
    OFFICER_EVENT_LABELS,
    OUTCOME_NAMES,
    STATUS_NAMES,
)
from bot.core.model import (
    OutgoingFile,
    RegistrationStatus,
    RegistrationView,
    Reply,
    RequestKind,
    SessionView,
    Track,
)
from bot.core.refusals import Ground, Misfit, Stage
from bot.core.triage import Action, Decision, OutcomeType
from bot.dialogue import notices, reminders
from bot.dialogue.context import Turn
from bot.dialogue.officer.access import Desk, Refusal, code_of, registration_at
from bot.records import calendar

_HOUR = re.compile(r"([01]?\d|2[0-3])[:hH]([0-5]\d)", re.ASCII)
_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})", re.ASCII)
_SESSION = re.compile(r"#?(\d{1,9})", re.ASCII)
# Official letter numbers: "123/UBND-TCD", "45/TB-UBND", "12/2026/QĐ-UBND".
_LETTER = re.compile(r"\d+/[\w./-]+", re.UNICODE)

NAME_MAX, BODY_MAX, LETTER_MAX, TEXT_MAX = 200, 300, 64, 2000
REFUSED_USAGE = "/outcome CODE refused GROUND [note]"
# The decisions that may call for a written notice (bot/core/deadlines.py).
NOTICE_DECISIONS = frozenset({Action.REJECT.value, Action.TRANSFER.value, Action.OUTCOME.value})
OPEN_OR_DECIDED = frozenset(
    {
        RegistrationStatus.SUBMITTED,
        RegistrationStatus.NEEDS_INFO,
        RegistrationStatus.APPROVED,
        RegistrationStatus.RESCHEDULED,
        RegistrationStatus.ATTENDED,
        RegistrationStatus.CLOSED,
    }
)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the officer is told, and what the citizen is told (None: nothing)."""

    reply: str
    notice: Callable[[Translator, RegistrationView], str] | None = None
    answer_button: bool = False
    attendance_buttons: bool = False
    # What else follows from the decision, once recorded (the approval's reminders).
    then: Callable[[RegistrationView], Awaitable[object]] | None = None
    # A file for the citizen with the notice (the approval's calendar event).
    attachment: Callable[[Translator, RegistrationView], OutgoingFile] | None = None


Handler = Callable[[Turn, Desk, RegistrationView, str], Awaitable[tuple[Decision, Outcome]]]


@dataclass(frozen=True, slots=True)
class DecisionCommand:
    action: Action
    usage: str
    what: str  # msgid
    handler: Handler


# --- argument helpers ------------------------------------------------------------------------


def _usage(turn: Turn, usage: str) -> Refusal:
    return Refusal(turn._("Usage: {usage}", usage=usage), "usage")


def _text(turn: Turn, value: str, limit: int, usage: str) -> str:
    """Free text an officer typed: required, and no longer than its column."""
    value = " ".join(value.split())
    if not value:
        raise _usage(turn, usage)
    if len(value) > limit:
        raise Refusal(
            turn._(
                "This text is too long: at most {max} characters, it has {count}.",
                max=limit,
                count=len(value),
            ),
            "too_long",
        )
    return value


def _body_and_letter(text: str) -> tuple[str, str]:
    """``"Thanh tra tỉnh ; 12/CV-UBND"`` or ``"Thanh tra tỉnh 12/CV-UBND"`` → body, letter."""
    if ";" in text:
        first, _sep, second = text.partition(";")
        return first.strip(), second.strip()
    words = text.split()
    if len(words) > 1 and _LETTER.fullmatch(words[-1]):
        return " ".join(words[:-1]), words[-1]
    return text.strip(), ""


# --- the commands ----------------------------------------------------------------------------


async def _approve(
    turn: Turn, _place: Desk, registration: RegistrationView, rest: str
) -> tuple[Decision, Outcome]:
    usage = DECISIONS["approve"].usage
    session_id, slot = registration.session_id, None
    for token in rest.split():
        if number := _SESSION.fullmatch(token):
            session_id = int(number.group(1))
        elif hour := _HOUR.fullmatch(token):
            slot = time(int(hour.group(1)), int(hour.group(2)))
        else:
            raise _usage(turn, usage)
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
    if not triage.open_for_approval(session, turn.now):
        raise Refusal(
            turn._(
                "Session #{session} is over or cancelled. {options}",
                session=session_id,
                options=await sessions_with_room(turn, registration, session_id),
            ),
            "bad_session",
        )
    if not triage.has_room_for(session, registration):
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
    when = triage.appointment(session, slot, turn.settings.booking.zone)
    if when is None:
        raise Refusal(
            turn._(
                "{time} is outside session #{session} ({start}–{end}).",
                time=slot.strftime("%H:%M") if slot else "",
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
        "✅ {code} scheduled into session #{session}, {when}.",
        code=registration.code,
        session=session.id,
        when=turn.tr.when(when),
    )
    appointment = when
    # Each approval of the same registration is a newer version of its calendar event.
    sequence = len(await turn.repo.registration_events(registration.id))

    def notice(tr: Translator, after: RegistrationView) -> str:
        return notices.approved(tr, after, session, appointment)

    def invitation(tr: Translator, after: RegistrationView) -> OutgoingFile:
        return calendar.appointment(
            after,
            session,
            appointment,
            tr,
            now=turn.now,
            sequence=sequence,
            domain=turn.settings.calendar_domain,
        )

    async def remind(after: RegistrationView) -> object:
        return await reminders.queue_citizen_reminders(
            turn.repo, turn.services, after, session, appointment, turn.now, await turn.calendar()
        )

    return decision, Outcome(
        reply, notice, attendance_buttons=True, then=remind, attachment=invitation
    )


async def sessions_with_room(
    turn: Turn, registration: RegistrationView, excluding: int | None = None
) -> str:
    """The leader's coming sessions that still have room, to suggest instead of ``excluding``."""
    sessions = await turn.repo.sessions_between(
        turn.now,
        turn.now + timedelta(days=turn.settings.booking.horizon_days),
        leader_id=registration.leader_id,
    )
    lines = [
        turn._(
            "#{session} {date} ({places})",
            session=s.id,
            date=turn.tr.when(s.starts_at),
            places=turn.n_("{n} slot left", "{n} slots left", s.remaining),
        )
        for s in sessions
        if s.id != excluding and triage.has_room_for(s, registration)
    ][:5]
    if not lines:
        return turn._("{leader} has no other session with room.", leader=registration.leader_name)
    return turn._("Sessions with room: {sessions}.", sessions="; ".join(lines))


def _ground(
    turn: Turn, registration: RegistrationView, token: str, stage: Stage, usage: str
) -> Ground:
    """The refusal ground named by ``token``, if it fits the registration's track, kind and
    the moment (before the session, or at the reception)."""
    found = refusals.ground(token) if token else None
    fitting = refusals.usable(registration.track, stage, registration.kind)
    if found is None:
        raise Refusal(
            turn._(
                "Usage: {usage}. GROUND for {code} is one of: {codes}.",
                usage=usage,
                code=registration.code,
                codes=", ".join(g.code for g in fitting),
            ),
            "usage",
        )
    misfit = refusals.misfit(found, registration.track, stage, registration.kind)
    if misfit is Misfit.TRACK:
        raise Refusal(
            turn._(
                "At a Party committee head's reception (Regulation 11-QĐi/TW) “{ground}” cannot "
                "be the basis of a refusal: the refusal grounds of the Law on Citizen Reception "
                "do not govern it. The head may receive the citizen and answer, or use "
                "/transfer {code} BODY or /duplicate {code} OTHER. Grounds for {code}: {codes}.",
                ground=found.code,
                code=registration.code,
                codes=", ".join(g.code for g in fitting),
            ),
            "party_track",
        )
    if misfit is Misfit.STAGE and stage is Stage.DOSSIER:
        raise Refusal(
            turn._(
                "“{ground}” is about what happens at the reception place: record it when it "
                "happens, with /attended {code} and then /outcome {code} refused {ground}.",
                ground=found.code,
                code=registration.code,
            ),
            "at_reception",
        )
    if misfit is Misfit.STAGE and registration.track is Track.PARTY:
        raise Refusal(_party_transfers(turn, registration), "before_reception")
    if misfit is Misfit.STAGE:
        raise Refusal(
            turn._(
                "At the reception, a matter outside competence is recorded as /outcome {code} "
                "guided BODY or /outcome {code} transferred BODY.",
                code=registration.code,
            ),
            "before_reception",
        )
    if misfit is Misfit.KIND:
        raise Refusal(
            turn._(
                "“{ground}” applies only to: {kinds}. {code} is a request of the kind "
                "“{kind}”. Grounds for {code}: {codes}.",
                ground=found.code,
                kinds=", ".join(turn._(KIND_LABELS[k]) for k in RequestKind if k in found.kinds),
                code=registration.code,
                kind=turn._(KIND_LABELS[registration.kind]),
                codes=", ".join(g.code for g in fitting),
            ),
            "wrong_kind",
        )
    return found


def _party_transfers(turn: Turn, registration: RegistrationView) -> str:
    return turn._(
        "At a Party committee head's reception a matter outside its competence is transferred "
        "to the competent body, with a written notice to the citizen (Regulation 11-QĐi/TW, "
        "Art. 5): /outcome {code} transferred BODY.",
        code=registration.code,
    )


def _duty_line(turn: Turn, registration: RegistrationView, duty: NoticeDuty) -> str:
    return turn._(
        "📝 Written notice to issue: {form}, by {date}. Once it is issued, record it with "
        "/issued {code} NUMBER.",
        form=turn._(NOTICE_FORM_NAMES[duty.form]),
        date=turn.tr.day(duty.due),
        code=registration.code,
    )


async def _reject(
    turn: Turn, _place: Desk, registration: RegistrationView, rest: str
) -> tuple[Decision, Outcome]:
    token, _sep, note = rest.strip().partition(" ")
    usage = DECISIONS["reject"].usage
    ground = _ground(turn, registration, token, Stage.DOSSIER, usage)
    if ground.outside_competence:
        body = _text(turn, note, BODY_MAX, "/reject CODE outside BODY")
        if refusals.transferred_instead(ground, registration.track, registration.kind):
            return await _transfer_to(turn, registration, body, "", instead_of_refusal=True)
        note = body
    elif note:
        note = _text(turn, note, TEXT_MAX, usage)
    changes: dict[str, object] = {
        "rejection_reason": ground.code,
        "guided_to": note if ground.outside_competence else "",
        "paused_since": None,
    }
    duty = deadlines.after_refusal(
        ground, turn.today, turn.settings.booking.deadlines, await turn.calendar()
    )
    if duty is not None:
        changes |= duty.changes()
    decision = Decision(Action.REJECT, note=note, changes=changes, data={"reason": ground.code})
    text = turn.services.content.refusal(turn.locale, ground.code)
    reply = turn._(
        "{code} refused: {reason}.",
        code=registration.code,
        reason=text.title if text else ground.code,
    )
    if duty is not None:
        reply += "\n" + _duty_line(turn, registration, duty)

    def notice(tr: Translator, after: RegistrationView) -> str:
        return notices.rejected(tr, after, turn.services.content.refusal(tr.locale, ground.code))

    return decision, Outcome(reply, notice)


async def _need_info(
    turn: Turn, _place: Desk, registration: RegistrationView, rest: str
) -> tuple[Decision, Outcome]:
    question = _text(turn, rest, TEXT_MAX, DECISIONS["needinfo"].usage)
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
    official = _text(turn, rest, NAME_MAX, DECISIONS["delegate"].usage)
    if not registration.delegation_allowed and registration.track is Track.PARTY:
        raise Refusal(
            turn._(
                "{unit} does not allow another official to receive in the head's place: the "
                "configuration ([triage]) forbids it for this Party committee.",
                unit=registration.unit_name,
            ),
            "delegation_forbidden",
        )
    if not registration.delegation_allowed:
        raise Refusal(
            turn._(
                "{unit} does not allow another official to receive in the head's place: the "
                "amended Law on Citizen Reception gives heads of state bodies no power to "
                "delegate reception, and the configuration ([triage]) decides for each unit.",
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
    usage = DECISIONS["transfer"].usage
    body, letter = _body_and_letter(rest)
    body = _text(turn, body, BODY_MAX, usage)
    if letter:
        letter = _text(turn, letter, LETTER_MAX, usage)
    return await _transfer_to(turn, registration, body, letter)


async def _transfer_to(
    turn: Turn,
    registration: RegistrationView,
    body: str,
    letter: str,
    *,
    instead_of_refusal: bool = False,
) -> tuple[Decision, Outcome]:
    """Transfer the matter to the competent body, with the written notice the law asks for:
    a denunciation's within 5 working days of receipt, the Party head's within 10."""
    rules, work = turn.settings.booking.deadlines, await turn.calendar()
    since = deadlines.received(registration, turn.settings.booking.zone, rules, work)
    duty = deadlines.after_transfer(registration, since, rules, work)
    changes: dict[str, object] = {"referred_to": body, "letter_no": letter, "paused_since": None}
    if duty is not None:
        changes |= duty.changes()
    data = {"body": body, "letter": letter}
    if instead_of_refusal:
        data["instead_of"] = "outside"
    decision = Decision(Action.TRANSFER, changes=changes, data=data)
    reply = turn._("{code} transferred to {body}.", code=registration.code, body=body)
    if instead_of_refusal and registration.track is Track.PARTY:
        reply = (
            turn._(
                "At a Party committee head's reception a matter outside its competence is not "
                "refused: it is transferred to the competent body and the citizen told in "
                "writing (Regulation 11-QĐi/TW, Art. 5)."
            )
            + "\n"
            + reply
        )
    elif instead_of_refusal:
        reply = (
            turn._(
                "A denunciation outside your competence is not refused: it is forwarded to the "
                "competent body and the denouncer told within {days} working days (Law on "
                "Denunciations, Art. 24).",
                days=rules.denunciation_forward,
            )
            + "\n"
            + reply
        )
    if duty is not None:
        reply += "\n" + _duty_line(turn, registration, duty)
    return decision, Outcome(reply, notices.transferred)


async def _duplicate(
    turn: Turn, place: Desk, registration: RegistrationView, rest: str
) -> tuple[Decision, Outcome]:
    words = rest.split()
    if len(words) != 1:
        raise _usage(turn, DECISIONS["duplicate"].usage)
    other_code = code_of(turn, words[0])
    if other_code == registration.code:
        raise Refusal(turn._("A registration cannot duplicate itself."), "usage")
    other = await registration_at(turn, place, other_code, lock=False)
    # The matter must stay with a registration someone handles: not a closed-off one, and
    # never one that already points back here.
    if other.status not in OPEN_OR_DECIDED or other.duplicate_of_code == registration.code:
        raise Refusal(
            turn._(
                "{other} cannot take this matter: it is “{status}”.",
                other=other.code,
                status=turn._(STATUS_NAMES[other.status]),
            ),
            "bad_duplicate",
        )
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
    turn: Turn, place: Desk, registration: RegistrationView, rest: str
) -> tuple[Decision, Outcome]:
    usage = DECISIONS["reassign"].usage
    words = rest.split()
    if not words or len(words) > 2:
        raise _usage(turn, usage)
    leader = await turn.repo.leader_by_code(words[0])
    if leader is None or not leader.active:
        raise Refusal(
            turn._("There is no leader with the code {leader}.", leader=words[0]), "not_found"
        )
    if place.scope is not None and leader.unit_id not in place.scope:
        raise Refusal(
            turn._("{leader} works in a unit outside your units.", leader=leader.name),
            "out_of_scope",
        )
    wanted: int | None = None
    if len(words) == 2:
        number = _SESSION.fullmatch(words[1])
        if number is None:
            raise _usage(turn, usage)
        wanted = int(number.group(1))
    work = await turn.calendar()
    candidates = await registrations.open_sessions(
        turn.repo, turn.now, work, turn.settings.booking, leader.id
    )
    session: SessionView | None = None
    for candidate in candidates:
        if wanted is not None and candidate.id != wanted:
            continue
        # Count again under the lock: another officer may be filling the same session.
        await turn.repo.lock_session(candidate.id)
        fresh = await turn.repo.session(candidate.id)
        if fresh is not None and registrations.bookable(
            fresh, turn.now, work, turn.settings.booking
        ):
            session = fresh
            break
    if session is None:
        raise Refusal(
            turn._("{leader} has no open session with room.", leader=leader.name), "full"
        )
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
    target = session

    def notice(tr: Translator, after: RegistrationView) -> str:
        return notices.reassigned(tr, after, target)

    return decision, Outcome(reply, notice)


def _appointment_has_come(turn: Turn, registration: RegistrationView) -> None:
    when = triage.appointment_of(registration, turn.settings.booking.zone)
    if turn.now < when:
        raise Refusal(
            turn._(
                "The appointment of {code} has not come yet ({when}).",
                code=registration.code,
                when=turn.tr.when(when),
            ),
            "too_early",
        )


async def _attended(
    turn: Turn, _place: Desk, registration: RegistrationView, rest: str
) -> tuple[Decision, Outcome]:
    _appointment_has_come(turn, registration)
    note = _text(turn, rest, TEXT_MAX, "") if rest.strip() else ""
    reply = turn._("{code}: reception recorded.", code=registration.code)
    return Decision(Action.ATTENDED, note=note), Outcome(reply)


async def _no_show(
    turn: Turn, _place: Desk, registration: RegistrationView, rest: str
) -> tuple[Decision, Outcome]:
    _appointment_has_come(turn, registration)
    note = _text(turn, rest, TEXT_MAX, "") if rest.strip() else ""
    reply = turn._("{code}: recorded that the citizen did not come.", code=registration.code)
    return Decision(Action.NO_SHOW, note=note), Outcome(reply, notices.no_show)


async def _outcome(
    turn: Turn, _place: Desk, registration: RegistrationView, rest: str
) -> tuple[Decision, Outcome]:
    usage = DECISIONS["outcome"].usage
    token, _sep, remainder = rest.strip().partition(" ")
    try:
        kind = OutcomeType(token.lower())
    except ValueError as exc:
        raise Refusal(
            turn._(
                "Usage: {usage}. TYPE is one of: {types}.",
                usage=usage,
                types=", ".join(kind.value for kind in OutcomeType),
            ),
            "usage",
        ) from exc
    ground: Ground | None = None
    if kind is OutcomeType.REFUSED:
        token, _sep, remainder = remainder.strip().partition(" ")
        ground = _ground(turn, registration, token, Stage.RECEPTION, REFUSED_USAGE)
    if kind is OutcomeType.GUIDED and registration.track is Track.PARTY:
        raise Refusal(_party_transfers(turn, registration), "party_track")
    text, letter = _body_and_letter(remainder)
    if kind.names_a_body:
        text = _text(turn, text, BODY_MAX, usage)
    elif kind.needs_explanation or text:
        text = _text(turn, text, TEXT_MAX, usage)
    if letter:
        letter = _text(turn, letter, LETTER_MAX, usage)
    changes: dict[str, object] = {
        "outcome": kind.value,
        "outcome_note": text,
        "letter_no": letter or registration.letter_no,
    }
    if kind is OutcomeType.GUIDED:
        changes["guided_to"] = text
    if kind in {OutcomeType.TRANSFERRED, OutcomeType.ACCEPTED}:
        changes["referred_to"] = text
    if ground is not None:
        changes["rejection_reason"] = ground.code
    duty = deadlines.after_outcome(
        registration,
        kind,
        ground,
        turn.settings.booking.zone,
        turn.settings.booking.deadlines,
        await turn.calendar(),
    )
    if duty is not None:
        changes |= duty.changes()
    data = {"outcome": kind.value, "letter": letter}
    if ground is not None:
        data["reason"] = ground.code
    decision = Decision(Action.OUTCOME, note=text, changes=changes, data=data)
    reply = turn._(
        "{code}: result recorded ({outcome}).",
        code=registration.code,
        outcome=turn._(OUTCOME_NAMES[kind]),
    )
    if duty is not None:
        reply += "\n" + _duty_line(turn, registration, duty)

    def notice(tr: Translator, after: RegistrationView) -> str:
        refusal = (
            turn.services.content.refusal(tr.locale, ground.code) if ground is not None else None
        )
        return notices.outcome(tr, after, refusal)

    return decision, Outcome(reply, notice)


def _date(turn: Turn, text: str, usage: str) -> date:
    """A date typed as DD/MM/YYYY."""
    match = _DATE.fullmatch(text)
    if match is None:
        raise _usage(turn, usage)
    try:
        return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
    except ValueError as exc:
        raise _usage(turn, usage) from exc


async def _conclusion(
    turn: Turn, _place: Desk, registration: RegistrationView, rest: str
) -> tuple[Decision, Outcome]:
    usage = DECISIONS["conclusion"].usage
    head, _sep, text = rest.partition(";")
    deadline_text, _sep, unit = head.strip().partition(" ")
    deadline = _date(turn, deadline_text, usage)
    if deadline < turn.today:
        raise Refusal(
            turn._("The deadline {date} is already past.", date=turn.tr.day(deadline)),
            "past_deadline",
        )
    unit = _text(turn, unit, BODY_MAX, usage)
    text = _text(turn, text, TEXT_MAX, usage)
    decision = Decision(
        Action.CONCLUSION,
        note=text,
        changes={"conclusion": text, "conclusion_deadline": deadline, "conclusion_unit": unit},
        data={"deadline": deadline.isoformat(), "unit": unit},
    )
    reply = turn._("{code}: the leader's conclusion is recorded.", code=registration.code)
    return decision, Outcome(reply, notices.conclusion)


async def _issued(
    turn: Turn, _place: Desk, registration: RegistrationView, rest: str
) -> tuple[Decision, Outcome]:
    usage = DECISIONS["issued"].usage
    if not registration.notice_pending or registration.notice_due is None:
        raise Refusal(
            turn._(
                "No written notice is waiting to be issued for {code}.", code=registration.code
            ),
            "no_notice",
        )
    words = rest.split()
    # A date first means the number was forgotten: it must not become the number.
    if not words or len(words) > 2 or _DATE.fullmatch(words[0]) or not _LETTER.fullmatch(words[0]):
        raise _usage(turn, usage)
    letter = _text(turn, words[0], LETTER_MAX, usage)
    issued_on = _date(turn, words[1], usage) if len(words) == 2 else turn.today
    # Not before the decision that called for the notice.
    events = await turn.repo.registration_events(registration.id)
    decided = max(
        (e.at for e in events if e.event in NOTICE_DECISIONS), default=registration.submitted_at
    )
    first = registrations.local_day(decided, turn.settings.booking.zone)
    if not first <= issued_on <= turn.today:
        raise Refusal(
            turn._(
                "The date of the notice must be between {first} and today.",
                first=turn.tr.day(first),
            ),
            "bad_date",
        )
    form = NoticeForm(registration.notice_form)
    decision = Decision(
        Action.ISSUED,
        note=letter,
        changes={"notice_letter": letter, "notice_issued_on": issued_on},
        data={"form": form.value, "letter": letter, "date": issued_on.isoformat()},
    )
    reply = turn._(
        "{code}: {form} no. {letter} of {date} is recorded.",
        code=registration.code,
        form=turn._(NOTICE_FORM_NAMES[form]),
        letter=letter,
        date=turn.tr.short_day(issued_on),
    )
    if issued_on > registration.notice_due:
        reply += " " + turn._(
            "It was due by {date}: it is recorded as late.",
            date=turn.tr.short_day(registration.notice_due),
        )
    return decision, Outcome(reply, notices.notice_issued)


async def _extend(
    turn: Turn, _place: Desk, registration: RegistrationView, rest: str
) -> tuple[Decision, Outcome]:
    rules = turn.settings.booking.deadlines
    if registration.kind is not RequestKind.DENUNCIATION:
        raise Refusal(
            turn._(
                "Only a denunciation's time limit can be extended: it is registered and checked "
                "within {days} working days, or up to {most} when needed (Law on Denunciations, "
                "Art. 24).",
                days=rules.denunciation,
                most=rules.denunciation_extended,
            ),
            "not_denunciation",
        )
    events = await turn.repo.registration_events(registration.id)
    if any(event.event == Action.EXTEND.value for event in events):
        raise Refusal(
            turn._(
                "The time limit of {code} was already extended, to {date}.",
                code=registration.code,
                date=turn.tr.day(registration.due_date),
            ),
            "already_extended",
        )
    reason = _text(turn, rest, TEXT_MAX, DECISIONS["extend"].usage)
    work = await turn.calendar()
    due = rules.extended(registration.due_date, work)
    decision = Decision(
        Action.EXTEND, note=reason, changes={"due_date": due}, data={"due": due.isoformat()}
    )
    reply = turn._(
        "{code}: the time limit is extended to {date} (Law on Denunciations, Art. 24).",
        code=registration.code,
        date=turn.tr.day(due),
    )
    return decision, Outcome(reply, notices.extended)


async def _note(
    turn: Turn, _place: Desk, registration: RegistrationView, rest: str
) -> tuple[Decision, Outcome]:
    text = _text(turn, rest, TEXT_MAX, DECISIONS["note"].usage)
    reply = turn._("{code}: note added (never shown to the citizen).", code=registration.code)
    return Decision(Action.NOTE, note=text), Outcome(reply)


DECISIONS: dict[str, DecisionCommand] = {
    "approve": DecisionCommand(
        Action.APPROVE,
        "/approve CODE [SESSION] [HH:MM]",
        N_(
            "schedule into the session asked for, or another session of the same leader, "
            "optionally at a given time"
        ),
        _approve,
    ),
    "reject": DecisionCommand(
        Action.REJECT,
        "/reject CODE GROUND [note]",
        N_(
            "refuse on a ground the law gives, before the session: resolved, answered, "
            "not_request, judgment, handled_elsewhere, no_authority, no_capacity, or outside "
            "BODY (a Party committee or a denunciation: transferred instead); the officer "
            "is reminded of the written notice (form 01/TCD) where the law requires it"
        ),
        _reject,
    ),
    "needinfo": DecisionCommand(
        Action.NEED_INFO,
        "/needinfo CODE question",
        N_("ask the citizen a question; the time limit pauses until they answer"),
        _need_info,
    ),
    "delegate": DecisionCommand(
        Action.DELEGATE,
        "/delegate CODE OFFICIAL",
        N_("another official receives in the head's place, where the unit allows it"),
        _delegate,
    ),
    "transfer": DecisionCommand(
        Action.TRANSFER,
        "/transfer CODE BODY [letter no.]",
        N_("refer the matter to the competent body (chuyển đơn)"),
        _transfer,
    ),
    "duplicate": DecisionCommand(
        Action.DUPLICATE,
        "/duplicate CODE OTHER",
        N_("join to an earlier registration on the same matter"),
        _duplicate,
    ),
    "reassign": DecisionCommand(
        Action.REASSIGN,
        "/reassign CODE LEADER [SESSION]",
        N_("pass a waiting registration to another leader"),
        _reassign,
    ),
    "attended": DecisionCommand(
        Action.ATTENDED, "/attended CODE", N_("the citizen was received"), _attended
    ),
    "noshow": DecisionCommand(
        Action.NO_SHOW, "/noshow CODE", N_("the citizen did not come"), _no_show
    ),
    "outcome": DecisionCommand(
        Action.OUTCOME,
        "/outcome CODE TYPE [body or note] [letter no.]",
        N_(
            "how the reception ended: accepted, guided, transferred (each with the body), "
            "answered, extended, other (each with an explanation), or refused GROUND (also "
            "for conduct at the reception place: incapacitated, misconduct, weapons, "
            "security_check, filming, disorder)"
        ),
        _outcome,
    ),
    "conclusion": DecisionCommand(
        Action.CONCLUSION,
        "/conclusion CODE DD/MM/YYYY RESPONSIBLE UNIT ; conclusion",
        N_("the leader's conclusion, with its deadline and responsible unit"),
        _conclusion,
    ),
    "issued": DecisionCommand(
        Action.ISSUED,
        "/issued CODE NUMBER [DD/MM/YYYY]",
        N_(
            "the written notice a decision called for has been issued: its number, and its "
            "date when not today"
        ),
        _issued,
    ),
    "extend": DecisionCommand(
        Action.EXTEND,
        "/extend CODE reason",
        N_("a denunciation's time to be registered and checked: from 7 to 10 working days"),
        _extend,
    ),
    "note": DecisionCommand(
        Action.NOTE, "/note CODE text", N_("an internal note, never shown to the citizen"), _note
    ),
}


async def run(turn: Turn, place: Desk, name: str, argument: str) -> tuple[Reply, str]:
    """Carry out one decision command; return the officer's reply and the registration code."""
    command = DECISIONS[name]
    words = argument.split(maxsplit=1)
    if not words:
        raise _usage(turn, command.usage)
    code = code_of(turn, words[0])
    rest = words[1] if len(words) > 1 else ""
    registration = await registration_at(turn, place, code, lock=True)
    if registration.status not in triage.allowed_from(command.action):
        raise Refusal(await _wrong_state(turn, registration, name), "wrong_state")
    decision, outcome = await command.handler(turn, place, registration, rest)
    event_id = await triage.decide(
        turn.repo, registration, decision, place.officer.actor, turn.now
    )
    after = await turn.repo.registration_by_code(code)
    assert after is not None
    if outcome.then is not None:
        await outcome.then(after)
    if outcome.notice is None:
        return Reply(outcome.reply), code
    if not after.has_chat:
        return Reply(
            outcome.reply
            + "\n"
            + turn._("No chat is linked to this walk-in: tell the citizen yourself.")
        ), code
    tr = notices.translator_for(turn, after)
    await notices.send(
        turn,
        after,
        event_id,
        outcome.notice(tr, after),
        answer_button=outcome.answer_button,
        attendance_buttons=outcome.attendance_buttons,
        file=outcome.attachment(tr, after) if outcome.attachment else None,
    )
    return Reply(outcome.reply + "\n" + turn._("The citizen has been told.")), code


async def _wrong_state(turn: Turn, registration: RegistrationView, name: str) -> str:
    """Name the state, and who put it there and when: the other officer may have been first."""
    text = turn._(
        "/{command} does not apply to {code}: it is “{status}”.",
        command=name,
        code=registration.code,
        status=turn._(STATUS_NAMES[registration.status]),
    )
    events = [e for e in await turn.repo.registration_events(registration.id) if not e.internal]
    if events:
        last = events[-1]
        names = await turn.repo.actor_names({last.actor})
        citizen = last.actor.startswith("citizen:")
        who = names.get(last.actor, turn._("the citizen") if citizen else last.actor)
        label = OFFICER_EVENT_LABELS.get(last.event)
        text += " " + turn._(
            "Last decision: {event}, by {who}, {when}.",
            event=turn._(label) if label else last.event,
            who=who,
            when=turn.tr.when(last.at),
        )
    return text
