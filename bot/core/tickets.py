"""Ticket codes: short, unambiguous when read aloud or copied by hand, with a check character.

A code looks like ``K7MQ-X4PG``: seven random characters and a Luhn mod N check character over
an alphabet without 0/O, 1/I/L and U, so a mistyped code is caught before it is looked up.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
RANDOM_LENGTH = 7
_INDEX = {ch: i for i, ch in enumerate(ALPHABET)}


def check_character(body: str) -> str:
    """Luhn mod N: catches every single wrong character and every swap of two neighbours,
    except the swap of the alphabet's first and last characters ("2" and "Z")."""
    base = len(ALPHABET)
    factor = 2
    total = 0
    for ch in reversed(body):
        addend = factor * _INDEX[ch]
        factor = 1 if factor == 2 else 2
        total += addend // base + addend % base
    return ALPHABET[(base - total % base) % base]


def new_code(choose: Callable[[str], str] = secrets.choice) -> str:
    body = "".join(choose(ALPHABET) for _ in range(RANDOM_LENGTH))
    return _display(body + check_character(body))


def normalize(text: str) -> str | None:
    """Return the canonical code for what a citizen typed, or None when it cannot be a code."""
    compact = "".join(ch for ch in text.upper() if ch not in " -_.")
    if len(compact) != RANDOM_LENGTH + 1 or any(ch not in _INDEX for ch in compact):
        return None
    if check_character(compact[:-1]) != compact[-1]:
        return None
    return _display(compact)


def _display(compact: str) -> str:
    return f"{compact[:4]}-{compact[4:]}"
