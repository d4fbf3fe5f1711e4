"""The public pages over real HTTP, without a browser: what each page says (units, leaders,
dates and times in Hà Nội, places left, cancelled and moved sessions in words), in Vietnamese
and in English; the headers (a strict policy of their own, framing only for the configured
portals), ETag and Last-Modified with 304, the rate limit, a 404 page, a 500 page without a
traceback, and text from the database escaped."""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta
from email.utils import format_datetime

import pytest

from bot import config as configuration
from bot import web_side
from bot.core import sessions
from bot.core.clock import FixedClock
from bot.core.model import LeaderRole, NewSession, UnitKind, UnitLevel
from bot.records.public_pages import STYLE_HASH
from handlers.web import SECURITY_HEADERS
from tests.pages.conftest import (
    BOT,
    COMMUNE,
    MOVED_PLACE,
    OA_ID,
    PORTAL,
    PROVINCE,
    PUBLIC_URL,
    Answer,
    Site,
    fetch,
    serving,
)
from tests.pages.html import Element, parse, rows

PAGES = ["/", f"/schedules/{PROVINCE}", f"/schedules/{PROVINCE}/poster", "/rules"]
PYTHON_TEXT = ("Traceback", 'File "', "Error", "Exception", "aiohttp", "jinja2")


def strict_policy(ancestors: str = "'none'") -> str:
    return (
        f"default-src 'none'; style-src '{STYLE_HASH}'; base-uri 'none'; "
        f"form-action 'none'; frame-ancestors {ancestors}"
    )


def tables(page: Element) -> dict[str, list[list[str]]]:
    """Each table of sessions by its caption."""
    return {table.one("caption").text(): rows(table) for table in page.all("table")}


def assert_html(answer: Answer, lang: str = "vi") -> Element:
    assert answer.status == 200, answer.body[:300]
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
    page = parse(answer.body)
    assert page.one("html").attrs["lang"] == lang
    assert len(page.all("h1")) == 1
    assert not page.all("script")
    return page


# --- what the pages say ----------------------------------------------------------------------


async def test_the_units_page_lists_every_unit_below_its_parent(site: Site) -> None:
    page = assert_html(await site.get("/"))
    links = {a.text(): a.attrs["href"] for a in page.one("ul", class_="units").all("a")}
    assert links == {
        "Tỉnh ủy Lạc Hồng (dữ liệu mẫu)": f"/schedules/{PROVINCE}",
        "Đảng ủy xã An Hòa (dữ liệu mẫu)": f"/schedules/{COMMUNE}",
        "UBND tỉnh Lạc Hồng (dữ liệu mẫu)": "/schedules/demo-ubnd-tinh",
        "UBND xã An Hòa (dữ liệu mẫu)": "/schedules/demo-ubnd-xa",
    }
    # The commune's Party committee is listed inside the province's.
    province = next(
        item
        for item in page.one("ul", class_="units").all("li")
        if item.all("a")[0].attrs["href"] == f"/schedules/{PROVINCE}"
    )
    assert [a.text() for a in province.one("ul").all("a")] == ["Đảng ủy xã An Hòa (dữ liệu mẫu)"]
    assert page.one("h1").text() == "Lịch tiếp công dân"
    # Counted without the cancelled session: one of the province secretary's two is moved,
    # not cancelled; of the commune secretary's four, one is cancelled.
    counts = [span.text() for span in page.all("span", class_="count")]
    assert counts[:2] == ["2 buổi tiếp trong 60 ngày tới", "3 buổi tiếp trong 60 ngày tới"]


