"""Triage rules: which decision may follow which state, who may take it, and how it is recorded.

Every officer command and the citizen's own withdrawal go through ``TRANSITIONS``: the one table
that says, for each action, the states it may start from and the state it leads to.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.core.model import (
    QUEUED_STATUSES,
    SEAT_HOLDING_STATUSES,
    WITHDRAWABLE_STATUSES,
    Officer,
    OfficerRole,
    Recipient,
    RegistrationStatus,
    RegistrationView,
    RequestKind,
    SessionStatus,
    SessionView,
    Unit,
    UnitKind,
)
from bot.core.ports import Repository
from bot.core.workdays import WorkCalendar

S = RegistrationStatus


class Action(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    NEED_INFO = "needinfo"
    INFO_RECEIVED = "info_received"
    DELEGATE = "delegate"
    TRANSFER = "transfer"
    DUPLICATE = "duplicate"
    REASSIGN = "reassign"
    ATTENDED = "attended"
    NO_SHOW = "noshow"
    OUTCOME = "outcome"
    CONCLUSION = "conclusion"
    # The written notice a decision calls for (bot/core/deadlines.py) has been issued.
    ISSUED = "issued"
    # A denunciation's time to be registered and checked goes from 7 to 10 working days.
    EXTEND = "extend"
    NOTE = "note"
    WITHDRAW = "withdraw"
    # Schedule changes and the citizen's answers to them.
    SESSION_CANCELLED = "session_cancelled"
    SESSION_MOVED = "session_moved"
    WILL_COME = "will_come"
    CANNOT_COME = "cannot_come"


_OPEN = QUEUED_STATUSES
_EVERY = frozenset(S)
_BOOKED = frozenset({S.APPROVED, S.RESCHEDULED})

# action -> (states it may start from, state it leads to; None keeps the state)
TRANSITIONS: Mapping[Action, tuple[frozenset[RegistrationStatus], RegistrationStatus | None]] = {
    Action.APPROVE: (_OPEN | {S.RESCHEDULED}, S.APPROVED),
    Action.REJECT: (_OPEN, S.REJECTED),
    Action.NEED_INFO: (_OPEN, S.NEEDS_INFO),
    Action.INFO_RECEIVED: (frozenset({S.NEEDS_INFO}), S.SUBMITTED),
    Action.DELEGATE: (_OPEN | _BOOKED, None),
    Action.TRANSFER: (_OPEN, S.REFERRED),
    Action.DUPLICATE: (_OPEN, S.DUPLICATE),
    Action.REASSIGN: (_OPEN, None),
    Action.ATTENDED: (frozenset({S.APPROVED}), S.ATTENDED),
    Action.NO_SHOW: (frozenset({S.APPROVED}), S.NO_SHOW),
    Action.OUTCOME: (frozenset({S.ATTENDED}), S.CLOSED),
    Action.CONCLUSION: (frozenset({S.ATTENDED, S.CLOSED}), None),
    Action.ISSUED: (_EVERY, None),
    Action.EXTEND: (_OPEN, None),
    Action.NOTE: (_EVERY, None),
    Action.WITHDRAW: (WITHDRAWABLE_STATUSES, S.WITHDRAWN),
    # A cancelled session sends its booked citizens back to the queue, first in line (those
    # still waiting for a decision stay as they are, and are told).
    Action.SESSION_CANCELLED: (_BOOKED, S.CANCELLED),
    # A moved session asks every booked registrant to confirm the new time, again if needed.
    Action.SESSION_MOVED: (_BOOKED, S.RESCHEDULED),
    Action.WILL_COME: (_BOOKED, S.APPROVED),
    Action.CANNOT_COME: (_BOOKED, S.CANCELLED),
}

# Actions that are not officer commands: the citizen's or the schedule's.
NOT_COMMANDS = frozenset(
    {
        Action.WITHDRAW,
        Action.INFO_RECEIVED,
        Action.SESSION_CANCELLED,
        Action.SESSION_MOVED,
        Action.WILL_COME,
        Action.CANNOT_COME,
    }
)

# The least role that may take each officer action.
REQUIRED_ROLE: Mapping[Action, OfficerRole] = {
    action: OfficerRole.SUPERVISOR if action is Action.REASSIGN else OfficerRole.OFFICER
    for action in Action
    if action not in NOT_COMMANDS
}


class NotAllowed(Exception):  # reads as "raise NotAllowed(...)"
    """The action does not fit the registration's current state."""

    def __init__(self, action: Action, status: RegistrationStatus) -> None:
        super().__init__(f"{action} is not allowed from {status}")
        self.action = action
        self.status = status


def allowed_from(action: Action) -> frozenset[RegistrationStatus]:
    return TRANSITIONS[action][0]


def after(action: Action, status: RegistrationStatus) -> RegistrationStatus:
    """The state ``action`` leads to from ``status``; NotAllowed when it does not fit."""
    sources, target = TRANSITIONS[action]
    if status not in sources:
        raise NotAllowed(action, status)
    return status if target is None else target


