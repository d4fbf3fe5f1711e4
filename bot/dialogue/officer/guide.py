"""Officers' help: the list of their commands, and each command's usage."""

from __future__ import annotations

from bot.core.i18n import N_, Translator
from bot.core.model import OfficerRole, Reply
from bot.core.triage import REQUIRED_ROLE
from bot.dialogue import menu
from bot.dialogue.context import Turn
from bot.dialogue.officer import (
    datarequests,
    decisions,
    reports,
    search,
    sessions,
    staff,
    walkin,
)

# command -> (usage, what it does, least role); the decisions come from their own table.
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
    "find": (
        search.USAGE,
        N_(
            "look up registrations in your units by ticket code, phone number, ID number or "
            "the citizen's name (with or without accents, words in any order)"
        ),
        OfficerRole.OFFICER,
    ),
    "today": (
        "/today",
        N_(
            "today's and tomorrow's sessions in your units: who is expected, who confirmed or "
            "cannot come, the interpreters needed; walk-ins recorded today; the written "
            "notices still to issue; the queue's deadlines and the answers overdue"
        ),
        OfficerRole.OFFICER,
    ),
    "walkin": (
        walkin.USAGE,
        N_(
            "record a citizen received at the office, or a matter that came by phone, by "
            "letter or forwarded by another body: /walkin alone sends the form to fill in"
        ),
        OfficerRole.OFFICER,
    ),
    "datarequests": (
        datarequests.USAGE,
        N_(
            "citizens' requests about their data (a correction after a decision...), with the "
            "deadlines of Decree 356/2025: acknowledge, carry out or refuse each"
        ),
        OfficerRole.OFFICER,
    ),
    **{
        name: (command.usage, command.what, REQUIRED_ROLE[command.action])
        for name, command in decisions.DECISIONS.items()
    },
    "logbook": (
        reports.LOGBOOK_USAGE,
        N_("the reception logbook (sổ tiếp công dân) of a period, as a spreadsheet"),
        OfficerRole.OFFICER,
    ),
    "report": (
        reports.REPORT_USAGE,
        N_(
            "the periodic report: reception days against the legal minimum, registrations "
            "by kind and result, answer times; a summary and a spreadsheet"
        ),
        OfficerRole.SUPERVISOR,
    ),
    "officer": (
        " | ".join(staff.USAGE),
        N_("add, remove or list officers (roles: officer, supervisor, admin)"),
        OfficerRole.ADMIN,
    ),
    "session": (
        " | ".join(sessions.USAGE.values()),
        N_(
            "list, add (published, or as a draft), publish, cancel or move sessions; the "
            "citizens concerned and the officers are told"
        ),
        OfficerRole.ADMIN,
    ),
    "dayoff": (sessions.DAY_USAGE["dayoff"], N_("an extra day off"), OfficerRole.ADMIN),
    "workday": (
        sessions.DAY_USAGE["workday"],
        N_("a weekend day worked in exchange for a day off"),
        OfficerRole.ADMIN,
    ),
}


def command_menu(tr: Translator, role: OfficerRole) -> list[tuple[str, str]]:
    """An officer's command menu: the citizen's commands, then those of the role."""
    return menu.citizen_commands(tr) + [
        (name, tr._(what))
        for name, (_usage, what, least) in COMMANDS.items()
        if role.at_least(least)
    ]


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