async def test_a_schedule_lists_the_sessions_of_the_unit_and_below_with_their_marks(
    site: Site,
) -> None:
    assert site.cancelled and site.moved
    page = assert_html(await site.get(f"/schedules/{PROVINCE}"))
    assert page.one("h1").text() == "Lịch tiếp công dân Tỉnh ủy Lạc Hồng (dữ liệu mẫu)"
    assert [h.text() for h in page.all("h2")][:2] == [
        "Tỉnh ủy Lạc Hồng (dữ liệu mẫu)",
        "Đảng ủy xã An Hòa (dữ liệu mẫu)",
    ]
    assert [h.text() for h in page.all("h3")] == [
        "Nguyễn Văn Minh, Bí thư Tỉnh ủy",
        "Lê Văn Hùng, Bí thư Đảng ủy xã",
    ]
    found = tables(page)
    assert found == {
        "Các buổi tiếp của Nguyễn Văn Minh": [
            [
                "Đã dời lịch Thứ Tư, ngày 16/12/2026 09:00–11:00",
                MOVED_PLACE,
                "còn 10 lượt",
            ],
            [
                "Thứ Sáu, ngày 15/01/2027 08:00–11:00",
                "Trụ sở Tiếp công dân tỉnh, số 1 đường Trần Hưng Đạo",
                "còn 10 lượt",
            ],
        ],
        "Các buổi tiếp của Lê Văn Hùng": [
            [
                "Đã hủy Thứ Hai, ngày 07/12/2026 14:00–16:30",
                "Phòng tiếp công dân, trụ sở Đảng ủy xã An Hòa",
                "Buổi tiếp này đã bị hủy.",
            ],
            *[
                [
                    f"Thứ Hai, ngày {day} 14:00–16:30",
                    "Phòng tiếp công dân, trụ sở Đảng ủy xã An Hòa",
                    "còn 6 lượt",
                ]
                for day in ("21/12/2026", "04/01/2027", "18/01/2027")
            ],
        ],
    }
    # The marks are words, explained once; the rows carry a class for their style only.
    legend = page.one("dl", class_="legend").text()
    assert "Đã hủy Buổi tiếp sẽ không diễn ra." in legend
    assert "Đã dời lịch" in legend
    # Machines read the local time with its offset.
    cancelled = page.one("tr", class_="cancelled")
    assert cancelled.one("time").attrs["datetime"] == "2026-12-07T14:00:00+07:00"
    assert page.one("tr", class_="moved").one("time").attrs["datetime"] == (
        "2026-12-16T09:00:00+07:00"
    )
    # Nobody outside the unit and the units below it: not the People's Committees' chairs.
    text = page.text()
    assert "Trần Thị Lan" not in text and "Phạm Thị Hoa" not in text


async def test_a_schedule_says_how_to_register_and_links_the_calendar(site: Site) -> None:
    page = assert_html(await site.get(f"/schedules/{PROVINCE}"))
    hrefs = [a.attrs["href"] for a in page.all("a")]
    assert f"https://t.me/{BOT}?start=reg_bt-tinh" in hrefs
    assert f"https://t.me/{BOT}?start=reg_bt-xa" in hrefs
    assert f"https://t.me/{BOT}" in hrefs
    assert f"https://zalo.me/{OA_ID}" in hrefs
    assert f"/calendar/{PROVINCE}.ics" in hrefs
    assert f"/schedules/{PROVINCE}/poster" in hrefs
    register = page.one("section", id="register").text()
    assert f"@{BOT}" in register and "/register" in register
    assert "căn cước" in register