class OutcomeType(StrEnum):
    """How a reception ended, as the logbook records it (hướng xử lý)."""

    ACCEPTED = "accepted"  # thụ lý
    GUIDED = "guided"  # hướng dẫn đến cơ quan có thẩm quyền
    TRANSFERRED = "transferred"  # chuyển đơn
    ANSWERED = "answered"  # trả lời trực tiếp
    EXTENDED = "extended"  # gia hạn xác minh
    REFUSED = "refused"  # từ chối
    OTHER = "other"

    @property
    def names_a_body(self) -> bool:
        """The logbook records which body accepted, was named, or received the matter."""
        return self in {OutcomeType.ACCEPTED, OutcomeType.GUIDED, OutcomeType.TRANSFERRED}

    @property
    def needs_explanation(self) -> bool:
        """A refusal needs none: it names its ground (bot/core/refusals.py)."""
        return self in {OutcomeType.OTHER, OutcomeType.EXTENDED}


# --- who may see and act ---------------------------------------------------------------------


def unit_scope(officer: Officer, units: Iterable[Unit]) -> frozenset[int] | None:
    """Ids of the units an officer works on (their units and every unit below them);
    None means every unit."""
    if not officer.units:
        return None
    return units_below(officer.units, units)


def units_below(codes: Iterable[str], units: Iterable[Unit]) -> frozenset[int]:
    """Ids of the units named by ``codes`` and of every unit below them."""
    wanted = set(codes)
    units = list(units)
    children: dict[int | None, list[int]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit.id)
    found = {unit.id for unit in units if unit.code in wanted}
    stack = list(found)
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return frozenset(found)


def in_scope(registration: RegistrationView, scope: frozenset[int] | None) -> bool:
    return scope is None or registration.unit_id in scope


def may_read(officer: Officer, registration: RegistrationView) -> bool:
    """A denunciation is read only by officers with the confidential permission."""
    return not registration.confidential or officer.may_see_confidential()


def digest_may_read(recipient: Recipient, is_leader: bool) -> bool:
    """Whether a leader's digest may show a denunciation to this chat.

    The leader receives the denouncer; an assistant reads a denunciation only when granted
    the confidential permission (Law on Denunciation: the denouncer's identity is protected).
    """
    return is_leader or recipient.confidential


def visible_kinds(
    officer: Officer, wanted: frozenset[RequestKind] | None
) -> frozenset[RequestKind] | None:
    """The kinds of request an officer's lists may show (None: all of them)."""
    if officer.may_see_confidential():
        return wanted
    open_kinds = frozenset(RequestKind) - {RequestKind.DENUNCIATION}
    return open_kinds if wanted is None else wanted & open_kinds


def delegation_allowed(unit: Unit, forbidden: frozenset[str], allowed: frozenset[str]) -> bool:
    """Whether another official may receive in the head's place (tiếp thay) for ``unit``.

    The amended Law on Citizen Reception gives the head of no state body (people's committee
    or agency) the power to delegate reception to a deputy, so state bodies refuse unless the
    configuration allows it; Party practice varies by province, so Party committees allow
    unless it forbids it.
    """
    if unit.code in forbidden:
        return False
    return unit.kind is UnitKind.PARTY_COMMITTEE or unit.code in allowed


# --- sessions and time -----------------------------------------------------------------------


def has_room_for(session: SessionView, registration: RegistrationView) -> bool:
    """Whether the registration fits: its own slot in its current session counts as free."""
    already_there = (
        session.id == registration.session_id and registration.status in SEAT_HOLDING_STATUSES
    )
    return session.taken - (1 if already_there else 0) < session.capacity


def open_for_approval(session: SessionView, now: datetime) -> bool:
    return session.status is SessionStatus.PLANNED and now < session.starts_at


def appointment(session: SessionView, slot: time | None, zone: ZoneInfo) -> datetime | None:
    """When the citizen is expected: the slot on the session's day, or the session's start;
    None when the slot is outside the session's hours."""
    if slot is None:
        return session.starts_at
    local_start = session.starts_at.astimezone(zone)
    moment = datetime.combine(local_start.date(), slot, tzinfo=zone)
    return moment if session.starts_at <= moment < session.ends_at else None


def appointment_of(registration: RegistrationView, zone: ZoneInfo) -> datetime:
    start = registration.session_starts_at
    if registration.slot_time is None:
        return start
    return datetime.combine(start.astimezone(zone).date(), registration.slot_time, tzinfo=zone)


def resumed_due_date(
    due: date, paused_since: datetime | None, today: date, work: WorkCalendar, zone: ZoneInfo
) -> date:
    """The deadline after a pause: pushed by the working days spent waiting for the citizen."""
    if paused_since is None:
        return due
    waited = work.working_days_between(paused_since.astimezone(zone).date(), today)
    return work.add_working_days(due, max(waited, 0))


# --- recording a decision --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Decision:
    action: Action
    note: str = ""
    # Columns of the registration the decision sets (see Repository.record_decision).
    changes: Mapping[str, object] = field(default_factory=dict)
    # Details kept with the event, for the history.
    data: Mapping[str, str] = field(default_factory=dict)


async def decide(
    repo: Repository, registration: RegistrationView, decision: Decision, actor: str, now: datetime
) -> int:
    """Apply the decision in the current transaction; return the new event's id.

    The caller holds the registration's row lock (Repository.registration_for_update), so two
    officers deciding at once are applied one after the other and the second one sees the state
    the first one left.
    """
    target = after(decision.action, registration.status)
    return await repo.record_decision(
        registration.id,
        target,
        event=decision.action.value,
        actor=actor,
        at=now,
        note=decision.note,
        internal=decision.action is Action.NOTE,
        data=dict(decision.data),
        changes=dict(decision.changes),
    )
