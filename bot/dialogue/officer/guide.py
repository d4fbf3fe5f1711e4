"""Officers' help: the list of their commands, and each command's usage."""

from __future__ import annotations

from bot.core.i18n import N_
from bot.core.model import OfficerRole, Reply
from bot.dialogue.context import Turn
from bot.dialogue.officer import decisions, staff

# command -> (usage, what it does, least role)
COMMANDS: dict[str, tuple[str, str, OfficerRole]] = {
    "queue": (
        "/queue [status] [unit] [kind]",
        N_(
            "registrations waiting, oldest first, with their age and deadline in working days "
            "(⚠️ due within 2 working days, ⛔ overdue); “all” shows every state"
        ),
        OfficerRole.OFFICER,
    ),
    "view": ("/view CODE", N_("the whole dossier and its history"), OfficerRole.OFFICER),
    "approve": (
        decisions.USAGE["approve"],
        N_("approve into the session asked for, or another one of the same leader, at a time"),
        OfficerRole.OFFICER,
    ),
    "reject": (
        decisions.USAGE["reject"],
        N_(
            "refuse with a lawful reason: not_request, repeat, judgment, handled_elsewhere, "
            "no_authority, outside (then name the competent body)"
        ),
        OfficerRole.OFFICER,
    ),
    "needinfo": (
        decisions.USAGE["needinfo"],
        N_("ask the citizen a question; the time limit pauses until they answer"),
        OfficerRole.OFFICER,
    ),
    "delegate": (
        decisions.USAGE["delegate"],
        N_("another official receives in the head's place, where the unit allows it"),
        OfficerRole.OFFICER,
    ),
    "transfer": (
        decisions.USAGE["transfer"],
        N_("refer the matter to the competent body"),
        OfficerRole.OFFICER,
    ),
    "duplicate": (
        decisions.USAGE["duplicate"],
        N_("join to an earlier registration on the same matter"),
        OfficerRole.OFFICER,
    ),
    "attended": (decisions.USAGE["attended"], N_("the citizen was received"), OfficerRole.OFFICER),
    "noshow": (decisions.USAGE["noshow"], N_("the citizen did not come"), OfficerRole.OFFICER),
    "outcome": (
        decisions.USAGE["outcome"],
        N_("how the reception ended: accepted, guided, transferred, answered, refused, other"),
        OfficerRole.OFFICER,
    ),
    "conclusion": (
        decisions.USAGE["conclusion"],
        N_("the leader's conclusion, with its deadline and responsible unit"),
        OfficerRole.OFFICER,
    ),
    "note": (
        decisions.USAGE["note"],
        N_("an internal note, never shown to the citizen"),
        OfficerRole.OFFICER,
    ),
    "reassign": (
        decisions.USAGE["reassign"],
        N_("pass a waiting registration to another leader"),
        OfficerRole.SUPERVISOR,
    ),
    "officer": (
        " | ".join(staff.USAGE),
        N_("add, remove or list officers (roles: officer, supervisor, admin)"),
        OfficerRole.ADMIN,
    ),
}


def overview(turn: Turn, role: OfficerRole) -> str:
    lines = [turn._("Officer commands (CODE is a ticket code; /help COMMAND for details):")]
    for usage, what, least in COMMANDS.values():
        if role.at_least(least):
            lines.append(f"• {usage}: {turn._(what)}")
    return "\n".join(lines)


def one(turn: Turn, name: str) -> Reply | None:
    entry = COMMANDS.get(name.lstrip("/"))
    if entry is None:
        return None
    usage, what, _least = entry
    return Reply(f"{usage}\n{turn._(what)}")
