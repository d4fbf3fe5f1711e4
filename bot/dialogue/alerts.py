"""Messages to officers about a registration that needs them again."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.core import triage
from bot.core.i18n import Translator
from bot.core.model import OutboxMessage, RegistrationView
from bot.core.ports import Repository
from bot.dialogue.context import Services


async def tell_officers(
    repo: Repository,
    services: Services,
    registrations: list[RegistrationView],
    text: Callable[[Translator, list[RegistrationView]], str],
    key: str,
    now: datetime,
) -> int:
    """Queue one message per officer covering any of ``registrations`` (each officer hears
    only of those in their units and, for denunciations, only with the permission)."""
    if not registrations:
        return 0
    units = await repo.units()
    queued = 0
    for officer in await repo.officers():
        scope = triage.unit_scope(officer, units)
        theirs = [
            r for r in registrations if triage.in_scope(r, scope) and triage.may_read(officer, r)
        ]
        if not theirs:
            continue
        locale = await repo.locale_of(officer.channel, officer.user_id)
        tr = services.catalogs.get(locale)
        added = await repo.enqueue(
            OutboxMessage(
                idempotency_key=f"{key}:officer:{officer.id}",
                channel=officer.channel,
                recipient=officer.user_id,
                text=text(tr, theirs),
                due_at=now,
                purpose="officer_alert",
            )
        )
        queued += int(added)
    return queued
