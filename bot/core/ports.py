"""The boundary between the domain and storage. ``storage`` implements these Protocols."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from bot.core.model import (
    AuditEntry,
    CalendarOverride,
    Choice,
    Citizen,
    Credentials,
    DialogState,
    Leader,
    LeaderRole,
    NewRegistration,
    NewSession,
    Officer,
    OfficerRole,
    OutboxItem,
    OutboxMessage,
    Recipient,
    RegistrationEvent,
    RegistrationStatus,
    RegistrationView,
    RequestKind,
    ScheduleRule,
    SessionView,
    StoredUpdate,
    Unit,
    UnitKind,
    UnitLevel,
)


@dataclass(frozen=True, slots=True)
class OfficerRecord:
    channel: str
    user_id: str
    name: str
    role: str
    units: tuple[str, ...]
    permissions: tuple[str, ...] = ()


# Registration columns an officer's decision may set (Repository.record_decision).
DECISION_COLUMNS = frozenset(
    {
        "priority",
        "leader_id",
        "session_id",
        "slot_time",
        "host_name",
        "rejection_reason",
        "guided_to",
        "referred_to",
        "letter_no",
        "duplicate_of_code",
        "outcome",
        "outcome_note",
        "conclusion",
        "conclusion_deadline",
        "conclusion_unit",
        "info_question",
        "paused_since",
        "due_date",
        "notice_form",
        "notice_due",
        "notice_letter",
        "notice_issued_on",
    }
)


class Repository(Protocol):
    """Everything the core reads or writes, inside one transaction."""

    # citizens and their conversation
    async def citizen_for(
        self, channel: str, user_id: str, chat_id: str, locale: str, now: datetime
    ) -> Citizen:
        """Return the citizen behind a channel identity, creating them on first contact."""
        ...

    async def set_citizen_locale(self, citizen_id: int, locale: str) -> None: ...

    async def locale_of(self, channel: str, user_id: str) -> str | None:
        """The language a chat identity chose, if it ever talked to the bot."""
        ...

    async def load_dialog(self, citizen_id: int, now: datetime) -> DialogState:
        """Load the conversation state, locking it until the transaction ends."""
        ...

    async def save_dialog(self, citizen_id: int, state: DialogState, now: datetime) -> None: ...

    async def record_consent(
        self, citizen_id: int, notice_version: str, locale: str, at: datetime
    ) -> int: ...

    # units, leaders, schedules
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

    async def sync_config_officers(self, officers: list[OfficerRecord], now: datetime) -> None: ...

    # registrations
    async def code_taken(self, code: str) -> bool: ...

    async def count_active_registrations(self, citizen_id: int) -> int: ...

    async def create_registration(
        self, registration: NewRegistration, actor: str
    ) -> RegistrationView: ...

    async def registrations_of(self, citizen_id: int) -> list[RegistrationView]:
        """The citizen's registrations, newest first."""
        ...

    async def registration_by_code(self, code: str) -> RegistrationView | None: ...

    async def registration_by_id(self, registration_id: int) -> RegistrationView | None: ...

    async def registration_events(self, registration_id: int) -> list[RegistrationEvent]: ...

    async def registration_for_update(self, code: str) -> RegistrationView | None:
        """The registration, locked until the transaction ends (decisions take turns)."""
        ...

    async def queue(
        self,
        statuses: frozenset[RegistrationStatus],
        kinds: frozenset[RequestKind] | None,
        unit_ids: frozenset[int] | None,
        limit: int,
        offset: int,
    ) -> tuple[list[RegistrationView], int]:
        """Registrations in these states, oldest first, and how many there are in all."""
        ...

    async def pending_notices(
        self, kinds: frozenset[RequestKind] | None, unit_ids: frozenset[int] | None
    ) -> list[RegistrationView]:
        """Registrations whose written notice is owed and not yet issued, earliest due first."""
        ...

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
        """Set the status and the changed columns (DECISION_COLUMNS), append the event in the
        same transaction; return the event's id."""
        ...

    # officers, audit, outgoing messages
    async def officer_for(self, channel: str, user_id: str) -> Officer | None:
        """The active officer behind a channel identity, if any."""
        ...

    async def officers(self, include_former: bool = False) -> list[Officer]:
        """Active officers; with ``include_former``, those removed too (``active`` False)."""
        ...

    async def save_officer(
        self,
        channel: str,
        user_id: str,
        name: str,
        role: OfficerRole,
        units: tuple[str, ...],
        permissions: frozenset[str],
        now: datetime,
    ) -> Officer: ...

    async def deactivate_officer(self, channel: str, user_id: str) -> Officer | None: ...

    async def actor_names(self, actors: set[str]) -> dict[str, str]:
        """Display names for ``officer:<id>`` actors."""
        ...

    async def audit(self, entry: AuditEntry) -> None: ...

    async def enqueue(self, message: OutboxMessage) -> bool:
        """Queue a message; False when one with the same key was queued before."""
        ...

    async def set_delegation_allowed(self, unit_codes: frozenset[str]) -> None:
        """Allow reception in the head's place for these units, forbid it for the others."""
        ...

    # the outbox, for the dispatcher
    async def claim_outbox(
        self,
        now: datetime,
        owner: str,
        lease_until: datetime,
        targets: Sequence[tuple[str, str | None]],
        limit: int,
        keys: Sequence[str] | None = None,
    ) -> list[OutboxItem]:
        """Take due messages for these (channel, recipient or any) targets: pending ones,
        and those whose previous claim ran out of lease. Several dispatchers never take the
        same row (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: one writer at a time).
        ``keys``: only these messages (the replies of the turn just processed)."""
        ...

    async def renew_lease(
        self, item_id: int, owner: str, now: datetime, lease_until: datetime
    ) -> bool:
        """Extend the lease before sending; False when this dispatcher lost the row."""
        ...

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
        """Record the row's fate, if ``owner`` still holds it."""
        ...

    async def mark_unreachable(self, channel: str, chat_id: str, at: datetime) -> None: ...

    async def credentials(self, channel: str) -> Credentials | None: ...

    async def save_credentials(
        self, channel: str, credentials: Credentials, replacing: str | None, now: datetime
    ) -> bool:
        """Store new tokens if the refresh token in force is still ``replacing`` (None: there
        are none yet); False when another instance refreshed first."""
        ...

    async def last_heard(self, channel: str, chat_id: str) -> datetime | None:
        """When the chat last wrote to us (a Zalo OA may answer only within a window)."""
        ...

    async def latest_registration_of_chat(
        self, channel: str, chat_id: str
    ) -> RegistrationView | None:
        """The chat's citizen's newest registration: whom to phone when a message cannot go."""
        ...

    async def last_choices(self, channel: str, chat_id: str) -> tuple[Choice, ...]:
        """The choices of the last message sent to the chat (none if it had none): what a
        citizen on a channel without buttons answers by number."""
        ...

    async def ping(self) -> None:
        """A trivial query: raises when the database cannot be reached."""
        ...

    # the inbox: incoming updates, stored before they are acted on
    async def store_updates(
        self, channel: str, updates: Sequence[tuple[str, dict[str, Any]]], now: datetime
    ) -> list[StoredUpdate]:
        """Keep these (update id, payload) updates; return the new ones, in the given order.
        An update id seen before is a redelivery and is left out."""
        ...

    async def claim_update(self, update_id: int, now: datetime) -> bool:
        """Mark a stored update processed, in the transaction that acts on it; False when
        another transaction did so first. Its payload is dropped: it may hold personal data
        that the registration keeps where it belongs."""
        ...

    async def note_update_failure(self, update_id: int, error: str, now: datetime) -> None:
        """An update that could not be processed: marked so it is not retried forever."""
        ...

    async def unprocessed_updates(
        self, channel: str, received_before: datetime, limit: int
    ) -> list[StoredUpdate]:
        """Updates stored but never processed (the process stopped in between), oldest first."""
        ...

    async def purge_updates(self, processed_before: datetime) -> int:
        """Forget processed updates once a redelivery can no longer come."""
        ...

    # records: the logbook and the periodic reports
    async def registrations_met_between(
        self, start: datetime, end: datetime, unit_ids: frozenset[int] | None
    ) -> list[RegistrationView]:
        """Registrations whose session starts in [start, end), in any state, by session
        start then code: the meetings of a period, held or missed."""
        ...

    async def registrations_submitted_between(
        self, start: datetime, end: datetime, unit_ids: frozenset[int] | None
    ) -> list[RegistrationView]:
        """Registrations submitted in [start, end), in any state."""
        ...

    async def first_events(
        self, registration_ids: Sequence[int], events: frozenset[str]
    ) -> dict[int, datetime]:
        """For each registration, when the first of ``events`` happened to it (if ever)."""
        ...

    # schedule changes and subscriptions
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

    async def registrations_in_session(
        self, session_id: int, statuses: frozenset[RegistrationStatus]
    ) -> list[RegistrationView]: ...

    async def subscribe(self, citizen_id: int, unit_id: int, now: datetime) -> bool:
        """False when the citizen already follows the unit."""
        ...

    async def unsubscribe(self, citizen_id: int, unit_id: int) -> bool: ...

    async def subscribed_units(self, citizen_id: int) -> frozenset[int]: ...

    async def announcements(
        self, since: datetime, now: datetime
    ) -> list[tuple[SessionView, Citizen]]:
        """Sessions published since ``since`` and still ahead, with each citizen following
        their unit who subscribed before the session was published."""
        ...

    async def set_leader_recipients(
        self, leader_id: int, contacts: tuple[Recipient, ...], assistants: tuple[Recipient, ...]
    ) -> None: ...

    async def save_calendar_override(self, override: CalendarOverride) -> None: ...


class Store(Protocol):
    def transaction(self) -> AbstractAsyncContextManager[Repository]:
        """Open one transaction; commit when the block ends, roll back if it raises."""
        ...
