"""My registrations: the list, one registration's progress, and withdrawing it."""

from __future__ import annotations

from bot.core import tickets, triage, validation
from bot.core.labels import EVENT_LABELS, KIND_LABELS, STATUS_LABELS
from bot.core.model import Choice, RegistrationStatus, RegistrationView, Reply
from bot.dialogue import menu, notices
from bot.dialogue.context import Replies, Turn

MAX_LISTED = 10


async def overview(turn: Turn) -> Replies:
    registrations = await turn.repo.registrations_of(turn.citizen.id)
    if not registrations:
        return [
            Reply(
                turn._("You have no registrations yet."),
                (
                    Choice(turn._("📝 Register to meet a leader"), "m:register"),
                    Choice(turn._("🏠 Main menu"), "m:menu"),
                ),
            )
        ]
    shown = registrations[:MAX_LISTED]
    lines = [turn._("Your registrations, newest first:"), ""]
    for r in shown:
        lines.append(
            turn._(
                "• {code}: {status}. {leader}, {date}",
                code=r.code,
                status=turn._(STATUS_LABELS[r.status]),
                leader=r.leader_name,
                date=turn.tr.when(r.session_starts_at),
            )
        )
    if len(registrations) > MAX_LISTED:
        lines += ["", turn._("Older registrations: send /status followed by the code.")]
    choices = tuple(Choice(turn._("🔎 {code}", code=r.code), f"st:v:{r.code}") for r in shown)
    return [Reply("\n".join(lines), (*choices, Choice(turn._("🏠 Main menu"), "m:menu")))]


async def _own(turn: Turn, code: str) -> RegistrationView | None:
    canonical = tickets.normalize(code)
    if canonical is None:
        return None
    registration = await turn.repo.registration_by_code(canonical)
    # Another citizen's code gets the same answer as an unknown one: codes must not leak data.
    if registration is None or registration.citizen_id != turn.citizen.id:
        return None
    return registration


def _not_found(turn: Turn, code: str) -> Replies:
    if tickets.normalize(code) is None:
        lead = turn._(
            "“{code}” is not a valid ticket code. A code looks like K7MQ-X4PG; please check it.",
            code=code,
        )
    else:
        lead = turn._("You have no registration with the code {code}.", code=code)
    return [
        Reply(
            lead,
            (
                Choice(turn._("📋 My registrations"), "m:status"),
                Choice(turn._("🏠 Main menu"), "m:menu"),
            ),
        )
    ]


async def details(turn: Turn, code: str) -> Replies:
    registration = await _own(turn, code)
    if registration is None:
        return _not_found(turn, code)
    r = registration
    lines = [
        turn._("Registration {code}", code=r.code),
        turn._("Status: {status}", status=turn._(STATUS_LABELS[r.status])),
        turn._("Kind: {kind}", kind=turn._(KIND_LABELS[r.kind])),
        turn._("Leader: {name}, {title}", name=r.leader_name, title=r.leader_title),
        turn._(
            "Session: {when}, {place}",
            when=turn.tr.when(r.session_starts_at),
            place=r.session_location,
        ),
        turn._("Sent on: {date}", date=turn.tr.when(r.submitted_at)),
    ]
    if r.status is RegistrationStatus.SUBMITTED:
        lines.append(turn._("Answer due by: {date}", date=turn.tr.day(r.due_date)))
    if r.status is RegistrationStatus.NEEDS_INFO:
        lines.append(turn._("The officers ask: {question}", question=r.info_question))
    lines += _decision(turn, r)
    lines += ["", turn._("Your matter: {summary}", summary=r.summary), "", turn._("History:")]
    for event in await turn.repo.registration_events(r.id):
        if event.internal:
            continue
        label = EVENT_LABELS.get(event.event)
        if label is None and event.to_status is not None:
            label = STATUS_LABELS[event.to_status]
        what = turn._(label) if label else event.event
        lines.append(f"• {turn.tr.when(event.at)}: {what}")
    choices: list[Choice] = []
    if r.status is RegistrationStatus.NEEDS_INFO:
        choices.append(Choice(turn._("✍️ Answer"), f"st:a:{r.code}"))
    if r.withdrawable(turn.now):
        choices.append(Choice(turn._("↩️ Withdraw this registration"), f"st:w:{r.code}"))
    choices += [
        Choice(turn._("📋 My registrations"), "m:status"),
        Choice(turn._("🏠 Main menu"), "m:menu"),
    ]
    return [Reply("\n".join(lines), tuple(choices))]


