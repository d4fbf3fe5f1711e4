"""Which sessions a citizen may book: published, planned, with free places, far enough ahead
for the officers to review the request, and within the booking horizon."""

from __future__ import annotations

from datetime import timedelta

from bot.core.model import SessionStatus, SessionView
from bot.dialogue.context import Turn


def bookable(turn: Turn, session: SessionView) -> bool:
    horizon = turn.now + timedelta(days=turn.settings.booking_horizon_days)
    return (
        session.published
        and session.status is SessionStatus.PLANNED
        and session.remaining > 0
        and turn.now + turn.settings.booking_min_notice <= session.starts_at <= horizon
    )


async def open_sessions(turn: Turn, leader_id: int | None = None) -> list[SessionView]:
    sessions = await turn.repo.sessions_between(
        turn.now + turn.settings.booking_min_notice,
        turn.now + timedelta(days=turn.settings.booking_horizon_days),
        leader_id=leader_id,
    )
    return [s for s in sessions if bookable(turn, s)]
