"""How a channel sends a message, and the ways sending can fail (channel-independent)."""

from __future__ import annotations

from typing import Protocol

from bot.core.model import Reply


class SendFailure(Exception):
    """Sending did not happen; the subclass says what to do about it. ``delivered``: how many
    of the reply's messages had gone (a long reply is cut in several), counted from its
    first, so that the next attempt sends only the rest."""

    delivered: int = 0


class RetryAfter(SendFailure):
    """The provider asks to wait (Telegram 429): wait exactly that long, then try again."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds} s")
        self.seconds = seconds


class ChannelDown(SendFailure):
    """The channel cannot send anything for now (its credentials are being renewed): try
    again after ``seconds`` without counting an attempt; the message is not at fault."""

    def __init__(self, seconds: float, reason: str) -> None:
        super().__init__(f"channel down for {seconds} s: {reason}")
        self.seconds = seconds


class Unavailable(SendFailure):
    """A network error or a server error: try again later, with growing waits."""


class Unreachable(SendFailure):
    """The recipient blocked the bot or no longer exists: never try this chat again."""


class OutsideWindow(SendFailure):
    """The channel will not carry this message to this chat now (a Zalo OA past the
    consultation window, or out of its quota): it must reach the citizen another way."""


class Rejected(SendFailure):
    """The provider refuses this message for good (a bad request): do not retry it."""


class Sender(Protocol):
    channel: str
    # Only messages for this recipient (the console's one user); None: any recipient.
    only_recipient: str | None

    async def send(self, recipient: str, reply: Reply, *, skip: int = 0) -> str:
        """Send one message (the channel may split a long one), but for its first ``skip``
        parts, which an earlier attempt delivered; return the provider's id of the last
        part, or raise a SendFailure saying how many parts had gone."""
        ...
