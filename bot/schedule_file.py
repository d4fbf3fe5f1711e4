"""The schedule file: units, leaders, recurring rules, ad-hoc sessions and the calendar, in one
TOML file that ``tiepdan schedule import FILE`` applies (docs/schedule-file.md).

Every item has a code, so importing the same file again changes nothing, and importing an
edited file updates what changed. The file is validated as a whole before anything is written;
an error names the item and the key.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from typing import Annotated, Any, Literal, Self
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.core import schedules, sessions
from bot.core.model import (
    CalendarOverride,
    HolidayPolicy,
    LeaderRole,
    NewSession,
    Recipient,
    Recurrence,
    RecurrenceKind,
    RegistrationStatus,
    ScheduleRule,
    SessionStatus,
    SessionView,
    UnitKind,
    UnitLevel,
)
from bot.core.ports import Repository
from bot.core.workdays import WorkCalendar

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_HH_MM = r"^([01]\d|2[0-3]):[0-5]\d$"
_CODE = r"^[a-z0-9][a-z0-9_-]{0,63}$"


class ScheduleFileError(Exception):
    """The file cannot be imported; the message names the item and the key."""


class _Item(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class UnitItem(_Item):
    code: Annotated[str, Field(pattern=_CODE)]
    name: Annotated[str, Field(min_length=1, max_length=200)]
    kind: UnitKind
    level: UnitLevel
    parent: str | None = None
    address: Annotated[str, Field(max_length=300)] = ""


class RecipientItem(_Item):
    channel: Literal["console", "telegram", "zalo_bot", "zalo_oa"]
    chat_id: Annotated[str, Field(min_length=1, max_length=64)]
    locale: Literal["vi", "en"] = "vi"
    confidential: bool = False


class LeaderItem(_Item):
    code: Annotated[str, Field(pattern=_CODE)]
    unit: str
    name: Annotated[str, Field(min_length=1, max_length=200)]
    title: Annotated[str, Field(min_length=1, max_length=200)]
    role: LeaderRole
    locale: Literal["vi", "en"] = "vi"
    contacts: tuple[RecipientItem, ...] = ()
    assistants: tuple[RecipientItem, ...] = ()


class RuleItem(_Item):
    code: Annotated[str, Field(pattern=_CODE)]
    leader: str
    repeat: RecurrenceKind
    day: Annotated[int, Field(ge=1, le=31)] | None = None
    nth: Literal[1, 2, 3, 4, -1] | None = None
    weekday: (
        Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
        | None
    ) = None
    every_weeks: Annotated[int, Field(ge=1, le=8)] = 1
    start: Annotated[str, Field(pattern=_HH_MM)]
    end: Annotated[str, Field(pattern=_HH_MM)]
    location: Annotated[str, Field(min_length=1, max_length=300)]
    capacity: Annotated[int, Field(ge=1, le=500)]
    holidays: HolidayPolicy = HolidayPolicy.SHIFT
    valid_from: dt.date
    valid_until: dt.date | None = None
    publish: bool = True

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        _ends_after_start(self.start, self.end)
        if self.valid_until is not None and self.valid_until < self.valid_from:
            raise ValueError("valid_until is before valid_from")
        return self

    def recurrence(self) -> Recurrence:
        recurrence = Recurrence(
            kind=self.repeat,
            day_of_month=self.day,
            nth=self.nth,
            weekday=WEEKDAYS.index(self.weekday) if self.weekday else None,
            interval_weeks=self.every_weeks,
        )
        schedules.validate_recurrence(recurrence)
        return recurrence


class SessionItem(_Item):
    code: Annotated[str, Field(pattern=_CODE)]
    leader: str
    date: dt.date
    start: Annotated[str, Field(pattern=_HH_MM)]
    end: Annotated[str, Field(pattern=_HH_MM)]
    location: Annotated[str, Field(min_length=1, max_length=300)]
    capacity: Annotated[int, Field(ge=1, le=500)]
    publish: bool = True

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        _ends_after_start(self.start, self.end)
        return self


def _ends_after_start(start: str, end: str) -> None:
    # Both are zero-padded HH:MM, so they compare as text.
    if end <= start:
        raise ValueError(f"end {end} is not after start {start}")


class DayItem(_Item):
    date: dt.date
    note: Annotated[str, Field(max_length=300)] = ""


class ScheduleFile(_Item):
    unit: tuple[UnitItem, ...] = ()
    leader: tuple[LeaderItem, ...] = ()
    rule: tuple[RuleItem, ...] = ()
    session: tuple[SessionItem, ...] = ()
    day_off: tuple[DayItem, ...] = ()
    working_day: tuple[DayItem, ...] = ()

    @field_validator("unit", "leader", "rule", "session")
    @classmethod
    def _unique_codes(cls, items: tuple[Any, ...]) -> tuple[Any, ...]:
        codes = [item.code for item in items]
        duplicates = sorted({code for code in codes if codes.count(code) > 1})
        if duplicates:
            raise ValueError(f"codes used twice: {', '.join(duplicates)}")
        return items

    @model_validator(mode="after")
    def _days_are_one_or_the_other(self) -> Self:
        both = sorted({d.date for d in self.day_off} & {d.date for d in self.working_day})
        if both:
            listed = ", ".join(day.isoformat() for day in both)
            raise ValueError(f"dates both a day_off and a working_day: {listed}")
        return self


@dataclass(frozen=True)
class ImportReport:
    units: int
    leaders: int
    rules: int
    sessions: int
    days: int
    warnings: tuple[str, ...] = ()


def read(path: Path) -> ScheduleFile:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ScheduleFileError(f"{path}: file not found") from exc
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ScheduleFileError(f"{path}: not valid UTF-8 TOML: {exc}") from exc
    try:
        parsed = ScheduleFile.model_validate(raw)
    except ValidationError as exc:
        lines = [f"{path}: invalid schedule file:"]
        for error in exc.errors():
            location = ".".join(
                f"[{part + 1}]" if isinstance(part, int) else str(part) for part in error["loc"]
            ).replace(".[", "[")
            lines.append(f"  {location}: {error['msg']}")
        raise ScheduleFileError("\n".join(lines)) from exc
    for index, rule in enumerate(parsed.rule, start=1):
        try:
            rule.recurrence()
        except ValueError as exc:
            raise ScheduleFileError(f"{path}: rule[{index}] ({rule.code}): {exc}") from exc
    return parsed


async def apply(
    repo: Repository,
    plan: ScheduleFile,
    zone: ZoneInfo,
    now: datetime,
    configured_days: Sequence[CalendarOverride] = (),
) -> ImportReport:
    """Write the file's content; units, leaders, rules and sessions are matched by code.

    ``configured_days`` are the calendar days of the configuration, which the notice a
    session gives is counted with, together with the file's own days.
    """
    known_units = {unit.code: unit.id for unit in await repo.units()}
    pending = list(plan.unit)
    # Parents first: a unit may name a parent defined later in the file.
    while pending:
        ready = [u for u in pending if u.parent is None or u.parent in known_units]
        if not ready:
            missing = ", ".join(f"{u.code} → {u.parent}" for u in pending)
            raise ScheduleFileError(f"unit parents not found: {missing}")
        for unit in ready:
            saved = await repo.upsert_unit(
                unit.code, unit.name, unit.kind, unit.level, unit.parent, unit.address, now
            )
            known_units[unit.code] = saved.id
            pending.remove(unit)
    leaders: dict[str, int] = {}
    for item in plan.leader:
        if item.unit not in known_units:
            raise ScheduleFileError(f"leader {item.code}: unknown unit {item.unit}")
        leader = await repo.upsert_leader(
            item.code, known_units[item.unit], item.name, item.title, item.role, item.locale, now
        )
        await repo.set_leader_recipients(
            leader.id, _recipients(item.contacts), _recipients(item.assistants)
        )
        leaders[item.code] = leader.id
    for rule in plan.rule:
        leader_id = leaders.get(rule.leader) or await _leader_id(
            repo, rule.leader, "rule", rule.code
        )
        await repo.upsert_schedule_rule(
            rule.code,
            ScheduleRule(
                id=0,
                leader_id=leader_id,
                recurrence=rule.recurrence(),
                start=time.fromisoformat(rule.start),
                end=time.fromisoformat(rule.end),
                location=rule.location,
                capacity=rule.capacity,
                holiday_policy=rule.holidays,
                valid_from=rule.valid_from,
                valid_until=rule.valid_until,
                auto_publish=rule.publish,
            ),
            now,
        )
    for day in plan.day_off:
        await repo.save_calendar_override(CalendarOverride(day.date, working=False, note=day.note))
    for day in plan.working_day:
        await repo.save_calendar_override(CalendarOverride(day.date, working=True, note=day.note))
    work = WorkCalendar([*configured_days, *await repo.calendar_overrides()])
    warnings: list[str] = []
    for entry in plan.session:
        leader_id = leaders.get(entry.leader) or await _leader_id(
            repo, entry.leader, "session", entry.code
        )
        session = NewSession(
            leader_id=leader_id,
            rule_id=None,
            nominal_date=entry.date,
            starts_at=datetime.combine(entry.date, time.fromisoformat(entry.start), tzinfo=zone),
            ends_at=datetime.combine(entry.date, time.fromisoformat(entry.end), tzinfo=zone),
            location=entry.location,
            capacity=entry.capacity,
            published_at=now if entry.publish else None,
        )
        existing = await repo.session_by_code(entry.code)
        if existing is not None:
            await repo.lock_session(existing.id)
            if not await _may_change(repo, entry.code, existing, session, now):
                continue
        elif session.starts_at <= now:
            warnings.append(f"session {entry.code}: starts in the past; not added")
            continue
        if entry.publish and sessions.publication_notice_short(
            entry.date, now.astimezone(zone).date(), work
        ):
            warnings.append(
                f"session {entry.code}: published less than "
                f"{sessions.PUBLICATION_NOTICE_WORKING_DAYS} working days ahead; the Law on "
                "Citizen Reception (Art. 24) asks for at least that much notice"
            )
        await repo.add_session(session, entry.code, now)
    return ImportReport(
        units=len(plan.unit),
        leaders=len(plan.leader),
        rules=len(plan.rule),
        sessions=len(plan.session),
        days=len(plan.day_off) + len(plan.working_day),
        warnings=tuple(warnings),
    )


_HOLDING_A_PLACE = frozenset(
    {
        RegistrationStatus.SUBMITTED,
        RegistrationStatus.NEEDS_INFO,
        RegistrationStatus.APPROVED,
        RegistrationStatus.RESCHEDULED,
    }
)


async def _may_change(
    repo: Repository, code: str, existing: SessionView, wanted: NewSession, now: datetime
) -> bool:
    """Whether the file's version of a session may replace the stored one.

    Citizens who asked for or hold a place were told a time and a place: a file cannot change
    those behind their back, only ``/session move`` can, which tells them. Returns False when
    nothing changes.
    """
    same_slot = (existing.leader_id, existing.starts_at, existing.ends_at, existing.location) == (
        wanted.leader_id,
        wanted.starts_at,
        wanted.ends_at,
        wanted.location,
    )
    publishing = wanted.published_at is not None and not existing.published
    if same_slot and existing.capacity == wanted.capacity and not publishing:
        return False
    if existing.status is not SessionStatus.PLANNED or existing.starts_at <= now:
        raise ScheduleFileError(f"session {code}: it is over or cancelled and cannot change")
    if wanted.starts_at <= now:
        raise ScheduleFileError(f"session {code}: it cannot be moved into the past")
    if not same_slot and await repo.registrations_in_session(existing.id, _HOLDING_A_PLACE):
        raise ScheduleFileError(
            f"session {code}: citizens have registered for it, so its leader, time and place "
            f"cannot change from the file; use /session move {existing.id} so they are told"
        )
    if wanted.capacity < existing.taken:
        raise ScheduleFileError(
            f"session {code}: capacity {wanted.capacity} is below the {existing.taken} "
            "places already given"
        )
    return True


async def _leader_id(repo: Repository, code: str, kind: str, item: str) -> int:
    leader = await repo.leader_by_code(code)
    if leader is None:
        raise ScheduleFileError(f"{kind} {item}: unknown leader {code}")
    return leader.id


def _recipients(items: tuple[RecipientItem, ...]) -> tuple[Recipient, ...]:
    return tuple(Recipient(i.channel, i.chat_id, i.locale, i.confidential) for i in items)
