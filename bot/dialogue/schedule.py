"""Published reception sessions of the coming weeks, by unit and leader."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from bot.core.model import Choice, Reply, SessionView, Unit
from bot.dialogue.context import Replies, Turn

# Above this many sessions the citizen first picks a unit, so a province-wide deployment with
# hundreds of communes does not answer with a wall of text.
MAX_LISTED = 12
MAX_UNIT_CHOICES = 20


def places_left(turn: Turn, session: SessionView) -> str:
    if session.remaining == 0:
        return turn._("full")
    return turn.n_("{n} place left", "{n} places left", session.remaining)


def session_line(turn: Turn, session: SessionView, *, with_places: bool = True) -> str:
    when_and_where = turn._(
        "{date}, {start}–{end}, {place}",
        date=turn.tr.day_of(session.starts_at),
        start=turn.tr.hour(session.starts_at),
        end=turn.tr.hour(session.ends_at),
        place=session.location,
    )
    if not with_places:
        return when_and_where
    return f"{when_and_where} ({places_left(turn, session)})"


def session_choice_label(turn: Turn, session: SessionView) -> str:
    return turn._(
        "{date} {time} ({places})",
        date=turn.tr.short_day(session.starts_at.astimezone(turn.tr.zone).date()),
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


def _listing(turn: Turn, sessions: list[SessionView]) -> str:
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
        lines.append(f"• {session_line(turn, session)}")
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
        return _sessions_reply(turn, sessions, days)
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
    return _sessions_reply(turn, sessions, turn.settings.schedule_view_days)


def _sessions_reply(turn: Turn, sessions: list[SessionView], days: int) -> Replies:
    header = turn._("Reception sessions in the next {days} days:", days=days)
    footer = turn._(
        "A session on a public holiday moves to the next working day or is skipped, "
        "as each schedule says."
    )
    leaders: dict[int, str] = {}
    for session in sessions_by_host(sessions):
        if session.remaining > 0:
            leaders.setdefault(session.leader_id, session.leader_name)
    choices = tuple(
        Choice(turn._("📝 Register with {name}", name=name), f"rs:{leader_id}")
        for leader_id, name in leaders.items()
    )
    text = f"{header}\n\n{_listing(turn, sessions)}\n\n{footer}"
    return [Reply(text, (*choices, Choice(turn._("🏠 Main menu"), "m:menu")))]