async def test_a_schedule_shows_published_sessions_of_the_next_60_days_only(
    site: Site,
) -> None:
    now = site.clock.now()
    async with site.app.store.transaction() as repo:
        secretary = await repo.leader_by_code("bt-tinh")
        assert secretary is not None
        for days, published, place in (
            (20, False, "Phòng họp chưa công bố"),
            (59, True, "Hội trường trong hạn 60 ngày"),
            (61, True, "Hội trường ngoài hạn 60 ngày"),
        ):
            start = now + timedelta(days=days)
            await repo.add_session(
                NewSession(
                    leader_id=secretary.id,
                    rule_id=None,
                    nominal_date=start.date(),
                    starts_at=start,
                    ends_at=start + timedelta(hours=2),
                    location=place,
                    capacity=4,
                    published_at=now if published else None,
                ),
                f"extra-{days}",
                now,
            )
    text = assert_html(await site.get(f"/schedules/{PROVINCE}")).text()
    assert "Hội trường trong hạn 60 ngày" in text
    assert "Hội trường ngoài hạn 60 ngày" not in text
    assert "Phòng họp chưa công bố" not in text
    # The calendar feed reaches further: the page says what the 60 days hold.
    feed = await site.get(f"/calendar/{PROVINCE}.ics")
    assert "Hội trường ngoài hạn 60 ngày" in feed.body.decode()


async def test_places_left_full_and_closed_read_as_the_bot_says_them(site: Site) -> None:
    # Monday 30 November, 09:00: a session tomorrow is closed for registration (less than a
    # full working day ahead), whatever its places.
    now = site.clock.now()
    async with site.app.store.transaction() as repo:
        secretary = await repo.leader_by_code("bt-xa")
        assert secretary is not None
        tomorrow = now + timedelta(days=1)
        await repo.add_session(
            NewSession(
                leader_id=secretary.id,
                rule_id=None,
                nominal_date=tomorrow.date(),
                starts_at=tomorrow,
                ends_at=tomorrow + timedelta(hours=2),
                location="Phòng tiếp công dân xã, buổi bổ sung",
                capacity=3,
                published_at=now,
            ),
            "tomorrow",
            now,
        )
    for lang, closed, left in (
        ("vi", "đã hết hạn đăng ký", "còn 6 lượt"),
        ("en", "registration closed", "6 slots left"),
    ):
        page = assert_html(await site.get(f"/schedules/{COMMUNE}?lang={lang}"), lang)
        [sessions] = tables(page).values()
        assert sessions[0][1:] == ["Phòng tiếp công dân xã, buổi bổ sung", closed]
        assert sessions[-1][2] == left


async def test_english_pages_say_it_in_english_with_english_dates(site: Site) -> None:
    page = assert_html(await site.get(f"/schedules/{PROVINCE}?lang=en"), "en")
    assert page.one("h1").text() == "Citizen reception schedule Tỉnh ủy Lạc Hồng (dữ liệu mẫu)"
    found = tables(page)
    assert found["Reception sessions of Lê Văn Hùng"][0] == [
        "Cancelled Monday, December 7, 2026 2:00 PM–4:30 PM",
        "Phòng tiếp công dân, trụ sở Đảng ủy xã An Hòa",
        "This session is cancelled.",
    ]
    assert found["Reception sessions of Nguyễn Văn Minh"][0][0] == (
        "Moved Wednesday, December 16, 2026 9:00 AM–11:00 AM"
    )
    # Every link to another page keeps the language; the switch goes back to Vietnamese.
    hrefs = [a.attrs["href"] for a in page.all("a")]
    assert "/?lang=en" in hrefs and "/rules?lang=en" in hrefs
    assert f"/calendar/{PROVINCE}.ics?lang=en" in hrefs
    switch = page.one("a", hreflang="vi")
    assert (switch.attrs["href"], switch.attrs["lang"], switch.text()) == (
        f"/schedules/{PROVINCE}",
        "vi",
        "Tiếng Việt",
    )


async def test_the_vietnamese_page_offers_english(site: Site) -> None:
    page = assert_html(await site.get(f"/schedules/{PROVINCE}?embed=1"))
    switch = page.one("a", hreflang="en")
    assert (switch.attrs["href"], switch.attrs["lang"], switch.text()) == (
        f"/schedules/{PROVINCE}?embed=1&lang=en",
        "en",
        "English",
    )
    # A language the deployment does not speak is the default one.
    assert_html(await site.get("/?lang=fr"), "vi")


