"""A session and a registration as the core reads them, built for the pure rule tests: the
same leader, unit and citizen everywhere, the times and counts each test needs."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from bot.core.model import (
    RegistrationStatus,
    RegistrationView,
    RequestKind,
    SessionStatus,
    SessionView,
)


def session_view(starts_at: datetime, **changes: Any) -> SessionView:
    """A published, planned three-hour session of the commune chairman."""
    session = SessionView(
        id=7,
        leader_id=2,
        leader_name="Nguyễn Văn Minh",
        leader_title="Chủ tịch UBND xã",
        unit_id=1,
        unit_name="UBND xã Lạc Hồng",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=3),
        location="Trụ sở",
        capacity=2,
        taken=1,
        status=SessionStatus.PLANNED,
        published=True,
    )
    return replace(session, **changes)


def registration_view(
    session: SessionView, submitted_at: datetime, due_date: date, **changes: Any
) -> RegistrationView:
    """Nguyễn Văn An's complaint, approved into ``session``."""
    registration = RegistrationView(
        id=11,
        code="K7MQ-X4PD",
        citizen_id=5,
        kind=RequestKind.COMPLAINT,
        status=RegistrationStatus.APPROVED,
        full_name="Nguyễn Văn An",
        summary="…",
        request="…",
        people_count=1,
        leader_name=session.leader_name,
        leader_title=session.leader_title,
        session_id=session.id,
        session_starts_at=session.starts_at,
        session_location=session.location,
        submitted_at=submitted_at,
        due_date=due_date,
    )
    return replace(registration, **changes)
