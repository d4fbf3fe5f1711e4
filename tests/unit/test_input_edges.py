"""The edges of what a citizen may type: the last option of a menu by its number, an address or
a language name of exactly the allowed length, names in scripts written with combining marks
(Khmer, which NFC cannot compose away); and the name of a public holiday.

Written against mutants of ``make mutate`` that no other test noticed (docs/testing.md)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core.choices import pick
from bot.core.model import Choice
from bot.core.validation import (
    ADDRESS_MAX,
    ADDRESS_MIN,
    LANGUAGE_MAX,
    LANGUAGE_WORDS,
    Invalid,
    address,
    full_name,
    language_name,
)
from bot.core.workdays import WorkCalendar

MENU = (
    Choice("Khiếu nại", "reg:kind:complaint"),
    Choice("Tố cáo", "reg:kind:denunciation"),
    Choice("Kiến nghị, phản ánh", "reg:kind:petition"),
)


# --- a menu answered by typing --------------------------------------------------------------


def test_the_number_of_the_last_option_picks_it_and_the_next_number_nothing() -> None:
    assert pick("1", MENU) == "reg:kind:complaint"
    assert pick("3", MENU) == "reg:kind:petition"
    assert pick(" 3 ", MENU) == "reg:kind:petition"
    assert pick("4", MENU) is None


def test_text_picks_nothing_when_no_menu_is_shown() -> None:
    for typed in ("1", "Khiếu nại", "reg:kind:complaint", ""):
        assert pick(typed, ()) is None
    assert pick("   ", MENU) is None


# --- address --------------------------------------------------------------------------------


def test_an_address_of_exactly_the_shortest_length_is_accepted() -> None:
    assert len("xã An") == ADDRESS_MIN
    assert address("xã An") == "xã An"
    with pytest.raises(Invalid):
        address("xã A")


def test_an_address_of_exactly_the_longest_length_is_accepted() -> None:
    start = "Số 5 ngõ 10 phố Huế, phường Hai Bà Trưng, "
    longest = start + "x" * (ADDRESS_MAX - len(start))
    assert len(longest) == ADDRESS_MAX
    assert address(longest) == longest
    with pytest.raises(Invalid) as caught:
        address(longest + "x")
    assert caught.value.params == {"max": ADDRESS_MAX}


# --- the language an interpreter is needed for ----------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Mạ",  # two letters: the language of the Mạ people
        "tiếng Khmer vùng Nam Bộ",  # five words
        "ភាសាខ្មែរ",  # "Khmer language" in Khmer script, with its combining vowel signs
        "ngôn ngữ ký hiệu (VSL)",
        "H" + "m" * (LANGUAGE_MAX - 1),
    ],
)
def test_a_language_name_within_the_limits_is_accepted(text: str) -> None:
    assert len(text) >= 2
    assert len(text) <= LANGUAGE_MAX
    assert len(text.split()) <= LANGUAGE_WORDS
    assert language_name(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "K",  # one letter
        "H" + "m" * LANGUAGE_MAX,  # one letter over the limit
        "tiếng Khmer của vùng Nam Bộ",  # six words
        "Tôi cần phiên dịch.",  # a sentence meant for the next question
        "tiếng Khmer 2",
        "---",  # no letter at all
        "()",
    ],
)
def test_a_language_name_outside_the_limits_is_refused(text: str) -> None:
    with pytest.raises(Invalid) as caught:
        language_name(text)
    assert "name of the language" in caught.value.message


# --- names written with combining marks -----------------------------------------------------


def test_a_name_in_khmer_script_is_accepted_with_its_vowel_signs() -> None:
    # Khmer vowel signs stay combining marks after NFC: there is no precomposed form.
    assert full_name("សុខ ចាន់") == "សុខ ចាន់"


# --- public holidays ------------------------------------------------------------------------


def test_a_public_holiday_is_named_and_an_ordinary_day_is_not() -> None:
    work = WorkCalendar()
    assert work.holiday_name(date(2027, 2, 6)) == "Lunar New Year"  # Tết 2027
    assert work.holiday_name(date(2026, 9, 2)) == "National Day"
    assert work.holiday_name(date(2026, 12, 14)) is None
