"""A Zalo Official Account against a fake of its APIs on 127.0.0.1: signed webhook events,
the rotating tokens, and messages past the consultation window."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from bot import config as configuration
from bot import runtime
from bot.app import App
from bot.core.clock import FixedClock
from bot.core.model import Channel, OutboxMessage
from storage.tables import CredentialRow, InboxRow, OutboxRow
from tests.channels.running import eventually, running_app, settled
from tests.conftest import OFFICERS
from tests.fakes.zalo_oa import (
    APP_ID,
    APP_SECRET,
    FIRST_REFRESH_TOKEN,
    OA_SECRET_KEY,
    FakeZaloOa,
)
from tests.support import Chat, register

USER = "oa-user-5501"
PATH = "/zalo-oa/events"
TEMPLATE = {"zns_template_id": "246810"}


@pytest.fixture
async def started(
    request: pytest.FixtureRequest, database_url: str, clock: FixedClock, oa: FakeZaloOa
) -> AsyncIterator[tuple[App, runtime.Running]]:
    options = getattr(request, "param", {})
    config = configuration.parse(
        {
            "database": {"url": database_url},
            "zalo_oa": {
                "enabled": True,
                "app_id": APP_ID,
                "secret_key": OA_SECRET_KEY,
                "app_secret": APP_SECRET,
                "refresh_token": FIRST_REFRESH_TOKEN,
                "oauth_base_url": oa.base_url,
                "api_base_url": oa.base_url,
                "zns_base_url": oa.base_url,
                "chat_gap_seconds": 0,
                **options,
            },
            "web": {"port": 0},
            "outbox": {"dispatch_every_seconds": 0.1, "retry_first_seconds": 0.2},
            "officers": OFFICERS,
        },
        {},
    )
    oa.now = clock.now
    async with running_app(config, clock) as started_app:
        yield started_app


async def post(running: runtime.Running, body: bytes, headers: dict[str, str]) -> int:
    url = f"http://127.0.0.1:{running.web.port}{PATH}"
    async with aiohttp.ClientSession() as http, http.post(url, data=body, headers=headers) as r:
        return r.status


async def until(condition: Callable[[], bool], within: float = 15.0) -> None:
    for _ in range(int(within / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the condition never held")


async def rows(app: App, table: Any, *where: Any) -> list[Any]:
    async with app.engine.connect() as connection:
        return list(await connection.execute(select(table).where(*where)))


async def test_a_bad_signature_is_refused_and_a_good_event_is_processed_once(
    started: tuple[App, runtime.Running], oa: FakeZaloOa
) -> None:
    app, running = started
    event = oa.event(USER, "/start")
    forged_body, forged = FakeZaloOa.signed(event, secret="not-the-oa-secret")
    body, signed = FakeZaloOa.signed(event)

    assert await post(running, forged_body, forged) == 403
    assert await post(running, body, {"Content-Type": "application/json"}) == 403
    assert await post(running, body + b" ", signed) == 403  # the body is what is signed
    assert await post(running, body, signed) == 200
    assert await post(running, body, signed) == 200  # Zalo retries: stored once

    await until(lambda: bool(oa.to(USER)))
    await settled(app, USER)
    assert len([m for m in oa.to(USER) if "Tiếp Dân" in m.text]) == 1
    assert len(await rows(app, InboxRow, InboxRow.channel == Channel.ZALO_OA.value)) == 1
    # The first refresh token was spent; the one in force is the new one, in the database.
    assert oa.refreshes == [FIRST_REFRESH_TOKEN]
    [credentials] = await rows(app, CredentialRow)
    assert credentials.refresh_token == oa.refresh_token == "rt-1"


async def test_a_button_tap_comes_back_as_text_and_answers_the_menu(
    started: tuple[App, runtime.Running], oa: FakeZaloOa
) -> None:
    _app, running = started
    assert await post(running, *FakeZaloOa.signed(oa.event(USER, "/register"))) == 200
    await until(lambda: any(m.buttons for m in oa.to(USER)))
    consent = next(m for m in oa.to(USER) if m.buttons)
    assert [b["type"] for b in consent.buttons] == ["oa.query.show"] * len(consent.buttons)
    count = len(oa.to(USER))

    tap = oa.event(USER, consent.payload_of("Đồng ý"))
    assert await post(running, *FakeZaloOa.signed(tap)) == 200

    await until(lambda: len(oa.to(USER)) > count)
    assert "Họ và tên" in oa.to(USER)[-1].text


async def test_a_replayed_old_event_is_refused(
    started: tuple[App, runtime.Running], oa: FakeZaloOa, clock: FixedClock
) -> None:
    _app, running = started
    old = oa.event(USER, "/start")
    clock.set(clock.now() + timedelta(days=2))
    assert await post(running, *FakeZaloOa.signed(old)) == 403
    assert oa.to(USER) == []


async def test_an_expired_token_is_renewed_and_the_message_still_goes(
    started: tuple[App, runtime.Running], oa: FakeZaloOa, clock: FixedClock
) -> None:
    app, running = started
    assert await post(running, *FakeZaloOa.signed(oa.event(USER, "/start"))) == 200
    await until(lambda: bool(oa.to(USER)))
    before = len(oa.to(USER))

    oa.expire_access_token()
    assert await post(running, *FakeZaloOa.signed(oa.event(USER, "/help"))) == 200
    for _ in range(300):  # until the API has refused the old token once
        refused = await rows(app, OutboxRow, OutboxRow.last_error.contains("-216"))
        if refused:
            break
        await asyncio.sleep(0.05)
    assert refused and refused[0].status == "pending"
    clock.set(clock.now() + timedelta(seconds=2))  # the retry's wait, on the app's clock

    await until(lambda: len(oa.to(USER)) > before)
    assert oa.refreshes == [FIRST_REFRESH_TOKEN, "rt-1"]
    [credentials] = await rows(app, CredentialRow)
    assert credentials.refresh_token == "rt-2" and credentials.access_token == "at-2"


async def test_a_failed_refresh_alerts_the_admins_and_loses_no_message(
    started: tuple[App, runtime.Running], oa: FakeZaloOa, clock: FixedClock
) -> None:
    app, running = started
    oa.refusing_refresh = True
    assert await post(running, *FakeZaloOa.signed(oa.event(USER, "/start"))) == 200
    await eventually(
        lambda: rows(app, OutboxRow, OutboxRow.last_error.contains("channel down")),
        "the reply put back to wait for the channel",
    )

    alerts = await rows(app, OutboxRow, OutboxRow.purpose == "admin_alert")
    assert [row.recipient for row in alerts] == ["admin"]
    assert "refresh token" in alerts[0].payload["text"]
    [reply] = await rows(app, OutboxRow, OutboxRow.recipient == USER)
    # Waiting for the channel does not use up the message's attempts.
    assert reply.status == "pending" and reply.attempts == 0 and oa.to(USER) == []

    oa.refusing_refresh = False
    clock.set(clock.now() + timedelta(seconds=61))  # the channel's wait, on the app's clock
    await until(lambda: bool(oa.to(USER)))
    assert "Tiếp Dân" in oa.to(USER)[0].text


async def test_a_refresh_refused_with_a_word_for_an_error_code_alerts_the_admins(
    started: tuple[App, runtime.Running], oa: FakeZaloOa
) -> None:
    """Zalo's OAuth side has answered errors as words ("invalid_grant"): the refresh fails as
    any refusal does, the administrators are told, and the bot goes on."""
    app, running = started
    for _ in range(3):
        oa.inject(
            "/v4/oa/access_token",
            200,
            '{"error": "invalid_grant", "error_description": "Refresh token expired"}',
        )
    assert await post(running, *FakeZaloOa.signed(oa.event(USER, "/start"))) == 200
    await eventually(
        lambda: rows(app, OutboxRow, OutboxRow.purpose == "admin_alert"),
        "the administrators told",
    )
    [alert] = await rows(app, OutboxRow, OutboxRow.purpose == "admin_alert")
    assert alert.recipient == "admin" and "refresh token" in alert.payload["text"]

    async def waiting() -> list[Any]:
        # Between two tries the reply waits; during one it is held ("sending").
        return [
            r
            for r in await rows(app, OutboxRow, OutboxRow.recipient == USER)
            if r.status == "pending"
        ]

    assert len(await eventually(waiting, "the reply waiting")) == 1
    assert oa.to(USER) == []


async def queue_notice_after_the_window(app: App, clock: FixedClock) -> str:
    """The citizen registered, then wrote nothing for eight days: an officer's notice."""
    chat = Chat(app.dialogue, user_id=USER, channel=Channel.ZALO_OA.value)
    code = await register(chat)
    clock.set(clock.now() + timedelta(days=8))
    async with app.store.transaction() as repo:
        await repo.enqueue(
            OutboxMessage(
                idempotency_key="late-notice",
                channel=Channel.ZALO_OA.value,
                recipient=USER,
                text=f"Phiếu {code}: cán bộ đã xem xét.",
                due_at=clock.now(),
            )
        )
    return code


