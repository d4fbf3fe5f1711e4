"""When reminders and digests are due: pure rules over working days and local clock times."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from bot.core.model import RegistrationView, SessionStatus, SessionView
from bot.core.workdays import WorkCalendar


@dataclass(frozen=True, slots=True)
class ReminderTimes:
    zone: ZoneInfo
    # The citizen: some working days before the meeting, and on its morning.
    citizen_eve: time = time(8, 0)
    citizen_eve_working_days: int = 1
    citizen_morning: time = time(6, 30)
    # The leader and the assistants: the digest of the session.
    leader_digest: time = time(15, 0)
    leader_digest_working_days: int = 1
    # Officers' digest and supervisors' escalation, each working day.
    officer_digest: time = time(7, 30)


def at(day: date, moment: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, moment, tzinfo=zone)


def working_days_before(day: date, count: int, work: WorkCalendar) -> date:
    for _ in range(count):
        day = work.previous_working_day(day)
    return day


def citizen_reminders(
    appointment: datetime, times: ReminderTimes, work: WorkCalendar
) -> dict[str, datetime]:
    """Due instants of the citizen's reminders for a meeting at ``appointment``."""
    day = appointment.astimezone(times.zone).date()
    eve = at(
        working_days_before(day, times.citizen_eve_working_days, work),
        times.citizen_eve,
        times.zone,
    )
    morning = at(day, times.citizen_morning, times.zone)
    return {
        "eve": eve,
        # A meeting early in the morning would get its morning reminder too late to help.
        "morning": min(morning, appointment),
    }


def leader_digest_due(
    session_start: datetime, times: ReminderTimes, work: WorkCalendar
) -> datetime:
    day = session_start.astimezone(times.zone).date()
    return at(
        working_days_before(day, times.leader_digest_working_days, work),
        times.leader_digest,
        times.zone,
    )


def officer_digest_due(day: date, times: ReminderTimes, work: WorkCalendar) -> datetime | None:
    """The officers' digest of ``day``, on working days only."""
    if not work.is_working_day(day):
        return None
    return at(day, times.officer_digest, times.zone)


def reminder_guard(registration: RegistrationView, session: SessionView) -> dict[str, object]:
    """What must still hold when a reminder of this meeting is sent."""
    return {
        "registration": registration.id,
        "statuses": ["approved"],
        "session": session.id,
        "starts_at": session.starts_at.isoformat(),
        "slot": registration.slot_time.strftime("%H:%M") if registration.slot_time else "",
    }


def guard_holds(
    guard: dict[str, object],
    registration: RegistrationView | None,
    session: SessionView | None,
) -> bool:
    """Whether a queued message is still true: the registration is still in one of the
    states, in the same session at the same time (and slot), and the session still held."""
    if "registration" in guard:
        statuses = guard.get("statuses")
        if registration is None or (
            isinstance(statuses, list) and registration.status.value not in statuses
        ):
            return False
        if "session" in guard and str(registration.session_id) != str(guard["session"]):
            return False
        if "slot" in guard:
            slot = registration.slot_time.strftime("%H:%M") if registration.slot_time else ""
            if slot != guard["slot"]:
                return False
    if "session" in guard:
        if session is None or session.status is not SessionStatus.PLANNED:
            return False
        starts_at = guard.get("starts_at")
        if starts_at is not None and session.starts_at != datetime.fromisoformat(str(starts_at)):
            return False
    return True
