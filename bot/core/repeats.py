"""Whether a new registration raises again a matter its citizen raised before.

A complaint or denunciation already settled may be refused when it brings nothing new, and
officers join registrations on the same matter (``/duplicate``): both start from noticing the
repeat. This only points an officer to the most similar earlier registration of the same kind;
reading both and deciding stays theirs.

The measure is plain word overlap, so that an officer can be told why two were matched: most of
the words that carry meaning in the shorter text recur in the other.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from itertools import pairwise
from typing import Protocol, TypeVar

from bot.core.model import RequestKind
from bot.core.text import fold

_NON_WORD = re.compile(r"[^\w\s]")


def _words(paragraph: str) -> frozenset[str]:
    """A word list written as a paragraph, which reads better than a column of strings."""
    return frozenset(unicodedata.normalize("NFC", paragraph).split())


def _phrases(paragraph: str) -> frozenset[str]:
    return frozenset(fold(phrase) for phrase in paragraph.split(","))


# Words that carry no matter of their own, written as Vietnamese writes them: with accents, so
# that "chợ", "đèn", "tái" (định cư) and "xả" (thải) are not taken for "cho", "đến", "tại" and
# "xã". A text typed without accents is matched against their folded forms instead.
FUNCTION_WORDS = _words(
    # Pronouns, kin terms used as pronouns, the title before a person's name.
    "tôi chúng mình ông bà anh em chị "
    # Prepositions, conjunctions, the copula, aspect and modal markers, quantifiers.
    "là của và với cho về việc để tại ở trong ngoài trên dưới sau trước từ đến ra vào lên xuống "
    "thì mà vì nên nếu khi những hay hoặc như theo đã đang sẽ vẫn chưa rồi cũng còn lại thêm "
    "bị được phải có không rất quá các một mỗi nhiều này đó kia nào gì ấy",
)
# Words every registration uses whatever it is about: the addressee and the nouns before place
# names, dates, how often one has asked, light verbs and the formulas of asking. Two matters of
# one citizen share them all, and would look alike.
GENRE_WORDS = _words(
    "xin đơn ubnd xã phường huyện thôn xóm tổ năm tháng ngày lần gây thấy nghiêm sớm"
)
FILLER = FUNCTION_WORDS | GENRE_WORDS
FOLDED_FILLER = frozenset(fold(word) for word in FILLER)
# The same as two-syllable words, dropped (folded) where both syllables stand together: alone,
# each may mean something else ("gia" is also a price, "định" is in "quyết định").
GENRE_PHRASES = _phrases(
    "đề nghị, kiến nghị, yêu cầu, khiếu nại, tố cáo, phản ánh, xem xét, giải quyết, xử lý, "
    "kiểm tra, trả lời, kết quả, lý do, quy định, pháp luật, thẩm quyền, cơ quan, chức năng, "
    "chính quyền, lãnh đạo, ủy ban, nhân dân, gia đình, đến nay, hiện nay, trình bày, "
    "nội dung, sự việc, vấn đề, liên quan, quyền lợi, hợp pháp, chính đáng, dứt điểm, "
    "khẩn trương, bức xúc, tiếp tục"
)

# Three in five of the shorter text's content words recur in the other: a round share near the
# middle of the gap that the seeded pairs of tests/unit/test_repeats.py leave between repeats
# and other matters. A needless flag may prejudice a citizen's hearing, a missed one lets a
# matter be heard twice; neither side is the cheaper one to err on.
DEFAULT_THRESHOLD = 0.6
# A text with fewer content words is judged as if it had this many: a bare "bồi thường đất"
# must not match every land matter of the citizen.
MIN_WORDS = 6


class Earlier(Protocol):
    """What the rule reads of an earlier registration; a RegistrationView has it."""

    @property
    def kind(self) -> RequestKind: ...

    @property
    def summary(self) -> str: ...

    @property
    def request(self) -> str: ...

    @property
    def submitted_at(self) -> datetime: ...


E = TypeVar("E", bound=Earlier)


def matter_text(summary: str, request: str) -> str:
    """The part of a registration that states its matter. What was done about it before
    (``prior_handling``) is left out: where the citizen went and when, in words any matter of
    theirs shares."""
    return f"{summary}\n{request}"


@lru_cache(maxsize=4096)
def content_words(text: str) -> frozenset[str]:
    """The syllables of ``text`` that say what it is about, folded ("Nguyễn" → "nguyen") so
    that a restatement without accents or in capitals matches.

    Syllables, not two-syllable words: a restatement rewords and reorders compounds ("trại nuôi
    lợn" for "trại lợn", "Bắc – Nam" for "thôn Bắc đi thôn Nam"), while another matter of the
    same citizen keeps the names of their school, street or neighbour. On the seeded pairs,
    pairs of syllables alone barely set the repeats apart from the other matters, and added to
    single syllables set them apart no better.
    """
    written = _NON_WORD.sub(" ", unicodedata.normalize("NFC", text.casefold())).split()
    folded = [fold(word) for word in written]
    # Typed without a single accent, a bare "to" may be "tổ": the folded list applies.
    filler = FOLDED_FILLER if written == folded else FILLER
    kept = [len(f) > 1 and w not in filler for w, f in zip(written, folded, strict=True)]
    for i, pair in enumerate(pairwise(folded)):
        if " ".join(pair) in GENRE_PHRASES:
            kept[i] = kept[i + 1] = False
    return frozenset(word for word, keep in zip(folded, kept, strict=True) if keep)


def similarity(a: str, b: str) -> float:
    """The share of the shorter text's content words found in the other, from 0 to 1.

    An overlap coefficient, not Jaccard's: a citizen who restates in two lines what they wrote in
    a page raises the same matter, and the page's other words must not dilute it (on the seeded
    pairs, Jaccard's ranked some other matters above real repeats).
    """
    words_a, words_b = content_words(a), content_words(b)
    shorter = min(len(words_a), len(words_b))
    if shorter == 0:
        return 0.0
    return len(words_a & words_b) / max(shorter, MIN_WORDS)


def likely_repeat(
    kind: RequestKind,
    text: str,
    earlier: Sequence[E],
    threshold: float = DEFAULT_THRESHOLD,
) -> E | None:
    """The earlier registration of the same ``kind`` most similar to ``text`` (summary and
    request, as ``matter_text`` joins them), if it reaches ``threshold``; of equally similar
    ones, the newest. Which of the citizen's registrations count as ``earlier`` (their states,
    how far back) is the caller's choice."""
    scored = [
        (similarity(text, matter_text(e.summary, e.request)), e) for e in earlier if e.kind is kind
    ]
    best = max(scored, key=lambda pair: (pair[0], pair[1].submitted_at), default=None)
    return best[1] if best is not None and best[0] >= threshold else None
