"""The registration wizard, as a table of steps.

The draft is a dict of answers kept in the citizen's dialog state. The step to ask is always the
first step whose condition holds and which has no answer yet, so the same rule drives the normal
order, ``/back`` (which clears the last answer), editing from the review screen (which clears one
answer) and answers that invalidate others (changing the leader clears the session). When no
step is missing, the review screen is shown. Nothing personal is stored before consent: consent
is the first step and every later step refuses to run without it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from bot.core import validation
from bot.core.i18n import N_
from bot.core.model import (
    Choice,
    NewRegistration,
    Reply,
    RequestKind,
    SessionView,
    SharedContact,
)
from bot.core.provinces import PROVINCES, match_province
from bot.core.representatives import representative_limits, representatives_allowed
from bot.core.text import fold
from bot.core.validation import Invalid
from bot.dialogue import menu
from bot.dialogue.context import Replies, Turn
from bot.dialogue.labels import KIND_HINTS, KIND_LABELS
from bot.dialogue.schedule import session_choice_label, session_line

FLOW = "registration"
KEEP = "~"
SUMMARY_MIN = 20
REQUEST_MIN, REQUEST_MAX = 5, 1000
PRIOR_MAX = 1000

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


# --- the wizard's state ----------------------------------------------------------------------


class Wizard:
    """View over ``state.data["registration"]``: draft, answer order and replaced answers."""

    def __init__(self, turn: Turn) -> None:
        data = turn.state.data.setdefault(FLOW, {})
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
        return [step for step in STEPS if step.when(self.draft)]

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


# --- entry points ------------------------------------------------------------------------------


async def start(turn: Turn, leader_id: int | None = None) -> Replies:
    if has_draft(turn):
        turn.state.data["flow"] = FLOW
        wizard = Wizard(turn)
        if (
            leader_id is not None
            and wizard.draft.get("leader") != leader_id
            and "consent" in wizard.draft
        ):
            await _choose_leader(turn, wizard, leader_id)
        note = turn._(
            "You have an unfinished registration; let us continue where you stopped. "
            "To start again from the beginning, send /cancel and then /register."
        )
        return await _ask_next(turn, wizard, lead=note)
    active_count = await turn.repo.count_active_registrations(turn.citizen.id)
    if active_count >= turn.settings.max_active_per_citizen:
        return menu.main_menu(
            turn,
            turn._(
                "You already have {count} registrations waiting or approved, the most one "
                "person can have at a time. You can follow or withdraw them in /status.",
                count=active_count,
            ),
        )
    if not await _open_sessions(turn):
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
    wizard = Wizard(turn)
    if leader_id is not None:
        wizard.data["preset_leader"] = leader_id
    intro = turn._(
        "Let us register your request to meet a leader. It takes about five minutes. "
        "You will review everything before it is sent. At any step, /back goes one step "
        "back and /cancel stops."
    )
    return await _ask_next(turn, wizard, lead=intro)


async def on_input(
    turn: Turn, text: str, value: str | None, contact: SharedContact | None
) -> Replies:
    """An answer typed or tapped while the wizard is active."""
    wizard = Wizard(turn)
    step = wizard.missing()
    if step is None:
        return await _on_review_input(turn, wizard, text, value)
    if value is None and text:
        value = await _choice_for_text(turn, wizard, step, text)
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
            return await start(turn)
        return menu.main_menu(
            turn, turn._("That button belongs to a registration that has ended.")
        )
    wizard = Wizard(turn)
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
    wizard = Wizard(turn)
    if wizard.editing:
        name = wizard.editing
        wizard.editing = None
        if name in wizard.previous:
            wizard.draft[name] = wizard.previous.pop(name)
        return await _ask_next(turn, wizard)
    if not wizard.history:
        return await _ask_next(
            turn, wizard, lead=turn._("This is the first step. To stop registering, send /cancel.")
        )
    name = wizard.history.pop()
    wizard.clear(name)
    return await _ask_next(turn, wizard)


def cancel(turn: Turn) -> Replies:
    discard(turn)
    return menu.main_menu(
        turn,
        turn._("Registration cancelled. Nothing was sent, and the answers you gave were deleted."),
    )


async def repeat(turn: Turn, lead: str | None = None) -> Replies:
    return await _ask_next(turn, Wizard(turn), lead=lead)


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
    parts = [p for p in (lead, f"{progress}\n{reply.text}") if p]
    choices = reply.choices
    if _can_keep(wizard, step):
        shown = await _display(turn, step, {**wizard.draft, step.name: wizard.previous[step.name]})
        choices = (
            Choice(turn._("↩️ Keep: {value}", value=_shorten(shown)), f"reg:{step.name}:{KEEP}"),
            *choices,
        )
    return [Reply("\n\n".join(parts), choices, reply.contact_request)]


def _can_keep(wizard: Wizard, step: Step) -> bool:
    return (
        step.keepable
        and step.name in wizard.previous
        and step.still_valid(wizard.draft, wizard.previous[step.name])
    )


async def _choice_for_text(turn: Turn, wizard: Wizard, step: Step, text: str) -> str | None:
    """A typed answer equal to a button's label counts as tapping that button."""
    reply = await step.ask(turn, wizard.draft)
    wanted = fold(text)
    for choice in reply.choices:
        if fold(choice.label) == wanted:
            return choice.payload.rsplit(":", 1)[-1]
    return None


