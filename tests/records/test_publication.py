"""The public documents over real HTTP, from the running web server: calendar feeds that match
the sessions, and Open311 open data that leaks nothing personal."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from icalendar import Calendar, Event
from multidict import CIMultiDict

from bot import runtime
from bot.app import App, build
from bot.core import sessions
from bot.core.clock import FixedClock
from bot.core.model import NewSession, SessionStatus, SessionView
from bot.core.triage import units_below
from bot.demo import load_demo
from tests.conftest import START, config_for, fresh_schema
from tests.support import leader, officer, submitted

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
DOMAIN = "tiepdan.example.vn"


@pytest.fixture
async def served(database_url: str, clock: FixedClock) -> AsyncIterator[tuple[App, str]]:
    """The product as ``tiepdan run`` starts it, its HTTP server on a free port."""
    app = build(
        config_for(database_url, web={"port": 0}, open_data={"jurisdiction_id": DOMAIN}), clock
    )
    await fresh_schema(app.engine)
    async with app.store.transaction() as repo:
        await load_demo(repo, clock.now())
    running = await runtime.start(app)
    try:
        yield app, f"http://127.0.0.1:{running.web.port}"
    finally:
        await runtime.stop(running)
        await app.close()


async def fetch(url: str, **headers: str) -> tuple[int, CIMultiDict[str], bytes]:
    async with aiohttp.ClientSession() as client, client.get(url, headers=headers) as response:
        return response.status, CIMultiDict(response.headers), await response.read()


def events_of(body: bytes) -> dict[str, Event]:
    return {str(event.uid): event for event in Calendar.from_ical(body).events}


# --- calendar feeds --------------------------------------------------------------------------


async def test_a_unit_feed_lists_the_published_sessions_of_the_unit_and_below(
    served: tuple[App, str], clock: FixedClock
) -> None:
    app, base = served
    now = clock.now()
    secretary = await leader(app, "bt-tinh")
    async with app.store.transaction() as repo:
        units = await repo.units()
        province = units_below(["demo-tinh-uy"], units)
        hidden = await repo.add_session(
            NewSession(
                leader_id=secretary.id,
                rule_id=None,
                nominal_date=(now + timedelta(days=20)).date(),
                starts_at=now + timedelta(days=20),
                ends_at=now + timedelta(days=20, hours=2),
                location="Chưa công bố",
                capacity=5,
                published_at=None,
            ),
            "not-yet-published",
            now,
        )
        ahead = [
            s
            for s in await repo.sessions_in(now, now + timedelta(days=60), unit_ids=province)
            if s.published
        ]
        cancelled, moved = ahead[0], ahead[1]
        await sessions.cancel(repo, cancelled.id, "Lãnh đạo đi công tác", "test", now)
        new_start = moved.starts_at + timedelta(days=1, hours=1)
        await sessions.move(
            repo, moved.id, new_start, new_start + timedelta(hours=2), "Hội trường B", "test", now
        )
        expected = [
            s
            for s in await repo.sessions_in(
                now - timedelta(days=90), now + timedelta(days=180), unit_ids=province
            )
            if s.published
        ]

    status, headers, body = await fetch(f"{base}/calendar/demo-tinh-uy.ics")

    assert status == 200
    assert headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "max-age=" in headers["Cache-Control"]
    found = events_of(body)
    assert set(found) == {f"session-{s.id}@{DOMAIN}" for s in expected}
    assert f"session-{hidden}@{DOMAIN}" not in found
    for session in expected:
        event = found[f"session-{session.id}@{DOMAIN}"]
        assert event.start == session.starts_at.astimezone(ZONE)
        assert event.end == session.ends_at.astimezone(ZONE)
        assert isinstance(event.start, datetime)
        assert str(event.start.tzinfo) == "Asia/Ho_Chi_Minh"
        assert str(event["STATUS"]) == (
            "CANCELLED" if session.status is SessionStatus.CANCELLED else "CONFIRMED"
        )
    assert str(found[f"session-{cancelled.id}@{DOMAIN}"]["STATUS"]) == "CANCELLED"
    moved_event = found[f"session-{moved.id}@{DOMAIN}"]
    assert moved_event.start == new_start.astimezone(ZONE)
    assert str(moved_event.location) == "Hội trường B"
    assert moved_event.sequence == 1
    # The commune Party committee is below the province's; the People's Committees are not.
    leaders = {s.leader_name for s in expected}
    assert leaders == {"Nguyễn Văn Minh", "Lê Văn Hùng"}
    calendar = Calendar.from_ical(body)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Ho_Chi_Minh"]

    again, again_headers, again_body = await fetch(
        f"{base}/calendar/demo-tinh-uy.ics", **{"If-None-Match": headers["ETag"]}
    )
    assert (again, again_body) == (304, b"")
    assert again_headers["ETag"] == headers["ETag"]


async def test_a_leader_feed_by_id_or_by_code(served: tuple[App, str], clock: FixedClock) -> None:
    app, base = served
    chair = await leader(app, "ct-xa")
    async with app.store.transaction() as repo:
        own: list[SessionView] = await repo.sessions_of_leader(
            chair.id, clock.now() - timedelta(days=90), clock.now() + timedelta(days=180)
        )
    by_id = await fetch(f"{base}/calendar/leader/{chair.id}.ics")
    by_code = await fetch(f"{base}/calendar/leader/ct-xa.ics")
    assert by_id[0] == by_code[0] == 200
    assert by_id[2] == by_code[2]
    found = events_of(by_id[2])
    assert set(found) == {f"session-{s.id}@{DOMAIN}" for s in own if s.published}
    assert own and all("Phạm Thị Hoa" in str(e.summary) for e in found.values())


@pytest.mark.parametrize(
    "path",
    [
        "/calendar/no-such-unit.ics",
        "/calendar/leader/999999.ics",
        "/calendar/leader/no-such-leader.ics",
    ],
)
async def test_an_unknown_unit_or_leader_is_not_found(served: tuple[App, str], path: str) -> None:
    _app, base = served
    status, _headers, _body = await fetch(base + path)
    assert status == 404


# --- open data -------------------------------------------------------------------------------

# Every personal value the seeded registrations hold, and what officers typed about them.
PERSONAL = {
    "full_name": "Lương Thị Riêngtư",
    "phone": "0977 123 456",
    "id_number": "001190054321",
    "address": "Số 99 ngõ Kín Đáo, phường Giấu Tên",
    "summary": "Gia đình tôi bị lấn chiếm mảnh đất XQZW ở thôn Đông.",
    "prior_handling": "Đã gửi đơn lên xã lần trước PLMK.",
    "request": "Đề nghị giải quyết dứt điểm việc RTYU.",
}
TYPED_BY_OFFICERS = {
    "note": "Ghi chú nội bộ NOTESECRET",
    "rejection": "Lý do từ chối riêng REJSECRET",
    "question": "Câu hỏi riêng INFOSECRET",
    "host": "Phó Bí thư Hồ Văn Thaythế",
    "body": "Tòa án nhân dân Bímật",
    "transfer": "Thanh tra Kínđáo",
    "letter": "77/CV-KINDAO",
}
REPRESENTATIVES = ("Ông Đạidiện Một", "Bà Đạidiện Hai")
ALLOWED_KEYS = {
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
    "detailed_status",
}


def answers(n: int) -> dict[str, str]:
    """The personal values, made distinct for the n-th citizen."""
    return {
        **PERSONAL,
        "full_name": f"{PERSONAL['full_name']} {'ABCDEFGH'[n]}",
        "summary": f"{PERSONAL['summary']} Lần {n}.",
        "request": f"{PERSONAL['request']} Lần {n}.",
    }


def walk(value: Any) -> Iterator[tuple[str | None, Any]]:
    """Every (key, value) in a JSON document, however deep."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield key, item
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield None, item
            yield from walk(item)


