"""Changes to a published schedule: cancelling, moving and publishing a session.

Each change and its effect on the registrations in the session happen in the caller's
transaction, under the session's row lock, so a booking or an approval running at the same
time sees either the old session or the new one, never half of each.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.core import triage
from bot.core.model import (
    RegistrationStatus,
    RegistrationView,
    SessionStatus,
    SessionView,
)
from bot.core.ports import Repository
from bot.core.workdays import WorkCalendar

S = RegistrationStatus
# Published at least this many working days ahead (Law on Citizen Reception Art. 24).
PUBLICATION_NOTICE_WORKING_DAYS = 5


class SessionChangeRefused(Exception):  # control flow: the change does not apply
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Affected:
    """Registrations a change touched, each as it was before and after."""

    before: RegistrationView
    event_id: int


async def _locked(repo: Repository, session_id: int) -> SessionView:
    await repo.lock_session(session_id)
    session = await repo.session(session_id)
    if session is None:
        raise SessionChangeRefused("not_found")
    return session


async def cancel(
    repo: Repository, session_id: int, reason: str, actor: str, now: datetime
) -> tuple[SessionView, list[Affected], list[RegistrationView]]:
    """Cancel a session: its booked citizens go back to the queue with priority.

    Returns the session as it was, the booked registrations (now cancelled) and those still
    waiting for a decision, which keep their state and are only told.
    """
    session = await _locked(repo, session_id)
    if session.status is not SessionStatus.PLANNED or session.starts_at <= now:
        raise SessionChangeRefused("not_planned")
    await repo.update_session(
        session_id, {"status": SessionStatus.CANCELLED.value, "note": reason, "updated_at": now}
    )
    affected: list[Affected] = []
    in_session = triage.allowed_from(triage.Action.SESSION_CANCELLED)
    for registration in await repo.registrations_in_session(session_id, in_session):
        locked = await repo.registration_for_update(registration.code)
        if locked is None or locked.status not in in_session:
            continue
        event_id = await triage.decide(
            repo,
            locked,
            triage.Decision(
                triage.Action.SESSION_CANCELLED,
                note=reason,
                changes={"priority": True, "slot_time": None},
                data={"session": str(session_id)},
            ),
            actor,
            now,
        )
        affected.append(Affected(locked, event_id))
    waiting = await repo.registrations_in_session(
        session_id, frozenset({S.SUBMITTED, S.NEEDS_INFO})
    )
    return session, affected, waiting


async def move(
    repo: Repository,
    session_id: int,
    starts_at: datetime,
    ends_at: datetime,
    location: str,
    actor: str,
    now: datetime,
) -> tuple[SessionView, list[Affected], list[RegistrationView]]:
    """Move a session; booked registrants must confirm the new time, waiting ones are told.

    Returns the session before the move, the booked registrations (now rescheduled) and the
    registrations still waiting for a decision.
    """
    session = await _locked(repo, session_id)
    if session.status is not SessionStatus.PLANNED or session.starts_at <= now:
        raise SessionChangeRefused("not_planned")
    if not now < starts_at < ends_at:
        raise SessionChangeRefused("bad_time")
    await repo.update_session(
        session_id,
        {"starts_at": starts_at, "ends_at": ends_at, "location": location, "updated_at": now},
    )
    affected: list[Affected] = []
    booked = triage.allowed_from(triage.Action.SESSION_MOVED)
    for registration in await repo.registrations_in_session(session_id, booked):
        locked = await repo.registration_for_update(registration.code)
        if locked is None or locked.status not in booked:
            continue
        event_id = await triage.decide(
            repo,
            locked,
            triage.Decision(
                triage.Action.SESSION_MOVED,
                # An appointment time inside the old hours means nothing at the new ones.
                changes={"slot_time": None},
                data={"session": str(session_id), "starts_at": starts_at.isoformat()},
            ),
            actor,
            now,
        )
        affected.append(Affected(locked, event_id))
    waiting = await repo.registrations_in_session(
        session_id, frozenset({S.SUBMITTED, S.NEEDS_INFO})
    )
    return session, affected, waiting


def publication_notice_short(session_day: date, today: date, work: WorkCalendar) -> bool:
    """Published fewer than 5 working days ahead: the law asks for more notice."""
    return work.working_days_between(today, session_day) < PUBLICATION_NOTICE_WORKING_DAYS


async def publish(repo: Repository, session_id: int, now: datetime) -> SessionView:
    session = await _locked(repo, session_id)
    if session.status is not SessionStatus.PLANNED or session.starts_at <= now:
        raise SessionChangeRefused("not_planned")
    if not session.published:
        await repo.update_session(session_id, {"published_at": now, "updated_at": now})
    published = await repo.session(session_id)
    assert published is not None
    return published
