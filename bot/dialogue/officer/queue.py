"""/queue: the registrations waiting for officers, oldest first, with their deadlines."""

from __future__ import annotations

from bot.core import triage
from bot.core.labels import KIND_LABELS, STATUS_NAMES
from bot.core.model import (
    QUEUED_STATUSES,
    Choice,
    RegistrationStatus,
    RegistrationView,
    Reply,
    RequestKind,
)
from bot.core.registrations import local_day
from bot.dialogue.context import Turn
from bot.dialogue.officer import today
from bot.dialogue.officer.access import Desk, Refusal

OPEN = QUEUED_STATUSES
STATE_KEY = "officer_queue"


def parse_filters(turn: Turn, argument: str, unit_codes: set[str]) -> dict[str, list[str]]:
    """``/queue [status] [unit] [kind]`` in any order; "all" means every state."""
    statuses: list[str] = []
    kinds: list[str] = []
    units: list[str] = []
    for token in argument.lower().split():
        if token == "all":
            statuses = [s.value for s in RegistrationStatus]
        elif token in {s.value for s in RegistrationStatus}:
            statuses.append(token)
        elif token in {k.value for k in RequestKind}:
            kinds.append(token)
        elif token in unit_codes:
            units.append(token)
        else:
            raise Refusal(
                turn._(
                    "“{word}” is not a state, a kind of request or a unit code. Usage: {usage}",
                    word=token,
                    usage="/queue [status] [unit] [kind]",
                ),
                "usage",
            )
    return {"statuses": statuses, "kinds": kinds, "units": units}


async def show(turn: Turn, place: Desk, filters: dict[str, list[str]], page: int) -> Reply:
    units = await turn.repo.units()
    scope = place.scope
    if filters["units"]:
        chosen = triage.units_below(filters["units"], units)
        scope = chosen if scope is None else chosen & scope
    statuses = (
        frozenset(RegistrationStatus(s) for s in filters["statuses"])
        if filters["statuses"]
        else OPEN
    )
    wanted = frozenset(RequestKind(k) for k in filters["kinds"]) if filters["kinds"] else None
    kinds = triage.visible_kinds(place.officer, wanted)
    size = turn.settings.queue_page_size
    items, total = await turn.repo.queue(statuses, kinds, scope, size, page * size)
    hidden = 0
    if kinds != wanted and (wanted is None or RequestKind.DENUNCIATION in wanted):
        _, hidden = await turn.repo.queue(
            statuses, frozenset({RequestKind.DENUNCIATION}), scope, 1, 0
        )
    work = await turn.calendar()
    lines = [
        turn.n_(
            "Queue: {n} registration, oldest first (page {page} of {pages}).",
            "Queue: {n} registrations, oldest first (page {page} of {pages}).",
            total,
            page=page + 1,
            pages=max(1, -(-total // size)),
        )
    ]
    if not items:
        lines.append(turn._("Nothing is waiting."))
    zone = turn.settings.booking.zone
    for item in items:
        age = work.working_days_between(local_day(item.submitted_at, zone), turn.today)
        left = work.working_days_between(turn.today, item.due_date)
        lines.append(_line(turn, item, age, left))
    if hidden:
        lines.append(
            turn.n_(
                "🔒 {n} confidential request is not listed (it needs the confidential "
                "permission).",
                "🔒 {n} confidential requests are not listed (they need the confidential "
                "permission).",
                hidden,
            )
        )
    if page == 0:
        notices = await today.notice_lines(turn, place, limit=today.NOTICES_IN_QUEUE)
        if notices:
            lines += ["", *notices]
    return Reply("\n".join(lines), page_buttons(turn, "q", page, size, total))


def page_buttons(turn: Turn, prefix: str, page: int, size: int, total: int) -> tuple[Choice, ...]:
    """Previous and next page of a list of ``total`` lines, ``size`` a page; ``page`` from 0."""
    choices: list[Choice] = []
    if page > 0:
        choices.append(Choice(turn._("⬅️ Previous page"), f"{prefix}:{page - 1}"))
    if (page + 1) * size < total:
        choices.append(Choice(turn._("➡️ Next page"), f"{prefix}:{page + 1}"))
    return tuple(choices)


def _line(turn: Turn, item: RegistrationView, age: int, left: int) -> str:
    if item.status not in OPEN:
        # A decided registration has no deadline left to watch.
        due = turn._(STATUS_NAMES[item.status])
        flag = "✔"
    elif item.status is RegistrationStatus.NEEDS_INFO:
        due = turn._("paused: waiting for the citizen")
        flag = "⏸"
    else:
        flag, due = today.deadline(turn, item.due_date, left)
    line = turn._(
        "{flag} {code} · {kind} · {leader} · {age} working days old · {due}",
        flag=flag,
        code=item.code,
        kind=turn._(KIND_LABELS[item.kind]),
        leader=item.leader_name,
        age=age,
        due=due,
    )
    if item.repeat_of_code and item.status in OPEN:
        line += " · " + turn._("↻ likely repeat of {code}", code=item.repeat_of_code)
    return line
