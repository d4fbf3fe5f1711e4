"""Validation of what a citizen types: each problem is an ``Invalid`` with a msgid and params."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from bot.core.validation import (
    ID_PROVINCE_CODES,
    Invalid,
    address,
    bounded_text,
    display_phone,
    full_name,
    id_number,
    people_count,
    phone_number,
)

TODAY = date(2026, 11, 30)


def test_invalid_carries_a_message_and_params() -> None:
    problem = Invalid("Something {x}", {"x": 1})
    assert problem.message == "Something {x}"
    assert problem.params == {"x": 1}
    assert str(problem) == "Something {x}"
    assert Invalid("plain").params == {}


# --- full_name -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Nguyễn Văn An", "Nguyễn Văn An"),
        ("nguyễn văn an", "Nguyễn Văn An"),
        ("NGUYỄN VĂN AN", "Nguyễn Văn An"),
        ("đặng thị hồng", "Đặng Thị Hồng"),
        ("  Nguyễn  Văn   An  ", "Nguyễn Văn An"),
        ("Nguyễn\tVăn\nAn", "Nguyễn Văn An"),
        ("Nguyễn van An", "Nguyễn van An"),  # mixed case is kept as typed
        ("lê thị-hồng", "Lê Thị-Hồng"),
        ("O'Neil", "O'Neil"),
        ("H’Hen Niê", "H’Hen Niê"),
        ("Иван Петров", "Иван Петров"),
        ("Ab", "Ab"),
        ("X" * 100, "X" + "x" * 99),
    ],
)
def test_full_name_accepts(text: str, expected: str) -> None:
    assert full_name(text) == expected


def test_full_name_composes_decomposed_input() -> None:
    decomposed = unicodedata.normalize("NFD", "Nguyễn Văn An")
    assert decomposed != "Nguyễn Văn An"
    assert full_name(decomposed) == "Nguyễn Văn An"


@pytest.mark.parametrize(
    ("text", "message_part"),
    [
        ("", "full name"),
        ("   ", "full name"),
        ("A", "full name"),
        ("---", "full name"),  # no letter at all
        ("Nguyễn Văn An 2", "only letters"),
        ("An1", "only letters"),
        ("Nguyễn@An", "only letters"),
        ("Nguyễn_An", "only letters"),
        ("Nguyễn (An)", "only letters"),
    ],
)
def test_full_name_rejects(text: str, message_part: str) -> None:
    with pytest.raises(Invalid) as caught:
        full_name(text)
    assert message_part in caught.value.message


def test_full_name_too_long() -> None:
    with pytest.raises(Invalid) as caught:
        full_name("A" * 101)
    assert caught.value.params == {"max": 100}
    assert "{max}" in caught.value.message


def test_full_name_length_counts_after_squeezing() -> None:
    first, last = "A" + "n" * 49, "B" + "i" * 48
    assert full_name(f"{first}     {last}") == f"{first} {last}"  # 104 typed, 100 kept
    with pytest.raises(Invalid):
        full_name(f"{first}     {last}x")  # 101 after squeezing


# --- phone_number / display_phone --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0912345678", "+84912345678"),
        ("0912 345 678", "+84912345678"),
        ("+84 912 345 678", "+84912345678"),
        ("+84912345678", "+84912345678"),
        ("84912345678", "+84912345678"),
        ("091.234.5678", "+84912345678"),
        ("091-234-5678", "+84912345678"),
        ("  0912 345 678  ", "+84912345678"),
        ("0987654321", "+84987654321"),
        ("024 3825 1234", "+842438251234"),
        ("(024) 3825 1234", "+842438251234"),
        ("028 3822 1234", "+842838221234"),
    ],
)
def test_phone_number_accepts_vietnamese_numbers(text: str, expected: str) -> None:
    assert phone_number(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "0912",
        "09123",
        "0912 345",
        "0912 345 67a",
        "không chín một hai",
        "phone",
        "+1 650 253 0000",  # United States
        "+44 20 7946 0958",  # United Kingdom
        "1900 1234",  # shared-cost / premium
        "1900 6789",
        "1800 1234",  # toll-free
        "0912345678901234567",
    ],
)
def test_phone_number_rejects(text: str) -> None:
    with pytest.raises(Invalid) as caught:
        phone_number(text)
    assert "Vietnamese phone number" in caught.value.message


@pytest.mark.parametrize(
    ("e164", "expected"),
    [("+84912345678", "0912 345 678"), ("+842438251234", "024 3825 1234")],
)
def test_display_phone(e164: str, expected: str) -> None:
    assert display_phone(e164) == expected


@pytest.mark.parametrize("text", ["0912 345 678", "+84 24 3825 1234", "84987654321"])
def test_display_then_parse_round_trips(text: str) -> None:
    e164 = phone_number(text)
    assert phone_number(display_phone(e164)) == e164


# --- id_number -----------------------------------------------------------------------------


def test_province_codes_are_the_63_former_provinces() -> None:
    assert len(ID_PROVINCE_CODES) == 63
    assert all(len(code) == 3 and code.isdigit() for code in ID_PROVINCE_CODES)
    assert {"001", "031", "048", "079", "092", "096"} <= ID_PROVINCE_CODES
    assert not {"000", "003", "097", "099"} & ID_PROVINCE_CODES


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("001203000001", "001203000001"),  # Hà Nội, man born 2003
        ("001 203 000 001", "001203000001"),
        ("001.203.000.001", "001203000001"),
        ("001-203-000-001", "001203000001"),
        (" 079099000001 ", "079099000001"),  # HCMC, man born 1999
        ("096185123456", "096185123456"),  # Cà Mau, woman born 1985
        ("031326000001", "031326000001"),  # woman born 2026: this year is fine
        ("048000000000", "048000000000"),  # born 1900
    ],
)
def test_id_number_accepts(text: str, expected: str) -> None:
    assert id_number(text, TODAY) == expected


@pytest.mark.parametrize(
    "text",
    [
        "000203000001",  # no province 000
        "003203000001",  # 003 is not a province code
        "097203000001",
        "099203000001",
        "001230000001",  # man born 2030
        "001327000001",  # woman born 2027
        "001400000001",  # born 2100
        "001600000001",  # born 2200
    ],
)
def test_id_number_rejects_impossible_numbers(text: str) -> None:
    with pytest.raises(Invalid) as caught:
        id_number(text, TODAY)
    assert "not a valid citizen ID" in caught.value.message


def test_id_number_birth_year_is_relative_to_today() -> None:
    with pytest.raises(Invalid):
        id_number("001227000001", date(2026, 12, 31))
    assert id_number("001227000001", date(2027, 1, 1)) == "001227000001"


@pytest.mark.parametrize("code", sorted(ID_PROVINCE_CODES))
def test_id_number_accepts_every_province_code(code: str) -> None:
    assert id_number(f"{code}085000123", TODAY) == f"{code}085000123"


@pytest.mark.parametrize(
    ("text", "count"),
    [("00120300000", 11), ("0012030000011", 13), ("1", 1), ("001 203 000 00", 11)],
)
def test_id_number_wrong_length_names_the_count(text: str, count: int) -> None:
    with pytest.raises(Invalid) as caught:
        id_number(text, TODAY)
    assert caught.value.params == {"count": count}
    assert "{count}" in caught.value.message


@pytest.mark.parametrize(
    "text", ["", "abc", "00120300000A", "001203/00001", "００１２０３０００００１"]
)
def test_id_number_rejects_non_digits(text: str) -> None:
    with pytest.raises(Invalid) as caught:
        id_number(text, TODAY)
    assert "only digits" in caught.value.message


@pytest.mark.parametrize("text", ["Số 12", "Số 12 đường Lê Lợi", "Thôn Xuân Phương 2"])
def test_address_must_name_the_commune_or_ward(text: str) -> None:
    with pytest.raises(Invalid) as caught:
        address(text)
    assert "commune, ward or special zone" in caught.value.message


def test_id_number_rejects_century_digit_8_and_9() -> None:
    for text in ("001880000001", "001999000001"):
        with pytest.raises(Invalid):
            id_number(text, TODAY)


# --- address -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Số 12 đường Lê Lợi, phường Bến Thành", "Số 12 đường Lê Lợi, phường Bến Thành"),
        ("  thôn  2,   xã An Phú ", "thôn 2, xã An Phú"),
        ("Tổ 5, P. Tân Định", "Tổ 5, P. Tân Định"),
        ("Ấp 3, x. Long Hòa", "Ấp 3, x. Long Hòa"),
        ("12 Tran Phu, Dac khu Phu Quoc", "12 Tran Phu, Dac khu Phu Quoc"),
        ("Flat 4, Ben Thanh ward", "Flat 4, Ben Thanh ward"),
    ],
)
def test_address_accepts(text: str, expected: str) -> None:
    assert address(text) == expected


@pytest.mark.parametrize(
    ("text", "message_part", "params"),
    [
        ("", "commune, ward or special zone", {}),
        ("Số 1", "commune, ward or special zone", {}),
        ("12345 678", "not only numbers", {}),
        ("a" * 251, "at most", {"max": 250}),
    ],
)
def test_address_rejects(text: str, message_part: str, params: dict[str, object]) -> None:
    with pytest.raises(Invalid) as caught:
        address(text)
    assert message_part in caught.value.message
    assert caught.value.params == params


# --- bounded_text --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Một dòng  ", "Một dòng"),
        ("Dòng  một\nDòng   hai", "Dòng một\nDòng hai"),
        ("Đoạn một.\n\nĐoạn hai.", "Đoạn một.\n\nĐoạn hai."),
        ("Đoạn một.\n\n\n\n\nĐoạn hai.", "Đoạn một.\n\nĐoạn hai."),
        ("\n\n  Đầu\n  \n\t\nCuối  \n\n", "Đầu\n\nCuối"),
        ("A\r\nB", "A\nB"),
    ],
)
def test_bounded_text_keeps_paragraphs(text: str, expected: str) -> None:
    assert bounded_text(text, 1, 1000) == expected


def test_bounded_text_minimum() -> None:
    assert bounded_text("abcde", 5, 10) == "abcde"
    with pytest.raises(Invalid) as caught:
        bounded_text("  abcd     ", 5, 10)
    assert caught.value.params == {"min": 5}
    assert "{min}" in caught.value.message


def test_bounded_text_maximum() -> None:
    assert bounded_text("a" * 10, 5, 10) == "a" * 10
    with pytest.raises(Invalid) as caught:
        bounded_text("a" * 11, 5, 10)
    assert caught.value.params == {"max": 10, "count": 11}
    assert "{max}" in caught.value.message
    assert "{count}" in caught.value.message


def test_bounded_text_measures_after_tidying() -> None:
    # Twelve characters typed, nine after squeezing the spaces.
    assert bounded_text("abcd    efgh", 1, 9) == "abcd efgh"


# --- people_count --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"), [("1", 1), (" 7 ", 7), ("10", 10), ("1000", 1000), ("007", 7)]
)
def test_people_count_accepts(text: str, expected: int) -> None:
    assert people_count(text) == expected


@pytest.mark.parametrize(
    ("text", "message_part", "params"),
    [
        ("0", "between 1 and", {"max": 1000}),
        ("1001", "between 1 and", {"max": 1000}),
        ("99999", "between 1 and", {"max": 1000}),
        ("-3", "with a number", {}),
        ("abc", "with a number", {}),
        ("", "with a number", {}),
        ("2.5", "with a number", {}),
        ("hai", "with a number", {}),
    ],
)
def test_people_count_rejects(text: str, message_part: str, params: dict[str, object]) -> None:
    with pytest.raises(Invalid) as caught:
        people_count(text)
    assert message_part in caught.value.message
    assert caught.value.params == params


def test_people_count_superscript_digit_is_invalid_not_a_crash() -> None:
    with pytest.raises(Invalid):
        people_count("²")
