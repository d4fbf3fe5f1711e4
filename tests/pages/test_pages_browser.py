"""The public pages in a real browser (Debian's chromium): no serious or critical finding of
axe-core on any page in either language at phone and desktop sizes, the page's own policy
letting its stylesheet in and nothing else, what a reader sees (leaders, dates, the marks of
cancelled and moved sessions), the keyboard's way in, the poster printed to one A4 page
whose QR codes open the bot, and framing allowed to the configured portal only.

Screenshots, the poster's PDF and axe's findings are left in build/pages/. Skipped, saying
so, where chromium is not installed; run in the serial phase of `make test` (a browser
takes the machine's cores).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from playwright.async_api import ConsoleMessage, Page

from bot.core.clock import FixedClock
from bot.core.text import in_khmer
from tests.channels.running import eventually
from tests.pages.browser import (
    A4_PRINTED,
    CHROMIUM,
    DESKTOP,
    PHONE,
    axe,
    blocking,
    chromium,
    decode_qr,
    save,
    summary,
)
from tests.pages.conftest import (
    BOT,
    COMMUNE,
    OA_ID,
    PROVINCE,
    Site,
    change_schedule,
    serving,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.serial,
    pytest.mark.skipif(
        not CHROMIUM.is_file(),
        reason=f"Debian's chromium is not installed at {CHROMIUM} "
        "(apt-get install chromium, or .ci/browser-deps)",
    ),
]

# Each page a citizen or an officer opens, by the name of its screenshots.
PAGES = {
    "units": "/",
    "schedule": f"/schedules/{PROVINCE}",
    "embedded": f"/schedules/{PROVINCE}?embed=1",
    "poster": f"/schedules/{COMMUNE}/poster?month=2026-12",
    "rules": "/rules",
}
SIZES = {"phone": PHONE, "desktop": DESKTOP}


@pytest.fixture
def database_url(migrated_sqlite: Path, tmp_path: Path) -> str:
    """SQLite only: the pages read the same ports on both engines (tests/pages/
    test_pages_http.py runs on both); a browser's time is better spent on the pages."""
    shutil.copyfile(migrated_sqlite, tmp_path / "tiepdan.sqlite3")
    return f"sqlite+aiosqlite:///{tmp_path}/tiepdan.sqlite3"


def with_lang(path: str, lang: str) -> str:
    if lang == "vi":
        return path
    return f"{path}{'&' if '?' in path else '?'}lang={lang}"


def watch(page: Page) -> list[str]:
    """What the browser complains of: a refused stylesheet, a blocked load, an error."""
    said: list[str] = []

    def heard(message: ConsoleMessage) -> None:
        if message.type in {"error", "warning"}:
            said.append(message.text)

    page.on("console", heard)
    page.on("pageerror", lambda error: said.append(str(error)))
    return said


async def test_every_page_passes_axe_in_both_languages_at_both_sizes(site: Site) -> None:
    findings: dict[str, Any] = {}
    async with chromium() as browser:
        for size_name, size in SIZES.items():
            context = await browser.new_context(viewport=size)
            page = await context.new_page()
            complaints = watch(page)
            for name, path in PAGES.items():
                for lang in ("vi", "en"):
                    response = await page.goto(site.base + with_lang(path, lang))
                    assert response is not None and response.status == 200, path
                    key = f"{name}-{lang}-{size_name}"
                    found = await axe(page)
                    findings[key] = summary(found)
                    assert blocking(found) == [], key
                    # The inlined stylesheet applied: the policy's hash let it in.
                    assert await page.evaluate("getComputedStyle(document.body).fontFamily") == (
                        '"Noto Sans", "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
                    )
                    # Nothing wider than the screen: no sideways scrolling on a phone.
                    width = await page.evaluate("document.documentElement.scrollWidth")
                    assert width <= size["width"], (key, width)
                    save(f"{key}.png", await page.screenshot(full_page=True))
            assert complaints == []
            await context.close()
    save("axe.json", findings)
    # Below serious, what is left is listed in build/pages/axe.json; there is none today.
    assert {key: v["violations"] for key, v in findings.items() if v["violations"]} == {}


