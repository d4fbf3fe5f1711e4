"""A Reply as Telegram messages: HTML-escaped text cut to Telegram's length, inline buttons for
choices, the "share my phone number" keyboard for a contact request.

Every text the dialogue produces is plain text that may hold what citizens typed and what the
database holds, so all of it is escaped and sent with ``parse_mode=HTML``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from functools import lru_cache

from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.core.model import Choice, Reply
from bot.core.text import cut_point

# Telegram's limits (Bot API: sendMessage, sendDocument, InlineKeyboardButton).
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
# Buttons this short sit two to a row; longer ones get a row each, to stay readable on phones.
SHORT_LABEL = 14

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


_REMOVE_KEYBOARD = ReplyKeyboardRemove()


class ButtonTooLong(ValueError):
    """A choice's payload does not fit in Telegram's callback data: a bug in the dialogue."""


@dataclass(frozen=True, slots=True)
class Message:
    """One sendMessage call: HTML text and what to show under it."""

    html: str
    markup: Markup | None


def messages(reply: Reply) -> list[Message]:
    """The messages that carry ``reply``, in order; the buttons go with the last part."""
    parts = [html.escape(part, quote=False) for part in split(reply.text)]
    if reply.choices:
        last: Markup | None = inline_keyboard(reply.choices)
    elif reply.contact_request:
        last = contact_keyboard(reply.contact_request)
    else:
        # A plain message also takes away an earlier "share my phone number" keyboard.
        last = _REMOVE_KEYBOARD
    out = [Message(part, None) for part in parts[:-1]]
    out.append(Message(parts[-1], last))
    if reply.choices and reply.contact_request:
        # A message has either inline buttons or a keyboard: the keyboard comes next.
        out.append(
            Message(
                html.escape(reply.contact_request, quote=False),
                contact_keyboard(reply.contact_request),
            )
        )
    return out


# Most replies carry one of a few keyboards (the menu, a step's choices in each language), and
# building aiogram's models costs more than the rest of rendering: each is built once. They are
# frozen models, so sharing them is safe.
@lru_cache(maxsize=1024)
def inline_keyboard(choices: tuple[Choice, ...]) -> InlineKeyboardMarkup:
    buttons = []
    for choice in choices:
        if len(choice.payload.encode("utf-8")) > CALLBACK_DATA_LIMIT:
            raise ButtonTooLong(choice.payload)
        buttons.append(InlineKeyboardButton(text=choice.label, callback_data=choice.payload))
    if all(len(choice.label) <= SHORT_LABEL for choice in choices):
        rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    else:
        rows = [[button] for button in buttons]
    return InlineKeyboardMarkup(inline_keyboard=rows)


@lru_cache(maxsize=64)
def contact_keyboard(label: str) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=label, request_contact=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


def length(text: str) -> int:
    """Telegram counts text in UTF-16 code units (an emoji may count twice)."""
    return len(text.encode("utf-16-le")) // 2


def split(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Cut ``text`` into parts of at most ``limit``, at line breaks where possible, else
    between words, else anywhere."""
    if fits(text, limit):
        return [text or "…"]
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if fits(candidate, limit):
            current = candidate
            continue
        if current:
            parts.append(current)
        current = ""
        for piece in _cut_line(line, limit):
            candidate = f"{current} {piece}" if current else piece
            if fits(candidate, limit):
                current = candidate
            else:
                parts.append(current)
                current = piece
    if current:
        parts.append(current)
    return [part.strip("\n") or "…" for part in parts if part.strip()]


def fits(text: str, limit: int) -> bool:
    # The limit applies after Telegram parses the HTML: "&lt;" counts as the one "<" it was.
    return length(text) <= limit


def _cut_line(line: str, limit: int) -> list[str]:
    """Words of a long line, each cut to ``limit`` if a single word is longer (Khmer
    writes no spaces between words), between two written characters."""
    pieces: list[str] = []
    for word in line.split(" "):
        rest = word
        while not fits(rest, limit):
            cut = limit
            while not fits(rest[:cut], limit):
                cut -= 1
            # Never inside a written character (a Khmer consonant and its signs).
            cut = cut_point(rest, cut) or cut
            pieces.append(rest[:cut])
            rest = rest[cut:]
        pieces.append(rest)
    return pieces