async def test_the_rules_page_is_the_bots_rules_explainer(site: Site) -> None:
    content = site.app.services.content
    for lang in ("vi", "en"):
        page = assert_html(await site.get(f"/rules?lang={lang}"), lang)
        topics = content.topics(lang)
        headings = [h.text() for h in page.all("h2")]
        assert headings[1:] == [topic.title for topic in topics]
        toc = page.one("nav", class_="toc")
        assert [a.attrs["href"] for a in toc.all("a")] == [f"#{t.id}" for t in topics]
        for topic in topics:
            section = page.one("section", id=topic.id)
            said = section.text()
            for raw in topic.body.splitlines():
                line = raw.strip().removeprefix("•").strip()
                assert not line or line in said, (topic.id, line)
            bullets = [ln for ln in topic.body.splitlines() if ln.strip().startswith("•")]
            assert len(section.all("li")) == len(bullets)


async def test_a_khmer_site_says_its_rules_are_an_unreviewed_translation(
    database_url: str, clock: FixedClock
) -> None:
    async with serving(database_url, clock, bot={"locales": ["vi", "en", "km"]}) as site:
        page = assert_html(await site.get("/rules?lang=km"), "km")
        [note] = page.all("p", class_="panel")
        assert note.attrs["role"] == "note"
        link = note.one("a")
        assert (link.attrs["href"], link.attrs["hreflang"]) == ("/rules", "vi")
        topics = site.app.services.content.topics("km")
        assert [h.text() for h in page.all("h2")][1:] == [t.title for t in topics]
        # Vietnamese and English are originals: no note; the languages link to Khmer.
        vietnamese = assert_html(await site.get("/rules"), "vi")
        assert not vietnamese.all("p", class_="panel")
        assert "/rules?lang=km" in [a.attrs.get("href") for a in vietnamese.all("a")]


async def test_the_poster_prints_the_months_sessions_of_the_unit_with_a_code_per_leader(
    site: Site,
) -> None:
    page = assert_html(await site.get(f"/schedules/{COMMUNE}/poster?month=2026-12"))
    assert page.one("h1").text() == "Lịch tiếp công dân tháng 12/2026"
    [(caption, sessions)] = tables(page).items()
    assert caption == "Các buổi tiếp của Lê Văn Hùng, tháng 12/2026"
    assert sessions == [
        [
            "Đã hủy Thứ Hai, ngày 07/12/2026 14:00–16:30",
            "Phòng tiếp công dân, trụ sở Đảng ủy xã An Hòa",
        ],
        ["Thứ Hai, ngày 21/12/2026 14:00–16:30", "Phòng tiếp công dân, trụ sở Đảng ủy xã An Hòa"],
    ]
    codes = page.all("svg", role="img")
    labels = [svg.attrs["aria-label"] for svg in codes]
    assert labels == [
        "Mã QR: đăng ký gặp Lê Văn Hùng, Bí thư Đảng ủy xã, qua Telegram",
        "Mã QR: tài khoản Official Account Tiếp Dân trên Zalo",
    ]
    captions = [figure.one("span", class_="url").text() for figure in page.all("figure")]
    assert captions == [f"t.me/{BOT}?start=reg_bt-xa", f"zalo.me/{OA_ID}"]
    footer = page.one("footer", class_="sheet-footer").text()
    assert f"{PUBLIC_URL.removeprefix('https://')}/schedules/{COMMUNE}" in footer
    assert "Thứ Hai, ngày 30/11/2026" in footer
    # From next month's notice, back to this month's.
    assert f"/schedules/{COMMUNE}/poster" in [a.attrs["href"] for a in page.all("a")]
    english = assert_html(
        await site.get(f"/schedules/{COMMUNE}/poster?month=2026-12&lang=en"), "en"
    )
    assert f"/schedules/{COMMUNE}?lang=en" in english.one("footer", class_="sheet-footer").text()
    # The poster is the unit's own: the province's poster has its secretary only.
    province = assert_html(await site.get(f"/schedules/{PROVINCE}/poster?month=2026-12"))
    assert province.all("h2")[0].text() == "Nguyễn Văn Minh, Bí thư Tỉnh ủy"
    assert "Lê Văn Hùng" not in province.text()


