"""Triage rules: which decision may follow which state, who may take it, and how it is recorded.

Every officer command and the citizen's own withdrawal go through ``TRANSITIONS``: the one table
that says, for each action, the states it may start from and the state it leads to.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from bot.core.model import (
    WITHDRAWABLE_STATUSES,
    Officer,
    OfficerRole,
    RegistrationStatus,
    RegistrationView,
    Unit,
)
from bot.core.ports import Repository

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
    NOTE = "note"
    WITHDRAW = "withdraw"


_OPEN = frozenset({S.SUBMITTED, S.NEEDS_INFO})
_EVERY = frozenset(S)

# action -> (states it may start from, state it leads to; None keeps the state)
TRANSITIONS: Mapping[Action, tuple[frozenset[RegistrationStatus], RegistrationStatus | None]] = {
    Action.APPROVE: (_OPEN | {S.RESCHEDULED}, S.APPROVED),
    Action.REJECT: (_OPEN, S.REJECTED),
    Action.NEED_INFO: (_OPEN, S.NEEDS_INFO),
    Action.INFO_RECEIVED: (frozenset({S.NEEDS_INFO}), S.SUBMITTED),
    Action.DELEGATE: (_OPEN | {S.APPROVED, S.RESCHEDULED}, None),
    Action.TRANSFER: (_OPEN, S.REFERRED),
    Action.DUPLICATE: (_OPEN, S.DUPLICATE),
    Action.REASSIGN: (_OPEN, None),
    Action.ATTENDED: (frozenset({S.APPROVED}), S.ATTENDED),
    Action.NO_SHOW: (frozenset({S.APPROVED}), S.NO_SHOW),
    Action.OUTCOME: (frozenset({S.ATTENDED}), S.CLOSED),
    Action.CONCLUSION: (frozenset({S.ATTENDED, S.CLOSED}), None),
    Action.NOTE: (_EVERY, None),
    Action.WITHDRAW: (WITHDRAWABLE_STATUSES, S.WITHDRAWN),
}

# The least role that may take each officer action.
REQUIRED_ROLE: Mapping[Action, OfficerRole] = {
    action: OfficerRole.SUPERVISOR if action is Action.REASSIGN else OfficerRole.OFFICER
    for action in Action
    if action is not Action.WITHDRAW
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


class RefusalReason(StrEnum):
    """Grounds to refuse a registration, each with its legal basis in the content files."""

    NOT_A_REQUEST = "not_request"  # not a complaint, denunciation, petition or feedback
    REPEAT = "repeat"  # repeated with no new facts, already answered in writing
    JUDGMENT = "judgment"  # settled by a final court judgment
    HANDLED_ELSEWHERE = "handled_elsewhere"  # being handled by another competent body
    NO_AUTHORITY = "no_authority"  # acting for others without proof of authority
    OUTSIDE_COMPETENCE = "outside"  # the citizen is guided to the competent body

    @property
    def needs_body(self) -> bool:
        return self is RefusalReason.OUTSIDE_COMPETENCE


class OutcomeType(StrEnum):
    """How a reception ended, as the logbook records it (hướng xử lý)."""

    ACCEPTED = "accepted"  # thụ lý
    GUIDED = "guided"  # hướng dẫn đến cơ quan có thẩm quyền
    TRANSFERRED = "transferred"  # chuyển đơn
    ANSWERED = "answered"  # trả lời trực tiếp
    REFUSED = "refused"  # từ chối
    OTHER = "other"


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
