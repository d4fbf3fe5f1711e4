"""A large deployment for the officers' queries: 200 units (10 provinces of 18 communes), two
heads each, a session every two weeks for three years, and 100,000 registrations with their
history, decided as they would be by now. Deterministic (a fixed random seed)."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Table, insert, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.core import tickets
from storage.tables import (
    CitizenRow,
    ConsentRow,
    LeaderRow,
    RegistrationEventRow,
    RegistrationNameWordRow,
    RegistrationRow,
    SessionRow,
    UnitRow,
    name_words,
)

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
PROVINCES, COMMUNES_EACH = 10, 18
YEARS = 3
KINDS = ("complaint", "denunciation", "petition", "feedback")
CHUNK = 5000


async def seed(engine: AsyncEngine, registrations: int, now: datetime) -> list[str]:
    """Fill a migrated, empty database; returns the ticket codes."""
    rng = random.Random(20261130)
    async with engine.begin() as connection:
        units = await _units(connection, now)
        leaders = await _leaders(connection, units, now)
        sessions = await _sessions(connection, leaders, now)
        codes = await _registrations(connection, rng, sessions, registrations, now)
        if connection.dialect.name == "postgresql":
            await _move_sequences_on(connection)
            # The planner's statistics, which autovacuum gathers within a minute of such a
            # load on a live server: without them it reads 100,000 name words for a count
            # that stops at 501.
            await connection.execute(text("ANALYZE"))
        return codes


async def _move_sequences_on(connection: AsyncConnection) -> None:
    """Rows were given their ids: the next ones must come after them."""
    for table in (UnitRow, LeaderRow, SessionRow, CitizenRow, ConsentRow, RegistrationRow):
        name = table.__tablename__
        await connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"(SELECT max(id) FROM {name}))"
            )
        )


async def _bulk(connection: AsyncConnection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        await connection.execute(insert(table), list(rows[start : start + CHUNK]))


async def _units(connection: AsyncConnection, now: datetime) -> list[tuple[int, str]]:
    rows: list[dict[str, Any]] = []
    unit_id = 0
    for province in range(PROVINCES):
        for party in (True, False):
            unit_id += 1
            parent = unit_id
            code = f"p{province}-{'tu' if party else 'ub'}"
            rows.append(_unit(unit_id, code, None, party, now))
            for commune in range(COMMUNES_EACH // 2):
                unit_id += 1
                code = f"p{province}-c{commune}-{'du' if party else 'ub'}"
                rows.append(_unit(unit_id, code, parent, party, now))
    await _bulk(connection, UnitRow.__table__, rows)  # type: ignore[arg-type]
    return [(row["id"], row["kind"]) for row in rows]


def _unit(
    unit_id: int, code: str, parent: int | None, party: bool, now: datetime
) -> dict[str, Any]:
    return {
        "id": unit_id,
        "code": code,
        "name": f"{'Đảng ủy' if party else 'UBND'} {code}",
        "kind": "party_committee" if party else "peoples_committee",
        "level": "commune" if parent else "province",
        "parent_id": parent,
        "address": "",
        "allow_delegation": party,
        "created_at": now,
    }


async def _leaders(
    connection: AsyncConnection, units: list[tuple[int, str]], now: datetime
) -> list[int]:
    rows: list[dict[str, Any]] = []
    for unit_id, kind in units:
        party = kind == "party_committee"
        for deputy in (False, True):
            leader_id = len(rows) + 1
            rows.append(
                {
                    "id": leader_id,
                    "code": f"l{leader_id}",
                    "unit_id": unit_id,
                    "name": f"Lãnh đạo {leader_id}",
                    "title": ("Phó " if deputy else "") + ("Bí thư" if party else "Chủ tịch"),
                    "role": "party_secretary" if party else "committee_chair",
                    "locale": "vi",
                    "contacts": [],
                    "assistants": [],
                    "active": True,
                    "created_at": now,
                }
            )
    await _bulk(connection, LeaderRow.__table__, rows)  # type: ignore[arg-type]
    return [int(row["id"]) for row in rows]


async def _sessions(
    connection: AsyncConnection, leaders: list[int], now: datetime
) -> dict[int, list[tuple[int, datetime]]]:
    first = now.astimezone(ZONE).date() - timedelta(days=365 * YEARS)
    rows: list[dict[str, Any]] = []
    by_leader: dict[int, list[tuple[int, datetime]]] = {}
    for leader_id in leaders:
        day = first + timedelta(days=leader_id % 14)
        while day <= now.astimezone(ZONE).date() + timedelta(days=60):
            if day.weekday() < 5:
                starts = datetime.combine(day, time(8), ZONE).astimezone(UTC)
                session_id = len(rows) + 1
                rows.append(
                    {
                        "id": session_id,
                        "leader_id": leader_id,
                        "rule_id": None,
                        "nominal_date": day,
                        "starts_at": starts,
                        "ends_at": starts + timedelta(hours=3),
                        "location": "Trụ sở tiếp công dân",
                        "capacity": 40,
                        "status": "planned" if starts > now else "held",
                        "published_at": starts - timedelta(days=10),
                        "note": "",
                        "created_at": now,
                        "code": None,
                        "revision": 0,
                        "updated_at": None,
                    }
                )
                by_leader.setdefault(leader_id, []).append((session_id, starts))
            day += timedelta(days=14)
    await _bulk(connection, SessionRow.__table__, rows)  # type: ignore[arg-type]
    return by_leader


async def _registrations(
    connection: AsyncConnection,
    rng: random.Random,
    sessions: dict[int, list[tuple[int, datetime]]],
    count: int,
    now: datetime,
) -> list[str]:
    citizens: list[dict[str, Any]] = []
    consents: list[dict[str, Any]] = []
    registrations: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    codes: set[str] = set()
    leaders = sorted(sessions)
    for number in range(1, count + 1):
        leader_id = rng.choice(leaders)
        session_id, starts = rng.choice(sessions[leader_id])
        submitted = starts - timedelta(days=rng.randint(5, 40), minutes=rng.randint(0, 600))
        if submitted > now:
            submitted = now - timedelta(minutes=number % 600)
        code = tickets.new_code(rng.choice)
        while code in codes:
            code = tickets.new_code(rng.choice)
        codes.add(code)
        citizens.append(_citizen(number, submitted))
        consents.append(
            {
                "id": number,
                "citizen_id": number,
                "notice_version": "2026-11-30",
                "locale": "vi",
                "given_at": submitted,
                "withdrawn_at": None,
            }
        )
        status, story = _story(rng, starts, now)
        kind = rng.choice(KINDS)
        registrations.append(_registration(number, code, kind, status, leader_id, session_id,
                                           submitted, rng))  # fmt: skip
        events.extend(_events(number, submitted, story))
    await _bulk(connection, CitizenRow.__table__, citizens)  # type: ignore[arg-type]
    await _bulk(connection, ConsentRow.__table__, consents)  # type: ignore[arg-type]
    await _bulk(connection, RegistrationRow.__table__, registrations)  # type: ignore[arg-type]
    words = [
        {"registration_id": row["id"], "word": word}
        for row in registrations
        for word in name_words(row["full_name"])
    ]
    await _bulk(connection, RegistrationNameWordRow.__table__, words)  # type: ignore[arg-type]
    await _bulk(connection, RegistrationEventRow.__table__, events)  # type: ignore[arg-type]
    return sorted(codes)


def _citizen(number: int, submitted: datetime) -> dict[str, Any]:
    return {
        "id": number,
        "channel": "telegram",
        "channel_user_id": str(70_000_000 + number),
        "chat_id": str(70_000_000 + number),
        "locale": "vi",
        "unreachable_at": None,
        "created_at": submitted,
        "last_seen_at": submitted,
    }


def _story(rng: random.Random, starts: datetime, now: datetime) -> tuple[str, list[str]]:
    """Where the registration got to by now, and the events that took it there."""
    if starts > now:
        return rng.choice(
            [("submitted", []), ("approved", ["approve"]), ("needs_info", ["needinfo"])]
        )
    return rng.choice(
        [
            ("closed", ["approve", "attended", "outcome"]),
            ("closed", ["approve", "attended", "outcome"]),
            ("no_show", ["approve", "noshow"]),
            ("rejected", ["reject"]),
            ("referred", ["transfer"]),
            ("withdrawn", ["withdraw"]),
        ]
    )


def _registration(
    number: int,
    code: str,
    kind: str,
    status: str,
    leader_id: int,
    session_id: int,
    submitted: datetime,
    rng: random.Random,
) -> dict[str, Any]:
    received = submitted.astimezone(ZONE).date()
    return {
        "id": number,
        "code": code,
        "citizen_id": number,
        "consent_id": number,
        "kind": kind,
        "status": status,
        "full_name": f"Nguyễn Văn Thử {number}",
        "phone": f"+849{number:08d}",
        "phone_verified": False,
        "id_number": f"0010900{number:05d}"[-12:],
        "province": "Hà Nội",
        "address": f"Số {number} đường Thử, phường Đo Tải",
        "leader_id": leader_id,
        "requested_session_id": session_id,
        "session_id": session_id,
        "people_count": 1,
        "representatives": [],
        "summary": "Nội dung khiếu nại về việc bồi thường khi thu hồi đất " * 3,
        "prior_handling": "",
        "request": "Đề nghị xem xét lại.",
        "locale": "vi",
        "submitted_at": submitted,
        "due_date": _working_days_after(received, 7 if kind == "denunciation" else 10),
        "updated_at": submitted,
        "host_name": "",
        "slot_time": None,
        "rejection_reason": "resolved" if status == "rejected" else "",
        "guided_to": "",
        "referred_to": "Thanh tra tỉnh" if status == "referred" else "",
        "letter_no": "",
        "duplicate_of_code": "",
        "outcome": rng.choice(["accepted", "answered", "guided"]) if status == "closed" else "",
        "outcome_note": "",
        "conclusion": "",
        "conclusion_deadline": None,
        "conclusion_unit": "",
        "info_question": "Xin bổ sung giấy tờ." if status == "needs_info" else "",
        "paused_since": submitted + timedelta(days=1) if status == "needs_info" else None,
        "priority": False,
        "interpreter": "",
        "notice_form": "",
        "notice_due": None,
        "notice_letter": "",
        "notice_issued_on": None,
    }


def _working_days_after(day: date, count: int) -> date:
    while count:
        day += timedelta(days=1)
        count -= day.weekday() < 5
    return day


def _events(number: int, submitted: datetime, story: list[str]) -> Iterator[dict[str, Any]]:
    statuses = {
        "approve": ("submitted", "approved"),
        "needinfo": ("submitted", "needs_info"),
        "attended": ("approved", "attended"),
        "outcome": ("attended", "closed"),
        "noshow": ("approved", "no_show"),
        "reject": ("submitted", "rejected"),
        "transfer": ("submitted", "referred"),
        "withdraw": ("submitted", "withdrawn"),
    }
    yield _event(number, submitted, "submitted", None, "submitted", "citizen")
    for step, event in enumerate(story, start=1):
        before, after = statuses[event]
        yield _event(number, submitted + timedelta(days=step), event, before, after, "officer")


def _event(
    number: int, at: datetime, event: str, before: str | None, after: str, actor: str
) -> dict[str, Any]:
    return {
        "registration_id": number,
        "at": at,
        "actor": f"{actor}:1",
        "event": event,
        "from_status": before,
        "to_status": after,
        "note": "",
        "internal": False,
        "data": {},
    }