async def test_the_poster_is_of_this_month_or_the_next(site: Site) -> None:
    # 30 November: November's notice has no session left to show, but is still November's.
    november = assert_html(await site.get(f"/schedules/{COMMUNE}/poster"))
    assert november.one("h1").text() == "Lịch tiếp công dân tháng 11/2026"
    assert "Chưa có buổi tiếp nào của Đảng ủy xã An Hòa (dữ liệu mẫu)" in november.text()
    hrefs = [a.attrs["href"] for a in november.all("a")]
    assert f"/schedules/{COMMUNE}/poster?month=2026-12" in hrefs
    assert f"/schedules/{COMMUNE}/poster" not in hrefs
    for month in ("2027-01", "2026-10", "2026-13", "december", "2026-1"):
        answer = await site.get(f"/schedules/{COMMUNE}/poster?month={month}")
        assert answer.status == 404, month


async def test_without_a_bot_address_the_pages_say_how_to_find_the_bot(
    unconfigured: Site,
) -> None:
    page = assert_html(await unconfigured.get(f"/schedules/{COMMUNE}/poster?month=2026-12"))
    assert not page.all("svg") and not page.all("figure")
    said = page.one("section", class_="sheet-register").text()
    assert "Hãy hỏi cán bộ tiếp công dân địa chỉ của bot Tiếp Dân trên Telegram hoặc Zalo" in said
    assert "t.me" not in page.text() and "zalo.me" not in page.text()
    schedule = assert_html(await unconfigured.get(f"/schedules/{COMMUNE}"))
    assert not [a for a in schedule.all("a") if "t.me" in a.attrs["href"]]
    assert "Hãy hỏi cán bộ tiếp công dân" in schedule.one("section", id="register").text()
    # No public address configured: the poster prints none, and says where changes are posted.
    assert "tiepdan.example" not in page.text()


# --- headers, caching, limits, errors --------------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
async def test_each_page_has_its_own_strict_policy_and_may_not_be_framed(
    site: Site, path: str
) -> None:
    answer = await site.get(path)
    assert answer.status == 200
    assert answer.headers["Content-Security-Policy"] == strict_policy()
    assert answer.headers["X-Frame-Options"] == "DENY"
    for name in ("X-Content-Type-Options", "Referrer-Policy", "Server"):
        assert answer.headers[name] == SECURITY_HEADERS[name]
    # The hash in the policy is the one of the page's only stylesheet, inlined.
    page = parse(answer.body)
    styles = page.all("style")
    assert len(styles) == 1
    digest = hashlib.sha256(styles[0].text().encode()).digest()
    assert f"sha256-{base64.b64encode(digest).decode()}" == STYLE_HASH
    # Nothing else to load or run: no script, no element that fetches, no inline style or
    # event handler (the policy would block them; the page does not rely on that).
    fetching = {"script", "link", "img", "iframe", "object", "embed", "video", "audio"}
    assert not [element.tag for element in page.walk() if element.tag in fetching]
    assert not [
        (element.tag, name)
        for element in page.walk()
        for name in element.attrs
        if name in {"style", "src", "srcset"} or name.startswith("on")
    ]


