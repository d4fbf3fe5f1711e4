"""The mechanics of the registration wizard: steps, the draft of answers and its rules.

The draft is a dict of answers kept in the citizen's dialog state. The step to ask is always the
first step whose condition holds and which has no answer yet. The same rule drives the normal
order, ``/back`` (which clears the answer of the step before the one being asked), editing from
the review screen (which clears one answer) and answers that invalidate others (changing the
leader clears the session). Nothing personal is stored before consent: consent is the first step
and ``Wizard.set`` refuses any other answer without it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, cast

from bot.core.model import DialogState, Reply, SharedContact
from bot.dialogue.context import Replies, Turn

FLOW = "registration"
KEEP = "~"

Draft = dict[str, Any]


class ConsentRequired(Exception):
    """Personal data was about to be stored before the citizen agreed to the privacy notice."""


@dataclass(frozen=True, slots=True)
class Answer:
    text: str
    value: str | None
    contact: SharedContact | None


class Leave(Exception):  # control flow: the answer ends the wizard
    def __init__(self, replies: Replies) -> None:
        super().__init__("leave the registration wizard")
        self.replies = replies


def is_text(value: object) -> bool:
    return isinstance(value, str)


@dataclass(frozen=True, slots=True)
class Step:
    name: str
    label: str
    ask: Callable[[Turn, Draft], Awaitable[Reply]]
    accept: Callable[[Turn, Draft, Answer], Awaitable[object]]
    show: Callable[[Turn, Draft], Awaitable[str]] | None = None
    when: Callable[[Draft], bool] = lambda _draft: True
    resets: tuple[str, ...] = ()
    keepable: bool = True
    # Whether an earlier answer still fits the rest of the draft, before offering to keep it.
    still_valid: Callable[[Draft, Any], bool] = lambda _draft, _value: True
    # What a stored answer must look like; anything else (a value left by an older version
    # of the bot) is dropped and asked again instead of breaking the conversation.
    shape: Callable[[object], bool] = is_text


class Wizard:
    """View over ``state.data["registration"]``: the draft and the answers it replaced."""

    def __init__(self, state: DialogState, steps: tuple[Step, ...]) -> None:
        self.steps = steps
        data = state.data.setdefault(FLOW, {})
        assert isinstance(data, dict)
        self.data: dict[str, Any] = data
        for key in ("draft", "previous"):
            if not isinstance(self.data.get(key), dict):
                self.data[key] = {}
        self._drop_malformed()

    def _drop_malformed(self) -> None:
        shapes = {step.name: step.shape for step in self.steps}
        for store in (self.draft, self.previous):
            for name in list(store):
                check = shapes.get(name)
                if check is not None and not check(store[name]):
                    del store[name]

    @property
    def draft(self) -> Draft:
        return cast(Draft, self.data["draft"])

    @property
    def previous(self) -> dict[str, Any]:
        return cast(dict[str, Any], self.data["previous"])

    @property
    def editing(self) -> str | None:
        value = self.data.get("editing")
        return value if isinstance(value, str) else None

    @editing.setter
    def editing(self, name: str | None) -> None:
        if name is None:
            self.data.pop("editing", None)
        else:
            self.data["editing"] = name

    def applicable(self) -> list[Step]:
        return [step for step in self.steps if step.when(self.draft)]

    def missing(self) -> Step | None:
        return next((s for s in self.applicable() if s.name not in self.draft), None)

    def step_before(self, current: Step | None) -> Step | None:
        """The step ``/back`` returns to: the one before ``current`` (None: the review)."""
        applicable = self.applicable()
        if current is None:
            return applicable[-1] if applicable else None
        index = applicable.index(current)
        return applicable[index - 1] if index > 0 else None

    def set(self, step: Step, value: object) -> None:
        if step.name != "consent" and "consent" not in self.draft:
            raise ConsentRequired(step.name)
        old = self.draft.get(step.name, self.previous.get(step.name))
        self.draft[step.name] = value
        self.previous.pop(step.name, None)
        if old is not None and old != value:
            for name in step.resets:
                self.clear(name)

    def clear(self, name: str) -> None:
        """Take an answer back; it stays aside so the citizen can keep it with one tap."""
        if name in self.draft:
            self.previous[name] = self.draft.pop(name)


def active(turn: Turn) -> bool:
    return turn.state.data.get("flow") == FLOW


def has_draft(turn: Turn) -> bool:
    data = turn.state.data.get(FLOW)
    return isinstance(data, dict) and bool(data.get("draft"))


def suspend(turn: Turn) -> str | None:
    """Leave the wizard for another page, keeping the answers; the note to show, if any."""
    if not active(turn):
        return None
    turn.state.data.pop("flow", None)
    return turn._(
        "Your registration is paused and your answers are kept. Send /register to continue."
    )


def discard(turn: Turn) -> None:
    turn.state.data.pop("flow", None)
    turn.state.data.pop(FLOW, None)