async def seed(app: App, clock: FixedClock) -> dict[str, str]:
    codes: dict[str, str] = {}
    for n, (name, kind, host) in enumerate(
        [
            ("approved", "complaint", "bt-tinh"),
            ("rejected", "feedback", "ct-tinh"),
            ("needinfo", "petition", "bt-tinh"),
            ("delegated", "complaint", "bt-tinh"),
            ("denounced", "denunciation", "bt-tinh"),
            ("outside", "complaint", "ct-tinh"),
            ("transferred", "petition", "ct-tinh"),
        ]
    ):
        extra = {"people_count": "6"} if name == "approved" else {}
        codes[name] = await submitted(
            app,
            user_id=f"88{n}0417",
            leader_code=host,
            kind=kind,
            answers={**answers(n), **extra},
            representatives=REPRESENTATIVES,
        )
    desk = await officer(app, "admin")
    typed = TYPED_BY_OFFICERS
    for command in (
        f"/approve {codes['approved']} 09:30",
        f"/reject {codes['rejected']} answered {typed['rejection']}",
        f"/needinfo {codes['needinfo']} {typed['question']}",
        f"/delegate {codes['delegated']} {typed['host']}",
        f"/approve {codes['delegated']}",
        f"/reject {codes['outside']} outside {typed['body']}",
        f"/transfer {codes['transferred']} {typed['transfer']} {typed['letter']}",
    ):
        await desk.send(command)
        assert "The citizen has been told" in desk.text, desk.text
    await desk.send(f"/note {codes['approved']} {typed['note']}")
    # Requests submitted until now are in the default window, which ends now.
    clock.set(START + timedelta(hours=1))
    return codes


