"""Text helpers shared by matching and validation."""

from __future__ import annotations

import unicodedata

import pytest

from bot.core.text import fold, fold_words, squeeze
from bot.core.validation import bounded_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Từ  Chối", "tu choi"),
        ("Đắk Lắk", "dak lak"),
        ("ĐẮK LẮK", "dak lak"),
        ("đường", "duong"),
        ("Thanh Hóa", "thanh hoa"),
        ("Thanh Hoá", "thanh hoa"),
        ("  Hà\tNội \n", "ha noi"),
        ("TP. Hồ Chí Minh", "tp. ho chi minh"),  # fold keeps punctuation
        ("", ""),
        ("Straße", "strasse"),
    ],
)
def test_fold(text: str, expected: str) -> None:
    assert fold(text) == expected


def test_fold_handles_decomposed_input() -> None:
    assert fold(unicodedata.normalize("NFD", "Nguyễn Đức")) == "nguyen duc"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Từ  Chối", "tu choi"),
        ("TP. Hồ Chí Minh", "tp ho chi minh"),
        ("Bà Rịa - Vũng Tàu", "ba ria vung tau"),
        ("Bao lâu thì có kết quả???", "bao lau thi co ket qua"),
        ("/register", "register"),
        ("(Khiếu nại), tố cáo!", "khieu nai to cao"),
        ("...", ""),
        ("10 ngày", "10 ngay"),
    ],
)
def test_fold_words_removes_punctuation(text: str, expected: str) -> None:
    assert fold_words(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Nguyễn   Văn\tAn  ", "Nguyễn Văn An"),
        ("dòng một\ndòng hai", "dòng một dòng hai"),
        ("Từ  Chối", "Từ Chối"),  # keeps case and accents
        ("", ""),
        ("   ", ""),
    ],
)
def test_squeeze(text: str, expected: str) -> None:
    assert squeeze(text) == expected


def test_squeeze_composes_to_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Nguyễn")
    assert len(decomposed) > len("Nguyễn")
    assert squeeze(decomposed) == "Nguyễn"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  một  \n  hai  ", "một\nhai"),
        ("một\n\n\n\nhai", "một\n\nhai"),
        ("\n\n một \n\n", "một"),
        ("một\n   \n\t\nhai", "một\n\nhai"),
        ("a  b\n\nc   d\n\n\ne", "a b\n\nc d\n\ne"),
        ("", ""),
    ],
)
def test_free_text_keeps_paragraphs_but_not_extra_space(text: str, expected: str) -> None:
    assert bounded_text(text, 0, 10_000) == expected


def test_free_text_is_composed_to_nfc() -> None:
    assert bounded_text(unicodedata.normalize("NFD", "Tiếp  dân"), 0, 100) == "Tiếp dân"
