"""How a Reply becomes Telegram messages: escaping, length, buttons."""

from __future__ import annotations

import gc

import pytest
from aiogram.methods import AnswerCallbackQuery, SendDocument, SendMessage
from aiogram.methods.base import Response
from aiogram.types import InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove

from bot.core.model import Choice, Reply
from handlers.telegram.channel import _RESPONSES
from handlers.telegram.polling import GetUpdatesAsSent
from handlers.telegram.render import (
    TEXT_LIMIT,
    ButtonTooLong,
    length,
    messages,
    split,
)


def test_text_from_citizens_and_the_database_is_escaped() -> None:
    [message] = messages(Reply("Nội dung: <b>tố cáo</b> & <script>x</script>"))

    assert (
        message.html == "Nội dung: &lt;b&gt;tố cáo&lt;/b&gt; &amp; &lt;script&gt;x&lt;/script&gt;"
    )
    # A plain message also takes away a "share my phone number" keyboard left on screen.
    assert isinstance(message.markup, ReplyKeyboardRemove)


def test_a_long_text_is_split_at_line_breaks_and_buttons_go_with_the_last_part() -> None:
    lines = [f"Dòng {n}: công dân trình bày nội dung khiếu nại về đất đai." for n in range(200)]
    reply = Reply("\n".join(lines), choices=(Choice("Có", "yes"), Choice("Không", "no")))

    parts = messages(reply)

    assert len(parts) == 3
    assert all(length(part.html) <= TEXT_LIMIT for part in parts)
    assert [part.markup for part in parts[:-1]] == [None, None]
    assert isinstance(parts[-1].markup, InlineKeyboardMarkup)
    # Nothing is lost or reordered: every line is whole, in one part, in order.
    assert "\n".join(part.html for part in parts).split("\n") == lines


def test_length_counts_utf16_code_units_as_telegram_does() -> None:
    assert length("tiếp dân") == 8
    assert length("📅") == 2
    emoji_text = "📅 " * 3000  # 9000 UTF-16 units though only 6000 characters

    parts = split(emoji_text)

    assert len(parts) == 3
    assert all(length(part) <= TEXT_LIMIT for part in parts)
    assert "".join(parts).count("📅") == 3000


def test_a_word_longer_than_the_limit_is_cut_without_losing_a_character() -> None:
    word = "a" * (TEXT_LIMIT * 2 + 10)

    parts = split(f"đầu {word} cuối")

    assert all(length(part) <= TEXT_LIMIT for part in parts)
    assert "".join(parts).replace(" ", "") == f"đầu{word}cuối"


def test_short_choices_sit_two_to_a_row_long_ones_one_to_a_row() -> None:
    short = messages(Reply("?", choices=tuple(Choice(str(n), f"p{n}") for n in range(5))))
    long = messages(
        Reply(
            "?",
            choices=(
                Choice("Đăng ký gặp lãnh đạo", "register"),
                Choice("Lịch tiếp", "schedule"),
            ),
        )
    )

    short_markup = short[-1].markup
    long_markup = long[-1].markup
    assert isinstance(short_markup, InlineKeyboardMarkup)
    assert isinstance(long_markup, InlineKeyboardMarkup)
    assert [len(row) for row in short_markup.inline_keyboard] == [2, 2, 1]
    assert [len(row) for row in long_markup.inline_keyboard] == [1, 1]
    assert long_markup.inline_keyboard[0][0].callback_data == "register"


def test_choices_with_a_contact_request_become_two_messages() -> None:
    reply = Reply(
        "Số điện thoại của bạn?",
        choices=(Choice("Quay lại", "back"),),
        contact_request="📱 Gửi số điện thoại của tôi",
    )

    first, second = messages(reply)

    assert isinstance(first.markup, InlineKeyboardMarkup)
    assert isinstance(second.markup, ReplyKeyboardMarkup)
    button = second.markup.keyboard[0][0]
    assert button.request_contact is True
    assert button.text == "📱 Gửi số điện thoại của tôi"


def test_a_payload_over_64_bytes_is_a_bug_not_a_silent_truncation() -> None:
    # 22 "ệ" are 66 bytes in UTF-8 though only 22 characters.
    with pytest.raises(ButtonTooLong):
        messages(Reply("?", choices=(Choice("x", "ệ" * 22),)))


def test_an_empty_text_still_makes_a_sendable_message() -> None:
    [message] = messages(Reply("", choices=(Choice("OK", "ok"),)))

    assert message.html


def test_the_answers_of_the_methods_the_bot_calls_are_parsed_by_classes_built_once() -> None:
    # Rebuilding a collected Response[...] class cost ~3 ms per answer under load; the channel
    # holds them, which only helps while aiogram asks for exactly these.
    gc.collect()
    for method in (GetUpdatesAsSent, SendMessage, SendDocument, AnswerCallbackQuery):
        answer = Response[method.__returning__]  # type: ignore[name-defined]
        assert any(answer is held for held in _RESPONSES), method.__name__