async def test_only_the_embedded_schedule_may_be_framed_and_only_by_the_portals(
    site: Site,
) -> None:
    embedded = await site.get(f"/schedules/{PROVINCE}?embed=1")
    assert embedded.headers["Content-Security-Policy"] == strict_policy(PORTAL)
    assert "X-Frame-Options" not in embedded.headers
    page = assert_html(embedded)
    # The page alone: no site header, a footer that leads to the full page in a new tab.
    assert not page.all("header", class_="site-header")
    assert "embed" in page.one("body").attrs["class"].split()
    for a in page.all("a"):
        if "hreflang" in a.attrs:
            # The language switch stays in the frame.
            assert "target" not in a.attrs
            assert a.attrs["href"] == f"/schedules/{PROVINCE}?embed=1&lang=en"
        elif a.attrs["href"].startswith(("https://", "/schedules/", "/calendar/")):
            assert (a.attrs.get("target"), a.attrs.get("rel")) == ("_blank", "noopener"), a
    assert page.one("footer").one("a").attrs["href"] == f"/schedules/{PROVINCE}"
    # Every other page refuses framing, whatever its query.
    for path in ("/?embed=1", "/rules?embed=1", f"/schedules/{PROVINCE}/poster?embed=1"):
        answer = await site.get(path)
        assert answer.headers["Content-Security-Policy"] == strict_policy(), path
        assert answer.headers["X-Frame-Options"] == "DENY", path
    assert (await site.get(f"/schedules/{PROVINCE}")).headers["X-Frame-Options"] == "DENY"


async def test_without_portals_the_embedded_schedule_may_not_be_framed(
    unconfigured: Site,
) -> None:
    answer = await unconfigured.get(f"/schedules/{PROVINCE}?embed=1")
    assert answer.status == 200
    assert answer.headers["Content-Security-Policy"] == strict_policy()
    assert answer.headers["X-Frame-Options"] == "DENY"


async def test_a_page_is_revalidated_by_its_etag_or_its_date(site: Site) -> None:
    path = f"/schedules/{COMMUNE}"
    first = await site.get(path)
    tag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert modified == format_datetime(site.clock.now().replace(microsecond=0), usegmt=True)
    assert first.headers["Cache-Control"] == "public, max-age=60"
    again = await site.get(path, **{"If-None-Match": tag})
    assert (again.status, again.body, again.headers["ETag"]) == (304, b"", tag)
    by_date = await site.get(path, **{"If-Modified-Since": modified})
    assert (by_date.status, by_date.body) == (304, b"")
    # An ETag that does not match wins over a date that would.
    other = await site.get(path, **{"If-None-Match": '"other"', "If-Modified-Since": modified})
    assert other.status == 200

    # An hour later a session is cancelled: a new page, a new tag, a later date.
    site.clock.set(site.clock.now() + timedelta(hours=1))
    async with site.app.store.transaction() as repo:
        now = site.clock.now()
        ahead = [
            s
            for s in await repo.sessions_in(now, now + timedelta(days=60))
            if s.leader_name == "Lê Văn Hùng" and s.status.value == "planned"
        ]
        await sessions.cancel(repo, ahead[-1].id, "Trùng lịch họp", "test", now)
    changed = await site.get(path, **{"If-None-Match": tag})
    assert changed.status == 200
    assert changed.headers["ETag"] != tag
    assert changed.headers["Last-Modified"] == format_datetime(now, usegmt=True)
    stale = await site.get(path, **{"If-Modified-Since": modified})
    assert stale.status == 200
    # The same page asked again keeps the date it first had.
    site.clock.set(site.clock.now() + timedelta(minutes=5))
    later = await site.get(path)
    assert later.headers["Last-Modified"] == changed.headers["Last-Modified"]


async def test_head_answers_the_headers_alone(site: Site) -> None:
    answer = await fetch("HEAD", f"{site.base}/schedules/{PROVINCE}")
    assert answer.status == 200
    assert answer.body == b""
    assert answer.headers["ETag"] == (await site.get(f"/schedules/{PROVINCE}")).headers["ETag"]


