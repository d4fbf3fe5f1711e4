"""The logbook and the periodic report of a seeded month, checked against figures worked
out by hand from the story below.

November 2026, demo province. Everyone registers on Monday 2 November, 09:00; answers are due
10 working days later, on Monday 16 November.

- A, complaint, commune Party secretary (bt-xa), 16 Nov 14:00: scheduled 3 Nov, received in
  the secretary's place by a deputy, accepted for resolution (letter 45/TB-ĐU); the Party
  head's written notice, due 1 Dec (24 Nov, Vietnam Culture Day, is a day off), is still to
  issue.
- B, denunciation, provincial Party secretary (bt-tinh), 16 Nov 08:00: scheduled 3 Nov,
  received, transferred to the provincial inspectorate; the Party head's written notice, due
  1 Dec, issued on 24 Nov.
- C, petition, commune chair (ct-xa), 10 Nov 08:00: scheduled 3 Nov, received, answered.
- D, feedback, provincial chair (ct-tinh), 19 Nov 08:00: scheduled 3 Nov, did not come.
- E, complaint, ct-xa: refused 3 Nov as already resolved (Law Art. 9 cl. 3); its form 01/TCD,
  due 6 Nov, issued late on 9 Nov.
- F, petition, ct-xa: never answered (overdue since 16 Nov).
- G, feedback, bt-tinh: asked for more information on 20 Nov, after the deadline.

The commune chair's session of 25 November is cancelled: one reception day in the month,
below the two the amended law requires. The commune Party secretary held 2 and 16 November
(nobody came on the 2nd: the day still counts); the provincial heads one day each.
"""

from __future__ import annotations

import argparse
import csv
import io
import statistics
import zipfile
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot import __main__ as cli
from bot.app import App
from bot.core.clock import FixedClock
from bot.core.model import Recipient, RegistrationStatus, RequestKind, SessionStatus
from bot.core.triage import OutcomeType
from bot.core.workdays import WorkCalendar
from bot.dialogue.report_delivery import send_monthly
from bot.records import logbook, report
from storage.tables import OutboxRow
from tests.support import leader, officer, submitted

MONDAY_2_NOV = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội
AS_OF = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(MONDAY_2_NOV)


def local(day: int, hour: int) -> datetime:
    """A November 2026 time in Hà Nội."""
    return datetime(2026, 11, day, hour, 0, tzinfo=ZONE)


async def seed(app: App, clock: FixedClock) -> dict[str, str]:
    codes = {
        "A": await submitted(
            app, "2001", leader_code="bt-xa", answers={"full_name": "Hoàng Văn Ất"}
        ),
        "B": await submitted(
            app,
            "2002",
            leader_code="bt-tinh",
            kind="denunciation",
            answers={"full_name": "Đặng Thị Bích", "id_number": "001190099999"},
        ),
        "C": await submitted(
            app,
            "2003",
            leader_code="ct-xa",
            kind="petition",
            answers={"full_name": "Trịnh Văn Công", "people_count": "3"},
        ),
        "D": await submitted(app, "2004", leader_code="ct-tinh", kind="feedback"),
        "E": await submitted(app, "2005", leader_code="ct-xa"),
        "F": await submitted(app, "2006", leader_code="ct-xa", kind="petition"),
        "G": await submitted(app, "2007", leader_code="bt-tinh", kind="feedback"),
    }
    desk = await officer(app, "admin")
    clock.set(local(3, 9))
    for name in "ABCD":
        await desk.send(f"/approve {codes[name]}")
        assert "scheduled into session" in desk.text, desk.text
    await desk.send(f"/reject {codes['E']} resolved")
    assert "Written notice to issue" in desk.text, desk.text
    await desk.send(f"/delegate {codes['A']} Phó Bí thư Trần Văn Phó")
    commune_chair = await leader(app, "ct-xa")
    async with app.store.transaction() as repo:
        for session in await repo.sessions_of_leader(commune_chair.id, local(25, 0), local(26, 0)):
            await repo.update_session(session.id, {"status": SessionStatus.CANCELLED.value})

    clock.set(local(9, 9))
    await desk.send(f"/issued {codes['E']} 07/TB-UBND")
    assert "recorded as late" in desk.text, desk.text
    clock.set(local(10, 11))
    await desk.send(f"/attended {codes['C']}")
    await desk.send(f"/outcome {codes['C']} answered Đã giải thích chính sách tại buổi tiếp.")
    clock.set(local(16, 17))
    await desk.send(f"/attended {codes['A']}")
    await desk.send(f"/outcome {codes['A']} accepted Ủy ban Kiểm tra Đảng ủy xã ; 45/TB-ĐU")
    await desk.send(f"/attended {codes['B']}")
    await desk.send(f"/outcome {codes['B']} transferred Thanh tra tỉnh ; 12/CV-TU")
    await desk.send(
        f"/conclusion {codes['B']} 15/12/2026 Thanh tra tỉnh ; Xác minh và báo cáo kết quả."
    )
    clock.set(local(19, 12))
    await desk.send(f"/noshow {codes['D']}")
    clock.set(local(20, 9))
    await desk.send(f"/needinfo {codes['G']} Xin gửi bản sao quyết định bị khiếu nại.")
    clock.set(local(24, 9))
    await desk.send(f"/issued {codes['B']} 15/TB-TU")
    assert "is recorded" in desk.text and "late" not in desk.text, desk.text
    clock.set(AS_OF)
    return codes


