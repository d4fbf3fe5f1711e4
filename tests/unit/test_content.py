"""Long-form content: the rules explainer topics and the privacy notice, per locale."""

from __future__ import annotations

import string
from pathlib import Path

import pytest

from bot.config import DEFAULT_LOCALES_DIR
from bot.core.content import Content, ContentError, Notice, Topic, load_content
from bot.core.model import Track
from bot.core.refusals import GROUNDS
from bot.core.text import fold_words

LOCALES_DIR = DEFAULT_LOCALES_DIR
LOCALES = ("vi", "en")
REQUIRED_IDS = (
    "who",
    "rights",
    "kinds",
    "groups",
    "refusal",
    "answer",
    "confidential",
    "howto",
    "before",
)


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content(LOCALES_DIR, LOCALES)


def _keyword_hits(content: Content, text: str) -> list[str]:
    words = f" {fold_words(text)} "
    return [
        keyword
        for locale in LOCALES
        for topic in content.topics(locale)
        for keyword in topic.keywords
        if fold_words(keyword) and f" {fold_words(keyword)} " in words
    ]


# --- the shipped files ---------------------------------------------------------------------


def test_both_locales_have_the_same_topics_in_the_same_order(content: Content) -> None:
    vi = [topic.id for topic in content.topics("vi")]
    en = [topic.id for topic in content.topics("en")]
    assert vi == en
    assert len(set(vi)) == len(vi)
    assert set(REQUIRED_IDS) <= set(vi)


@pytest.mark.parametrize("locale", LOCALES)
def test_topics_are_complete_plain_text(content: Content, locale: str) -> None:
    for topic in content.topics(locale):
        assert topic.title, topic.id
        assert topic.body, topic.id
        assert topic.keywords, topic.id
        assert topic.title == topic.title.strip()
        assert topic.body == topic.body.strip()
        # Bodies are plain text and go through no formatting: no braces, no markup.
        assert "{" not in topic.body and "}" not in topic.body, topic.id
        assert "<" not in topic.body and "**" not in topic.body, topic.id


@pytest.mark.parametrize("topic_id", REQUIRED_IDS)
def test_topic_lookup(content: Content, topic_id: str) -> None:
    for locale in LOCALES:
        topic = content.topic(locale, topic_id)
        assert topic is not None
        assert topic.id == topic_id
    assert content.topic("vi", "no-such-topic") is None


@pytest.mark.parametrize(
    ("text", "topic_id"),
    [
        ("tu choi", "refusal"),
        ("từ chối", "refusal"),
        ("bị từ chối tiếp", "refusal"),
        ("Tại sao tôi BỊ TỪ CHỐI?", "refusal"),
        ("refuse", "refusal"),
        ("Why was I refused?", "refusal"),
        ("bao lâu thì có kết quả", "answer"),
        ("when will I get an answer", "answer"),
        ("người đại diện", "groups"),
        ("tôi sợ bị lộ danh tính", "confidential"),
        ("how to register", "howto"),
        ("cần mang theo gì khi đến buổi tiếp", "before"),
        ("can mang theo giay to gi", "before"),
        ("tôi cần người phiên dịch tiếng Khmer", "before"),
        ("có được tiếp trực tuyến không", "before"),
        ("có bị kiểm tra an ninh không", "before"),
        ("tôi có được quay phim không", "before"),
        ("What should I bring?", "before"),
        ("what to bring to the session", "before"),
        ("I need an interpreter", "before"),
        ("Can I be received online?", "before"),
    ],
)
def test_match_finds_the_topic(content: Content, text: str, topic_id: str) -> None:
    assert content.match(text) == topic_id


@pytest.mark.parametrize("text", ["xin chào bạn", "chào buổi sáng", "hello there", "ok"])
def test_match_returns_none_for_chatter(content: Content, text: str) -> None:
    assert _keyword_hits(content, text) == []  # the phrase really has no keyword
    assert content.match(text) is None


@pytest.mark.parametrize("text", ["", "   ", "?!...", "\n"])
def test_match_returns_none_for_empty_text(content: Content, text: str) -> None:
    assert content.match(text) is None