async def test_past_the_window_without_zns_the_officers_are_asked_to_phone(
    started: tuple[App, runtime.Running], oa: FakeZaloOa, clock: FixedClock
) -> None:
    app, _running = started
    code = await queue_notice_after_the_window(app, clock)

    async def late_notice() -> list[Any]:
        return await rows(app, OutboxRow, OutboxRow.idempotency_key == "late-notice")

    for _ in range(400):
        [notice] = await late_notice()
        if notice.status not in {"pending", "sending"}:
            break
        await asyncio.sleep(0.05)
    assert notice.status == "failed" and "window" in notice.last_error
    assert not any("cán bộ đã xem xét" in m.text for m in oa.to(USER))

    async def phone_calls() -> list[Any]:
        alerts = await rows(app, OutboxRow, OutboxRow.purpose == "officer_alert")
        return [row for row in alerts if code in row.payload["text"]]

    for _ in range(100):  # queued just after the notice is given up
        if await phone_calls():
            break
        await asyncio.sleep(0.05)
    calls = await phone_calls()
    assert calls and all("+84912345678" in row.payload["text"] for row in calls)


@pytest.mark.parametrize("started", [TEMPLATE], indirect=True)
async def test_past_the_window_a_zns_template_carries_the_message(
    started: tuple[App, runtime.Running], oa: FakeZaloOa, clock: FixedClock
) -> None:
    app, _running = started
    code = await queue_notice_after_the_window(app, clock)

    await until(lambda: bool(oa.zns))
    [zns] = oa.zns
    assert zns["phone"] == "84912345678" and zns["template_id"] == "246810"
    assert zns["template_data"]["ma_phieu"] == code
    [notice] = await rows(app, OutboxRow, OutboxRow.idempotency_key == "late-notice")
    assert notice.status == "sent" and notice.provider_message_id == "zns1"


