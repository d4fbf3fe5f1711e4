"""Booking rules and the submission of a registration, the same whichever channel asks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core import repeats
from bot.core.deadlines import Deadlines
from bot.core.model import (
    NewRegistration,
    RegistrationView,
    RequestKind,
    SessionStatus,
    SessionView,
    Source,
)
from bot.core.ports import Repository
from bot.core.workdays import WorkCalendar


@dataclass(frozen=True, slots=True)
class BookingRules:
    zone: ZoneInfo
    # How far ahead a session may be booked, in days.
    horizon_days: int
    # Bookings close when fewer working days than this remain before the session, counting
    # the session's day: with 2, the officers always have one full working day to decide.
    min_notice_working_days: int
    max_active_per_citizen: int
    # The legal time to answer each kind of request, and the written notices' limits.
    deadlines: Deadlines = field(default_factory=Deadlines)
    # How alike an earlier registration of the citizen must be to flag a new one as its
    # likely repeat (bot/core/repeats.py; [triage] repeat_threshold).
    repeat_threshold: float = repeats.DEFAULT_THRESHOLD


@dataclass(frozen=True, slots=True)
class Submission:
    """A citizen's answers, ready to become a registration."""

    citizen_id: int
    consent_id: int
    kind: RequestKind
    full_name: str
    phone: str
    phone_verified: bool
    id_number: str
    province: str
    address: str
    leader_id: int
    session_id: int
    people_count: int
    representatives: tuple[str, ...]
    summary: str
    prior_handling: str
    request: str
    locale: str
    interpreter: str = ""


@dataclass(frozen=True, slots=True)
class Submitted:
    registration: RegistrationView
    # When the citizen will hear the decision: the legal deadline, or the last working day
    # before their session when that comes first.
    answer_by: date


class LimitReached(Exception):
    def __init__(self, count: int) -> None:
        super().__init__(f"{count} active registrations")
        self.count = count


class SessionUnavailable(Exception):
    """The chosen session is full, closed for booking, or gone."""


def local_day(instant: datetime, zone: ZoneInfo) -> date:
    return instant.astimezone(zone).date()


def bookable(session: SessionView, now: datetime, work: WorkCalendar, rules: BookingRules) -> bool:
    return (
        session.published
        and session.status is SessionStatus.PLANNED
        and session.remaining > 0
        and now < session.starts_at <= now + timedelta(days=rules.horizon_days)
        and not closed_for_booking(session, now, work, rules)
    )


def closed_for_booking(
    session: SessionView, now: datetime, work: WorkCalendar, rules: BookingRules
) -> bool:
    """Too close for the officers to decide in time (whether or not places are left)."""
    first_open_day = work.add_working_days(
        local_day(now, rules.zone), rules.min_notice_working_days
    )
    return local_day(session.starts_at, rules.zone) < first_open_day


def answer_by(due_date: date, session_day: date, work: WorkCalendar) -> date:
    return min(due_date, work.previous_working_day(session_day))


async def open_sessions(
    repo: Repository,
    now: datetime,
    work: WorkCalendar,
    rules: BookingRules,
    leader_id: int | None = None,
) -> list[SessionView]:
    sessions = await repo.sessions_between(
        now, now + timedelta(days=rules.horizon_days), leader_id=leader_id
    )
    return [s for s in sessions if bookable(s, now, work, rules)]


async def check_limit(repo: Repository, citizen_id: int, rules: BookingRules) -> None:
    count = await repo.count_active_registrations(citizen_id)
    if count >= rules.max_active_per_citizen:
        raise LimitReached(count)


async def submit(
    repo: Repository,
    submission: Submission,
    *,
    now: datetime,
    work: WorkCalendar,
    rules: BookingRules,
    new_code: Callable[[], str],
    actor: str,
) -> Submitted:
    """Create the registration, or raise LimitReached / SessionUnavailable."""
    await check_limit(repo, submission.citizen_id, rules)
    await repo.lock_session(submission.session_id)
    session = await repo.session(submission.session_id)
    if (
        session is None
        or session.leader_id != submission.leader_id
        or not bookable(session, now, work, rules)
    ):
        raise SessionUnavailable(submission.session_id)
    code = await unused_code(repo, new_code)
    registration = await create(
        repo, submission, session, code, now=now, work=work, rules=rules, actor=actor
    )
    due_date = registration.due_date
    return Submitted(
        registration, answer_by(due_date, local_day(session.starts_at, rules.zone), work)
    )


async def unused_code(repo: Repository, new_code: Callable[[], str]) -> str:
    code = new_code()
    while await repo.code_taken(code):
        code = new_code()
    return code


async def create(
    repo: Repository,
    s: Submission,
    session: SessionView,
    code: str,
    *,
    now: datetime,
    work: WorkCalendar,
    rules: BookingRules,
    actor: str,
    source: Source = Source.CHAT,
    received_by: str = "",
) -> RegistrationView:
    """The registration of ``s`` in ``session``, received ``now``: its answer due by the law's
    time for its kind, flagged when it repeats an earlier one. The caller has checked that it
    may be made."""
    due_date = rules.deadlines.answer_due(s.kind, local_day(now, rules.zone), work)
    repeated = await likely_repeat(repo, s, session.unit_id, rules.repeat_threshold)
    return await repo.create_registration(
        NewRegistration(
            code=code,
            citizen_id=s.citizen_id,
            consent_id=s.consent_id,
            kind=s.kind,
            full_name=s.full_name,
            phone=s.phone,
            phone_verified=s.phone_verified,
            id_number=s.id_number,
            province=s.province,
            address=s.address,
            leader_id=s.leader_id,
            session_id=session.id,
            people_count=s.people_count,
            representatives=s.representatives,
            summary=s.summary,
            prior_handling=s.prior_handling,
            request=s.request,
            locale=s.locale,
            submitted_at=now,
            due_date=due_date,
            interpreter=s.interpreter,
            repeat_of_code=repeated.code if repeated is not None else "",
            source=source,
            received_by=received_by,
        ),
        actor=actor,
    )


# Earlier registrations a new one is compared with, newest first: a citizen's history in one
# unit is short, and a repeat restates a recent matter.
EARLIER_COMPARED = 20


async def likely_repeat(
    repo: Repository, s: Submission, unit_id: int, threshold: float
) -> RegistrationView | None:
    """The citizen's earlier registration (same ID number or phone, same unit) that this
    submission most likely repeats. Another unit's registrations are not its officers' to
    read, so they are not pointed to."""
    earlier = await repo.registrations_of_person(
        s.phone, s.id_number, frozenset({s.kind}), frozenset({unit_id}), None, EARLIER_COMPARED
    )
    return repeats.likely_repeat(
        s.kind, repeats.matter_text(s.summary, s.request), earlier, threshold
    )
