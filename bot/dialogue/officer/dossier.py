"""/view: the whole dossier of one registration, for the officer who decides on it."""

from __future__ import annotations

from bot.core import registrations, triage, validation
from bot.core.deadlines import NoticeForm
from bot.core.labels import (
    KIND_LABELS,
    LANGUAGE_LABELS,
    NOTICE_FORM_NAMES,
    OFFICER_EVENT_LABELS,
    OUTCOME_NAMES,
    STATUS_NAMES,
    TRACK_NAMES,
)
from bot.core.model import RegistrationStatus, RegistrationView, Reply, RequestKind
from bot.core.triage import OutcomeType
from bot.dialogue.context import Turn
from bot.dialogue.officer.access import Desk, code_of, registration_at
from bot.dialogue.officer.decisions import OPEN_OR_DECIDED, sessions_with_room


async def show(turn: Turn, place: Desk, argument: str) -> Reply:
    code = code_of(turn, argument.split(maxsplit=1)[0] if argument.split() else "")
    r = await registration_at(turn, place, code, lock=False)
    work = await turn.calendar()
    zone = turn.settings.booking.zone
    age = work.working_days_between(registrations.local_day(r.submitted_at, zone), turn.today)
    _ = turn._
    lines = [
        _("Registration {code}: {status}", code=r.code, status=_(STATUS_NAMES[r.status])),
        _("Kind: {kind}", kind=_(KIND_LABELS[r.kind])),
        _(
            "Received: {when} ({days} working days ago). Answer due: {due}.",
            when=turn.tr.when(r.submitted_at),
            days=age,
            due=turn.tr.day(r.due_date),
        ),
        "",
        _("Citizen: {name}", name=r.full_name),
        _(
            "Phone: {phone}{verified}",
            phone=validation.display_phone(r.phone) if r.phone else "",
            verified=_(" (shared from their account)") if r.phone_verified else "",
        ),
        _("Identification number: {number}", number=r.id_number),
        _("Address: {address}, {province}", address=r.address, province=r.province),
        _("People with the same matter: {count}", count=r.people_count),
    ]
    if r.representatives:
        lines.append(_("Representatives: {names}", names=", ".join(r.representatives)))
    if r.interpreter:
        lines.append(_("🗣 Interpreter needed: {language}", language=r.interpreter))
    if r.citizen_locale in LANGUAGE_LABELS and r.citizen_locale != "vi":
        lines.append(
            _("💬 Wrote to the bot in {language}", language=_(LANGUAGE_LABELS[r.citizen_locale]))
        )
    lines += [
        "",
        _(
            "Leader: {name}, {title} ({unit})",
            name=r.leader_name,
            title=r.leader_title,
            unit=r.unit_name,
        ),
        _(TRACK_NAMES[r.track]),
        _(
            "Session: {when}, {place}",
            when=turn.tr.when(r.session_starts_at),
            place=r.session_location,
        ),
    ]
    if r.requested_session_id != r.session_id:
        lines.append(
            _("The citizen had asked for session #{session}.", session=r.requested_session_id)
        )
    if r.slot_time is not None:
        lines.append(_("Appointment time: {time}", time=r.slot_time.strftime("%H:%M")))
    if r.host_name:
        lines.append(_("Received by: {official} (in the leader's place)", official=r.host_name))
    lines += [
        "",
        _("Matter: {summary}", summary=r.summary),
        _("Already handled: {prior}", prior=r.prior_handling or _("no agency yet")),
        _("Asks for: {request}", request=r.request),
    ]
    lines += _decision_lines(turn, r)
    lines += await _earlier_lines(turn, place, r)
    lines += ["", _("History:")]
    events = await turn.repo.registration_events(r.id)
    names = await turn.repo.actor_names({e.actor for e in events})
    for event in events:
        label = OFFICER_EVENT_LABELS.get(event.event)
        who = names.get(event.actor) or (
            _("the citizen") if event.actor.startswith("citizen:") else event.actor
        )
        text = f"• {turn.tr.when(event.at)} · {who}: {_(label) if label else event.event}"
        if event.note:
            text += f" — {event.note}"
        lines.append(text)
    if r.status in {RegistrationStatus.SUBMITTED, RegistrationStatus.NEEDS_INFO}:
        lines += ["", await sessions_with_room(turn, r)]
    return Reply("\n".join(lines))


# Earlier registrations of the citizen listed in /view: enough to see a pattern.
EARLIER_SHOWN = 5