async def test_the_month_report_matches_the_figures_worked_out_by_hand(
    app: App, clock: FixedClock
) -> None:
    codes = await seed(app, clock)

    async with app.store.transaction() as repo:
        figures = await report.read(
            repo,
            app.services.settings.minimums,
            WorkCalendar(app.services.settings.calendar),
            None,
            report.parse_period("11/2026", AS_OF.date()),
            app.config.bot.zone,
            AS_OF,
        )

    assert figures.submitted == 7
    assert figures.by_kind == {
        RequestKind.COMPLAINT: 2,
        RequestKind.DENUNCIATION: 1,
        RequestKind.PETITION: 2,
        RequestKind.FEEDBACK: 2,
    }
    statuses = {status: n for status, n in figures.by_status.items() if n}
    assert statuses == {
        RegistrationStatus.CLOSED: 3,
        RegistrationStatus.NO_SHOW: 1,
        RegistrationStatus.REJECTED: 1,
        RegistrationStatus.SUBMITTED: 1,
        RegistrationStatus.NEEDS_INFO: 1,
    }
    outcomes = {outcome: n for outcome, n in figures.by_outcome.items() if n}
    assert outcomes == {
        OutcomeType.ACCEPTED: 1,
        OutcomeType.TRANSFERRED: 1,
        OutcomeType.ANSWERED: 1,
    }
    # A–E answered the next working day (1), G on 20 November: 14 working days after the 2nd.
    assert figures.answered == 6
    assert figures.median_working_days_to_answer == statistics.median([1, 1, 1, 1, 1, 14])
    assert figures.overdue == 2  # F never answered, G answered late
    assert figures.overdue_by_kind == {
        RequestKind.COMPLAINT: 0,
        RequestKind.DENUNCIATION: 0,
        RequestKind.PETITION: 1,
        RequestKind.FEEDBACK: 1,
    }
    # B's Party notice on time, E's form 01/TCD late, A's Party notice due today.
    assert figures.notices == report.NoticeFigures(
        owed=3, on_time=1, late=1, pending=1, pending_overdue=0
    )
    assert (figures.meetings, figures.received, figures.no_shows) == (4, 3, 1)
    assert figures.no_show_rate == 0.25
    assert figures.received_in_place == 1

    by_name = {f.name: f for f in figures.leaders}
    assert {name: f.held_days for name, f in by_name.items()} == {
        "Nguyễn Văn Minh": 1,  # bt-tinh, 16/11 (the 15th is a Sunday: moved to Monday)
        "Trần Thị Lan": 1,  # ct-tinh, 19/11
        "Lê Văn Hùng": 2,  # bt-xa, 2/11 and 16/11
        "Phạm Thị Hoa": 1,  # ct-xa, 10/11; 25/11 cancelled
    }
    assert {name: f.required_days for name, f in by_name.items()} == {
        "Nguyễn Văn Minh": 1,
        "Trần Thị Lan": 1,
        "Lê Văn Hùng": 2,
        "Phạm Thị Hoa": 2,
    }
    assert [f.name for f in figures.below_minimum] == ["Phạm Thị Hoa"]
    async with app.store.transaction() as repo:
        owed = await repo.pending_notices(None, None)
    assert [(r.code, r.notice_form, r.notice_due) for r in owed] == [
        (codes["A"], "party_answer", date(2026, 12, 1))
    ]