def _shorten(text: str, limit: int = 40) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


async def _display(turn: Turn, step: Step, draft: Draft) -> str:
    return await step.show(turn, draft) if step.show else str(draft.get(step.name, ""))


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
    lines += ["", turn._("Is everything correct? Send it, or choose what to change.")]
    text = "\n".join(lines)
    if lead:
        text = f"{lead}\n\n{text}"
    choices = (Choice(turn._("✅ Send my registration"), "reg:review:submit"), *edit_choices)
    return [Reply(text, choices)]


async def _on_review_input(turn: Turn, wizard: Wizard, text: str, value: str | None) -> Replies:
    if value is None and text:
        value = await _review_choice_for_text(turn, wizard, text)
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


async def _review_choice_for_text(turn: Turn, wizard: Wizard, text: str) -> str | None:
    reply = (await _review(turn, wizard))[0]
    wanted = fold(text)
    for choice in reply.choices:
        if fold(choice.label) == wanted:
            return choice.payload.removeprefix("reg:review:")
    return None


async def _submit(turn: Turn, wizard: Wizard) -> Replies:
    draft = wizard.draft
    if "consent" not in draft:
        raise ConsentRequired("submit")
    active_count = await turn.repo.count_active_registrations(turn.citizen.id)
    if active_count >= turn.settings.max_active_per_citizen:
        return menu.main_menu(
            turn,
            turn._(
                "You already have {count} registrations waiting or approved, the most one "
                "person can have at a time. You can follow or withdraw them in /status.",
                count=active_count,
            ),
        )
    session = await turn.repo.session(int(draft["session"]))
    if session is None or not _bookable(turn, session):
        wizard.clear("session")
        return await _ask_next(
            turn,
            wizard,
            lead=turn._(
                "Sorry, the session you chose has just become full or is no longer available. "
                "Please choose another one; your other answers are kept."
            ),
        )
    work = await turn.calendar()
    today = turn.now.astimezone(turn.tr.zone).date()
    code = turn.services.new_ticket_code()
    while await turn.repo.code_taken(code):
        code = turn.services.new_ticket_code()
    registration = await turn.repo.create_registration(
        NewRegistration(
            code=code,
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
            session_id=session.id,
            people_count=int(draft["people_count"]),
            representatives=tuple(draft.get("representatives", ())),
            summary=str(draft["summary"]),
            prior_handling=str(draft.get("prior_handling", "")),
            request=str(draft["request"]),
            locale=turn.locale,
            submitted_at=turn.now,
            due_date=work.add_working_days(today, turn.settings.answer_working_days),
        ),
        actor=turn.actor,
    )
    discard(turn)
    text = "\n\n".join(
        (
            turn._(
                "✅ Your registration has been sent. Your ticket code is: {code}",
                code=registration.code,
            ),
            turn._("Keep this code: it identifies your registration when you ask about it."),
            turn._(
                "What happens next: the reception officers review your registration and tell "
                "you their decision here by {date} at the latest ({days} working days). If it "
                "is approved you will get the date, time and place of your meeting and what to "
                "bring. You can follow it at any time with /status.",
                date=turn.tr.day(registration.due_date),
                days=turn.settings.answer_working_days,
            ),
        )
    )
    choices = (
        Choice(turn._("📋 My registrations"), "m:status"),
        Choice(turn._("🏠 Main menu"), "m:menu"),
    )
    return [Reply(text, choices)]


