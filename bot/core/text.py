"""Text helpers shared by matching and validation."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^\w\s]", re.UNICODE)


def fold(text: str) -> str:
    """Lower-case, drop diacritics (đ → d), collapse spaces: "Từ  chối" → "tu choi"."""
    decomposed = unicodedata.normalize("NFD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("đ", "d")
    return _SPACES.sub(" ", stripped).strip()


def fold_words(text: str) -> str:
    """Like fold, with punctuation turned into spaces, for keyword matching."""
    return _SPACES.sub(" ", _NON_WORD.sub(" ", fold(text))).strip()


def squeeze(text: str) -> str:
    """Collapse runs of white space into one space and trim; keep line breaks out of one-liners."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()
