"""Reminders, digests, schedule changes and announcements, with a frozen clock: each due at
the right local time, with the right content, once — across stops and restarts."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bot.app import App, build, dispatcher
from bot.core.clock import FixedClock
from bot.core.model import Recipient
from bot.dialogue import planner
from bot.schedule_file import ScheduleFileError, apply, read
from storage.tables import LeaderRow, OutboxRow, ScheduleRuleRow, SessionRow, UnitRow
from tests.conftest import config_for
from tests.support import (
    Chat,
    RecordingSender,
    citizen,
    leader,
    officer,
    row,
    submitted,
)

ROOT = Path(__file__).resolve().parents[2]


def local(app: App, day: str, hour: int, minute: int = 0) -> datetime:
    return datetime.fromisoformat(f"{day}T{hour:02d}:{minute:02d}").replace(
        tzinfo=app.config.bot.zone
    )


async def outbox(app: App, **where: Any) -> list[Any]:
    conditions = [getattr(OutboxRow, name) == value for name, value in where.items()]
    async with app.engine.connect() as connection:
        result = await connection.execute(
            select(OutboxRow).where(*conditions).order_by(OutboxRow.id)
        )
        return list(result)


async def approved(app: App, user_id: str = "1001", locale: str = "en", **kw: Any) -> str:
    code = await submitted(app, user_id=user_id, locale=locale, **kw)
    desk = await officer(app)
    await desk.send(f"/approve {code}")
    assert "scheduled into session" in desk.text
    return code


def token(app: App, day: str, hour: int, minute: int = 0) -> str:
    """The appointment a reminder button names."""
    return str(int(local(app, day, hour, minute).timestamp()))


async def deliver(app: App, *senders: RecordingSender) -> None:
    await dispatcher(app, list(senders)).drain()


# --- the citizen's reminders -------------------------------------------------------------


async def test_approval_queues_the_eve_and_morning_reminders_at_local_times(app: App) -> None:
    code = await approved(app)  # bt-tinh: Tuesday 15 December 2026, 08:00
    reminders = await outbox(app, recipient="1001", purpose="reminder_eve") + await outbox(
        app, recipient="1001", purpose="reminder_morning"
    )
    due = {r.purpose: r.due_at for r in reminders}
    assert due == {
        "reminder_eve": local(app, "2026-12-14", 8),
        "reminder_morning": local(app, "2026-12-15", 6, 30),
    }
    for reminder in reminders:
        assert reminder.expires_at == local(app, "2026-12-15", 8)
        assert code in reminder.payload["text"]
        assert "Nguyễn Văn Minh" in reminder.payload["text"]
        payloads = [c["payload"] for c in reminder.payload["choices"]]
        when = token(app, "2026-12-15", 8)
        assert payloads == [f"rc:yes:{code}:{when}", f"rc:no:{code}:{when}"]
    assert "Tuesday, December 15, 2026" in reminders[0].payload["text"]


async def test_reminders_go_out_once_even_across_a_stop_and_restart(
    database_url: str, clock: FixedClock, app: App
) -> None:
    code = await approved(app)
    await app.close()  # the process stops before any reminder is due

    clock.set(local(app, "2026-12-14", 10))  # restarted after the eve reminder's time
    restarted = build(config_for(database_url), clock)
    try:
        phone = RecordingSender(only_recipient="1001")
        await deliver(restarted, phone)
        await deliver(restarted, phone)
        assert len(phone.sent) == 2  # the approval notice, then the eve reminder
        assert phone.texts()[1].startswith("⏰ Reminder")
    finally:
        await restarted.close()

    clock.set(local(app, "2026-12-15", 12))  # stopped again until after the meeting
    again = build(config_for(database_url), clock)
    try:
        phone = RecordingSender(only_recipient="1001")
        stats = await dispatcher(again, [phone]).drain()
        assert phone.sent == [] and stats.expired == 1  # the morning one came too late
        states = {r.purpose: r.status for r in await outbox(again, recipient="1001")}
        assert states == {
            "notice": "sent",
            "reminder_eve": "sent",
            "reminder_morning": "expired",
        }
        assert (await row(again, code)).status == "approved"
    finally:
        await again.close()


async def test_a_reminder_answers_will_come_and_cannot_come(app: App, clock: FixedClock) -> None:
    code = await approved(app)
    clock.set(local(app, "2026-12-14", 8))
    phone = RecordingSender(only_recipient="1001")
    await deliver(app, phone)
    person = Chat(app.dialogue, user_id="1001")
    when = token(app, "2026-12-15", 8)
    await person.press(f"rc:yes:{code}:{when}")
    assert "you are expected on Tuesday, December 15, 2026" in person.text
    bt = await leader(app, "bt-tinh")
    async with app.store.transaction() as repo:
        session = (
            await repo.sessions_between(
                clock.now(), clock.now() + timedelta(days=3), leader_id=bt.id
            )
        )[0]
    assert session.taken == 1
    await person.press(f"rc:no:{code}:{when}")
    assert "your slot is freed" in person.text
    stored = await row(app, code)
    assert (stored.status, stored.priority) == ("cancelled", True)
    async with app.store.transaction() as repo:
        freed = await repo.session(session.id)
    assert freed is not None and freed.taken == 0
    alerts = await outbox(app, purpose="officer_alert")
    assert alerts and all(code in a.payload["text"] for a in alerts)
    # Back in the queue, first in line.
    await submitted(app, user_id="1002")
    desk = await officer(app)
    await desk.send("/queue")
    first = next(line for line in desk.text.splitlines() if "·" in line)
    assert code in first
    # The morning reminder is obsolete now: it expires unsent.
    clock.set(local(app, "2026-12-15", 6, 30))
    phone = RecordingSender(only_recipient="1001")
    await deliver(app, phone)
    assert not any(t.startswith("⏰") for t in phone.texts())


# --- schedule changes ---------------------------------------------------------------------


async def session_of(app: App, code: str) -> int:
    return int((await row(app, code)).session_id)


async def test_moving_a_session_asks_every_approved_registrant_to_confirm(
    app: App, clock: FixedClock
) -> None:
    codes = [await approved(app, user_id=f"a{n}") for n in range(3)]
    await submitted(app, user_id="w1")
    session_id = await session_of(app, codes[0])
    admin = await officer(app, "admin")
    await admin.send(f"/session move {session_id} 17/12/2026 14:00-16:00 Hội trường tỉnh")
    assert "3 citizens with a booking are asked to confirm" in admin.text
    moved = token(app, "2026-12-17", 14)
    for n, code in enumerate(codes):
        [notice] = [
            r
            for r in await outbox(app, recipient=f"a{n}", purpose="notice")
            if "has moved" in r.payload["text"]
        ]
        assert "Thursday, December 17, 2026" in notice.payload["text"]
        assert "Hội trường tỉnh" in notice.payload["text"]
        assert [c["payload"] for c in notice.payload["choices"]][:2] == [
            f"rc:yes:{code}:{moved}",
            f"rc:no:{code}:{moved}",
        ]
        assert (await row(app, code)).status == "rescheduled"
    assert any("still reviewing" in r.payload["text"] for r in await outbox(app, recipient="w1"))
    # One confirms, one cannot come.
    yes, no = Chat(app.dialogue, user_id="a0"), Chat(app.dialogue, user_id="a1")
    # A button of the old appointment does not confirm the new one: it asks again.
    await yes.press(f"rc:yes:{codes[0]}:{token(app, '2026-12-15', 8)}")
    assert "earlier appointment" in yes.text and "December 17, 2026" in yes.text
    assert (await row(app, codes[0])).status == "rescheduled"
    assert [c.payload for c in yes.replies[-1].choices][:1] == [f"rc:yes:{codes[0]}:{moved}"]
    await yes.press(f"rc:yes:{codes[0]}:{moved}")
    await no.press(f"rc:no:{codes[1]}:{moved}")
    assert (await row(app, codes[0])).status == "approved"
    assert (await row(app, codes[1])).status == "cancelled"
    # The old reminders expire; the confirmed citizen gets reminders for the new time.
    clock.set(local(app, "2026-12-14", 8))
    phones = {n: RecordingSender(only_recipient=f"a{n}") for n in range(3)}
    for phone in phones.values():
        await deliver(app, phone)
    reminders = [t for t in phones[0].texts() if t.startswith("⏰")]
    assert reminders == []  # the new eve reminder is due Wednesday 16 December
    clock.set(local(app, "2026-12-16", 8))
    await deliver(app, phones[0])
    assert next(t for t in phones[0].texts() if t.startswith("⏰")).count("December 17") == 1


async def test_cancelling_a_session_tells_every_registrant_and_the_officers(
    app: App,
) -> None:
    codes = [await approved(app, user_id=f"a{n}") for n in range(2)]
    waiting = await submitted(app, user_id="w1")
    session_id = await session_of(app, codes[0])
    admin = await officer(app, "admin")
    await admin.send(f"/session cancel {session_id} Lãnh đạo đi công tác đột xuất")
    assert "2 scheduled registrations go back to the queue with priority" in admin.text
    for user in ("a0", "a1", "w1"):
        texts = [r.payload["text"] for r in await outbox(app, recipient=user, purpose="notice")]
        assert any("is cancelled" in t and "Lãnh đạo đi công tác đột xuất" in t for t in texts)
    for code in codes:
        stored = await row(app, code)
        assert (stored.status, stored.priority) == ("cancelled", True)
    # The registration still under review stays in the queue, to be offered another session.
    assert (await row(app, waiting)).status == "submitted"
    assert any(
        "will offer you another session" in r.payload["text"]
        for r in await outbox(app, recipient="w1", purpose="notice")
    )
    alerts = await outbox(app, purpose="officer_alert")
    assert alerts and all(f"#{session_id}" in a.payload["text"] for a in alerts)
    # Nobody can book the cancelled session any more, and it is not listed.
    person = await citizen(app, "late")
    await person.send("/schedule")
    assert "December 15" not in person.text


async def test_admins_add_and_publish_sessions_and_are_warned_when_too_late(
    app: App,
) -> None:
    admin = await officer(app, "admin")
    await admin.send("/session add ct-xa 03/12/2026 08:00-10:00 20 Hội trường UBND xã")
    assert "Session added" in admin.text
    assert "less than 5 working days ahead" in admin.text  # Thursday 3 Dec from Monday 30 Nov
    await admin.send("/session add ct-xa 28/12/2026 08:00-10:00 20 draft Hội trường UBND xã")
    assert "draft" in admin.text and "less than" not in admin.text
    draft_id = admin.text.split("#", 1)[1].split(" ", 1)[0]
    person = await citizen(app, "p1")
    await person.send("/schedule")
    assert "December 28" not in person.text
    await admin.send(f"/session publish {draft_id}")
    assert "Published" in admin.text and "less than" not in admin.text
    await person.send("/schedule")
    assert "Monday, December 28, 2026" in person.text
    officer_chat = await officer(app, "officer")
    await officer_chat.send("/session list")
    assert "This command needs the admin role" in officer_chat.text


async def test_days_off_and_working_days_from_admins_change_deadlines(app: App) -> None:
    admin = await officer(app, "admin")
    await admin.send("/dayoff 01/12/2026 Nghỉ đột xuất")
    assert "is now a day off" in admin.text
    code = await submitted(app)
    assert (await row(app, code)).due_date.isoformat() == "2026-12-15"
    await admin.send("/workday 12/12/2026")
    second = await submitted(app, user_id="1002")
    assert (await row(app, second)).due_date.isoformat() == "2026-12-14"


async def test_a_day_off_names_the_sessions_already_planned_that_day(app: App) -> None:
    admin = await officer(app, "admin")
    await admin.send("/dayoff 14/12/2026")
    assert "is now a day off" in admin.text and "planned on that day" not in admin.text
    await admin.send("/dayoff 15/12/2026 Nghỉ bù")
    assert "1 session is planned on that day" in admin.text
    assert "Nguyễn Văn Minh" in admin.text and "/session move" in admin.text


async def test_a_date_years_ahead_is_taken_for_a_typo(app: App) -> None:
    admin = await officer(app, "admin")
    await admin.send("/dayoff 01/12/2062")
    assert "more than two years ahead" in admin.text
    await admin.send("/session add bt-tinh 15/12/2206 08:00-11:00 10 Hội trường")
    assert "more than two years ahead" in admin.text


# --- digests -----------------------------------------------------------------------------


async def test_the_leader_and_assistants_get_the_digest_the_working_day_before_at_15(
    app: App, clock: FixedClock
) -> None:
    bt = await leader(app, "bt-tinh")
    async with app.store.transaction() as repo:
        await repo.set_leader_recipients(
            bt.id,
            (Recipient("telegram", "leader-chat", "vi"),),
            (
                Recipient("telegram", "assistant", "en", confidential=False),
                Recipient("telegram", "cleared", "en", confidential=True),
            ),
        )
    plain = await approved(app, user_id="c1")
    secret = await approved(app, user_id="c2", kind="denunciation")
    clock.set(local(app, "2026-12-14", 14, 59))
    await planner.plan(app.services, clock.now())
    assert await outbox(app, purpose="leader_digest") == []
    clock.set(local(app, "2026-12-14", 15))
    await planner.plan(app.services, clock.now())
    await planner.plan(app.services, clock.now())
    digests = {r.recipient: r for r in await outbox(app, purpose="leader_digest")}
    assert set(digests) == {"leader-chat", "assistant", "cleared"}
    assert all(r.due_at == local(app, "2026-12-14", 15) for r in digests.values())
    for_leader = digests["leader-chat"].payload["text"]
    assert "2 phiếu đã được xếp lịch tiếp" in for_leader
    assert plain in for_leader and secret in for_leader
    assert "Tôi khiếu nại" in for_leader and "Tố cáo" in for_leader
    for_assistant = digests["assistant"].payload["text"]
    # Without the permission, not even the denunciation's code: only that there is one.
    assert plain in for_assistant and secret not in for_assistant
    assert "1 more is a denunciation, shown only to those who may read it" in for_assistant
    assert for_assistant.count("Matter:") == 1
    assert "2 registrations are scheduled" in for_assistant
    for_cleared = digests["cleared"].payload["text"]
    assert secret in for_cleared and for_cleared.count("Matter:") == 2


async def test_the_digest_marks_citizens_who_have_not_confirmed_a_moved_session(
    app: App, clock: FixedClock
) -> None:
    bt = await leader(app, "bt-tinh")
    async with app.store.transaction() as repo:
        await repo.set_leader_recipients(bt.id, (Recipient("telegram", "leader-chat", "en"),), ())
    codes = [await approved(app, user_id=f"a{n}") for n in range(2)]
    admin = await officer(app, "admin")
    await admin.send(f"/session move {await session_of(app, codes[0])} 17/12/2026 08:00-11:00")
    await Chat(app.dialogue, user_id="a0").press(
        f"rc:yes:{codes[0]}:{token(app, '2026-12-17', 8)}"
    )
    clock.set(local(app, "2026-12-16", 15))
    await planner.plan(app.services, clock.now())
    [digest] = await outbox(app, purpose="leader_digest")
    entries = digest.payload["text"].split("\n\n")[1:]
    assert [codes[0] in e for e in entries] == [True, False]
    assert ["Not confirmed yet" in e for e in entries] == [False, True]


async def test_a_digest_missed_while_down_goes_out_at_start_if_still_useful(
    app: App, clock: FixedClock
) -> None:
    bt = await leader(app, "bt-tinh")
    async with app.store.transaction() as repo:
        await repo.set_leader_recipients(bt.id, (Recipient("telegram", "leader-chat"),), ())
    await approved(app)
    clock.set(local(app, "2026-12-15", 7, 30))  # down from Monday 15:00 to Tuesday 07:30
    await planner.plan(app.services, clock.now())
    assert len(await outbox(app, purpose="leader_digest")) == 1
    clock.set(local(app, "2026-12-15", 8, 30))
    second = await approved(app, user_id="1002")  # another session, not this one's digest
    await planner.plan(app.services, clock.now())
    assert second and len(await outbox(app, purpose="leader_digest")) == 1


async def test_officers_get_a_morning_digest_and_supervisors_an_escalation(
    app: App, clock: FixedClock
) -> None:
    for name in ("admin", "supervisor", "officer", "commune-officer"):
        await officer(app, name)  # each officer reads English
    old = await submitted(app, user_id="old")
    clock.set(local(app, "2026-12-10", 7, 29))
    await submitted(app, user_id="new", leader_code="ct-xa")
    await planner.plan(app.services, clock.now())
    assert await outbox(app, purpose="officer_digest") == []
    clock.set(local(app, "2026-12-10", 7, 30))
    await planner.plan(app.services, clock.now())
    await planner.plan(app.services, clock.now())
    digests = {r.recipient: r.payload["text"] for r in await outbox(app, purpose="officer_digest")}
    assert set(digests) == {"admin", "supervisor", "officer", "commune-officer"}
    assert "1 new since the last digest, 2 waiting in all" in digests["officer"]
    assert "1 waiting in all" in digests["commune-officer"]
    escalations = {r.recipient: r.payload["text"] for r in await outbox(app, purpose="escalation")}
    assert set(escalations) == {"admin", "supervisor"}  # officers get no escalation
    assert old in escalations["supervisor"] and "2 working days left" in escalations["supervisor"]
    clock.set(local(app, "2026-12-12", 9))  # Saturday: no digest
    await planner.plan(app.services, clock.now())
    assert len(await outbox(app, purpose="officer_digest")) == 4


# --- following a unit ----------------------------------------------------------------------


async def test_followers_hear_of_each_newly_published_session(app: App, clock: FixedClock) -> None:
    person = await citizen(app, "follower")
    await person.send("/schedule")
    await person.tap("Follow UBND xã An Hòa")
    assert "You will be told of each new reception session" in person.text
    await planner.plan(app.services, app.services.clock.now())
    assert await outbox(app, recipient="follower") == []  # sessions known before do not count
    clock.set(clock.now() + timedelta(minutes=5))
    admin = await officer(app, "admin")
    await admin.send("/session add ct-xa 29/12/2026 08:00-10:00 20 Hội trường UBND xã")
    await admin.send("/session add bt-tinh 30/12/2026 08:00-10:00 20 Trụ sở Tỉnh ủy")
    await planner.plan(app.services, app.services.clock.now())
    await planner.plan(app.services, app.services.clock.now())
    [news] = await outbox(app, recipient="follower")
    assert (
        "New reception session" in news.payload["text"] and "Phạm Thị Hoa" in news.payload["text"]
    )
    await person.send("/schedule")
    await person.tap("Stop following UBND xã An Hòa")
    assert "no longer be told" in person.text


# --- the schedule file ------------------------------------------------------------------------


async def test_the_example_schedule_file_imports_and_imports_again_unchanged(app: App) -> None:
    plan = read(ROOT / "docs" / "examples" / "schedule.toml")

    async def counts() -> list[int]:
        async with app.engine.connect() as connection:
            return [
                int((await connection.execute(select(func.count()).select_from(t))).scalar_one())
                for t in (UnitRow, LeaderRow, ScheduleRuleRow, SessionRow)
            ]

    before = await counts()
    for _ in range(2):
        async with app.store.transaction() as repo:
            report = await apply(repo, plan, app.config.bot.zone, app.services.clock.now())
        assert (report.units, report.leaders, report.rules, report.sessions) == (3, 2, 4, 1)
    after = await counts()
    assert [a - b for a, b in zip(after, before, strict=True)] == [3, 2, 4, 1]
    imported = await leader(app, "bt-xa-vd")
    assert imported.contacts[0].chat_id == "100200300"
    assert imported.assistants[0].confidential is False


def test_a_broken_schedule_file_names_the_item_and_the_key(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text(
        '[[rule]]\ncode = "r1"\nleader = "x"\nrepeat = "weekly"\nweekday = "funday"\n'
        'start = "08:00"\nend = "11:00"\nlocation = "P"\ncapacity = 5\nvalid_from = 2026-01-01\n',
        encoding="utf-8",
    )
    try:
        read(broken)
    except ScheduleFileError as error:
        assert "rule[1].weekday" in str(error)
    else:
        raise AssertionError("the broken file was accepted")


def test_tiepdan_schedule_import_applies_the_file(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path}/s.sqlite3"\n', encoding="utf-8"
    )
    command = [sys.executable, "-m", "bot", "--config", str(config), "schedule", "import"]
    done = subprocess.run(
        [*command, str(ROOT / "docs" / "examples" / "schedule.toml")],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    # Calendar days: a Tết bridge day, a make-up Saturday, and five Khmer holidays of 2027.
    assert "Imported 3 units, 2 leaders, 4 rules, 1 sessions, 7 calendar days." in done.stdout
    missing = subprocess.run(
        [*command, str(tmp_path / "none.toml")],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert missing.returncode == 2 and "file not found" in missing.stderr
