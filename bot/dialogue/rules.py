"""The rules explainer: a topic menu over the per-locale content files, and free-text questions."""

from __future__ import annotations

from bot.core.model import Choice, Reply
from bot.dialogue.context import Replies, Turn

# The language of the texts that prevail over their translations.
ORIGINAL = "vi"


def topic_menu(turn: Turn, lead: str | None = None) -> Replies:
    topics = turn.services.content.topics(turn.locale)
    text = turn._(
        "What would you like to know? These explanations follow Regulation 11-QĐi/TW "
        "(as amended in 2025) and the Law on Citizen Reception (as amended in 2025, "
        "in force since 1 July 2026)."
    )
    if lead:
        text = f"{lead}\n\n{text}"
    choices = tuple(Choice(topic.title, f"r:{topic.id}") for topic in topics)
    return [Reply(text, (*choices, Choice(turn._("🏠 Main menu"), "m:menu")))]


def show_topic(turn: Turn, topic_id: str, *, original: bool = False) -> Replies:
    """A topic in the citizen's language; ``original``: in Vietnamese, the text that
    prevails over a translation."""
    content = turn.services.content
    locale = ORIGINAL if original else turn.locale
    topic = content.topic(locale, topic_id)
    if topic is None:
        return topic_menu(turn)
    text = f"{topic.title}\n\n{topic.body}"
    choices: tuple[Choice, ...] = (
        Choice(turn._("📚 Other topics"), "m:rules"),
        Choice(turn._("📝 Register to meet a leader"), "m:register"),
        Choice(turn._("🏠 Main menu"), "m:menu"),
    )
    if not original and not content.reviewed(turn.locale, "rules"):
        text = f"{translation_notice(turn)}\n\n{text}"
        choices = (Choice(original_label(turn), f"r:{topic.id}:{ORIGINAL}"), *choices)
    return [Reply(text, choices)]


def translation_notice(turn: Turn) -> str:
    # The marks are the chat's; the public pages say the same words without them.
    return "ℹ️ " + turn._(
        "This text is a translation that a native speaker has not yet reviewed; where it "
        "differs, the Vietnamese text prevails."
    )


def original_label(turn: Turn) -> str:
    return "🇻🇳 " + turn._("The Vietnamese text")


def answer_question(turn: Turn, text: str) -> Replies | None:
    """The topic a free-text question is about, or None when nothing matches."""
    topic_id = turn.services.content.match(text)
    return show_topic(turn, topic_id) if topic_id else None