def _decision(turn: Turn, r: RegistrationView) -> list[str]:
    """What the officers decided, as far as it concerns the citizen."""
    lines: list[str] = []
    if r.status is RegistrationStatus.APPROVED and r.slot_time is not None:
        lines.append(turn._("Your appointment time: {time}", time=r.slot_time.strftime("%H:%M")))
    if r.host_name:
        lines.append(turn._("You will be received by: {official}", official=r.host_name))
    if r.rejection_reason:
        reason = turn.services.content.refusal(turn.locale, r.rejection_reason)
        if reason is not None:
            lines.append(notices.reason_line(turn.tr, reason, r.party_session))
    if r.guided_to:
        lines.append(
            turn._("Please take your matter to the competent body: {body}.", body=r.guided_to)
        )
    if r.referred_to:
        lines.append(turn._("Transferred to: {body}", body=r.referred_to))
    return lines


async def ask_withdraw(turn: Turn, code: str) -> Replies:
    registration = await _own(turn, code)
    if registration is None:
        return _not_found(turn, code)
    if not registration.withdrawable(turn.now):
        return await details(turn, code)
    text = turn._(
        "Do you really want to withdraw registration {code} ({when})? Your slot will be "
        "freed for someone else. You can register again later.",
        code=registration.code,
        when=turn.tr.when(registration.session_starts_at),
    )
    choices = (
        Choice(turn._("Yes, withdraw it"), f"st:y:{registration.code}"),
        Choice(turn._("No, keep it"), f"st:v:{registration.code}"),
    )
    return [Reply(text, choices)]


async def withdraw(turn: Turn, code: str) -> Replies:
    canonical = tickets.normalize(code)
    registration = await turn.repo.registration_for_update(canonical) if canonical else None
    if registration is None or registration.citizen_id != turn.citizen.id:
        return _not_found(turn, code)
    if not registration.withdrawable(turn.now):
        lead = turn._(
            "Registration {code} can no longer be withdrawn: {status}.",
            code=registration.code,
            status=turn._(STATUS_LABELS[registration.status]),
        )
        return menu.main_menu(turn, lead)
    await triage.decide(
        turn.repo, registration, triage.Decision(triage.Action.WITHDRAW), turn.actor, turn.now
    )
    return menu.main_menu(
        turn, turn._("Registration {code} is withdrawn.", code=registration.code)
    )


ANSWER_FLOW = "answer"
ANSWER_MAX = 2000


async def ask_answer(turn: Turn, code: str) -> Replies:
    # A tap on an older "Answer" button must never leave a previous registration armed.
    stop_answering(turn)
    registration = await _own(turn, code)
    if registration is None:
        return _not_found(turn, code)
    if registration.status is not RegistrationStatus.NEEDS_INFO:
        return await details(turn, code)
    turn.state.data["flow"] = ANSWER_FLOW
    turn.state.data["answer_code"] = registration.code
    text = "\n\n".join(
        (
            turn._("The officers ask: {question}", question=registration.info_question),
            turn._(
                "Type your answer in one message (at most {max} characters), or /cancel.",
                max=ANSWER_MAX,
            ),
        )
    )
    return [Reply(text)]


def answering(turn: Turn) -> bool:
    return turn.state.data.get("flow") == ANSWER_FLOW


def stop_answering(turn: Turn) -> None:
    turn.state.data.pop("flow", None)
    turn.state.data.pop("answer_code", None)


async def receive_answer(turn: Turn, text: str) -> Replies:
    code = str(turn.state.data.get("answer_code", ""))
    try:
        answer = validation.bounded_text(text, 2, ANSWER_MAX)
    except validation.Invalid as problem:
        return [Reply(turn._(problem.message, **problem.params))]
    registration = await turn.repo.registration_for_update(code)
    stop_answering(turn)
    if (
        registration is None
        or registration.citizen_id != turn.citizen.id
        or registration.status is not RegistrationStatus.NEEDS_INFO
    ):
        return menu.main_menu(
            turn, turn._("Registration {code} no longer waits for an answer.", code=code)
        )
    due_date = triage.resumed_due_date(
        registration.due_date,
        registration.paused_since,
        turn.today,
        await turn.calendar(),
        turn.settings.booking.zone,
    )
    await triage.decide(
        turn.repo,
        registration,
        triage.Decision(
            triage.Action.INFO_RECEIVED,
            note=answer,
            changes={
                "paused_since": None,
                "info_question": "",
                "due_date": due_date,
            },
        ),
        turn.actor,
        turn.now,
    )
    return menu.main_menu(
        turn,
        turn._(
            "Thank you: your answer is attached to registration {code}, and the officers "
            "continue their review.",
            code=registration.code,
        ),
    )
