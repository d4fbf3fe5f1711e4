"""Registrations as open data, in the shape of Open311 GeoReport v2 (``GET services`` and
``GET requests``): what was brought to which body, when, and how it stands; never who brought
it, nor anything a citizen or an officer typed.

Privacy is by construction: a public record is built from an allow-list of fields
(``PUBLIC_FIELDS``), each from a value the system chose, not one a person wrote: the ticket
code, a status name, a refusal reason's official title, the unit's name, a province from the
fixed list, timestamps. Denunciations (tố cáo) are never listed, because the law protects the
denouncer; only how many were registered in the period is published (``Listing.denunciations``,
sent as the ``X-Denunciations-Count`` header).

Open311 has only open and closed; the finer state follows the FixMyStreet vocabulary of
``servicerequestupdates`` in ``extended_attributes.detailed_status``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.core import refusals, triage
from bot.core.content import Content
from bot.core.i18n import N_, Translator
from bot.core.labels import KIND_HINTS, KIND_LABELS
from bot.core.model import RegistrationStatus, RegistrationView, RequestKind
from bot.core.ports import Store
from bot.core.provinces import match_province

S = RegistrationStatus

SERVICE_CODES: Mapping[RequestKind, str] = {
    RequestKind.COMPLAINT: "khieu_nai",
    RequestKind.DENUNCIATION: "to_cao",
    RequestKind.PETITION: "kien_nghi",
    RequestKind.FEEDBACK: "phan_anh",
}
KINDS_BY_CODE = {code: kind for kind, code in SERVICE_CODES.items()}
GROUP = "tiep_cong_dan"
# Open311's defaults: the last 90 days, at most 1000 requests; a range may not span more.
WINDOW = timedelta(days=90)
MAX_REQUESTS = 1000

# Every key a public request may have; anything else is a leak.
PUBLIC_FIELDS = frozenset(
    {
        "service_request_id",
        "status",
        "status_notes",
        "service_name",
        "service_code",
        "agency_responsible",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
        "address",
        "extended_attributes",
    }
)
PUBLIC_EXTENDED_FIELDS = frozenset({"detailed_status"})


class DetailedStatus(StrEnum):
    OPEN = "open"
    INVESTIGATING = "investigating"
    ACTION_SCHEDULED = "action_scheduled"
    INTERNAL_REFERRAL = "internal_referral"
    NOT_COUNCILS_RESPONSIBILITY = "not_councils_responsibility"
    NO_FURTHER_ACTION = "no_further_action"
    DUPLICATE = "duplicate"
    CLOSED = "closed"

    @property
    def is_open(self) -> bool:
        return self in _STILL_OPEN


_STILL_OPEN = frozenset(
    {
        DetailedStatus.OPEN,
        DetailedStatus.INVESTIGATING,
        DetailedStatus.ACTION_SCHEDULED,
        DetailedStatus.INTERNAL_REFERRAL,
    }
)

_DETAILED: Mapping[RegistrationStatus, DetailedStatus] = {
    S.SUBMITTED: DetailedStatus.OPEN,
    S.NEEDS_INFO: DetailedStatus.INVESTIGATING,
    S.APPROVED: DetailedStatus.ACTION_SCHEDULED,
    # The session moved: the meeting stands, the citizen confirms the new time.
    S.RESCHEDULED: DetailedStatus.ACTION_SCHEDULED,
    # The meeting fell through; the registration is back in the queue for another session.
    S.CANCELLED: DetailedStatus.OPEN,
    S.REJECTED: DetailedStatus.NO_FURTHER_ACTION,
    # Transferred (chuyển đơn): another body is competent and will answer.
    S.REFERRED: DetailedStatus.NOT_COUNCILS_RESPONSIBILITY,
    S.DUPLICATE: DetailedStatus.DUPLICATE,
    S.ATTENDED: DetailedStatus.CLOSED,
    S.CLOSED: DetailedStatus.CLOSED,
    S.NO_SHOW: DetailedStatus.NO_FURTHER_ACTION,
    S.WITHDRAWN: DetailedStatus.CLOSED,
}
# Reception in the head's place (tiếp thay) is set while the meeting is still ahead.
_DELEGABLE = frozenset({S.SUBMITTED, S.APPROVED, S.RESCHEDULED})

# Public wording of each state: about the registration, not addressed to its citizen.
STATUS_NOTES: Mapping[RegistrationStatus, str] = {
    S.SUBMITTED: N_("Waiting for review"),
    S.NEEDS_INFO: N_("More information was asked of the citizen"),
    S.APPROVED: N_("Scheduled for reception"),
    S.RESCHEDULED: N_("The session moved; waiting for the citizen to confirm"),
    S.CANCELLED: N_("The reception fell through; another session will be offered"),
    S.REJECTED: N_("Not accepted"),
    S.REFERRED: N_("Transferred to the competent body"),
    S.DUPLICATE: N_("Joined to an earlier registration on the same matter"),
    S.ATTENDED: N_("Received at the session"),
    S.CLOSED: N_("Received; the result is recorded"),
    S.NO_SHOW: N_("The citizen did not attend"),
    S.WITHDRAWN: N_("Withdrawn by the citizen"),
}
DELEGATED_NOTE = N_("Received by another official in the leader's place")


def detailed_status(registration: RegistrationView) -> DetailedStatus:
    status = registration.status
    if status in _DELEGABLE and registration.host_name:
        return DetailedStatus.INTERNAL_REFERRAL
    refusal = refusals.ground(registration.rejection_reason)
    if status is S.REJECTED and refusal is not None and refusal.outside_competence:
        return DetailedStatus.NOT_COUNCILS_RESPONSIBILITY
    return _DETAILED[status]


def status_notes(registration: RegistrationView, tr: Translator, content: Content) -> str:
    """The state in words chosen by the system; a refusal names its reason's official title,
    never the officer's note."""
    if registration.status in _DELEGABLE and registration.host_name:
        return tr._(DELEGATED_NOTE)
    if registration.status is S.REJECTED:
        refusal = content.refusal(tr.locale, registration.rejection_reason)
        if refusal is not None:
            return tr._("Not accepted: {reason}", reason=refusal.title)
    return tr._(STATUS_NOTES[registration.status])


