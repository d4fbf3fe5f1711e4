"""The registration wizard as the citizen meets it: start, answer, go back, review, submit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import cast

from bot.core import registrations
from bot.core.model import Choice, RegistrationView, Reply, RequestKind, SharedContact
from bot.core.text import clip, fold_words
from bot.core.validation import Invalid
from bot.dialogue import alerts, menu
from bot.dialogue.context import Replies, Turn
from bot.dialogue.registration_steps import STEPS, open_sessions
from bot.dialogue.rules import ORIGINAL
from bot.dialogue.wizard import (
    FLOW,
    KEEP,
    Answer,
    ConsentRequired,
    Draft,
    Leave,
    Step,
    Wizard,
    active,
    discard,
    has_draft,
    suspend,
)

__all__ = [
    "active",
    "back",
    "cancel",
    "on_input",
    "on_payload",
    "repeat",
    "resume",
    "start",
    "suspend",
]


def _wizard(turn: Turn) -> Wizard:
    return Wizard(turn.state, STEPS)


async def start(turn: Turn, leader_id: int | None = None) -> Replies:
    if has_draft(turn):
        turn.state.data["flow"] = FLOW
        wizard = _wizard(turn)
        if leader_id is not None and "consent" in wizard.draft:
            await _choose_leader(turn, wizard, leader_id)
        return await resume(turn)
    try:
        await registrations.check_limit(turn.repo, turn.citizen.id, turn.settings.booking)
    except registrations.LimitReached as limit:
        return _limit_reached(turn, limit.count)
    if not await open_sessions(turn):
        return menu.main_menu(
            turn,
            turn._(
                "No reception session has free places at the moment, so a registration cannot "
                "be made now. Sessions are published at least 5 working days ahead; please look "
                "again later in /schedule."
            ),
        )
    discard(turn)
    turn.state.data["flow"] = FLOW
    wizard = _wizard(turn)
    if leader_id is not None:
        wizard.data["preset_leader"] = leader_id
    intro = turn._(
        "Let us register your request to meet a leader. It takes about five minutes. "
        "You will review everything before it is sent. At any step, /back goes one step "
        "back and /cancel stops."
    )
    return await _ask_next(turn, wizard, lead=intro)


async def resume(turn: Turn) -> Replies:
    """Show an unfinished registration where the citizen stopped."""
    turn.state.data["flow"] = FLOW
    note = turn._(
        "You have an unfinished registration; let us continue where you stopped. "
        "To start again from the beginning, send /cancel and then /register."
    )
    return await _ask_next(turn, _wizard(turn), lead=note)


async def on_input(
    turn: Turn, text: str, value: str | None, contact: SharedContact | None
) -> Replies:
    """An answer typed or tapped while the wizard is active."""
    wizard = _wizard(turn)
    step = wizard.missing()
    if step is None:
        return await _on_review_input(turn, wizard, text, value)
    if value is None and text:
        value = _choice_value(await step.ask(turn, wizard.draft), text, f"reg:{step.name}:")
    if value == KEEP and _can_keep(wizard, step):
        wizard.set(step, wizard.previous[step.name])
        return await _after_answer(turn, wizard)
    try:
        accepted = await step.accept(turn, wizard.draft, Answer(text, value, contact))
    except Invalid as problem:
        return await _ask(turn, wizard, step, lead=turn._(problem.message, **problem.params))
    except Leave as leave:
        return leave.replies
    if step.name == "phone":
        phone, verified = cast(tuple[str, bool], accepted)
        wizard.set(step, phone)
        wizard.draft["phone_verified"] = verified
    else:
        wizard.set(step, accepted)
    if step.name == "consent" and "preset_leader" in wizard.data:
        await _choose_leader(turn, wizard, cast(int, wizard.data.pop("preset_leader")))
    return await _after_answer(turn, wizard)


async def on_payload(turn: Turn, rest: str, contact: SharedContact | None = None) -> Replies:
    """A tapped ``reg:<step>:<value>`` button; a stale one is answered politely."""
    if not active(turn):
        if has_draft(turn):
            return await resume(turn)
        return menu.main_menu(
            turn, turn._("That button belongs to a registration form that is closed.")
        )
    wizard = _wizard(turn)
    step_name, _sep, value = rest.partition(":")
    current = wizard.missing()
    expected = current.name if current else "review"
    if step_name != expected:
        return await _ask_next(
            turn,
            wizard,
            lead=turn._("That button belongs to an earlier question. Here is the current one:"),
        )
    if current is None:
        return await _on_review_input(turn, wizard, "", value)
    return await on_input(turn, "", value, contact)


async def back(turn: Turn) -> Replies:
    wizard = _wizard(turn)
    if wizard.editing:
        name = wizard.editing
        wizard.editing = None
        if name in wizard.previous:
            wizard.draft[name] = wizard.previous.pop(name)
        return await _ask_next(turn, wizard)
    target = wizard.step_before(wizard.missing())
    if target is None:
        return await _ask_next(
            turn, wizard, lead=turn._("This is the first step. To stop registering, send /cancel.")
        )
    wizard.clear(target.name)
    return await _ask_next(turn, wizard)


def cancel(turn: Turn) -> Replies:
    discard(turn)
    return menu.main_menu(
        turn,
        turn._("Registration cancelled. Nothing was sent, and the answers you gave were deleted."),
    )


async def repeat(turn: Turn, lead: str | None = None) -> Replies:
    return await _ask_next(turn, _wizard(turn), lead=lead)


def help_text(turn: Turn) -> str:
    return turn._(
        "You are registering to meet a leader. Answer the question below, or use: "
        "/back to go one step back, /cancel to stop and delete your answers. "
        "Other commands pause the registration; /register continues it."
    )


# --- asking and moving on ----------------------------------------------------------------------


async def _after_answer(turn: Turn, wizard: Wizard) -> Replies:
    wizard.editing = None
    return await _ask_next(turn, wizard)


async def _ask_next(turn: Turn, wizard: Wizard, lead: str | None = None) -> Replies:
    step = wizard.missing()
    if step is None:
        return await _review(turn, wizard, lead)
    return await _ask(turn, wizard, step, lead)


async def _ask(turn: Turn, wizard: Wizard, step: Step, lead: str | None = None) -> Replies:
    reply = await step.ask(turn, wizard.draft)
    applicable = [s.name for s in wizard.applicable()]
    progress = turn._(
        "Step {n} of {total}", n=applicable.index(step.name) + 1, total=len(applicable)
    )
    question = f"{progress}\n{reply.text}"
    choices = reply.choices
    earlier = await _earlier_answer(turn, wizard, step)
    if earlier is not None and _can_keep(wizard, step):
        choices = (
            Choice(turn._("↩️ Keep: {value}", value=_shorten(earlier)), f"reg:{step.name}:{KEEP}"),
            *choices,
        )
    elif earlier is not None:
        question += "\n" + turn._("(Your earlier answer: {value})", value=_shorten(earlier))
    parts = [p for p in (lead, question) if p]
    return [Reply("\n\n".join(parts), choices, reply.contact_request)]


async def _earlier_answer(turn: Turn, wizard: Wizard, step: Step) -> str | None:
    """How an answer the citizen took back reads, to offer it again."""
    if step.name not in wizard.previous or step.show is None:
        return None
    try:
        return await step.show(turn, {**wizard.draft, step.name: wizard.previous[step.name]})
    except (LookupError, TypeError, ValueError):
        return None


def _can_keep(wizard: Wizard, step: Step) -> bool:
    return (
        step.keepable
        and step.name in wizard.previous
        and step.still_valid(wizard.draft, wizard.previous[step.name])
    )


def _choice_value(reply: Reply, text: str, prefix: str) -> str | None:
    """A typed answer equal to a button's label (emoji and accents aside) taps that button."""
    wanted = fold_words(text)
    for choice in reply.choices:
        if wanted and fold_words(choice.label) == wanted:
            return choice.payload.removeprefix(prefix)
    return None


