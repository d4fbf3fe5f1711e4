"""Zalo Bot messages: numbered menus, and cutting at 2000 characters without breaking a
Vietnamese word or a menu option."""

from __future__ import annotations

from bot.core.choices import pick
from bot.core.model import Choice, Reply
from handlers.zalo.bot_api import TEXT_LIMIT
from handlers.zalo.render import length, messages

CHOICES = (
    Choice("📅 Lịch tiếp công dân", "menu:schedule"),
    Choice("📝 Đăng ký gặp lãnh đạo", "menu:register"),
    Choice("📋 Phiếu đăng ký của tôi", "menu:status"),
)


def test_choices_become_a_numbered_menu_under_the_text() -> None:
    [text] = messages(Reply("Bạn muốn làm gì?", choices=CHOICES))

    assert text.split("\n") == [
        "Bạn muốn làm gì?",
        "",
        "1️⃣ 📅 Lịch tiếp công dân",
        "2️⃣ 📝 Đăng ký gặp lãnh đạo",
        "3️⃣ 📋 Phiếu đăng ký của tôi",
    ]


def test_the_number_the_words_or_the_payload_answer_the_menu() -> None:
    assert pick("2", CHOICES) == "menu:register"
    assert pick(" phieu dang ky cua toi ", CHOICES) == "menu:status"  # no accents, no emoji
    assert pick("📋 Phiếu đăng ký của tôi", CHOICES) == "menu:status"
    assert pick("menu:schedule", CHOICES) == "menu:schedule"  # an OA button tap
    assert pick("4", CHOICES) is None
    assert pick("0", CHOICES) is None


def test_a_long_reply_is_cut_between_words_and_never_inside_an_option() -> None:
    sentence = "Công dân trình bày khiếu nại về việc thu hồi đất nông nghiệp của gia đình. "
    options = tuple(
        Choice(f"Phiên tiếp ngày {day}/12/2026 lúc 08:00, trụ sở tiếp công dân tỉnh", f"s:{day}")
        for day in range(1, 29)
    )
    reply = Reply(sentence * 40, choices=options)

    parts = messages(reply)

    assert len(parts) > 2
    assert all(1 <= length(part) <= TEXT_LIMIT for part in parts)
    words = (sentence * 40).split()
    # Every word arrives whole and in order: joining the parts gives the text back.
    assert " ".join(" ".join(parts).split())[: len(" ".join(words))] == " ".join(words)
    lines = [line for part in parts for line in part.split("\n")]
    for number, option in enumerate(options, start=1):
        mark = f"{number}️⃣" if number < 10 else f"{number}."
        assert f"{mark} {option.label}" in lines  # each option whole, on one line


def test_a_word_longer_than_a_message_is_the_only_thing_ever_cut() -> None:
    url = "https://example.gov.vn/" + "a" * 4500

    parts = messages(Reply(f"Xem tại {url} nhé"))

    assert all(length(part) <= TEXT_LIMIT for part in parts)
    assert "".join(parts).replace("\n", "").replace(" ", "") == f"Xemtại{url}nhé"
