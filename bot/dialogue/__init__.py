"""Channel-independent conversations: ``Dialogue.handle(Incoming) -> list[Reply]``."""

from bot.dialogue.context import DialogueSettings, PrivacySettings, Services
from bot.dialogue.engine import Dialogue

__all__ = ["Dialogue", "DialogueSettings", "PrivacySettings", "Services"]
