"""A citizen's data rights over Telegram, end to end against the fake Bot API: /mydata comes
with its JSON document; /withdraw erases what no law keeps, and nothing reaches the chat
afterwards, not even the reminders that were queued."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot import runtime
from bot.app import App
from bot.core.clock import FixedClock
from storage.tables import CitizenRow, OutboxRow, RegistrationRow
from tests.channels.telegram_steps import register, say, tap
from tests.channels.test_telegram import running_app
from tests.conftest import START
from tests.fakes.telegram import FakeTelegram

CITIZEN = 7101


@pytest.fixture
async def polling(database_url: str, clock: FixedClock, fake: FakeTelegram) -> AsyncIterator[App]:
    app, running = await running_app(database_url, clock, fake)
    try:
        yield app
    finally:
        await runtime.stop(running)
        await app.close()


async def test_mydata_and_withdraw_over_telegram(
    polling: App, fake: FakeTelegram, clock: FixedClock
) -> None:
    code = await register(fake, CITIZEN)
    corrected = await say(
        fake, CITIZEN, f"/correct {code} dia chi Số 9 ngõ 4 phố Huế, phường Hai Bà Trưng"
    )
    assert corrected.text.startswith(f"Đã sửa trên phiếu {code}: cán bộ sẽ xem địa chỉ mới.")
    await say(fake, CITIZEN, "/mydata")
    documents = [m for m in fake.to(CITIZEN) if m.document is not None]
    assert len(documents) == 1 and documents[0].document_name == (
        "tiepdan-my-data-2026-11-30.json"
    )
    held = json.loads(documents[0].document or "")
    assert held["identity"] == {
        **held["identity"],
        "channel": "telegram",
        "user_id": str(CITIZEN),
    }
    assert [r["code"] for r in held["registrations"]] == [code]
    assert held["registrations"][0]["phone"] == "+84912345678"
    assert held["registrations"][0]["address"] == "Số 9 ngõ 4 phố Huế, phường Hai Bà Trưng"
    async with polling.engine.connect() as connection:
        before = (
            await connection.execute(select(RegistrationRow).where(RegistrationRow.code == code))
        ).one()
    assert before.full_name == "Nguyễn Văn An" and before.id_number == "001090012345"
    asked = await say(fake, CITIZEN, "/withdraw")
    assert asked.buttons()
    done = await tap(fake, CITIZEN, "rt:withdraw:yes")
    assert done.text.startswith("Sự đồng ý của bạn đã được rút lại")
    async with polling.engine.connect() as connection:
        after = (
            await connection.execute(select(RegistrationRow).where(RegistrationRow.code == code))
        ).one()
        identity = (
            await connection.execute(select(CitizenRow).where(CitizenRow.id == before.citizen_id))
        ).one()
        waiting = (
            await connection.execute(
                select(OutboxRow.status).where(
                    OutboxRow.channel == "telegram",
                    OutboxRow.recipient == str(CITIZEN),
                    OutboxRow.status == "pending",
                )
            )
        ).all()
    assert (after.status, after.full_name, after.phone, after.id_number) == (
        "withdrawn",
        "—",
        "",
        "",
    )
    assert identity.channel_user_id == f"withdrawn:{before.citizen_id}" and waiting == []
    heard = len(fake.to(CITIZEN))
    # Days pass: the planner and the dispatcher run, and nothing reaches the chat.
    clock.set(START + timedelta(days=20))
    await say(fake, 5001, "/today")
    assert len(fake.to(CITIZEN)) == heard
    # Writing again is a newcomer's first message: registering asks for consent again.
    again = await say(fake, CITIZEN, "/register")
    assert "bạn có đồng ý để dữ liệu của bạn được xử lý" in again.text
    assert [button["callback_data"] for button in again.buttons()] == [
        "reg:consent:yes",
        "reg:consent:no",
    ]