# --- sessions and leaders open for booking ---------------------------------------------------


def _bookable(turn: Turn, session: SessionView) -> bool:
    horizon = turn.now + timedelta(days=turn.settings.booking_horizon_days)
    return (
        session.published
        and session.status.value == "planned"
        and session.remaining > 0
        and turn.now + turn.settings.booking_min_notice <= session.starts_at <= horizon
    )


async def _open_sessions(turn: Turn, leader_id: int | None = None) -> list[SessionView]:
    sessions = await turn.repo.sessions_between(
        turn.now + turn.settings.booking_min_notice,
        turn.now + timedelta(days=turn.settings.booking_horizon_days),
        leader_id=leader_id,
    )
    return [s for s in sessions if _bookable(turn, s)]


async def _choose_leader(turn: Turn, wizard: Wizard, leader_id: int) -> None:
    """Pre-select a leader chosen from the schedule or a deep link, when they have free places."""
    if await _open_sessions(turn, leader_id):
        step = _step("leader")
        wizard.set(step, leader_id)


def _step(name: str) -> Step:
    return next(step for step in STEPS if step.name == name)


# --- the steps ---------------------------------------------------------------------------------


async def _ask_consent(turn: Turn, _draft: Draft) -> Reply:
    text = "\n\n".join(
        (
            menu.privacy_notice_text(turn),
            turn._(
                "Before I ask for any personal data: do you agree that your data is processed "
                "as described above?"
            ),
        )
    )
    return Reply(
        text,
        (
            Choice(turn._("I agree"), "reg:consent:yes"),
            Choice(turn._("I do not agree"), "reg:consent:no"),
        ),
    )


_YES = {"yes", "y", "agree", "i agree", "ok", "dong y", "co", "toi dong y", "đong y"}
_NO = {"no", "n", "disagree", "i do not agree", "khong", "khong dong y", "toi khong dong y"}


async def _accept_consent(turn: Turn, draft: Draft, answer: Answer) -> object:
    choice = answer.value or fold(answer.text)
    if choice in _NO or choice == "no":
        discard(turn)
        raise Leave(
            menu.main_menu(
                turn,
                turn._(
                    "Understood. Without your consent I cannot register you here, and I have "
                    "kept none of your data. You can still come in person to the citizen "
                    "reception office at the published times (see /schedule)."
                ),
            )
        )
    if choice not in _YES:
        raise Invalid(N_("Please choose “I agree” or “I do not agree”."))
    notice = turn.services.content
    return await turn.repo.record_consent(
        turn.citizen.id, notice.privacy_version, turn.locale, turn.now
    )


async def _ask_full_name(turn: Turn, _draft: Draft) -> Reply:
    return Reply(turn._("What is your full name, as on your citizen ID card?"))


async def _accept_full_name(_turn: Turn, _draft: Draft, answer: Answer) -> object:
    return validation.full_name(answer.text)


async def _ask_phone(turn: Turn, _draft: Draft) -> Reply:
    return Reply(
        turn._(
            "Your phone number, so the officers can contact you. Tap the button to share the "
            "number of this account, or type it, for example 0912 345 678."
        ),
        contact_request=turn._("📱 Share my phone number"),
    )


async def _accept_phone(turn: Turn, _draft: Draft, answer: Answer) -> object:
    if answer.contact is not None:
        if answer.contact.owner_user_id != turn.incoming.user_id:
            raise Invalid(
                N_(
                    "This is someone else's contact. Please share your own number with the "
                    "button, or type it."
                )
            )
        return (validation.phone_number(answer.contact.phone), True)
    return (validation.phone_number(answer.text), False)


