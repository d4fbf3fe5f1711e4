"""/link CODE DIGITS: a citizen recorded at the office (a walk-in) links this chat to their
ticket with the last digits of the phone on record, and hears every decision from then on."""

from __future__ import annotations

from bot.core import tickets, walkins
from bot.core.labels import STATUS_NAMES
from bot.core.model import Reply
from bot.core.walkins import LinkResult
from bot.dialogue import menu
from bot.dialogue.context import Replies, Turn

USAGE = "/link CODE 1234"


async def run(turn: Turn, argument: str) -> Replies:
    words = argument.split()
    code = tickets.normalize(words[0]) if words else None
    if code is None or len(words) != 2:
        return menu.main_menu(
            turn,
            turn._(
                "To follow a matter the reception office recorded for you, send /link, the "
                "ticket code the officer gave you and the last {n} digits of your phone "
                "number, for example: {usage}",
                n=walkins.LINK_DIGITS,
                usage=USAGE,
            ),
        )
    linking = await walkins.link(turn.repo, code, words[1], turn.citizen, turn.actor, turn.now)
    if linking.result is LinkResult.LINKED or linking.result is LinkResult.ALREADY:
        registration = linking.registration
        assert registration is not None
        lead = (
            turn._(
                "Done: {code} is linked to this chat. You will be told here of every decision "
                "on it, and reminded before your session.",
                code=registration.code,
            )
            if linking.result is LinkResult.LINKED
            else turn._("{code} is already linked to this chat.", code=registration.code)
        )
        state = turn._(
            "Its state now: {status}. /status {code} shows the details.",
            status=turn._(STATUS_NAMES[registration.status]),
            code=registration.code,
        )
        return [Reply(f"{lead}\n{state}")]
    if linking.result is LinkResult.PAUSED:
        assert linking.paused_until is not None
        return [
            Reply(
                turn._(
                    "Too many wrong tries for this code. Please try again after {when}, or "
                    "ask the reception office.",
                    when=turn.tr.when(linking.paused_until),
                )
            )
        ]
    return [
        Reply(
            turn._(
                "This code and these digits do not match a registration recorded at the "
                "office. Please check both: the last {n} digits of the phone number you gave "
                "the officer. After {tries} wrong tries the code is locked for an hour.",
                n=walkins.LINK_DIGITS,
                tries=walkins.LINK_TRIES,
            )
        )
    ]