def _shorten(text: str, limit: int = 40) -> str:
    return clip(" ".join(text.split()), limit)


# --- the review screen and submission --------------------------------------------------------


async def _review(turn: Turn, wizard: Wizard, lead: str | None = None) -> Replies:
    lines = [turn._("Please check your registration before sending it:"), ""]
    edit_choices: list[Choice] = []
    for step in wizard.applicable():
        if step.show is None:
            continue
        lines.append(f"• {turn._(step.label)}: {await step.show(turn, wizard.draft)}")
        edit_choices.append(
            Choice(turn._("✏️ {field}", field=turn._(step.label)), f"reg:review:edit:{step.name}")
        )
    if turn.locale != ORIGINAL:
        lines += ["", *await _record_in_vietnamese(turn, wizard)]
    lines += ["", turn._("Is everything correct? Send it, or choose what to change.")]
    text = "\n".join(lines)
    if lead:
        text = f"{lead}\n\n{text}"
    choices = (Choice(turn._("✅ Send my registration"), "reg:review:submit"), *edit_choices)
    return [Reply(text, choices)]


async def _record_in_vietnamese(turn: Turn, wizard: Wizard) -> list[str]:
    """The fields as the officers will read them: the official record is Vietnamese. The
    choices and fixed words are translated; what the citizen wrote stays as written."""
    own = turn.locale
    lines = [
        turn._(
            "The record the officers will read, in Vietnamese (what you wrote stays as you "
            "wrote it):"
        )
    ]
    turn.use_locale(ORIGINAL)
    try:
        for step in wizard.applicable():
            if step.show is not None:
                lines.append(f"• {turn._(step.label)}: {await step.show(turn, wizard.draft)}")
    finally:
        turn.use_locale(own)
    return lines


