"""Example data so that a new user sees a useful bot at once: a province and one of its
communes, each with a Party secretary and a People's Committee chair on a recurring schedule.

Every name is fictional and marked as sample data. Loading twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from bot.core.model import (
    HolidayPolicy,
    LeaderRole,
    Recurrence,
    RecurrenceKind,
    ScheduleRule,
    UnitKind,
    UnitLevel,
)
from bot.core.ports import Repository

_VALID_FROM = date(2026, 1, 1)


@dataclass(frozen=True)
class _DemoUnit:
    code: str
    name: str
    kind: UnitKind
    level: UnitLevel
    parent: str | None
    address: str


@dataclass(frozen=True)
class _DemoLeader:
    code: str
    unit: str
    name: str
    title: str
    role: LeaderRole


@dataclass(frozen=True)
class _DemoRule:
    code: str
    leader: str
    recurrence: Recurrence
    start: time
    end: time
    location: str
    capacity: int


UNITS = (
    _DemoUnit(
        "demo-tinh-uy",
        "Tỉnh ủy Lạc Hồng (dữ liệu mẫu)",
        UnitKind.PARTY_COMMITTEE,
        UnitLevel.PROVINCE,
        None,
        "Số 1 đường Trần Hưng Đạo, phường Trung Tâm",
    ),
    _DemoUnit(
        "demo-ubnd-tinh",
        "UBND tỉnh Lạc Hồng (dữ liệu mẫu)",
        UnitKind.PEOPLES_COMMITTEE,
        UnitLevel.PROVINCE,
        None,
        "Số 3 đường Lê Lợi, phường Trung Tâm",
    ),
    _DemoUnit(
        "demo-dang-uy-xa",
        "Đảng ủy xã An Hòa (dữ liệu mẫu)",
        UnitKind.PARTY_COMMITTEE,
        UnitLevel.COMMUNE,
        "demo-tinh-uy",
        "Trụ sở Đảng ủy xã An Hòa",
    ),
    _DemoUnit(
        "demo-ubnd-xa",
        "UBND xã An Hòa (dữ liệu mẫu)",
        UnitKind.PEOPLES_COMMITTEE,
        UnitLevel.COMMUNE,
        "demo-ubnd-tinh",
        "Trụ sở UBND xã An Hòa",
    ),
)

LEADERS = (
    _DemoLeader(
        "bt-tinh",
        "demo-tinh-uy",
        "Nguyễn Văn Minh",
        "Bí thư Tỉnh ủy",
        LeaderRole.PARTY_SECRETARY,
    ),
    _DemoLeader(
        "ct-tinh",
        "demo-ubnd-tinh",
        "Trần Thị Lan",
        "Chủ tịch UBND tỉnh",
        LeaderRole.COMMITTEE_CHAIR,
    ),
    _DemoLeader(
        "bt-xa",
        "demo-dang-uy-xa",
        "Lê Văn Hùng",
        "Bí thư Đảng ủy xã",
        LeaderRole.PARTY_SECRETARY,
    ),
    _DemoLeader(
        "ct-xa",
        "demo-ubnd-xa",
        "Phạm Thị Hoa",
        "Chủ tịch UBND xã",
        LeaderRole.COMMITTEE_CHAIR,
    ),
)

_MONDAY, _THURSDAY = 0, 3

# Each schedule meets its legal minimum: province heads at least one day a month, commune
# heads at least two days a month (Regulation 11 as amended; Law on Citizen Reception 2025).
RULES = (
    _DemoRule(
        "bt-tinh-15",
        "bt-tinh",
        Recurrence(RecurrenceKind.MONTHLY_DAY, day_of_month=15),
        time(8, 0),
        time(11, 0),
        "Trụ sở Tiếp công dân tỉnh, số 1 đường Trần Hưng Đạo",
        10,
    ),
    _DemoRule(
        "ct-tinh-3thu",
        "ct-tinh",
        Recurrence(RecurrenceKind.MONTHLY_NTH_WEEKDAY, nth=3, weekday=_THURSDAY),
        time(8, 0),
        time(11, 30),
        "Trụ sở Tiếp công dân tỉnh, số 1 đường Trần Hưng Đạo",
        10,
    ),
    _DemoRule(
        "bt-xa-1mon",
        "bt-xa",
        Recurrence(RecurrenceKind.MONTHLY_NTH_WEEKDAY, nth=1, weekday=_MONDAY),
        time(14, 0),
        time(16, 30),
        "Phòng tiếp công dân, trụ sở Đảng ủy xã An Hòa",
        6,
    ),
    _DemoRule(
        "bt-xa-3mon",
        "bt-xa",
        Recurrence(RecurrenceKind.MONTHLY_NTH_WEEKDAY, nth=3, weekday=_MONDAY),
        time(14, 0),
        time(16, 30),
        "Phòng tiếp công dân, trụ sở Đảng ủy xã An Hòa",
        6,
    ),
    _DemoRule(
        "ct-xa-10",
        "ct-xa",
        Recurrence(RecurrenceKind.MONTHLY_DAY, day_of_month=10),
        time(8, 0),
        time(11, 0),
        "Phòng tiếp công dân, trụ sở UBND xã An Hòa",
        6,
    ),
    _DemoRule(
        "ct-xa-25",
        "ct-xa",
        Recurrence(RecurrenceKind.MONTHLY_DAY, day_of_month=25),
        time(8, 0),
        time(11, 0),
        "Phòng tiếp công dân, trụ sở UBND xã An Hòa",
        6,
    ),
)


async def load_demo(repo: Repository, now: datetime) -> None:
    units: dict[str, int] = {}
    for u in UNITS:
        unit = await repo.upsert_unit(u.code, u.name, u.kind, u.level, u.parent, u.address, now)
        units[u.code] = unit.id
    leaders: dict[str, int] = {}
    for leader_data in LEADERS:
        leader = await repo.upsert_leader(
            leader_data.code,
            units[leader_data.unit],
            leader_data.name,
            leader_data.title,
            leader_data.role,
            "vi",
            now,
        )
        leaders[leader_data.code] = leader.id
    for r in RULES:
        await repo.upsert_schedule_rule(
            r.code,
            ScheduleRule(
                id=0,
                leader_id=leaders[r.leader],
                recurrence=r.recurrence,
                start=r.start,
                end=r.end,
                location=r.location,
                capacity=r.capacity,
                holiday_policy=HolidayPolicy.SHIFT,
                valid_from=_VALID_FROM,
            ),
            now,
        )
