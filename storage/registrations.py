"""Registrations, their decisions and their append-only history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    case,
    func,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.orm import aliased

from bot.core.model import (
    SEAT_HOLDING_STATUSES,
    NewRegistration,
    RegistrationEvent,
    RegistrationStatus,
    RegistrationView,
    RequestKind,
    Source,
    UnitKind,
)
from bot.core.ports import DECISION_COLUMNS, SearchBy
from storage.part import SqlPart
from storage.tables import (
    NAME_WORD_MAX,
    CitizenRow,
    LeaderRow,
    RegistrationEventRow,
    RegistrationNameWordRow,
    RegistrationRow,
    SessionRow,
    UnitRow,
    name_words,
)

_SEAT_HOLDING = tuple(status.value for status in SEAT_HOLDING_STATUSES)


class RegistrationRepository(SqlPart):
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
            repeat_of_code=r.repeat_of_code,
            source=r.source.value,
            received_by=r.received_by,
        )
        self._s.add(row)
        await self._s.flush()
        for word in name_words(r.full_name):
            self._s.add(RegistrationNameWordRow(registration_id=row.id, word=word))
        self._s.add(
            RegistrationEventRow(
                registration_id=row.id,
                at=r.submitted_at,
                actor=actor,
                # A walk-in is recorded by an officer, not sent by the citizen.
                event="submitted" if r.source is Source.CHAT else "recorded",
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

    async def _registration_view(self, *conditions: Any) -> RegistrationView | None:
        row = (await self._s.execute(registration_query().where(*conditions))).first()
        return _registration(*row) if row else None

    async def registrations_of(self, citizen_id: int) -> list[RegistrationView]:
        query = (
            registration_query()
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
        # The page is chosen from the queue index alone, then only its rows are read whole:
        # sorting every open registration with its leader, session and citizen took most of
        # the time of /queue over a province's three years.
        chosen = select(RegistrationRow.id).where(
            RegistrationRow.status.in_([s.value for s in statuses])
        )
        chosen = _narrowed(chosen, kinds, unit_ids)
        order = (RegistrationRow.priority.desc(), RegistrationRow.submitted_at, RegistrationRow.id)
        page = chosen.order_by(*order).limit(limit).offset(offset)
        query = registration_query().where(RegistrationRow.id.in_(page)).order_by(*order)
        rows = [_registration(*row) for row in (await self._s.execute(query)).all()]
        total = await self._s.execute(select(func.count()).select_from(chosen.subquery()))
        return rows, int(total.scalar_one())

    async def find_registrations(
        self,
        by: SearchBy,
        key: str,
        kinds: frozenset[RequestKind] | None,
        unit_ids: frozenset[int] | None,
        limit: int,
        offset: int,
        count_max: int,
    ) -> tuple[list[RegistrationView], int]:
        newest = (RegistrationRow.submitted_at.desc(), RegistrationRow.id.desc())
        order: tuple[ColumnElement[Any], ...] = newest
        if by == "name":
            condition, order = await self._name_matches(key.split(), count_max)
        elif by == "code":
            condition = RegistrationRow.code == key
        elif by == "phone":
            condition = RegistrationRow.phone == key
        else:
            condition = RegistrationRow.id_number == key
        chosen = select(RegistrationRow.id).where(condition)
        chosen = _narrowed(chosen, kinds, unit_ids)
        page = chosen.order_by(*order).limit(limit).offset(offset)
        query = registration_query().where(RegistrationRow.id.in_(page)).order_by(*order)
        rows = [_registration(*row) for row in (await self._s.execute(query)).all()]
        # Counted up to where an officer stops reading: past it, "more than ...".
        counted = chosen.limit(count_max + 1).subquery()
        total = await self._s.execute(select(func.count()).select_from(counted))
        return rows, int(total.scalar_one())

    async def _name_matches(
        self, words: Sequence[str], count_max: int
    ) -> tuple[ColumnElement[bool], tuple[ColumnElement[Any], ...]]:
        """Registrations whose name has a word starting with each typed word, and their order.

        Each typed word is a range of the words index. The rarest one, counted up to
        ``count_max``, drives: its registrations are few, so they are ranked (names that hold
        the typed words whole first) and counted exactly. When every typed word is common ("nguyen
        van"), the newest registrations are read until a page is full, unranked."""
        typed = [word[:NAME_WORD_MAX] for word in words]
        counts = []
        for word in typed:
            seen = select(RegistrationNameWordRow.word).where(_starts(word)).limit(count_max + 1)
            found = await self._s.execute(select(func.count()).select_from(seen.subquery()))
            counts.append(int(found.scalar_one()))
        newest = (RegistrationRow.submitted_at.desc(), RegistrationRow.id.desc())
        rarest = min(range(len(typed)), key=counts.__getitem__)
        others = [_has_word(_starts(word)) for n, word in enumerate(typed) if n != rarest]
        if counts[rarest] > count_max:
            return and_(_has_word(_starts(typed[rarest])), *others), newest
        driving = select(RegistrationNameWordRow.registration_id).where(_starts(typed[rarest]))
        whole: ColumnElement[int] = literal_column("0", Integer)
        for word in typed:
            whole = whole + case((_has_word(RegistrationNameWordRow.word == word), 1), else_=0)
        return and_(RegistrationRow.id.in_(driving), *others), (whole.desc(), *newest)

    async def registrations_of_person(
        self,
        phone: str,
        id_number: str,
        kinds: frozenset[RequestKind] | None,
        unit_ids: frozenset[int] | None,
        excluding: int | None,
        limit: int,
    ) -> list[RegistrationView]:
        same = [
            column == value
            for column, value in (
                (RegistrationRow.phone, phone),
                (RegistrationRow.id_number, id_number),
            )
            if value
        ]
        if not same:
            return []
        query = registration_query().where(or_(*same))
        if excluding is not None:
            query = query.where(RegistrationRow.id != excluding)
        if kinds is not None:
            query = query.where(RegistrationRow.kind.in_([k.value for k in kinds]))
        if unit_ids is not None:
            query = query.where(LeaderRow.unit_id.in_(unit_ids))
        query = query.order_by(RegistrationRow.submitted_at.desc(), RegistrationRow.id.desc())
        return [_registration(*row) for row in (await self._s.execute(query.limit(limit))).all()]

    async def pending_notices(
        self, kinds: frozenset[RequestKind] | None, unit_ids: frozenset[int] | None
    ) -> list[RegistrationView]:
        query = registration_query().where(
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
        query = registration_query().where(RegistrationRow.session_id.in_(in_period))
        if unit_ids is not None:
            query = query.where(LeaderRow.unit_id.in_(unit_ids))
        rows = [_registration(*row) for row in (await self._s.execute(query)).all()]
        return sorted(rows, key=lambda r: (r.session_starts_at, r.slot_time is None, r.code))

    async def registrations_submitted_between(
        self, start: datetime, end: datetime, unit_ids: frozenset[int] | None
    ) -> list[RegistrationView]:
        query = (
            registration_query()
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

    async def note_link_failure(
        self, registration_id: int, failures: int, paused_until: datetime | None
    ) -> None:
        await self._s.execute(
            update(RegistrationRow)
            .where(RegistrationRow.id == registration_id)
            .values(link_failures=failures, link_paused_until=paused_until)
        )

    async def link_to_citizen(
        self, registration_id: int, citizen_id: int, actor: str, at: datetime
    ) -> None:
        row = await self._s.get(RegistrationRow, registration_id)
        if row is None:
            raise LookupError(f"registration {registration_id} does not exist")
        row.citizen_id = citizen_id
        row.link_failures = 0
        row.link_paused_until = None
        self._s.add(
            RegistrationEventRow(
                registration_id=row.id,
                at=at,
                actor=actor,
                event="linked",
                from_status=row.status,
                to_status=row.status,
                note="",
                internal=False,
                data={},
            )
        )
        await self._s.flush()

    async def latest_registration_of_chat(
        self, channel: str, chat_id: str
    ) -> RegistrationView | None:
        row = (
            await self._s.execute(
                registration_query()
                .where(CitizenRow.channel == channel, CitizenRow.chat_id == chat_id)
                .order_by(RegistrationRow.submitted_at.desc(), RegistrationRow.id.desc())
                .limit(1)
            )
        ).first()
        return _registration(*row) if row else None

    async def registrations_in_session(
        self, session_id: int, statuses: frozenset[RegistrationStatus]
    ) -> list[RegistrationView]:
        query = (
            registration_query()
            .where(
                RegistrationRow.session_id == session_id,
                RegistrationRow.status.in_([s.value for s in statuses]),
            )
            .order_by(RegistrationRow.slot_time, RegistrationRow.submitted_at, RegistrationRow.id)
        )
        return [_registration(*row) for row in (await self._s.execute(query)).all()]


def _narrowed(
    chosen: Select[int], kinds: frozenset[RequestKind] | None, unit_ids: frozenset[int] | None
) -> Select[int]:
    """Registration ids of these kinds and units (None: any), without joining the leader: the
    queue's and /find's pages are chosen from the registrations' own indexes."""
    if kinds is not None:
        chosen = chosen.where(RegistrationRow.kind.in_([k.value for k in kinds]))
    if unit_ids is not None:
        in_units = select(LeaderRow.id).where(LeaderRow.unit_id.in_(unit_ids))
        chosen = chosen.where(RegistrationRow.leader_id.in_(in_units))
    return chosen


def registration_query() -> Select[RegistrationRow, LeaderRow, SessionRow, UnitRow, CitizenRow]:
    session = aliased(SessionRow)
    return (
        select(RegistrationRow, LeaderRow, session, UnitRow, CitizenRow)
        .join(LeaderRow, RegistrationRow.leader_id == LeaderRow.id)
        .join(session, RegistrationRow.session_id == session.id)
        .join(UnitRow, LeaderRow.unit_id == UnitRow.id)
        .join(CitizenRow, RegistrationRow.citizen_id == CitizenRow.id)
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
        repeat_of_code=row.repeat_of_code,
        source=Source(row.source),
        received_by=row.received_by,
        link_failures=row.link_failures,
        link_paused_until=row.link_paused_until,
        erased_at=row.erased_at,
        notice_form=row.notice_form,
        notice_due=row.notice_due,
        notice_letter=row.notice_letter,
        notice_issued_on=row.notice_issued_on,
        updated_at=row.updated_at,
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


def _starts(word: str) -> ColumnElement[bool]:
    """Name words that start with ``word``: in binary order, [word, the word after it)."""
    after = word[:-1] + chr(ord(word[-1]) + 1)
    return and_(RegistrationNameWordRow.word >= word, RegistrationNameWordRow.word < after)


def _has_word(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """The registration's name has a word meeting ``condition``."""
    return (
        select(RegistrationNameWordRow.word)
        .where(RegistrationNameWordRow.registration_id == RegistrationRow.id, condition)
        .exists()
    )
