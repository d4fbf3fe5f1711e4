"""A citizen's rights over their data, on every channel: /mydata (everything held about them,
as messages and a JSON file), /correct (their name, phone or address), /withdraw (consent
withdrawn and what no law requires to keep erased, after a confirmation). Each action is in the
audit log; what the bot cannot do by itself becomes a data request for the officers."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.core import privacy, tickets
from bot.core.i18n import N_, Translator
from bot.core.labels import EVENT_LABELS, KIND_LABELS, STATUS_LABELS
from bot.core.model import (
    AuditEntry,
    Choice,
    DataRequestKind,
    OutgoingFile,
    RegistrationStatus,
    RegistrationView,
    Reply,
    RequestKind,
    accepts_files,
)
from bot.core.text import fold
from bot.core.validation import Invalid
from bot.dialogue import alerts, menu
from bot.dialogue.context import Replies, Turn
from bot.dialogue.registration_steps import STEPS
from bot.dialogue.wizard import Answer

CORRECT_USAGE = "/correct CODE name|phone|address NEW VALUE"
# The words a citizen may use for each field, folded (English and Vietnamese).
FIELDS = {
    "name": "full_name",
    "ten": "full_name",
    "ho ten": "full_name",
    "phone": "phone",
    "dien thoai": "phone",
    "sdt": "phone",
    "address": "address",
    "dia chi": "address",
}
_STEPS = {step.name: step for step in STEPS}
# A message carries this much of the account before the next one starts.
MESSAGE_CHARS = 3500


# --- /mydata ----------------------------------------------------------------------------------


async def my_data(turn: Turn) -> Replies:
    held = await _held(turn)
    await _audit(turn, "mydata", "", f"{len(held['registrations'])} registrations")
    lines = [turn._("Everything this service holds about you (this chat):"), ""]
    identity = held["identity"]
    lines += [
        turn._(
            "Chat: {channel}, user {user}; language {locale}; first message {first}, last {last}.",
            channel=identity["channel"],
            user=identity["user_id"],
            locale=identity["locale"],
            first=_when(turn, identity["first_seen"]),
            last=_when(turn, identity["last_seen"]),
        )
    ]
    for consent in held["consents"]:
        lines.append(
            turn._(
                "Consent to the privacy notice of {version}: given {when}{withdrawn}.",
                version=consent["notice_version"],
                when=_when(turn, consent["given_at"]),
                withdrawn=turn._(", withdrawn {when}", when=_when(turn, consent["withdrawn_at"]))
                if consent["withdrawn_at"]
                else "",
            )
        )
    if held["followed_units"]:
        lines.append(turn._("Units you follow: {units}.", units=", ".join(held["followed_units"])))
    for registration in held["registrations"]:
        lines += ["", *_registration_lines(turn, registration)]
    if not held["registrations"]:
        lines += ["", turn._("No registration.")]
    lines += [
        "",
        turn._(
            "To correct your name, phone or address: {usage}. To withdraw your consent and "
            "have your data erased: /withdraw. The privacy notice: /privacy.",
            usage=CORRECT_USAGE,
        ),
    ]
    replies = [Reply(text) for text in _split("\n".join(lines))]
    if accepts_files(turn.incoming.channel):
        content = json.dumps(held, ensure_ascii=False, indent=2).encode("utf-8")
        replies.append(
            Reply(
                turn._("The same, as a file (JSON)."),
                file=OutgoingFile(
                    f"tiepdan-my-data-{turn.today.isoformat()}.json", content, "application/json"
                ),
            )
        )
    return replies


async def _held(turn: Turn) -> dict[str, Any]:
    """What is held about this chat's citizen, as plain data: the JSON file and the messages
    say the same. Never officers' internal notes, never anyone else's data."""
    repo = turn.repo
    citizen = turn.citizen
    identity = await repo.identity(citizen.id)
    assert identity is not None
    units = {unit.id: unit.name for unit in await repo.units()}
    followed = sorted(units[u] for u in await repo.subscribed_units(citizen.id) if u in units)
    registrations = []
    for r in await repo.registrations_of(citizen.id):
        events = [e for e in await repo.registration_events(r.id) if not e.internal]
        registrations.append(
            {
                "code": r.code,
                "kind": r.kind.value,
                "status": r.status.value,
                "submitted_at": r.submitted_at.isoformat(),
                "full_name": r.full_name,
                "phone": r.phone,
                "id_number": r.id_number,
                "province": r.province,
                "address": r.address,
                "people_count": r.people_count,
                "representatives": list(r.representatives),
                "interpreter": r.interpreter,
                "summary": r.summary,
                "prior_handling": r.prior_handling,
                "request": r.request,
                "leader": f"{r.leader_name}, {r.leader_title}",
                "session": r.session_starts_at.isoformat(),
                "history": [
                    {"at": e.at.isoformat(), "event": e.event, "to_status": e.to_status or ""}
                    for e in events
                ],
            }
        )
    return {
        "identity": {
            "channel": identity.channel,
            "user_id": identity.user_id,
            "locale": identity.locale,
            "first_seen": identity.first_seen.isoformat(),
            "last_seen": identity.last_seen.isoformat(),
        },
        "consents": [
            {
                "notice_version": c.notice_version,
                "locale": c.locale,
                "given_at": c.given_at.isoformat(),
                "given_as": c.given_as,
                "withdrawn_at": c.withdrawn_at.isoformat() if c.withdrawn_at else None,
            }
            for c in await repo.consents_of(citizen.id)
        ],
        "followed_units": followed,
        "registrations": registrations,
    }


def _registration_lines(turn: Turn, r: dict[str, Any]) -> list[str]:
    _ = turn._
    lines = [
        _(
            "Registration {code} ({kind}): {status}",
            code=r["code"],
            kind=_(KIND_LABELS[RequestKind(r["kind"])]).lower(),
            status=_(STATUS_LABELS[RegistrationStatus(r["status"])]),
        ),
        _(
            "Name: {name}; phone: {phone}; ID number: {id}",
            name=r["full_name"],
            phone=r["phone"],
            id=r["id_number"],
        ),
        _("Address: {address}, {province}", address=r["address"], province=r["province"]),
        _("Your matter: {summary}", summary=r["summary"]),
        _("Asks for: {request}", request=r["request"]),
    ]
    for event in r["history"]:
        label = EVENT_LABELS.get(event["event"])
        what = _(label) if label else event["event"]
        lines.append(f"• {_when(turn, event['at'])}: {what}")
    return lines


def _when(turn: Turn, iso: str) -> str:
    return turn.tr.when(datetime.fromisoformat(iso))


def _split(text: str) -> list[str]:
    """Messages of at most MESSAGE_CHARS, cut between lines."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        if current and len(current) + len(line) + 1 > MESSAGE_CHARS:
            parts.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    return [*parts, current] if current else parts


