"""Values that cross layers: what a channel hands the core, what the core answers, domain records.

Everything here is a frozen dataclass or a StrEnum, never an ORM row or a dict, so a channel, the
dialogue and the storage layer agree on one vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any


class Channel(StrEnum):
    CONSOLE = "console"
    TELEGRAM = "telegram"
    ZALO_BOT = "zalo_bot"
    ZALO_OA = "zalo_oa"


# Channels that hand a file over with a message (an appointment to add to a calendar). The
# console only prints a file's name, and the Zalo Bot Platform sends no documents yet.
FILE_CHANNELS = frozenset({Channel.TELEGRAM.value})


def accepts_files(channel: str) -> bool:
    return channel in FILE_CHANNELS


# Channels with no buttons: a menu comes as a numbered list, answered by number or words (a
# Zalo OA button template sends its payload back as text, which answers the same way).
MENU_BY_TEXT_CHANNELS = frozenset({Channel.ZALO_BOT.value, Channel.ZALO_OA.value})


# --- what a channel hands to the dialogue, and what it gets back ---------------------------


@dataclass(frozen=True, slots=True)
class SharedContact:
    """A phone number shared through the channel's own contact button."""

    phone: str
    # The sharer's own account, when the channel says whose number it is.
    owner_user_id: str | None = None


@dataclass(frozen=True, slots=True)
class Incoming:
    channel: str
    user_id: str
    chat_id: str
    text: str | None = None
    payload: str | None = None
    contact: SharedContact | None = None
    # The kind of a file the user sent ("photo", "document", ...); files are never kept.
    attachment: str | None = None


@dataclass(frozen=True, slots=True)
class Choice:
    label: str
    payload: str


@dataclass(frozen=True, slots=True)
class OutgoingFile:
    filename: str
    content: bytes
    mime_type: str


@dataclass(frozen=True, slots=True)
class Reply:
    text: str
    choices: tuple[Choice, ...] = ()
    # The label of a "share my phone number" button, when the channel has one.
    contact_request: str | None = None
    file: OutgoingFile | None = None


# --- domain vocabulary ---------------------------------------------------------------------


class Source(StrEnum):
    """How a matter reached the office: registered by the citizen in a chat, or recorded by an
    officer (/walkin) when it came another way."""

    CHAT = "chat"
    IN_PERSON = "in_person"
    PHONE = "phone"
    LETTER = "letter"
    FORWARDED = "forwarded"


# The channel of a citizen recorded at the office, who has no chat (yet): nothing is sent to
# it; /link moves their registration to the chat they write from.
DESK_CHANNEL = "desk"


class RequestKind(StrEnum):
    COMPLAINT = "complaint"  # khiếu nại
    DENUNCIATION = "denunciation"  # tố cáo
    PETITION = "petition"  # kiến nghị
    FEEDBACK = "feedback"  # phản ánh


class RegistrationStatus(StrEnum):
    SUBMITTED = "submitted"
    NEEDS_INFO = "needs_info"
    APPROVED = "approved"
    REJECTED = "rejected"
    REFERRED = "referred"
    DUPLICATE = "duplicate"
    ATTENDED = "attended"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"
    RESCHEDULED = "rescheduled"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


# A registration in one of these states holds a slot in its session.
SEAT_HOLDING_STATUSES = frozenset(
    {
        RegistrationStatus.SUBMITTED,
        RegistrationStatus.NEEDS_INFO,
        RegistrationStatus.APPROVED,
        RegistrationStatus.RESCHEDULED,
    }
)
# Waiting for an officer's decision: new, asked for more, or back after the meeting fell
# through (its session was cancelled, or the citizen cannot come).
QUEUED_STATUSES = frozenset(
    {RegistrationStatus.SUBMITTED, RegistrationStatus.NEEDS_INFO, RegistrationStatus.CANCELLED}
)
# The citizen may withdraw while the registration is alive and its meeting still ahead.
WITHDRAWABLE_STATUSES = SEAT_HOLDING_STATUSES | {RegistrationStatus.CANCELLED}


class UnitKind(StrEnum):
    PARTY_COMMITTEE = "party_committee"  # cấp ủy
    PEOPLES_COMMITTEE = "peoples_committee"  # Ủy ban nhân dân
    AGENCY = "agency"


class Track(StrEnum):
    """The rules a session follows: a Party committee head's reception is governed by
    Regulation 11-QĐi/TW, every other one by the Law on Citizen Reception."""

    STATE = "state"
    PARTY = "party"


