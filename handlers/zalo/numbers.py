"""Numbers in Zalo's answers: sent as numbers or as strings ("expires_in": "90000"), and
nowhere promised to be either; an answer of another shape must not crash the caller."""

from __future__ import annotations


def integer(value: object, default: int) -> int:
    """``value`` as an integer, or ``default`` when it is missing or not a whole number."""
    if isinstance(value, bool) or value is None:
        return default
    try:
        return int(str(value).strip())
    except ValueError:
        return default
