"""The wizard's draft rules, without a database: consent first, next step, back, resets."""

from __future__ import annotations

import pytest

from bot.core.model import DialogState
from bot.dialogue.registration_steps import STEPS
from bot.dialogue.wizard import ConsentRequired, Step, Wizard


def step(name: str) -> Step:
    return next(s for s in STEPS if s.name == name)


def fresh() -> Wizard:
    return Wizard(DialogState(), STEPS)


@pytest.mark.parametrize("name", [s.name for s in STEPS if s.name != "consent"])
def test_no_answer_is_stored_before_consent(name: str) -> None:
    wizard = fresh()
    with pytest.raises(ConsentRequired):
        wizard.set(step(name), "anything")
    assert wizard.draft == {}


def test_after_consent_the_next_step_is_the_first_unanswered_one() -> None:
    wizard = fresh()
    assert wizard.missing() == step("consent")
    wizard.set(step("consent"), 1)
    assert wizard.missing() == step("full_name")
    wizard.set(step("full_name"), "Nguyễn Văn An")
    wizard.set(step("id_number"), "001090012345")  # answered out of order
    assert wizard.missing() == step("phone")
    assert wizard.step_before(wizard.missing()) == step("full_name")
    assert wizard.step_before(step("consent")) is None


def test_conditional_steps_appear_only_when_they_apply() -> None:
    wizard = fresh()
    names = [s.name for s in wizard.applicable()]
    assert "confidential" not in names and "representatives" not in names
    wizard.set(step("consent"), 1)
    wizard.set(step("kind"), "denunciation")
    wizard.set(step("people_count"), 5)
    names = [s.name for s in wizard.applicable()]
    assert "confidential" in names and "representatives" in names


def test_a_changed_answer_clears_the_answers_that_depend_on_it() -> None:
    wizard = fresh()
    wizard.set(step("consent"), 1)
    wizard.set(step("leader"), 1)
    wizard.set(step("session"), 10)
    wizard.set(step("leader"), 1)  # the same leader again: the session stays
    assert wizard.draft["session"] == 10
    wizard.set(step("leader"), 2)
    assert "session" not in wizard.draft
    assert wizard.previous["session"] == 10  # kept aside, not lost


def test_clearing_an_answer_keeps_it_as_the_previous_one() -> None:
    wizard = fresh()
    wizard.set(step("consent"), 1)
    wizard.set(step("full_name"), "Nguyễn Văn An")
    wizard.clear("full_name")
    assert "full_name" not in wizard.draft
    assert wizard.previous == {"full_name": "Nguyễn Văn An"}
    assert wizard.missing() == step("full_name")


def test_the_draft_lives_in_the_dialog_state() -> None:
    state = DialogState()
    wizard = Wizard(state, STEPS)
    wizard.set(step("consent"), 7)
    assert state.data["registration"] == {
        "draft": {"consent": 7},
        "previous": {},
    }


def test_back_from_the_review_returns_to_the_last_step() -> None:
    wizard = fresh()
    assert wizard.step_before(None) == STEPS[-1]


def test_answers_left_by_an_older_version_are_dropped_and_asked_again() -> None:
    state = DialogState(
        {
            "registration": {
                "draft": {"consent": 3, "kind": "mixed", "leader": "7", "full_name": "An"},
                "previous": {"people_count": 0},
            }
        }
    )
    wizard = Wizard(state, STEPS)
    assert wizard.draft == {"consent": 3, "full_name": "An"}
    assert wizard.previous == {}
    assert wizard.missing() == step("phone")
