"""/report and /logbook: the records of a period as spreadsheets, in the chat.

Both cover the officer's own units unless a unit below them is named. The logbook withholds
what the law keeps secret about a denunciation from an officer without the confidential
permission.
"""

from __future__ import annotations

import re

from bot.core.i18n import N_
from bot.core.model import OfficerRole, OutgoingFile, Reply
from bot.dialogue.context import Turn
from bot.dialogue.officer.access import Desk, Refusal, require_role
from bot.records import logbook, report
from bot.records.report import Period, PeriodError, parse_period
from bot.records.scope import UnknownUnit

_LOOKS_LIKE_A_PERIOD = re.compile(r"^(\d|q\d)", re.IGNORECASE)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

REPORT_USAGE = "/report [PERIOD] [UNIT]"
LOGBOOK_USAGE = "/logbook [PERIOD] [UNIT]"
PERIODS_HELP = N_(
    "PERIOD is 2026-11 or 11/2026 (a month), q1…q4 (a quarter), 6m or 9m (the first six or "
    "nine months), 2026 (a year); without it, the last whole month. UNIT is a unit code."
)


async def run(turn: Turn, place: Desk, name: str, argument: str) -> tuple[Reply, str]:
    if name == "report":
        require_role(turn, place.officer, OfficerRole.SUPERVISOR)
    period, unit = _parse(turn, name, argument)
    try:
        if name == "report":
            return await _report(turn, place, period, unit), period.slug
        return await _logbook(turn, place, period, unit), period.slug
    except UnknownUnit as unknown:
        raise Refusal(
            turn._("There is no unit {unit} among yours.", unit=unknown.code), "unit"
        ) from unknown


def _parse(turn: Turn, name: str, argument: str) -> tuple[Period, str | None]:
    words = argument.split()
    period: Period | None = None
    unit: str | None = None
    for word in words:
        try:
            candidate = parse_period(word, turn.today)
        except PeriodError:
            # Unit codes start with a letter; "13/2026" is a period mistyped.
            if unit is not None or _LOOKS_LIKE_A_PERIOD.match(word):
                raise _usage(turn, name) from None
            unit = word
            continue
        if period is not None:
            raise _usage(turn, name)
        period = candidate
    return period or parse_period("", turn.today), unit


def _usage(turn: Turn, name: str) -> Refusal:
    usage = REPORT_USAGE if name == "report" else LOGBOOK_USAGE
    return Refusal(
        turn._("Usage: {usage}. {periods}", usage=usage, periods=turn._(PERIODS_HELP)), "usage"
    )


async def _report(turn: Turn, place: Desk, period: Period, unit: str | None) -> Reply:
    figures = await report.read(
        turn.repo,
        turn.settings.minimums,
        await turn.calendar(),
        unit,
        period,
        turn.settings.booking.zone,
        turn.now,
        within=place.scope,
    )
    return Reply(
        report.summary(turn.tr, figures),
        file=OutgoingFile(
            f"bao-cao-tiep-cong-dan-{period.slug}.xlsx", report.to_xlsx(turn.tr, figures), XLSX
        ),
    )


async def _logbook(turn: Turn, place: Desk, period: Period, unit: str | None) -> Reply:
    book = await logbook.read(
        turn.repo,
        logbook.load_form(),
        unit,
        period.first,
        period.last,
        turn.settings.booking.zone,
        reveal_confidential=place.officer.may_see_confidential(),
        within=place.scope,
    )
    text = turn.n_(
        "📒 Reception logbook, {unit}, {period}: {n} reception.",
        "📒 Reception logbook, {unit}, {period}: {n} receptions.",
        len(book.rows),
        unit=book.unit_name,
        period=period.name(turn.tr),
    )
    return Reply(
        text,
        file=OutgoingFile(f"so-tiep-cong-dan-{period.slug}.xlsx", logbook.to_xlsx(book), XLSX),
    )
