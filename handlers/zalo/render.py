"""A Reply as Zalo Bot Platform messages: plain text, the choices as a numbered menu the
citizen answers with the number (or the option's words), cut to 2000 characters.

The Bot Platform has no buttons, so the phone step simply asks for a typed number: the
contact-sharing button of other channels is left out.
"""

from __future__ import annotations

from bot.core.model import Choice, Reply
from bot.core.text import cut_point
from handlers.zalo.bot_api import TEXT_LIMIT

# Keycap digits read as a menu at a glance in a chat; past nine, plain numbers.
_KEYCAPS = ["1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣", "6️⃣", "7️⃣", "8️⃣", "9️⃣"]


def messages(reply: Reply, limit: int = TEXT_LIMIT) -> list[str]:
    """The texts that carry ``reply``, in order; the menu follows the text."""
    lines = reply.text.split("\n") if reply.text else []
    if reply.choices:
        if lines:
            lines.append("")
        lines += [menu_line(number, choice) for number, choice in enumerate(reply.choices, 1)]
    return split(lines, limit) or ["…"]


def menu_line(number: int, choice: Choice) -> str:
    mark = _KEYCAPS[number - 1] if number <= len(_KEYCAPS) else f"{number}."
    return f"{mark} {choice.label}"


def length(text: str) -> int:
    """Counted as the platform's JavaScript counts: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def split(lines: list[str], limit: int = TEXT_LIMIT) -> list[str]:
    """Join lines into messages of at most ``limit``, breaking only between lines, so a
    menu option is never cut; a line longer than a message is cut between words."""
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for line in lines:
        for piece in _cut(line, limit):
            added = length(piece) + (1 if current else 0)
            if current and size + added > limit:
                parts.append("\n".join(current))
                current, size = [], 0
                added = length(piece)
            current.append(piece)
            size += added
    if current:
        parts.append("\n".join(current))
    return [part.strip("\n") for part in parts if part.strip()]


def _cut(line: str, limit: int) -> list[str]:
    if length(line) <= limit:
        return [line]
    pieces: list[str] = []
    current = ""
    for whole in line.split(" "):
        word = whole
        while length(word) > limit:  # one "word" longer than a message: a URL, Khmer
            head = word
            while length(head) > limit:
                head = head[:-1]
            # Never inside a written character (a Khmer consonant and its signs).
            head = word[: cut_point(word, len(head)) or len(head)]
            if current:
                pieces.append(current)
                current = ""
            pieces.append(head)
            word = word[len(head) :]
        candidate = f"{current} {word}" if current else word
        if length(candidate) <= limit:
            current = candidate
        else:
            pieces.append(current)
            current = word
    if current:
        pieces.append(current)
    return pieces
