"""The Bot API session posts JSON, falls back to multipart for files, and reports errors as
aiogram does, so that the sender's retry rules see the same exceptions."""

from __future__ import annotations

import pytest
from aiogram.exceptions import TelegramBadRequest, TelegramNetworkError
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from handlers.telegram.channel import create_bot
from tests.fakes.telegram import FakeTelegram

CHAT = 4242


async def test_a_message_with_a_keyboard_is_posted_as_json(fake: FakeTelegram) -> None:
    bot = create_bot(fake.token, fake.base_url)
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Đồng ý", callback_data="reg:consent:yes")]]
    )
    try:
        message = await bot.send_message(
            CHAT,
            "Ông/bà đồng ý &amp; tiếp tục?",
            parse_mode="HTML",
            reply_markup=keyboard,
            disable_notification=False,
        )
    finally:
        await bot.session.close()
    assert fake.content_types["sendMessage"] == "application/json"
    sent = fake.last(CHAT)
    assert sent is not None
    assert sent.text == "Ông/bà đồng ý & tiếp tục?"
    assert sent.markup == {
        "inline_keyboard": [[{"text": "Đồng ý", "callback_data": "reg:consent:yes"}]]
    }
    assert message.message_id == sent.message_id
    _method, params, _at = fake.calls[-1]
    assert params["disable_notification"] == "false"


async def test_a_file_still_goes_as_multipart(fake: FakeTelegram) -> None:
    bot = create_bot(fake.token, fake.base_url)
    try:
        await bot.send_document(
            CHAT, BufferedInputFile(b"BEGIN:VCALENDAR", "hen.ics"), caption="Lịch hẹn"
        )
    finally:
        await bot.session.close()
    assert fake.content_types["sendDocument"].startswith("multipart/form-data")
    sent = fake.last(CHAT)
    assert sent is not None
    assert (sent.text, sent.document, sent.document_name) == (
        "Lịch hẹn",
        "BEGIN:VCALENDAR",
        "hen.ics",
    )


async def test_errors_are_the_ones_aiogram_raises(fake: FakeTelegram) -> None:
    bot = create_bot(fake.token, fake.base_url)
    try:
        with pytest.raises(TelegramBadRequest, match="can't parse entities"):
            await bot.send_message(CHAT, "a < b", parse_mode="HTML")
        await fake.stop()
        with pytest.raises(TelegramNetworkError):
            await bot.send_message(CHAT, "không ai nghe")
    finally:
        await bot.session.close()
