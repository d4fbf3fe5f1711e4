"""/officer add|remove|list: admins manage the officers who are not in the configuration."""

from __future__ import annotations

from bot.core import triage
from bot.core.model import CONFIDENTIAL, Channel, OfficerRole, Reply
from bot.dialogue.context import Turn
from bot.dialogue.officer.access import ROLE_LABELS, Desk, Refusal, require_role

NAME_MAX = 200
USAGE = (
    "/officer add CHANNEL:USER_ID ROLE UNITS|* [confidential] NAME",
    "/officer remove CHANNEL:USER_ID",
    "/officer list",
)


async def run(turn: Turn, place: Desk, argument: str) -> tuple[Reply, str]:
    require_role(turn, place.officer, OfficerRole.ADMIN)
    verb, _sep, rest = argument.strip().partition(" ")
    if verb == "list":
        return await _list(turn), ""
    if verb == "add":
        return await _add(turn, place, rest)
    if verb == "remove":
        return await _remove(turn, place, rest)
    raise Refusal(turn._("Usage: {usage}", usage=" | ".join(USAGE)), "usage")


def _identity(turn: Turn, text: str) -> tuple[str, str]:
    channel, _sep, user_id = text.partition(":")
    if channel not in {c.value for c in Channel} or not user_id:
        raise Refusal(
            turn._(
                "“{identity}” is not CHANNEL:USER_ID with a channel among {channels}.",
                identity=text,
                channels=", ".join(c.value for c in Channel),
            ),
            "usage",
        )
    return channel, user_id


async def _within_own_rights(
    turn: Turn,
    place: Desk,
    channel: str,
    user_id: str,
    units: tuple[str, ...],
    permissions: frozenset[str],
) -> None:
    """An admin grants no more than they hold, and never to themselves."""
    me = place.officer
    if (channel, user_id) == (me.channel, me.user_id):
        raise Refusal(turn._("You cannot change your own rights."), "self")
    if CONFIDENTIAL in permissions and not me.may_see_confidential():
        raise Refusal(
            turn._("Only an admin with the confidential permission can grant it."), "escalation"
        )
    if place.scope is None:
        return
    granted = triage.units_below(units, await turn.repo.units()) if units else None
    if granted is None or not granted <= place.scope:
        raise Refusal(turn._("You can only grant units within your own units."), "escalation")


async def _add(turn: Turn, place: Desk, rest: str) -> tuple[Reply, str]:
    tokens = rest.split()
    if len(tokens) < 4:
        raise Refusal(turn._("Usage: {usage}", usage=USAGE[0]), "usage")
    channel, user_id = _identity(turn, tokens[0])
    try:
        role = OfficerRole(tokens[1].lower())
    except ValueError as exc:
        raise Refusal(
            turn._("ROLE is one of: {roles}.", roles=", ".join(r.value for r in OfficerRole)),
            "usage",
        ) from exc
    units: tuple[str, ...] = ()
    if tokens[2] != "*":
        units = tuple(code for code in tokens[2].split(",") if code)
        known = {unit.code for unit in await turn.repo.units()}
        unknown = sorted(set(units) - known)
        if unknown:
            raise Refusal(
                turn._("Unknown unit codes: {codes}.", codes=", ".join(unknown)), "usage"
            )
    name_tokens = tokens[3:]
    permissions: frozenset[str] = frozenset()
    if name_tokens and name_tokens[0].lower() == CONFIDENTIAL:
        permissions = frozenset({CONFIDENTIAL})
        name_tokens = name_tokens[1:]
    if not name_tokens:
        raise Refusal(turn._("Usage: {usage}", usage=USAGE[0]), "usage")
    name = " ".join(name_tokens)
    if len(name) > NAME_MAX:
        raise Refusal(turn._("A name can be at most {max} characters.", max=NAME_MAX), "too_long")
    await _within_own_rights(turn, place, channel, user_id, units, permissions)
    existing = await turn.repo.officer_for(channel, user_id)
    if existing is not None and existing.from_config:
        raise Refusal(_configured(turn, channel, user_id), "configured")
    officer = await turn.repo.save_officer(
        channel, user_id, name, role, units, permissions, turn.now
    )
    return (
        Reply(
            turn._(
                "{name} ({identity}) is now {role}{scope}.",
                name=officer.name,
                identity=f"{channel}:{user_id}",
                role=turn._(ROLE_LABELS[role]),
                scope=_scope_text(turn, officer.units, officer.permissions),
            )
        ),
        f"{channel}:{user_id}",
    )


def _scope_text(turn: Turn, units: tuple[str, ...], permissions: frozenset[str]) -> str:
    scope = turn._(" for {units}", units=", ".join(units)) if units else turn._(" for every unit")
    if CONFIDENTIAL in permissions:
        scope += turn._(", with the confidential permission")
    return scope


def _configured(turn: Turn, channel: str, user_id: str) -> str:
    return turn._(
        "{identity} is defined in the configuration file; change it there.",
        identity=f"{channel}:{user_id}",
    )


async def _remove(turn: Turn, place: Desk, rest: str) -> tuple[Reply, str]:
    channel, user_id = _identity(turn, rest.strip())
    existing = await turn.repo.officer_for(channel, user_id)
    if existing is None:
        raise Refusal(
            turn._("{identity} is not an officer.", identity=f"{channel}:{user_id}"),
            "not_found",
        )
    if existing.from_config:
        raise Refusal(_configured(turn, channel, user_id), "configured")
    await _within_own_rights(turn, place, channel, user_id, existing.units, existing.permissions)
    await turn.repo.deactivate_officer(channel, user_id)
    return (
        Reply(
            turn._(
                "{name} ({identity}) is no longer an officer.",
                name=existing.name,
                identity=f"{channel}:{user_id}",
            )
        ),
        f"{channel}:{user_id}",
    )


async def _list(turn: Turn) -> Reply:
    lines = [turn._("Officers:")]
    for officer in await turn.repo.officers():
        source = turn._("configuration") if officer.from_config else turn._("command")
        lines.append(
            f"• {officer.name} ({officer.channel}:{officer.user_id}) · "
            f"{turn._(ROLE_LABELS[officer.role])}"
            f"{_scope_text(turn, officer.units, officer.permissions)} · {source}"
        )
    return Reply("\n".join(lines))