def test_privacy_notices_share_one_version(content: Content) -> None:
    versions = {content.privacy(locale).version for locale in LOCALES}
    assert len(versions) == 1
    assert content.privacy_version in versions
    assert content.privacy_version


@pytest.mark.parametrize("locale", LOCALES)
def test_privacy_body_has_exactly_the_three_placeholders(content: Content, locale: str) -> None:
    notice = content.privacy(locale)
    assert notice.title
    fields = [
        (name, spec, conversion)
        for _, name, spec, conversion in string.Formatter().parse(notice.body)
        if name is not None
    ]
    assert {name for name, _, _ in fields} == {"controller", "contact", "retention"}
    assert all(spec == "" and conversion is None for _, spec, conversion in fields)
    filled = notice.body.format(controller="CTRL-X", contact="CONTACT-Y", retention="RET-Z")
    assert "CTRL-X" in filled and "CONTACT-Y" in filled and "RET-Z" in filled
    assert "{" not in filled and "}" not in filled


# --- hand-made content ---------------------------------------------------------------------


def _content(*topics: Topic, english: tuple[Topic, ...] = ()) -> Content:
    notice = Notice(version="1", title="t", body="b")
    by_locale = {"vi": tuple(topics)}
    privacy = {"vi": notice}
    if english:
        by_locale["en"] = english
        privacy["en"] = notice
    return Content(by_locale, privacy)


def test_longer_keyword_phrase_outscores_a_shorter_one() -> None:
    content = _content(
        Topic("land", "Đất", ("đất",), "..."),
        Topic("seizure", "Thu hồi đất", ("thu hồi đất",), "..."),
    )
    assert content.match("quyết định thu hồi đất của gia đình tôi") == "seizure"
    assert content.match("tranh chấp đất") == "land"


def test_longer_phrase_wins_whatever_the_topic_order() -> None:
    content = _content(
        Topic("seizure", "Thu hồi đất", ("thu hồi đất",), "..."),
        Topic("land", "Đất", ("đất",), "..."),
    )
    assert content.match("thu hồi đất") == "seizure"


def test_scores_add_up_across_keywords() -> None:
    content = _content(
        Topic("one", "One", ("giải phóng mặt",), "..."),  # three words
        Topic("two", "Two", ("bồi thường", "mặt bằng"), "..."),  # two + two words
    )
    assert content.match("bồi thường giải phóng mặt bằng") == "two"


def test_first_topic_wins_a_tie() -> None:
    content = _content(
        Topic("first", "A", ("nhà",), "..."),
        Topic("second", "B", ("đất",), "..."),
    )
    assert content.match("nhà đất") == "first"


def test_keywords_match_whole_words_only() -> None:
    content = _content(Topic("land", "Đất", ("dat",), "..."))
    assert content.match("dat") == "land"
    assert content.match("update") is None
    assert content.match("datum") is None


def test_match_searches_every_locale() -> None:
    content = _content(
        Topic("refusal", "Từ chối", ("từ chối",), "..."),
        english=(Topic("refusal", "Refusal", ("refused",), "..."),),
    )
    assert content.match("I was REFUSED.") == "refusal"
    assert content.match("tu choi") == "refusal"


# --- loading errors ------------------------------------------------------------------------

RULES = """
[[topic]]
id = "{id}"
title = "Title"
keywords = ["k"]
body = "Body"
"""
PRIVACY = """
version = "{version}"
title = "Notice"
body = "Controller {{controller}}"
"""


REFUSAL = """
[[reason]]
code = "{code}"
title = "Title"
explanation = "What it means"
basis = "Law, Art. 9"
party_basis = "Regulation 11"
"""


def _write(
    root: Path,
    locale: str,
    topic_id: str = "who",
    version: str = "1",
    without_reason: str = "",
) -> None:
    folder = root / locale / "content"
    folder.mkdir(parents=True)
    (folder / "rules.toml").write_text(RULES.format(id=topic_id), encoding="utf-8")
    (folder / "privacy.toml").write_text(PRIVACY.format(version=version), encoding="utf-8")
    reasons = "".join(
        REFUSAL.format(code=ground.code) for ground in GROUNDS if ground.code != without_reason
    )
    (folder / "refusals.toml").write_text(reasons, encoding="utf-8")


