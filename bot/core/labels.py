"""Names of domain values as citizens read them (msgids; translate with ``turn._``)."""

from __future__ import annotations

from bot.core.deadlines import NoticeForm
from bot.core.i18n import N_
from bot.core.model import RegistrationStatus, RequestKind, SessionStatus, Source, Track
from bot.core.triage import OutcomeType

# The languages a citizen may write to the bot in, as officers read them.
LANGUAGE_LABELS: dict[str, str] = {
    "vi": N_("Vietnamese"),
    "en": N_("English"),
    "km": N_("Khmer"),
}

KIND_LABELS: dict[RequestKind, str] = {
    RequestKind.COMPLAINT: N_("Complaint"),
    RequestKind.DENUNCIATION: N_("Denunciation"),
    RequestKind.PETITION: N_("Petition"),
    RequestKind.FEEDBACK: N_("Feedback"),
}

KIND_HINTS: dict[RequestKind, str] = {
    RequestKind.COMPLAINT: N_(
        "you ask for a review of an administrative decision or act that harms your rights"
    ),
    RequestKind.DENUNCIATION: N_(
        "you report a violation of the law by an official, an agency or a person"
    ),
    RequestKind.PETITION: N_(
        "you give your views or proposals on a policy, a law or how the authorities manage"
    ),
    # Not "a violation": reporting one is a denunciation, whose author the law protects.
    RequestKind.FEEDBACK: N_(
        "you inform the authorities about a problem with a policy, a law or how they manage; "
        "to report someone's violation of the law, choose Denunciation"
    ),
}

STATUS_LABELS: dict[RegistrationStatus, str] = {
    RegistrationStatus.SUBMITTED: N_("Submitted, waiting for review"),
    RegistrationStatus.NEEDS_INFO: N_("More information needed"),
    RegistrationStatus.APPROVED: N_("Scheduled: you are expected at the session"),
    RegistrationStatus.REJECTED: N_("Not accepted"),
    RegistrationStatus.REFERRED: N_("Transferred to the competent body"),
    RegistrationStatus.DUPLICATE: N_("Merged with an earlier registration"),
    RegistrationStatus.ATTENDED: N_("Received by the leader"),
    RegistrationStatus.NO_SHOW: N_("Did not attend"),
    RegistrationStatus.CANCELLED: N_("Session cancelled: the officers will offer another session"),
    RegistrationStatus.RESCHEDULED: N_("Session moved: please confirm the new time"),
    RegistrationStatus.CLOSED: N_("Closed"),
    RegistrationStatus.WITHDRAWN: N_("Withdrawn by you"),
}

# Statuses as officers and reports name them (STATUS_LABELS speak to the citizen).
STATUS_NAMES: dict[RegistrationStatus, str] = {
    RegistrationStatus.SUBMITTED: N_("Waiting for review"),
    RegistrationStatus.NEEDS_INFO: N_("Asked for more information"),
    RegistrationStatus.APPROVED: N_("Scheduled for reception"),
    RegistrationStatus.REJECTED: N_("Refused"),
    RegistrationStatus.REFERRED: N_("Transferred"),
    RegistrationStatus.DUPLICATE: N_("Duplicate"),
    RegistrationStatus.ATTENDED: N_("Received, result pending"),
    RegistrationStatus.NO_SHOW: N_("Did not come"),
    RegistrationStatus.CANCELLED: N_("Session cancelled, to rebook"),
    RegistrationStatus.RESCHEDULED: N_("Session moved, to confirm"),
    RegistrationStatus.CLOSED: N_("Received and closed"),
    RegistrationStatus.WITHDRAWN: N_("Withdrawn"),
}

# A published session's state as officers read it in /session list.
SESSION_STATES: dict[SessionStatus, str] = {
    SessionStatus.PLANNED: N_("published"),
    SessionStatus.CANCELLED: N_("cancelled"),
    SessionStatus.MOVED: N_("moved"),
    SessionStatus.HELD: N_("held"),
}

# How each event of a registration reads in its history (shown to the citizen unless internal).
EVENT_LABELS: dict[str, str] = {
    "submitted": N_("You sent the registration"),
    "recorded": N_("Recorded at the reception office"),
    "linked": N_("You linked this chat to it"),
    "corrected": N_("You corrected your details"),
    "withdraw": N_("You withdrew the registration"),
    "approve": N_("Scheduled for a reception session"),
    "reject": N_("Not accepted"),
    "needinfo": N_("The officers asked for more information"),
    "info_received": N_("You answered the officers' question"),
    "delegate": N_("Another official will receive you in the leader's place"),
    "transfer": N_("Transferred to the competent body"),
    "duplicate": N_("Joined to a registration on the same matter"),
    "reassign": N_("Passed to another leader"),
    "attended": N_("You were received"),
    "noshow": N_("You did not attend"),
    "outcome": N_("Result of the reception recorded"),
    "conclusion": N_("The leader's conclusion recorded"),
    "issued": N_("The written notice was issued"),
    "extend": N_("The time limit was extended"),
    "note": N_("Internal note"),
    "session_cancelled": N_("The session was cancelled"),
    "session_moved": N_("The session was moved"),
    "will_come": N_("You confirmed you will come"),
    "cannot_come": N_("You said you cannot come"),
}

