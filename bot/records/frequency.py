"""How often the rules require each head to receive citizens, and whether they did.

The minimums are configuration with effective dates, because they change: the amended Law on
Citizen Reception halved the commune chair's weekly duty to two days a month from 1 July 2026.
A period is checked month by month (or week by week), each against the rule in force then.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from bot.core.model import LeaderRole, UnitLevel


class Per(StrEnum):
    MONTH = "month"
    WEEK = "week"


@dataclass(frozen=True, slots=True)
class Minimum:
    """At least ``days`` reception days per month or week, for heads in ``role`` at
    ``level`` (None: any level), from ``valid_from`` until ``valid_until`` inclusive."""

    role: LeaderRole
    level: UnitLevel | None
    days: int
    per: Per
    valid_from: date
    valid_until: date | None = None
    basis: str = ""

    def in_force(self, first: date, last: date) -> bool:
        """In force on every day from ``first`` to ``last``."""
        return self.valid_from <= first and (self.valid_until is None or last <= self.valid_until)


# docs/legal-basis.md ("How often heads receive"): each rule from the instrument that set it.
# Regulation 11-QĐi/TW (18/02/2019) bound the heads of provincial and district Party
# committees; Conclusion 215-KL/TW (23/11/2025) dropped the district and gave the commune
# Party head two days a month, so no commune rule exists before it. The Law on Citizen
# Reception (Arts. 12, 15, 18) binds the chairs and agency heads; Law 136/2025 changed the
# commune chair's duty from 1 July 2026.
KL_215 = date(2025, 11, 23)
DEFAULT_MINIMUMS: tuple[Minimum, ...] = (
    Minimum(
        LeaderRole.PARTY_SECRETARY, UnitLevel.PROVINCE, 1, Per.MONTH, date(2019, 2, 18),
        basis="Quy định 11-QĐi/TW, Điều 4 (Kết luận 215-KL/TW giữ mức này)",
    ),
    Minimum(
        LeaderRole.PARTY_SECRETARY, UnitLevel.COMMUNE, 2, Per.MONTH, KL_215,
        basis="Quy định 11-QĐi/TW, Điều 4, sửa đổi theo Kết luận 215-KL/TW",
    ),
    Minimum(
        LeaderRole.COMMITTEE_CHAIR, UnitLevel.PROVINCE, 1, Per.MONTH, date(2014, 7, 1),
        basis="Luật Tiếp công dân, Điều 12",
    ),
    Minimum(
        LeaderRole.COMMITTEE_CHAIR, UnitLevel.COMMUNE, 1, Per.WEEK, date(2014, 7, 1),
        date(2026, 6, 30), basis="Luật Tiếp công dân 2013, Điều 15",
    ),
    Minimum(
        LeaderRole.COMMITTEE_CHAIR, UnitLevel.COMMUNE, 2, Per.MONTH, date(2026, 7, 1),
        basis="Luật Tiếp công dân (sửa đổi năm 2025), Điều 15",
    ),
    Minimum(
        LeaderRole.AGENCY_HEAD, None, 1, Per.MONTH, date(2014, 7, 1),
        basis="Luật Tiếp công dân, Điều 18",
    ),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Stretch:
    """One month or week of a period, the days a head received, and what was required."""

    first: date
    last: date
    per: Per
    held: int
    required: int | None  # None: no rule in force for the whole stretch

    @property
    def short(self) -> bool:
        return self.required is not None and self.held < self.required


def rule_for(
    minimums: Iterable[Minimum],
    role: LeaderRole,
    level: UnitLevel,
    per: Per,
    first: date,
    last: date,
) -> Minimum | None:
    """The rule in force over the whole stretch, the one for the exact level first."""
    fitting = [
        m
        for m in minimums
        if m.role is role and m.per is per and m.level in (level, None) and m.in_force(first, last)
    ]
    fitting.sort(key=lambda m: m.level is None)
    return fitting[0] if fitting else None


def months(first: date, last: date) -> list[tuple[date, date]]:
    """The whole calendar months between ``first`` and ``last`` inclusive."""
    out: list[tuple[date, date]] = []
    start = first if first.day == 1 else _next_month(first)
    while True:
        end = _next_month(start) - timedelta(days=1)
        if end > last:
            return out
        out.append((start, end))
        start = end + timedelta(days=1)


def weeks(first: date, last: date) -> list[tuple[date, date]]:
    """The whole weeks, Monday to Sunday, between ``first`` and ``last`` inclusive."""
    start = first + timedelta(days=(7 - first.weekday()) % 7)
    out = []
    while start + timedelta(days=6) <= last:
        out.append((start, start + timedelta(days=6)))
        start += timedelta(days=7)
    return out


def stretches(
    minimums: Sequence[Minimum],
    role: LeaderRole,
    level: UnitLevel,
    first: date,
    last: date,
    held_days: Iterable[date],
) -> list[Stretch]:
    """The months and weeks of the period a rule applies to, with the days held in each.
    Weeks count only where a weekly rule is in force, so a period across 1 July 2026 is
    checked by week before and by month after."""
    days = set(held_days)
    out = []
    for start, end in months(first, last):
        rule = rule_for(minimums, role, level, Per.MONTH, start, end)
        if rule is not None:
            out.append(Stretch(start, end, Per.MONTH, _count(days, start, end), rule.days))
    for start, end in weeks(first, last):
        rule = rule_for(minimums, role, level, Per.WEEK, start, end)
        if rule is not None:
            out.append(Stretch(start, end, Per.WEEK, _count(days, start, end), rule.days))
    return sorted(out, key=lambda s: s.first)


def _count(days: set[date], first: date, last: date) -> int:
    return sum(1 for day in days if first <= day <= last)


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)