def services(tr: Translator) -> list[dict[str, object]]:
    """The four kinds of request, as Open311 services (denunciations included: the service
    exists, only its requests are kept out of the listing)."""
    return [
        {
            "service_code": code,
            "service_name": tr._(KIND_LABELS[kind]),
            "description": tr._(KIND_HINTS[kind]),
            "metadata": False,
            "type": "realtime",
            "keywords": "",
            "group": GROUP,
        }
        for kind, code in SERVICE_CODES.items()
    ]


def public_request(
    registration: RegistrationView, tr: Translator, content: Content
) -> dict[str, object]:
    """One registration as open data. Never called for a denunciation."""
    if registration.confidential:
        raise ValueError("a denunciation is never published")
    zone = tr.zone
    detailed = detailed_status(registration)
    expected = None
    if registration.status in {S.APPROVED, S.RESCHEDULED}:
        expected = _iso(triage.appointment_of(registration, zone), zone)
    return {
        "service_request_id": registration.code,
        "status": "open" if detailed.is_open else "closed",
        "status_notes": status_notes(registration, tr, content),
        "service_name": tr._(KIND_LABELS[registration.kind]),
        "service_code": SERVICE_CODES[registration.kind],
        "agency_responsible": registration.unit_name,
        "requested_datetime": _iso(registration.submitted_at, zone),
        "updated_datetime": _iso(registration.updated_at or registration.submitted_at, zone),
        "expected_datetime": expected,
        # Only a name from the fixed list of provinces, never what the citizen typed.
        "address": match_province(registration.province) or "",
        "extended_attributes": {"detailed_status": detailed.value},
    }


def _iso(instant: datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).isoformat(timespec="seconds")


# --- the GET requests query ------------------------------------------------------------------


class BadQuery(ValueError):
    """A query parameter Open311 clients must fix; the message says which and why."""


@dataclass(frozen=True, slots=True)
class Query:
    start: datetime
    end: datetime
    # "open" and/or "closed"; None: both.
    statuses: frozenset[str] | None = None
    service_codes: frozenset[str] | None = None


def parse_query(params: Mapping[str, str], now: datetime, zone: ZoneInfo) -> Query:
    """Open311's start_date, end_date (ISO 8601; without an offset, local time), status and
    service_code (comma-separated lists). The window defaults to the 90 days before end_date
    (now when absent) and may not be longer."""
    start = _instant(params, "start_date", zone)
    end = _instant(params, "end_date", zone)
    if end is None:
        end = now if start is None else start + WINDOW
    if start is None:
        start = end - WINDOW
    if start >= end:
        raise BadQuery("start_date must be before end_date")
    if end - start > WINDOW:
        raise BadQuery("start_date and end_date may not span more than 90 days")
    statuses = _choices(params, "status", frozenset({"open", "closed"}))
    codes = _choices(params, "service_code", frozenset(KINDS_BY_CODE))
    return Query(start, end, statuses, codes)


def _instant(params: Mapping[str, str], key: str, zone: ZoneInfo) -> datetime | None:
    value = params.get(key, "").strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        try:
            moment = datetime.combine(date.fromisoformat(value), time())
        except ValueError as exc:
            raise BadQuery(f"{key} is not an ISO 8601 date and time") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def _choices(params: Mapping[str, str], key: str, known: frozenset[str]) -> frozenset[str] | None:
    value = params.get(key, "").strip()
    if not value:
        return None
    chosen = frozenset(part.strip() for part in value.split(",") if part.strip())
    unknown = sorted(chosen - known)
    if unknown:
        raise BadQuery(f"{key} {unknown[0]!r} is not one of {', '.join(sorted(known))}")
    return chosen


# --- the listing -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Listing:
    requests: list[dict[str, object]]
    # Denunciations registered in the window: counted, never listed.
    denunciations: int


def listing(
    registrations: Iterable[RegistrationView], query: Query, tr: Translator, content: Content
) -> Listing:
    """The public requests matching the query, newest first, at most 1000."""
    denunciations = 0
    matching: list[RegistrationView] = []
    for registration in registrations:
        if not query.start <= registration.submitted_at < query.end:
            continue
        if registration.confidential:
            denunciations += 1
            continue
        if query.service_codes is not None and (
            SERVICE_CODES[registration.kind] not in query.service_codes
        ):
            continue
        state = "open" if detailed_status(registration).is_open else "closed"
        if query.statuses is not None and state not in query.statuses:
            continue
        matching.append(registration)
    matching.sort(key=lambda r: (r.submitted_at, r.id), reverse=True)
    return Listing(
        [public_request(r, tr, content) for r in matching[:MAX_REQUESTS]], denunciations
    )


async def read(store: Store, query: Query, tr: Translator, content: Content) -> Listing:
    async with store.transaction() as repo:
        registrations = await repo.registrations_submitted_between(query.start, query.end, None)
    return listing(registrations, query, tr, content)