async def _earlier_lines(turn: Turn, place: Desk, r: RegistrationView) -> list[str]:
    """The citizen's other registrations (same ID number or phone) that this officer may read,
    and the one this seems to repeat, with what the law lets the officer do about it."""
    _ = turn._
    lines: list[str] = []
    if r.repeat_of_code:
        lines.append(await _repeat_line(turn, r))
    earlier = await turn.repo.registrations_of_person(
        r.phone,
        r.id_number,
        triage.visible_kinds(place.officer, None),
        place.scope,
        r.id,
        EARLIER_SHOWN + 1,
    )
    if earlier:
        lines.append(_("Other registrations of this citizen (same ID number or phone):"))
        for other in earlier[:EARLIER_SHOWN]:
            line = _(
                "• {code} · {kind} · {status} · {date}",
                code=other.code,
                kind=_(KIND_LABELS[other.kind]),
                status=_(STATUS_NAMES[other.status]),
                date=turn.tr.short_day(
                    registrations.local_day(other.submitted_at, turn.settings.booking.zone)
                ),
            )
            if other.outcome:
                line += " · " + _(OUTCOME_NAMES[OutcomeType(other.outcome)])
            lines.append(line)
        if len(earlier) > EARLIER_SHOWN:
            lines.append(_("…and more: /find {key}", key=r.id_number or r.phone))
    return ["", *lines] if lines else []


async def _repeat_line(turn: Turn, r: RegistrationView) -> str:
    """The earlier registration this one seems to repeat, and what its state allows: joining
    to one still open (/duplicate), refusing when it was settled and nothing new is brought
    (the grounds "resolved" and "answered" of refusals.toml need a matter already dealt with);
    anything else (or at a Party committee's reception), only to compare."""
    _ = turn._
    earlier = await turn.repo.registration_by_code(r.repeat_of_code)
    status = _(STATUS_NAMES[earlier.status]) if earlier is not None else ""
    line = _(
        "↻ Likely a repeat of {earlier} ({status}): the same citizen, kind and matter in most "
        "words. Compare with /view {earlier}.",
        earlier=r.repeat_of_code,
        status=status,
    )
    if earlier is None:
        return line
    if earlier.status is RegistrationStatus.CLOSED and not r.party_session:
        # A Party committee head's reception is not governed by the Law's refusal grounds.
        settled = r.kind in {RequestKind.COMPLAINT, RequestKind.DENUNCIATION}
        return (
            line
            + " "
            + _(
                "If it brings nothing new: /reject {code} {ground}.",
                code=r.code,
                ground="resolved" if settled else "answered",
            )
        )
    if earlier.status in OPEN_OR_DECIDED:
        return (
            line
            + " "
            + _("To join them: /duplicate {code} {earlier}.", code=r.code, earlier=earlier.code)
        )
    return line


def _decision_lines(turn: Turn, r: RegistrationView) -> list[str]:
    _ = turn._
    lines: list[str] = []
    if r.info_question and r.status is RegistrationStatus.NEEDS_INFO:
        lines.append(_("Question to the citizen: {question}", question=r.info_question))
    if r.rejection_reason:
        refusal = turn.services.content.refusal(turn.locale, r.rejection_reason)
        lines.append(
            _("Refusal: {reason}", reason=refusal.title if refusal else r.rejection_reason)
        )
        basis = refusal.basis_for(r.party_session) if refusal is not None else ""
        if basis:
            lines.append(_("Basis: {basis}", basis=basis))
    if r.guided_to:
        lines.append(_("Guided to: {body}", body=r.guided_to))
    if r.referred_to:
        lines.append(_("Transferred to: {body}", body=r.referred_to))
    if r.letter_no:
        lines.append(_("Letter no.: {letter}", letter=r.letter_no))
    if r.duplicate_of_code:
        lines.append(_("Joined to: {code}", code=r.duplicate_of_code))
    if r.outcome:
        lines.append(_("Result: {outcome}", outcome=_(OUTCOME_NAMES[OutcomeType(r.outcome)])))
    if r.conclusion:
        lines.append(_("Conclusion: {text}", text=r.conclusion))
    if r.notice_form and r.notice_due is not None:
        form = _(NOTICE_FORM_NAMES[NoticeForm(r.notice_form)])
        if r.notice_issued_on is None:
            lines.append(
                _(
                    "📝 Written notice to issue: {form}, by {date}.",
                    form=form,
                    date=turn.tr.day(r.notice_due),
                )
            )
        else:
            lines.append(
                _(
                    "Written notice issued: {form}, no. {letter} of {date}.",
                    form=form,
                    letter=r.notice_letter,
                    date=turn.tr.short_day(r.notice_issued_on),
                )
            )
    return ["", *lines] if lines else []
