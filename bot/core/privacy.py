"""Citizens' rights over their data (Personal Data Protection Law 91/2025/QH15 Art. 4; Decree
356/2025/NĐ-CP): what is held about them, correction, withdrawal of consent with erasure of
what no law requires to keep, data requests answered by the officers in time, and the
retention period after which closed registrations lose their personal fields.

What a reception office must keep is kept: receptions that took place and decided
registrations are the body's records (Law on Citizen Reception Art. 25: the logbook), and the
audit log is evidence of who read what. Those stay, detached from the chat identity.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.core import triage
from bot.core.model import (
    AuditEntry,
    Citizen,
    DataRequest,
    DataRequestKind,
    RegistrationStatus,
    RegistrationView,
)
from bot.core.ports import Repository
from bot.core.triage import Action, Decision
from bot.core.workdays import WorkCalendar

# Decree 356/2025: a request is acknowledged within 2 working days and acted on within 15
# days (20 with processors; one extension of at most 15 days).
ACKNOWLEDGE_WORKING_DAYS = 2
ANSWER_DAYS = 15
# States after which nothing more happens to a registration: the retention period runs from
# its last change.
FINAL_STATUSES = frozenset(
    {
        RegistrationStatus.CLOSED,
        RegistrationStatus.REJECTED,
        RegistrationStatus.REFERRED,
        RegistrationStatus.DUPLICATE,
        RegistrationStatus.NO_SHOW,
        RegistrationStatus.WITHDRAWN,
    }
)
# Registrations erased per run of the retention job: a first run over years of records is
# spread over days rather than holding the database for minutes.
RETENTION_BATCH = 500


@dataclass(frozen=True, slots=True)
class Withdrawal:
    """What a withdrawal of consent did: the registrations withdrawn and erased (they were
    not decided yet), and those kept because the law asks the body to keep them."""

    withdrawn: tuple[RegistrationView, ...]
    kept: tuple[RegistrationView, ...]


# Waiting for a decision, whatever the date: nothing took place that the body must record.
_WAITING = frozenset(
    {RegistrationStatus.SUBMITTED, RegistrationStatus.NEEDS_INFO, RegistrationStatus.CANCELLED}
)


def _undecided(registration: RegistrationView, now: datetime) -> bool:
    """Withdrawn with the consent: waiting for a decision, or scheduled into a session that
    has not begun (once it has, the reception is about to be recorded)."""
    return registration.status in _WAITING or registration.withdrawable(now)


def may_correct(registration: RegistrationView) -> bool:
    """The citizen may change their name, phone or address themselves until a decision is
    made; afterwards the officers decide (a data request)."""
    return registration.status in {RegistrationStatus.SUBMITTED, RegistrationStatus.NEEDS_INFO}


async def withdraw(repo: Repository, citizen: Citizen, actor: str, now: datetime) -> Withdrawal:
    """Withdraw the citizen's consent: stop everything that needs it and erase what no law
    requires to keep. Undecided registrations are withdrawn and erased; decided ones and
    receptions are kept; consents are marked withdrawn; subscriptions, messages still to
    send, the dialog state and the chat identity go."""
    withdrawn: list[RegistrationView] = []
    kept: list[RegistrationView] = []
    for listed in await repo.registrations_of(citizen.id):
        # Locked and read again: an officer deciding at this moment goes first, and what
        # they decided is kept.
        registration = await repo.registration_for_update(listed.code)
        if registration is None:
            continue
        if _undecided(registration, now):
            await triage.decide(
                repo, registration, Decision(Action.WITHDRAW, note="consent withdrawn"), actor, now
            )
            await repo.erase_registration(registration.id, now)
            withdrawn.append(registration)
        elif registration.status is RegistrationStatus.WITHDRAWN:
            await repo.erase_registration(registration.id, now)
        else:
            # Decided, or its session has begun (a reception about to be recorded): the
            # body's record.
            kept.append(registration)
    await repo.close_data_requests(citizen.id, now)
    await repo.withdraw_consents(citizen.id, now)
    await repo.unsubscribe_all(citizen.id)
    await repo.expire_messages_to(citizen.channel, citizen.chat_id, now)
    await repo.detach_citizen(citizen.id)
    return Withdrawal(tuple(withdrawn), tuple(kept))


def deadlines(received: date, work: WorkCalendar) -> tuple[date, date]:
    """When a data request received on ``received`` must be acknowledged and answered."""
    return (
        work.add_working_days(received, ACKNOWLEDGE_WORKING_DAYS),
        received + timedelta(days=ANSWER_DAYS),
    )


async def request(
    repo: Repository,
    citizen_id: int,
    registration: RegistrationView | None,
    kind: DataRequestKind,
    detail: str,
    now: datetime,
    received: date,
    work: WorkCalendar,
) -> DataRequest:
    acknowledge_by, answer_by = deadlines(received, work)
    return await repo.add_data_request(
        citizen_id,
        registration.id if registration is not None else None,
        kind,
        detail,
        now,
        acknowledge_by,
        answer_by,
    )


def retention_cutoff(now: datetime, months: int) -> datetime:
    """``months`` calendar months before ``now`` (the same day, or the month's last)."""
    month = now.month - 1 - months
    year = now.year + month // 12
    month = month % 12 + 1
    day = now.day
    while True:
        try:
            return now.replace(year=year, month=month, day=day)
        except ValueError:
            day -= 1


async def erase_past_retention(repo: Repository, now: datetime, today: date, months: int) -> int:
    """Erase the personal fields of registrations closed ``months`` ago or more; returns how
    many. 0 months: keep everything (the legal period is not settled)."""
    if months <= 0:
        return 0
    cutoff = retention_cutoff(now, months)
    found = await repo.registrations_to_erase(FINAL_STATUSES, cutoff, RETENTION_BATCH)
    erased = 0
    for registration_id in found:
        registration = await repo.registration_by_id(registration_id)
        if registration is None or still_in_use(registration, today):
            continue
        await repo.erase_registration(registration_id, now)
        erased += 1
    if erased:
        await repo.audit(
            AuditEntry(now, "system:retention", "erase", "", True, f"{erased} erased")
        )
    return erased


def still_in_use(registration: RegistrationView, today: date) -> bool:
    """A written notice still owed is addressed to the citizen, and a conclusion still due
    is written about their matter: their personal fields are still needed."""
    if registration.notice_pending:
        return True
    deadline = registration.conclusion_deadline
    return not registration.conclusion and deadline is not None and deadline >= today
