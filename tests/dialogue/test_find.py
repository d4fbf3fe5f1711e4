"""/find on the console: by ticket code, phone, ID number and name; the officer's units and
the confidential permission; the audit line of every lookup; refusals; pages; a name many
share; migration 0011."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from alembic import command
from sqlalchemy import select

from bot.app import App, build, prepare
from bot.core.clock import FixedClock
from bot.demo import load_demo
from bot.dialogue.officer import search
from storage import migrate
from storage.tables import AuditRow, RegistrationNameWordRow, RegistrationRow
from tests.conftest import config_for, fresh_schema
from tests.support import Chat, citizen, officer, submitted

# A second citizen, unlike tests.support.ANSWERS in name, phone and ID number.
BINH = {"full_name": "Trần Thị Bình", "phone": "0987 654 321", "id_number": "001190054321"}


async def audit(app: App) -> list[tuple[str, str, bool, str]]:
    async with app.engine.connect() as connection:
        rows = await connection.execute(
            select(AuditRow).where(AuditRow.action == "find").order_by(AuditRow.id)
        )
        return [(r.target, r.detail, r.allowed, r.actor) for r in rows.all()]


def listed(chat: Chat) -> list[str]:
    """The ticket codes of the result lines, in their order."""
    return [line.split(" · ")[0] for line in chat.text.splitlines() if " · " in line]


async def test_find_by_code_id_number_and_phone_in_every_format(app: App) -> None:
    code = await submitted(app)
    other = await submitted(app, user_id="1002", answers=BINH)
    desk = await officer(app)
    for text in (
        code,
        code.lower().replace("-", ""),
        "001090012345",
        "0912 345 678",
        "+84912345678",
        "84912345678",
        "0912.345.678",
    ):
        await desk.send(f"/find {text}")
        assert listed(desk) == [code], text
        assert "1 registration found" in desk.text
    line = next(line for line in desk.text.splitlines() if " · " in line)
    assert line == f"{code} · Complaint · Nguyễn Văn An · Waiting for review · 11/30/26"
    await desk.send("/find 001190054321")
    assert listed(desk) == [other]
    records = await audit(app)
    assert [(target, detail) for target, detail, _allowed, _actor in records] == [
        (f"code:{code}", "1 found"),
        (f"code:{code}", "1 found"),
        ("id:001090012345", "1 found"),
        *[("phone:+84912345678", "1 found")] * 4,
        ("id:001190054321", "1 found"),
    ]
    assert all(allowed and actor.startswith("officer:") for _t, _d, allowed, actor in records)


async def test_find_by_name_without_accents_in_any_order_best_match_first(app: App) -> None:
    an = await submitted(app)
    await submitted(app, user_id="1002", answers=BINH)
    anh = await submitted(app, user_id="1003", answers={"full_name": "Nguyễn Văn Anh"})
    desk = await officer(app)
    for text in ("nguyen van an", "an nguyen", "NGUYỄN văn An", "Văn, An"):
        await desk.send(f"/find {text}")
        # "an" is a whole word of An's name, only the start of Anh's: An first, though older.
        assert listed(desk) == [an, anh], text
    await desk.send("/find anh nguyen")
    assert listed(desk) == [anh]
    await desk.send("/find nguyen")
    assert listed(desk) == [anh, an]  # equally good: newest first
    await desk.send("/find thi binh tran")
    assert "Trần Thị Bình" in desk.text and len(listed(desk)) == 1
    assert [(t, d) for t, d, _a, _o in await audit(app)][:2] == [
        ("name:nguyen van an", "2 found"),
        ("name:an nguyen", "2 found"),
    ]


async def test_denunciations_are_found_only_with_the_confidential_permission(app: App) -> None:
    secret = await submitted(app, leader_code="ct-xa", kind="denunciation")
    commune = await officer(app, "commune-officer")
    for text in (secret, "nguyen van an", "0912345678", "001090012345"):
        await commune.send(f"/find {text}")
        assert secret not in commune.text and "Nguyễn Văn An" not in commune.text
        # Not even a count: it would tell that this person denounced someone.
        assert "No registration in your units matches" in commune.text
        assert "confidential" not in commune.text
    desk = await officer(app)  # the same kind of officer, with the permission
    await desk.send("/find an nguyen")
    assert listed(desk) == [secret] and "Denunciation · Nguyễn Văn An" in desk.text
    assert [d for _t, d, _a, _o in await audit(app)] == ["0 found"] * 4 + ["1 found"]


async def test_an_officer_finds_nothing_outside_their_units(app: App) -> None:
    province = await submitted(app, leader_code="bt-tinh")
    commune_code = await submitted(
        app, user_id="1002", leader_code="ct-xa", answers={"full_name": "Nguyễn Văn An Bình"}
    )
    commune = await officer(app, "commune-officer")
    await commune.send(f"/find {province}")
    assert "No registration in your units matches" in commune.text
    await commune.send("/find nguyen an")
    assert listed(commune) == [commune_code]
    await commune.send("/find 0912 345 678")
    assert listed(commune) == [commune_code]
    desk = await officer(app)  # no units: every unit
    await desk.send("/find nguyen an")
    assert listed(desk) == [commune_code, province]  # equally good: newest first


async def test_no_match_gets_a_polite_reply_in_vietnamese(app: App) -> None:
    await submitted(app)
    desk = await citizen(app, "officer", locale="vi")
    await desk.send("/find Lê Thị Hoa")
    assert desk.text.startswith("Không tìm thấy phiếu đăng ký nào")
    assert desk.payloads == []
    assert [(t, d) for t, d, _a, _o in await audit(app)] == [("name:le thi hoa", "0 found")]


async def test_unusable_text_is_explained_and_audited_without_it(app: App) -> None:
    desk = await officer(app)
    await desk.send("/find")
    assert "Usage: /find CODE | PHONE | ID | NAME [page N]" in desk.text
    await desk.send("/find a")
    assert "Please type between 2 and 100 characters" in desk.text
    await desk.send("/find " + "nguyen " * 43)
    assert "Please type between 2 and 100 characters" in desk.text
    await desk.send("/find 12345")
    assert "is neither a Vietnamese phone number nor a 12-digit ID number" in desk.text
    await desk.send("/find ?!")
    assert "Please type at least two letters" in desk.text
    assert await audit(app) == [
        ("", reason, False, (await audit(app))[0][3])
        for reason in ("usage", "bad_length", "bad_length", "bad_number", "bad_name")
    ]
    vi = await citizen(app, "officer", locale="vi")
    await vi.send("/find x")
    assert vi.text.startswith("Bạn vui lòng nhập từ 2 đến 100 ký tự")


@pytest.fixture
async def small_pages(database_url: str, clock: FixedClock) -> AsyncIterator[App]:
    """The whole app, with two registrations a page."""
    application = build(config_for(database_url, triage={"queue_page_size": 2}), clock)
    await fresh_schema(application.engine)
    async with application.store.transaction() as repo:
        await load_demo(repo, clock.now())
    await prepare(application)
    yield application
    await application.close()


async def test_results_come_in_pages(small_pages: App) -> None:
    app = small_pages
    codes = [await submitted(app, user_id=f"p{n}") for n in range(3)]
    desk = await officer(app)
    await desk.send("/find nguyen van an")
    assert "3 registrations found" in desk.text and "page 1 of 2" in desk.text
    assert listed(desk) == codes[:0:-1]
    await desk.tap("Next page")
    assert "page 2 of 2" in desk.text and listed(desk) == [codes[0]]
    await desk.tap("Previous page")
    assert "page 1 of 2" in desk.text
    await desk.send("/find an nguyen page 2")
    assert "page 2 of 2" in desk.text and listed(desk) == [codes[0]]
    await desk.send("/find an nguyen page 9")  # past the end: the last page
    assert "page 2 of 2" in desk.text
    assert [d for _t, d, _a, _o in await audit(app)] == ["3 found"] * 5
    # A citizen pressing an old button gets no officer's page.
    stranger = await citizen(app, "2002")
    await stranger.press("fq:1")
    assert codes[0] not in stranger.text


async def test_a_name_too_many_share_lists_the_newest_and_asks_to_narrow(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the count an officer reads, matches are neither ranked nor counted: the newest
    come first and the reply asks for more of the name; a rarer typed word still ranks."""
    monkeypatch.setattr(search, "COUNT_MAX", 2)
    ans = [await submitted(app, user_id=f"20{n}") for n in range(3)]
    binh = await submitted(app, user_id="1002", answers={"full_name": "Nguyễn Văn Bình"})
    desk = await officer(app)
    await desk.send("/find nguyen van")
    assert desk.text.startswith("More than 2 registrations match, newest first (page 1 of 1)")
    assert listed(desk) == [binh, ans[2]]
    await desk.send("/find van binh nguyen")  # "binh" is rare: ranked and counted
    assert listed(desk) == [binh] and "1 registration found" in desk.text
    await desk.send("/find van bi")
    assert listed(desk) == [binh]
    assert [d for _t, d, _a, _o in await audit(app)] == ["more than 2 found", "1 found", "1 found"]


