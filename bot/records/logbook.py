"""The reception logbook (sổ tiếp công dân): one row per reception, in the columns of the
official form, as a print-ready spreadsheet or a CSV file.

The form (columns, headings, widths, the words written in cells) is data, in
``forms/logbook.toml``; this module knows the fields a column may show.
"""

from __future__ import annotations

import csv
import io
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from bot.core.model import RegistrationStatus, RegistrationView, RequestKind
from bot.core.ports import Repository
from bot.core.triage import OutcomeType
from bot.records.scope import UnitScope, resolve_scope

FORMS = Path(__file__).with_name("forms")
RECEIVED = frozenset({RegistrationStatus.ATTENDED, RegistrationStatus.CLOSED})
# What the law keeps secret about a denunciation: who denounced, and what.
SECRET_FIELDS = frozenset(
    {"name_address", "id_number", "content", "prior_handling", "follow_up", "notes"}
)
DATE_FORMAT = "%d/%m/%Y"

Cell = str | int | date


@dataclass(frozen=True, slots=True)
class Column:
    field: str
    header: str
    width: int


@dataclass(frozen=True, slots=True)
class Form:
    name: str
    title: str
    withheld: str
    within_competence_mark: str
    kinds: Mapping[str, str]
    outcomes: Mapping[str, str]
    # How the matter came (bot/core/model.py Source), as the book writes it.
    sources: Mapping[str, str]
    labels: Mapping[str, str]
    columns: tuple[Column, ...]

    def label(self, key: str) -> str:
        return self.labels.get(key, key)


class FormError(ValueError):
    """The form file names a field this code does not know, or misses a part."""


def load_form(path: Path | None = None) -> Form:
    data = tomllib.loads((path or FORMS / "logbook.toml").read_text(encoding="utf-8"))
    try:
        columns = tuple(
            Column(str(c["field"]), str(c["header"]), int(c.get("width", 15)))
            for c in data["columns"]
        )
        form = Form(
            name=str(data.get("form", "")),
            title=str(data["title"]),
            withheld=str(data["withheld"]),
            within_competence_mark=str(data.get("within_competence_mark", "x")),
            kinds={str(k): str(v) for k, v in data["kinds"].items()},
            outcomes={str(k): str(v) for k, v in data.get("outcomes", {}).items()},
            sources={str(k): str(v) for k, v in data.get("sources", {}).items()},
            labels={str(k): str(v) for k, v in data.get("labels", {}).items()},
            columns=columns,
        )
    except (KeyError, TypeError, ValueError) as error:
        raise FormError(f"logbook form: missing or malformed {error}") from error
    unknown = [c.field for c in columns if c.field not in FIELDS]
    if unknown:
        raise FormError(f"logbook form: unknown fields {', '.join(unknown)}")
    missing = [kind.value for kind in RequestKind if kind.value not in form.kinds]
    if missing:
        raise FormError(f"logbook form: no name for kinds {', '.join(missing)}")
    return form


@dataclass(frozen=True, slots=True)
class Logbook:
    form: Form
    unit_name: str
    start: date
    end: date  # inclusive
    rows: tuple[tuple[Cell, ...], ...]

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(column.header for column in self.form.columns)


# --- the fields a column may show -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Line:
    number: int
    registration: RegistrationView
    day: date
    form: Form


def _lines(*parts: str) -> str:
    return "\n".join(part for part in parts if part)


def _with_letter(line: _Line, body: str) -> str:
    letter = line.registration.letter_no
    return _lines(body, f"{line.form.label('letter')}: {letter}" if letter else "")


def _outcome(line: _Line) -> OutcomeType | None:
    try:
        return OutcomeType(line.registration.outcome)
    except ValueError:
        return None


def _name_address(line: _Line) -> str:
    r = line.registration
    place = ", ".join(part for part in (r.address, r.province) if part)
    representatives = (
        f"{line.form.label('representatives')}: {', '.join(r.representatives)}"
        if r.representatives
        else ""
    )
    return _lines(r.full_name, place, representatives)


