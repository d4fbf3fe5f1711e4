"""The "/" command menus Telegram shows: the citizen's in each language for every private chat,
and, in each officer's own chat, the citizen's and the officer's commands."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError
from aiogram.types import BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat

log = logging.getLogger(__name__)

DESCRIPTION_LIMIT = 256

Commands = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Menus:
    """``citizen``: locale -> commands (the first locale is also the default, for users whose
    Telegram language is another); ``officers``: chat id -> commands; ``former``: chat ids of
    officers no longer, whose officer menu must go."""

    citizen: Mapping[str, Sequence[tuple[str, str]]]
    officers: Mapping[str, Sequence[tuple[str, str]]]
    former: Sequence[str] = ()


class CommandMenus:
    def __init__(self, bot: Bot) -> None:
        self._bot = bot
        # What this process already set, so a periodic sync only sends changes.
        self._set: dict[tuple[str, str], Commands] = {}

    async def apply(self, menus: Menus) -> None:
        """Set what changed; a failure is logged and the next sync tries again."""
        try:
            await self._apply(menus)
        except (TelegramAPIError, TelegramNetworkError) as trouble:
            log.warning("could not set the Telegram command menus: %s", trouble)

    async def _apply(self, menus: Menus) -> None:
        for number, (locale, commands) in enumerate(menus.citizen.items()):
            if number == 0:
                await self._set_once(("*", ""), commands, BotCommandScopeAllPrivateChats(), None)
            await self._set_once(("*", locale), commands, BotCommandScopeAllPrivateChats(), locale)
        for chat_id, commands in menus.officers.items():
            await self._set_once(
                (chat_id, ""), commands, BotCommandScopeChat(chat_id=int(chat_id)), None
            )
        for chat_id in menus.former:
            if chat_id in menus.officers or self._set.get((chat_id, "")) == ():
                continue
            await self._bot.delete_my_commands(scope=BotCommandScopeChat(chat_id=int(chat_id)))
            self._set[(chat_id, "")] = ()

    async def _set_once(
        self,
        key: tuple[str, str],
        commands: Sequence[tuple[str, str]],
        scope: BotCommandScopeAllPrivateChats | BotCommandScopeChat,
        language: str | None,
    ) -> None:
        wanted = tuple(commands)
        if self._set.get(key) == wanted:
            return
        await self._bot.set_my_commands(
            [BotCommand(command=name, description=_fit(what)) for name, what in wanted],
            scope=scope,
            language_code=language,
        )
        self._set[key] = wanted


def _fit(description: str) -> str:
    if len(description) <= DESCRIPTION_LIMIT:
        return description
    return description[: DESCRIPTION_LIMIT - 1].rstrip() + "…"
