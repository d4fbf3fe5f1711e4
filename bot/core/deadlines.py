"""How long the law gives to answer a citizen, and the written notices owed after a decision.

Every limit is in working days (bot/core/workdays.py), each from its own instrument (see
docs/legal-basis.md):

- the answer to a registration: 10 working days (Law on Citizen Reception Art. 28.1;
  Regulation 11-QĐi/TW Art. 5 on the Party track), but a denunciation is registered,
  classified and checked within 7, at most 10 (Law on Denunciations 2018 Art. 24.1);
- a denunciation outside competence is forwarded, and the denouncer told, within 5 (Art. 24.2;
  on the state track: a Party committee head's reception follows Regulation 11);
- a refusal on Law Art. 9 cl. 3 or Decree 154/2026 Art. 4 point (h) is followed by the written
  notice of form 01/TCD within 3 (Decree 154/2026 Art. 4.3);
- on the Party track the head tells the citizen in writing, within 10 working days of receiving
  the matter, that it is accepted or transferred (Regulation 11-QĐi/TW Art. 5).

A registration's matter is received when it is submitted; a matter raised at the reception,
on the reception day. Like the registration's own deadline, the Party head's notice stands
still while the officers wait for the citizen's answer; the Law on Denunciations' 5 days do not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.core.model import RegistrationView, RequestKind, Track
from bot.core.refusals import Ground
from bot.core.triage import OutcomeType
from bot.core.workdays import WorkCalendar


@dataclass(frozen=True, slots=True)
class Deadlines:
    """Working days for each step; the defaults are the law's."""

    complaint: int = 10
    denunciation: int = 7
    denunciation_extended: int = 10
    denunciation_forward: int = 5
    petition: int = 10
    feedback: int = 10
    refusal_notice: int = 3
    party_notice: int = 10

    def to_answer(self, kind: RequestKind) -> int:
        return {
            RequestKind.COMPLAINT: self.complaint,
            RequestKind.DENUNCIATION: self.denunciation,
            RequestKind.PETITION: self.petition,
            RequestKind.FEEDBACK: self.feedback,
        }[kind]

    def answer_due(self, kind: RequestKind, received: date, work: WorkCalendar) -> date:
        return work.add_working_days(received, self.to_answer(kind))

    def extended(self, due: date, work: WorkCalendar) -> date:
        """A denunciation's deadline once extended: the extra working days are added to the
        current deadline, so the time spent waiting for the citizen still counts."""
        return work.add_working_days(due, self.denunciation_extended - self.denunciation)


class NoticeForm(StrEnum):
    """A written notice the officers must issue after a decision, each with its basis."""

    # Mẫu 01/TCD, Thông báo từ chối tiếp công dân: Law Art. 9 cl. 3, Decree 154 Art. 4(h).
    REFUSAL = "refusal"
    # Regulation 11-QĐi/TW Art. 5: the Party head's notice of acceptance or transfer.
    PARTY_ANSWER = "party_answer"
    # Law on Denunciations Art. 24.2: the denunciation forwarded, and the denouncer told.
    DENUNCIATION_FORWARD = "denunciation_forward"


@dataclass(frozen=True, slots=True)
class NoticeDuty:
    form: NoticeForm
    due: date

    def changes(self) -> dict[str, object]:
        """The registration's columns that record the duty (Repository.record_decision)."""
        return {
            "notice_form": self.form.value,
            "notice_due": self.due,
            "notice_letter": "",
            "notice_issued_on": None,
        }


@dataclass(frozen=True, slots=True)
class Received:
    """When the matter reached the body, and the working days the registration's clock has
    stood still since (waiting for the citizen's answer) or been extended by."""

    day: date
    paused: int = 0


def received(
    registration: RegistrationView, zone: ZoneInfo, deadlines: Deadlines, work: WorkCalendar
) -> Received:
    """A registration's matter is received when it is submitted; its own deadline, set then
    from its kind, has moved since by the pauses."""
    day = registration.submitted_at.astimezone(zone).date()
    expected = deadlines.answer_due(registration.kind, day, work)
    return Received(day, max(work.working_days_between(expected, registration.due_date), 0))


def at_reception(registration: RegistrationView, zone: ZoneInfo) -> Received:
    """At the reception the head receives the matter in person: its clocks start that day."""
    return Received(registration.session_starts_at.astimezone(zone).date())


def after_refusal(
    ground: Ground, decided_on: date, deadlines: Deadlines, work: WorkCalendar
) -> NoticeDuty | None:
    """Form 01/TCD within 3 working days of a refusal on Law Art. 9 cl. 3 or point (h)."""
    if not ground.written_notice:
        return None
    return NoticeDuty(
        NoticeForm.REFUSAL, work.add_working_days(decided_on, deadlines.refusal_notice)
    )


def after_transfer(
    registration: RegistrationView, since: Received, deadlines: Deadlines, work: WorkCalendar
) -> NoticeDuty | None:
    """The written notice owed when the matter goes to another body: on the Party track the
    head's (Regulation 11 Art. 5), on the state track a denunciation's (Law on Denunciations
    Art. 24.2: 5 working days from receipt, with no pause); none for other state matters."""
    if registration.track is Track.PARTY:
        return party_answer(since, deadlines, work)
    if registration.kind is RequestKind.DENUNCIATION:
        return NoticeDuty(
            NoticeForm.DENUNCIATION_FORWARD,
            work.add_working_days(since.day, deadlines.denunciation_forward),
        )
    return None


def after_outcome(
    registration: RegistrationView,
    outcome: OutcomeType,
    ground: Ground | None,
    zone: ZoneInfo,
    deadlines: Deadlines,
    work: WorkCalendar,
) -> NoticeDuty | None:
    """The written notice a reception's result calls for, counted from the reception day."""
    since = at_reception(registration, zone)
    if ground is not None:
        return after_refusal(ground, since.day, deadlines, work)
    if outcome is OutcomeType.TRANSFERRED:
        return after_transfer(registration, since, deadlines, work)
    if outcome is OutcomeType.ACCEPTED and registration.track is Track.PARTY:
        return party_answer(since, deadlines, work)
    return None


def party_answer(since: Received, deadlines: Deadlines, work: WorkCalendar) -> NoticeDuty:
    """Regulation 11 Art. 5: acceptance or transfer told in writing within 10 working days
    of receipt; like the registration's own deadline, it stands still while the officers wait
    for the citizen."""
    due = work.add_working_days(since.day, deadlines.party_notice + since.paused)
    return NoticeDuty(NoticeForm.PARTY_ANSWER, due)