# --- the free replies after a citizen's message, and Zalo's own refusals -------------------------

QUOTA = {"free_replies_per_window": 2}


async def notices(app: App, clock: FixedClock, *keys: str) -> None:
    """Officers' notices to the citizen, due now, sent in this order."""
    async with app.store.transaction() as repo:
        for key in keys:
            await repo.enqueue(
                OutboxMessage(
                    idempotency_key=key,
                    channel=Channel.ZALO_OA.value,
                    recipient=USER,
                    text=f"Thông báo {key} về phiếu của bạn.",
                    due_at=clock.now(),
                )
            )


async def settled_rows(app: App, *keys: str) -> dict[str, Any]:
    async def done() -> dict[str, Any]:
        found = {
            row.idempotency_key: row
            for row in await rows(app, OutboxRow, OutboxRow.idempotency_key.in_(keys))
        }
        pending = any(row.status in {"pending", "sending"} for row in found.values())
        return found if len(found) == len(keys) and not pending else {}

    return await eventually(done, f"{keys} settled")


async def phone_calls(app: App, code: str) -> list[Any]:
    async def asked() -> list[Any]:
        alerts = await rows(app, OutboxRow, OutboxRow.purpose == "officer_alert")
        return [row for row in alerts if code in row.payload["text"]]

    return await eventually(asked, "the officers asked to phone")


@pytest.mark.parametrize("started", [{**QUOTA, **TEMPLATE}], indirect=True)
async def test_past_the_free_replies_the_next_message_goes_by_zns(
    started: tuple[App, runtime.Running], oa: FakeZaloOa, clock: FixedClock
) -> None:
    app, running = started
    code = await register(Chat(app.dialogue, user_id=USER, channel=Channel.ZALO_OA.value))
    await notices(app, clock, "n1", "n2", "n3")

    sent = await settled_rows(app, "n1", "n2", "n3")
    assert [m.text for m in oa.to(USER)] == [
        "Thông báo n1 về phiếu của bạn.",
        "Thông báo n2 về phiếu của bạn.",
    ]
    assert [sent[k].parts for k in ("n1", "n2")] == [1, 1]
    [zns] = oa.zns
    assert zns["template_data"]["ma_phieu"] == code
    assert zns["template_data"]["noi_dung"] == "Thông báo n3 về phiếu của bạn."
    assert (sent["n3"].status, sent["n3"].provider_message_id, sent["n3"].parts) == (
        "sent",
        "zns1",
        None,
    )

    # The citizen writes again: the count starts over, and the answer goes in the chat.
    clock.set(clock.now() + timedelta(minutes=1))
    assert await post(running, *FakeZaloOa.signed(oa.event(USER, "/start"))) == 200
    await until(lambda: len(oa.to(USER)) == 3)
    assert "Tiếp Dân" in oa.to(USER)[-1].text and len(oa.zns) == 1


