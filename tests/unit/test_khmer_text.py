"""Khmer (and other marks-heavy) text cut into messages: never inside a written character.

Khmer writes a consonant with its vowel signs (marks) and its subscript consonants (COENG,
U+17D2, then the consonant) as one character on screen, and puts no spaces between words, so a
long Khmer text is often cut in the middle of a "word": the cut must fall between two written
characters, at Telegram's 4,096 and Zalo's 2,000.
"""

from __future__ import annotations

import itertools
import unicodedata

import pytest

from bot.core.text import clip, cut_point, fold_words
from handlers.telegram import render as telegram
from handlers.zalo import render as zalo

# "The woman filed a complaint with the People's Committee of the commune" and the like:
# stacked consonants (ស្ត្រី: COENG twice), vowel signs above, below and after.
KHMER = "ស្ត្រីបានដាក់ពាក្យបណ្ដឹងតវ៉ាទៅគណៈកម្មាធិការប្រជាជនឃុំ។ខ្ញុំសូមស្នើសុំជួបថ្នាក់ដឹកនាំ"
COENG = "\u17d2"


def clusters_intact(parts: list[str]) -> None:
    for before, after in itertools.pairwise(parts):
        assert not before.endswith((COENG, "\u200d")), repr(before[-3:])
        assert unicodedata.category(after[0])[0] != "M", repr(after[:3])


def test_a_cut_falls_between_written_characters() -> None:
    word = "ស្ត្រី"  # s, COENG, t, COENG, r, ii: one written character
    assert [cut_point(word, i) for i in range(len(word) + 1)] == [0, 0, 0, 0, 0, 0, 6]
    text = "ក" + word
    assert cut_point(text, 4) == 1  # back to before the cluster
    # Vietnamese written with separate accents: never between a letter and its accent.
    nguyen = unicodedata.normalize("NFD", "Nguyễn")
    assert all(
        unicodedata.category(nguyen[cut_point(nguyen, i)])[0] != "M" for i in range(1, len(nguyen))
    )
    # An emoji with a skin tone, a family joined by ZWJ.
    assert cut_point("a👍🏽", 2) == 1
    assert cut_point("a👩\u200d👧", 3) == 1


# From the longest written character of the text (6 code points) up: a shorter limit could
# only cut one.
@pytest.mark.parametrize("limit", range(6, 64))
def test_telegram_parts_of_any_length_keep_khmer_characters_whole(limit: int) -> None:
    parts = telegram.split(KHMER * 3, limit)
    assert all(telegram.length(part) <= limit for part in parts)
    assert "".join(parts) == KHMER * 3
    clusters_intact(parts)


@pytest.mark.parametrize("limit", range(6, 64))
def test_zalo_parts_of_any_length_keep_khmer_characters_whole(limit: int) -> None:
    parts = zalo.split([KHMER * 3], limit)
    assert all(zalo.length(part) <= limit for part in parts)
    assert "".join(parts) == KHMER * 3
    clusters_intact(parts)


def test_at_the_real_limits_a_long_khmer_text_is_cut_whole() -> None:
    text = KHMER * 120  # about 9,000 characters, no space in it
    for parts, limit in ((telegram.split(text), 4096), (zalo.split([text]), 2000)):
        assert len(parts) > 2 and "".join(parts) == text
        assert all(len(part) <= limit for part in parts)
        clusters_intact(parts)
    # With spaces between phrases, the cuts are at the spaces.
    spaced = " ".join([KHMER] * 150)
    for part in zalo.split([spaced]):
        assert part.startswith(KHMER) and part.endswith(KHMER)


def test_khmer_keywords_keep_their_vowel_signs() -> None:
    # A Khmer vowel sign is a mark, not punctuation: "ការ" stays one word.
    assert fold_words("ការទទួលជួប, ថ្ងៃណា?") == "ការទទួលជួប ថ្ងៃណា"


def test_a_clipped_text_ends_between_written_characters() -> None:
    assert clip("Nguyễn Văn An", 40) == "Nguyễn Văn An"
    for limit in range(7, 30):
        clipped = clip(KHMER, limit)
        assert len(clipped) <= limit and clipped.endswith("…")
        kept = clipped.removesuffix("…")
        assert KHMER.startswith(kept) and not kept.endswith(COENG)
        assert unicodedata.category(KHMER[len(kept)])[0] != "M"