def test_load_content_from_a_directory(tmp_path: Path) -> None:
    _write(tmp_path, "vi")
    _write(tmp_path, "en")
    content = load_content(tmp_path, LOCALES)
    assert [t.id for t in content.topics("en")] == ["who"]
    assert content.privacy("vi").body == "Controller {controller}"
    assert content.privacy_version == "1"
    refusal = content.refusal("vi", "answered")
    assert refusal is not None and refusal.basis == "Law, Art. 9"
    assert refusal.explanation == "What it means"
    assert content.refusal("vi", "nonsense") is None


def test_load_content_rejects_a_missing_file(tmp_path: Path) -> None:
    _write(tmp_path, "vi")
    with pytest.raises(ContentError, match="file not found"):
        load_content(tmp_path, LOCALES)


def test_load_content_rejects_invalid_toml(tmp_path: Path) -> None:
    _write(tmp_path, "vi")
    _write(tmp_path, "en")
    (tmp_path / "en" / "content" / "rules.toml").write_text("[[topic]\n", encoding="utf-8")
    with pytest.raises(ContentError, match="not valid TOML"):
        load_content(tmp_path, LOCALES)


def test_load_content_rejects_a_missing_field(tmp_path: Path) -> None:
    _write(tmp_path, "vi")
    _write(tmp_path, "en")
    (tmp_path / "en" / "content" / "rules.toml").write_text(
        '[[topic]]\nid = "who"\ntitle = "t"\n', encoding="utf-8"
    )
    with pytest.raises(ContentError, match="missing field"):
        load_content(tmp_path, LOCALES)


def test_load_content_rejects_different_topics(tmp_path: Path) -> None:
    _write(tmp_path, "vi", topic_id="who")
    _write(tmp_path, "en", topic_id="rights")
    with pytest.raises(ContentError, match="topics differ"):
        load_content(tmp_path, LOCALES)


def test_load_content_rejects_different_privacy_versions(tmp_path: Path) -> None:
    _write(tmp_path, "vi", version="1")
    _write(tmp_path, "en", version="2")
    with pytest.raises(ContentError, match="disagree on their version"):
        load_content(tmp_path, LOCALES)


def test_load_content_rejects_a_missing_refusal_ground(tmp_path: Path) -> None:
    _write(tmp_path, "vi", without_reason="judgment")
    _write(tmp_path, "en")
    with pytest.raises(ContentError, match="codes must be exactly"):
        load_content(tmp_path, LOCALES)


def test_load_content_rejects_a_party_ground_without_its_party_basis(tmp_path: Path) -> None:
    _write(tmp_path, "vi")
    _write(tmp_path, "en")
    path = tmp_path / "en" / "content" / "refusals.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace('party_basis = "Regulation 11"\n', "", 1),
        encoding="utf-8",
    )
    with pytest.raises(ContentError, match="no party_basis for"):
        load_content(tmp_path, LOCALES)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_refusal_ground_has_its_title_explanation_and_basis(locale: str) -> None:
    content = load_content(LOCALES_DIR, LOCALES)
    for ground in GROUNDS:
        text = content.refusal(locale, ground.code)
        assert text is not None, ground.code
        assert text.title and text.explanation, ground.code
        assert "Điều" in text.basis or "Art" in text.basis, ground.code
        if ground.single_source:
            assert "154/2026" in text.basis, ground.code


@pytest.mark.parametrize("locale", LOCALES)
def test_party_track_grounds_never_cite_the_law_on_citizen_reception(locale: str) -> None:
    """Regulation 11-QĐi/TW governs a Party committee head's reception, not the Law."""
    content = load_content(LOCALES_DIR, LOCALES)
    for ground in GROUNDS:
        text = content.refusal(locale, ground.code)
        assert text is not None
        if Track.PARTY in ground.tracks:
            basis = text.basis_for(party=True)
            assert basis == text.party_basis, ground.code
            for law in ("Luật Tiếp công dân", "Law on Citizen Reception", "154/2026"):
                assert law not in basis, (ground.code, basis)
        else:
            assert text.party_basis == "", ground.code
