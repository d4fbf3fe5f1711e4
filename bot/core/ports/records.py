"""Values that cross the storage boundary and belong to no single aggregate."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class OfficerRecord:
    channel: str
    user_id: str
    name: str
    role: str
    units: tuple[str, ...]
    permissions: tuple[str, ...] = ()


# Registration columns an officer's decision may set (Repository.record_decision).
DECISION_COLUMNS = frozenset(
    {
        "priority",
        "leader_id",
        "session_id",
        "slot_time",
        "host_name",
        "rejection_reason",
        "guided_to",
        "referred_to",
        "letter_no",
        "duplicate_of_code",
        "outcome",
        "outcome_note",
        "conclusion",
        "conclusion_deadline",
        "conclusion_unit",
        "info_question",
        "paused_since",
        "due_date",
        "notice_form",
        "notice_due",
        "notice_letter",
        "notice_issued_on",
    }
)
