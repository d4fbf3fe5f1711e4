"""The schedule file: units, leaders, recurring rules, ad-hoc sessions and the calendar, in one
TOML file that ``tiepdan schedule import FILE`` applies (docs/schedule-file.md).

Every item has a code, so importing the same file again changes nothing, and importing an
edited file updates what changed. The file is validated as a whole before anything is written;
an error names the item and the key.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.core import schedules
from bot.core.model import (
    CalendarOverride,
    HolidayPolicy,
    LeaderRole,
    NewSession,
    Recipient,
    Recurrence,
    RecurrenceKind,
    ScheduleRule,
    UnitKind,
    UnitLevel,
)
from bot.core.ports import Repository

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


@dataclass(frozen=True)
class ImportReport:
    units: int
    leaders: int
    rules: int
    sessions: int
    days: int


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
    repo: Repository, plan: ScheduleFile, zone: ZoneInfo, now: datetime
) -> ImportReport:
    """Write the file's content; units, leaders, rules and sessions are matched by code."""
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
    for session in plan.session:
        leader_id = leaders.get(session.leader) or await _leader_id(
            repo, session.leader, "session", session.code
        )
        starts_at = datetime.combine(session.date, time.fromisoformat(session.start), tzinfo=zone)
        ends_at = datetime.combine(session.date, time.fromisoformat(session.end), tzinfo=zone)
        if ends_at <= starts_at:
            raise ScheduleFileError(f"session {session.code}: it ends before it starts")
        await repo.add_session(
            NewSession(
                leader_id=leader_id,
                rule_id=None,
                nominal_date=session.date,
                starts_at=starts_at,
                ends_at=ends_at,
                location=session.location,
                capacity=session.capacity,
                published_at=now if session.publish else None,
            ),
            session.code,
            now,
        )
    for day in plan.day_off:
        await repo.save_calendar_override(CalendarOverride(day.date, working=False, note=day.note))
    for day in plan.working_day:
        await repo.save_calendar_override(CalendarOverride(day.date, working=True, note=day.note))
    return ImportReport(
        units=len(plan.unit),
        leaders=len(plan.leader),
        rules=len(plan.rule),
        sessions=len(plan.session),
        days=len(plan.day_off) + len(plan.working_day),
    )


async def _leader_id(repo: Repository, code: str, kind: str, item: str) -> int:
    leader = await repo.leader_by_code(code)
    if leader is None:
        raise ScheduleFileError(f"{kind} {item}: unknown leader {code}")
    return leader.id


def _recipients(items: tuple[RecipientItem, ...]) -> tuple[Recipient, ...]:
    return tuple(Recipient(i.channel, i.chat_id, i.locale, i.confidential) for i in items)
