"""Validation of what a citizen types. Pure functions; a problem is an ``Invalid`` whose message
is a msgid the dialogue translates, so the reason reaches the citizen in their language."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

import phonenumbers

from bot.core.i18n import N_
from bot.core.text import fold_words, squeeze


class Invalid(Exception):
    """An answer that cannot be accepted; ``message`` is a msgid with named ``params``."""

    def __init__(self, message: str, params: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.params = params or {}


NAME_MAX = 100
ADDRESS_MIN, ADDRESS_MAX = 5, 250
PEOPLE_MAX = 1000

_NAME_EXTRA = frozenset(" '’-.")


def full_name(text: str) -> str:
    """A person's name: letters (any script), spaces, apostrophes, hyphens; 2–100 characters."""
    name = squeeze(text)
    if len(name) < 2:
        raise Invalid(N_("Please type the full name, for example: Nguyễn Văn An."))
    if len(name) > NAME_MAX:
        raise Invalid(N_("A name can be at most {max} characters."), {"max": NAME_MAX})
    for ch in name:
        if not (unicodedata.category(ch).startswith(("L", "M")) or ch in _NAME_EXTRA):
            raise Invalid(
                N_("A name contains only letters and spaces, for example: Nguyễn Văn An.")
            )
    if not any(unicodedata.category(ch).startswith("L") for ch in name):
        raise Invalid(N_("Please type the full name, for example: Nguyễn Văn An."))
    if name == name.lower() or name == name.upper():
        name = name.title()
    return name


_PHONE_TYPES = frozenset(
    {
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    }
)


def phone_number(text: str) -> str:
    """A Vietnamese mobile or landline number in any usual form; returned in E.164 (+84...)."""
    raw = squeeze(text)
    digits = re.sub(r"[\s.\-()]", "", raw)
    if re.fullmatch(r"84\d{9,10}", digits):
        digits = "+" + digits
    problem = Invalid(
        N_(
            "That does not look like a Vietnamese phone number. "
            "Please type it like 0912 345 678 or +84 912 345 678."
        )
    )
    if not re.fullmatch(r"\+?\d{8,15}", digits):
        raise problem
    try:
        number = phonenumbers.parse(digits, "VN")
    except phonenumbers.NumberParseException as exc:
        raise problem from exc
    if (
        not phonenumbers.is_valid_number(number)
        or phonenumbers.region_code_for_number(number) != "VN"
        or phonenumbers.number_type(number) not in _PHONE_TYPES
    ):
        raise problem
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str) -> str:
    """+84912345678 → 0912 345 678, the way Vietnamese people read their own number."""
    number = phonenumbers.parse(e164, "VN")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


# Province codes that open a 12-digit personal identification number (số định danh cá nhân):
# the code of the province where the birth was registered. Numbers are for life, so the 63
# pre-2025 codes stay valid; the 34 merged provinces each kept one of them.
_ID_PROVINCE_CODES = (
    "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 "
    "034 035 036 037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 "
    "067 068 070 072 074 075 077 079 080 082 083 084 086 087 089 091 092 093 094 095 096"
)
ID_PROVINCE_CODES = frozenset(_ID_PROVINCE_CODES.split())
# The fourth digit encodes sex and century of birth: 0/1 → 1900s, 2/3 → 2000s, … 8/9 → 2300s.
_CENTURY_OF = (1900, 1900, 2000, 2000, 2100, 2100, 2200, 2200, 2300, 2300)


def id_number(text: str, today: date) -> str:
    """A 12-digit citizen identity (CCCD / personal identification) number."""
    digits = re.sub(r"[\s.\-]", "", text)
    if not digits.isdigit() or not digits.isascii():
        raise Invalid(N_("The citizen ID number has only digits: please type the 12 digits."))
    if len(digits) != 12:
        raise Invalid(
            N_("The citizen ID number has 12 digits; you typed {count}."), {"count": len(digits)}
        )
    birth_year = _CENTURY_OF[int(digits[3])] + int(digits[4:6])
    if digits[:3] not in ID_PROVINCE_CODES or birth_year > today.year:
        raise Invalid(
            N_("This is not a valid citizen ID number. Please check the 12 digits on your card.")
        )
    return digits