async def test_the_logbook_reads_back_from_xlsx_and_csv(app: App, clock: FixedClock) -> None:
    codes = await seed(app, clock)

    async with app.store.transaction() as repo:
        book = await logbook.read(
            repo,
            logbook.load_form(),
            None,
            date(2026, 11, 1),
            date(2026, 11, 30),
            app.config.bot.zone,
            reveal_confidential=True,
        )
    sheet = load_workbook(io.BytesIO(logbook.to_xlsx(book))).active
    assert sheet is not None
    rows: list[list[Any]] = [
        list(row) for row in sheet.iter_rows(min_row=logbook.HEADER_ROW, values_only=True)
    ]
    headers, numbering, data = rows[0], rows[1], rows[2:]

    assert headers == [
        "STT",
        "Ngày tiếp",
        "Họ tên, địa chỉ",
        "CCCD/Hộ chiếu",
        "Nội dung",
        "Loại đơn",
        "Số người cùng nội dung",
        "Cơ quan đã giải quyết",
        "Thuộc thẩm quyền",
        "Hướng dẫn (số văn bản)",
        "Cơ quan thụ lý / chuyển (số văn bản)",
        "Theo dõi kết quả",
        "Ghi chú",
    ]
    assert numbering == [f"({n})" for n in range(1, 14)]
    # Received, in the order of the meetings: C (10/11), B (16/11 08:00), A (16/11 14:00).
    assert len(data) == 3
    c, b, a = data
    assert [row[0] for row in data] == [1, 2, 3]
    assert [row[1].date() for row in data] == [
        date(2026, 11, 10),
        date(2026, 11, 16),
        date(2026, 11, 16),
    ]
    assert c[2].startswith("Trịnh Văn Công\n") and c[5] == "Kiến nghị" and c[6] == 3
    assert c[8] == "x"  # answered at the meeting: within competence
    assert "Đã giải thích chính sách tại buổi tiếp." in c[11]
    assert b[2].startswith("Đặng Thị Bích") and b[3] == "001190099999" and b[5] == "Tố cáo"
    assert b[10] == "Thanh tra tỉnh\nVăn bản số: 12/CV-TU"
    assert "Kết luận: Xác minh và báo cáo kết quả. (hạn 15/12/2026, Thanh tra tỉnh)" in b[11]
    assert a[2].startswith("Hoàng Văn Ất") and a[5] == "Khiếu nại" and a[8] == "x"
    assert a[10] == "Ủy ban Kiểm tra Đảng ủy xã\nVăn bản số: 45/TB-ĐU"
    assert "Tiếp thay: Phó Bí thư Trần Văn Phó" in a[12] and codes["A"] in a[12]
    assert sheet.freeze_panes == f"A{logbook.HEADER_ROW + 2}"
    assert sheet.page_setup.orientation == "landscape"
    assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4
    assert sheet.print_title_rows == f"${logbook.HEADER_ROW}:${logbook.HEADER_ROW + 1}"

    text = logbook.to_csv(book)
    assert text.startswith(b"\xef\xbb\xbf")  # UTF-8, marked so spreadsheets read it as such
    csv_rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    assert csv_rows[0] == headers
    assert len(csv_rows) == 4
    for from_csv, from_xlsx in zip(csv_rows[1:], data, strict=True):
        expected = [
            v.strftime("%d/%m/%Y") if isinstance(v, datetime) else ("" if v is None else str(v))
            for v in from_xlsx
        ]
        assert from_csv == expected


async def test_an_officer_without_the_confidential_permission_sees_no_denouncer(
    app: App, clock: FixedClock
) -> None:
    await seed(app, clock)

    async with app.store.transaction() as repo:
        book = await logbook.read(
            repo,
            logbook.load_form(),
            None,
            date(2026, 11, 1),
            date(2026, 11, 30),
            app.config.bot.zone,
            reveal_confidential=False,
        )
    flat = "\n".join(str(cell) for row in book.rows for cell in row)
    assert "Đặng Thị Bích" not in flat and "001190099999" not in flat
    assert "Tố cáo" in flat and "(thông tin được bảo mật)" in flat
    assert "Trịnh Văn Công" in flat  # the other rows are whole