async def _show_phone(turn: Turn, draft: Draft) -> str:
    shown = validation.display_phone(str(draft["phone"]))
    if draft.get("phone_verified"):
        return turn._("{phone} (shared from your account)", phone=shown)
    return shown


async def _ask_id_number(turn: Turn, _draft: Draft) -> Reply:
    return Reply(
        turn._(
            "Your citizen ID number: the 12 digits on your citizen ID card (CCCD) or in VNeID. "
            "Type the number only; never send a photo of your card."
        )
    )


async def _accept_id_number(turn: Turn, _draft: Draft, answer: Answer) -> object:
    return validation.id_number(answer.text, turn.now.astimezone(turn.tr.zone).date())


async def _ask_province(turn: Turn, _draft: Draft) -> Reply:
    return Reply(
        turn._(
            "In which province or centrally-run city do you live? Type its name, for example "
            "“Hà Nội” or “Vĩnh Long”. Former province names are understood too."
        )
    )


async def _accept_province(_turn: Turn, _draft: Draft, answer: Answer) -> object:
    province = match_province(answer.text)
    if province is None:
        raise Invalid(
            N_("I could not find that province. The 34 provinces and cities are: {names}."),
            {"names": ", ".join(PROVINCES)},
        )
    return province


async def _ask_address(turn: Turn, _draft: Draft) -> Reply:
    return Reply(
        turn._(
            "Your address: house number or hamlet, street, and commune or ward. For example: "
            "Số 12 đường Lê Lợi, phường Bến Thành."
        )
    )


async def _accept_address(_turn: Turn, _draft: Draft, answer: Answer) -> object:
    return validation.address(answer.text)


async def _ask_kind(turn: Turn, _draft: Draft) -> Reply:
    lines = [turn._("What kind of request is it?")]
    lines += [f"• {turn._(KIND_LABELS[kind])}: {turn._(KIND_HINTS[kind])}" for kind in RequestKind]
    lines.append(
        turn._(
            "If your matter mixes several kinds, the law asks for a separate request for each: "
            "choose the main one now and register the others afterwards."
        )
    )
    choices = tuple(
        Choice(turn._(KIND_LABELS[kind]), f"reg:kind:{kind.value}") for kind in RequestKind
    )
    return Reply("\n".join(lines), choices)


_KIND_WORDS = {
    "khieu nai": RequestKind.COMPLAINT,
    "complaint": RequestKind.COMPLAINT,
    "to cao": RequestKind.DENUNCIATION,
    "denunciation": RequestKind.DENUNCIATION,
    "kien nghi": RequestKind.PETITION,
    "petition": RequestKind.PETITION,
    "phan anh": RequestKind.FEEDBACK,
    "feedback": RequestKind.FEEDBACK,
}


async def _accept_kind(_turn: Turn, _draft: Draft, answer: Answer) -> object:
    if answer.value in {kind.value for kind in RequestKind}:
        return answer.value
    kind = _KIND_WORDS.get(fold(answer.text))
    if kind is None:
        raise Invalid(N_("Please choose one of the four kinds of request."))
    return kind.value


async def _show_kind(turn: Turn, draft: Draft) -> str:
    return turn._(KIND_LABELS[RequestKind(draft["kind"])])


def _is_denunciation(draft: Draft) -> bool:
    return draft.get("kind") == RequestKind.DENUNCIATION.value


async def _ask_confidential(turn: Turn, _draft: Draft) -> Reply:
    text = "\n\n".join(
        (
            turn._(
                "About your denunciation: the law requires that the name, address, handwriting "
                "and other personal data of a person who denounces are kept secret. Only "
                "officers authorised for confidential matters will see your registration, and "
                "it is never announced with your identity."
            ),
            turn._(
                "You remain responsible before the law for the truthfulness of what you report."
            ),
        )
    )
    return Reply(text, (Choice(turn._("I understand, continue"), "reg:confidential:ok"),))


async def _accept_confidential(_turn: Turn, _draft: Draft, answer: Answer) -> object:
    if answer.value == "ok" or fold(answer.text) in _YES:
        return True
    raise Invalid(N_("Please confirm that you have read this notice to continue."))