async def _on_review_input(turn: Turn, wizard: Wizard, text: str, value: str | None) -> Replies:
    if value is None and text:
        value = _choice_value((await _review(turn, wizard))[0], text, "reg:review:")
    if value == "submit":
        return await _submit(turn, wizard)
    if value and value.startswith("edit:"):
        name = value.removeprefix("edit:")
        step = next((s for s in wizard.applicable() if s.name == name and s.show), None)
        if step is not None:
            wizard.clear(name)
            wizard.editing = name
            return await _ask(turn, wizard, step)
    return await _review(turn, wizard, lead=turn._("Please choose one of the options below."))


def _limit_reached(turn: Turn, count: int) -> Replies:
    return menu.main_menu(
        turn,
        turn._(
            "You already have {count} registrations waiting or scheduled; that is the most "
            "one person can have at a time. You can follow or withdraw them in /status.",
            count=count,
        ),
    )


def _submission(turn: Turn, draft: Draft) -> registrations.Submission:
    if "consent" not in draft:
        raise ConsentRequired("submit")
    return registrations.Submission(
        citizen_id=turn.citizen.id,
        consent_id=int(draft["consent"]),
        kind=RequestKind(draft["kind"]),
        full_name=str(draft["full_name"]),
        phone=str(draft["phone"]),
        phone_verified=bool(draft.get("phone_verified", False)),
        id_number=str(draft["id_number"]),
        province=str(draft["province"]),
        address=str(draft["address"]),
        leader_id=int(draft["leader"]),
        session_id=int(draft["session"]),
        people_count=int(draft["people_count"]),
        representatives=tuple(cast(Sequence[str], draft.get("representatives", ()))),
        summary=str(draft["summary"]),
        prior_handling=str(draft["prior_handling"]),
        request=str(draft["request"]),
        locale=turn.locale,
        interpreter=str(draft.get("interpreter", "")),
    )


async def _submit(turn: Turn, wizard: Wizard) -> Replies:
    try:
        submitted = await registrations.submit(
            turn.repo,
            _submission(turn, wizard.draft),
            now=turn.now,
            work=await turn.calendar(),
            rules=turn.settings.booking,
            new_code=turn.services.new_ticket_code,
            actor=turn.actor,
        )
    except registrations.LimitReached as limit:
        return _limit_reached(turn, limit.count)
    except registrations.SessionUnavailable:
        wizard.clear("session")
        return await _ask_next(
            turn,
            wizard,
            lead=turn._(
                "Sorry, the session you chose has just become full or is no longer available. "
                "Please choose another one; your other answers are kept."
            ),
        )
    discard(turn)
    registration = submitted.registration
    await alerts.announce_registration(turn.repo, turn.services, registration, turn.now)
    text = "\n\n".join(
        (
            turn._(
                "✅ Your registration has been sent. Your ticket code is: {code}",
                code=registration.code,
            ),
            turn._("Keep this code: it identifies your registration when you ask about it."),
            _when_you_hear(turn, submitted.answer_by, registration),
            turn._(
                "If it is scheduled, you will get the date, time and place of your reception "
                "and what to bring. You can follow it at any time with /status."
            ),
        )
    )
    choices = (
        Choice(turn._("📋 My registrations"), "m:status"),
        Choice(turn._("🏠 Main menu"), "m:menu"),
    )
    return [Reply(text, choices)]


def _when_you_hear(turn: Turn, answer_by: date, registration: RegistrationView) -> str:
    if answer_by < registration.due_date:
        return turn._(
            "What happens next: the reception officers review your registration and tell you "
            "their decision here by {date} at the latest, before your session.",
            date=turn.tr.day(answer_by),
        )
    return turn._(
        "What happens next: the reception officers review your registration and tell you "
        "their decision here by {date} at the latest ({days} working days).",
        date=turn.tr.day(answer_by),
        days=turn.settings.booking.deadlines.to_answer(registration.kind),
    )


async def _choose_leader(turn: Turn, wizard: Wizard, leader_id: int) -> None:
    """Pre-select a leader chosen from the schedule or a deep link, when they have free places."""
    if await open_sessions(turn, leader_id):
        wizard.set(next(step for step in STEPS if step.name == "leader"), leader_id)
