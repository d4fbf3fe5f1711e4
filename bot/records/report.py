"""The periodic report on citizen reception of a unit: sessions held against the legal
minimum for each head, registrations by kind, status and outcome, how fast citizens were
answered, how many were answered late, no-shows and receptions in the head's place.

Conclusion 215-KL/TW asks for reports monthly, for the first quarter, six months, nine months
and the year; any range of days works too.
"""

from __future__ import annotations

import io
import re
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.core.i18n import Translator
from bot.core.labels import KIND_LABELS, OUTCOME_NAMES, SOURCE_LABELS, STATUS_NAMES
from bot.core.model import (
    QUEUED_STATUSES,
    Leader,
    RegistrationStatus,
    RegistrationView,
    RequestKind,
    SessionStatus,
    SessionView,
    Source,
    Unit,
)
from bot.core.ports import Repository
from bot.core.triage import Action, OutcomeType
from bot.core.workdays import WorkCalendar
from bot.records.frequency import Minimum, Per, Stretch, stretches
from bot.records.scope import resolve_scope

# The decisions that answer a citizen (Law on Citizen Reception Art. 28: accepted, refused,
# transferred; or asked for what is missing).
ANSWERS = frozenset(
    {
        Action.APPROVE.value,
        Action.REJECT.value,
        Action.NEED_INFO.value,
        Action.TRANSFER.value,
        Action.DUPLICATE.value,
    }
)
RECEIVED = frozenset({RegistrationStatus.ATTENDED, RegistrationStatus.CLOSED})
MET_OR_MISSED = RECEIVED | {RegistrationStatus.NO_SHOW}
E = TypeVar("E", RequestKind, RegistrationStatus, OutcomeType, Source)


# --- periods -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Period:
    first: date
    last: date  # inclusive
    # "month", "quarter", "half", "nine_months", "year" or "days"
    kind: str = "days"

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise PeriodError(f"{self.last} is before {self.first}")

    def name(self, tr: Translator) -> str:
        if self.kind == "month":
            return tr._("month {month}/{year}", month=self.first.month, year=self.first.year)
        if self.kind == "quarter":
            return tr._(
                "quarter {quarter}/{year}",
                quarter=(self.first.month - 1) // 3 + 1,
                year=self.first.year,
            )
        if self.kind == "half":
            return tr._("the first six months of {year}", year=self.first.year)
        if self.kind == "nine_months":
            return tr._("the first nine months of {year}", year=self.first.year)
        if self.kind == "year":
            return tr._("the year {year}", year=self.first.year)
        return tr._(
            "{first} to {last}", first=tr.short_day(self.first), last=tr.short_day(self.last)
        )

    @property
    def slug(self) -> str:
        """For file names."""
        if self.kind == "month":
            return f"{self.first:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.first.year}-q{(self.first.month - 1) // 3 + 1}"
        if self.kind == "half":
            return f"{self.first.year}-6m"
        if self.kind == "nine_months":
            return f"{self.first.year}-9m"
        if self.kind == "year":
            return f"{self.first.year}"
        return f"{self.first:%Y%m%d}-{self.last:%Y%m%d}"


class PeriodError(ValueError):
    pass


def month(year: int, number: int) -> Period:
    first = date(year, number, 1)
    return Period(first, _month_end(first), "month")


def previous_month(today: date) -> Period:
    last = today.replace(day=1) - timedelta(days=1)
    return month(last.year, last.month)


_MONTH = re.compile(r"(?:(\d{4})-(\d{1,2})|(\d{1,2})[/.-](\d{4}))")
_QUARTER = re.compile(r"(?:(\d{4})[-/ ]?)?q([1-4])(?:[-/ ]?(\d{4}))?")
# "6t" and "9t": six and nine months (tháng) in Vietnamese.
_MONTHS_SO_FAR = re.compile(r"(?:(\d{4})[-/ ]?)?([69])[mt](?:[-/ ]?(\d{4}))?")


