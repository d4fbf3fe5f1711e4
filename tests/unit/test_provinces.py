"""The 34 provinces since 2025 and matching of what citizens type, former names included."""

from __future__ import annotations

import pytest

from bot.core import provinces
from bot.core.provinces import PROVINCES, match_province
from bot.core.text import fold_words

CITIES = {
    "Thành phố Hà Nội",
    "Thành phố Huế",
    "Thành phố Hải Phòng",
    "Thành phố Đà Nẵng",
    "Thành phố Hồ Chí Minh",
    "Thành phố Cần Thơ",
}

# The 63 provinces before 1 July 2025 and the province that holds each now
# (Resolution 202/2025/QH15).
FORMER_PROVINCES = {
    "Hà Nội": "Thành phố Hà Nội",
    "Thừa Thiên Huế": "Thành phố Huế",
    "Hải Phòng": "Thành phố Hải Phòng",
    "Hải Dương": "Thành phố Hải Phòng",
    "Đà Nẵng": "Thành phố Đà Nẵng",
    "Quảng Nam": "Thành phố Đà Nẵng",
    "Hồ Chí Minh": "Thành phố Hồ Chí Minh",
    "Bình Dương": "Thành phố Hồ Chí Minh",
    "Bà Rịa - Vũng Tàu": "Thành phố Hồ Chí Minh",
    "Cần Thơ": "Thành phố Cần Thơ",
    "Sóc Trăng": "Thành phố Cần Thơ",
    "Hậu Giang": "Thành phố Cần Thơ",
    "An Giang": "Tỉnh An Giang",
    "Kiên Giang": "Tỉnh An Giang",
    "Bắc Ninh": "Tỉnh Bắc Ninh",
    "Bắc Giang": "Tỉnh Bắc Ninh",
    "Cà Mau": "Tỉnh Cà Mau",
    "Bạc Liêu": "Tỉnh Cà Mau",
    "Cao Bằng": "Tỉnh Cao Bằng",
    "Đắk Lắk": "Tỉnh Đắk Lắk",
    "Phú Yên": "Tỉnh Đắk Lắk",
    "Điện Biên": "Tỉnh Điện Biên",
    "Đồng Nai": "Tỉnh Đồng Nai",
    "Bình Phước": "Tỉnh Đồng Nai",
    "Đồng Tháp": "Tỉnh Đồng Tháp",
    "Tiền Giang": "Tỉnh Đồng Tháp",
    "Gia Lai": "Tỉnh Gia Lai",
    "Bình Định": "Tỉnh Gia Lai",
    "Hà Tĩnh": "Tỉnh Hà Tĩnh",
    "Hưng Yên": "Tỉnh Hưng Yên",
    "Thái Bình": "Tỉnh Hưng Yên",
    "Khánh Hòa": "Tỉnh Khánh Hòa",
    "Ninh Thuận": "Tỉnh Khánh Hòa",
    "Lai Châu": "Tỉnh Lai Châu",
    "Lâm Đồng": "Tỉnh Lâm Đồng",
    "Đắk Nông": "Tỉnh Lâm Đồng",
    "Bình Thuận": "Tỉnh Lâm Đồng",
    "Lạng Sơn": "Tỉnh Lạng Sơn",
    "Lào Cai": "Tỉnh Lào Cai",
    "Yên Bái": "Tỉnh Lào Cai",
    "Nghệ An": "Tỉnh Nghệ An",
    "Ninh Bình": "Tỉnh Ninh Bình",
    "Hà Nam": "Tỉnh Ninh Bình",
    "Nam Định": "Tỉnh Ninh Bình",
    "Phú Thọ": "Tỉnh Phú Thọ",
    "Vĩnh Phúc": "Tỉnh Phú Thọ",
    "Hòa Bình": "Tỉnh Phú Thọ",
    "Quảng Ngãi": "Tỉnh Quảng Ngãi",
    "Kon Tum": "Tỉnh Quảng Ngãi",
    "Quảng Ninh": "Tỉnh Quảng Ninh",
    "Quảng Trị": "Tỉnh Quảng Trị",
    "Quảng Bình": "Tỉnh Quảng Trị",
    "Sơn La": "Tỉnh Sơn La",
    "Tây Ninh": "Tỉnh Tây Ninh",
    "Long An": "Tỉnh Tây Ninh",
    "Thái Nguyên": "Tỉnh Thái Nguyên",
    "Bắc Kạn": "Tỉnh Thái Nguyên",
    "Thanh Hóa": "Tỉnh Thanh Hóa",
    "Tuyên Quang": "Tỉnh Tuyên Quang",
    "Hà Giang": "Tỉnh Tuyên Quang",
    "Vĩnh Long": "Tỉnh Vĩnh Long",
    "Bến Tre": "Tỉnh Vĩnh Long",
    "Trà Vinh": "Tỉnh Vĩnh Long",
}