async def test_migration_0011_indexes_the_words_of_the_names_already_there(app: App) -> None:
    code = await submitted(app, answers={"full_name": "Đặng Thị Ánh-Tuyết"})
    async with app.engine.begin() as connection:
        await connection.run_sync(
            lambda sync: command.downgrade(migrate.alembic_config(sync), "0010")
        )
    assert await migrate.current_revision(app.engine) == "0010"
    await migrate.upgrade(app.engine)
    assert await migrate.current_revision(app.engine) == migrate.HEAD_REVISION
    async with app.engine.connect() as connection:
        words = await connection.scalars(
            select(RegistrationNameWordRow.word)
            .join(RegistrationRow, RegistrationRow.id == RegistrationNameWordRow.registration_id)
            .where(RegistrationRow.code == code)
            .order_by(RegistrationNameWordRow.word)
        )
        assert list(words) == ["anh", "dang", "thi", "tuyet"]
    desk = await officer(app)
    await desk.send("/find tuyet dang")
    assert listed(desk) == [code]


async def test_find_is_in_the_officers_help(app: App) -> None:
    desk = await officer(app)
    await desk.send("/help")
    assert "• /find CODE | PHONE | ID | NAME [page N]: look up registrations" in desk.text
    await desk.send("/help find")
    assert "with or without accents, words in any order" in desk.text
