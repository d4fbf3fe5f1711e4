"""The questions of the registration wizard, in the order they are asked."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from bot.core import registrations, validation
from bot.core.i18n import N_
from bot.core.labels import KIND_HINTS, KIND_LABELS, LANGUAGE_LABELS
from bot.core.model import Choice, Reply, RequestKind, SessionView, Track, track_of
from bot.core.provinces import match_province
from bot.core.representatives import representative_limits, representatives_allowed
from bot.core.text import fold_words
from bot.core.validation import Invalid
from bot.dialogue import menu
from bot.dialogue.context import Turn
from bot.dialogue.schedule import session_choice_label, session_line
from bot.dialogue.wizard import Answer, Draft, Leave, Step, discard

# Ids inside button payloads: ASCII digits that fit a database integer.
_ID = re.compile(r"\d{1,9}", re.ASCII)
SUMMARY_MIN = 20
REQUEST_MIN, REQUEST_MAX = 5, 1000
PRIOR_MAX = 1000


async def open_sessions(turn: Turn, leader_id: int | None = None) -> list[SessionView]:
    return await registrations.open_sessions(
        turn.repo, turn.now, await turn.calendar(), turn.settings.booking, leader_id
    )


async def _bookable(turn: Turn, session: SessionView) -> bool:
    return registrations.bookable(session, turn.now, await turn.calendar(), turn.settings.booking)


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


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


_YES = {"yes", "y", "agree", "i agree", "ok", "dong y", "co", "toi dong y"}
_NO = {"no", "n", "disagree", "i do not agree", "khong", "khong dong y", "toi khong dong y"}


async def _accept_consent(turn: Turn, draft: Draft, answer: Answer) -> object:
    choice = answer.value or fold_words(answer.text)
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
    return Reply(turn._("What is your full name, as on your identity card?"))


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
            "Your personal identification number: the 12 digits on your identity card "
            "(căn cước) or in VNeID. Type the number only; never send a photo of your card."
        )
    )


async def _accept_id_number(turn: Turn, _draft: Draft, answer: Answer) -> object:
    return validation.id_number(answer.text, turn.today)


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
            N_(
                "I could not find that province. Please type the name of a province or "
                "centrally-run city, for example “Hà Nội”, “Đồng Tháp” or “Gia Lai”."
            )
        )
    return province


async def _ask_address(turn: Turn, _draft: Draft) -> Reply:
    return Reply(
        turn._(
            "Your address: house number and street, or the hamlet (thôn, ấp, bản, tổ dân "
            "phố), and the commune, ward or special zone. For example: Số 12 đường Lê Lợi, "
            "phường Bến Thành; or: thôn Đông, xã An Hòa."
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
    kind = _KIND_WORDS.get(fold_words(answer.text))
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
    if answer.value == "ok" or fold_words(answer.text) in _YES:
        return True
    raise Invalid(N_("Please confirm that you have read this notice to continue."))


async def _ask_leader(turn: Turn, _draft: Draft) -> Reply:
    sessions = await open_sessions(turn)
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
    if answer.value and _ID.fullmatch(answer.value):
        leader_id = int(answer.value)
        if await open_sessions(turn, leader_id):
            return leader_id
        raise Invalid(
            N_("This leader has no session with free places any more. Please choose another.")
        )
    raise Invalid(N_("Please choose a leader from the list."))


async def _show_leader(turn: Turn, draft: Draft) -> str:
    leader = await turn.repo.leader(int(draft["leader"]))
    return f"{leader.name}, {leader.title}" if leader else "?"


async def _ask_session(turn: Turn, draft: Draft) -> Reply:
    sessions = await open_sessions(turn, int(draft["leader"]))
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
    if answer.value and _ID.fullmatch(answer.value):
        session = await turn.repo.session(int(answer.value))
        if (
            session is not None
            and session.leader_id == draft.get("leader")
            and await _bookable(turn, session)
        ):
            return session.id
        raise Invalid(N_("That session is full or no longer available. Please choose another."))
    raise Invalid(N_("Please choose a session from the list."))


async def _show_session(turn: Turn, draft: Draft) -> str:
    session = await turn.repo.session(int(draft["session"]))
    return session_line(turn, session, with_places=False) if session else "?"


async def _ask_people_count(turn: Turn, _draft: Draft) -> Reply:
    return Reply(
        turn._(
            "How many people share this matter and want to be received, you included? "
            "Answer with a number; 1 if you come alone."
        )
    )


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


async def _ask_interpreter(turn: Turn, draft: Draft) -> Reply:
    if await _track(turn, draft) is Track.PARTY:
        # A Party committee head's reception is not governed by the Law on Citizen Reception.
        question = turn._(
            "Do you need an interpreter at the session? If you are not fluent in Vietnamese, "
            "you may ask for one. Tap the button if you do not need one, or type the language "
            "you speak, for example “Khmer”."
        )
    else:
        question = turn._(
            "Do you need an interpreter at the session? If you are not fluent in Vietnamese, "
            "the law gives you the right to one (Law on Citizen Reception, Art. 7). Tap the "
            "button if you do not need one, or type the language you speak, for example "
            "“Khmer”."
        )
    none = Choice(turn._("No interpreter needed"), "reg:interpreter:none")
    if turn.locale in _INTERPRETED:
        # Writing in Khmer says the language already: offered first, one tap.
        language = turn._(LANGUAGE_LABELS[turn.locale])
        offered = Choice(
            turn._("🗣 Yes, in {language}", language=language), f"reg:interpreter:{turn.locale}"
        )
        return Reply(question, (offered, none))
    return Reply(question, (none,))


async def _track(turn: Turn, draft: Draft) -> Track:
    leader = await turn.repo.leader(int(draft["leader"]))
    units = {unit.id: unit for unit in await turn.repo.units()}
    unit = units.get(leader.unit_id) if leader is not None else None
    return track_of(unit.kind) if unit is not None else Track.STATE


# Answers that mean "none": a negation anywhere ("không cần phiên dịch", "no thanks"), or
# Vietnamese itself, which needs no interpreter.
_NEGATIONS = frozenset({"khong", "ko", "k", "no", "none", "not", "nope"})
_VIETNAMESE = frozenset({"viet", "tieng viet", "vietnamese", "viet nam", "tieng viet nam"})
# Khmer for "(I) do not need" and a bare "no": Khmer has no spaces between words, so these
# are looked for inside the answer ("មិន" alone also says "not fluent", a reason to ask).
_KHMER_NEGATIONS = ("មិនត្រូវការ", "អត់ត្រូវការ", "មិនចាំបាច់")
_KHMER_NO = frozenset({"ទេ", "អត់ទេ", "អត់", "ទេ បាទ", "ទេ ចាស"})


# The languages of the bot that the reception office does not speak: a citizen writing in
# one is offered an interpreter in it, named as the record names it (in Vietnamese).
_INTERPRETED = {"km": "tiếng Khmer"}


async def _accept_interpreter(_turn: Turn, _draft: Draft, answer: Answer) -> object:
    if answer.value in _INTERPRETED:
        return _INTERPRETED[answer.value]
    words = fold_words(answer.text)
    if (
        answer.value == "none"
        or _NEGATIONS & set(words.split())
        or words in _VIETNAMESE
        or any(no in words for no in _KHMER_NEGATIONS)
        or words in _KHMER_NO
    ):
        return ""
    if "ខ្មែរ" in answer.text or "khmer" in words.split() or "kho me" in words:
        # Named as the record names it, however the citizen wrote it.
        return _INTERPRETED["km"]
    return validation.language_name(answer.text)


async def _show_interpreter(turn: Turn, draft: Draft) -> str:
    return str(draft.get("interpreter", "")) or turn._("not needed")


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
        (Choice(turn._("No agency has handled it yet"), "reg:prior_handling:none"),),
    )


async def _accept_prior(_turn: Turn, _draft: Draft, answer: Answer) -> object:
    if answer.value == "none":
        return ""
    return validation.bounded_text(answer.text, 3, PRIOR_MAX)


async def _show_prior(turn: Turn, draft: Draft) -> str:
    return str(draft["prior_handling"]) or turn._("no agency yet")


async def _ask_request(turn: Turn, _draft: Draft) -> Reply:
    return Reply(turn._("What do you ask the leader to do?"))


async def _accept_request(_turn: Turn, _draft: Draft, answer: Answer) -> object:
    return validation.bounded_text(answer.text, REQUEST_MIN, REQUEST_MAX)


def _shown(name: str) -> Callable[[Turn, Draft], Awaitable[str]]:
    """The review line of a step whose answer is shown as typed."""

    async def show(_turn: Turn, draft: Draft) -> str:
        return str(draft.get(name, ""))

    return show


def _is_count(value: object) -> bool:
    return _is_id(value) and isinstance(value, int) and value >= 1


def _is_names(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(name, str) for name in value)


STEPS: tuple[Step, ...] = (
    Step("consent", N_("Consent"), _ask_consent, _accept_consent, keepable=False, shape=_is_id),
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
        shape=lambda value: value in {kind.value for kind in RequestKind},
    ),
    Step(
        "confidential",
        N_("Confidentiality notice"),
        _ask_confidential,
        _accept_confidential,
        when=_is_denunciation,
        keepable=False,
        shape=lambda value: value is True,
    ),
    Step(
        "leader",
        N_("Leader"),
        _ask_leader,
        _accept_leader,
        _show_leader,
        resets=("session",),
        keepable=False,
        shape=_is_id,
    ),
    Step(
        "session",
        N_("Session"),
        _ask_session,
        _accept_session,
        _show_session,
        keepable=False,
        shape=_is_id,
    ),
    Step(
        "people_count",
        N_("Number of people"),
        _ask_people_count,
        _accept_people_count,
        _shown("people_count"),
        resets=("representatives",),
        # A kept count would be shown as a numbered button, and "3" must mean three people.
        keepable=False,
        shape=_is_count,
    ),
    Step(
        "representatives",
        N_("Representatives"),
        _ask_representatives,
        _accept_representatives,
        _show_representatives,
        when=_needs_representatives,
        still_valid=_representatives_fit,
        shape=_is_names,
    ),
    Step(
        "interpreter",
        N_("Interpreter"),
        _ask_interpreter,
        _accept_interpreter,
        _show_interpreter,
    ),
    Step("summary", N_("Your matter"), _ask_summary, _accept_summary, _shown("summary")),
    Step("prior_handling", N_("Already handled by"), _ask_prior, _accept_prior, _show_prior),
    Step("request", N_("What you ask for"), _ask_request, _accept_request, _shown("request")),
)