def parse_period(text: str, today: date) -> Period:
    """``2026-11`` or ``11/2026`` (a month), ``q3`` or ``2026-q3`` (a quarter), ``6m`` or
    ``9m`` (the first six or nine months), ``2026`` (a year); nothing: the last whole month.
    A quarter or part of a year without a year is the current year's."""
    spec = text.strip().lower().replace("quý", "q").replace("quy", "q")
    if not spec:
        return previous_month(today)
    if (found := _MONTH.fullmatch(spec)) is not None:
        year, number = (found[1], found[2]) if found[1] else (found[4], found[3])
        if not 1 <= int(number) <= 12:
            raise PeriodError(text)
        return month(int(year), int(number))
    if (found := _QUARTER.fullmatch(spec)) is not None:
        year = int(found[1] or found[3] or today.year)
        first = date(year, 3 * int(found[2]) - 2, 1)
        return Period(first, _month_end(date(year, 3 * int(found[2]), 1)), "quarter")
    if (found := _MONTHS_SO_FAR.fullmatch(spec)) is not None:
        year = int(found[1] or found[3] or today.year)
        span = int(found[2])
        kind = "half" if span == 6 else "nine_months"
        return Period(date(year, 1, 1), _month_end(date(year, span, 1)), kind)
    if re.fullmatch(r"\d{4}", spec):
        return Period(date(int(spec), 1, 1), date(int(spec), 12, 31), "year")
    raise PeriodError(text)


def _month_end(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1) - timedelta(days=1)


# --- figures ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LeaderFigures:
    leader_id: int
    name: str
    title: str
    unit_name: str
    held_days: int
    stretches: tuple[Stretch, ...]

    @property
    def required_days(self) -> int | None:
        """None when no rule applies to this head over the period."""
        rules = [s.required for s in self.stretches if s.required is not None]
        return sum(rules) if rules else None

    @property
    def short(self) -> tuple[Stretch, ...]:
        return tuple(s for s in self.stretches if s.short)

    @property
    def below_minimum(self) -> bool:
        return bool(self.short)


@dataclass(frozen=True, slots=True)
class NoticeFigures:
    """The written notices the law asked for (bot/core/deadlines.py), by how they went."""

    owed: int = 0
    on_time: int = 0
    late: int = 0
    pending: int = 0
    pending_overdue: int = 0


@dataclass(frozen=True, slots=True)
class Report:
    scope_name: str
    period: Period
    as_of: datetime
    leaders: tuple[LeaderFigures, ...]
    submitted: int
    by_kind: dict[RequestKind, int]
    by_status: dict[RegistrationStatus, int]
    by_outcome: dict[OutcomeType, int]
    answered: int
    median_working_days_to_answer: float | None
    overdue: int
    meetings: int  # appointments of the period that were due: received or missed
    received: int
    no_shows: int
    received_in_place: int
    overdue_by_kind: dict[RequestKind, int] = field(default_factory=dict)
    # How the period's registrations came, and how its received citizens did (walk-ins).
    by_source: dict[Source, int] = field(default_factory=dict)
    received_by_source: dict[Source, int] = field(default_factory=dict)
    notices: NoticeFigures = NoticeFigures()
    notes: tuple[str, ...] = field(default=())

    @property
    def no_show_rate(self) -> float | None:
        return self.no_shows / self.meetings if self.meetings else None

    @property
    def below_minimum(self) -> tuple[LeaderFigures, ...]:
        return tuple(leader for leader in self.leaders if leader.below_minimum)


def held_days_by_leader(
    sessions: Sequence[SessionView], zone: ZoneInfo, as_of: datetime
) -> dict[int, set[date]]:
    """Days each head received citizens: published sessions not cancelled and already over.
    A session with nobody booked still counts: the head was there to receive."""
    held: dict[int, set[date]] = {}
    for session in sessions:
        if session.status is SessionStatus.CANCELLED or not session.published:
            continue
        if session.ends_at > as_of:
            continue
        held.setdefault(session.leader_id, set()).add(session.starts_at.astimezone(zone).date())
    return held


def leader_figures(
    leaders: Sequence[Leader],
    units: Sequence[Unit],
    sessions: Sequence[SessionView],
    minimums: Sequence[Minimum],
    period: Period,
    zone: ZoneInfo,
    as_of: datetime,
) -> tuple[LeaderFigures, ...]:
    by_id = {unit.id: unit for unit in units}
    held = held_days_by_leader(sessions, zone, as_of)
    # A rule is checked only over the part of the period that is over.
    last = min(period.last, as_of.astimezone(zone).date())
    out = []
    for leader in leaders:
        unit = by_id.get(leader.unit_id)
        if unit is None:
            continue
        days = held.get(leader.id, set())
        checked = (
            tuple(stretches(minimums, leader.role, unit.level, period.first, last, days))
            if last >= period.first
            else ()
        )
        out.append(
            LeaderFigures(leader.id, leader.name, leader.title, unit.name, len(days), checked)
        )
    return tuple(out)