@pytest.mark.parametrize(
    "path",
    [
        "/schedules/no-such-unit",
        "/schedules/no-such-unit/poster",
        "/schedules/no-such-unit?lang=en",
    ],
)
async def test_an_unknown_unit_is_a_page_that_says_so(site: Site, path: str) -> None:
    answer = await site.get(path)
    assert answer.status == 404
    lang = "en" if "lang=en" in path else "vi"
    page = parse(answer.body)
    assert page.one("html").attrs["lang"] == lang
    assert page.one("h1").text() == (
        "There is no such page" if lang == "en" else "Không có trang này"
    )
    assert page.one("main").one("a").attrs["href"] == ("/?lang=en" if lang == "en" else "/")
    # No link of the site's claims to be this page.
    assert not page.all("a", aria_current="page")
    assert answer.headers["Content-Security-Policy"] == strict_policy()
    assert answer.headers["Cache-Control"] == "no-store"
    assert "ETag" not in answer.headers


async def test_a_failure_is_a_page_without_a_traceback(
    site: Site, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_args: object, **_kwargs: object) -> object:
        raise RuntimeError("the database is gone: SELECT * FROM secrets")

    monkeypatch.setattr(site.app.store, "transaction", broken)
    answer = await site.get(f"/schedules/{PROVINCE}")
    assert answer.status == 500
    page = parse(answer.body)
    assert page.one("h1").text() == "Trang này tạm thời không hiển thị được"
    assert not [word for word in (*PYTHON_TEXT, "SELECT", "secrets") if word in answer.html]
    assert answer.headers["Cache-Control"] == "no-store"
    assert "rendering /schedules/demo-tinh-uy failed" in caplog.text
    # The rules come from the content files alone: still served.
    assert (await site.get("/rules")).status == 200


async def test_the_public_rate_limit_counts_the_pages(
    database_url: str, clock: FixedClock
) -> None:
    async with serving(
        database_url, clock, web={"public_rate_per_minute": 1, "public_burst": 3}
    ) as site:
        statuses = [(await site.get(path)).status for path in ("/", "/rules", "/", "/rules")]
        assert statuses == [200, 200, 200, 429]
        refused = await site.get(f"/schedules/{PROVINCE}")
        assert refused.status == 429
        assert int(refused.headers["Retry-After"]) >= 1


async def test_text_from_the_database_is_escaped(site: Site) -> None:
    now = site.clock.now()
    script = "<script>alert('lãnh đạo')</script>"
    async with site.app.store.transaction() as repo:
        unit = await repo.upsert_unit(
            "xa-thu",
            f"Xã {script}",
            UnitKind.PEOPLES_COMMITTEE,
            UnitLevel.COMMUNE,
            PROVINCE,
            '"><img src=x onerror=alert(1)>',
            now,
        )
        leader = await repo.upsert_leader(
            "ct-thu",
            unit.id,
            script,
            "Chủ tịch </td></tr></table><h1>giả</h1>",
            LeaderRole.COMMITTEE_CHAIR,
            "vi",
            now,
        )
        start = now + timedelta(days=10)
        await repo.add_session(
            NewSession(
                leader_id=leader.id,
                rule_id=None,
                nominal_date=start.date(),
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                location="<b>Hội trường</b> & phòng 2",
                capacity=5,
                published_at=now,
            ),
            None,
            now,
        )
    for path in ("/", f"/schedules/{PROVINCE}", "/schedules/xa-thu/poster?month=2026-12"):
        answer = await site.get(path)
        assert answer.status == 200
        assert "<script" not in answer.html and "<img" not in answer.html, path
        assert "&lt;script&gt;" in answer.html, path
        page = parse(answer.body)
        assert len(page.all("h1")) == 1, path
    schedule = parse((await site.get(f"/schedules/{PROVINCE}")).body)
    assert "<b>Hội trường</b> & phòng 2" in schedule.text()
    assert not schedule.all("b")


def test_make_run_tells_where_the_pages_are() -> None:
    told = web_side.addresses(configuration.Config(), 8080)
    assert "Public pages (units, schedules, rules): http://127.0.0.1:8080/" in told
    assert any("/schedules/<unit code>" in line for line in told)
