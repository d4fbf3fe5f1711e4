"""Published reception sessions of the coming weeks, by unit and leader."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from bot.core import registrations
from bot.core.model import Choice, Reply, SessionView, Unit
from bot.core.registrations import local_day
from bot.dialogue.context import Replies, Turn

# Above this many sessions the citizen first picks a unit, so a province-wide deployment with
# hundreds of communes does not answer with a wall of text.
MAX_LISTED = 12
MAX_UNIT_CHOICES = 20
MAX_FOLLOW_CHOICES = 6


def places_left(turn: Turn, session: SessionView, *, open_for_booking: bool = True) -> str:
    # Capacity counts registrations (a group registers once), hence "slots", not "seats".
    if session.remaining == 0:
        return turn._("full")
    if not open_for_booking:
        return turn._("registration closed")
    return turn.n_("{n} slot left", "{n} slots left", session.remaining)


def session_line(
    turn: Turn, session: SessionView, *, with_places: bool = True, open_for_booking: bool = True
) -> str:
    when_and_where = turn._(
        "{date}, {start}–{end}, {place}",
        date=turn.tr.day_of(session.starts_at),
        start=turn.tr.hour(session.starts_at),
        end=turn.tr.hour(session.ends_at),
        place=session.location,
    )
    if not with_places:
        return when_and_where
    return f"{when_and_where} ({places_left(turn, session, open_for_booking=open_for_booking)})"


def session_choice_label(turn: Turn, session: SessionView) -> str:
    return turn._(
        "{date} {time} ({places})",
        date=turn.tr.short_day(local_day(session.starts_at, turn.settings.booking.zone)),
        time=turn.tr.hour(session.starts_at),
        places=places_left(turn, session),
    )


async def upcoming(turn: Turn, unit_ids: frozenset[int] | None = None) -> list[SessionView]:
    days = turn.settings.schedule_view_days
    return await turn.repo.sessions_between(
        turn.now, turn.now + timedelta(days=days), unit_ids=unit_ids
    )


def _descendants(units: Iterable[Unit], root_id: int) -> frozenset[int]:
    children: dict[int | None, list[int]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit.id)
    found, stack = {root_id}, [root_id]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return frozenset(found)


def _listing(turn: Turn, sessions: list[SessionView], open_ids: frozenset[int]) -> str:
    lines: list[str] = []
    current_unit: int | None = None
    current_leader: int | None = None
    for session in sessions_by_host(sessions):
        if session.unit_id != current_unit:
            if lines:
                lines.append("")
            lines.append(f"🏛 {session.unit_name}")
            current_unit, current_leader = session.unit_id, None
        if session.leader_id != current_leader:
            lines.append(
                turn._(
                    "Host: {name}, {title}", name=session.leader_name, title=session.leader_title
                )
            )
            current_leader = session.leader_id
        line = session_line(turn, session, open_for_booking=session.id in open_ids)
        lines.append(f"• {line}")
    return "\n".join(lines)


def sessions_by_host(sessions: list[SessionView]) -> list[SessionView]:
    return sorted(sessions, key=lambda s: (s.unit_id, s.leader_id, s.starts_at))


async def overview(turn: Turn) -> Replies:
    sessions = await upcoming(turn)
    days = turn.settings.schedule_view_days
    if not sessions:
        text = turn._(
            "No reception session is published for the next {days} days. "
            "Schedules are published at least 5 working days ahead; please look again later.",
            days=days,
        )
        return [Reply(text, (Choice(turn._("🏠 Main menu"), "m:menu"),))]
    if len(sessions) <= MAX_LISTED:
        return await _sessions_reply(turn, sessions, days)
    units = await turn.repo.units()
    with_sessions = {s.unit_id for s in sessions}
    roots = [u for u in units if u.id in with_sessions][:MAX_UNIT_CHOICES]
    choices = tuple(Choice(u.name, f"s:{u.id}") for u in roots)
    text = turn._(
        "{count} sessions are published for the next {days} days. Choose a unit:",
        count=len(sessions),
        days=days,
    )
    return [Reply(text, (*choices, Choice(turn._("🏠 Main menu"), "m:menu")))]


async def for_unit(turn: Turn, unit_id: int) -> Replies:
    units = await turn.repo.units()
    if not any(u.id == unit_id for u in units):
        return await overview(turn)
    sessions = await upcoming(turn, _descendants(units, unit_id))
    if not sessions:
        return await overview(turn)
    return await _sessions_reply(turn, sessions, turn.settings.schedule_view_days)


async def _sessions_reply(turn: Turn, sessions: list[SessionView], days: int) -> Replies:
    header = turn._("Reception sessions in the next {days} days:", days=days)
    footer = turn._(
        "A session on a public holiday moves to the next working day or is skipped, "
        "as each schedule says."
    )
    work = await turn.calendar()
    open_ids = frozenset(
        s.id for s in sessions if registrations.bookable(s, turn.now, work, turn.settings.booking)
    )
    leaders: dict[int, str] = {}
    for session in sessions_by_host(sessions):
        if session.id in open_ids:
            leaders.setdefault(session.leader_id, session.leader_name)
    choices = [
        Choice(turn._("📝 Register with {name}", name=name), f"rs:{leader_id}")
        for leader_id, name in leaders.items()
    ]
    followed = await turn.repo.subscribed_units(turn.citizen.id)
    units: dict[int, str] = {}
    for session in sessions_by_host(sessions):
        units.setdefault(session.unit_id, session.unit_name)
    for unit_id, name in list(units.items())[:MAX_FOLLOW_CHOICES]:
        if unit_id in followed:
            choices.append(
                Choice(turn._("🔕 Stop following {unit}", unit=name), f"unsub:{unit_id}")
            )
        else:
            choices.append(Choice(turn._("🔔 Follow {unit}", unit=name), f"sub:{unit_id}"))
    text = f"{header}\n\n{_listing(turn, sessions, open_ids)}\n\n{footer}"
    return [Reply(text, (*choices, Choice(turn._("🏠 Main menu"), "m:menu")))]


async def follow(turn: Turn, unit_id: int, following: bool) -> Replies:
    """Start or stop telling the citizen of each session newly published for a unit."""
    unit = next((u for u in await turn.repo.units() if u.id == unit_id), None)
    if unit is None:
        return await overview(turn)
    if following:
        await turn.repo.subscribe(turn.citizen.id, unit_id, turn.now)
        text = turn._("You will be told of each new reception session of {unit}.", unit=unit.name)
    else:
        await turn.repo.unsubscribe(turn.citizen.id, unit_id)
        text = turn._("You will no longer be told of new sessions of {unit}.", unit=unit.name)
    return [Reply(text, (Choice(turn._("🏠 Main menu"), "m:menu"),))]