def track_of(kind: UnitKind) -> Track:
    return Track.PARTY if kind is UnitKind.PARTY_COMMITTEE else Track.STATE


class UnitLevel(StrEnum):
    """Administrative level, as data: the 2025 reform left province and commune."""

    PROVINCE = "province"
    COMMUNE = "commune"


class LeaderRole(StrEnum):
    PARTY_SECRETARY = "party_secretary"  # Bí thư
    COMMITTEE_CHAIR = "committee_chair"  # Chủ tịch UBND
    AGENCY_HEAD = "agency_head"


class RecurrenceKind(StrEnum):
    MONTHLY_DAY = "monthly_day"
    MONTHLY_NTH_WEEKDAY = "monthly_nth_weekday"
    WEEKLY = "weekly"


class HolidayPolicy(StrEnum):
    SHIFT = "shift"  # to the next working day
    SKIP = "skip"


class SessionStatus(StrEnum):
    PLANNED = "planned"
    CANCELLED = "cancelled"
    MOVED = "moved"
    HELD = "held"


# --- records ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Unit:
    id: int
    code: str
    name: str
    kind: UnitKind
    level: UnitLevel
    parent_id: int | None
    address: str = ""


@dataclass(frozen=True, slots=True)
class Recipient:
    """A chat that receives a leader's reminders: the leader's own, or an assistant's."""

    channel: str
    chat_id: str
    locale: str = "vi"
    # An assistant sees denunciations' content only with this permission.
    confidential: bool = False


@dataclass(frozen=True, slots=True)
class Leader:
    id: int
    code: str
    unit_id: int
    name: str
    title: str
    role: LeaderRole
    locale: str = "vi"
    active: bool = True
    contacts: tuple[Recipient, ...] = ()
    assistants: tuple[Recipient, ...] = ()


@dataclass(frozen=True, slots=True)
class Recurrence:
    kind: RecurrenceKind
    # MONTHLY_DAY: 1..31 (a day past the month's end means its last day).
    day_of_month: int | None = None
    # MONTHLY_NTH_WEEKDAY: 1..4, or -1 for the last one.
    nth: int | None = None
    # Monday=0 .. Sunday=6, for MONTHLY_NTH_WEEKDAY and WEEKLY.
    weekday: int | None = None
    interval_weeks: int = 1


@dataclass(frozen=True, slots=True)
class ScheduleRule:
    id: int
    leader_id: int
    recurrence: Recurrence
    start: time
    end: time
    location: str
    capacity: int
    holiday_policy: HolidayPolicy
    valid_from: date
    valid_until: date | None = None
    auto_publish: bool = True
    active: bool = True


@dataclass(frozen=True, slots=True)
class NewSession:
    leader_id: int
    rule_id: int | None
    nominal_date: date
    starts_at: datetime
    ends_at: datetime
    location: str
    capacity: int
    published_at: datetime | None


@dataclass(frozen=True, slots=True)
class SessionView:
    """A session as a citizen sees it, with the host and the places left."""

    id: int
    leader_id: int
    leader_name: str
    leader_title: str
    unit_id: int
    unit_name: str
    starts_at: datetime
    ends_at: datetime
    location: str
    capacity: int
    taken: int
    status: SessionStatus
    published: bool
    # Raised by each change a calendar must follow (time, place, cancellation): the SEQUENCE
    # of its calendar event; ``updated_at`` is when that last happened.
    revision: int = 0
    updated_at: datetime | None = None

    @property
    def remaining(self) -> int:
        return max(self.capacity - self.taken, 0)


@dataclass(frozen=True, slots=True)
class Citizen:
    id: int
    channel: str
    channel_user_id: str
    chat_id: str
    locale: str


@dataclass(frozen=True, slots=True)
class NewRegistration:
    code: str
    citizen_id: int
    consent_id: int
    kind: RequestKind
    full_name: str
    phone: str
    phone_verified: bool
    id_number: str
    province: str
    address: str
    leader_id: int
    session_id: int
    people_count: int
    representatives: tuple[str, ...]
    summary: str
    prior_handling: str
    request: str
    locale: str
    submitted_at: datetime
    due_date: date
    interpreter: str = ""
    repeat_of_code: str = ""
    source: Source = Source.CHAT
    # The official who received a walk-in (the officer who recorded it, by default).
    received_by: str = ""


