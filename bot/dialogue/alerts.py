"""Messages to officers about a registration that needs them again."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.core import triage
from bot.core.i18n import Translator
from bot.core.labels import KIND_LABELS
from bot.core.model import OfficerRole, OutboxMessage, RegistrationView
from bot.core.ports import Repository
from bot.core.text import clip
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


SUMMARY_IN_GROUP = 300


async def announce_registration(
    repo: Repository, services: Services, registration: RegistrationView, now: datetime
) -> int:
    """Tell the officers' group chats of a new registration. A group is seen by many, so a
    denunciation shows nothing but that a confidential request arrived: not the denouncer,
    not the content, not even the code or the leader."""
    queued = 0
    for group in services.settings.officer_groups:
        tr = services.catalogs.get(group.locale)
        added = await repo.enqueue(
            OutboxMessage(
                idempotency_key=(
                    f"registration:{registration.id}:announced:{group.channel}:{group.chat_id}"
                ),
                channel=group.channel,
                recipient=group.chat_id,
                text=_announcement(tr, registration),
                due_at=now,
                purpose="officer_group",
            )
        )
        queued += int(added)
    return queued


def _announcement(tr: Translator, registration: RegistrationView) -> str:
    if registration.confidential:
        return tr._(
            "🔒 A confidential request has arrived. Officers with the confidential permission "
            "find it in /queue."
        )
    summary = clip(registration.summary, SUMMARY_IN_GROUP)
    lines = [
        tr._(
            "🆕 New registration {code}: {kind}",
            code=registration.code,
            kind=tr._(KIND_LABELS[registration.kind]),
        ),
        tr._(
            "To meet: {leader}, {title}",
            leader=registration.leader_name,
            title=registration.leader_title,
        ),
        tr._(
            "Session: {date} at {time}",
            date=tr.day_of(registration.session_starts_at),
            time=tr.hour(registration.session_starts_at),
        ),
        tr._("Matter: {summary}", summary=summary),
    ]
    if registration.interpreter:
        # A language can reveal ethnic origin (sensitive data): not in a chat seen by many.
        lines.append(tr._("🗣 An interpreter is needed (the language is in /view)."))
    lines.append(tr._("Details: /view {code}", code=registration.code))
    return "\n".join(lines)


async def phone_the_citizen(
    repo: Repository,
    services: Services,
    registration: RegistrationView | None,
    key: str,
    now: datetime,
) -> int:
    """A message about ``registration`` could not reach its citizen (a Zalo OA's window
    closed): the officers covering it are asked to phone them."""
    if registration is None:
        return 0

    def text(tr: Translator, registrations: list[RegistrationView]) -> str:
        r = registrations[0]
        return tr._(
            "📞 A message to {name} (registration {code}) could not be delivered on Zalo: "
            "they have not written for too long. Please phone them at {phone}.",
            name=r.full_name,
            code=r.code,
            phone=r.phone,
        )

    return await tell_officers(repo, services, [registration], text, key, now)


async def tell_admins(
    repo: Repository,
    services: Services,
    text: Callable[[Translator], str],
    key: str,
    now: datetime,
) -> int:
    """A message to every administrator, once per ``key``."""
    queued = 0
    for officer in await repo.officers():
        if officer.role is not OfficerRole.ADMIN:
            continue
        tr = services.catalogs.get(await repo.locale_of(officer.channel, officer.user_id))
        queued += await repo.enqueue(
            OutboxMessage(
                idempotency_key=f"{key}:admin:{officer.id}",
                channel=officer.channel,
                recipient=officer.user_id,
                text=text(tr),
                due_at=now,
                purpose="admin_alert",
            )
        )
    return queued