async def _ask_leader(turn: Turn, _draft: Draft) -> Reply:
    sessions = await _open_sessions(turn)
    leaders: dict[int, SessionView] = {}
    for session in sessions:
        leaders.setdefault(session.leader_id, session)
    choices = tuple(
        Choice(f"{s.leader_name}, {s.leader_title}", f"reg:leader:{leader_id}")
        for leader_id, s in leaders.items()
    )
    if not choices:
        return Reply(
            turn._(
                "No leader has a session with free places right now. Send /cancel, and look "
                "again later in /schedule."
            )
        )
    return Reply(turn._("Whom do you want to meet? Leaders with free places:"), choices)


async def _accept_leader(turn: Turn, _draft: Draft, answer: Answer) -> object:
    if answer.value and answer.value.isdigit():
        leader_id = int(answer.value)
        if await _open_sessions(turn, leader_id):
            return leader_id
        raise Invalid(
            N_("This leader has no session with free places any more. Please choose another.")
        )
    raise Invalid(N_("Please choose a leader from the list."))


async def _show_leader(turn: Turn, draft: Draft) -> str:
    leader = await turn.repo.leader(int(draft["leader"]))
    return f"{leader.name}, {leader.title}" if leader else "?"


async def _ask_session(turn: Turn, draft: Draft) -> Reply:
    sessions = await _open_sessions(turn, int(draft["leader"]))
    if not sessions:
        return Reply(
            turn._(
                "This leader has no session with free places any more. Send /back to choose "
                "another leader."
            )
        )
    lines = [turn._("Which session? Sessions with free places:")]
    lines += [f"• {session_line(turn, s)}" for s in sessions]
    choices = tuple(Choice(session_choice_label(turn, s), f"reg:session:{s.id}") for s in sessions)
    return Reply("\n".join(lines), choices)


async def _accept_session(turn: Turn, draft: Draft, answer: Answer) -> object:
    if answer.value and answer.value.isdigit():
        session = await turn.repo.session(int(answer.value))
        if (
            session is not None
            and session.leader_id == draft.get("leader")
            and _bookable(turn, session)
        ):
            return session.id
        raise Invalid(N_("That session is full or no longer available. Please choose another."))
    raise Invalid(N_("Please choose a session from the list."))


async def _show_session(turn: Turn, draft: Draft) -> str:
    session = await turn.repo.session(int(draft["session"]))
    return session_line(turn, session) if session else "?"


async def _ask_people_count(turn: Turn, draft: Draft) -> Reply:
    text = turn._(
        "How many people share this matter and want to be received, you included? "
        "Answer with a number; 1 if you come alone."
    )
    previous = draft.get("people_count")
    if previous:
        text += "\n" + turn._("(Your earlier answer: {count})", count=previous)
    return Reply(text)


async def _accept_people_count(_turn: Turn, _draft: Draft, answer: Answer) -> object:
    return validation.people_count(answer.text)


def _needs_representatives(draft: Draft) -> bool:
    return representative_limits(int(draft.get("people_count") or 0)) is not None


def _representatives_fit(draft: Draft, names: Any) -> bool:
    return representatives_allowed(int(draft.get("people_count") or 0), len(names))


async def _ask_representatives(turn: Turn, draft: Draft) -> Reply:
    people = int(draft["people_count"])
    limits = representative_limits(people)
    assert limits is not None
    low, high = limits
    text = turn._(
        "When {people} people raise the same matter, they choose representatives among "
        "themselves: here, {low} to {high} people (Law on Citizen Reception, Art. 29). "
        "Type the representatives' full names, separated by commas.",
        people=people,
        low=low,
        high=high,
    )
    note = turn._(
        "All the people in the group must sign a paper appointing the representatives; "
        "bring it to the session."
    )
    return Reply(f"{text}\n\n{note}")


async def _accept_representatives(_turn: Turn, draft: Draft, answer: Answer) -> object:
    people = int(draft["people_count"])
    limits = representative_limits(people)
    assert limits is not None
    low, high = limits
    parts = answer.text.replace(";", ",").replace("\n", ",").split(",")
    names = [validation.full_name(part) for part in parts if part.strip()]
    if not low <= len(names) <= high:
        raise Invalid(
            N_(
                "Please give between {low} and {high} names, separated by commas; "
                "you gave {count}."
            ),
            {"low": low, "high": high, "count": len(names)},
        )
    return names


