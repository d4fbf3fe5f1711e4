"""Registrations as Open311 open data: the status mapping, the allow-list of fields, the query
parameters, and denunciations kept out of the listing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.config import DEFAULT_LOCALES_DIR
from bot.core.content import Content, load_content
from bot.core.i18n import Catalogs, Translator
from bot.core.model import RegistrationStatus, RegistrationView, RequestKind
from bot.records import open_data
from bot.records.open_data import DetailedStatus as D

S = RegistrationStatus
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
LOCALES_DIR = DEFAULT_LOCALES_DIR
NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)

BASE = RegistrationView(
    id=1,
    code="K7MQ-X4PD",
    citizen_id=5,
    kind=RequestKind.COMPLAINT,
    status=S.SUBMITTED,
    full_name="Nguyễn Văn An",
    summary="Khiếu nại quyết định thu hồi đất",
    request="Xem xét lại",
    people_count=1,
    leader_name="Nguyễn Văn Minh",
    leader_title="Bí thư Tỉnh ủy",
    session_id=3,
    session_starts_at=datetime(2026, 12, 15, 8, 0, tzinfo=ZONE),
    session_location="Trụ sở",
    submitted_at=NOW - timedelta(days=2),
    due_date=date(2026, 12, 14),
    unit_name="Tỉnh ủy Lạc Hồng",
    province="Thành phố Hà Nội",
    address="Số 5 ngõ 10 phố Huế",
    updated_at=NOW - timedelta(days=1),
)


@pytest.fixture(scope="module")
def tr() -> Translator:
    return Catalogs(LOCALES_DIR, ("vi", "en"), "vi", ZONE).get("en")


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content(LOCALES_DIR, ("vi", "en"))


@pytest.mark.parametrize(
    ("status", "changes", "detailed", "is_open"),
    [
        (S.SUBMITTED, {}, D.OPEN, True),
        (S.NEEDS_INFO, {}, D.INVESTIGATING, True),
        (S.APPROVED, {}, D.ACTION_SCHEDULED, True),
        (S.RESCHEDULED, {}, D.ACTION_SCHEDULED, True),
        (S.APPROVED, {"host_name": "Phó Chủ tịch"}, D.INTERNAL_REFERRAL, True),
        (S.CANCELLED, {}, D.OPEN, True),
        (S.REJECTED, {"rejection_reason": "repeat"}, D.NO_FURTHER_ACTION, False),
        (S.REJECTED, {"rejection_reason": "outside"}, D.NOT_COUNCILS_RESPONSIBILITY, False),
        (S.REFERRED, {}, D.NOT_COUNCILS_RESPONSIBILITY, False),
        (S.DUPLICATE, {}, D.DUPLICATE, False),
        (S.ATTENDED, {}, D.CLOSED, False),
        (S.CLOSED, {}, D.CLOSED, False),
        (S.NO_SHOW, {}, D.NO_FURTHER_ACTION, False),
        (S.WITHDRAWN, {}, D.CLOSED, False),
    ],
)
def test_each_state_maps_to_open311(
    status: RegistrationStatus, changes: dict[str, str], detailed: D, is_open: bool
) -> None:
    registration = replace(BASE, status=status, **changes)  # type: ignore[arg-type]
    assert open_data.detailed_status(registration) is detailed
    assert detailed.is_open is is_open


def test_every_state_has_a_detailed_status_and_public_words() -> None:
    for status in RegistrationStatus:
        open_data.detailed_status(replace(BASE, status=status))
        assert status in open_data.STATUS_NOTES


def test_a_public_request_has_only_allowed_fields_and_no_personal_data(
    tr: Translator, content: Content
) -> None:
    record = open_data.public_request(
        replace(
            BASE,
            status=S.APPROVED,
            slot_time=time(9, 30),
            host_name="Phó Bí thư Trần Văn Phó",
            outcome_note="ghi chú",
        ),
        tr,
        content,
    )
    assert set(record) == open_data.PUBLIC_FIELDS
    assert record["service_request_id"] == "K7MQ-X4PD"
    assert record["service_code"] == "khieu_nai"
    assert record["service_name"] == "Complaint"
    assert record["agency_responsible"] == "Tỉnh ủy Lạc Hồng"
    assert record["address"] == "Thành phố Hà Nội"
    assert record["status"] == "open"
    assert record["requested_datetime"] == "2026-11-28T09:00:00+07:00"
    assert record["updated_datetime"] == "2026-11-29T09:00:00+07:00"
    assert record["expected_datetime"] == "2026-12-15T09:30:00+07:00"
    assert record["extended_attributes"] == {"detailed_status": "internal_referral"}
    text = repr(record)
    for secret in ("Nguyễn Văn An", "thu hồi đất", "Xem xét lại", "phố Huế", "Trần Văn Phó"):
        assert secret not in text


def test_a_refusal_shows_its_reasons_official_title_never_the_officers_note(
    tr: Translator, content: Content
) -> None:
    refused = replace(
        BASE,
        status=S.REJECTED,
        rejection_reason="outside",
        guided_to="Tòa án nhân dân huyện Bí Mật",
    )
    record = open_data.public_request(refused, tr, content)
    title = content.refusal("en", "outside")
    assert title is not None
    assert record["status_notes"] == f"Not accepted: {title.title}"
    assert "Bí Mật" not in repr(record)
    assert record["expected_datetime"] is None


def test_an_unknown_province_is_not_published(tr: Translator, content: Content) -> None:
    record = open_data.public_request(replace(BASE, province="Xóm Nhà Tôi"), tr, content)
    assert record["address"] == ""


def test_a_denunciation_is_never_a_public_request(tr: Translator, content: Content) -> None:
    with pytest.raises(ValueError, match="never published"):
        open_data.public_request(replace(BASE, kind=RequestKind.DENUNCIATION), tr, content)


def test_services_are_the_four_kinds(tr: Translator) -> None:
    services = open_data.services(tr)
    assert [s["service_code"] for s in services] == [
        "khieu_nai",
        "to_cao",
        "kien_nghi",
        "phan_anh",
    ]
    assert {s["group"] for s in services} == {"tiep_cong_dan"}
    assert {s["type"] for s in services} == {"realtime"}


# --- the query -----------------------------------------------------------------------------


def test_the_default_window_is_the_last_90_days() -> None:
    query = open_data.parse_query({}, NOW, ZONE)
    assert (query.start, query.end) == (NOW - timedelta(days=90), NOW)
    assert query.statuses is None and query.service_codes is None


def test_dates_with_or_without_an_offset_and_lists() -> None:
    query = open_data.parse_query(
        {
            "start_date": "2026-11-01",
            "end_date": "2026-11-30T00:00:00Z",
            "status": "open,closed",
            "service_code": "khieu_nai, phan_anh",
        },
        NOW,
        ZONE,
    )
    assert query.start == datetime(2026, 11, 1, tzinfo=ZONE)
    assert query.end == datetime(2026, 11, 30, tzinfo=UTC)
    assert query.statuses == frozenset({"open", "closed"})
    assert query.service_codes == frozenset({"khieu_nai", "phan_anh"})
    only_start = open_data.parse_query({"start_date": "2026-09-01T00:00:00+07:00"}, NOW, ZONE)
    assert only_start.end - only_start.start == timedelta(days=90)


@pytest.mark.parametrize(
    ("params", "complaint"),
    [
        ({"start_date": "yesterday"}, "start_date"),
        ({"start_date": "2026-11-20", "end_date": "2026-11-10"}, "before"),
        ({"start_date": "2026-01-01", "end_date": "2026-11-10"}, "90 days"),
        ({"status": "pending"}, "status"),
        ({"service_code": "kien_nghi,khac"}, "service_code"),
    ],
)
def test_a_bad_query_says_what_is_wrong(params: dict[str, str], complaint: str) -> None:
    with pytest.raises(open_data.BadQuery, match=complaint):
        open_data.parse_query(params, NOW, ZONE)


# --- the listing ---------------------------------------------------------------------------


def test_the_listing_filters_counts_denunciations_and_puts_the_newest_first(
    tr: Translator, content: Content
) -> None:
    def registration(n: int, **changes: object) -> RegistrationView:
        values: dict[str, object] = {"submitted_at": NOW - timedelta(hours=n), **changes}
        return replace(BASE, id=n, code=f"CODE-{n:04d}", **values)  # type: ignore[arg-type]

    registrations = [
        registration(1),
        registration(2, status=S.CLOSED),
        registration(3, kind=RequestKind.PETITION),
        registration(4, kind=RequestKind.DENUNCIATION),
        registration(5, kind=RequestKind.DENUNCIATION, status=S.CLOSED),
        registration(6, submitted_at=NOW - timedelta(days=120)),
    ]
    everything = open_data.listing(
        registrations, open_data.parse_query({}, NOW, ZONE), tr, content
    )
    assert [r["service_request_id"] for r in everything.requests] == [
        "CODE-0001",
        "CODE-0002",
        "CODE-0003",
    ]
    assert everything.denunciations == 2
    closed = open_data.listing(
        registrations, open_data.parse_query({"status": "closed"}, NOW, ZONE), tr, content
    )
    assert [r["service_request_id"] for r in closed.requests] == ["CODE-0002"]
    assert closed.denunciations == 2
    petitions = open_data.listing(
        registrations, open_data.parse_query({"service_code": "kien_nghi"}, NOW, ZONE), tr, content
    )
    assert [r["service_request_id"] for r in petitions.requests] == ["CODE-0003"]
    denunciations = open_data.listing(
        registrations, open_data.parse_query({"service_code": "to_cao"}, NOW, ZONE), tr, content
    )
    assert denunciations.requests == [] and denunciations.denunciations == 2


def test_at_most_1000_requests(tr: Translator, content: Content) -> None:
    many = [
        replace(BASE, id=n, code=f"C{n:03d}-0000", submitted_at=NOW - timedelta(minutes=n + 1))
        for n in range(1005)
    ]
    found = open_data.listing(many, open_data.parse_query({}, NOW, ZONE), tr, content)
    assert len(found.requests) == open_data.MAX_REQUESTS == 1000
    assert found.requests[0]["service_request_id"] == "C000-0000"