def compute(
    *,
    scope_name: str,
    period: Period,
    as_of: datetime,
    zone: ZoneInfo,
    calendar: WorkCalendar,
    leaders: tuple[LeaderFigures, ...],
    submitted: Sequence[RegistrationView],
    met: Sequence[RegistrationView],
    first_answers: dict[int, datetime],
    withdrawals: dict[int, datetime],
) -> Report:
    """The figures of a report from what was submitted in the period and the appointments
    that fell in it."""
    today = as_of.astimezone(zone).date()
    waits = []
    late: list[RequestKind] = []
    for registration in submitted:
        answer = first_answers.get(registration.id)
        if answer is not None:
            answered_on = answer.astimezone(zone).date()
            waits.append(
                calendar.working_days_between(
                    registration.submitted_at.astimezone(zone).date(), answered_on
                )
            )
            if answered_on > registration.due_date:
                late.append(registration.kind)
            continue
        withdrawn = withdrawals.get(registration.id)
        if withdrawn is not None:
            # Unanswered until the citizen gave up: late only if the deadline had passed.
            if withdrawn.astimezone(zone).date() > registration.due_date:
                late.append(registration.kind)
        elif registration.status in QUEUED_STATUSES and registration.due_date < today:
            late.append(registration.kind)
    due = [r for r in met if r.status in MET_OR_MISSED]
    received = [r for r in due if r.status in RECEIVED]
    outcomes: Counter[OutcomeType] = Counter()
    for registration in received:
        try:
            outcomes[OutcomeType(registration.outcome)] += 1
        except ValueError:
            continue
    return Report(
        scope_name=scope_name,
        period=period,
        as_of=as_of,
        leaders=leaders,
        submitted=len(submitted),
        by_kind=_counts(RequestKind, (r.kind for r in submitted)),
        by_status=_counts(RegistrationStatus, (r.status for r in submitted)),
        by_outcome=_counts(OutcomeType, outcomes.elements()),
        answered=len(waits),
        median_working_days_to_answer=float(statistics.median(waits)) if waits else None,
        overdue=len(late),
        meetings=len(due),
        received=len(received),
        no_shows=len(due) - len(received),
        received_in_place=sum(1 for r in received if r.host_name),
        overdue_by_kind=_counts(RequestKind, late),
        by_source=_counts(Source, (r.source for r in submitted)),
        received_by_source=_counts(Source, (r.source for r in received)),
        notices=notice_figures(submitted, today),
    )


def notice_figures(registrations: Iterable[RegistrationView], today: date) -> NoticeFigures:
    owed = on_time = late = pending = pending_overdue = 0
    for r in registrations:
        if not r.notice_form or r.notice_due is None:
            continue
        owed += 1
        if r.notice_issued_on is None:
            pending += 1
            pending_overdue += r.notice_due < today
        elif r.notice_issued_on <= r.notice_due:
            on_time += 1
        else:
            late += 1
    return NoticeFigures(owed, on_time, late, pending, pending_overdue)


def _counts(kinds: Iterable[E], values: Iterable[E]) -> dict[E, int]:
    """Every value of the enum, in its order, zeros included: a report shows what is absent."""
    counted = Counter(values)
    return {kind: counted.get(kind, 0) for kind in kinds}


async def read(
    repo: Repository,
    minimums: Sequence[Minimum],
    calendar: WorkCalendar,
    unit_code: str | None,
    period: Period,
    zone: ZoneInfo,
    as_of: datetime,
    within: frozenset[int] | None = None,
) -> Report:
    """The report of a unit and the units below it (every unit when ``unit_code`` is None).
    Raises UnknownUnit."""
    start = datetime.combine(period.first, time(), zone)
    end = datetime.combine(period.last + timedelta(days=1), time(), zone)
    units = await repo.units()
    scope = resolve_scope(units, unit_code, within)
    sessions = await repo.sessions_in(start, end, unit_ids=scope.unit_ids)
    leaders = [
        leader
        for leader in await repo.leaders()
        if scope.unit_ids is None or leader.unit_id in scope.unit_ids
    ]
    submitted = await repo.registrations_submitted_between(start, end, scope.unit_ids)
    met = await repo.registrations_met_between(start, end, scope.unit_ids)
    ids = [r.id for r in submitted]
    first_answers = await repo.first_events(ids, ANSWERS)
    withdrawals = await repo.first_events(ids, frozenset({Action.WITHDRAW.value}))
    return compute(
        scope_name=scope.name,
        period=period,
        as_of=as_of,
        zone=zone,
        calendar=calendar,
        leaders=leader_figures(leaders, units, sessions, minimums, period, zone, as_of),
        submitted=submitted,
        met=met,
        first_answers=first_answers,
        withdrawals=withdrawals,
    )


# --- the text summary ------------------------------------------------------------------------


