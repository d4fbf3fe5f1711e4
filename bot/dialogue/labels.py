"""Names of domain values as citizens read them (msgids; translate with ``turn._``)."""

from __future__ import annotations

from bot.core.i18n import N_
from bot.core.model import RegistrationStatus, RequestKind

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
    RequestKind.FEEDBACK: N_(
        "you inform the authorities about a problem, a shortcoming or a violation you have seen"
    ),
}

STATUS_LABELS: dict[RegistrationStatus, str] = {
    RegistrationStatus.SUBMITTED: N_("Submitted, waiting for review"),
    RegistrationStatus.NEEDS_INFO: N_("More information needed"),
    RegistrationStatus.APPROVED: N_("Approved: you are expected at the session"),
    RegistrationStatus.REJECTED: N_("Not accepted"),
    RegistrationStatus.REFERRED: N_("Transferred to the competent body"),
    RegistrationStatus.DUPLICATE: N_("Merged with an earlier registration"),
    RegistrationStatus.ATTENDED: N_("Received by the leader"),
    RegistrationStatus.NO_SHOW: N_("Did not attend"),
    RegistrationStatus.CANCELLED: N_("Cancelled"),
    RegistrationStatus.RESCHEDULED: N_("Session changed"),
    RegistrationStatus.CLOSED: N_("Closed"),
    RegistrationStatus.WITHDRAWN: N_("Withdrawn by you"),
}

EVENT_LABELS: dict[str, str] = {
    "submitted": N_("You sent the registration"),
    "withdraw": N_("You withdrew the registration"),
}