# The same events as officers read them in a dossier.
OFFICER_EVENT_LABELS: dict[str, str] = {
    "submitted": N_("registration sent by the citizen"),
    "recorded": N_("recorded at the office (walk-in)"),
    "linked": N_("the citizen linked a chat to it"),
    "corrected": N_("the citizen corrected their details"),
    "withdraw": N_("withdrawn by the citizen"),
    "approve": N_("scheduled"),
    "reject": N_("refused"),
    "needinfo": N_("question sent to the citizen"),
    "info_received": N_("the citizen answered"),
    "delegate": N_("another official to receive in the head's place"),
    "transfer": N_("transferred"),
    "duplicate": N_("joined to another registration"),
    "reassign": N_("passed to another leader"),
    "attended": N_("received"),
    "noshow": N_("did not come"),
    "outcome": N_("result recorded"),
    "conclusion": N_("conclusion recorded"),
    "issued": N_("written notice issued"),
    "extend": N_("time limit extended"),
    "note": N_("internal note"),
    "session_cancelled": N_("session cancelled"),
    "session_moved": N_("session moved"),
    "will_come": N_("the citizen confirmed"),
    "cannot_come": N_("the citizen cannot come"),
}

# Outcome types as officers name them (the citizen's notice words them for the citizen).
OUTCOME_NAMES: dict[OutcomeType, str] = {
    OutcomeType.ACCEPTED: N_("accepted for resolution"),
    OutcomeType.GUIDED: N_("guided to the competent body"),
    OutcomeType.TRANSFERRED: N_("transferred to the competent body"),
    OutcomeType.ANSWERED: N_("answered at the reception"),
    OutcomeType.EXTENDED: N_("verification extended"),
    OutcomeType.REFUSED: N_("refused"),
    OutcomeType.OTHER: N_("other outcome"),
}

OUTCOME_LABELS: dict[OutcomeType, str] = {
    OutcomeType.ACCEPTED: N_("accepted for resolution"),
    OutcomeType.GUIDED: N_("you were guided to the competent body"),
    OutcomeType.TRANSFERRED: N_("transferred to the competent body"),
    OutcomeType.ANSWERED: N_("answered at the reception"),
    OutcomeType.EXTENDED: N_("the time to verify your matter is extended"),
    OutcomeType.REFUSED: N_("the reception was refused, on the ground below"),
    OutcomeType.OTHER: N_("another outcome, explained below"),
}

# The written notices a decision may call for (bot/core/deadlines.py), as officers name them.
NOTICE_FORM_NAMES: dict[NoticeForm, str] = {
    NoticeForm.REFUSAL: N_("the written refusal notice (form 01/TCD)"),
    NoticeForm.PARTY_ANSWER: N_(
        "the Party committee head's written notice (Regulation 11-QĐi/TW, Art. 5)"
    ),
    NoticeForm.DENUNCIATION_FORWARD: N_(
        "the written notice to the denouncer that the denunciation was forwarded (Law on "
        "Denunciations, Art. 24)"
    ),
}

# Which rules govern a registration's reception.
TRACK_NAMES: dict[Track, str] = {
    Track.STATE: N_("Governed by: the Law on Citizen Reception (a state body's head)"),
    Track.PARTY: N_("Governed by: Regulation 11-QĐi/TW (a Party committee's head)"),
}

# The same, short, for lists.
NOTICE_FORM_SHORT: dict[NoticeForm, str] = {
    NoticeForm.REFUSAL: N_("refusal notice 01/TCD"),
    NoticeForm.PARTY_ANSWER: N_("Party head's notice (Reg. 11, Art. 5)"),
    NoticeForm.DENUNCIATION_FORWARD: N_("notice of a forwarded denunciation"),
}

# How a matter reached the office (the report's breakdown, /walkin's choices).
SOURCE_LABELS: dict[Source, str] = {
    Source.CHAT: N_("through the bot"),
    Source.IN_PERSON: N_("in person"),
    Source.PHONE: N_("by phone"),
    Source.LETTER: N_("by letter"),
    Source.FORWARDED: N_("forwarded"),
}