# Words that name the commune-level unit: xã, phường, đặc khu (and the abbreviations
# people write: "P." and "X."), thị trấn for addresses written before 2025, or in English.
# Accents matter when the citizen typed them: "Xuân Phương" is a name, "phường" a ward.
_COMMUNE_WORDS = r"\b(xã|phường|đặc khu|thị trấn|tt|p|x|ward|commune)\b"
_COMMUNE_WORDS_UNACCENTED = r"\b(xa|phuong|dac khu|thi tran|tt|p|x|ward|commune)\b"


def _names_commune(value: str) -> bool:
    words = " ".join(re.sub(r"[^\w\s]", " ", value.casefold()).split())
    if fold_words(value) != words:
        return re.search(_COMMUNE_WORDS, words) is not None
    return re.search(_COMMUNE_WORDS_UNACCENTED, words) is not None


def address(text: str) -> str:
    value = squeeze(text)
    if len(value) < ADDRESS_MIN:
        raise Invalid(
            N_(
                "Please give the house number or the hamlet (thôn, ấp, bản, tổ dân phố) and "
                "the commune, ward or special zone, for example: Số 12 đường Lê Lợi, phường "
                "Bến Thành."
            )
        )
    if len(value) > ADDRESS_MAX:
        raise Invalid(N_("An address can be at most {max} characters."), {"max": ADDRESS_MAX})
    if not any(ch.isalpha() for ch in value):
        raise Invalid(N_("Please write the address in words, not only numbers."))
    if not _names_commune(value):
        raise Invalid(
            N_(
                "Please include your commune, ward or special zone, for example “phường Bến "
                "Thành”, “xã An Hòa” or “đặc khu Phú Quốc”."
            )
        )
    return value


def bounded_text(text: str, minimum: int, maximum: int) -> str:
    """Free text such as a summary: kept as typed (paragraphs too), within the length bounds."""
    value = "\n".join(squeeze(line) for line in text.strip().splitlines()).strip()
    value = re.sub(r"\n{3,}", "\n\n", value)
    if len(value) < minimum:
        raise Invalid(
            N_("Please write a little more: at least {min} characters."), {"min": minimum}
        )
    if len(value) > maximum:
        raise Invalid(
            N_("This is too long: at most {max} characters, you wrote {count}."),
            {"max": maximum, "count": len(value)},
        )
    return value


LANGUAGE_MAX, LANGUAGE_WORDS = 60, 5
_LANGUAGE_EXTRA = frozenset(" -'’(),/")


def language_name(text: str) -> str:
    """The name of a language, as the citizen writes it ("Khmer", "tiếng Chăm", "ngôn ngữ ký
    hiệu"): a few words of letters, so that a sentence meant for the next question is not
    taken for one."""
    value = squeeze(text)
    if (
        len(value) < 2
        or len(value) > LANGUAGE_MAX
        or len(value.split()) > LANGUAGE_WORDS
        or not any(ch.isalpha() for ch in value)
        or not all(
            unicodedata.category(ch).startswith(("L", "M")) or ch in _LANGUAGE_EXTRA
            for ch in value
        )
    ):
        raise Invalid(
            N_(
                "Please type the name of the language, for example “Khmer”, or tap “No "
                "interpreter needed”."
            )
        )
    return value


def people_count(text: str) -> int:
    value = squeeze(text)
    if not (value.isascii() and value.isdigit()):
        raise Invalid(N_("Please answer with a number, for example 1 if you come alone."))
    count = int(value)
    if not 1 <= count <= PEOPLE_MAX:
        raise Invalid(N_("Please give a number between 1 and {max}."), {"max": PEOPLE_MAX})
    return count
