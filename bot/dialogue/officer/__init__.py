"""Officer commands: triage of registrations and management of officers.

A non-officer who sends one of these commands gets the reply for an unknown command; every
attempt, allowed or refused, is written to the audit log.
"""

from __future__ import annotations

from bot.core.model import Reply
from bot.core.triage import REQUIRED_ROLE
from bot.dialogue.context import Replies, Turn
from bot.dialogue.officer import (
    datarequests,
    decisions,
    dossier,
    guide,
    queue,
    reports,
    search,
    sessions,
    staff,
    today,
    walkin,
)
from bot.dialogue.officer.access import Desk, Refusal, desk, record, require_role

COMMANDS = frozenset(guide.COMMANDS)


async def handle(turn: Turn, name: str, argument: str) -> Replies | None:
    """Run an officer command; None when the sender is not an officer (treat as unknown)."""
    place = await desk(turn)
    words = argument.split()
    target = words[0] if words else ""
    if place is None:
        await record(turn, None, name, target, allowed=False, detail="not an officer")
        return None
    if name == "find":
        # /find writes its own audit line: the key it looked up and how many it found.
        return [await search.run(turn, place, argument)]
    try:
        reply, target = await _run(turn, place, name, argument, target)
    except Refusal as refusal:
        await record(turn, place, name, target, allowed=False, detail=refusal.reason)
        return [Reply(refusal.message)]
    await record(turn, place, name, target, allowed=True, detail="ok")
    return [reply]


async def _run(
    turn: Turn, place: Desk, name: str, argument: str, target: str
) -> tuple[Reply, str]:
    if name == "queue":
        filters = queue.parse_filters(turn, argument, {u.code for u in await turn.repo.units()})
        turn.state.data[queue.STATE_KEY] = filters
        return await queue.show(turn, place, filters, 0), ""
    if name == "view":
        return await dossier.show(turn, place, argument), target
    if name == "today":
        return await today.show(turn, place), ""
    if name == "walkin":
        return await walkin.run(turn, place, argument)
    if name == "datarequests":
        return await datarequests.run(turn, place, argument)
    if name == "officer":
        return await staff.run(turn, place, argument)
    if name == "session":
        return await sessions.run(turn, place, argument)
    if name in {"dayoff", "workday"}:
        return await sessions.calendar_day(turn, place, name, argument)
    if name in {"report", "logbook"}:
        return await reports.run(turn, place, name, argument)
    require_role(turn, place.officer, REQUIRED_ROLE[decisions.DECISIONS[name].action])
    return await decisions.run(turn, place, name, argument)


async def queue_page(turn: Turn, page: int) -> Replies | None:
    """Another page of the last /queue; None for a citizen who is not an officer."""
    place = await desk(turn)
    if place is None:
        return None
    stored = turn.state.data.get(queue.STATE_KEY)
    filters = stored if isinstance(stored, dict) else {}
    clean = {key: [str(v) for v in filters.get(key, [])] for key in ("statuses", "kinds", "units")}
    await record(turn, place, "queue", f"page {page + 1}", allowed=True, detail="ok")
    return [await queue.show(turn, place, clean, max(page, 0))]


async def find_page(turn: Turn, page: int) -> Replies | None:
    """Another page of the last /find; None for a citizen who is not an officer."""
    place = await desk(turn)
    if place is None:
        return None
    reply = await search.again(turn, place, page)
    return None if reply is None else [reply]


async def help_text(turn: Turn, topic: str) -> str | None:
    """The officers' part of /help (or the usage of one command); None for citizens."""
    place = await desk(turn)
    if place is None:
        return None
    if topic:
        single = guide.one(turn, topic)
        if single is not None:
            return single.text
    return guide.overview(turn, place.officer.role)
