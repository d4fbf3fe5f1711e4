"""The core's Repository port over SQLAlchemy; rows never leave this module, only core values."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, case, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from bot.core.model import (
    SEAT_HOLDING_STATUSES,
    AuditEntry,
    CalendarOverride,
    Choice,
    Citizen,
    Credentials,
    DialogState,
    HolidayPolicy,
    Leader,
    LeaderRole,
    NewRegistration,
    NewSession,
    Officer,
    OfficerRole,
    OutboxItem,
    OutboxMessage,
    OutgoingFile,
    Recipient,
    Recurrence,
    RecurrenceKind,
    RegistrationEvent,
    RegistrationStatus,
    RegistrationView,
    Reply,
    RequestKind,
    ScheduleRule,
    SessionStatus,
    SessionView,
    StoredUpdate,
    Unit,
    UnitKind,
    UnitLevel,
)
from bot.core.ports import DECISION_COLUMNS, OfficerRecord
from storage.tables import (
    AuditRow,
    Base,
    CalendarOverrideRow,
    CitizenRow,
    ConsentRow,
    CredentialRow,
    DialogStateRow,
    InboxRow,
    LeaderRow,
    OfficerRow,
    OutboxRow,
    RegistrationEventRow,
    RegistrationRow,
    ScheduleRuleRow,
    SessionRow,
    SubscriptionRow,
    UnitRow,
)

_SEAT_HOLDING = tuple(status.value for status in SEAT_HOLDING_STATUSES)
# Session columns whose change a calendar must follow: each one raises the revision.
_REVISED = frozenset({"status", "starts_at", "ends_at", "location"})


class SqlStore:
    """Opens one session and one transaction per unit of work."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqlRepository]:
        async with self._sessions() as session, session.begin():
            yield SqlRepository(session)


class SqlRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session
        self._dialect = session.get_bind().dialect.name

    # --- helpers ---------------------------------------------------------------------------

    async def _insert_ignoring_conflicts(
        self, table: type[Base], rows: Sequence[dict[str, Any]], keys: Sequence[str]
    ) -> int:
        """INSERT ... ON CONFLICT DO NOTHING in the dialect at hand; returns rows inserted."""
        if not rows:
            return 0
        insert = postgresql.insert if self._dialect == "postgresql" else sqlite.insert
        statement = insert(table).values(list(rows)).on_conflict_do_nothing(index_elements=keys)
        result = await self._s.execute(statement)
        return int(getattr(result, "rowcount", 0) or 0)

    # --- citizens and their conversation ---------------------------------------------------

    async def citizen_for(
        self, channel: str, user_id: str, chat_id: str, locale: str, now: datetime
    ) -> Citizen:
        find = select(CitizenRow).where(
            CitizenRow.channel == channel, CitizenRow.channel_user_id == user_id
        )
        row = (await self._s.execute(find)).scalar_one_or_none()
        if row is None:
            # Two first messages of a new user may race on PostgreSQL: insert-or-ignore,
            # then read whichever row won.
            await self._insert_ignoring_conflicts(
                CitizenRow,
                [
                    {
                        "channel": channel,
                        "channel_user_id": user_id,
                        "chat_id": chat_id,
                        "locale": locale,
                        "created_at": now,
                        "last_seen_at": now,
                    }
                ],
                ["channel", "channel_user_id"],
            )
            row = (await self._s.execute(find)).scalar_one()
        row.last_seen_at = now
        # Writing again means the chat works again (they unblocked the bot).
        row.unreachable_at = None
        if row.chat_id != chat_id:
            row.chat_id = chat_id
        return _citizen(row)

    async def locale_of(self, channel: str, user_id: str) -> str | None:
        found = await self._s.execute(
            select(CitizenRow.locale).where(
                CitizenRow.channel == channel, CitizenRow.channel_user_id == user_id
            )
        )
        return found.scalar_one_or_none()

    async def set_citizen_locale(self, citizen_id: int, locale: str) -> None:
        await self._s.execute(
            update(CitizenRow).where(CitizenRow.id == citizen_id).values(locale=locale)
        )

    async def load_dialog(self, citizen_id: int, now: datetime) -> DialogState:
        query = select(DialogStateRow.data).where(DialogStateRow.citizen_id == citizen_id)
        if self._dialect == "postgresql":
            # One user's messages never run concurrently, even across instances.
            query = query.with_for_update()
        data = (await self._s.execute(query)).scalar_one_or_none()
        if data is None:
            await self._insert_ignoring_conflicts(
                DialogStateRow,
                [{"citizen_id": citizen_id, "data": {}, "updated_at": now}],
                ["citizen_id"],
            )
            data = (await self._s.execute(query)).scalar_one()
        return DialogState(dict(data))

    async def save_dialog(self, citizen_id: int, state: DialogState, now: datetime) -> None:
        await self._s.execute(
            update(DialogStateRow)
            .where(DialogStateRow.citizen_id == citizen_id)
            .values(data=state.data, updated_at=now)
        )

    async def record_consent(
        self, citizen_id: int, notice_version: str, locale: str, at: datetime
    ) -> int:
        row = ConsentRow(
            citizen_id=citizen_id, notice_version=notice_version, locale=locale, given_at=at
        )
        self._s.add(row)
        await self._s.flush()
        return row.id

    # --- units, leaders, schedules ---------------------------------------------------------

    async def calendar_overrides(self) -> list[CalendarOverride]:
        rows = (await self._s.execute(select(CalendarOverrideRow))).scalars()
        return [CalendarOverride(r.day, r.working, r.note) for r in rows]

    async def units(self) -> list[Unit]:
        rows = (await self._s.execute(select(UnitRow).order_by(UnitRow.id))).scalars()
        return [_unit(r) for r in rows]

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

    def _session_views(self) -> Select[SessionRow, LeaderRow, UnitRow, int]:
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

    async def sessions_between(
        self,
        start: datetime,
        end: datetime,
        *,
        unit_ids: frozenset[int] | None = None,
        leader_id: int | None = None,
    ) -> list[SessionView]:
        query = (
            self._session_views()
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
        return [_session_view(*row) for row in (await self._s.execute(query)).all()]

    async def session(self, session_id: int) -> SessionView | None:
        row = (
            await self._s.execute(self._session_views().where(SessionRow.id == session_id))
        ).one_or_none()
        return _session_view(*row) if row else None

    async def session_by_code(self, code: str) -> SessionView | None:
        row = (
            await self._s.execute(self._session_views().where(SessionRow.code == code))
        ).one_or_none()
        return _session_view(*row) if row else None

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

    async def sync_config_officers(self, officers: list[OfficerRecord], now: datetime) -> None:
        existing = {
            (row.channel, row.user_id): row
            for row in (
                await self._s.execute(select(OfficerRow).where(OfficerRow.source == "config"))
            ).scalars()
        }
        for officer in officers:
            row = existing.pop((officer.channel, officer.user_id), None)
            if row is None:
                row = (
                    await self._s.execute(
                        select(OfficerRow).where(
                            OfficerRow.channel == officer.channel,
                            OfficerRow.user_id == officer.user_id,
                        )
                    )
                ).scalar_one_or_none()
            if row is None:
                row = OfficerRow(
                    channel=officer.channel,
                    user_id=officer.user_id,
                    permissions=[],
                    created_at=now,
                )
                self._s.add(row)
            row.name, row.role, row.units = officer.name, officer.role, list(officer.units)
            row.permissions = sorted(officer.permissions)
            row.source, row.active = "config", True
        # Removed from the configuration: no longer an officer.
        for row in existing.values():
            row.active = False
        await self._s.flush()

    # --- registrations ---------------------------------------------------------------------

    async def code_taken(self, code: str) -> bool:
        found = await self._s.execute(
            select(RegistrationRow.id).where(RegistrationRow.code == code)
        )
        return found.first() is not None

    async def count_active_registrations(self, citizen_id: int) -> int:
        count = await self._s.execute(
            select(func.count(RegistrationRow.id)).where(
                RegistrationRow.citizen_id == citizen_id,
                RegistrationRow.status.in_(_SEAT_HOLDING),
            )
        )
        return int(count.scalar_one())

    async def create_registration(
        self, registration: NewRegistration, actor: str
    ) -> RegistrationView:
        r = registration
        row = RegistrationRow(
            code=r.code,
            citizen_id=r.citizen_id,
            consent_id=r.consent_id,
            kind=r.kind.value,
            status=RegistrationStatus.SUBMITTED.value,
            full_name=r.full_name,
            phone=r.phone,
            phone_verified=r.phone_verified,
            id_number=r.id_number,
            province=r.province,
            address=r.address,
            leader_id=r.leader_id,
            requested_session_id=r.session_id,
            session_id=r.session_id,
            people_count=r.people_count,
            representatives=list(r.representatives),
            summary=r.summary,
            prior_handling=r.prior_handling,
            request=r.request,
            locale=r.locale,
            submitted_at=r.submitted_at,
            due_date=r.due_date,
            updated_at=r.submitted_at,
            interpreter=r.interpreter,
        )
        self._s.add(row)
        await self._s.flush()
        self._s.add(
            RegistrationEventRow(
                registration_id=row.id,
                at=r.submitted_at,
                actor=actor,
                event="submitted",
                from_status=None,
                to_status=RegistrationStatus.SUBMITTED.value,
                note="",
                internal=False,
                data={},
            )
        )
        await self._s.flush()
        view = await self._registration_view(RegistrationRow.id == row.id)
        assert view is not None
        return view

    def _registration_query(
        self,
    ) -> Select[RegistrationRow, LeaderRow, SessionRow, UnitRow, CitizenRow]:
        session = aliased(SessionRow)
        return (
            select(RegistrationRow, LeaderRow, session, UnitRow, CitizenRow)
            .join(LeaderRow, RegistrationRow.leader_id == LeaderRow.id)
            .join(session, RegistrationRow.session_id == session.id)
            .join(UnitRow, LeaderRow.unit_id == UnitRow.id)
            .join(CitizenRow, RegistrationRow.citizen_id == CitizenRow.id)
        )

    async def _registration_view(self, *conditions: Any) -> RegistrationView | None:
        row = (await self._s.execute(self._registration_query().where(*conditions))).first()
        return _registration(*row) if row else None

    async def registrations_of(self, citizen_id: int) -> list[RegistrationView]:
        query = (
            self._registration_query()
            .where(RegistrationRow.citizen_id == citizen_id)
            .order_by(RegistrationRow.submitted_at.desc(), RegistrationRow.id.desc())
        )
        return [_registration(*row) for row in (await self._s.execute(query)).all()]

    async def registration_by_code(self, code: str) -> RegistrationView | None:
        return await self._registration_view(RegistrationRow.code == code)

    async def registration_by_id(self, registration_id: int) -> RegistrationView | None:
        return await self._registration_view(RegistrationRow.id == registration_id)

    async def registration_for_update(self, code: str) -> RegistrationView | None:
        if self._dialect == "postgresql":
            await self._s.execute(
                select(RegistrationRow.id).where(RegistrationRow.code == code).with_for_update()
            )
        return await self.registration_by_code(code)

    async def registration_events(self, registration_id: int) -> list[RegistrationEvent]:
        query = (
            select(RegistrationEventRow)
            .where(RegistrationEventRow.registration_id == registration_id)
            .order_by(RegistrationEventRow.at, RegistrationEventRow.id)
        )
        return [_event(r) for r in (await self._s.execute(query)).scalars()]

    async def queue(
        self,
        statuses: frozenset[RegistrationStatus],
        kinds: frozenset[RequestKind] | None,
        unit_ids: frozenset[int] | None,
        limit: int,
        offset: int,
    ) -> tuple[list[RegistrationView], int]:
        conditions: list[Any] = [RegistrationRow.status.in_([s.value for s in statuses])]
        if kinds is not None:
            conditions.append(RegistrationRow.kind.in_([k.value for k in kinds]))
        if unit_ids is not None:
            conditions.append(LeaderRow.unit_id.in_(unit_ids))
        query = (
            self._registration_query()
            .where(*conditions)
            .order_by(
                RegistrationRow.priority.desc(), RegistrationRow.submitted_at, RegistrationRow.id
            )
            .limit(limit)
            .offset(offset)
        )
        rows = [_registration(*row) for row in (await self._s.execute(query)).all()]
        total = await self._s.execute(
            select(func.count(RegistrationRow.id))
            .join(LeaderRow, RegistrationRow.leader_id == LeaderRow.id)
            .where(*conditions)
        )
        return rows, int(total.scalar_one())

    async def pending_notices(
        self, kinds: frozenset[RequestKind] | None, unit_ids: frozenset[int] | None
    ) -> list[RegistrationView]:
        query = self._registration_query().where(
            RegistrationRow.notice_due.is_not(None), RegistrationRow.notice_issued_on.is_(None)
        )
        if kinds is not None:
            query = query.where(RegistrationRow.kind.in_([k.value for k in kinds]))
        if unit_ids is not None:
            query = query.where(LeaderRow.unit_id.in_(unit_ids))
        query = query.order_by(RegistrationRow.notice_due, RegistrationRow.id)
        return [_registration(*row) for row in (await self._s.execute(query)).all()]

    async def registrations_met_between(
        self, start: datetime, end: datetime, unit_ids: frozenset[int] | None
    ) -> list[RegistrationView]:
        in_period = select(SessionRow.id).where(
            SessionRow.starts_at >= start, SessionRow.starts_at < end
        )
        query = self._registration_query().where(RegistrationRow.session_id.in_(in_period))
        if unit_ids is not None:
            query = query.where(LeaderRow.unit_id.in_(unit_ids))
        rows = [_registration(*row) for row in (await self._s.execute(query)).all()]
        return sorted(rows, key=lambda r: (r.session_starts_at, r.slot_time is None, r.code))

    async def registrations_submitted_between(
        self, start: datetime, end: datetime, unit_ids: frozenset[int] | None
    ) -> list[RegistrationView]:
        query = (
            self._registration_query()
            .where(RegistrationRow.submitted_at >= start, RegistrationRow.submitted_at < end)
            .order_by(RegistrationRow.submitted_at, RegistrationRow.id)
        )
        if unit_ids is not None:
            query = query.where(LeaderRow.unit_id.in_(unit_ids))
        return [_registration(*row) for row in (await self._s.execute(query)).all()]

    async def first_events(
        self, registration_ids: Sequence[int], events: frozenset[str]
    ) -> dict[int, datetime]:
        found: dict[int, datetime] = {}
        # Chunks keep the IN list under every driver's parameter limit.
        for chunk in range(0, len(registration_ids), 5000):
            query = (
                select(RegistrationEventRow.registration_id, func.min(RegistrationEventRow.at))
                .where(
                    RegistrationEventRow.registration_id.in_(
                        registration_ids[chunk : chunk + 5000]
                    ),
                    RegistrationEventRow.event.in_(sorted(events)),
                )
                .group_by(RegistrationEventRow.registration_id)
            )
            for registration_id, at in (await self._s.execute(query)).all():
                found[int(registration_id)] = at
        return found

    async def record_decision(
        self,
        registration_id: int,
        to_status: RegistrationStatus,
        *,
        event: str,
        actor: str,
        at: datetime,
        note: str,
        internal: bool,
        data: dict[str, str],
        changes: dict[str, object],
    ) -> int:
        unknown = set(changes) - DECISION_COLUMNS
        if unknown:
            raise ValueError(f"a decision cannot set {sorted(unknown)}")
        row = await self._s.get(RegistrationRow, registration_id)
        if row is None:
            raise LookupError(f"registration {registration_id} does not exist")
        event_row = RegistrationEventRow(
            registration_id=row.id,
            at=at,
            actor=actor,
            event=event,
            from_status=row.status,
            to_status=to_status.value,
            note=note,
            internal=internal,
            data=data,
        )
        self._s.add(event_row)
        for name, value in changes.items():
            setattr(row, name, value)
        row.status = to_status.value
        row.updated_at = at
        await self._s.flush()
        return event_row.id

    # --- officers, audit, outgoing messages -------------------------------------------------

    async def officer_for(self, channel: str, user_id: str) -> Officer | None:
        row = (
            await self._s.execute(
                select(OfficerRow).where(
                    OfficerRow.channel == channel,
                    OfficerRow.user_id == user_id,
                    OfficerRow.active.is_(True),
                )
            )
        ).scalar_one_or_none()
        return _officer(row) if row else None

    async def officers(self, include_former: bool = False) -> list[Officer]:
        query = select(OfficerRow).order_by(OfficerRow.id)
        if not include_former:
            query = query.where(OfficerRow.active.is_(True))
        return [_officer(row) for row in (await self._s.execute(query)).scalars()]

    async def save_officer(
        self,
        channel: str,
        user_id: str,
        name: str,
        role: OfficerRole,
        units: tuple[str, ...],
        permissions: frozenset[str],
        now: datetime,
    ) -> Officer:
        row = (
            await self._s.execute(
                select(OfficerRow).where(
                    OfficerRow.channel == channel, OfficerRow.user_id == user_id
                )
            )
        ).scalar_one_or_none()
        if row is None:
            row = OfficerRow(channel=channel, user_id=user_id, created_at=now, source="command")
            self._s.add(row)
        row.name, row.role, row.units = name, role.value, list(units)
        row.permissions, row.active = sorted(permissions), True
        await self._s.flush()
        return _officer(row)

    async def deactivate_officer(self, channel: str, user_id: str) -> Officer | None:
        row = (
            await self._s.execute(
                select(OfficerRow).where(
                    OfficerRow.channel == channel,
                    OfficerRow.user_id == user_id,
                    OfficerRow.active.is_(True),
                )
            )
        ).scalar_one_or_none()
        if row is None:
            return None
        row.active = False
        await self._s.flush()
        return _officer(row)

    async def actor_names(self, actors: set[str]) -> dict[str, str]:
        ids = {
            int(actor.removeprefix("officer:")): actor
            for actor in actors
            if actor.startswith("officer:") and actor.removeprefix("officer:").isdigit()
        }
        if not ids:
            return {}
        rows = await self._s.execute(
            select(OfficerRow.id, OfficerRow.name).where(OfficerRow.id.in_(ids))
        )
        return {ids[officer_id]: name for officer_id, name in rows.all()}

    async def audit(self, entry: AuditEntry) -> None:
        self._s.add(
            AuditRow(
                at=entry.at,
                actor=entry.actor,
                action=entry.action,
                target=entry.target,
                allowed=entry.allowed,
                detail=entry.detail,
            )
        )
        await self._s.flush()

    async def enqueue(self, message: OutboxMessage) -> bool:
        added = await self._insert_ignoring_conflicts(
            OutboxRow,
            [
                {
                    "idempotency_key": message.idempotency_key,
                    "channel": message.channel,
                    "recipient": message.recipient,
                    "payload": _outbox_payload(message),
                    "due_at": message.due_at,
                    "status": "pending",
                    "attempts": 0,
                    "last_error": "",
                    "created_at": message.due_at,
                    "purpose": message.purpose,
                    "expires_at": message.expires_at,
                    "guard": message.guard,
                }
            ],
            ["idempotency_key"],
        )
        return added > 0

    async def set_delegation_allowed(self, unit_codes: frozenset[str]) -> None:
        await self._s.execute(
            update(UnitRow).values(allow_delegation=UnitRow.code.in_(unit_codes))
        )

    # --- the outbox, for the dispatcher ------------------------------------------------------

    async def claim_outbox(
        self,
        now: datetime,
        owner: str,
        lease_until: datetime,
        targets: Sequence[tuple[str, str | None]],
        limit: int,
        keys: Sequence[str] | None = None,
    ) -> list[OutboxItem]:
        if not targets or keys == []:
            return []
        wanted = or_(
            *(
                and_(OutboxRow.channel == channel, OutboxRow.recipient == recipient)
                if recipient is not None
                else OutboxRow.channel == channel
                for channel, recipient in targets
            )
        )
        due = and_(
            OutboxRow.status == "pending",
            OutboxRow.due_at <= now,
            or_(OutboxRow.next_attempt_at.is_(None), OutboxRow.next_attempt_at <= now),
        )
        # A dispatcher that died mid-send leaves its rows "sending": they come back when the
        # lease runs out (at-least-once; the provider gets no idempotency key to dedupe).
        abandoned = and_(OutboxRow.status == "sending", OutboxRow.lease_until < now)
        query = (
            select(OutboxRow.id)
            .where(wanted, or_(due, abandoned))
            .order_by(OutboxRow.due_at, OutboxRow.id)
            .limit(limit)
        )
        if keys is not None:
            query = query.where(OutboxRow.idempotency_key.in_(keys))
        if self._dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)
        ids = list((await self._s.execute(query)).scalars())
        if not ids:
            return []
        await self._s.execute(
            update(OutboxRow)
            .where(OutboxRow.id.in_(ids))
            .values(
                # A row taken back from a dispatcher that died counts as one more attempt, so
                # a message that kills the process cannot come back forever.
                attempts=case(
                    (OutboxRow.status == "sending", OutboxRow.attempts + 1),
                    else_=OutboxRow.attempts,
                ),
                status="sending",
                lease_owner=owner,
                lease_until=lease_until,
            )
        )
        rows = await self._s.execute(
            select(OutboxRow).where(OutboxRow.id.in_(ids)).order_by(OutboxRow.due_at, OutboxRow.id)
        )
        return [_outbox_item(row) for row in rows.scalars()]

    async def renew_lease(
        self, item_id: int, owner: str, now: datetime, lease_until: datetime
    ) -> bool:
        result = await self._s.execute(
            update(OutboxRow)
            .where(
                OutboxRow.id == item_id,
                OutboxRow.status == "sending",
                OutboxRow.lease_owner == owner,
                OutboxRow.lease_until > now,
            )
            .values(lease_until=lease_until)
        )
        return bool(getattr(result, "rowcount", 0))

    async def finish_outbox(
        self,
        item_id: int,
        *,
        owner: str,
        status: str,
        at: datetime,
        attempted: bool,
        provider_message_id: str | None = None,
        error: str = "",
        next_attempt_at: datetime | None = None,
    ) -> bool:
        values: dict[str, Any] = {
            "status": status,
            "lease_owner": None,
            "lease_until": None,
            "next_attempt_at": next_attempt_at,
            "last_error": error[:2000],
        }
        if attempted:
            values["attempts"] = OutboxRow.attempts + 1
        if provider_message_id is not None:
            values["provider_message_id"] = provider_message_id[:64]
        if status == "sent":
            values["sent_at"] = at
        # Only the dispatcher that holds the row records its fate.
        result = await self._s.execute(
            update(OutboxRow)
            .where(OutboxRow.id == item_id, OutboxRow.lease_owner == owner)
            .values(**values)
        )
        return bool(getattr(result, "rowcount", 0))

    async def credentials(self, channel: str) -> Credentials | None:
        row = await self._s.get(CredentialRow, channel)
        if row is None:
            return None
        return Credentials(
            row.access_token, row.access_expires_at, row.refresh_token, row.seeded_from
        )

    async def save_credentials(
        self, channel: str, credentials: Credentials, replacing: str | None, now: datetime
    ) -> bool:
        values = {
            "access_token": credentials.access_token,
            "access_expires_at": credentials.access_expires_at,
            "refresh_token": credentials.refresh_token,
            "seeded_from": credentials.seeded_from,
            "updated_at": now,
        }
        if replacing is None:
            await self._insert_ignoring_conflicts(
                CredentialRow, [{"channel": channel, **values}], ["channel"]
            )
            row = await self._s.get(CredentialRow, channel, populate_existing=True)
            return row is not None and row.refresh_token == credentials.refresh_token
        # Compare and swap: of two instances refreshing at once, one wins; the other reads
        # the winner's tokens.
        result = await self._s.execute(
            update(CredentialRow)
            .where(CredentialRow.channel == channel, CredentialRow.refresh_token == replacing)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def last_heard(self, channel: str, chat_id: str) -> datetime | None:
        return (
            await self._s.execute(
                select(func.max(CitizenRow.last_seen_at)).where(
                    CitizenRow.channel == channel, CitizenRow.chat_id == chat_id
                )
            )
        ).scalar_one_or_none()

    async def latest_registration_of_chat(
        self, channel: str, chat_id: str
    ) -> RegistrationView | None:
        row = (
            await self._s.execute(
                self._registration_query()
                .where(CitizenRow.channel == channel, CitizenRow.chat_id == chat_id)
                .order_by(RegistrationRow.submitted_at.desc(), RegistrationRow.id.desc())
                .limit(1)
            )
        ).first()
        return _registration(*row) if row else None

    async def last_choices(self, channel: str, chat_id: str) -> tuple[Choice, ...]:
        payload = (
            await self._s.execute(
                select(OutboxRow.payload)
                .where(
                    OutboxRow.channel == channel,
                    OutboxRow.recipient == chat_id,
                    OutboxRow.status == "sent",
                )
                .order_by(OutboxRow.sent_at.desc(), OutboxRow.id.desc())
                .limit(1)
            )
        ).scalar_one_or_none()
        return tuple(
            Choice(str(c["label"]), str(c["payload"])) for c in (payload or {}).get("choices", ())
        )

    async def mark_unreachable(self, channel: str, chat_id: str, at: datetime) -> None:
        await self._s.execute(
            update(CitizenRow)
            .where(CitizenRow.channel == channel, CitizenRow.chat_id == chat_id)
            .values(unreachable_at=at)
        )

    async def ping(self) -> None:
        await self._s.execute(select(1))

    # --- the inbox ------------------------------------------------------------------------

    async def store_updates(
        self, channel: str, updates: Sequence[tuple[str, dict[str, Any]]], now: datetime
    ) -> list[StoredUpdate]:
        fresh = dict(updates)  # the same update twice in one batch is stored once
        if not fresh:
            return []
        insert = postgresql.insert if self._dialect == "postgresql" else sqlite.insert
        # Insert-or-ignore with RETURNING: only the updates this call stored come back, even
        # when another instance stores the same redelivered update at the same moment.
        statement = (
            insert(InboxRow)
            .values(
                [
                    {
                        "channel": channel,
                        "update_id": update_id,
                        "payload": payload,
                        "received_at": now,
                        "error": "",
                    }
                    for update_id, payload in fresh.items()
                ]
            )
            .on_conflict_do_nothing(index_elements=["channel", "update_id"])
            .returning(InboxRow.id, InboxRow.update_id)
        )
        stored = {update_id: row_id for row_id, update_id in await self._s.execute(statement)}
        return [
            StoredUpdate(stored[update_id], channel, update_id, payload)
            for update_id, payload in fresh.items()
            if update_id in stored
        ]

    async def claim_update(self, update_id: int, now: datetime) -> bool:
        result = await self._s.execute(
            update(InboxRow)
            .where(InboxRow.id == update_id, InboxRow.processed_at.is_(None))
            .values(processed_at=now, payload={})
        )
        return bool(getattr(result, "rowcount", 0))

    async def note_update_failure(self, update_id: int, error: str, now: datetime) -> None:
        await self._s.execute(
            update(InboxRow)
            .where(InboxRow.id == update_id)
            .values(processed_at=now, payload={}, error=error[:2000])
        )

    async def unprocessed_updates(
        self, channel: str, received_before: datetime, limit: int
    ) -> list[StoredUpdate]:
        rows = (
            await self._s.execute(
                select(InboxRow)
                .where(
                    InboxRow.channel == channel,
                    InboxRow.processed_at.is_(None),
                    InboxRow.received_at < received_before,
                )
                .order_by(InboxRow.id)
                .limit(limit)
            )
        ).scalars()
        return [_stored_update(row) for row in rows]

    async def purge_updates(self, processed_before: datetime) -> int:
        result = await self._s.execute(
            delete(InboxRow).where(
                InboxRow.processed_at.is_not(None), InboxRow.processed_at < processed_before
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)

    # --- schedule changes and subscriptions -------------------------------------------------

    async def sessions_of_leader(
        self, leader_id: int, start: datetime, end: datetime
    ) -> list[SessionView]:
        query = (
            self._session_views()
            .where(
                SessionRow.leader_id == leader_id,
                SessionRow.starts_at >= start,
                SessionRow.starts_at < end,
            )
            .order_by(SessionRow.starts_at, SessionRow.id)
        )
        return [_session_view(*row) for row in (await self._s.execute(query)).all()]

    async def sessions_in(
        self, start: datetime, end: datetime, *, unit_ids: frozenset[int] | None = None
    ) -> list[SessionView]:
        query = (
            self._session_views()
            .where(SessionRow.starts_at >= start, SessionRow.starts_at < end)
            .order_by(SessionRow.starts_at, SessionRow.id)
        )
        if unit_ids is not None:
            query = query.where(LeaderRow.unit_id.in_(unit_ids))
        return [_session_view(*row) for row in (await self._s.execute(query)).all()]

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

    async def registrations_in_session(
        self, session_id: int, statuses: frozenset[RegistrationStatus]
    ) -> list[RegistrationView]:
        query = (
            self._registration_query()
            .where(
                RegistrationRow.session_id == session_id,
                RegistrationRow.status.in_([s.value for s in statuses]),
            )
            .order_by(RegistrationRow.slot_time, RegistrationRow.submitted_at, RegistrationRow.id)
        )
        return [_registration(*row) for row in (await self._s.execute(query)).all()]

    async def subscribe(self, citizen_id: int, unit_id: int, now: datetime) -> bool:
        added = await self._insert_ignoring_conflicts(
            SubscriptionRow,
            [{"citizen_id": citizen_id, "unit_id": unit_id, "created_at": now}],
            ["citizen_id", "unit_id"],
        )
        return added > 0

    async def unsubscribe(self, citizen_id: int, unit_id: int) -> bool:
        result = await self._s.execute(
            delete(SubscriptionRow).where(
                SubscriptionRow.citizen_id == citizen_id, SubscriptionRow.unit_id == unit_id
            )
        )
        return bool(getattr(result, "rowcount", 0))

    async def subscribed_units(self, citizen_id: int) -> frozenset[int]:
        rows = await self._s.execute(
            select(SubscriptionRow.unit_id).where(SubscriptionRow.citizen_id == citizen_id)
        )
        return frozenset(rows.scalars())

    async def announcements(
        self, since: datetime, now: datetime
    ) -> list[tuple[SessionView, Citizen]]:
        query = (
            self._session_views()
            .add_columns(CitizenRow)
            .join(SubscriptionRow, SubscriptionRow.unit_id == LeaderRow.unit_id)
            .join(CitizenRow, CitizenRow.id == SubscriptionRow.citizen_id)
            .where(
                SessionRow.published_at >= since,
                # Only what was published after the citizen started following.
                SessionRow.published_at > SubscriptionRow.created_at,
                SessionRow.starts_at > now,
                SessionRow.status == SessionStatus.PLANNED.value,
                LeaderRow.active.is_(True),
                CitizenRow.unreachable_at.is_(None),
            )
            .order_by(SessionRow.starts_at, SessionRow.id, CitizenRow.id)
        )
        return [
            (_session_view(session, leader, unit, taken), _citizen(citizen))
            for session, leader, unit, taken, citizen in (await self._s.execute(query)).all()
        ]

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


# --- rows to core values ---------------------------------------------------------------------


def _citizen(row: CitizenRow) -> Citizen:
    return Citizen(row.id, row.channel, row.channel_user_id, row.chat_id, row.locale)


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


def _stored_update(row: InboxRow) -> StoredUpdate:
    return StoredUpdate(row.id, row.channel, row.update_id, dict(row.payload or {}))


def _outbox_payload(message: OutboxMessage) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "text": message.text,
        "choices": [{"label": c.label, "payload": c.payload} for c in message.choices],
    }
    if message.contact_request:
        payload["contact_request"] = message.contact_request
    if message.file is not None:
        payload["file"] = {
            "filename": message.file.filename,
            "mime_type": message.file.mime_type,
            "content": base64.b64encode(message.file.content).decode("ascii"),
        }
    return payload


def _outbox_item(row: OutboxRow) -> OutboxItem:
    payload = row.payload or {}
    file = payload.get("file")
    return OutboxItem(
        id=row.id,
        key=row.idempotency_key,
        channel=row.channel,
        recipient=row.recipient,
        reply=Reply(
            text=str(payload.get("text", "")),
            choices=tuple(
                Choice(str(c["label"]), str(c["payload"])) for c in payload.get("choices", ())
            ),
            contact_request=payload.get("contact_request"),
            file=(
                OutgoingFile(
                    str(file["filename"]),
                    base64.b64decode(str(file["content"])),
                    str(file["mime_type"]),
                )
                if file
                else None
            ),
        ),
        attempts=row.attempts,
        expires_at=row.expires_at,
        guard=dict(row.guard) if row.guard else None,
    )


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


def _session_view(
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


def _registration(
    row: RegistrationRow,
    leader: LeaderRow,
    session: SessionRow,
    unit: UnitRow,
    citizen: CitizenRow,
) -> RegistrationView:
    return RegistrationView(
        id=row.id,
        code=row.code,
        citizen_id=row.citizen_id,
        kind=RequestKind(row.kind),
        status=RegistrationStatus(row.status),
        full_name=row.full_name,
        summary=row.summary,
        request=row.request,
        people_count=row.people_count,
        leader_name=leader.name,
        leader_title=leader.title,
        session_id=session.id,
        session_starts_at=session.starts_at,
        session_location=session.location,
        submitted_at=row.submitted_at,
        due_date=row.due_date,
        leader_id=leader.id,
        unit_id=unit.id,
        unit_code=unit.code,
        unit_name=unit.name,
        unit_kind=UnitKind(unit.kind),
        delegation_allowed=unit.allow_delegation,
        session_ends_at=session.ends_at,
        citizen_channel=citizen.channel,
        citizen_chat_id=citizen.chat_id,
        citizen_locale=citizen.locale,
        phone=row.phone,
        phone_verified=row.phone_verified,
        id_number=row.id_number,
        province=row.province,
        address=row.address,
        representatives=tuple(row.representatives),
        prior_handling=row.prior_handling,
        requested_session_id=row.requested_session_id,
        host_name=row.host_name,
        slot_time=row.slot_time,
        rejection_reason=row.rejection_reason,
        guided_to=row.guided_to,
        referred_to=row.referred_to,
        letter_no=row.letter_no,
        duplicate_of_code=row.duplicate_of_code,
        outcome=row.outcome,
        outcome_note=row.outcome_note,
        conclusion=row.conclusion,
        conclusion_deadline=row.conclusion_deadline,
        conclusion_unit=row.conclusion_unit,
        info_question=row.info_question,
        paused_since=row.paused_since,
        priority=row.priority,
        interpreter=row.interpreter,
        notice_form=row.notice_form,
        notice_due=row.notice_due,
        notice_letter=row.notice_letter,
        notice_issued_on=row.notice_issued_on,
        updated_at=row.updated_at,
    )


def _officer(row: OfficerRow) -> Officer:
    return Officer(
        id=row.id,
        channel=row.channel,
        user_id=row.user_id,
        name=row.name,
        role=OfficerRole(row.role),
        units=tuple(row.units),
        permissions=frozenset(row.permissions),
        from_config=row.source == "config",
        active=row.active,
    )


def _event(row: RegistrationEventRow) -> RegistrationEvent:
    return RegistrationEvent(
        registration_id=row.registration_id,
        at=row.at,
        actor=row.actor,
        event=row.event,
        from_status=RegistrationStatus(row.from_status) if row.from_status else None,
        to_status=RegistrationStatus(row.to_status) if row.to_status else None,
        note=row.note,
        internal=row.internal,
        id=row.id,
        data={str(k): str(v) for k, v in (row.data or {}).items()},
    )
