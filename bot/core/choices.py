"""Answering a menu on a channel without buttons: by the option's number, its label, or (Zalo
OA button templates) its payload sent back as text."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.core.model import Choice
from bot.core.text import fold_words

_NUMBER = re.compile(r"[1-9]\d*")


def pick(text: str, choices: Sequence[Choice]) -> str | None:
    """The payload of the choice ``text`` selects, or None when it selects none."""
    typed = text.strip()
    if not typed or not choices:
        return None
    if _NUMBER.fullmatch(typed):
        number = int(typed)
        return choices[number - 1].payload if number <= len(choices) else None
    for choice in choices:
        if typed == choice.payload:
            return choice.payload
    wanted = fold_words(typed)
    for choice in choices:
        if wanted and fold_words(choice.label) == wanted:
            return choice.payload
    return None
