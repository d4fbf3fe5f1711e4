"""The yardstick: a bare aiogram bot, polling, that answers every message and button at once
and stores nothing. What Tiepdan does on top of this (storing each update before it is
acknowledged, the conversation, the outbox) is what the benchmarks measure.

    python -m bench.echo_bot BASE_URL TOKEN
"""

from __future__ import annotations

import asyncio
import logging
import sys

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import CallbackQuery, Message


async def main(base_url: str, token: str) -> None:
    session = AiohttpSession(api=TelegramAPIServer.from_base(base_url))
    bot = Bot(token, session=session)
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "…")

    @dispatcher.callback_query()
    async def pressed(query: CallbackQuery) -> None:
        await query.answer()
        await bot.send_message(query.from_user.id, query.data or "…")

    await dispatcher.start_polling(bot, polling_timeout=10, handle_signals=True)


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(main(sys.argv[1], sys.argv[2]))
