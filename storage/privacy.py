"""Citizens' rights over their data: identity and consents as held, withdrawal and erasure,
and the data requests the officers answer."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Select, and_, delete, or_, select, update

from bot.core.model import (
    ConsentRecord,
    DataRequest,
    DataRequestKind,
    DataRequestStatus,
    Identity,
    RegistrationStatus,
)
from storage.part import SqlPart
from storage.tables import (
    CitizenRow,
    ConsentRow,
    DataRequestRow,
    DialogStateRow,
    LeaderRow,
    OutboxRow,
    RegistrationEventRow,
    RegistrationNameWordRow,
    RegistrationRow,
    SubscriptionRow,
    name_words,
)

# What an erased registration's text fields hold: the officers see why they are empty.
ERASED = "—"
# The citizen's own details, which they may correct while nothing is decided.
CORRECTABLE = frozenset({"full_name", "phone", "address"})


class PrivacyRepository(SqlPart):
    async def identity(self, citizen_id: int) -> Identity | None:
        row = await self._s.get(CitizenRow, citizen_id)
        if row is None:
            return None
        return Identity(
            row.channel,
            row.channel_user_id,
            row.chat_id,
            row.locale,
            row.created_at,
            row.last_seen_at,
        )

    async def consents_of(self, citizen_id: int) -> list[ConsentRecord]:
        rows = await self._s.execute(
            select(ConsentRow).where(ConsentRow.citizen_id == citizen_id).order_by(ConsentRow.id)
        )
        return [
            ConsentRecord(r.notice_version, r.locale, r.given_at, r.given_as, r.withdrawn_at)
            for r in rows.scalars()
        ]

    async def withdraw_consents(self, citizen_id: int, at: datetime) -> int:
        result = await self._s.execute(
            update(ConsentRow)
            .where(ConsentRow.citizen_id == citizen_id, ConsentRow.withdrawn_at.is_(None))
            .values(withdrawn_at=at)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def unsubscribe_all(self, citizen_id: int) -> int:
        result = await self._s.execute(
            delete(SubscriptionRow).where(SubscriptionRow.citizen_id == citizen_id)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def erase_registration(self, registration_id: int, at: datetime) -> None:
        await self._s.execute(
            update(RegistrationRow)
            .where(RegistrationRow.id == registration_id)
            .values(
                full_name=ERASED,
                phone="",
                phone_verified=False,
                id_number="",
                address=ERASED,
                representatives=[],
                summary=ERASED,
                prior_handling="",
                request=ERASED,
                info_question="",
                outcome_note="",
                conclusion="",
                interpreter="",
                erased_at=at,
            )
        )
        await self._s.execute(
            delete(RegistrationNameWordRow).where(
                RegistrationNameWordRow.registration_id == registration_id
            )
        )

    async def expire_messages_to(self, channel: str, chat_id: str, at: datetime) -> int:
        mine = and_(OutboxRow.channel == channel, OutboxRow.recipient == chat_id)
        result = await self._s.execute(
            update(OutboxRow)
            .where(mine, OutboxRow.status == "pending")
            .values(status="expired", last_error="consent withdrawn", payload={})
        )
        # Sent, failed or expired: only the fact stays. A row on the wire now ("sending") is
        # left to finish: its dispatcher holds it.
        await self._s.execute(
            update(OutboxRow).where(mine, OutboxRow.status != "sending").values(payload={})
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def detach_citizen(self, citizen_id: int) -> None:
        await self._s.execute(
            delete(DialogStateRow).where(DialogStateRow.citizen_id == citizen_id)
        )
        # The identity is replaced by a name that matches no chat: the channel's user id is
        # unique per channel, and nothing will ever write from "withdrawn:<id>".
        await self._s.execute(
            update(CitizenRow)
            .where(CitizenRow.id == citizen_id)
            .values(channel_user_id=f"withdrawn:{citizen_id}", chat_id="")
        )

    async def add_data_request(
        self,
        citizen_id: int,
        registration_id: int | None,
        kind: DataRequestKind,
        detail: str,
        received_at: datetime,
        acknowledge_by: date,
        answer_by: date,
    ) -> DataRequest:
        row = DataRequestRow(
            citizen_id=citizen_id,
            registration_id=registration_id,
            kind=kind.value,
            detail=detail,
            received_at=received_at,
            acknowledge_by=acknowledge_by,
            answer_by=answer_by,
            status=DataRequestStatus.OPEN.value,
            note="",
        )
        self._s.add(row)
        await self._s.flush()
        found = await self.data_request(row.id)
        assert found is not None
        return found

    async def close_data_requests(self, citizen_id: int, at: datetime) -> int:
        result = await self._s.execute(
            update(DataRequestRow)
            .where(
                DataRequestRow.citizen_id == citizen_id,
                DataRequestRow.status.in_(
                    [DataRequestStatus.OPEN.value, DataRequestStatus.ACKNOWLEDGED.value]
                ),
            )
            .values(
                status=DataRequestStatus.DONE.value,
                detail=ERASED,
                note="consent withdrawn",
                closed_at=at,
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def data_requests(
        self, statuses: frozenset[DataRequestStatus], unit_ids: frozenset[int] | None
    ) -> list[DataRequest]:
        query = _request_query().where(DataRequestRow.status.in_([s.value for s in statuses]))
        if unit_ids is not None:
            query = query.where(
                or_(DataRequestRow.registration_id.is_(None), LeaderRow.unit_id.in_(unit_ids))
            )
        query = query.order_by(DataRequestRow.acknowledge_by, DataRequestRow.id)
        return [_request(*row) for row in (await self._s.execute(query)).all()]

    async def data_request(self, request_id: int) -> DataRequest | None:
        found = (
            await self._s.execute(_request_query().where(DataRequestRow.id == request_id))
        ).first()
        return _request(*found) if found is not None else None

    async def set_data_request(
        self, request_id: int, status: DataRequestStatus, note: str, at: datetime
    ) -> None:
        values: dict[str, object] = {"status": status.value, "note": note}
        if status is DataRequestStatus.ACKNOWLEDGED:
            values["acknowledged_at"] = at
        else:
            values["closed_at"] = at
        await self._s.execute(
            update(DataRequestRow).where(DataRequestRow.id == request_id).values(**values)
        )

    async def correct_registration(
        self, registration_id: int, changes: dict[str, str], actor: str, at: datetime
    ) -> None:
        unknown = set(changes) - CORRECTABLE
        if unknown:
            raise ValueError(f"a citizen cannot correct {sorted(unknown)}")
        row = await self._s.get(RegistrationRow, registration_id)
        if row is None:
            raise LookupError(f"registration {registration_id} does not exist")
        if row.erased_at is not None:
            raise ValueError(f"registration {registration_id} was erased")
        for name, value in changes.items():
            setattr(row, name, value)
        if "phone" in changes:
            # Typed, not shared from the chat account.
            row.phone_verified = False
        if "full_name" in changes:
            await self._s.execute(
                delete(RegistrationNameWordRow).where(
                    RegistrationNameWordRow.registration_id == registration_id
                )
            )
            for word in name_words(changes["full_name"]):
                self._s.add(RegistrationNameWordRow(registration_id=registration_id, word=word))
        self._s.add(
            RegistrationEventRow(
                registration_id=registration_id,
                at=at,
                actor=actor,
                event="corrected",
                from_status=row.status,
                to_status=row.status,
                note=", ".join(sorted(changes)),
                internal=False,
                data={},
            )
        )
        await self._s.flush()

    async def registrations_to_erase(
        self, statuses: frozenset[RegistrationStatus], changed_before: datetime, limit: int
    ) -> list[int]:
        found = await self._s.execute(
            select(RegistrationRow.id)
            .where(
                RegistrationRow.status.in_([s.value for s in statuses]),
                RegistrationRow.updated_at < changed_before,
                RegistrationRow.erased_at.is_(None),
            )
            .order_by(RegistrationRow.id)
            .limit(limit)
        )
        return list(found.scalars())


def _request_query() -> Select[DataRequestRow, str]:
    return (
        select(DataRequestRow, RegistrationRow.code)
        .outerjoin(RegistrationRow, RegistrationRow.id == DataRequestRow.registration_id)
        .outerjoin(LeaderRow, LeaderRow.id == RegistrationRow.leader_id)
    )


def _request(row: DataRequestRow, code: str | None) -> DataRequest:
    return DataRequest(
        id=row.id,
        citizen_id=row.citizen_id,
        registration_code=code or "",
        kind=DataRequestKind(row.kind),
        detail=row.detail,
        received_at=row.received_at,
        acknowledge_by=row.acknowledge_by,
        answer_by=row.answer_by,
        status=DataRequestStatus(row.status),
        acknowledged_at=row.acknowledged_at,
        closed_at=row.closed_at,
        note=row.note,
    )
