"""/walkin: an officer records a citizen received at the office, or a matter that came by phone,
by letter or forwarded by another body, as one filled-in form.

A form, not a wizard: the officer has the citizen (or the letter) in front of them and types
fast; ``/walkin`` alone sends the blank form to copy, and every field is checked by the same
rules as the citizen's wizard (its steps' ``accept``), all problems listed at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import TypeVar

from bot.core import walkins
from bot.core.i18n import N_
from bot.core.labels import KIND_LABELS, SOURCE_LABELS
from bot.core.model import (
    RegistrationView,
    Reply,
    RequestKind,
    SessionStatus,
    SessionView,
    Source,
)
from bot.core.registrations import Submission
from bot.core.representatives import representative_limits
from bot.core.text import fold
from bot.core.validation import Invalid
from bot.dialogue.context import Turn
from bot.dialogue.officer import decisions
from bot.dialogue.officer.access import Desk, Refusal
from bot.dialogue.registration_steps import STEPS
from bot.dialogue.wizard import Answer

USAGE = "/walkin [FORM]"
# Sessions offered in the blank form: the last week's and the coming month's.
SESSIONS_BACK, SESSIONS_AHEAD, SESSIONS_SHOWN = timedelta(days=7), timedelta(days=31), 8

# The form's fields in order: name, label (msgid), required.
FIELDS: tuple[tuple[str, str, bool], ...] = (
    ("source", N_("Source"), True),
    ("session", N_("Session"), True),
    ("consent", N_("Consent"), True),
    ("full_name", N_("Full name"), True),
    ("phone", N_("Phone"), True),
    ("id_number", N_("ID number"), True),
    ("province", N_("Province"), True),
    ("address", N_("Address"), True),
    ("kind", N_("Kind"), True),
    ("people_count", N_("People"), False),
    ("representatives", N_("Representatives"), False),
    ("summary", N_("Matter"), True),
    ("prior_handling", N_("Already handled by"), False),
    ("request", N_("Request"), True),
    ("outcome", N_("Outcome"), False),
)
# Every way but the chat: those are the citizen's own.
SOURCES: dict[Source, str] = {s: name for s, name in SOURCE_LABELS.items() if s is not Source.CHAT}
CONSENTS: dict[str, str] = {"paper": N_("on paper"), "oral": N_("orally")}
_STEPS = {step.name: step for step in STEPS}
T = TypeVar("T")


@dataclass
class _Form:
    values: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def problem(self, turn: Turn, name: str, text: str) -> None:
        label = next(label for field_name, label, _r in FIELDS if field_name == name)
        self.problems.append(f"{turn._(label)}: {text}")


async def run(turn: Turn, place: Desk, argument: str) -> tuple[Reply, str]:
    if not argument.strip():
        return Reply(await blank(turn, place)), ""
    form = _read(turn, argument)
    walkin, session_id = await _check(turn, place, form)
    session = await _session(turn, place, session_id, walkin.source if walkin else None)
    if walkin is None or form.problems:
        raise Refusal(_problems(turn, form.problems), "invalid_form")
    assert session is not None
    try:
        registration = await walkins.record(
            turn.repo,
            walkin,
            session,
            officer_name=place.officer.name,
            actor=place.officer.actor,
            notice_version=turn.services.content.privacy_version,
            now=turn.now,
            work=await turn.calendar(),
            rules=turn.settings.booking,
            new_code=turn.services.new_ticket_code,
        )
    except walkins.NotRecordable as unfit:
        raise Refusal(_unfit(turn, session, unfit.reason), unfit.reason) from unfit
    lines = [_recorded(turn, registration)]
    outcome = form.values.get("outcome", "")
    if outcome:
        lines.append(await _outcome(turn, place, registration, outcome))
    return Reply("\n\n".join(lines)), registration.code


# --- the blank form ---------------------------------------------------------------------------


async def blank(turn: Turn, place: Desk) -> str:
    _ = turn._
    choices = {
        "source": " / ".join(_(label) for label in SOURCES.values()),
        "consent": " / ".join(_(label) for label in CONSENTS.values()),
        "kind": " / ".join(_(label).lower() for label in KIND_LABELS.values()),
        "people_count": "1",
    }
    form = "\n".join(f"{_(label)}: {choices.get(name, '')}".rstrip() for name, label, _r in FIELDS)
    lines = [
        _(
            "To record a citizen received at the office, or a matter that came by phone, by "
            "letter or forwarded by another body: copy the form below, fill in each line "
            "(keep one of the choices offered) and send it. Representatives: only for 5 people "
            "or more. Already handled by: may stay empty. Outcome: only for a citizen received "
            "in person and settled on the spot, written as for /outcome."
        ),
        "",
        f"/walkin\n{form}",
        "",
    ]
    sessions = await _sessions_offered(turn, place)
    if sessions:
        lines.append(_("Sessions in your units (Session: the number after #):"))
        lines += [
            _(
                "#{id} · {when} · {leader}",
                id=s.id,
                when=turn.tr.when(s.starts_at),
                leader=s.leader_name,
            )
            for s in sessions
        ]
    else:
        lines.append(_("No session in your units around today: add one with /session add first."))
    return "\n".join(lines)


async def _sessions_offered(turn: Turn, place: Desk) -> list[SessionView]:
    start = datetime.combine(turn.today, time(0), tzinfo=turn.settings.booking.zone)
    found = await turn.repo.sessions_between(start - SESSIONS_BACK, start + SESSIONS_AHEAD)
    near = [
        s
        for s in found
        if s.status is not SessionStatus.CANCELLED
        and (place.scope is None or s.unit_id in place.scope)
    ]
    # The sessions nearest to now first: today's reception is the usual one.
    near.sort(key=lambda s: abs((s.starts_at - turn.now).total_seconds()))
    return sorted(near[:SESSIONS_SHOWN], key=lambda s: s.starts_at)


# --- reading and checking the form ------------------------------------------------------------


def _read(turn: Turn, argument: str) -> _Form:
    """The values by field name; a line that names no field continues the one before."""
    keys = _keys(turn)
    form = _Form()
    current: str | None = None
    for raw in argument.splitlines():
        line = raw.strip()
        if not line:
            continue
        label, colon, value = line.partition(":")
        name = keys.get(fold(label)) if colon else None
        if name is not None:
            current = name
            if name in form.values:
                # A pasted letter may hold "Địa chỉ: ..." of someone else: never overwrite.
                form.problems.append(
                    turn._("“{line}”: this field is already filled above.", line=line[:60])
                )
                continue
            form.values[name] = value.strip()
        elif current is not None and not (colon and _looks_like_a_label(label)):
            form.values[current] = f"{form.values[current]} {line}".strip()
        else:
            # A mistyped label must not be glued to the field above it.
            form.problems.append(turn._("“{line}” is not a line of the form.", line=line[:60]))
    return form


def _looks_like_a_label(text: str) -> bool:
    """A few words before a colon, no number: a label, not a sentence that goes on (a
    matter may well quote "Quyết định số 12: ...")."""
    return 0 < len(text.split()) <= 4 and not any(ch.isdigit() for ch in text)


def _keys(turn: Turn) -> dict[str, str]:
    """Each field's label in every language the bot speaks, folded: an officer may answer a
    form in English or in Vietnamese, with or without accents."""
    return {
        fold(label): name
        for name, msgid, _required in FIELDS
        for label in _translations(turn, msgid)
    }


def _translations(turn: Turn, msgid: str) -> Iterable[str]:
    catalogs = turn.services.catalogs
    return {msgid, *(catalogs.get(locale)._(msgid) for locale in catalogs.locales)}


def _choice(turn: Turn, value: str, options: Mapping[T, str]) -> T | None:
    wanted = fold(value)
    for option, msgid in options.items():
        if wanted in {fold(text) for text in _translations(turn, msgid)} | {fold(str(option))}:
            return option
    return None


@dataclass(frozen=True, slots=True)
class _Choices:
    source: Source | None
    consent: str | None
    kind: RequestKind | None
    session_id: int | None


async def _check(turn: Turn, place: Desk, form: _Form) -> tuple[walkins.WalkIn | None, int | None]:
    for name, _label, required in FIELDS:
        if required and not form.values.get(name):
            form.problem(turn, name, turn._("missing."))
    chosen = _check_choices(turn, place, form)
    accepted = await _check_answers(turn, form)
    source, consent, kind = chosen.source, chosen.consent, chosen.kind
    if form.problems or source is None or consent is None or kind is None:
        return None, chosen.session_id
    phone = accepted["phone"]
    assert isinstance(phone, tuple)  # the wizard's phone step: (number, shared from account)
    names = accepted.get("representatives", [])
    assert isinstance(names, list)
    submission = Submission(
        citizen_id=0,
        consent_id=0,
        kind=kind,
        full_name=str(accepted["full_name"]),
        phone=str(phone[0]),
        phone_verified=False,
        id_number=str(accepted["id_number"]),
        province=str(accepted["province"]),
        address=str(accepted["address"]),
        leader_id=0,
        session_id=chosen.session_id or 0,
        people_count=int(str(accepted["people_count"])),
        representatives=tuple(str(name) for name in names),
        summary=str(accepted["summary"]),
        prior_handling=str(accepted.get("prior_handling", "")),
        request=str(accepted["request"]),
        locale=turn.locale,
    )
    return walkins.WalkIn(source, consent, submission), chosen.session_id


def _check_choices(turn: Turn, place: Desk, form: _Form) -> _Choices:
    """The fields answered by picking: source, consent, kind, and the session's number."""
    _ = turn._
    values = form.values
    source = _picked(turn, form, "source", SOURCES)
    consent = _picked(turn, form, "consent", CONSENTS)
    kind = _picked(turn, form, "kind", KIND_LABELS)
    session_id: int | None = None
    if values.get("session"):
        digits = values["session"].lstrip("#").strip()
        if digits.isdigit() and digits.isascii() and len(digits) <= 9:
            session_id = int(digits)
        else:
            form.problem(
                turn, "session", _("write the number of the session, as in /session list.")
            )
    if kind is RequestKind.DENUNCIATION and not place.officer.may_see_confidential():
        # Recording it would show the officer the denouncer's earlier denunciations (the
        # repeat flag), and leave a registration they may not read.
        form.problem(
            turn,
            "kind",
            _("a denunciation is recorded by an officer with the confidential permission."),
        )
    if values.get("outcome") and source is not Source.IN_PERSON:
        form.problem(turn, "outcome", _("only for a citizen received in person."))
    return _Choices(source, consent, kind, session_id)


