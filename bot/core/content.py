"""Long-form content (the rules explainer, the privacy notice, the refusal grounds), one TOML
file of each per locale.

Files live at ``bot/locales/<locale>/content/rules.toml``, ``privacy.toml`` and
``refusals.toml``; they are prose, not gettext messages, because a legal explanation is
translated as a whole, not sentence by sentence. A translation not yet read by a native
speaker says so (``review = "unreviewed"``, docs/translating.md): the bot then tells the
citizen that the Vietnamese text prevails and offers it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast

from bot.core import refusals
from bot.core.model import Track
from bot.core.text import cut_point, fold_words, in_khmer


@dataclass(frozen=True, slots=True)
class Topic:
    id: str
    title: str
    keywords: tuple[str, ...]
    body: str


@dataclass(frozen=True, slots=True)
class RefusalText:
    """How a refusal ground (bot/core/refusals.py) reads, with its legal basis."""

    code: str
    title: str
    # What it means for the citizen, and what they can do.
    explanation: str
    basis: str
    # At a Party committee's session the Law on Citizen Reception is not the governing text:
    # only the grounds usable on the Party track have one.
    party_basis: str = ""

    def basis_for(self, party: bool) -> str:
        """The basis to cite; on the Party track never the Law's (a ground without a Party
        basis, recorded before grounds had tracks, cites none)."""
        return self.party_basis if party else self.basis


@dataclass(frozen=True, slots=True)
class Notice:
    version: str
    title: str
    body: str


class ContentError(Exception):
    """A content file is missing or malformed."""


# The parts of a locale's content, each a file with its own review state.
PARTS = ("rules", "privacy", "refusals")
_REVIEW_STATES = ("reviewed", "unreviewed")


@dataclass(frozen=True)
class Content:
    topics_by_locale: dict[str, tuple[Topic, ...]]
    privacy_by_locale: dict[str, Notice]
    refusals_by_locale: dict[str, dict[str, RefusalText]] = field(default_factory=dict)
    # (locale, part) of the files a native speaker has not reviewed yet.
    unreviewed: frozenset[tuple[str, str]] = frozenset()

    def reviewed(self, locale: str, part: str) -> bool:
        """Whether the text of ``part`` in ``locale`` may be read as it stands (a file
        without a review state is an original: Vietnamese, or the project's English)."""
        return (locale, part) not in self.unreviewed

    def refusal(self, locale: str, code: str) -> RefusalText | None:
        return self.refusals_by_locale.get(locale, {}).get(code)

    def topics(self, locale: str) -> tuple[Topic, ...]:
        return self.topics_by_locale[locale]

    def topic(self, locale: str, topic_id: str) -> Topic | None:
        return next((t for t in self.topics(locale) if t.id == topic_id), None)

    def privacy(self, locale: str) -> Notice:
        return self.privacy_by_locale[locale]

    @property
    def privacy_version(self) -> str:
        return next(iter(self.privacy_by_locale.values())).version

    def match(self, text: str) -> str | None:
        """The topic a free-text question is about, accent-insensitively, in any locale."""
        words = f" {fold_words(text)} "
        if not words.strip():
            return None
        best_id, best_score = None, 0
        for topics in self.topics_by_locale.values():
            for topic in topics:
                score = sum(
                    len(phrase.split())
                    for phrase in (fold_words(k) for k in topic.keywords)
                    if phrase and (f" {phrase} " in words or _inside(phrase, words))
                )
                if score > best_score:
                    best_id, best_score = topic.id, score
        return best_id


def _inside(phrase: str, words: str) -> bool:
    """A Khmer keyword found inside the text (Khmer puts no spaces between words), where it
    begins and ends between two written characters: "ប្រធាន" is not in "ប្រធានាធិបតី"."""
    if not in_khmer(phrase):
        return False
    start = words.find(phrase)
    while start != -1:
        end = start + len(phrase)
        if cut_point(words, start) == start and cut_point(words, end) == end:
            return True
        start = words.find(phrase, start + 1)
    return False


def load_content(locales_dir: Path, locales: tuple[str, ...]) -> Content:
    topics: dict[str, tuple[Topic, ...]] = {}
    privacy: dict[str, Notice] = {}
    refusals: dict[str, dict[str, RefusalText]] = {}
    unreviewed: set[tuple[str, str]] = set()
    for locale in locales:
        folder = locales_dir / locale / "content"
        rules = _read(folder / "rules.toml")
        for part in PARTS:
            data = rules if part == "rules" else _read(folder / f"{part}.toml")
            state = str(data.get("review", "reviewed"))
            if state not in _REVIEW_STATES:
                raise ContentError(
                    f"{folder / part}.toml: review must be one of {_REVIEW_STATES}, not {state!r}"
                )
            if state == "unreviewed":
                unreviewed.add((locale, part))
        try:
            topics[locale] = tuple(
                Topic(
                    id=str(item["id"]),
                    title=str(item["title"]).strip(),
                    keywords=tuple(str(k) for k in item.get("keywords", ())),
                    body=str(item["body"]).strip(),
                )
                for item in cast(list[dict[str, Any]], rules["topic"])
            )
            notice = cast(dict[str, Any], _read(folder / "privacy.toml"))
            privacy[locale] = Notice(
                version=str(notice["version"]),
                title=str(notice["title"]).strip(),
                body=str(notice["body"]).strip(),
            )
            reasons = cast(dict[str, Any], _read(folder / "refusals.toml"))
            refusals[locale] = {
                str(item["code"]): RefusalText(
                    str(item["code"]),
                    str(item["title"]).strip(),
                    str(item["explanation"]).strip(),
                    str(item["basis"]).strip(),
                    str(item.get("party_basis", "")).strip(),
                )
                for item in cast(list[dict[str, Any]], reasons["reason"])
            }
        except (KeyError, TypeError) as exc:
            raise ContentError(f"{folder}: missing field {exc}") from exc
    versions = {notice.version for notice in privacy.values()}
    if len(versions) > 1:
        raise ContentError(f"privacy notices disagree on their version: {sorted(versions)}")
    ids = {locale: [t.id for t in items] for locale, items in topics.items()}
    if len({tuple(v) for v in ids.values()}) > 1:
        raise ContentError(f"rules topics differ between locales: {ids}")
    for locale, items in refusals.items():
        _check_refusals(locale, items)
    original = refusals.get("vi")
    for locale, part in unreviewed:
        if part == "refusals" and original is not None:
            # A ground is a legal text: until its translation is reviewed, the Vietnamese
            # wording stands beside it.
            refusals[locale] = {
                code: replace(text, title=f"{text.title} [{original[code].title}]")
                for code, text in refusals[locale].items()
            }
    return Content(topics, privacy, refusals, frozenset(unreviewed))


def _check_refusals(locale: str, texts: dict[str, RefusalText]) -> None:
    """Every ground of the rules has its text, and a ground used on the Party track has its
    Party basis."""
    if set(texts) != set(refusals.BY_CODE):
        raise ContentError(
            f"{locale}/content/refusals.toml: the codes must be exactly {sorted(refusals.BY_CODE)}"
        )
    missing = sorted(
        code
        for code, ground in refusals.BY_CODE.items()
        if Track.PARTY in ground.tracks and not texts[code].party_basis
    )
    if missing:
        raise ContentError(f"{locale}/content/refusals.toml: no party_basis for {missing}")


def _read(path: Path) -> dict[str, object]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as exc:
        raise ContentError(f"{path}: file not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ContentError(f"{path}: not valid TOML: {exc}") from exc