async def _show_representatives(_turn: Turn, draft: Draft) -> str:
    return ", ".join(draft.get("representatives", ()))


async def _ask_summary(turn: Turn, _draft: Draft) -> Reply:
    return Reply(
        turn._(
            "Describe your matter briefly: what happened, when and where, and who is involved "
            "(at most {max} characters). Write only what is needed: this text may contain "
            "sensitive personal data.",
            max=turn.settings.summary_max_chars,
        )
    )


async def _accept_summary(turn: Turn, _draft: Draft, answer: Answer) -> object:
    return validation.bounded_text(answer.text, SUMMARY_MIN, turn.settings.summary_max_chars)


async def _ask_prior(turn: Turn, _draft: Draft) -> Reply:
    return Reply(
        turn._(
            "Has any agency already handled this matter? Write which one, what it decided and "
            "when, or tap the button if nobody has."
        ),
        (Choice(turn._("Nobody has handled it yet"), "reg:prior_handling:none"),),
    )


async def _accept_prior(_turn: Turn, _draft: Draft, answer: Answer) -> object:
    if answer.value == "none":
        return ""
    return validation.bounded_text(answer.text, 3, PRIOR_MAX)


async def _show_prior(turn: Turn, draft: Draft) -> str:
    return str(draft["prior_handling"]) or turn._("nobody yet")


async def _ask_request(turn: Turn, _draft: Draft) -> Reply:
    return Reply(turn._("What do you ask the leader to do?"))


async def _accept_request(_turn: Turn, _draft: Draft, answer: Answer) -> object:
    return validation.bounded_text(answer.text, REQUEST_MIN, REQUEST_MAX)


async def _show_text(name: str, draft: Draft) -> str:
    return str(draft.get(name, ""))


def _shown(name: str) -> Callable[[Turn, Draft], Awaitable[str]]:
    async def show(_turn: Turn, draft: Draft) -> str:
        return await _show_text(name, draft)

    return show


STEPS: tuple[Step, ...] = (
    Step("consent", N_("Consent"), _ask_consent, _accept_consent, keepable=False),
    Step("full_name", N_("Full name"), _ask_full_name, _accept_full_name, _shown("full_name")),
    Step("phone", N_("Phone"), _ask_phone, _accept_phone, _show_phone),
    Step(
        "id_number",
        N_("Citizen ID number"),
        _ask_id_number,
        _accept_id_number,
        _shown("id_number"),
    ),
    Step("province", N_("Province or city"), _ask_province, _accept_province, _shown("province")),
    Step("address", N_("Address"), _ask_address, _accept_address, _shown("address")),
    Step(
        "kind",
        N_("Kind of request"),
        _ask_kind,
        _accept_kind,
        _show_kind,
        resets=("confidential",),
    ),
    Step(
        "confidential",
        N_("Confidentiality notice"),
        _ask_confidential,
        _accept_confidential,
        when=_is_denunciation,
        keepable=False,
    ),
    Step(
        "leader",
        N_("Leader"),
        _ask_leader,
        _accept_leader,
        _show_leader,
        resets=("session",),
        keepable=False,
    ),
    Step("session", N_("Session"), _ask_session, _accept_session, _show_session, keepable=False),
    Step(
        "people_count",
        N_("Number of people"),
        _ask_people_count,
        _accept_people_count,
        _shown("people_count"),
        resets=("representatives",),
        # A kept count would be shown as a numbered button, and "3" must mean three people.
        keepable=False,
    ),
    Step(
        "representatives",
        N_("Representatives"),
        _ask_representatives,
        _accept_representatives,
        _show_representatives,
        when=_needs_representatives,
        still_valid=_representatives_fit,
    ),
    Step("summary", N_("Your matter"), _ask_summary, _accept_summary, _shown("summary")),
    Step("prior_handling", N_("Already handled by"), _ask_prior, _accept_prior, _show_prior),
    Step("request", N_("What you ask for"), _ask_request, _accept_request, _shown("request")),
)
