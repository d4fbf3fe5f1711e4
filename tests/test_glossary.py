"""Every text the bot shows keeps to docs/glossary.md: its "Do not use" table and its date rule.

Vietnamese texts are the msgstr of the vi catalog and the string values of bot/locales/vi/content;
English texts are the msgid and msgstr of the en catalog and the string values of
bot/locales/en/content. Official forms (bot/records/forms/) are copied verbatim and not checked.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.config import DEFAULT_LOCALES_DIR

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "docs" / "glossary.md"
LOCALES_DIR = DEFAULT_LOCALES_DIR
LANGUAGES = ("vi", "en")
# TOML fields that are identifiers or search phrases, not texts anyone reads.
NOT_TEXT = frozenset({"id", "code", "version", "keywords"})


@dataclass(frozen=True)
class Row:
    language: str
    pattern: str
    instead: str
    why: str


@dataclass(frozen=True)
class Rule:
    row: Row
    regex: re.Pattern[str]


# --- the glossary ----------------------------------------------------------------------------


def _section(text: str, heading: str) -> str:
    """The body of a level-2 section, up to the next level-2 heading."""
    match = re.search(rf"^## {re.escape(heading)}[ \t]*\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"{GLOSSARY.name}: no section '## {heading}'"
    return match.group(1)


def _cells(line: str) -> list[str]:
    """The cells of a Markdown table row; a pipe inside a cell is written as an escaped pipe."""
    inner = line.strip().removeprefix("|").removesuffix("|")
    return [cell.replace("\\|", "|").strip() for cell in re.split(r"(?<!\\)\|", inner)]


def read_rows() -> list[Row]:
    lines = [
        line
        for line in _section(GLOSSARY.read_text(encoding="utf-8"), "Do not use").splitlines()
        if line.strip().startswith("|")
    ]
    assert lines, "the 'Do not use' section has no table"
    header = _cells(lines[0])
    assert header == ["Language", "Do not write", "Write instead", "Why"], header
    rows = []
    for line in lines[2:]:  # after the header and the |---| line
        cells = _cells(line)
        assert len(cells) == 4, line
        language, pattern, instead, why = cells
        code = re.fullmatch(r"`([^`]+)`", pattern)
        assert code, f"'Do not write' must be one regular expression in backticks: {line}"
        rows.append(Row(language, code.group(1), instead, why))
    assert rows, "the 'Do not use' table is empty"
    return rows


def read_date_pattern() -> re.Pattern[str]:
    dates = _section(GLOSSARY.read_text(encoding="utf-8"), "Dates")
    match = re.search(r"^Violation pattern: `([^`]+)`", dates, re.M)
    assert match, "the 'Dates' section has no 'Violation pattern: `...`' line"
    return re.compile(match.group(1))


def rules(language: str) -> list[Rule]:
    return [
        Rule(row, re.compile(row.pattern, re.IGNORECASE))
        for row in read_rows()
        if row.language == language
    ]


# --- the texts -------------------------------------------------------------------------------


def _forms(value: str | list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    if not value:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def catalog_texts(path: Path, language: str) -> Iterator[tuple[str, str]]:
    """(where, text): Vietnamese msgstr; English msgid and msgstr (the msgids are English)."""
    with path.open("rb") as handle:
        messages = read_po(handle, locale=language)
    for message in messages:
        if not message.id:
            continue
        texts = _forms(message.string)
        if language == "en":
            texts = _forms(message.id) + tuple(s for s in texts if s not in _forms(message.id))
        msgid = _forms(message.id)[0]
        where = f"msgid {msgid[:60]!r}" + ("…" if len(msgid) > 60 else "")
        yield from ((where, text) for text in texts if text)


def _strings(value: object, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{where}[{index}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in NOT_TEXT:
                yield from _strings(item, f"{where}.{key}" if where else key)


def toml_texts(path: Path) -> Iterator[tuple[str, str]]:
    """(where, text) for every string value; comments are not texts."""
    with path.open("rb") as handle:
        yield from _strings(tomllib.load(handle), "")


def sources() -> list[tuple[str, Path]]:
    found = [
        (language, LOCALES_DIR / language / "LC_MESSAGES" / "messages.po")
        for language in LANGUAGES
    ]
    for language in LANGUAGES:
        found += [
            (language, path)
            for path in sorted((LOCALES_DIR / language / "content").glob("*.toml"))
        ]
    return found


def texts_of(path: Path, language: str) -> Iterator[tuple[str, str]]:
    return catalog_texts(path, language) if path.suffix == ".po" else toml_texts(path)


def _excerpt(text: str, match: re.Match[str], width: int = 80) -> str:
    """The whole text when short, else the words around the match."""
    if len(text) <= 2 * width:
        return text
    start, end = max(0, match.start() - width), min(len(text), match.end() + width)
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


def violations(path: Path, language: str) -> list[str]:
    checks = [
        (rule.regex, f"`{rule.row.pattern}` → {rule.row.instead}") for rule in rules(language)
    ]
    if language == "vi":
        checks.append((read_date_pattern(), "date → dd/mm/yyyy, e.g. ngày 01/07/2026"))
    name = path.relative_to(ROOT).as_posix()
    found = []
    for where, text in texts_of(path, language):
        normal = unicodedata.normalize("NFC", text)
        for regex, advice in checks:
            for match in regex.finditer(normal):
                found.append(
                    f"{name} [{where}]: “{match.group(0)}” ({advice})\n"
                    f"    {_excerpt(normal, match)!r}"
                )
    return found


# --- the tests -------------------------------------------------------------------------------


def test_the_glossary_has_a_do_not_use_table_for_each_language() -> None:
    rows = read_rows()
    assert {row.language for row in rows} == set(LANGUAGES)


@pytest.mark.parametrize("row", read_rows(), ids=lambda row: f"{row.language}:{row.pattern}")
def test_each_row_compiles_and_its_alternative_is_allowed(row: Row) -> None:
    regex = re.compile(row.pattern, re.IGNORECASE)
    assert row.instead and row.why
    assert not regex.search(unicodedata.normalize("NFC", row.instead)), row.instead


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("Số người cùng một nội dung: 3", False),
        ("Số người cùng sự việc: 3", True),
        ("những người cùng chung nội dung", True),
        ("phiếu đăng ký cùng nội dung", True),
        ("Loại nội dung: khiếu nại", False),
        ("Loại yêu cầu: khiếu nại", True),
        ("Loại đơn", True),
        ("có quyền xem nội dung mật", True),
        ("có quyền xem thông tin phải giữ bí mật", False),
        ("Chủ tịch Uỷ ban nhân dân", True),
        ("Chủ tịch Ủy ban nhân dân", False),
        ("mang theo CMND", True),
        ("Phiếu đã được duyệt", True),
        ("Phiếu đã được xếp lịch tiếp", False),
        ("Buổi gặp bị hủy", True),
        ("đăng ký gặp lãnh đạo", False),
        ("ghi rõ xã hoặc phường", True),
        ("ghi rõ xã, phường hoặc đặc khu", False),
        ("Ủy ban nhân dân xã, phường, đặc khu", False),
    ],
)
def test_the_vietnamese_rules_catch_what_they_are_meant_to(text: str, bad: bool) -> None:
    hits = [rule.row.pattern for rule in rules("vi") if rule.regex.search(text)]
    assert bool(hits) is bad, hits


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("a complaint, denunciation, petition or feedback", False),
        ("a petition or recommendation", True),
        ("Your registration is approved.", True),
        ("/approve CODE SESSION", False),
        ("the result of your meeting", True),
        ("register to meet a leader", False),
        ("reception delegated", True),
        ("your commune or ward", True),
        ("your commune, ward or special zone", False),
    ],
)
def test_the_english_rules_catch_what_they_are_meant_to(text: str, bad: bool) -> None:
    hits = [rule.row.pattern for rule in rules("en") if rule.regex.search(text)]
    assert bool(hits) is bad, hits


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("từ ngày 1/7/2026", True),
        ("ngày 15/2/2027", True),
        ("ngày 5/12/2026", True),
        ("từ ngày 01/07/2026", False),
        ("ngày 15/02/2027", False),
        ("ngày 24/11", False),
        ("Quyết định số 12/2026/QĐ-UBND", False),
        ("Luật số 136/2025/QH15", False),
        ("Luật số 42/2013/QH13", False),
        ("Mẫu số 01/TCD", False),
        ("trang 1/3", False),
    ],
)
def test_the_date_rule_flags_one_digit_days_and_months_only(text: str, bad: bool) -> None:
    assert bool(read_date_pattern().search(text)) is bad


@pytest.mark.parametrize(
    ("language", "path"),
    sources(),
    ids=[path.relative_to(LOCALES_DIR).as_posix() for _, path in sources()],
)
def test_texts_follow_the_glossary(language: str, path: Path) -> None:
    found = violations(path, language)
    assert not found, "see docs/glossary.md, 'Do not use' and 'Dates':\n" + "\n".join(found)