def _picked(turn: Turn, form: _Form, name: str, options: Mapping[T, str]) -> T | None:
    """The option written in field ``name``; None (and a problem) when none fits."""
    if not form.values.get(name):
        return None
    chosen = _choice(turn, form.values[name], options)
    if chosen is None:
        form.problem(
            turn, name, turn._("write one of: {choices}.", choices=_options(turn, options))
        )
    return chosen


async def _check_answers(turn: Turn, form: _Form) -> dict[str, object]:
    """The citizen's answers, each through the wizard's own step."""
    values = form.values
    if not values.get("people_count"):
        values["people_count"] = "1"
    accepted: dict[str, object] = {}

    async def accept(name: str) -> None:
        try:
            accepted[name] = await _STEPS[name].accept(
                turn, accepted, Answer(values[name], None, None)
            )
        except Invalid as invalid:
            form.problem(turn, name, turn._(invalid.message, **invalid.params))

    for name in (
        "full_name",
        "phone",
        "id_number",
        "province",
        "address",
        "people_count",
        "summary",
        "prior_handling",
        "request",
    ):
        if values.get(name):
            await accept(name)
    people = accepted.get("people_count")
    if not isinstance(people, int):
        return accepted
    if representative_limits(people) is None:
        if values.get("representatives"):
            form.problem(
                turn, "representatives", turn._("only for 5 people or more; leave it empty.")
            )
    elif not values.get("representatives"):
        form.problem(turn, "representatives", turn._("needed for 5 people or more."))
    else:
        await accept("representatives")
    return accepted


