"""Ticket codes: XXXX-XXXX from an unambiguous alphabet, with a Luhn mod N check character."""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator

import pytest

from bot.core.tickets import ALPHABET, RANDOM_LENGTH, check_character, new_code, normalize

N = len(ALPHABET)
CODE = re.compile(rf"^[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}$")


def luhn_mod_n_valid(compact: str) -> bool:
    """Independent validator: doubling every second character from the right, excluding the
    check character, the folded sum of the whole code is a multiple of N."""
    total = 0
    for position, ch in enumerate(reversed(compact)):
        addend = ALPHABET.index(ch) * (2 if position % 2 else 1)
        total += addend // N + addend % N
    return total % N == 0


def compact(code: str) -> str:
    return code.replace("-", "")


def sample_codes() -> Iterator[str]:
    """A few random codes plus codes with the extreme characters of the alphabet."""
    rng = random.Random(2026)
    for _ in range(6):
        yield new_code(rng.choice)
    for body in ("2222222", "ZZZZZZZ", "XYZ2345", "K7MQX4P"):
        yield f"{body[:4]}-{body[4:]}{check_character(body)}"


def test_alphabet_has_no_ambiguous_characters() -> None:
    assert len(ALPHABET) == 30
    assert len(set(ALPHABET)) == len(ALPHABET)
    assert not set("0O1ILU") & set(ALPHABET)
    assert set(ALPHABET) <= set("23456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    assert RANDOM_LENGTH == 7


def test_check_character_agrees_with_an_independent_validator() -> None:
    rng = random.Random(11)
    for _ in range(500):
        body = "".join(rng.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
        check = check_character(body)
        assert check in ALPHABET
        assert luhn_mod_n_valid(body + check)
        assert [c for c in ALPHABET if luhn_mod_n_valid(body + c)] == [check]


@pytest.mark.parametrize(
    ("body", "check"),
    [
        ("2222222", "2"),  # all indexes 0
        ("3", "Y"),  # index 1 doubled: 2 → (30 - 2) % 30 = 28
        ("23", "Y"),  # the leftmost "2" is not doubled and adds 0
        ("Z", "3"),  # 29 doubled: 58 → 1 + 28 = 29 → 1
        ("ZZ", "4"),  # 29 + 29 = 58 → 28 → 2
    ],
)
def test_check_character_known_values(body: str, check: str) -> None:
    assert check_character(body) == check


def test_new_code_shape() -> None:
    code = new_code()
    assert CODE.match(code), code
    assert len(code) == 9
    assert normalize(code) == code


def test_new_code_is_reproducible_with_a_deterministic_choice() -> None:
    first = [new_code(random.Random(7).choice) for _ in range(3)]
    assert first[0] == first[1] == first[2]
    rng_a, rng_b = random.Random(7), random.Random(7)
    assert [new_code(rng_a.choice) for _ in range(20)] == [
        new_code(rng_b.choice) for _ in range(20)
    ]
    assert new_code(random.Random(7).choice) != new_code(random.Random(8).choice)


def test_new_code_uses_choose_for_the_body() -> None:
    assert new_code(lambda alphabet: alphabet[0]) == "2222-2222"
    assert new_code(lambda alphabet: alphabet[-1]) == f"ZZZZ-ZZZ{check_character('Z' * 7)}"


def test_ten_thousand_codes_are_valid_and_unique() -> None:
    rng = random.Random(20261130)
    codes = [new_code(rng.choice) for _ in range(10_000)]
    assert all(CODE.match(code) for code in codes)
    assert all(normalize(code) == code for code in codes)
    assert all(luhn_mod_n_valid(compact(code)) for code in codes)
    assert len(set(codes)) == len(codes)
    # Every alphabet character shows up in every random position.
    for position in (0, 1, 2, 3, 5, 6, 7):
        assert {code[position] for code in codes} == set(ALPHABET)


@pytest.mark.parametrize(
    "typed",
    [
        lambda a, b: f"{a}-{b}",
        lambda a, b: f"{a}-{b}".lower(),
        lambda a, b: a + b,
        lambda a, b: (a + b).lower(),
        lambda a, b: f"  {a}-{b}  ",
        lambda a, b: f"{a} {b}",
        lambda a, b: f"{a}_{b}",
        lambda a, b: f"{a}.{b}",
        lambda a, b: f"{a} - {b}".lower(),
        lambda a, b: " ".join(a + b),
    ],
    ids=[
        "canonical",
        "lower",
        "compact",
        "compact-lower",
        "padded",
        "space",
        "underscore",
        "dot",
        "spaced-hyphen",
        "spread",
    ],
)
def test_normalize_accepts_what_people_type(typed: Callable[[str, str], str]) -> None:
    code = new_code(random.Random(3).choice)
    a, b = code.split("-")
    assert normalize(typed(a, b)) == code


@pytest.mark.parametrize(
    "text",
    [
        "",
        "-",
        "2222-222",  # 7 characters
        "2222-22222",  # 9 characters
        "2222-2222-2",
        "2222-2220",  # 0 is not in the alphabet
        "O222-2222",
        "1222-2222",
        "I222-2222",
        "L222-2222",
        "U222-2222",
        "2222/2222",
        "2222-2223",  # wrong check character
        "Đ222-2222",
    ],
)
def test_normalize_rejects(text: str) -> None:
    assert normalize(text) is None


def test_every_single_character_substitution_is_detected() -> None:
    for code in sample_codes():
        chars = list(compact(code))
        assert normalize(code) == code
        for position, original in enumerate(chars):
            for replacement in ALPHABET:
                if replacement == original:
                    continue
                typo = chars.copy()
                typo[position] = replacement
                assert normalize("".join(typo)) is None, (code, position, replacement)


def _swapped(chars: str, position: int) -> str:
    return chars[:position] + chars[position + 1] + chars[position] + chars[position + 2 :]


def _transposition_misses() -> set[frozenset[str]]:
    """Every pair of distinct characters, swapped at every adjacent position (check included);
    returns the pairs whose swap normalize() fails to reject."""
    misses: set[frozenset[str]] = set()
    contexts = ("2222222", "ZZZZZZZ", "K7MQX4P", "HJ9ABCD")
    for context in contexts:
        for position in range(RANDOM_LENGTH - 1):  # two body characters
            for a in ALPHABET:
                for b in ALPHABET:
                    if a == b:
                        continue
                    body = context[:position] + a + b + context[position + 2 :]
                    code = body + check_character(body)
                    if normalize(_swapped(code, position)) is not None:
                        misses.add(frozenset((a, b)))
        for last in ALPHABET:  # the last body character and the check character
            body = context[:-1] + last
            code = body + check_character(body)
            if code[-2] != code[-1] and normalize(_swapped(code, RANDOM_LENGTH - 1)):
                misses.add(frozenset(code[-2:]))
    return misses


def test_adjacent_transpositions_are_detected_except_the_luhn_blind_spot() -> None:
    # Luhn mod N cannot see a swap of the first and last alphabet characters ("2" and "Z"),
    # because doubling maps index N-1 to N-1 and index 0 to 0. Everything else is caught.
    assert _transposition_misses() <= {frozenset("2Z")}