@dataclass(frozen=True, slots=True)
class RegistrationView:
    id: int
    code: str
    citizen_id: int
    kind: RequestKind
    status: RegistrationStatus
    full_name: str
    summary: str
    request: str
    people_count: int
    leader_name: str
    leader_title: str
    session_id: int
    session_starts_at: datetime
    session_location: str
    submitted_at: datetime
    due_date: date
    # The whole dossier, for officers; a citizen's own view shows only parts of it.
    leader_id: int = 0
    unit_id: int = 0
    unit_code: str = ""
    unit_name: str = ""
    unit_kind: UnitKind = UnitKind.PEOPLES_COMMITTEE
    delegation_allowed: bool = True
    session_ends_at: datetime | None = None
    citizen_channel: str = ""
    citizen_chat_id: str = ""
    citizen_locale: str = "vi"
    phone: str = ""
    phone_verified: bool = False
    id_number: str = ""
    province: str = ""
    address: str = ""
    representatives: tuple[str, ...] = ()
    prior_handling: str = ""
    requested_session_id: int = 0
    host_name: str = ""
    slot_time: time | None = None
    rejection_reason: str = ""
    guided_to: str = ""
    referred_to: str = ""
    letter_no: str = ""
    duplicate_of_code: str = ""
    outcome: str = ""
    outcome_note: str = ""
    conclusion: str = ""
    conclusion_deadline: date | None = None
    conclusion_unit: str = ""
    info_question: str = ""
    paused_since: datetime | None = None
    priority: bool = False
    # The language the citizen asked an interpreter for ("" : none needed).
    interpreter: str = ""
    # An earlier registration of the same citizen that this one seems to repeat.
    repeat_of_code: str = ""
    source: Source = Source.CHAT
    received_by: str = ""
    # /link: wrong tries of the phone's last digits, and until when the next is refused.
    link_failures: int = 0
    link_paused_until: datetime | None = None
    # Personal fields erased (consent withdrawn, or past the retention period).
    erased_at: datetime | None = None
    # A written notice the law asks for after a decision (bot/core/deadlines.py:NoticeForm),
    # when it is due, and its number and date once the officers have issued it.
    notice_form: str = ""
    notice_due: date | None = None
    notice_letter: str = ""
    notice_issued_on: date | None = None
    # When its state or a decision's column last changed.
    updated_at: datetime | None = None

    @property
    def party_session(self) -> bool:
        """Received by a Party committee's head, under Regulation 11-QĐi/TW."""
        return self.unit_kind is UnitKind.PARTY_COMMITTEE

    @property
    def track(self) -> Track:
        return track_of(self.unit_kind)

    @property
    def notice_pending(self) -> bool:
        """A written notice is owed to the citizen and not yet recorded as issued."""
        return bool(self.notice_form) and self.notice_issued_on is None

    @property
    def has_chat(self) -> bool:
        """The citizen can be written to: not a walk-in nobody has linked to a chat yet, nor
        a citizen who withdrew their consent (their chat is forgotten)."""
        return self.citizen_channel != DESK_CHANNEL and bool(self.citizen_chat_id)

    @property
    def confidential(self) -> bool:
        """A denunciation: the law keeps the denouncer's identity secret."""
        return self.kind is RequestKind.DENUNCIATION

    def withdrawable(self, now: datetime) -> bool:
        """A citizen may withdraw until their meeting starts, unless it was already decided."""
        if self.status is RegistrationStatus.CANCELLED:
            return True
        return self.status in WITHDRAWABLE_STATUSES and now < self.session_starts_at


@dataclass(frozen=True, slots=True)
class RegistrationEvent:
    registration_id: int
    at: datetime
    actor: str
    event: str
    from_status: RegistrationStatus | None
    to_status: RegistrationStatus | None
    note: str = ""
    # Notes officers write for colleagues only are hidden from citizens.
    internal: bool = False
    id: int = 0
    # Details of the decision (session, reason, body, letter...), for the history.
    data: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CalendarOverride:
    day: date
    working: bool  # True: a make-up working day; False: an extra day off
    note: str = ""


class OfficerRole(StrEnum):
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return (OfficerRole.OFFICER, OfficerRole.SUPERVISOR, OfficerRole.ADMIN).index(self)

    def at_least(self, other: OfficerRole) -> bool:
        return self.rank >= other.rank


