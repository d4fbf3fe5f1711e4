"""The terminal channel: the embedded default, a demo and a scripting tool.

Choices are printed as a numbered list; the citizen answers with the number or the option's
text. Works the same with a keyboard or a pipe, and stops cleanly at the end of input.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol, TextIO

from bot.core.choices import pick
from bot.core.model import Channel, Choice, Incoming, Reply


class Handler(Protocol):
    async def handle(self, incoming: Incoming) -> list[Reply]: ...


def render(replies: Sequence[Reply]) -> tuple[str, list[Choice]]:
    """Text for the terminal, and the choices in the order their numbers were printed."""
    blocks: list[str] = []
    numbered: list[Choice] = []
    for reply in replies:
        lines = [reply.text]
        for choice in reply.choices:
            numbered.append(choice)
            lines.append(f"  {len(numbered)}. {choice.label}")
        if reply.file is not None:
            lines.append(f"  [file: {reply.file.filename}]")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks), numbered


def interpret(line: str, choices: Sequence[Choice]) -> tuple[str | None, str | None]:
    """(text, payload) for a typed line: a choice's number or label selects that choice."""
    payload = pick(line, choices)
    return (None, payload) if payload is not None else (line.strip(), None)


class ConsoleChannel:
    def __init__(
        self,
        dialogue: Handler,
        user_id: str,
        stdin: TextIO,
        stdout: TextIO,
        *,
        interactive: bool,
        after_turn: Callable[[], Awaitable[object]] | None = None,
    ) -> None:
        self._dialogue = dialogue
        self.user_id = user_id
        self._stdin = stdin
        self._stdout = stdout
        self._interactive = interactive
        self._choices: list[Choice] = []
        # Runs after each answer: the outbox, so messages for this user show up at once.
        self._after_turn = after_turn
        self._delivered = 0

    def show(self, reply: Reply) -> str:
        """Print a message that arrives on its own (a notice, a reminder); its buttons become
        the numbered choices. Returns a message id for the outbox."""
        output, self._choices = render([reply])
        self._stdout.write(f"📬 {output}\n\n")
        self._stdout.flush()
        self._delivered += 1
        return f"console-{self._delivered}"

    async def run(self) -> None:
        if self._interactive:
            await self._send(text="/start", payload=None)
        while True:
            if self._interactive:
                self._stdout.write("> ")
                self._stdout.flush()
            line = await asyncio.to_thread(self._stdin.readline)
            if not line:
                break
            if not line.strip():
                continue
            text, payload = interpret(line, self._choices)
            if not self._interactive:
                # A piped transcript is easier to read with the input echoed.
                self._stdout.write(f"> {line.strip()}\n")
            await self._send(text=text, payload=payload)

    async def _send(self, *, text: str | None, payload: str | None) -> None:
        incoming = Incoming(
            channel=Channel.CONSOLE.value,
            user_id=self.user_id,
            chat_id=self.user_id,
            text=text,
            payload=payload,
        )
        output, self._choices = render(await self._dialogue.handle(incoming))
        self._stdout.write(output + "\n\n")
        self._stdout.flush()
        if self._after_turn is not None:
            await self._after_turn()


class ConsoleSender:
    """Delivers the outbox's messages for the console's one user into the terminal."""

    channel = Channel.CONSOLE.value

    def __init__(self, console: ConsoleChannel) -> None:
        self._console = console
        self.only_recipient: str | None = console.user_id

    async def send(self, recipient: str, reply: Reply, *, skip: int = 0) -> str:
        # Shown whole at once: there are no parts to skip.
        return self._console.show(reply)
