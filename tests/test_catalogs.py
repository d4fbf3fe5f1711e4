"""Every user-visible string is translated in vi, en and km, and the catalogs match the code.

Khmer entries carry their review state as gettext does: "fuzzy" (Poedit's "needs work",
Weblate's "needs editing") until a native speaker has reviewed them; they are shown meanwhile.
Vietnamese and English have no such entry."""

from __future__ import annotations

import string
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.config import DEFAULT_LOCALES_DIR, SUPPORTED_LOCALES
from bot.core.i18n import Catalogs
from bot.core.text import in_khmer

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ("vi", "en", "km")
# Where an entry may wait for its review (marked fuzzy) and still count as translated.
UNDER_REVIEW = frozenset({"km"})
KEYWORDS = {"_": None, "N_": None, "n_": (1, 2)}


def catalog(locale: str) -> Catalog:
    with (DEFAULT_LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=locale)


def msgids_in_code() -> set[str]:
    found: set[str] = set()
    for folder in ("bot", "handlers"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / folder,
            # The public pages' templates say their words through _ and n_ too.
            method_map=[("**.py", "python"), ("**.html", "jinja2")],
            keywords=KEYWORDS,
        ):
            found.add(message[0] if isinstance(message, tuple) else message)
    return found


def msgids(messages: Catalog) -> set[str]:
    return {_singular(m) for m in messages if m.id}


def _singular(message: Message) -> str:
    return _forms(message.id)[0]


def _forms(value: str | list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _words(text: str) -> str:
    """The text without its placeholders."""
    return "".join(literal for literal, _, _, _ in string.Formatter().parse(text))


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_template_matches_the_code() -> None:
    with (DEFAULT_LOCALES_DIR / "messages.pot").open("rb") as handle:
        template = read_po(handle)
    in_code = msgids_in_code()
    assert msgids(template) == in_code, "run `make update` and translate the new messages"


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_is_up_to_date_with_the_code(locale: str) -> None:
    messages = catalog(locale)
    in_code = msgids_in_code()
    missing = sorted(in_code - msgids(messages))
    obsolete = sorted(msgids(messages) - in_code)
    assert (missing, obsolete) == ([], []), "run `make update`"


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_is_translated(locale: str) -> None:
    untranslated = [
        _singular(m)
        for m in catalog(locale)
        if m.id
        and (
            (m.fuzzy and locale not in UNDER_REVIEW)
            or not m.string
            or (isinstance(m.string, tuple) and not all(m.string))
        )
    ]
    assert untranslated == []


@pytest.mark.parametrize("locale", LOCALES)
def test_translations_keep_the_named_placeholders(locale: str) -> None:
    broken = []
    for message in catalog(locale):
        if not message.id:
            continue
        ids = _forms(message.id)
        strings = _forms(message.string)
        expected = set().union(*(placeholders(i) for i in ids)) - {"n"}
        for translated in strings:
            if translated and placeholders(translated) - {"n"} != expected:
                broken.append((ids[0], translated))
    assert broken == []


def test_vietnamese_is_really_vietnamese() -> None:
    """Catch a catalog that was filled with English by mistake."""
    translated = [m for m in catalog("vi") if m.id and m.string]
    # Only layout messages (placeholders and punctuation) may stay as they are.
    same_as_english = [
        _singular(m)
        for m in translated
        if _forms(m.string) == _forms(m.id) and any(ch.isalpha() for ch in _words(_singular(m)))
    ]
    assert same_as_english == []
    with_diacritics = [
        m for m in translated if any(ord(ch) > 127 for ch in "".join(_forms(m.string)))
    ]
    assert len(with_diacritics) >= 0.9 * len(translated)


# Messages whose {date} is a short date ("03/12/2026"), which Vietnamese writes after "ngày";
# everywhere else {date} and {when} are full dates that already say "ngày" (Translator.day).
SHORT_DATES = frozenset(
    {
        "Written notice issued: {form}, no. {letter} of {date}.",
        "{code}: {form} no. {letter} of {date} is recorded.",
    }
)


def test_no_vietnamese_message_writes_ngay_before_a_full_date() -> None:
    doubled = [
        _singular(m)
        for m in catalog("vi")
        if m.id
        and _singular(m) not in SHORT_DATES
        and any("ngày {date}" in s or "ngày {when}" in s for s in _forms(m.string))
    ]
    assert doubled == []


def test_khmer_is_really_khmer() -> None:
    """Every Khmer entry is written in Khmer script (a catalog filled with English or
    Vietnamese by mistake fails), bar the few that are only a name or a layout."""
    translated = [m for m in catalog("km") if m.id and m.string]
    khmer = [m for m in translated if in_khmer("".join(_forms(m.string)))]
    assert len(khmer) >= 0.97 * len(translated)


def test_an_unreviewed_khmer_entry_is_shown_and_its_state_kept() -> None:
    entries = catalog("km")
    states = {m.fuzzy for m in entries if m.id}
    assert states <= {True, False} and len([m for m in entries if m.id]) > 700
    tr = Catalogs(DEFAULT_LOCALES_DIR, SUPPORTED_LOCALES, "vi", ZoneInfo("Asia/Ho_Chi_Minh")).get(
        "km"
    )
    unreviewed = next(m for m in entries if m.id == "Choose your language:")
    assert tr._("Choose your language:") == unreviewed.string
    assert in_khmer(unreviewed.string)


def test_an_editors_mo_file_does_not_hide_the_entries_under_review(tmp_path: Path) -> None:
    """Poedit writes a .mo beside the .po when it saves, without the fuzzy entries: the bot
    reads the .po, so the Khmer under review is still shown."""
    folder = tmp_path / "km" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    source = DEFAULT_LOCALES_DIR / "km" / "LC_MESSAGES" / "messages.po"
    (folder / "messages.po").write_bytes(source.read_bytes())
    with (folder / "messages.mo").open("wb") as handle:
        write_mo(handle, catalog("km"), use_fuzzy=False)
    for locale in ("vi", "en"):
        (tmp_path / locale).symlink_to(DEFAULT_LOCALES_DIR / locale)
    tr = Catalogs(tmp_path, SUPPORTED_LOCALES, "vi", ZoneInfo("Asia/Ho_Chi_Minh")).get("km")
    assert in_khmer(tr._("Choose your language:"))