CONFIDENTIAL = "confidential"


@dataclass(frozen=True, slots=True)
class Officer:
    id: int
    channel: str
    user_id: str
    name: str
    role: OfficerRole
    # Unit codes in scope; empty means every unit.
    units: tuple[str, ...] = ()
    permissions: frozenset[str] = frozenset()
    from_config: bool = False
    active: bool = True

    @property
    def actor(self) -> str:
        return f"officer:{self.id}"

    def may_see_confidential(self) -> bool:
        return CONFIDENTIAL in self.permissions


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """A message to send later, once: the idempotency key makes queueing it twice harmless."""

    idempotency_key: str
    channel: str
    recipient: str
    text: str
    due_at: datetime
    choices: tuple[Choice, ...] = ()
    purpose: str = "notice"
    contact_request: str | None = None
    file: OutgoingFile | None = None
    expires_at: datetime | None = None
    # Conditions still true when it is sent: {"registration": id, "statuses": [...],
    # "session": id, "starts_at": iso}; otherwise it is expired unsent.
    guard: dict[str, object] | None = None


@dataclass(frozen=True, slots=True)
class Credentials:
    """A channel's tokens: the access token and when it stops working, and the refresh token
    that gets the next pair (used once: each refresh returns a new one)."""

    access_token: str
    access_expires_at: datetime | None
    refresh_token: str
    # A digest of the configured refresh token the pair descends from: a new one configured
    # (the OA authorised again) replaces the pair.
    seeded_from: str = ""


@dataclass(frozen=True, slots=True)
class Hold:
    """A lease on outbox rows: the dispatcher that holds them, and until when."""

    owner: str
    until: datetime


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """A claimed outgoing message, ready to be sent."""

    id: int
    key: str
    channel: str
    recipient: str
    reply: Reply
    attempts: int
    expires_at: datetime | None
    guard: dict[str, object] | None
    # Until when this dispatcher holds it (None: unknown, ask the database).
    lease_until: datetime | None = None
    # Parts of a long reply an earlier attempt delivered before it failed.
    delivered: int = 0

    @property
    def text(self) -> str:
        return self.reply.text


@dataclass(frozen=True, slots=True)
class SendResult:
    """What became of a claimed message, to be recorded if ``owner`` still holds it."""

    item_id: int
    owner: str
    # "sent", "pending" (to try again at next_attempt_at), "failed", "dead", "expired"
    status: str
    at: datetime
    attempted: bool = False
    provider_message_id: str | None = None
    error: str = ""
    next_attempt_at: datetime | None = None
    # The chat refused the bot for good: (channel, chat id), marked unreachable with it.
    unreachable: tuple[str, str] | None = None
    # How many of the channel's messages carried it, where the channel counts them
    # (Dispatcher.reply_windows); for a message to try again, how many of its parts went.
    parts: int | None = None


@dataclass(frozen=True, slots=True)
class StoredUpdate:
    """An incoming update as the inbox keeps it until it is processed."""

    id: int
    channel: str
    update_id: str
    payload: dict[str, Any]


class DataRequestKind(StrEnum):
    """What a citizen asked about their data that the officers must answer."""

    CORRECTION = "correction"  # of a registration already decided
    OTHER = "other"


class DataRequestStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    DONE = "done"
    REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class DataRequest:
    id: int
    citizen_id: int
    registration_code: str  # "" when about no one registration
    kind: DataRequestKind
    detail: str
    received_at: datetime
    # Decree 356/2025: acknowledged within 2 working days, answered within 15 days.
    acknowledge_by: date
    answer_by: date
    status: DataRequestStatus
    acknowledged_at: datetime | None = None
    closed_at: datetime | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class ConsentRecord:
    notice_version: str
    locale: str
    given_at: datetime
    given_as: str
    withdrawn_at: datetime | None


@dataclass(frozen=True, slots=True)
class Identity:
    """A citizen's chat identity as stored: what /mydata shows of it."""

    channel: str
    user_id: str
    chat_id: str  # "" once the citizen withdrew: nothing is sent there any more
    locale: str
    first_seen: datetime
    last_seen: datetime


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: datetime
    actor: str
    action: str
    target: str
    allowed: bool
    detail: str = ""


@dataclass(slots=True)
class DialogState:
    """Where one citizen is in the conversation; stored as JSON in one row per citizen."""

    data: dict[str, object] = field(default_factory=dict)