async def test_a_reader_sees_the_leaders_the_dates_and_the_marks(site: Site) -> None:
    async with chromium() as browser:
        page = await browser.new_page(viewport=PHONE)
        await page.goto(f"{site.base}/schedules/{PROVINCE}")
        seen = await page.inner_text("main")
        for words in (
            "Nguyễn Văn Minh, Bí thư Tỉnh ủy",
            "Lê Văn Hùng, Bí thư Đảng ủy xã",
            "Thứ Hai, ngày 07/12/2026",
            "Thứ Tư, ngày 16/12/2026",
            "14:00–16:30",
            "còn 6 lượt",
            "Buổi tiếp này đã bị hủy.",
        ):
            assert words in seen, words
        # The marks are words on screen (uppercase by style), not a colour alone.
        assert (await page.inner_text("tr.cancelled .mark")).upper() == "ĐÃ HỦY"
        assert (await page.inner_text("tr.moved .mark")).upper() == "ĐÃ DỜI LỊCH"
        assert (
            await page.locator("tr.cancelled time").evaluate(
                "time => getComputedStyle(time).textDecorationLine"
            )
            == "line-through"
        )
        # On a phone each session is a block: its place under its date, not squeezed beside.
        date_box = await page.locator("tr.cancelled th").bounding_box()
        place_box = await page.locator("tr.cancelled td").first.bounding_box()
        assert date_box and place_box and place_box["y"] >= date_box["y"] + date_box["height"]

        await page.goto(f"{site.base}/schedules/{PROVINCE}?lang=en")
        seen = await page.inner_text("main")
        assert "Monday, December 7, 2026" in seen
        assert (await page.inner_text("tr.cancelled .mark")).upper() == "CANCELLED"
        assert (await page.inner_text("tr.moved .mark")).upper() == "MOVED"


async def test_the_keyboard_finds_the_skip_link_and_a_visible_focus(site: Site) -> None:
    async with chromium() as browser:
        page = await browser.new_page(viewport=DESKTOP)
        await page.goto(f"{site.base}/schedules/{PROVINCE}")
        skip = page.locator("a.skip-link")
        assert not await skip.evaluate("a => a.getBoundingClientRect().right > 0")
        await page.keyboard.press("Tab")
        assert await page.evaluate("document.activeElement.className") == "skip-link"
        box = await skip.bounding_box()
        assert box and box["x"] >= 0 and box["y"] >= 0
        # The focused link is marked by a yellow background, not by colour of text alone.
        assert await skip.evaluate("a => getComputedStyle(a).backgroundColor") == (
            "rgb(255, 191, 71)"
        )
        await page.keyboard.press("Enter")
        assert await page.evaluate("document.activeElement.id") == "content"
        # The next stop is the first link of the page's own content.
        await page.keyboard.press("Tab")
        focused = await page.evaluate("document.activeElement.getAttribute('href')")
        assert focused == "#register"


async def test_the_poster_prints_on_one_a4_page_and_its_codes_open_the_bot(site: Site) -> None:
    async with chromium() as browser:
        context = await browser.new_context(viewport=A4_PRINTED, device_scale_factor=2)
        page = await context.new_page()
        complaints = watch(page)
        await page.goto(f"{site.base}{PAGES['poster']}")
        await page.emulate_media(media="print")
        pdf = await page.pdf(prefer_css_page_size=True, print_background=True)
        save("poster-vi.pdf", pdf)
        assert pdf.startswith(b"%PDF-")
        # One A4 page (595 x 842 points), as @page says.
        assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1
        [box] = {
            tuple(round(float(n)) for n in found.split())
            for found in re.findall(rb"/MediaBox\s*\[([\d.\s]+)\]", pdf)
        }
        assert box == (0, 0, 595, 842)
        # In print, nothing of the screen: no header, no help.
        assert not await page.locator(".site-header").is_visible()
        assert not await page.locator(".poster-help").is_visible()
        # Each code, as the browser drew it, says the deep link it is captioned with.
        codes = page.locator("svg.qr-code")
        assert await codes.count() == 2
        read = [decode_qr(await codes.nth(i).screenshot()) for i in range(2)]
        assert read == [[f"https://t.me/{BOT}?start=reg_bt-xa"], [f"https://zalo.me/{OA_ID}"]]
        # And again from the whole printed sheet, as a phone's camera would see it.
        sheet = await page.screenshot(full_page=True)
        save("poster-vi-a4.png", sheet)
        assert sorted(decode_qr(sheet)) == sorted(
            [f"https://t.me/{BOT}?start=reg_bt-xa", f"https://zalo.me/{OA_ID}"]
        )
        # Printed in millimetres: the code is 36 mm wide, a size phones read at arm's length.
        width = await codes.first.evaluate("svg => svg.getBoundingClientRect().width")
        assert abs(width - 36 * 96 / 25.4) < 1
        assert complaints == []
        await context.close()