async def test_open_data_lists_registrations_without_any_personal_data(
    served: tuple[App, str], clock: FixedClock
) -> None:
    app, base = served
    codes = await seed(app, clock)

    status, headers, body = await fetch(f"{base}/open311/v2/requests.json")

    assert status == 200
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert headers["X-Denunciations-Count"] == "1"
    text = body.decode("utf-8")
    document = json.loads(text)
    assert isinstance(document, list)
    listed = {item["service_request_id"]: item for item in document}
    assert set(listed) == set(codes.values()) - {codes["denounced"]}
    assert codes["denounced"] not in text
    keys = {key for key, _value in walk(document) if key is not None}
    assert keys <= ALLOWED_KEYS, keys - ALLOWED_KEYS
    strings = [value for _key, value in walk(document) if isinstance(value, str)]
    secrets = [
        *(value for n in range(7) for value in answers(n).values()),
        *TYPED_BY_OFFICERS.values(),
        *REPRESENTATIVES,
        "977123456",
        "Riêngtư",
        "XQZW",
        "PLMK",
        "RTYU",
        *(f"88{n}0417" for n in range(7)),
    ]
    for secret in secrets:
        assert secret not in text, secret
        assert not any(secret in value for value in strings), secret

    detailed = {
        code: item["extended_attributes"]["detailed_status"] for code, item in listed.items()
    }
    assert detailed == {
        codes["approved"]: "action_scheduled",
        codes["rejected"]: "no_further_action",
        codes["needinfo"]: "investigating",
        codes["delegated"]: "internal_referral",
        codes["outside"]: "not_councils_responsibility",
        codes["transferred"]: "not_councils_responsibility",
    }
    approved = listed[codes["approved"]]
    assert approved["status"] == "open"
    assert approved["expected_datetime"].endswith("T09:30:00+07:00")
    assert approved["requested_datetime"].endswith("+07:00")
    assert approved["address"] == "Thành phố Hà Nội"
    assert approved["agency_responsible"] == "Tỉnh ủy Lạc Hồng (dữ liệu mẫu)"
    assert listed[codes["rejected"]]["status"] == "closed"

    _status, _headers, closed = await fetch(
        f"{base}/open311/v2/requests.json?status=closed&service_code=khieu_nai,phan_anh"
    )
    assert {item["service_request_id"] for item in json.loads(closed)} == {
        codes["rejected"],
        codes["outside"],
    }
    _status, only, denunciations = await fetch(
        f"{base}/open311/v2/requests.json?service_code=to_cao"
    )
    assert json.loads(denunciations) == [] and only["X-Denunciations-Count"] == "1"


async def test_open311_services_and_errors(served: tuple[App, str]) -> None:
    _app, base = served
    status, headers, body = await fetch(f"{base}/open311/v2/services.json")
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "*"
    assert [s["service_code"] for s in json.loads(body)] == [
        "khieu_nai",
        "to_cao",
        "kien_nghi",
        "phan_anh",
    ]
    ours = await fetch(f"{base}/open311/v2/services.json?jurisdiction_id={DOMAIN}")
    assert ours[0] == 200
    status, _headers, body = await fetch(f"{base}/open311/v2/requests.json?jurisdiction_id=x.vn")
    assert status == 404 and json.loads(body)[0]["code"] == 404
    status, _headers, body = await fetch(f"{base}/open311/v2/requests.json?status=pending")
    assert status == 400
    assert "status" in json.loads(body)[0]["description"]
    status, _headers, body = await fetch(
        f"{base}/open311/v2/requests.json?start_date=2026-01-01&end_date=2026-11-01"
    )
    assert status == 400


async def test_nothing_is_published_when_open_data_is_disabled(
    database_url: str, clock: FixedClock
) -> None:
    app = build(config_for(database_url, web={"port": 0}, open_data={"enabled": False}), clock)
    await fresh_schema(app.engine)
    async with app.store.transaction() as repo:
        await load_demo(repo, clock.now())
    running = await runtime.start(app)
    try:
        base = f"http://127.0.0.1:{running.web.port}"
        assert (await fetch(f"{base}/calendar/demo-tinh-uy.ics"))[0] == 404
        assert (await fetch(f"{base}/open311/v2/requests.json"))[0] == 404
        assert (await fetch(f"{base}/healthz"))[0] == 200
    finally:
        await runtime.stop(running)
        await app.close()
