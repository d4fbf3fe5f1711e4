"""/find: registrations looked up by ticket code, phone, ID number or the citizen's name."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core import tickets, triage, validation
from bot.core.labels import KIND_LABELS, STATUS_NAMES
from bot.core.model import AuditEntry, RegistrationView, Reply
from bot.core.ports import SearchBy
from bot.core.registrations import local_day
from bot.core.text import fold_words, squeeze
from bot.dialogue.context import Turn
from bot.dialogue.officer.access import TARGET_MAX, Desk, Refusal
from bot.dialogue.officer.queue import page_buttons

USAGE = "/find CODE | PHONE | ID | NAME [page N]"
STATE_KEY = "officer_find"
TEXT_MIN, TEXT_MAX = 2, 100
# More words than a Vietnamese full name has only narrow the search to nothing.
WORDS_MAX = 6
_PAGE = re.compile(r"\s+page\s+(\d{1,4})$", re.IGNORECASE)
_NUMBER_PUNCTUATION = re.compile(r"[\s.\-()+]")
ID_LENGTH = 12
# Matches are counted up to here: past it an officer narrows the search rather than pages.
COUNT_MAX = 500
_KINDS: dict[str, SearchBy] = {"code": "code", "phone": "phone", "id": "id", "name": "name"}


@dataclass(frozen=True, slots=True)
class Lookup:
    """What is looked up, normalised: the form the database holds."""

    by: SearchBy
    key: str


def parse(turn: Turn, argument: str) -> tuple[Lookup, int]:
    """``/find TEXT [page N]``: the lookup and the page (from 0)."""
    text = squeeze(argument)
    page = 0
    asked = _PAGE.search(text)
    if asked:
        page = max(int(asked.group(1)) - 1, 0)
        text = text[: asked.start()]
    if not text:
        raise Refusal(
            turn._(
                "Please type what to look for: a ticket code, a phone number, an ID number or "
                "the citizen's name. Usage: {usage}",
                usage=USAGE,
            ),
            "usage",
        )
    if not TEXT_MIN <= len(text) <= TEXT_MAX:
        raise Refusal(
            turn._(
                "Please type between {min} and {max} characters: a ticket code, a phone number, "
                "an ID number or at least two letters of the citizen's name.",
                min=TEXT_MIN,
                max=TEXT_MAX,
            ),
            "bad_length",
        )
    return lookup(turn, text), page


def lookup(turn: Turn, text: str) -> Lookup:
    code = tickets.normalize(text)
    if code is not None:
        return Lookup("code", code)
    digits = _NUMBER_PUNCTUATION.sub("", text)
    if digits.isdigit() and digits.isascii():
        # An ID number opens with its province code (001–096); a phone number in national
        # form has at most 11 digits, and in international form starts with 84.
        if len(digits) == ID_LENGTH and digits.startswith("0"):
            return Lookup("id", digits)
        try:
            return Lookup("phone", validation.phone_number(text))
        except validation.Invalid as exc:
            raise Refusal(
                turn._(
                    "“{text}” is neither a Vietnamese phone number nor a 12-digit ID number. "
                    "Please check the digits.",
                    text=text,
                ),
                "bad_number",
            ) from exc
    words = fold_words(text).split()
    if not words or len("".join(words)) < TEXT_MIN:
        raise Refusal(
            turn._(
                "Please type at least two letters of the citizen's name, a ticket code, a phone "
                "number or an ID number."
            ),
            "bad_name",
        )
    return Lookup("name", " ".join(words[:WORDS_MAX]))


async def run(turn: Turn, place: Desk, argument: str) -> Reply:
    """``/find TEXT``; the audit line is written here, as it records what was looked up."""
    try:
        found, page = parse(turn, argument)
    except Refusal as refusal:
        # Nothing was read: the text that could not be used is not kept.
        await _audit(turn, place, "", allowed=False, detail=refusal.reason)
        return Reply(refusal.message)
    turn.state.data[STATE_KEY] = {"by": found.by, "key": found.key}
    return await show(turn, place, found, page)


async def again(turn: Turn, place: Desk, page: int) -> Reply | None:
    """Another page of the last /find; None when there was none."""
    stored = turn.state.data.get(STATE_KEY)
    if not isinstance(stored, dict):
        return None
    by, key = _KINDS.get(str(stored.get("by"))), stored.get("key")
    if by is None or not isinstance(key, str):
        return None
    return await show(turn, place, Lookup(by, key), max(page, 0))


async def show(turn: Turn, place: Desk, found: Lookup, page: int) -> Reply:
    # Exactly what /queue lists: the officer's units, and denunciations only with the
    # confidential permission. The hidden ones are not even counted, unlike in /queue: a count
    # for this name or phone would tell that the person denounced someone.
    kinds = triage.visible_kinds(place.officer, None)
    size = turn.settings.queue_page_size
    repo = turn.repo

    async def read(page: int) -> tuple[list[RegistrationView], int]:
        # The pages stop where the count does.
        limit = max(0, min(size, COUNT_MAX - page * size))
        return await repo.find_registrations(
            found.by, found.key, kinds, place.scope, limit, page * size, COUNT_MAX
        )

    items, total = await read(page)
    listed = min(total, COUNT_MAX)
    pages = max(1, -(-listed // size))
    if page >= pages:
        page = pages - 1
        items, total = await read(page)
    many = total > COUNT_MAX
    counted = f"more than {COUNT_MAX}" if many else str(total)
    await _audit(turn, place, f"{found.by}:{found.key}", allowed=True, detail=f"{counted} found")
    if not total:
        return Reply(
            turn._(
                "No registration in your units matches what you typed. Please check it, or "
                "look up by ticket code, phone number or ID number instead."
            )
        )
    if many:
        heading = turn._(
            "More than {n} registrations match, newest first (page {page} of {pages}). Type "
            "more of the name, or the phone or ID number, to narrow it down:",
            n=COUNT_MAX,
            page=page + 1,
            pages=pages,
        )
    else:
        heading = turn.n_(
            "{n} registration found, best match first (page {page} of {pages}):",
            "{n} registrations found, best match first (page {page} of {pages}):",
            total,
            page=page + 1,
            pages=pages,
        )
    lines = [heading, *(_line(turn, item) for item in items)]
    return Reply("\n".join(lines), page_buttons(turn, "fq", page, size, listed))


def _line(turn: Turn, item: RegistrationView) -> str:
    # Only the kinds the officer may read reach here (visible_kinds), so a denunciation's
    # name is shown to officers with the confidential permission alone.
    return turn._(
        "{code} · {kind} · {name} · {status} · {date}",
        code=item.code,
        kind=turn._(KIND_LABELS[item.kind]),
        name=item.full_name,
        status=turn._(STATUS_NAMES[item.status]),
        date=turn.tr.short_day(local_day(item.submitted_at, turn.settings.booking.zone)),
    )


async def _audit(turn: Turn, place: Desk, target: str, *, allowed: bool, detail: str) -> None:
    """Every lookup reads personal data, so each is logged with its normalised key (E.164
    phone, ID digits, folded name words), not a count alone: a supervisor must be able to see
    who looked up whom, and the normalised form matches the registration's own columns
    whichever way the officer typed it. The audit log is append-only."""
    await turn.repo.audit(
        AuditEntry(turn.now, place.officer.actor, "find", target[:TARGET_MAX], allowed, detail)
    )