# --- /correct ---------------------------------------------------------------------------------


async def correct(turn: Turn, argument: str) -> Replies:
    words = argument.split()
    code = tickets.normalize(words[0]) if words else None
    field, value = _field_and_value(words[1:])
    if code is None or field is None or not value:
        return menu.main_menu(
            turn,
            turn._(
                "To correct your details on a registration, send: {usage}. For example: "
                "/correct K7MQ-X4PG phone 0912 345 678",
                usage=CORRECT_USAGE,
            ),
        )
    registration = await turn.repo.registration_for_update(code)
    if registration is None or registration.citizen_id != turn.citizen.id:
        return menu.main_menu(
            turn, turn._("You have no registration {code}. /status lists yours.", code=code)
        )
    if registration.erased_at is not None:
        return menu.main_menu(
            turn,
            turn._(
                "The personal data of {code} was erased after its retention period: there is "
                "nothing left to correct.",
                code=registration.code,
            ),
        )
    try:
        accepted = await _STEPS[field].accept(turn, {}, Answer(value, None, None))
    except Invalid as invalid:
        return [Reply(turn._(invalid.message, **invalid.params))]
    new = str(accepted[0] if isinstance(accepted, tuple) else accepted)
    if privacy.may_correct(registration):
        await turn.repo.correct_registration(registration.id, {field: new}, turn.actor, turn.now)
        await _audit(turn, "correct", registration.code, field)
        return menu.main_menu(
            turn,
            turn._(
                "Corrected on {code}: the officers will read the new {field}.",
                code=registration.code,
                field=turn._(_FIELD_NAMES[field]),
            ),
        )
    # Decided already: the officers correct it, and say so, within the law's time.
    data_request = await privacy.request(
        turn.repo,
        turn.citizen.id,
        registration,
        DataRequestKind.CORRECTION,
        f"{field}: {new}",
        turn.now,
        turn.today,
        await turn.calendar(),
    )
    await _audit(turn, "correct", registration.code, f"data request #{data_request.id}")
    return menu.main_menu(
        turn,
        turn._(
            "{code} has been decided, so the officers make the correction: your request "
            "#{id} is registered. They acknowledge it by {acknowledge} and answer by {answer}.",
            code=registration.code,
            id=data_request.id,
            acknowledge=turn.tr.day(data_request.acknowledge_by),
            answer=turn.tr.day(data_request.answer_by),
        ),
    )