def test_there_are_34_unique_provinces() -> None:
    assert len(PROVINCES) == 34
    assert len(set(PROVINCES)) == 34
    assert len({fold_words(name) for name in PROVINCES}) == 34


def test_six_centrally_run_cities_and_28_provinces() -> None:
    assert {name for name in PROVINCES if name.startswith("Thành phố ")} == CITIES
    assert sum(name.startswith("Tỉnh ") for name in PROVINCES) == 28


def test_former_province_table_is_complete() -> None:
    assert len(FORMER_PROVINCES) == 63
    assert set(FORMER_PROVINCES.values()) == set(PROVINCES)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ha noi", "Thành phố Hà Nội"),
        ("Hà Nội", "Thành phố Hà Nội"),
        ("  HÀ  NỘI ", "Thành phố Hà Nội"),
        ("Thành phố Hà Nội", "Thành phố Hà Nội"),
        ("thanh pho ha noi", "Thành phố Hà Nội"),
        ("TP. Hồ Chí Minh", "Thành phố Hồ Chí Minh"),
        ("tp ho chi minh", "Thành phố Hồ Chí Minh"),
        ("TP.HCM", "Thành phố Hồ Chí Minh"),
        ("Sài Gòn", "Thành phố Hồ Chí Minh"),
        ("tỉnh vĩnh long", "Tỉnh Vĩnh Long"),
        ("Tinh Vinh Long", "Tỉnh Vĩnh Long"),
        ("Đắk Lắk", "Tỉnh Đắk Lắk"),
        ("dak lak", "Tỉnh Đắk Lắk"),
        ("Tỉnh Đắk Lắk", "Tỉnh Đắk Lắk"),
        ("Thanh Hoá", "Tỉnh Thanh Hóa"),  # old-style accent placement
        ("Khánh Hoà", "Tỉnh Khánh Hòa"),
        ("Bến Tre", "Tỉnh Vĩnh Long"),
        ("Tỉnh Bến Tre", "Tỉnh Vĩnh Long"),
        ("Bình Dương", "Thành phố Hồ Chí Minh"),
        ("Hà Giang", "Tỉnh Tuyên Quang"),
        ("Quảng Nam", "Thành phố Đà Nẵng"),
        ("Thừa Thiên - Huế", "Thành phố Huế"),
        ("Bà Rịa–Vũng Tàu", "Thành phố Hồ Chí Minh"),
    ],
)
def test_match_province(text: str, expected: str) -> None:
    assert match_province(text) == expected


@pytest.mark.parametrize("name", PROVINCES)
def test_every_official_name_matches_itself_with_and_without_prefix(name: str) -> None:
    short = name.removeprefix("Thành phố ").removeprefix("Tỉnh ")
    assert match_province(name) == name
    assert match_province(short) == name
    assert match_province(fold_words(name)) == name
    assert match_province(name.upper()) == name


@pytest.mark.parametrize(("former", "successor"), FORMER_PROVINCES.items())
def test_former_provinces_map_to_their_successor(former: str, successor: str) -> None:
    assert match_province(former) == successor
    assert match_province(f"Tỉnh {former}") == successor
    assert match_province(fold_words(former)) == successor


def test_every_alias_target_is_a_province() -> None:
    assert provinces._ALIASES
    assert set(provinces._ALIASES.values()) <= set(PROVINCES)
    for alias, target in provinces._ALIASES.items():
        assert match_province(alias) == target, alias


@pytest.mark.parametrize(
    "text", ["", "   ", "...", "xyz", "Tỉnh", "TP", "Thành phố", "Paris", "Hà Nội Hà Nội", "Ha"]
)
def test_match_province_returns_none_for_nonsense(text: str) -> None:
    assert match_province(text) is None
