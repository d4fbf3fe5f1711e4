"""The mechanics of the registration wizard: steps, the draft of answers and its rules.

The draft is a dict of answers kept in the citizen's dialog state. The step to ask is always the
first step whose condition holds and which has no answer yet, so one rule drives the normal
order, ``/back`` (which clears the last answer), editing from the review screen (which clears one
answer) and answers that invalidate others (changing the leader clears the session). Nothing
personal is stored before consent: consent is the first step and ``Wizard.set`` refuses any
other answer without it.
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


class Leave(Exception):
    def __init__(self, replies: Replies) -> None:
        super().__init__("leave the registration wizard")
        self.replies = replies


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


class Wizard:
    """View over ``state.data["registration"]``: draft, answer order and replaced answers."""

    def __init__(self, state: DialogState, steps: tuple[Step, ...]) -> None:
        self.steps = steps
        data = state.data.setdefault(FLOW, {})
        assert isinstance(data, dict)
        self.data: dict[str, Any] = data
        self.data.setdefault("draft", {})
        self.data.setdefault("history", [])
        self.data.setdefault("previous", {})

    @property
    def draft(self) -> Draft:
        return cast(Draft, self.data["draft"])

    @property
    def history(self) -> list[str]:
        return cast(list[str], self.data["history"])

    @property
    def previous(self) -> dict[str, Any]:
        return cast(dict[str, Any], self.data["previous"])

    @property
    def editing(self) -> str | None:
        return cast(str | None, self.data.get("editing"))

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

    def set(self, step: Step, value: object) -> None:
        if step.name != "consent" and "consent" not in self.draft:
            raise ConsentRequired(step.name)
        old = self.draft.get(step.name, self.previous.get(step.name))
        self.draft[step.name] = value
        self.previous.pop(step.name, None)
        if old is not None and old != value:
            for name in step.resets:
                self.clear(name)
        if step.name in self.history:
            self.history.remove(step.name)
        self.history.append(step.name)

    def clear(self, name: str) -> None:
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
