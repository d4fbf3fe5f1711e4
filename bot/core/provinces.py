"""The 34 provinces and centrally-run cities since the 2025 reorganisation (Resolution
202/2025/QH15), and matching of what a citizen types, old province names included."""

from __future__ import annotations

from bot.core.text import fold_words

PROVINCES: tuple[str, ...] = (
    "Thành phố Hà Nội",
    "Thành phố Huế",
    "Thành phố Hải Phòng",
    "Thành phố Đà Nẵng",
    "Thành phố Hồ Chí Minh",
    "Thành phố Cần Thơ",
    "Tỉnh An Giang",
    "Tỉnh Bắc Ninh",
    "Tỉnh Cà Mau",
    "Tỉnh Cao Bằng",
    "Tỉnh Đắk Lắk",
    "Tỉnh Điện Biên",
    "Tỉnh Đồng Nai",
    "Tỉnh Đồng Tháp",
    "Tỉnh Gia Lai",
    "Tỉnh Hà Tĩnh",
    "Tỉnh Hưng Yên",
    "Tỉnh Khánh Hòa",
    "Tỉnh Lai Châu",
    "Tỉnh Lâm Đồng",
    "Tỉnh Lạng Sơn",
    "Tỉnh Lào Cai",
    "Tỉnh Nghệ An",
    "Tỉnh Ninh Bình",
    "Tỉnh Phú Thọ",
    "Tỉnh Quảng Ngãi",
    "Tỉnh Quảng Ninh",
    "Tỉnh Quảng Trị",
    "Tỉnh Sơn La",
    "Tỉnh Tây Ninh",
    "Tỉnh Thái Nguyên",
    "Tỉnh Thanh Hóa",
    "Tỉnh Tuyên Quang",
    "Tỉnh Vĩnh Long",
)

# Former provinces (before 1 July 2025) and common short names, to the province that holds them
# now. People keep writing the old names for years.
_ALIASES: dict[str, str] = {
    "ha noi": "Thành phố Hà Nội",
    "hn": "Thành phố Hà Nội",
    "thua thien hue": "Thành phố Huế",
    "hue": "Thành phố Huế",
    "hai phong": "Thành phố Hải Phòng",
    "hai duong": "Thành phố Hải Phòng",
    "da nang": "Thành phố Đà Nẵng",
    "quang nam": "Thành phố Đà Nẵng",
    "ho chi minh": "Thành phố Hồ Chí Minh",
    "tp hcm": "Thành phố Hồ Chí Minh",
    "tphcm": "Thành phố Hồ Chí Minh",
    "hcm": "Thành phố Hồ Chí Minh",
    "sai gon": "Thành phố Hồ Chí Minh",
    "binh duong": "Thành phố Hồ Chí Minh",
    "ba ria vung tau": "Thành phố Hồ Chí Minh",
    "vung tau": "Thành phố Hồ Chí Minh",
    "can tho": "Thành phố Cần Thơ",
    "soc trang": "Thành phố Cần Thơ",
    "hau giang": "Thành phố Cần Thơ",
    "an giang": "Tỉnh An Giang",
    "kien giang": "Tỉnh An Giang",
    "bac ninh": "Tỉnh Bắc Ninh",
    "bac giang": "Tỉnh Bắc Ninh",
    "ca mau": "Tỉnh Cà Mau",
    "bac lieu": "Tỉnh Cà Mau",
    "cao bang": "Tỉnh Cao Bằng",
    "dak lak": "Tỉnh Đắk Lắk",
    "daklak": "Tỉnh Đắk Lắk",
    "dac lac": "Tỉnh Đắk Lắk",
    "phu yen": "Tỉnh Đắk Lắk",
    "dien bien": "Tỉnh Điện Biên",
    "dong nai": "Tỉnh Đồng Nai",
    "binh phuoc": "Tỉnh Đồng Nai",
    "dong thap": "Tỉnh Đồng Tháp",
    "tien giang": "Tỉnh Đồng Tháp",
    "gia lai": "Tỉnh Gia Lai",
    "binh dinh": "Tỉnh Gia Lai",
    "ha tinh": "Tỉnh Hà Tĩnh",
    "hung yen": "Tỉnh Hưng Yên",
    "thai binh": "Tỉnh Hưng Yên",
    "khanh hoa": "Tỉnh Khánh Hòa",
    "ninh thuan": "Tỉnh Khánh Hòa",
    "lai chau": "Tỉnh Lai Châu",
    "lam dong": "Tỉnh Lâm Đồng",
    "dak nong": "Tỉnh Lâm Đồng",
    "binh thuan": "Tỉnh Lâm Đồng",
    "lang son": "Tỉnh Lạng Sơn",
    "lao cai": "Tỉnh Lào Cai",
    "yen bai": "Tỉnh Lào Cai",
    "nghe an": "Tỉnh Nghệ An",
    "ninh binh": "Tỉnh Ninh Bình",
    "ha nam": "Tỉnh Ninh Bình",
    "nam dinh": "Tỉnh Ninh Bình",
    "phu tho": "Tỉnh Phú Thọ",
    "vinh phuc": "Tỉnh Phú Thọ",
    "hoa binh": "Tỉnh Phú Thọ",
    "quang ngai": "Tỉnh Quảng Ngãi",
    "kon tum": "Tỉnh Quảng Ngãi",
    "quang ninh": "Tỉnh Quảng Ninh",
    "quang tri": "Tỉnh Quảng Trị",
    "quang binh": "Tỉnh Quảng Trị",
    "son la": "Tỉnh Sơn La",
    "tay ninh": "Tỉnh Tây Ninh",
    "long an": "Tỉnh Tây Ninh",
    "thai nguyen": "Tỉnh Thái Nguyên",
    "bac kan": "Tỉnh Thái Nguyên",
    "bac can": "Tỉnh Thái Nguyên",
    "thanh hoa": "Tỉnh Thanh Hóa",
    "tuyen quang": "Tỉnh Tuyên Quang",
    "ha giang": "Tỉnh Tuyên Quang",
    "vinh long": "Tỉnh Vĩnh Long",
    "ben tre": "Tỉnh Vĩnh Long",
    "tra vinh": "Tỉnh Vĩnh Long",
}

_PREFIXES = ("thanh pho ", "tp ", "tinh ")


def match_province(text: str) -> str | None:
    """The official name of the province meant by ``text`` ("ha noi", "Tỉnh Bến Tre"…), or None."""
    key = fold_words(text).replace("đ", "d")
    for prefix in _PREFIXES:
        if key.startswith(prefix):
            key = key[len(prefix) :]
            break
    if not key:
        return None
    for name in PROVINCES:
        short = fold_words(name)
        for prefix in _PREFIXES:
            short = short.removeprefix(prefix)
        if key == short:
            return name
    return _ALIASES.get(key)
