"""What one turn of the conversation works with: services built once, plus this turn's state."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time

from bot.core.clock import Clock
from bot.core.content import Content
from bot.core.i18n import Catalogs, Translator
from bot.core.model import CalendarOverride, Citizen, DialogState, Incoming, Recipient, Reply
from bot.core.ports import Repository, Store
from bot.core.registrations import BookingRules, local_day
from bot.core.reminders import ReminderTimes
from bot.core.workdays import WorkCalendar
from bot.records.calendar import DEFAULT_DOMAIN
from bot.records.frequency import DEFAULT_MINIMUMS, Minimum


@dataclass(frozen=True, slots=True)
class PrivacySettings:
    controller: str
    contact: str
    retention_months: int


@dataclass(frozen=True, slots=True)
class DialogueSettings:
    booking: BookingRules
    summary_max_chars: int
    schedule_view_days: int
    privacy: PrivacySettings
    queue_page_size: int
    due_soon_working_days: int
    # Days off and make-up working days from the configuration (the database may add more).
    calendar: tuple[CalendarOverride, ...] = ()
    reminders: ReminderTimes | None = None
    # Group chats of officers told of each new registration (Telegram's officers_chat_id).
    officer_groups: tuple[Recipient, ...] = ()
    # The legal minimum of reception days, for the periodic report.
    minimums: tuple[Minimum, ...] = DEFAULT_MINIMUMS
    # Leaders sent their unit's monthly report, and when on the first working day.
    monthly_report_to: tuple[str, ...] = ()
    monthly_report_time: time = time(8, 0)
    # Ends the UID of the calendar event attached to an approval ([open_data] jurisdiction_id).
    calendar_domain: str = DEFAULT_DOMAIN

    @property
    def reminder_times(self) -> ReminderTimes:
        return self.reminders or ReminderTimes(self.booking.zone)


@dataclass(frozen=True, slots=True)
class Services:
    store: Store
    catalogs: Catalogs
    content: Content
    clock: Clock
    settings: DialogueSettings
    new_ticket_code: Callable[[], str]


@dataclass(slots=True)
class Turn:
    """One incoming message being answered, inside one database transaction."""

    services: Services
    repo: Repository
    incoming: Incoming
    citizen: Citizen
    state: DialogState
    tr: Translator
    now: datetime
    _calendar: WorkCalendar | None = field(default=None)

    def _(self, message: str, /, **params: object) -> str:
        return self.tr._(message, **params)

    def n_(self, singular: str, plural: str, n: int, /, **params: object) -> str:
        return self.tr.n_(singular, plural, n, **params)

    @property
    def settings(self) -> DialogueSettings:
        return self.services.settings

    @property
    def today(self) -> date:
        """The date in the deployment's time zone, where working days are counted."""
        return local_day(self.now, self.settings.booking.zone)

    @property
    def locale(self) -> str:
        return self.tr.locale

    def use_locale(self, locale: str) -> None:
        self.tr = self.services.catalogs.get(locale)

    async def calendar(self) -> WorkCalendar:
        if self._calendar is None:
            self._calendar = WorkCalendar(
                [*self.settings.calendar, *await self.repo.calendar_overrides()]
            )
        return self._calendar

    @property
    def actor(self) -> str:
        return f"citizen:{self.citizen.id}"


Replies = list[Reply]
