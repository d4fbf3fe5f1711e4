"""Who may use an officer command, and the audit trail of every attempt."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core import tickets, triage
from bot.core.i18n import N_
from bot.core.model import AuditEntry, Officer, OfficerRole, RegistrationView
from bot.dialogue.context import Turn


class Refusal(Exception):  # control flow: the command stops with this message
    """A command that cannot be carried out; ``message`` is already translated."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(reason)
        self.message = message
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Desk:
    """An officer at work: who they are and which units they cover."""

    officer: Officer
    scope: frozenset[int] | None


async def desk(turn: Turn) -> Desk | None:
    officer = await turn.repo.officer_for(turn.incoming.channel, turn.incoming.user_id)
    if officer is None:
        return None
    return Desk(officer, triage.unit_scope(officer, await turn.repo.units()))


TARGET_MAX = 100


async def record(
    turn: Turn, place: Desk | None, action: str, target: str, allowed: bool, detail: str
) -> None:
    """Write the attempt to the audit log: who, which command, on what, and how it ended
    (never the free text of the command, which may hold personal data)."""
    if place is not None:
        actor = place.officer.actor
    else:
        actor = f"{turn.incoming.channel}:{turn.incoming.user_id}"
    code = tickets.normalize(target)
    await turn.repo.audit(
        AuditEntry(turn.now, actor, action, (code or target)[:TARGET_MAX], allowed, detail)
    )


def require_role(turn: Turn, officer: Officer, role: OfficerRole) -> None:
    if not officer.role.at_least(role):
        raise Refusal(
            turn._("This command needs the {role} role.", role=turn._(ROLE_LABELS[role])),
            "role",
        )


ROLE_LABELS = {
    OfficerRole.OFFICER: N_("officer"),
    OfficerRole.SUPERVISOR: N_("supervisor"),
    OfficerRole.ADMIN: N_("admin"),
}


def code_of(turn: Turn, text: str) -> str:
    code = tickets.normalize(text)
    if code is None:
        raise Refusal(
            turn._(
                "“{code}” is not a valid ticket code. A code looks like K7MQ-X4PG; please "
                "check it.",
                code=text,
            ),
            "bad_code",
        )
    return code


async def registration_at(turn: Turn, place: Desk, code: str, *, lock: bool) -> RegistrationView:
    """The registration an officer works on, after the scope and confidentiality checks."""
    repo = turn.repo
    registration = await (
        repo.registration_for_update(code) if lock else repo.registration_by_code(code)
    )
    if registration is None:
        raise Refusal(
            turn._("There is no registration with the code {code}.", code=code), "not_found"
        )
    if not triage.in_scope(registration, place.scope):
        raise Refusal(
            turn._(
                "Registration {code} belongs to {unit}, which is outside your units.",
                code=code,
                unit=registration.unit_name,
            ),
            "out_of_scope",
        )
    if not triage.may_read(place.officer, registration):
        raise Refusal(
            turn._(
                "Registration {code} is a confidential request (a denunciation). Only officers "
                "with the confidential permission may open it.",
                code=code,
            ),
            "confidential",
        )
    return registration