def summary(tr: Translator, report: Report) -> str:
    """A few lines for a chat message; the spreadsheet has the details."""
    lines = [
        tr._(
            "📊 Citizen reception report, {scope}, {period}",
            scope=report.scope_name,
            period=report.period.name(tr),
        ),
        "",
    ]
    if report.as_of.astimezone(tr.zone).date() < report.period.last:
        lines += [
            tr._(
                "The period is not over yet: the legal minimum is checked for the whole "
                "months and weeks already past."
            ),
            "",
        ]
    for leader in report.leaders:
        required = leader.required_days
        if required is None:
            lines.append(
                tr._("• {name}: {held} reception days", name=leader.name, held=leader.held_days)
            )
        elif leader.below_minimum:
            lines.append(
                tr._(
                    "⚠️ {name}: {held} reception days, below the minimum of {required} "
                    "(short in {stretches})",
                    name=leader.name,
                    held=leader.held_days,
                    required=required,
                    stretches=", ".join(stretch_name(tr, s) for s in leader.short),
                )
            )
        else:
            lines.append(
                tr._(
                    "✅ {name}: {held} reception days, minimum {required} met",
                    name=leader.name,
                    held=leader.held_days,
                    required=required,
                )
            )
    kinds = ", ".join(
        f"{tr._(KIND_LABELS[kind]).lower()} {count}" for kind, count in report.by_kind.items()
    )
    lines += [
        "",
        tr._(
            "Registrations: {total} ({kinds})",
            total=report.submitted,
            kinds=kinds,
        ),
        tr._(
            "Answered: {answered}; median {days} working days to the first answer; "
            "answered late or overdue: {overdue}",
            answered=report.answered,
            days=_number(tr, report.median_working_days_to_answer),
            overdue=report.overdue,
        ),
        tr._(
            "Receptions: {received} received, {no_shows} did not come (no-show rate {rate}); "
            "{in_place} received in the head's place",
            received=report.received,
            no_shows=report.no_shows,
            rate=_percent(report.no_show_rate),
            in_place=report.received_in_place,
        ),
    ]
    if report.overdue:
        lines.insert(
            -1,
            tr._(
                "Late or overdue by kind: {kinds}",
                kinds=", ".join(
                    f"{tr._(KIND_LABELS[kind]).lower()} {count}"
                    for kind, count in report.overdue_by_kind.items()
                ),
            ),
        )
    lines.append(
        tr._(
            "How they came: {sources}; received: {received}",
            sources=_by_source(tr, report.by_source),
            received=_by_source(tr, report.received_by_source),
        )
    )
    n = report.notices
    lines.append(
        tr._(
            "Written notices the law asks for: {owed}; issued on time {on_time}, late {late}; "
            "still to issue {pending}, of which {overdue} overdue",
            owed=n.owed,
            on_time=n.on_time,
            late=n.late,
            pending=n.pending,
            overdue=n.pending_overdue,
        )
    )
    return "\n".join(lines)


def _by_source(tr: Translator, counts: dict[Source, int]) -> str:
    return ", ".join(f"{tr._(SOURCE_LABELS[source])} {count}" for source, count in counts.items())


def stretch_name(tr: Translator, stretch: Stretch) -> str:
    if stretch.per is Per.MONTH:
        return tr._("{month}/{year}", month=stretch.first.month, year=stretch.first.year)
    return tr._(
        "the week of {first}",
        first=tr.short_day(stretch.first),
    )


def _number(tr: Translator, value: float | None) -> str:
    if value is None:
        return "–"
    text = f"{value:.1f}".removesuffix(".0")
    return text.replace(".", ",") if tr.locale == "vi" else text


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{round(value * 100)}%"


# --- the spreadsheet -------------------------------------------------------------------------


def to_xlsx(tr: Translator, report: Report) -> bytes:
    """Three sheets: the summary, the heads against the minimum (with a bar chart), and the
    registrations by kind, status and outcome (with a bar chart)."""
    book = Workbook()
    first = book.active
    assert first is not None  # a new workbook always has its first sheet
    _summary_sheet(first, tr, report)
    _leaders_sheet(book.create_sheet(), tr, report)
    _registrations_sheet(book.create_sheet(), tr, report)
    for sheet in book.worksheets:
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _heading(sheet: Worksheet, row: int, values: Sequence[str]) -> None:
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row, column, value)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")


def _widths(sheet: Worksheet, widths: Sequence[int]) -> None:
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width