def _options(turn: Turn, options: Mapping[T, str]) -> str:
    return ", ".join(turn._(label) for label in options.values())


async def _session(
    turn: Turn, place: Desk, session_id: int | None, source: Source | None
) -> SessionView | None:
    if session_id is None:
        return None
    session = await turn.repo.session(session_id)
    if session is None or (place.scope is not None and session.unit_id not in place.scope):
        raise Refusal(
            turn._(
                "There is no session #{id} in your units. /walkin alone lists them.",
                id=session_id,
            ),
            "session_scope",
        )
    return session


def _problems(turn: Turn, problems: list[str]) -> str:
    return "\n".join(
        [
            turn._("Nothing was recorded. Please correct the form and send it again:"),
            *(f"• {text}" for text in problems),
        ]
    )


def _unfit(turn: Turn, session: SessionView, reason: str) -> str:
    texts = {
        "cancelled": N_("Session #{id} was cancelled: choose another one."),
        "not_yet": N_(
            "Session #{id} has not begun: a citizen received in person is recorded in the "
            "session they came to."
        ),
        "too_late": N_(
            "Session #{id} was more than a week ago: a reception that old is no longer "
            "added to the logbook; ask a supervisor."
        ),
        "full": N_("Session #{id} is full: choose another one, or make room in it first."),
        "past": N_(
            "Session #{id} has already taken place: a matter that came by phone, by letter or "
            "from another body waits for a session still to come."
        ),
    }
    return turn._(texts[reason], id=session.id) + " " + turn._("Nothing was recorded.")


# --- the reply --------------------------------------------------------------------------------


def _recorded(turn: Turn, r: RegistrationView) -> str:
    _ = turn._
    lines = [
        _(
            "Recorded as {code} ({source}), {kind}, in the session of {when} with {leader}.",
            code=r.code,
            source=_(SOURCES[r.source]),
            kind=_(KIND_LABELS[r.kind]).lower(),
            when=turn.tr.when(r.session_starts_at),
            leader=r.leader_name,
        ),
        _("Received by you: in the logbook.")
        if r.source is Source.IN_PERSON
        else _("It waits in the queue like any registration: /view {code}.", code=r.code),
        _(
            "Give the citizen the code {code}: to follow the matter in the bot, they send "
            "/link {code} and the last 4 digits of their phone.",
            code=r.code,
        ),
    ]
    if r.repeat_of_code:
        lines.append(_("↻ likely repeat of {code}", code=r.repeat_of_code) + f" — /view {r.code}")
    return "\n".join(lines)


async def _outcome(turn: Turn, place: Desk, r: RegistrationView, outcome: str) -> str:
    """The result settled on the spot, as /outcome records it; when it cannot be, the walk-in
    stays recorded and the officer is told how to add it."""
    try:
        reply, _code = await decisions.run(turn, place, "outcome", f"{r.code} {outcome}")
    except Refusal as refusal:
        return turn._(
            "The outcome was not recorded: {problem} Add it with /outcome {code} ….",
            problem=refusal.message,
            code=r.code,
        )
    return reply.text