def _content(line: _Line) -> str:
    r = line.registration
    return _lines(r.summary, f"{line.form.label('request')}: {r.request}" if r.request else "")


def _within_competence(line: _Line) -> str:
    within = {OutcomeType.ACCEPTED, OutcomeType.ANSWERED, OutcomeType.EXTENDED}
    return line.form.within_competence_mark if _outcome(line) in within else ""


def _guidance(line: _Line) -> str:
    if _outcome(line) is not OutcomeType.GUIDED:
        return ""
    return _with_letter(line, line.registration.guided_to)


def _accepted_or_transferred(line: _Line) -> str:
    if _outcome(line) not in {OutcomeType.ACCEPTED, OutcomeType.TRANSFERRED}:
        return ""
    return _with_letter(line, line.registration.referred_to)


def _follow_up(line: _Line) -> str:
    r = line.registration
    outcome = _outcome(line)
    if outcome is None:
        return line.form.label("not_recorded")
    said = ""
    if outcome not in {OutcomeType.GUIDED, OutcomeType.ACCEPTED, OutcomeType.TRANSFERRED}:
        said = _lines(line.form.outcomes.get(outcome.value, outcome.value), r.outcome_note)
    conclusion = ""
    if r.conclusion:
        due = (
            f" ({line.form.label('conclusion_due')} "
            f"{r.conclusion_deadline.strftime(DATE_FORMAT)}"
            f"{', ' + r.conclusion_unit if r.conclusion_unit else ''})"
            if r.conclusion_deadline
            else ""
        )
        conclusion = f"{line.form.label('conclusion')}: {r.conclusion}{due}"
    return _lines(said, conclusion) or line.form.outcomes.get(outcome.value, outcome.value)


def _source(line: _Line) -> str:
    source = line.registration.source.value
    return line.form.sources.get(source, source)


def _notes(line: _Line) -> str:
    r = line.registration
    host = f"{line.form.label('host')}: {r.leader_name}, {r.leader_title}"
    in_place = f"{line.form.label('received_in_place')}: {r.host_name}" if r.host_name else ""
    came = f"{line.form.label('source')}: {_source(line)}"
    received = f"{line.form.label('received_by')}: {r.received_by}" if r.received_by else ""
    return _lines(r.code, host, in_place, came, received)


FIELDS: Mapping[str, Callable[[_Line], Cell]] = {
    "number": lambda line: line.number,
    "date": lambda line: line.day,
    "code": lambda line: line.registration.code,
    "name_address": _name_address,
    "full_name": lambda line: line.registration.full_name,
    "id_number": lambda line: line.registration.id_number,
    "content": _content,
    "kind": lambda line: line.form.kinds[line.registration.kind.value],
    "people_count": lambda line: line.registration.people_count,
    "prior_handling": lambda line: line.registration.prior_handling,
    "within_competence": _within_competence,
    "guidance": _guidance,
    "accepted_or_transferred": _accepted_or_transferred,
    "follow_up": _follow_up,
    "notes": _notes,
    "leader": lambda line: f"{line.registration.leader_name}, {line.registration.leader_title}",
    "unit": lambda line: line.registration.unit_name,
    "source": _source,
    "received_by": lambda line: line.registration.received_by,
}


# --- building ---------------------------------------------------------------------------------


def reception_day(registration: RegistrationView, zone: ZoneInfo) -> date:
    return registration.session_starts_at.astimezone(zone).date()