def _summary_sheet(sheet: Worksheet, tr: Translator, report: Report) -> None:
    sheet.title = tr._("Summary")[:31]
    sheet["A1"] = tr._(
        "Citizen reception report, {scope}, {period}",
        scope=report.scope_name,
        period=report.period.name(tr),
    )
    sheet["A1"].font = Font(bold=True, size=13)
    sheet["A2"] = tr._("As of {when}", when=tr.when(report.as_of))
    rows: list[tuple[str, float | int | None]] = [
        (tr._("Registrations submitted"), report.submitted),
        (tr._("Answered"), report.answered),
        (tr._("Median working days to the first answer"), report.median_working_days_to_answer),
        (tr._("Answered late or overdue"), report.overdue),
        *(
            (tr._("Answered late or overdue: {kind}", kind=tr._(KIND_LABELS[kind])), count)
            for kind, count in report.overdue_by_kind.items()
        ),
        (tr._("Written notices the law asks for"), report.notices.owed),
        (tr._("Written notices issued on time"), report.notices.on_time),
        (tr._("Written notices issued late"), report.notices.late),
        (tr._("Written notices still to issue"), report.notices.pending),
        (tr._("Written notices still to issue, overdue"), report.notices.pending_overdue),
        (tr._("Reception appointments due"), report.meetings),
        (tr._("Citizens received"), report.received),
        (tr._("Did not come"), report.no_shows),
        (tr._("No-show rate"), report.no_show_rate),
        (tr._("Received in the head's place"), report.received_in_place),
        *(
            (tr._("Registrations: {source}", source=tr._(SOURCE_LABELS[source])), count)
            for source, count in report.by_source.items()
        ),
        *(
            (tr._("Citizens received: {source}", source=tr._(SOURCE_LABELS[source])), count)
            for source, count in report.received_by_source.items()
        ),
        (tr._("Heads below the legal minimum"), len(report.below_minimum)),
    ]
    _heading(sheet, 4, [tr._("Indicator"), tr._("Value")])
    for offset, (label, value) in enumerate(rows, start=5):
        sheet.cell(offset, 1, label)
        cell = sheet.cell(offset, 2, "–" if value is None else value)
        if label == tr._("No-show rate") and value is not None:
            cell.number_format = "0%"
    _widths(sheet, [48, 14])


def _leaders_sheet(sheet: Worksheet, tr: Translator, report: Report) -> None:
    sheet.title = tr._("Heads")[:31]
    _heading(
        sheet,
        1,
        [
            tr._("Head"),
            tr._("Title"),
            tr._("Unit"),
            tr._("Days held"),
            tr._("Legal minimum"),
            tr._("Below the minimum in"),
        ],
    )
    for row, leader in enumerate(report.leaders, start=2):
        required = leader.required_days
        values: list[str | int] = [
            leader.name,
            leader.title,
            leader.unit_name,
            leader.held_days,
            required if required is not None else "–",
            ", ".join(stretch_name(tr, s) for s in leader.short),
        ]
        for column, value in enumerate(values, start=1):
            sheet.cell(row, column, value)
    _widths(sheet, [26, 30, 30, 12, 14, 36])
    count = len(report.leaders)
    if count:
        chart = BarChart()
        chart.type = "col"
        chart.title = tr._("Reception days held and required")
        chart.y_axis.title = tr._("Days")
        chart.add_data(Reference(sheet, min_col=4, max_col=5, min_row=1, max_row=count + 1),
                       titles_from_data=True)  # fmt: skip
        chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=count + 1))
        chart.width, chart.height = 22, 10
        sheet.add_chart(chart, f"A{count + 4}")


def _registrations_sheet(sheet: Worksheet, tr: Translator, report: Report) -> None:
    sheet.title = tr._("Registrations")[:31]
    tables = [
        (tr._("Kind"), [(tr._(KIND_LABELS[k]), n) for k, n in report.by_kind.items()]),
        (tr._("Status"), [(tr._(STATUS_NAMES[s]), n) for s, n in report.by_status.items()]),
        (
            tr._("Result of the reception"),
            [(tr._(OUTCOME_NAMES[o]), n) for o, n in report.by_outcome.items()],
        ),
    ]
    row = 1
    for heading, counts in tables:
        _heading(sheet, row, [heading, tr._("Number")])
        for offset, (name, count) in enumerate(counts, start=1):
            sheet.cell(row + offset, 1, name)
            sheet.cell(row + offset, 2, count)
        row += len(counts) + 2
    kinds_end = 1 + len(report.by_kind)
    _widths(sheet, [40, 12])
    chart = BarChart()
    chart.type = "bar"
    chart.title = tr._("Registrations by kind")
    chart.legend = None
    chart.add_data(
        Reference(sheet, min_col=2, min_row=1, max_row=kinds_end), titles_from_data=True
    )
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=kinds_end))
    sheet.add_chart(chart, "D2")
