"""Units, leaders, schedule rules, sessions and days off."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.core.model import (
    CalendarOverride,
    Leader,
    LeaderRole,
    NewSession,
    Recipient,
    ScheduleRule,
    SessionView,
    Unit,
    UnitKind,
    UnitLevel,
)


class SchedulePort(Protocol):
    async def calendar_overrides(self) -> list[CalendarOverride]: ...

    async def units(self) -> list[Unit]: ...

    async def leaders(self) -> list[Leader]:
        """Active leaders."""
        ...

    async def leader(self, leader_id: int) -> Leader | None: ...

    async def leader_by_code(self, code: str) -> Leader | None: ...

    async def sessions_between(
        self,
        start: datetime,
        end: datetime,
        *,
        unit_ids: frozenset[int] | None = None,
        leader_id: int | None = None,
    ) -> list[SessionView]:
        """Published, planned sessions starting in [start, end), earliest first."""
        ...

    async def session(self, session_id: int) -> SessionView | None: ...

    async def session_by_code(self, code: str) -> SessionView | None:
        """A session defined in the schedule file, by its code there."""

    async def lock_session(self, session_id: int) -> None:
        """Hold the session until the transaction ends, so that seats are counted by one
        booking at a time."""
        ...

    async def active_schedule_rules(self) -> list[ScheduleRule]: ...

    async def add_sessions(self, sessions: list[NewSession], now: datetime) -> int:
        """Insert the sessions that do not exist yet; return how many were added."""
        ...

    async def upsert_unit(
        self,
        code: str,
        name: str,
        kind: UnitKind,
        level: UnitLevel,
        parent_code: str | None,
        address: str,
        now: datetime,
    ) -> Unit: ...

    async def upsert_leader(
        self,
        code: str,
        unit_id: int,
        name: str,
        title: str,
        role: LeaderRole,
        locale: str,
        now: datetime,
    ) -> Leader: ...

    async def upsert_schedule_rule(
        self, code: str, rule: ScheduleRule, now: datetime
    ) -> ScheduleRule: ...

    async def set_delegation_allowed(self, unit_codes: frozenset[str]) -> None:
        """Allow reception in the head's place for these units, forbid it for the others."""
        ...

    async def sessions_of_leader(
        self, leader_id: int, start: datetime, end: datetime
    ) -> list[SessionView]:
        """Every session of the leader starting in [start, end), published or not."""
        ...

    async def sessions_in(
        self, start: datetime, end: datetime, *, unit_ids: frozenset[int] | None = None
    ) -> list[SessionView]:
        """Every session starting in [start, end) of the units (None: all), whatever its
        status, published or not, its leader active or not; earliest first."""
        ...

    async def add_session(self, session: NewSession, code: str | None, now: datetime) -> int:
        """Insert a session, or update the one with this schedule-file code; a new time or
        place raises its revision."""
        ...

    async def update_session(self, session_id: int, changes: dict[str, object]) -> None:
        """Set columns of a session: status, starts_at, ends_at, location, note, published_at,
        and updated_at (when the change is made). A new status, time or place raises the
        session's revision, which calendars follow."""
        ...

    async def set_leader_recipients(
        self, leader_id: int, contacts: tuple[Recipient, ...], assistants: tuple[Recipient, ...]
    ) -> None: ...

    async def save_calendar_override(self, override: CalendarOverride) -> None: ...
