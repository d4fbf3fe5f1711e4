"""/datarequests: what citizens asked about their data that the bot could not do by itself,
with Decree 356/2025's deadlines (acknowledge within 2 working days, answer within 15 days);
an officer acknowledges, carries out (a correction is applied as asked) or refuses with a
reason, and the citizen is told each time."""

from __future__ import annotations

from bot.core import triage
from bot.core.i18n import N_
from bot.core.model import (
    DataRequest,
    DataRequestKind,
    DataRequestStatus,
    OutboxMessage,
    Reply,
)
from bot.dialogue.context import Turn
from bot.dialogue.officer.access import Desk, Refusal

USAGE = "/datarequests [NUMBER ack | done | refuse REASON]"
OPEN = frozenset({DataRequestStatus.OPEN, DataRequestStatus.ACKNOWLEDGED})
KIND_NAMES = {
    DataRequestKind.CORRECTION: N_("correction"),
    DataRequestKind.OTHER: N_("other"),
}
STATUS_NAMES = {
    DataRequestStatus.OPEN: N_("not acknowledged"),
    DataRequestStatus.ACKNOWLEDGED: N_("acknowledged"),
    DataRequestStatus.DONE: N_("carried out"),
    DataRequestStatus.REFUSED: N_("request refused"),
}
ACTIONS = {
    "ack": DataRequestStatus.ACKNOWLEDGED,
    "done": DataRequestStatus.DONE,
    "refuse": DataRequestStatus.REFUSED,
}
REASON_MAX = 500


async def run(turn: Turn, place: Desk, argument: str) -> tuple[Reply, str]:
    words = argument.split(maxsplit=2)
    if not words:
        return await _list(turn, place), ""
    if len(words) < 2 or not words[0].lstrip("#").isdigit() or words[1] not in ACTIONS:
        raise Refusal(turn._("Usage: {usage}", usage=USAGE), "usage")
    request_id = int(words[0].lstrip("#"))
    found = await _in_scope(turn, place, request_id)
    status = ACTIONS[words[1]]
    note = words[2].strip()[:REASON_MAX] if len(words) > 2 else ""
    if status is DataRequestStatus.REFUSED and not note:
        raise Refusal(
            turn._("Please give the reason for the refusal: the citizen is told it."), "usage"
        )
    if found.status not in OPEN or (
        status is DataRequestStatus.ACKNOWLEDGED and found.status is not DataRequestStatus.OPEN
    ):
        raise Refusal(
            turn._(
                "Data request #{id} is {status}: nothing to do.",
                id=found.id,
                status=turn._(STATUS_NAMES[found.status]),
            ),
            "wrong_state",
        )
    if status is DataRequestStatus.DONE and found.kind is DataRequestKind.CORRECTION:
        await _apply_correction(turn, place, found)
    await turn.repo.set_data_request(found.id, status, note, turn.now)
    await _tell_citizen(turn, found, status, note)
    return Reply(
        turn._(
            "Data request #{id}: {status}. The citizen has been told.",
            id=found.id,
            status=turn._(STATUS_NAMES[status]),
        )
    ), f"#{found.id}"


async def readable(turn: Turn, place: Desk, requests: list[DataRequest]) -> list[DataRequest]:
    """Those about a registration this officer may read: a correction of a denunciation
    shows who denounced, so only to the confidential permission."""
    kept = []
    for request in requests:
        registration = (
            await turn.repo.registration_by_code(request.registration_code)
            if request.registration_code
            else None
        )
        if registration is None or triage.may_read(place.officer, registration):
            kept.append(request)
    return kept


async def _list(turn: Turn, place: Desk) -> Reply:
    requests = await readable(turn, place, await turn.repo.data_requests(OPEN, place.scope))
    if not requests:
        return Reply(turn._("No data request is waiting."))
    lines = [turn._("Data requests waiting, the earliest deadline first:")]
    for r in requests:
        late = (
            r.acknowledge_by < turn.today
            if r.status is DataRequestStatus.OPEN
            else r.answer_by < turn.today
        )
        lines.append(
            turn._(
                "{flag} #{id} · {kind} · {code} · {status} · acknowledge by {ack}, answer by "
                "{answer} · {detail}",
                flag="⛔" if late else "•",
                id=r.id,
                kind=turn._(KIND_NAMES[r.kind]),
                code=r.registration_code or "—",
                status=turn._(STATUS_NAMES[r.status]),
                ack=turn.tr.short_day(r.acknowledge_by),
                answer=turn.tr.short_day(r.answer_by),
                detail=r.detail,
            )
        )
    lines.append(turn._("Usage: {usage}", usage=USAGE))
    return Reply("\n".join(lines))


async def _in_scope(turn: Turn, place: Desk, request_id: int) -> DataRequest:
    found = await turn.repo.data_request(request_id)
    visible = {
        r.id
        for r in await readable(
            turn, place, await turn.repo.data_requests(frozenset(DataRequestStatus), place.scope)
        )
    }
    if found is None or found.id not in visible:
        raise Refusal(
            turn._("There is no data request #{id} in your units.", id=request_id), "not_found"
        )
    return found


async def _apply_correction(turn: Turn, place: Desk, found: DataRequest) -> None:
    """A correction asked of a decided registration, as the citizen wrote it ("phone: ...")."""
    field, _sep, value = found.detail.partition(": ")
    registration = await turn.repo.registration_by_code(found.registration_code)
    if registration is None or field not in {"full_name", "phone", "address"} or not value:
        return
    if registration.erased_at is not None:
        # Erased since (retention): there is nothing left to correct, and nothing to write.
        return
    await turn.repo.correct_registration(
        registration.id, {field: value}, place.officer.actor, turn.now
    )


async def _tell_citizen(
    turn: Turn, found: DataRequest, status: DataRequestStatus, note: str
) -> None:
    identity = await turn.repo.identity(found.citizen_id)
    if identity is None or not identity.chat_id:
        return
    tr = turn.services.catalogs.get(identity.locale)
    texts = {
        DataRequestStatus.ACKNOWLEDGED: tr._(
            "Your data request #{id} has been received by the officers; they answer by {date}.",
            id=found.id,
            date=tr.day(found.answer_by),
        ),
        DataRequestStatus.DONE: tr._("Your data request #{id} has been carried out.", id=found.id),
        DataRequestStatus.REFUSED: tr._(
            "Your data request #{id} was refused: {reason}. You may complain to the body "
            "that runs this service.",
            id=found.id,
            reason=note,
        ),
    }
    await turn.repo.enqueue(
        OutboxMessage(
            idempotency_key=f"data-request:{found.id}:{status.value}",
            channel=identity.channel,
            recipient=identity.chat_id,
            text=texts[status],
            due_at=turn.now,
        )
    )
