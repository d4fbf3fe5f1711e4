"""Text helpers shared by matching and validation."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# Not a letter, a digit or a space: punctuation. Khmer vowel signs and the other Khmer
# marks (U+17B4-U+17D3, U+17DD) are part of their letter, though not "word" characters.
_NON_WORD = re.compile(r"[^\w\s\u17b4-\u17d3\u17dd]", re.UNICODE)


def fold(text: str) -> str:
    """Lower-case, drop diacritics (đ → d), collapse spaces: "Từ  chối" → "tu choi"."""
    decomposed = unicodedata.normalize("NFD", text.casefold())
    # Accents go; a Khmer COENG (a combining sign too) is part of the letters it joins.
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch) or ch == "\u17d2")
    stripped = stripped.replace("đ", "d")
    return _SPACES.sub(" ", stripped).strip()


def fold_words(text: str) -> str:
    """Like fold, with punctuation turned into spaces, for keyword matching (a Khmer vowel
    sign stays with its letter)."""
    return _SPACES.sub(" ", _NON_WORD.sub(" ", fold(text))).strip()


# Characters that join what follows to them: Khmer COENG (its next consonant is written
# beneath: "ស្ត"), the zero-width joiner.
_JOINS_NEXT = frozenset("\u17d2\u200d")
# Characters that belong to what precedes them besides the combining marks: the joiners,
# variation selectors, emoji skin tones.
_JOINS_PREVIOUS = frozenset("\u200c\u200d")


def cut_point(text: str, index: int) -> int:
    """The largest position at most ``index`` where ``text`` may be cut without splitting a
    written character: never before a mark (a Khmer vowel sign, a Vietnamese accent
    written apart), a joiner or a variation selector, never after a Khmer COENG or a
    joiner. 0 when there is none (a cluster longer than ``index``)."""
    index = min(index, len(text))
    while 0 < index < len(text) and not _may_cut(text[index - 1], text[index]):
        index -= 1
    return index


def in_khmer(text: str) -> bool:
    """Whether ``text`` has Khmer script in it."""
    return any("\u1780" <= ch <= "\u17ff" for ch in text)


def clip(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters, "…" ending it when cut, never inside a
    written character."""
    if len(text) <= limit:
        return text
    return text[: cut_point(text, limit - 1)].rstrip() + "…"


def _may_cut(before: str, after: str) -> bool:
    if before in _JOINS_NEXT:
        return False
    return not (
        unicodedata.category(after)[0] == "M"
        or after in _JOINS_PREVIOUS
        or "\ufe00" <= after <= "\ufe0f"
        or "\U0001f3fb" <= after <= "\U0001f3ff"
    )


def squeeze(text: str) -> str:
    """Collapse runs of white space into one space and trim; keep line breaks out of one-liners."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()
