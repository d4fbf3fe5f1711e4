"""How long the law gives to answer a citizen, and the written notices owed after a decision.

Every limit is in working days (bot/core/workdays.py), each from its own instrument (see
docs/legal-basis.md):

- the answer to a registration: 10 working days (Law on Citizen Reception Art. 28.1;
  Regulation 11-QĐi/TW Art. 5 on the Party track), but a denunciation is registered,
  classified and checked within 7, at most 10 (Law on Denunciations 2018 Art. 24.1);
- a denunciation outside competence is forwarded, and the denouncer told, within 5 (Art. 24.2);
- a refusal on Law Art. 9 cl. 3 or Decree 154/2026 Art. 4 point (h) is followed by the written
  notice of form 01/TCD within 3 (Decree 154/2026 Art. 4.3);
- on the Party track the head tells the citizen in writing, within 10 working days of receiving
  the matter, that it is accepted or transferred (Regulation 11-QĐi/TW Art. 5).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bot.core.model import RegistrationView, RequestKind, Track
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

    def extended_due(self, received: date, work: WorkCalendar) -> date:
        """The longest a denunciation may take to be registered and checked."""
        return work.add_working_days(received, self.denunciation_extended)


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


def refusal_notice(decided_on: date, deadlines: Deadlines, work: WorkCalendar) -> NoticeDuty:
    return NoticeDuty(
        NoticeForm.REFUSAL, work.add_working_days(decided_on, deadlines.refusal_notice)
    )


def transfer_notice(
    registration: RegistrationView, received: date, deadlines: Deadlines, work: WorkCalendar
) -> NoticeDuty | None:
    """The written notice owed when a matter is transferred to another body, counted from the
    day it was received: a denunciation's (5 working days) on either track, the Party head's
    (10) on the Party track; none for other matters on the state track."""
    if registration.kind is RequestKind.DENUNCIATION:
        return NoticeDuty(
            NoticeForm.DENUNCIATION_FORWARD,
            work.add_working_days(received, deadlines.denunciation_forward),
        )
    return party_notice(registration, received, deadlines, work)


def party_notice(
    registration: RegistrationView, received: date, deadlines: Deadlines, work: WorkCalendar
) -> NoticeDuty | None:
    """On the Party track, acceptance or transfer is told in writing within 10 working days."""
    if registration.track is not Track.PARTY:
        return None
    return NoticeDuty(
        NoticeForm.PARTY_ANSWER, work.add_working_days(received, deadlines.party_notice)
    )


def notice_state(registration: RegistrationView, today: date, work: WorkCalendar) -> int:
    """Working days left before a pending notice is due (negative: overdue by that many)."""
    assert registration.notice_due is not None
    return work.working_days_between(today, registration.notice_due)
