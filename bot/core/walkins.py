"""Walk-ins: matters that reach the office without the bot — a citizen at the counter, a phone
call, a letter, a file forwarded by another body — recorded by an officer so that the queue,
the logbook and the report hold every reception, not only the chat's.

A walk-in is a registration like any other, with its source and the official who received it.
Its citizen has no chat: consent is given on paper or orally to that official, nothing is sent
until the citizen links a chat to the ticket (``/link``), and the officers tell them the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from bot.core import registrations, triage
from bot.core.model import (
    DESK_CHANNEL,
    Citizen,
    RegistrationView,
    SessionStatus,
    SessionView,
    Source,
)
from bot.core.ports import Repository
from bot.core.registrations import BookingRules, Submission
from bot.core.triage import Action, Decision
from bot.core.workdays import WorkCalendar

# How the citizen gave consent at the office (the chat records its own as "chat").
CONSENT_FORMS = ("paper", "oral")
# An in-person reception may be recorded this long after its session, not later: the
# logbook of a past week or month must not keep changing under the reports already sent.
LATE_RECORDING = timedelta(days=7)


class NotRecordable(Exception):
    """The session does not fit the walk-in; ``reason`` says why (a code for the audit)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class WalkIn:
    """What the officer wrote down, validated as the citizen's wizard validates it."""

    source: Source
    consent: str  # one of CONSENT_FORMS
    submission: Submission  # citizen_id and consent_id are set by ``record``


def check_session(source: Source, session: SessionView, now: datetime) -> None:
    """A citizen received in person was received at a session that has begun (today, or
    lately); a call, a letter or a forwarded file waits for a session still to come."""
    if session.status is SessionStatus.CANCELLED:
        raise NotRecordable("cancelled")
    if source is Source.IN_PERSON:
        if session.starts_at > now:
            raise NotRecordable("not_yet")
        if now - session.starts_at > LATE_RECORDING:
            raise NotRecordable("too_late")
    elif session.starts_at <= now:
        raise NotRecordable("past")
    elif session.remaining <= 0:
        # A call or a letter takes a seat like any registration; a citizen already received
        # took theirs in the room, full or not.
        raise NotRecordable("full")


async def record(
    repo: Repository,
    walkin: WalkIn,
    session: SessionView,
    *,
    officer_name: str,
    actor: str,
    notice_version: str,
    now: datetime,
    work: WorkCalendar,
    rules: BookingRules,
    new_code: Callable[[], str],
) -> RegistrationView:
    """Record the walk-in in ``session``: a received citizen is at once approved into it and
    marked received (the session is the reception's date in the logbook); any other source
    waits in the queue. Raises NotRecordable."""
    await repo.lock_session(session.id)
    locked = await repo.session(session.id)
    assert locked is not None
    session = locked
    check_session(walkin.source, session, now)
    code = await registrations.unused_code(repo, new_code)
    # A citizen received in person came to the session: their matter dates from it (its
    # deadline, the period it is counted in), however late it is written down.
    received = session.starts_at if walkin.source is Source.IN_PERSON else now
    s = walkin.submission
    # The ticket code names the desk identity: one per walk-in, until /link moves it.
    citizen = await repo.citizen_for(DESK_CHANNEL, code, "", s.locale, now)
    consent_id = await repo.record_consent(
        citizen.id,
        notice_version,
        s.locale,
        now,
        given_as=walkin.consent,
        recorded_by=officer_name,
    )
    submission = replace(
        s,
        citizen_id=citizen.id,
        consent_id=consent_id,
        leader_id=session.leader_id,
        session_id=session.id,
    )
    created = await registrations.create(
        repo,
        submission,
        session,
        code,
        now=received,
        work=work,
        rules=rules,
        actor=actor,
        source=walkin.source,
        received_by=officer_name,
    )
    if walkin.source is not Source.IN_PERSON:
        return created
    # Received already: the decisions an officer would otherwise make one after the other,
    # in the history under the recording officer's name.
    for action in (Action.APPROVE, Action.ATTENDED):
        current = await repo.registration_by_code(code)
        assert current is not None
        await triage.decide(repo, current, Decision(action), actor, now)
    after = await repo.registration_by_code(code)
    assert after is not None
    return after


# /link: wrong tries from one chat before it must wait, and the wait. Four digits are ten
# thousand guesses: five tries an hour make guessing take months, while a citizen who
# mistypes has room to. Every wrong try counts, whatever the code, so that the answers never
# tell which codes are walk-ins.
LINK_TRIES = 5
LINK_PAUSE = timedelta(hours=1)
LINK_DIGITS = 4
# Wrong digits for one walk-in, from any chats, before it refuses every try for an hour:
# many chats guessing one code. Silent (the same answer as wrong digits), and high enough
# that nobody locks a citizen out by mistyping on purpose from one chat.
CODE_TRIES = 20


class LinkResult(StrEnum):
    LINKED = "linked"
    ALREADY = "already"  # linked to this chat before
    WRONG = "wrong"  # no walk-in with this code, or not these digits
    PAUSED = "paused"  # this chat tried wrongly too often


@dataclass(frozen=True, slots=True)
class Tries:
    """A chat's wrong tries of /link, kept in its dialog state (in the database)."""

    failures: int = 0
    paused_until: datetime | None = None


@dataclass(frozen=True, slots=True)
class Linking:
    result: LinkResult
    tries: Tries
    registration: RegistrationView | None = None


async def link(
    repo: Repository,
    code: str,
    digits: str,
    citizen: Citizen,
    tries: Tries,
    actor: str,
    now: datetime,
) -> Linking:
    """Link the walk-in ``code`` to ``citizen``'s chat when ``digits`` end its phone number.

    An unknown code, a chat registration's code, a walk-in already linked to another chat
    and wrong digits all get the same answer and count the same try."""
    if tries.paused_until is not None and now < tries.paused_until:
        return Linking(LinkResult.PAUSED, tries)
    registration = await repo.registration_for_update(code)
    if registration is not None and registration.citizen_id == citizen.id:
        return Linking(LinkResult.ALREADY, Tries(), registration)
    walk_in = registration is not None and registration.source is not Source.CHAT
    if registration is not None and walk_in and not registration.has_chat:
        locked = registration.link_paused_until
        if _digits_match(registration.phone, digits) and (locked is None or now >= locked):
            await repo.link_to_citizen(registration.id, citizen.id, actor, now)
            return Linking(LinkResult.LINKED, Tries(), await repo.registration_by_code(code))
        if not _digits_match(registration.phone, digits):
            failures = registration.link_failures + 1
            if failures >= CODE_TRIES:
                await repo.note_link_failure(registration.id, 0, now + LINK_PAUSE)
            else:
                await repo.note_link_failure(registration.id, failures, locked)
    failures = tries.failures + 1
    if failures >= LINK_TRIES:
        return Linking(LinkResult.PAUSED, Tries(0, now + LINK_PAUSE))
    return Linking(LinkResult.WRONG, Tries(failures, None))


def _digits_match(phone: str, digits: str) -> bool:
    return len(digits) == LINK_DIGITS and digits.isdigit() and phone.endswith(digits)
