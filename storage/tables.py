"""The schema, the same for SQLite and PostgreSQL. Migrations in ``storage/migrations`` build it;
a test checks that they agree with these models."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    Time,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.core.text import fold_words


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware in Python, UTC in the database; SQLite gives naive values back otherwise."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


JSONType = JSON().with_variant(JSONB(), "postgresql")
# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets 64-bit keys.
Id = BigInteger().with_variant(Integer(), "sqlite")

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: dict[Any, Any] = {  # noqa: RUF012 - SQLAlchemy's declared hook
        datetime: UTCDateTime(),
        date: Date(),
        time: Time(),
        dict[str, Any]: JSONType,
        list[Any]: JSONType,
    }


class UnitRow(Base):
    """A party committee, people's committee or agency; the hierarchy is data (parent_id)."""

    __tablename__ = "units"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    level: Mapped[str] = mapped_column(String(32))
    parent_id: Mapped[int | None] = mapped_column(Id, ForeignKey("units.id"), index=True)
    address: Mapped[str] = mapped_column(String(300), default="")
    allow_delegation: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]


class LeaderRow(Base):
    __tablename__ = "leaders"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    unit_id: Mapped[int] = mapped_column(Id, ForeignKey("units.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    locale: Mapped[str] = mapped_column(String(8), default="vi")
    # Where reminders go: [{"channel": "telegram", "chat_id": "..."}]
    contacts: Mapped[list[Any]] = mapped_column(default=list)
    # Who gets copies: [{"channel": ..., "chat_id": ..., "locale": "vi", "confidential": false}]
    assistants: Mapped[list[Any]] = mapped_column(default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]


class ScheduleRuleRow(Base):
    __tablename__ = "schedule_rules"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    leader_id: Mapped[int] = mapped_column(Id, ForeignKey("leaders.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    day_of_month: Mapped[int | None] = mapped_column(Integer)
    nth: Mapped[int | None] = mapped_column(Integer)
    weekday: Mapped[int | None] = mapped_column(Integer)
    interval_weeks: Mapped[int] = mapped_column(Integer, default=1)
    start_time: Mapped[time]
    end_time: Mapped[time]
    location: Mapped[str] = mapped_column(String(300))
    capacity: Mapped[int] = mapped_column(Integer)
    holiday_policy: Mapped[str] = mapped_column(String(16))
    valid_from: Mapped[date]
    valid_until: Mapped[date | None]
    auto_publish: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]


class SessionRow(Base):
    __tablename__ = "sessions"
    __table_args__ = (
        UniqueConstraint("rule_id", "nominal_date"),
        Index("uq_sessions_code", "code", unique=True),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    leader_id: Mapped[int] = mapped_column(Id, ForeignKey("leaders.id"), index=True)
    rule_id: Mapped[int | None] = mapped_column(Id, ForeignKey("schedule_rules.id"))
    nominal_date: Mapped[date]
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    location: Mapped[str] = mapped_column(String(300))
    capacity: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="planned")
    published_at: Mapped[datetime | None]
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    # The key of an ad-hoc session from a schedule file, so importing it again changes nothing.
    code: Mapped[str | None] = mapped_column(String(64))
    # Raised by every change of time, place or status, which calendars must follow (SEQUENCE);
    # updated_at is when the last one happened (empty: never changed since created_at).
    revision: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime | None]


class SubscriptionRow(Base):
    """A citizen who wants to hear of each newly published session of a unit."""

    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("citizen_id", "unit_id"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    citizen_id: Mapped[int] = mapped_column(Id, ForeignKey("citizens.id"))
    unit_id: Mapped[int] = mapped_column(Id, ForeignKey("units.id"), index=True)
    created_at: Mapped[datetime]


class CalendarOverrideRow(Base):
    """Extra days off and make-up working days decided each year on top of public holidays."""

    __tablename__ = "calendar_overrides"
    day: Mapped[date] = mapped_column(primary_key=True)
    working: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(300), default="")


class CitizenRow(Base):
    """One identity per channel: the same person on Telegram and Zalo is two citizens."""

    __tablename__ = "citizens"
    __table_args__ = (UniqueConstraint("channel", "channel_user_id"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    channel_user_id: Mapped[str] = mapped_column(String(64))
    chat_id: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(8))
    unreachable_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]


class ConsentRow(Base):
    __tablename__ = "consents"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    citizen_id: Mapped[int] = mapped_column(Id, ForeignKey("citizens.id"), index=True)
    notice_version: Mapped[str] = mapped_column(String(32))
    locale: Mapped[str] = mapped_column(String(8))
    given_at: Mapped[datetime]
    withdrawn_at: Mapped[datetime | None]
    # "chat": agreed in the bot; "paper" or "oral": given at the office to the officer named.
    given_as: Mapped[str] = mapped_column(String(16), default="chat")
    # As long as an officer's name may be (bot/dialogue/officer/staff.py NAME_MAX).
    recorded_by: Mapped[str] = mapped_column(String(200), default="")


_NOTICE_OWED = text("notice_due IS NOT NULL AND notice_issued_on IS NULL")


# A word of a name longer than this is cut (folding can lengthen one: "ß" becomes "ss").
NAME_WORD_MAX = 40
# Binary order on PostgreSQL as on SQLite: the words a typed word starts are then one range,
# [word, the word after it), that the index seeks, whatever the server's locale.
NameWord = String(NAME_WORD_MAX).with_variant(String(NAME_WORD_MAX, collation="C"), "postgresql")


def name_words(full_name: str) -> list[str]:
    """The words of a name as /find matches them ("nguyen", "van", "an"): folded by
    bot.core.text.fold_words, each once. Written with the registration and by migration 0011."""
    return sorted({word[:NAME_WORD_MAX] for word in fold_words(full_name).split()})


class RegistrationRow(Base):
    __tablename__ = "registrations"
    __table_args__ = (
        Index("ix_registrations_status_session", "status", "session_id"),
        # The officers' queue in its order, with what it is filtered by: a page and the count
        # are read from the index alone.
        Index(
            "ix_registrations_queue",
            "status",
            "priority",
            "submitted_at",
            "id",
            "kind",
            "leader_id",
        ),
        # The written notices still owed: few among many, read on every /queue and /today.
        Index(
            "ix_registrations_notices_owed",
            "notice_due",
            "id",
            sqlite_where=_NOTICE_OWED,
            postgresql_where=_NOTICE_OWED,
        ),
        # /find: a citizen looked up by phone or ID number (a name: RegistrationNameWordRow).
        Index("ix_registrations_phone", "phone"),
        Index("ix_registrations_id_number", "id_number"),
        # /find by a name many share: the newest first, until a page is full.
        Index("ix_registrations_submitted", "submitted_at", "id"),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    citizen_id: Mapped[int] = mapped_column(Id, ForeignKey("citizens.id"), index=True)
    consent_id: Mapped[int] = mapped_column(Id, ForeignKey("consents.id"))
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    full_name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(20))
    phone_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    id_number: Mapped[str] = mapped_column(String(12))
    province: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(300))
    leader_id: Mapped[int] = mapped_column(Id, ForeignKey("leaders.id"))
    # The session the citizen asked for, and the one the registration is in now.
    requested_session_id: Mapped[int] = mapped_column(Id, ForeignKey("sessions.id"))
    session_id: Mapped[int] = mapped_column(Id, ForeignKey("sessions.id"))
    people_count: Mapped[int] = mapped_column(Integer, default=1)
    representatives: Mapped[list[Any]] = mapped_column(default=list)
    summary: Mapped[str] = mapped_column(Text)
    prior_handling: Mapped[str] = mapped_column(Text, default="")
    request: Mapped[str] = mapped_column(Text)
    locale: Mapped[str] = mapped_column(String(8))
    submitted_at: Mapped[datetime]
    due_date: Mapped[date]
    updated_at: Mapped[datetime]
    # Decisions by officers (every change is also an event in registration_events).
    host_name: Mapped[str] = mapped_column(String(200), default="")
    slot_time: Mapped[time | None]
    rejection_reason: Mapped[str] = mapped_column(String(32), default="")
    guided_to: Mapped[str] = mapped_column(String(300), default="")
    referred_to: Mapped[str] = mapped_column(String(300), default="")
    letter_no: Mapped[str] = mapped_column(String(64), default="")
    duplicate_of_code: Mapped[str] = mapped_column(String(16), default="")
    outcome: Mapped[str] = mapped_column(String(16), default="")
    outcome_note: Mapped[str] = mapped_column(Text, default="")
    conclusion: Mapped[str] = mapped_column(Text, default="")
    conclusion_deadline: Mapped[date | None]
    conclusion_unit: Mapped[str] = mapped_column(String(300), default="")
    info_question: Mapped[str] = mapped_column(Text, default="")
    # While officers wait for the citizen's answer the working-day clock stands still.
    paused_since: Mapped[datetime | None]
    # Back in the queue because the meeting fell through (session cancelled, cannot come).
    priority: Mapped[bool] = mapped_column(Boolean, default=False)
    # The language the citizen needs an interpreter for ("": none).
    interpreter: Mapped[str] = mapped_column(String(60), default="")
    # An earlier registration of the same citizen (ID number or phone) on what looks like the
    # same matter, found at submission (bot/core/repeats.py): the officer may join or refuse.
    repeat_of_code: Mapped[str] = mapped_column(String(16), default="")
    # How it came: "chat" (the citizen registered), or recorded by an officer (/walkin) from
    # "in_person", "phone", "letter" or "forwarded"; and then who received it.
    source: Mapped[str] = mapped_column(String(16), default="chat")
    received_by: Mapped[str] = mapped_column(String(200), default="")
    # /link: wrong tries of the phone's last digits, and the pause they earned.
    link_failures: Mapped[int] = mapped_column(Integer, default=0)
    link_paused_until: Mapped[datetime | None]
    # When its personal fields were erased (consent withdrawn, or the retention period).
    erased_at: Mapped[datetime | None]
    # A written notice owed after a decision (bot/core/deadlines.py), and once issued, its
    # number and date.
    notice_form: Mapped[str] = mapped_column(String(32), default="")
    notice_due: Mapped[date | None]
    notice_letter: Mapped[str] = mapped_column(String(64), default="")
    notice_issued_on: Mapped[date | None]


class DataRequestRow(Base):
    """What a citizen asked about their data that the bot cannot do by itself (a correction of
    a decided registration...): answered by the officers within Decree 356/2025's times."""

    __tablename__ = "data_requests"
    __table_args__ = (Index("ix_data_requests_status", "status", "acknowledge_by"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    citizen_id: Mapped[int] = mapped_column(Id, ForeignKey("citizens.id"))
    registration_id: Mapped[int | None] = mapped_column(Id, ForeignKey("registrations.id"))
    kind: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime]
    acknowledge_by: Mapped[date]
    answer_by: Mapped[date]
    status: Mapped[str] = mapped_column(String(16))
    acknowledged_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    note: Mapped[str] = mapped_column(Text, default="")


class RegistrationNameWordRow(Base):
    """Each word of a registration's name, folded (name_words): /find seeks the words an
    officer types, with or without accents, in any order, each as the start of a word."""

    __tablename__ = "registration_name_words"
    __table_args__ = (Index("ix_registration_name_words_word", "word", "registration_id"),)
    registration_id: Mapped[int] = mapped_column(
        Id, ForeignKey("registrations.id", ondelete="CASCADE"), primary_key=True
    )
    word: Mapped[str] = mapped_column(NameWord, primary_key=True)


class RegistrationEventRow(Base):
    """Append-only: triggers created by the migration refuse UPDATE and DELETE."""

    __tablename__ = "registration_events"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    registration_id: Mapped[int] = mapped_column(Id, ForeignKey("registrations.id"), index=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(80))
    event: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


class AuditRow(Base):
    """Append-only record of officer commands, allowed or refused (triggers refuse changes)."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(100), default="")
    allowed: Mapped[bool] = mapped_column(Boolean)
    detail: Mapped[str] = mapped_column(Text, default="")


class OfficerRow(Base):
    __tablename__ = "officers"
    __table_args__ = (UniqueConstraint("channel", "user_id"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    units: Mapped[list[Any]] = mapped_column(default=list)
    permissions: Mapped[list[Any]] = mapped_column(default=list)
    # "config" rows are rewritten from the configuration at every start; "command" rows are not.
    source: Mapped[str] = mapped_column(String(16), default="command")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]


class DialogStateRow(Base):
    __tablename__ = "dialog_states"
    citizen_id: Mapped[int] = mapped_column(Id, ForeignKey("citizens.id"), primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime]


class CredentialRow(Base):
    """A channel's rotating tokens (Zalo OA): the refresh token can be used once, so the one
    in force lives here, replaced atomically, never only in memory."""

    __tablename__ = "channel_credentials"
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    access_token: Mapped[str] = mapped_column(Text, default="")
    access_expires_at: Mapped[datetime | None]
    refresh_token: Mapped[str] = mapped_column(Text)
    seeded_from: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime]


class InboxRow(Base):
    """Every incoming update, stored before it is acted on; a redelivery hits the unique key."""

    __tablename__ = "inbox"
    __table_args__ = (UniqueConstraint("channel", "update_id"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    update_id: Mapped[str] = mapped_column(String(128))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    received_at: Mapped[datetime]
    processed_at: Mapped[datetime | None] = mapped_column(index=True)
    error: Mapped[str] = mapped_column(Text, default="")


class OutboxRow(Base):
    """Every outgoing message, stored before it is sent; the key makes scheduling idempotent."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_status_due", "status", "due_at"),
        # The last message a chat was sent: the menu a citizen without buttons answers.
        Index("ix_outbox_recipient", "channel", "recipient", "sent_at"),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
    provider_message_id: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    # What the message is for ("notice", "reminder", "digest"...), for statistics.
    purpose: Mapped[str] = mapped_column(String(32), default="notice")
    # Past this instant the message is useless (a reminder after its meeting): expired.
    expires_at: Mapped[datetime | None]
    # What must still hold when it is sent, else it is expired (see Repository.guard_holds).
    guard: Mapped[dict[str, Any] | None]
    # How many of its channel's messages carried it (a long reply is cut in several), where
    # the channel limits how many a citizen may be sent after writing (a Zalo OA's free
    # replies); None elsewhere, and for a message that went another way (ZNS).
    parts: Mapped[int | None] = mapped_column(SmallInteger)