def build(
    form: Form,
    unit_name: str,
    start: date,
    end: date,
    registrations: Sequence[RegistrationView],
    zone: ZoneInfo,
    reveal_confidential: bool,
) -> Logbook:
    """The logbook of the receptions among ``registrations``, in the order given."""
    received = [r for r in registrations if r.status in RECEIVED]
    rows = []
    for number, registration in enumerate(received, start=1):
        line = _Line(number, registration, reception_day(registration, zone), form)
        withhold = registration.confidential and not reveal_confidential
        rows.append(
            tuple(
                form.withheld
                if withhold and column.field in SECRET_FIELDS
                else FIELDS[column.field](line)
                for column in form.columns
            )
        )
    return Logbook(form, unit_name, start, end, tuple(rows))


async def read(
    repo: Repository,
    form: Form,
    unit_code: str | None,
    start: date,
    end: date,
    zone: ZoneInfo,
    reveal_confidential: bool,
    within: frozenset[int] | None = None,
) -> Logbook:
    """The logbook of a unit (and the units below it; every unit when ``unit_code`` is None)
    for the days ``start`` to ``end`` inclusive. ``within`` narrows it to the units a reader
    may see. Raises UnknownUnit."""
    scope: UnitScope = resolve_scope(await repo.units(), unit_code, within)
    registrations = await repo.registrations_met_between(
        datetime.combine(start, time(), zone),
        datetime.combine(end + timedelta(days=1), time(), zone),
        scope.unit_ids,
    )
    return build(form, scope.name, start, end, registrations, zone, reveal_confidential)


# --- writing ----------------------------------------------------------------------------------


def to_csv(logbook: Logbook) -> bytes:
    """UTF-8 with a byte-order mark, so that spreadsheet programs read the diacritics right."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(logbook.headers)
    for row in logbook.rows:
        writer.writerow(
            [value.strftime(DATE_FORMAT) if isinstance(value, date) else value for value in row]
        )
    return out.getvalue().encode("utf-8-sig")


HEADER_ROW = 4
_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")
_CENTRE = Alignment(wrap_text=True, horizontal="center", vertical="center")


def to_xlsx(logbook: Logbook) -> bytes:
    """A4 landscape, one page wide, the heading repeated on every printed page and frozen on
    screen, text wrapped in the form's widths."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has its first sheet
    sheet.title = logbook.form.label("sheet")[:31]  # Excel's limit on sheet names
    width = len(logbook.form.columns)
    _title(sheet, logbook, width)
    for index, column in enumerate(logbook.form.columns, start=1):
        heading = sheet.cell(HEADER_ROW, index, column.header)
        heading.font = Font(bold=True)
        heading.alignment = _CENTRE
        heading.border = _BOX
        numbering = sheet.cell(HEADER_ROW + 1, index, f"({index})")
        numbering.alignment = _CENTRE
        numbering.border = _BOX
        numbering.font = Font(italic=True, size=9)
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    for offset, row in enumerate(logbook.rows):
        for index, value in enumerate(row, start=1):
            cell = sheet.cell(HEADER_ROW + 2 + offset, index, value)
            cell.alignment = _WRAP
            cell.border = _BOX
            if isinstance(value, date):
                cell.number_format = "dd/mm/yyyy"
    sheet.freeze_panes = f"A{HEADER_ROW + 2}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW + 1}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.5
    footer = sheet.oddFooter
    if footer is not None:
        footer.center.text = "&P / &N"  # page number / pages
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _title(sheet: Worksheet, logbook: Logbook, width: int) -> None:
    last = get_column_letter(width)
    sheet["A1"] = logbook.form.title
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.merge_cells(f"A1:{last}1")
    label = logbook.form.label
    period = (
        f"{logbook.unit_name} — {label('from')} {logbook.start.strftime(DATE_FORMAT)} "
        f"{label('to')} {logbook.end.strftime(DATE_FORMAT)}"
    )
    sheet["A2"] = period
    sheet["A2"].alignment = Alignment(horizontal="center")
    sheet.merge_cells(f"A2:{last}2")
    if logbook.form.name:
        sheet[f"{last}3"] = logbook.form.name
        sheet[f"{last}3"].font = Font(italic=True, size=9)
        sheet[f"{last}3"].alignment = Alignment(horizontal="right")