_FIELD_NAMES = {
    "full_name": N_("full name"),
    "phone": N_("phone number"),
    "address": N_("address"),
}


def _field_and_value(words: list[str]) -> tuple[str | None, str]:
    for size in (2, 1):
        key = fold(" ".join(words[:size]))
        if key in FIELDS:
            return FIELDS[key], " ".join(words[size:])
    return None, ""


# --- /withdraw --------------------------------------------------------------------------------


def ask_withdraw(turn: Turn) -> Replies:
    text = "\n".join(
        [
            turn._("Withdraw your consent and erase your data?"),
            "",
            turn._(
                "• Registrations not decided yet are withdrawn, and your name, phone, ID number, "
                "address and matter are erased from them."
            ),
            turn._("• A registration you have started and not sent is erased with its answers."),
            turn._(
                "• No more messages or reminders; the units you follow are forgotten; this chat "
                "is no longer linked to anything."
            ),
            turn._(
                "• What the law asks the office to keep stays, no longer linked to this chat: "
                "receptions that took place and registrations already decided (the reception "
                "logbook), and the log of who did what."
            ),
            turn._("• To register again later, you will be asked for your consent again."),
        ]
    )
    return [
        Reply(
            text,
            (
                Choice(turn._("Yes, withdraw and erase"), "rt:withdraw:yes"),
                Choice(turn._("No, keep everything"), "rt:withdraw:no"),
            ),
        )
    ]


async def withdraw(turn: Turn, answer: str) -> Replies:
    if answer != "yes":
        return menu.main_menu(turn, turn._("Nothing was changed."))
    done = await privacy.withdraw(turn.repo, turn.citizen, turn.actor, turn.now)
    await _audit(turn, "withdraw", "", f"{len(done.withdrawn)} withdrawn, {len(done.kept)} kept")
    await alerts.tell_officers(
        turn.repo,
        turn.services,
        list(done.withdrawn),
        _withdrawn_for_officers,
        f"consent-withdrawn:{turn.citizen.id}",
        turn.now,
    )
    # Nothing of the conversation is kept either.
    turn.state.data.clear()
    lines = [turn._("Your consent is withdrawn and your data erased.")]
    if done.withdrawn:
        lines.append(
            turn._(
                "Withdrawn and erased: {codes}.", codes=", ".join(r.code for r in done.withdrawn)
            )
        )
    if done.kept:
        lines.append(
            turn._(
                "Kept, as the Law on Citizen Reception asks the office to keep its records of "
                "receptions and decisions: {codes}. They are no longer linked to this chat.",
                codes=", ".join(r.code for r in done.kept),
            )
        )
    return [Reply("\n".join(lines))]


def _withdrawn_for_officers(tr: Translator, registrations: list[RegistrationView]) -> str:
    return tr._(
        "A citizen withdrew their consent: these registrations are withdrawn and their "
        "personal data erased: {codes}.",
        codes=", ".join(r.code for r in registrations),
    )


async def _audit(turn: Turn, action: str, target: str, detail: str) -> None:
    await turn.repo.audit(AuditEntry(turn.now, turn.actor, action, target, True, detail))
