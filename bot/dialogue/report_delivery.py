"""The monthly report, sent by itself to the leaders who asked for it: their unit's report of
the month before, on the first working day of the month, through their reminder contacts."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.core.model import OutboxMessage, OutgoingFile
from bot.core.workdays import WorkCalendar
from bot.dialogue.context import Services
from bot.records import report

log = logging.getLogger(__name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A process that was down on the first working day still sends it in the days after.
CATCH_UP_DAYS = 7


async def send_monthly(services: Services, now: datetime) -> int:
    """Queue the past month's report for each configured leader's contacts; once each,
    however often this runs. Returns how many messages were queued."""
    settings = services.settings
    if not settings.monthly_report_to:
        return 0
    zone = settings.booking.zone
    local = now.astimezone(zone)
    queued = 0
    async with services.store.transaction() as repo:
        calendar = WorkCalendar([*settings.calendar, *await repo.calendar_overrides()])
        first_working = calendar.next_working_day(local.date().replace(day=1))
        if not first_working <= local.date() < first_working + timedelta(days=CATCH_UP_DAYS):
            return 0
        if local.date() == first_working and local.time() < settings.monthly_report_time:
            return 0
        period = report.previous_month(local.date())
        units = {unit.id: unit for unit in await repo.units()}
        for code in settings.monthly_report_to:
            leader = await repo.leader_by_code(code)
            if leader is None or leader.unit_id not in units:
                log.warning("monthly report: no leader %s", code)
                continue
            recipients = (*leader.contacts, *leader.assistants)
            if not recipients:
                log.warning("monthly report: leader %s has no contacts to send to", code)
                continue
            figures = await report.read(
                repo,
                settings.minimums,
                calendar,
                units[leader.unit_id].code,
                period,
                zone,
                now,
            )
            for recipient in recipients:
                tr = services.catalogs.get(recipient.locale)
                queued += await repo.enqueue(
                    OutboxMessage(
                        idempotency_key=(
                            f"report:{period.slug}:{leader.code}:"
                            f"{recipient.channel}:{recipient.chat_id}"
                        ),
                        channel=recipient.channel,
                        recipient=recipient.chat_id,
                        text=report.summary(tr, figures),
                        due_at=now,
                        purpose="monthly_report",
                        file=OutgoingFile(
                            f"bao-cao-tiep-cong-dan-{period.slug}.xlsx",
                            report.to_xlsx(tr, figures),
                            XLSX,
                        ),
                    )
                )
    return queued
