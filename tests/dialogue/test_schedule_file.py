"""The schedule file guards what citizens were told: it is checked as a whole before anything
is written, and it cannot move a session citizens have registered for behind their back."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import App
from bot.schedule_file import ImportReport, ScheduleFileError, apply, read
from storage.tables import SessionRow
from tests.support import officer, row, submitted

# bt-tinh is the provincial secretary of the test data; the clock stands on Monday
# 30 November 2026, 09:00 in Hà Nội.
SESSION = """
[[session]]
code = "extra"
leader = "bt-tinh"
date = {date}
start = "{start}"
end = "11:00"
location = "{location}"
capacity = {capacity}
"""


def session_file(
    tmp_path: Path,
    date: str = "2026-12-08",
    start: str = "08:00",
    location: str = "Hội trường tỉnh",
    capacity: int = 10,
) -> Path:
    path = tmp_path / "schedule.toml"
    path.write_text(
        SESSION.format(date=date, start=start, location=location, capacity=capacity),
        encoding="utf-8",
    )
    return path


async def imported(app: App, path: Path) -> ImportReport:
    async with app.store.transaction() as repo:
        return await apply(
            repo,
            read(path),
            app.config.bot.zone,
            app.services.clock.now(),
            app.services.settings.calendar,
        )


@pytest.mark.parametrize(
    ("content", "where", "what"),
    [
        (
            '[[rule]]\ncode = "r"\nleader = "x"\nrepeat = "weekly"\nweekday = "monday"\n'
            'start = "11:00"\nend = "08:00"\nlocation = "P"\ncapacity = 5\n'
            "valid_from = 2026-01-01\n",
            "rule[1]",
            "end 08:00 is not after start 11:00",
        ),
        (
            '[[rule]]\ncode = "r"\nleader = "x"\nrepeat = "weekly"\nweekday = "monday"\n'
            'start = "08:00"\nend = "11:00"\nlocation = "P"\ncapacity = 5\n'
            "valid_from = 2026-06-01\nvalid_until = 2026-01-01\n",
            "rule[1]",
            "valid_until is before valid_from",
        ),
        (
            '[[session]]\ncode = "s"\nleader = "x"\ndate = 2026-12-08\nstart = "10:00"\n'
            'end = "10:00"\nlocation = "P"\ncapacity = 5\n',
            "session[1]",
            "end 10:00 is not after start 10:00",
        ),
        (
            "[[day_off]]\ndate = 2026-12-24\n[[working_day]]\ndate = 2026-12-24\n",
            "invalid schedule file",
            "dates both a day_off and a working_day: 2026-12-24",
        ),
    ],
)
def test_incoherent_items_are_refused_before_anything_is_written(
    tmp_path: Path, content: str, where: str, what: str
) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ScheduleFileError) as refused:
        read(path)
    assert where in str(refused.value) and what in str(refused.value)


async def test_a_session_with_registrations_keeps_its_time_and_place(
    app: App, tmp_path: Path
) -> None:
    await imported(app, session_file(tmp_path))
    codes = [await submitted(app, user_id=f"c{n}") for n in range(2)]
    desk = await officer(app)
    for code in codes:
        await desk.send(f"/approve {code}")
    async with app.engine.connect() as connection:
        session_id = (
            await connection.execute(select(SessionRow.id).where(SessionRow.code == "extra"))
        ).scalar_one()
    assert {(await row(app, code)).session_id for code in codes} == {session_id}

    for changed in (
        session_file(tmp_path, start="09:00"),
        session_file(tmp_path, location="Nhà văn hóa"),
        session_file(tmp_path, date="2026-12-09"),
    ):
        with pytest.raises(ScheduleFileError) as refused:
            await imported(app, changed)
        assert f"/session move {session_id}" in str(refused.value)
    with pytest.raises(ScheduleFileError) as refused:
        await imported(app, session_file(tmp_path, capacity=1))
    assert "capacity 1 is below the 2 places already given" in str(refused.value)

    # More places, or the same file again, are fine.
    assert (await imported(app, session_file(tmp_path, capacity=30))).warnings == ()
    await imported(app, session_file(tmp_path, capacity=30))
    async with app.engine.connect() as connection:
        stored = (
            await connection.execute(select(SessionRow).where(SessionRow.code == "extra"))
        ).one()
    assert (stored.capacity, stored.location) == (30, "Hội trường tỉnh")


async def test_short_notice_and_past_sessions_are_reported(app: App, tmp_path: Path) -> None:
    past = await imported(app, session_file(tmp_path, date="2026-11-27"))
    assert past.warnings == ("session extra: starts in the past; not added",)
    async with app.engine.connect() as connection:
        assert (
            await connection.execute(select(SessionRow.id).where(SessionRow.code == "extra"))
        ).first() is None

    soon = await imported(app, session_file(tmp_path, date="2026-12-02"))
    assert len(soon.warnings) == 1
    assert "less than 5 working days ahead" in soon.warnings[0]

    with pytest.raises(ScheduleFileError) as refused:
        await imported(app, session_file(tmp_path, date="2026-11-27"))
    assert "cannot be moved into the past" in str(refused.value)