@pytest.mark.parametrize("started", [QUOTA], indirect=True)
async def test_past_the_free_replies_without_zns_the_officers_are_asked_to_phone(
    started: tuple[App, runtime.Running], oa: FakeZaloOa, clock: FixedClock
) -> None:
    app, _running = started
    code = await register(Chat(app.dialogue, user_id=USER, channel=Channel.ZALO_OA.value))
    await notices(app, clock, "n1", "n2", "n3")

    sent = await settled_rows(app, "n1", "n2", "n3")
    assert [sent[k].status for k in ("n1", "n2", "n3")] == ["sent", "sent", "failed"]
    assert "window" in sent["n3"].last_error
    assert len(oa.to(USER)) == 2 and oa.zns == []
    calls = await phone_calls(app, code)
    assert all("+84912345678" in row.payload["text"] for row in calls)


@pytest.mark.parametrize(
    ("started", "answer"),
    [
        (TEMPLATE, {"error": -230, "message": "User has not interacted with the OA in 7 days"}),
        (TEMPLATE, {"error": -232, "message": "the last interaction has expired"}),
        (TEMPLATE, {"error": -211, "message": "Out of quota"}),
        ({}, {"error": -230, "message": "User has not interacted with the OA in 7 days"}),
    ],
    indirect=["started"],
)
async def test_a_window_refusal_inside_the_window_takes_the_same_path(
    started: tuple[App, runtime.Running],
    oa: FakeZaloOa,
    clock: FixedClock,
    answer: dict[str, Any],
) -> None:
    """Our count says the citizen may be written to; Zalo says no (the citizen's last
    message was not what we saw, or the rules changed): ZNS, or the officers' phone."""
    app, _running = started
    zns = app.config.zalo_oa.zns_template_id != ""
    code = await register(Chat(app.dialogue, user_id=USER, channel=Channel.ZALO_OA.value))
    oa.inject("/v3.0/oa/message/cs", 200, json.dumps(answer))
    await notices(app, clock, "n1")

    [notice] = (await settled_rows(app, "n1")).values()
    assert oa.to(USER) == []
    if zns:
        assert (notice.status, notice.provider_message_id) == ("sent", "zns1")
        assert [z["template_data"]["ma_phieu"] for z in oa.zns] == [code]
    else:
        assert notice.status == "failed" and oa.zns == []
        assert await phone_calls(app, code)


async def test_the_replies_of_one_turn_go_together_in_one_message(
    started: tuple[App, runtime.Running], oa: FakeZaloOa
) -> None:
    """/schedule in the middle of a registration: a note that the form waits, then the
    schedule; one consultation message carries both, as a free reply counts messages."""
    app, running = started
    assert await post(running, *FakeZaloOa.signed(oa.event(USER, "/register"))) == 200
    await until(lambda: bool(oa.to(USER)))
    await settled(app, USER)
    consent = len(oa.to(USER))
    assert await post(running, *FakeZaloOa.signed(oa.event(USER, "/schedule"))) == 200
    await until(lambda: len(oa.to(USER)) > consent)
    await settled(app, USER)
    [both] = oa.to(USER)[consent:]
    replies = sorted(
        await rows(app, OutboxRow, OutboxRow.recipient == USER), key=lambda row: row.id
    )[1:]
    assert len(replies) == 2
    first, second = (row.payload["text"] for row in replies)
    # The schedule's menu follows, numbered or as buttons.
    assert both.text.startswith(f"{first}\n\n{second}")
    assert {row.status for row in replies} == {"sent"}
    assert {row.provider_message_id for row in replies} == {f"cs{consent + 1}"}
    assert [row.parts for row in replies] == [None, 1]
