"""Which units a record covers: one unit and every unit below it, or the whole deployment."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.model import Unit
from bot.core.triage import units_below


class UnknownUnit(LookupError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True, slots=True)
class UnitScope:
    name: str
    # None: every unit.
    unit_ids: frozenset[int] | None
    code: str = ""


def resolve_scope(
    units: Sequence[Unit], code: str | None, within: frozenset[int] | None = None
) -> UnitScope:
    """The unit ``code`` and the units below it (all units when None), narrowed to
    ``within`` (the units a reader may see; None: no limit). UnknownUnit when the code
    names no unit, or one the reader may not see."""
    if code is None:
        seen = [unit for unit in units if within is None or unit.id in within]
        seen_ids = {unit.id for unit in seen}
        tops = [unit.name for unit in seen if unit.parent_id not in seen_ids]
        return UnitScope(", ".join(tops), within)
    unit = next((u for u in units if u.code.casefold() == code.casefold()), None)
    if unit is None or (within is not None and unit.id not in within):
        raise UnknownUnit(code)
    ids = units_below([unit.code], units)
    return UnitScope(unit.name, ids if within is None else ids & within, unit.code)
