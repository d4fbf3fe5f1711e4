"""The rules explainer: a topic menu over the per-locale content files, and free-text questions."""

from __future__ import annotations

from bot.core.model import Choice, Reply
from bot.dialogue.context import Replies, Turn


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


def show_topic(turn: Turn, topic_id: str) -> Replies:
    topic = turn.services.content.topic(turn.locale, topic_id)
    if topic is None:
        return topic_menu(turn)
    choices = (
        Choice(turn._("📚 Other topics"), "m:rules"),
        Choice(turn._("📝 Register to meet a leader"), "m:register"),
        Choice(turn._("🏠 Main menu"), "m:menu"),
    )
    return [Reply(f"{topic.title}\n\n{topic.body}", choices)]


def answer_question(turn: Turn, text: str) -> Replies | None:
    """The topic a free-text question is about, or None when nothing matches."""
    topic_id = turn.services.content.match(text)
    return show_topic(turn, topic_id) if topic_id else None
