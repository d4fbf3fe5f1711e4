"""Units, leaders, schedule rules, sessions and the calendar's days off."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select, update

from bot.core.model import (
    SEAT_HOLDING_STATUSES,
    CalendarOverride,
    HolidayPolicy,
    Leader,
    LeaderRole,
    NewSession,
    Recipient,
    Recurrence,
    RecurrenceKind,
    ScheduleRule,
    SessionStatus,
    SessionView,
    Unit,
    UnitKind,
    UnitLevel,
)
from storage.part import SqlPart
from storage.tables import (
    CalendarOverrideRow,
    LeaderRow,
    RegistrationRow,
    ScheduleRuleRow,
    SessionRow,
    UnitRow,
)

_SEAT_HOLDING = tuple(status.value for status in SEAT_HOLDING_STATUSES)
# Session columns whose change a calendar must follow: each one raises the revision.
_REVISED = frozenset({"status", "starts_at", "ends_at", "location"})


class ScheduleRepository(SqlPart):
    async def calendar_overrides(self) -> list[CalendarOverride]:
        rows = (await self._s.execute(select(CalendarOverrideRow))).scalars()
        return [CalendarOverride(r.day, r.working, r.note) for r in rows]

    async def units(self) -> list[Unit]:
        # Columns, not ORM objects: most officer commands read every unit, and with a
        # province's few hundred the objects cost a few milliseconds a time.
        rows = (await self._s.execute(_UNITS)).all()
        return [
            Unit(
                id=id_,
                code=code,
                name=name,
                kind=UnitKind(kind),
                level=UnitLevel(level),
                parent_id=parent_id,
                address=address,
            )
            for id_, code, name, kind, level, parent_id, address in rows
        ]

    async def leaders(self) -> list[Leader]:
        query = select(LeaderRow).where(LeaderRow.active.is_(True)).order_by(LeaderRow.id)
        return [_leader(r) for r in (await self._s.execute(query)).scalars()]

    async def leader(self, leader_id: int) -> Leader | None:
        row = await self._s.get(LeaderRow, leader_id)
        return _leader(row) if row else None

    async def leader_by_code(self, code: str) -> Leader | None:
        row = (
            await self._s.execute(select(LeaderRow).where(LeaderRow.code == code))
        ).scalar_one_or_none()
        return _leader(row) if row else None

    async def sessions_between(
        self,
        start: datetime,
        end: datetime,
        *,
        unit_ids: frozenset[int] | None = None,
        leader_id: int | None = None,
    ) -> list[SessionView]:
        query = (
            session_views()
            .where(
                SessionRow.starts_at >= start,
                SessionRow.starts_at < end,
                SessionRow.status == SessionStatus.PLANNED.value,
                SessionRow.published_at.is_not(None),
                LeaderRow.active.is_(True),
            )
            .order_by(SessionRow.starts_at, SessionRow.id)
        )
        if unit_ids is not None:
            query = query.where(LeaderRow.unit_id.in_(unit_ids))
        if leader_id is not None:
            query = query.where(SessionRow.leader_id == leader_id)
        return [session_view_of(*row) for row in (await self._s.execute(query)).all()]

    async def session(self, session_id: int) -> SessionView | None:
        row = (
            await self._s.execute(session_views().where(SessionRow.id == session_id))
        ).one_or_none()
        return session_view_of(*row) if row else None

    async def session_by_code(self, code: str) -> SessionView | None:
        row = (await self._s.execute(session_views().where(SessionRow.code == code))).one_or_none()
        return session_view_of(*row) if row else None

    async def lock_session(self, session_id: int) -> None:
        # SQLite transactions here all begin IMMEDIATE: writers are already one at a time.
        if self._dialect == "postgresql":
            await self._s.execute(
                select(SessionRow.id).where(SessionRow.id == session_id).with_for_update()
            )

    async def active_schedule_rules(self) -> list[ScheduleRule]:
        query = (
            select(ScheduleRuleRow)
            .join(LeaderRow, ScheduleRuleRow.leader_id == LeaderRow.id)
            .where(ScheduleRuleRow.active.is_(True), LeaderRow.active.is_(True))
            .order_by(ScheduleRuleRow.id)
        )
        return [_rule(r) for r in (await self._s.execute(query)).scalars()]

    async def add_sessions(self, sessions: list[NewSession], now: datetime) -> int:
        if not sessions:
            return 0
        rows = [
            {
                "leader_id": s.leader_id,
                "rule_id": s.rule_id,
                "nominal_date": s.nominal_date,
                "starts_at": s.starts_at,
                "ends_at": s.ends_at,
                "location": s.location,
                "capacity": s.capacity,
                "status": SessionStatus.PLANNED.value,
                "published_at": s.published_at,
                "note": "",
                "created_at": now,
            }
            for s in sessions
        ]
        return await self._insert_ignoring_conflicts(SessionRow, rows, ["rule_id", "nominal_date"])

    async def upsert_unit(
        self,
        code: str,
        name: str,
        kind: UnitKind,
        level: UnitLevel,
        parent_code: str | None,
        address: str,
        now: datetime,
    ) -> Unit:
        parent_id = None
        if parent_code is not None:
            parent_id = (
                await self._s.execute(select(UnitRow.id).where(UnitRow.code == parent_code))
            ).scalar_one()
        row = (
            await self._s.execute(select(UnitRow).where(UnitRow.code == code))
        ).scalar_one_or_none()
        if row is None:
            row = UnitRow(code=code, created_at=now)
            self._s.add(row)
        row.name, row.kind, row.level = name, kind.value, level.value
        row.parent_id, row.address = parent_id, address
        await self._s.flush()
        return _unit(row)

    async def upsert_leader(
        self,
        code: str,
        unit_id: int,
        name: str,
        title: str,
        role: LeaderRole,
        locale: str,
        now: datetime,
    ) -> Leader:
        row = (
            await self._s.execute(select(LeaderRow).where(LeaderRow.code == code))
        ).scalar_one_or_none()
        if row is None:
            row = LeaderRow(code=code, contacts=[], created_at=now)
            self._s.add(row)
        row.unit_id, row.name, row.title = unit_id, name, title
        row.role, row.locale, row.active = role.value, locale, True
        await self._s.flush()
        return _leader(row)

    async def upsert_schedule_rule(
        self, code: str, rule: ScheduleRule, now: datetime
    ) -> ScheduleRule:
        row = (
            await self._s.execute(select(ScheduleRuleRow).where(ScheduleRuleRow.code == code))
        ).scalar_one_or_none()
        if row is None:
            row = ScheduleRuleRow(code=code, created_at=now)
            self._s.add(row)
        recurrence = rule.recurrence
        row.leader_id = rule.leader_id
        row.kind = recurrence.kind.value
        row.day_of_month, row.nth, row.weekday = (
            recurrence.day_of_month,
            recurrence.nth,
            recurrence.weekday,
        )
        row.interval_weeks = recurrence.interval_weeks
        row.start_time, row.end_time = rule.start, rule.end
        row.location, row.capacity = rule.location, rule.capacity
        row.holiday_policy = rule.holiday_policy.value
        row.valid_from, row.valid_until = rule.valid_from, rule.valid_until
        row.auto_publish, row.active = rule.auto_publish, rule.active
        await self._s.flush()
        return _rule(row)

    async def set_delegation_allowed(self, unit_codes: frozenset[str]) -> None:
        await self._s.execute(
            update(UnitRow).values(allow_delegation=UnitRow.code.in_(unit_codes))
        )

    async def sessions_of_leader(
        self, leader_id: int, start: datetime, end: datetime
    ) -> list[SessionView]:
        query = (
            session_views()
            .where(
                SessionRow.leader_id == leader_id,
                SessionRow.starts_at >= start,
                SessionRow.starts_at < end,
            )
            .order_by(SessionRow.starts_at, SessionRow.id)
        )
        return [session_view_of(*row) for row in (await self._s.execute(query)).all()]

    async def sessions_in(
        self, start: datetime, end: datetime, *, unit_ids: frozenset[int] | None = None
    ) -> list[SessionView]:
        query = (
            session_views()
            .where(SessionRow.starts_at >= start, SessionRow.starts_at < end)
            .order_by(SessionRow.starts_at, SessionRow.id)
        )
        if unit_ids is not None:
            query = query.where(LeaderRow.unit_id.in_(unit_ids))
        return [session_view_of(*row) for row in (await self._s.execute(query)).all()]

    async def add_session(self, session: NewSession, code: str | None, now: datetime) -> int:
        row = None
        if code is not None:
            row = (
                await self._s.execute(select(SessionRow).where(SessionRow.code == code))
            ).scalar_one_or_none()
        if row is None:
            row = SessionRow(
                code=code, created_at=now, status=SessionStatus.PLANNED.value, revision=0
            )
            self._s.add(row)
        elif (row.starts_at, row.ends_at, row.location) != (
            session.starts_at,
            session.ends_at,
            session.location,
        ):
            row.revision, row.updated_at = row.revision + 1, now
        row.leader_id, row.rule_id, row.nominal_date = (
            session.leader_id,
            None,
            session.nominal_date,
        )
        row.starts_at, row.ends_at = session.starts_at, session.ends_at
        row.location, row.capacity = session.location, session.capacity
        if row.published_at is None:
            row.published_at = session.published_at
        row.note = row.note or ""
        await self._s.flush()
        return row.id

    async def update_session(self, session_id: int, changes: dict[str, object]) -> None:
        allowed = {"status", "starts_at", "ends_at", "location", "note", "published_at"}
        unknown = set(changes) - allowed - {"updated_at"}
        if unknown:
            raise ValueError(f"a session change cannot set {sorted(unknown)}")
        row = await self._s.get(SessionRow, session_id)
        if row is None:
            raise LookupError(f"session {session_id} does not exist")
        if any(getattr(row, name) != changes[name] for name in _REVISED.intersection(changes)):
            row.revision += 1
        for name, value in changes.items():
            setattr(row, name, value)
        await self._s.flush()

    async def set_leader_recipients(
        self, leader_id: int, contacts: tuple[Recipient, ...], assistants: tuple[Recipient, ...]
    ) -> None:
        row = await self._s.get(LeaderRow, leader_id)
        if row is None:
            raise LookupError(f"leader {leader_id} does not exist")
        row.contacts = [_recipient_json(r) for r in contacts]
        row.assistants = [_recipient_json(r) for r in assistants]
        await self._s.flush()

    async def save_calendar_override(self, override: CalendarOverride) -> None:
        row = await self._s.get(CalendarOverrideRow, override.day)
        if row is None:
            row = CalendarOverrideRow(day=override.day)
            self._s.add(row)
        row.working, row.note = override.working, override.note
        await self._s.flush()


def session_views() -> Select[SessionRow, LeaderRow, UnitRow, int]:
    taken = (
        select(func.count(RegistrationRow.id))
        .where(
            RegistrationRow.session_id == SessionRow.id,
            RegistrationRow.status.in_(_SEAT_HOLDING),
        )
        .correlate(SessionRow)
        .scalar_subquery()
    )
    return (
        select(SessionRow, LeaderRow, UnitRow, taken.label("taken"))
        .join(LeaderRow, SessionRow.leader_id == LeaderRow.id)
        .join(UnitRow, LeaderRow.unit_id == UnitRow.id)
    )


_UNITS = select(
    UnitRow.id,
    UnitRow.code,
    UnitRow.name,
    UnitRow.kind,
    UnitRow.level,
    UnitRow.parent_id,
    UnitRow.address,
).order_by(UnitRow.id)


def _unit(row: UnitRow) -> Unit:
    return Unit(
        id=row.id,
        code=row.code,
        name=row.name,
        kind=UnitKind(row.kind),
        level=UnitLevel(row.level),
        parent_id=row.parent_id,
        address=row.address,
    )


def _leader(row: LeaderRow) -> Leader:
    return Leader(
        id=row.id,
        code=row.code,
        unit_id=row.unit_id,
        name=row.name,
        title=row.title,
        role=LeaderRole(row.role),
        locale=row.locale,
        active=row.active,
        contacts=tuple(_recipient(item) for item in row.contacts or ()),
        assistants=tuple(_recipient(item) for item in row.assistants or ()),
    )


def _recipient(item: dict[str, Any]) -> Recipient:
    return Recipient(
        channel=str(item["channel"]),
        chat_id=str(item["chat_id"]),
        locale=str(item.get("locale", "vi")),
        confidential=bool(item.get("confidential", False)),
    )


def _recipient_json(recipient: Recipient) -> dict[str, Any]:
    return {
        "channel": recipient.channel,
        "chat_id": recipient.chat_id,
        "locale": recipient.locale,
        "confidential": recipient.confidential,
    }


def _rule(row: ScheduleRuleRow) -> ScheduleRule:
    return ScheduleRule(
        id=row.id,
        leader_id=row.leader_id,
        recurrence=Recurrence(
            kind=RecurrenceKind(row.kind),
            day_of_month=row.day_of_month,
            nth=row.nth,
            weekday=row.weekday,
            interval_weeks=row.interval_weeks,
        ),
        start=row.start_time,
        end=row.end_time,
        location=row.location,
        capacity=row.capacity,
        holiday_policy=HolidayPolicy(row.holiday_policy),
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        auto_publish=row.auto_publish,
        active=row.active,
    )


def session_view_of(
    session: SessionRow, leader: LeaderRow, unit: UnitRow, taken: int
) -> SessionView:
    return SessionView(
        id=session.id,
        leader_id=leader.id,
        leader_name=leader.name,
        leader_title=leader.title,
        unit_id=unit.id,
        unit_name=unit.name,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        location=session.location,
        capacity=session.capacity,
        taken=int(taken or 0),
        status=SessionStatus(session.status),
        published=session.published_at is not None,
        revision=session.revision,
        updated_at=session.updated_at or session.created_at,
    )