async def test_the_monthly_report_goes_once_to_the_leader_on_the_first_working_day(
    app: App, clock: FixedClock
) -> None:
    await seed(app, clock)
    chair = await leader(app, "ct-xa")
    async with app.store.transaction() as repo:
        await repo.set_leader_recipients(
            chair.id,
            (Recipient("telegram", "9001", "vi"),),
            (Recipient("telegram", "9002", "en"),),
        )
    services = replace(
        app.services,
        settings=replace(app.services.settings, monthly_report_to=("ct-xa",)),
    )
    # Tuesday 1 December 2026 is the first working day of the month; the report is due at 08:00.
    early = datetime(2026, 12, 1, 7, 30, tzinfo=ZONE)
    due = datetime(2026, 12, 1, 8, 5, tzinfo=ZONE)

    assert await send_monthly(services, early) == 0
    assert await send_monthly(services, due) == 2
    assert await send_monthly(services, due + timedelta(hours=3)) == 0
    assert await send_monthly(services, datetime(2027, 1, 15, 9, tzinfo=ZONE)) == 0

    async with app.engine.connect() as connection:
        rows = (
            await connection.execute(
                select(OutboxRow.recipient, OutboxRow.payload).where(
                    OutboxRow.purpose == "monthly_report"
                )
            )
        ).all()
    assert sorted(row.recipient for row in rows) == ["9001", "9002"]
    vi = next(row for row in rows if row.recipient == "9001")
    assert "Phạm Thị Hoa" in vi.payload["text"] and "⚠️" in vi.payload["text"]
    assert vi.payload["file"]["filename"] == "bao-cao-tiep-cong-dan-2026-11.xlsx"


async def test_report_and_logbook_commands_answer_with_spreadsheets_in_the_chat(
    app: App, clock: FixedClock
) -> None:
    await seed(app, clock)
    supervisor = await officer(app, "supervisor")
    desk = await officer(app, "officer")
    commune = await officer(app, "commune-officer")

    [reply] = await supervisor.send("/report 11/2026")
    assert reply.file is not None and reply.file.filename.endswith("2026-11.xlsx")
    book = load_workbook(io.BytesIO(reply.file.content))
    assert book.sheetnames == ["Summary", "Heads", "Registrations"]
    # Native charts: chart parts in the package, not pictures.
    parts = zipfile.ZipFile(io.BytesIO(reply.file.content)).namelist()
    assert sorted(p for p in parts if p.startswith("xl/charts/")) == [
        "xl/charts/chart1.xml",
        "xl/charts/chart2.xml",
    ]
    assert "Phạm Thị Hoa" in reply.text and "below the minimum of 2" in reply.text

    [refused] = await desk.send("/report 11/2026")
    assert refused.file is None and "supervisor" in refused.text

    # Without a period, the last whole month: November, seen on 1 December.
    [mine] = await commune.send("/logbook")
    assert mine.file is not None and "2026-11" in mine.file.filename
    rows = [
        list(r)
        for r in load_workbook(io.BytesIO(mine.file.content)).active.iter_rows(  # type: ignore[union-attr]
            min_row=logbook.HEADER_ROW + 2, values_only=True
        )
    ]
    # The commune officer covers the commune: A (Party committee) and C (People's Committee).
    assert sorted(row[5] for row in rows) == ["Khiếu nại", "Kiến nghị"]

    [outside] = await commune.send("/logbook 11/2026 demo-tinh-uy")
    assert outside.file is None and "demo-tinh-uy" in outside.text
    [wrong] = await supervisor.send("/report 13/2026")
    assert wrong.file is None and "Usage: /report" in wrong.text


async def test_tiepdan_export_writes_the_logbook_and_the_report(
    app: App, clock: FixedClock, tmp_path: Path
) -> None:
    await seed(app, clock)

    def args(*words: str) -> argparse.Namespace:
        return cli.parser().parse_args(["export", *words])

    csv_file, xlsx_file, txt_file = (tmp_path / n for n in ("l.csv", "r.xlsx", "r.txt"))
    assert (
        await cli._export(
            app,
            args(
                "logbook",
                "--unit",
                "demo-ubnd-xa",
                "--period",
                "11/2026",
                "--format",
                "csv",
                "--out",
                str(csv_file),
            ),
        )
        == 0
    )
    rows = list(csv.reader(io.StringIO(csv_file.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 2 and rows[1][2].startswith("Trịnh Văn Công")  # C only: the commune
    assert (
        await cli._export(
            app,
            args("report", "--from", "2026-11-01", "--to", "2026-11-30", "--out", str(xlsx_file)),
        )
        == 0
    )
    assert load_workbook(xlsx_file).sheetnames == ["Tổng hợp", "Người đứng đầu", "Phiếu đăng ký"]
    assert (
        await cli._export(
            app,
            args(
                "report",
                "--period",
                "11/2026",
                "--format",
                "txt",
                "--locale",
                "vi",
                "--out",
                str(txt_file),
            ),
        )
        == 0
    )
    assert "chưa đạt mức tối thiểu 2 ngày" in txt_file.read_text(encoding="utf-8")
    assert await cli._export(app, args("report", "--format", "csv")) == 2
    assert await cli._export(app, args("logbook", "--unit", "nowhere")) == 2