async def test_only_the_configured_portal_may_frame_the_schedule(
    database_url: str, clock: FixedClock
) -> None:
    # Two portals on this machine, each its own origin: one allowed, one not.
    runners: list[web.AppRunner] = []
    origins: list[str] = []
    frames: dict[str, str] = {}

    async def portal(request: web.Request) -> web.Response:
        return web.Response(
            text=(
                '<!DOCTYPE html><html lang="vi"><head><title>Cổng thông tin xã</title></head>'
                f'<body><h1>Cổng thông tin xã</h1><iframe title="Lịch tiếp công dân" '
                f'src="{frames[request.query["frame"]]}" width="800" height="600"></iframe>'
                "</body></html>"
            ),
            content_type="text/html",
        )

    try:
        for _ in range(2):
            app = web.Application()
            app.router.add_get("/", portal)
            runner = web.AppRunner(app)
            await runner.setup()
            tcp = web.TCPSite(runner, "localhost", 0)
            await tcp.start()
            runners.append(runner)
            origins.append(f"http://localhost:{runner.addresses[0][1]}")
        allowed, other = origins
        async with serving(database_url, clock, web={"embed_origins": [allowed]}) as site:
            await change_schedule(site)
            frames["embed"] = f"{site.base}/schedules/{PROVINCE}?embed=1"
            frames["full"] = f"{site.base}/schedules/{PROVINCE}"
            async with chromium() as browser:
                page = await browser.new_page(viewport=DESKTOP)

                async def framed(origin: str, frame: str) -> str | None:
                    """The heading of the schedule inside the portal's frame; None when the
                    browser refused to show it there and showed its error page instead."""
                    await page.goto(f"{origin}/?frame={frame}")
                    [inner] = [f for f in page.frames if f is not page.main_frame]

                    async def arrived() -> str:
                        # The frame's own navigation may end after the portal's load event.
                        return inner.url if inner.url not in ("", "about:blank") else ""

                    url = await eventually(arrived, f"the frame of {origin} loads", within=15)
                    if url.startswith("chrome-error://"):
                        return None
                    assert url == frames[frame], url
                    await inner.wait_for_load_state("load")
                    return await inner.locator("main#content h1").inner_text()

                heading = await framed(allowed, "embed")
                assert heading is not None
                assert heading.splitlines() == [
                    "LỊCH TIẾP CÔNG DÂN",
                    "Tỉnh ủy Lạc Hồng (dữ liệu mẫu)",
                ]
                save("embedded-vi.png", await page.screenshot(full_page=True))
                assert await framed(other, "embed") is None
                assert await framed(allowed, "full") is None
    finally:
        for runner in runners:
            await runner.cleanup()


async def test_the_khmer_pages_pass_axe_and_say_their_rules_are_a_translation(
    database_url: str, clock: FixedClock
) -> None:
    """Where a deployment offers Khmer: each page in Khmer at phone size, free of serious
    findings, written in Khmer script (a Khmer font from the system: fonts-noto-core), the
    rules with their note and a link to the Vietnamese."""
    async with (
        serving(database_url, clock, bot={"locales": ["vi", "en", "km"]}) as site,
        chromium() as browser,
    ):
        page = await browser.new_page(viewport=PHONE)
        complaints = watch(page)
        for name, path in PAGES.items():
            response = await page.goto(site.base + with_lang(path, "km"))
            assert response is not None and response.status == 200, path
            assert await page.get_attribute("html", "lang") == "km"
            found = await axe(page)
            assert blocking(found) == [], name
            assert found["violations"] == [], (name, summary(found))
            seen = await page.inner_text("main")
            assert in_khmer(seen), name
            # Nothing wider than the screen, however long the Khmer words are.
            width = await page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], (name, width)
            save(f"{name}-km-phone.png", await page.screenshot(full_page=True))
        await page.goto(f"{site.base}/rules?lang=km")
        note = page.locator("p.panel[role=note]")
        assert await note.count() == 1
        await note.locator("a").click()
        assert await page.get_attribute("html", "lang") == "vi"
        assert complaints == []
