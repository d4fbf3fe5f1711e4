"""Sending as a Zalo Official Account, against the fake OA APIs on 127.0.0.1 and the test's
database: the rotating tokens (a missing one, a new one configured, a short-lived one, a
refresh another instance won, tokens that cannot be stored), what each refusal of the API
means for the outbox, and the ZNS template past the consultation window."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import UTC, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import App
from bot.core.clock import FixedClock
from bot.core.model import Choice, OutboxItem, Reply
from bot.core.ports import Repository, Store, StoreUnavailable
from bot.core.sending import (
    ChannelDown,
    OutsideWindow,
    Rejected,
    RetryAfter,
    SendFailure,
    Unavailable,
    Unreachable,
)
from handlers.zalo import errors as zalo_errors
from handlers.zalo.errors import BOT_ERRORS, OA_ERRORS, ZNS_ERRORS, Meaning
from handlers.zalo.oa_api import TokenPair, ZaloOaClient, ZaloOaError
from handlers.zalo.oa_sender import (
    FLOOD_WAIT_SECONDS,
    NIGHT_WAIT_SECONDS,
    SETUP_WAIT_SECONDS,
    ZaloOaSender,
    ZnsFallback,
)
from handlers.zalo.oa_tokens import UNSTATED_LIFETIME, OaTokens, TokenUnavailable
from storage.tables import CredentialRow
from tests.fakes.zalo_oa import APP_ID, APP_SECRET, FIRST_REFRESH_TOKEN, FakeZaloOa

USER = "oa-user-8080"
MESSAGES = "/v3.0/oa/message/cs"
TEMPLATES = "/message/template"


class Meddling(ZaloOaClient):
    """The OA client, with something else happening just before or just after a refresh (another
    instance of the bot at work, the database going away)."""

    def __init__(self, oa: FakeZaloOa) -> None:
        super().__init__(
            oauth_base_url=oa.base_url, api_base_url=oa.base_url, zns_base_url=oa.base_url
        )
        self.before: Callable[[], Awaitable[object]] | None = None
        self.after: Callable[[], Awaitable[object]] | None = None

    async def refresh(self, app_id: str, app_secret: str, refresh_token: str) -> TokenPair:
        if self.before is not None:
            await self.before()
        pair = await super().refresh(app_id, app_secret, refresh_token)
        if self.after is not None:
            await self.after()
        return pair


class Breakable:
    """The store, until ``broken``: then every transaction fails as a database that does not
    answer fails."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.broken = False

    def transaction(self) -> contextlib.AbstractAsyncContextManager[Repository]:
        if self.broken:
            return _Refusing()
        return self._store.transaction()


class _Refusing(contextlib.AbstractAsyncContextManager[Repository]):
    async def __aenter__(self) -> Repository:
        raise StoreUnavailable("the database does not answer")

    async def __aexit__(self, *_exc: object) -> None:
        return None


class Alerts:
    """What the administrators were told (``on_failure``)."""

    def __init__(self) -> None:
        self.said: list[str] = []

    async def __call__(self, error: str) -> None:
        self.said.append(error)


@pytest.fixture
async def client(oa: FakeZaloOa) -> AsyncIterator[Meddling]:
    client = Meddling(oa)
    yield client
    await client.close()


def tokens_for(
    client: ZaloOaClient,
    store: Store,
    clock: FixedClock,
    alerts: Alerts | None = None,
    *,
    first: str = FIRST_REFRESH_TOKEN,
    renew_before: timedelta = timedelta(hours=1),
) -> OaTokens:
    return OaTokens(
        client,
        store,
        clock,
        app_id=APP_ID,
        app_secret=APP_SECRET,
        first_refresh_token=first,
        renew_before=renew_before,
        on_failure=alerts or Alerts(),
    )


async def stored(app: App) -> Any:
    async with app.engine.connect() as connection:
        return (await connection.execute(select(CredentialRow))).one()


# --- the tokens ---------------------------------------------------------------------------------


async def test_without_any_refresh_token_there_is_no_access_token_and_no_call(
    app: App, clock: FixedClock, client: Meddling, oa: FakeZaloOa
) -> None:
    tokens = tokens_for(client, app.store, clock, first="")
    with pytest.raises(TokenUnavailable, match=r"set \[zalo_oa\] refresh_token"):
        await tokens.access_token()
    assert oa.refreshes == []
    # The sender reads it as the channel being down (not the message being wrong).
    with pytest.raises(ChannelDown) as down:
        await ZaloOaSender(client, tokens).send(USER, Reply("Xin chào"))
    assert down.value.seconds == 60.0
    assert oa.sent == []


async def test_once_a_pair_is_stored_no_configured_token_is_needed(
    app: App, clock: FixedClock, client: Meddling, oa: FakeZaloOa
) -> None:
    assert await tokens_for(client, app.store, clock).access_token() == "at-1"
    # A restart with the refresh token removed from the configuration: the stored pair serves.
    assert await tokens_for(client, app.store, clock, first="").access_token() == "at-1"
    assert oa.refreshes == [FIRST_REFRESH_TOKEN]


async def test_a_newly_configured_refresh_token_replaces_the_stored_pair(
    app: App,
    clock: FixedClock,
    client: Meddling,
    oa: FakeZaloOa,
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert await tokens_for(client, app.store, clock).access_token() == "at-1"
    # The pair was lost on Zalo's side; the OA was authorised again and gave a new token,
    # which an administrator puts in the configuration.
    oa.refresh_token = "rt-again"
    tokens = tokens_for(client, app.store, clock, first="rt-again")
    with caplog.at_level(logging.WARNING, logger="handlers.zalo.oa_tokens"):
        assert await tokens.access_token() == "at-2"
    assert "Zalo OA: a new refresh token was configured; it replaces the pair" in [
        r.getMessage() for r in caplog.records
    ]
    assert oa.refreshes == [FIRST_REFRESH_TOKEN, "rt-again"]
    row = await stored(app)
    assert (row.access_token, row.refresh_token) == ("at-2", "rt-2")
    # Configured and stored now agree: no second replacement.
    assert await tokens_for(client, app.store, clock, first="rt-again").access_token() == "at-2"
    assert len(oa.refreshes) == 2


async def test_invalidating_forgets_only_the_token_it_names(
    app: App, clock: FixedClock, client: Meddling, oa: FakeZaloOa
) -> None:
    tokens = tokens_for(client, app.store, clock)
    assert await tokens.access_token() == "at-1"
    # A refusal of a token already replaced (by another sender) changes nothing.
    await tokens.invalidate("at-0")
    assert await tokens.access_token() == "at-1"
    assert oa.refreshes == [FIRST_REFRESH_TOKEN]
    await tokens.invalidate("at-1")
    assert await tokens.access_token() == "at-2"
    assert oa.refreshes == [FIRST_REFRESH_TOKEN, "rt-1"]


@pytest.mark.parametrize("lifetime", ["0", "", "soon"])
async def test_a_pair_without_a_lifetime_is_kept_and_assumed_short_lived(
    app: App,
    clock: FixedClock,
    client: Meddling,
    oa: FakeZaloOa,
    caplog: pytest.LogCaptureFixture,
    lifetime: str,
) -> None:
    # Zalo has spent the old refresh token by the time it answers: dropping the new pair for
    # a missing lifetime would lock the OA out until someone authorised it again.
    oa.expires_in = lifetime
    alerts = Alerts()
    with caplog.at_level(logging.WARNING, logger="handlers.zalo.oa_tokens"):
        assert await tokens_for(client, app.store, clock, alerts).access_token() == "at-1"
    assert alerts.said == []
    assert any("without expires_in" in r.getMessage() for r in caplog.records)
    row = await stored(app)
    assert (row.access_token, row.refresh_token) == ("at-1", "rt-1")
    assert row.access_expires_at.replace(tzinfo=UTC) == clock.now() + UNSTATED_LIFETIME


async def test_a_short_lived_token_is_renewed_half_way_through_its_life(
    app: App, clock: FixedClock, client: Meddling, oa: FakeZaloOa
) -> None:
    oa.expires_in = "600"  # ten minutes, shorter than the hour's margin
    tokens = tokens_for(client, app.store, clock, renew_before=timedelta(hours=1))
    assert await tokens.access_token() == "at-1"
    # With the hour's margin every call would refresh; the margin is now five minutes.
    assert await tokens.access_token() == "at-1"
    clock.set(clock.now() + timedelta(minutes=4))
    assert await tokens.access_token() == "at-1"
    assert oa.refreshes == [FIRST_REFRESH_TOKEN]
    clock.set(clock.now() + timedelta(minutes=2))
    assert await tokens.access_token() == "at-2"
    assert oa.refreshes == [FIRST_REFRESH_TOKEN, "rt-1"]


async def test_a_refresh_another_instance_made_first_is_used_without_alarm(
    app: App, clock: FixedClock, client: Meddling, oa: FakeZaloOa, oa_client: ZaloOaClient
) -> None:
    alerts = Alerts()
    ours = tokens_for(client, app.store, clock, alerts)
    theirs = tokens_for(oa_client, app.store, clock)
    # Both read the same refresh token; the other instance spends it just before this one.
    client.before = theirs.access_token

    assert await ours.access_token() == "at-1"

    assert oa.refreshes == [FIRST_REFRESH_TOKEN, FIRST_REFRESH_TOKEN]  # ours was refused
    assert alerts.said == []
    row = await stored(app)
    assert (row.access_token, row.refresh_token) == ("at-1", "rt-1")


async def test_a_pair_another_instance_stored_meanwhile_stands(
    app: App, clock: FixedClock, client: Meddling, oa: FakeZaloOa
) -> None:
    ours = tokens_for(client, app.store, clock)

    async def another_instance_stores_its_pair() -> None:
        async with app.store.transaction() as repo:
            current = await repo.credentials("zalo_oa")
            assert current is not None
            theirs = replace(
                current,
                access_token="at-theirs",
                access_expires_at=clock.now() + timedelta(hours=25),
                refresh_token="rt-theirs",
            )
            assert await repo.save_credentials(
                "zalo_oa", theirs, current.refresh_token, clock.now()
            )

    client.after = another_instance_stores_its_pair

    assert await ours.access_token() == "at-theirs"
    row = await stored(app)
    assert (row.access_token, row.refresh_token) == ("at-theirs", "rt-theirs")


async def test_new_tokens_that_cannot_be_stored_are_reported_loudly(
    app: App, clock: FixedClock, client: Meddling, oa: FakeZaloOa
) -> None:
    store = Breakable(app.store)
    alerts = Alerts()
    tokens = tokens_for(client, store, clock, alerts)

    async def database_goes_away() -> None:
        store.broken = True

    client.after = database_goes_away
    with pytest.raises(TokenUnavailable, match="does not answer"):
        await tokens.access_token()
    assert alerts.said == ["the new tokens could not be stored: the database does not answer"]
    # Zalo spent the old refresh token and issued rt-1, which the database never got: the
    # stored pair still names the spent one (hence the alert).
    assert oa.refresh_token == "rt-1"
    store.broken = False
    row = await stored(app)
    assert (row.access_token, row.refresh_token) == ("", FIRST_REFRESH_TOKEN)


# --- what each refusal means for the outbox ------------------------------------------------------


@pytest.fixture
async def oa_client(oa: FakeZaloOa) -> AsyncIterator[ZaloOaClient]:
    client = ZaloOaClient(
        oauth_base_url=oa.base_url, api_base_url=oa.base_url, zns_base_url=oa.base_url
    )
    yield client
    await client.close()


@pytest.mark.parametrize(
    ("status", "answer", "expected", "words"),
    [
        (200, {"error": -32, "message": "Too many requests"}, RetryAfter, "retry after"),
        (429, {"message": "slow down"}, RetryAfter, "retry after"),
        (200, {"error": -210, "message": "Parameter text is invalid"}, Rejected, "-210"),
        (400, {"message": "bad request"}, Rejected, "400: bad request"),
        (503, {"message": "overloaded"}, Unavailable, "503: overloaded"),
        (502, "<html>Bad Gateway</html>", Unavailable, "502: not JSON"),
        # A proxy's page or a cut-off body with 200: the service is in trouble, not the message.
        (200, "<html>Đang bảo trì</html>", Unavailable, "200: not JSON"),
        (200, "[]", Unavailable, "200: not an API answer"),
        # An error code that is not a number is still an error, classified by the status.
        (503, {"error": "busy", "message": "overloaded"}, Unavailable, "503: overloaded"),
    ],
)
async def test_each_oa_refusal_means_what_the_outbox_must_do(
    app: App,
    clock: FixedClock,
    oa_client: ZaloOaClient,
    oa: FakeZaloOa,
    status: int,
    answer: Any,
    expected: type[SendFailure],
    words: str,
) -> None:
    tokens = tokens_for(oa_client, app.store, clock)
    oa.inject(MESSAGES, status, answer if isinstance(answer, str) else json.dumps(answer))
    with pytest.raises(expected) as raised:
        await ZaloOaSender(oa_client, tokens).send(USER, Reply("Xin chào"))
    assert type(raised.value) is expected and words in str(raised.value)
    if isinstance(raised.value, RetryAfter):
        assert raised.value.seconds == FLOOD_WAIT_SECONDS
    # Not a token problem: the token in force stays.
    assert await tokens.access_token() == "at-1" and oa.refreshes == [FIRST_REFRESH_TOKEN]


@pytest.mark.parametrize(
    ("status", "answer"),
    [(200, {"error": -124, "message": "Access token is invalid"}), (401, {"message": "no"})],
)
async def test_a_refused_token_is_forgotten_and_the_message_tried_again_later(
    app: App,
    clock: FixedClock,
    oa_client: ZaloOaClient,
    oa: FakeZaloOa,
    status: int,
    answer: dict[str, Any],
) -> None:
    tokens = tokens_for(oa_client, app.store, clock)
    sender = ZaloOaSender(oa_client, tokens)
    oa.inject(MESSAGES, status, json.dumps(answer))
    with pytest.raises(Unavailable):
        await sender.send(USER, Reply("Xin chào"))
    assert (await stored(app)).access_token == ""
    # The next attempt renews the token first, and goes.
    assert await sender.send(USER, Reply("Xin chào")) == "cs1"
    assert oa.refreshes == [FIRST_REFRESH_TOKEN, "rt-1"]
    assert [m.text for m in oa.to(USER)] == ["Xin chào"]


async def test_an_unreachable_api_is_tried_again_later(
    app: App, clock: FixedClock, oa_client: ZaloOaClient, oa: FakeZaloOa
) -> None:
    tokens = tokens_for(oa_client, app.store, clock)
    assert await tokens.access_token() == "at-1"
    await oa.stop()
    with pytest.raises(Unavailable, match=r"^Client\w*Error: "):
        await ZaloOaSender(oa_client, tokens).send(USER, Reply("Xin chào"))
    # The token was not at fault.
    assert (await stored(app)).access_token == "at-1"


async def test_a_short_menu_goes_as_buttons_on_the_last_part_only(
    app: App, clock: FixedClock, oa_client: ZaloOaClient, oa: FakeZaloOa
) -> None:
    text = "\n".join(f"Dòng {n}: " + "chữ " * 40 for n in range(15))
    reply = Reply(text, (Choice("Đồng ý", "reg:yes"), Choice("Không", "reg:no")))
    last = await ZaloOaSender(oa_client, tokens_for(oa_client, app.store, clock)).send(USER, reply)
    parts = oa.to(USER)
    assert len(parts) > 1 and last == f"cs{len(parts)}"
    assert [bool(p.buttons) for p in parts] == [False] * (len(parts) - 1) + [True]
    assert parts[-1].buttons == [
        {"title": "Đồng ý", "type": "oa.query.show", "payload": "reg:yes"},
        {"title": "Không", "type": "oa.query.show", "payload": "reg:no"},
    ]


async def test_api_answers_that_are_not_json_objects_are_errors(
    oa_client: ZaloOaClient, oa: FakeZaloOa
) -> None:
    oa.inject("/v4/oa/access_token", 200, "[]")
    with pytest.raises(ZaloOaError, match="not an API answer"):
        await oa_client.refresh(APP_ID, APP_SECRET, FIRST_REFRESH_TOKEN)
    oa.inject(MESSAGES, 504, "Gateway Timeout")
    with pytest.raises(ZaloOaError) as refused:
        await oa_client.send("at-x", USER, "Xin chào")
    assert (refused.value.code, refused.value.status, refused.value.message) == (
        504,
        504,
        "not JSON",
    )


# --- past the consultation window: ZNS ----------------------------------------------------------


def late_notice(text: str = "Phiếu ABCD-1234: cán bộ đã xem xét. " * 5) -> OutboxItem:
    return OutboxItem(
        id=7,
        key="notice:" + "k" * 80,
        channel="zalo_oa",
        recipient=USER,
        reply=Reply(text),
        attempts=0,
        expires_at=None,
        guard=None,
    )


class Contacts:
    """The registration a message is about, and the officers asked to phone."""

    def __init__(self, found: tuple[str, str] | None) -> None:
        self.found = found
        self.asked: list[int] = []
        self.phoned: list[OutboxItem] = []

    async def contact(self, item: OutboxItem) -> tuple[str, str] | None:
        self.asked.append(item.id)
        return self.found

    async def tell_officers(self, item: OutboxItem) -> None:
        self.phoned.append(item)


def fallback(
    client: ZaloOaClient, tokens: OaTokens, contacts: Contacts, template: str = "246810"
) -> ZnsFallback:
    return ZnsFallback(
        client,
        tokens,
        template_id=template,
        code_param="ma_phieu",
        text_param="noi_dung",
        contact=contacts.contact,
        tell_officers=contacts.tell_officers,
    )


async def test_zns_carries_the_code_and_the_start_of_the_message_to_the_phone(
    app: App, clock: FixedClock, oa_client: ZaloOaClient, oa: FakeZaloOa
) -> None:
    contacts = Contacts(("+84912345678", "ABCD-1234"))
    item = late_notice()
    zns = fallback(oa_client, tokens_for(oa_client, app.store, clock), contacts)
    assert await zns.deliver(item) == "zns1"
    assert oa.zns == [
        {
            "phone": "84912345678",
            "template_id": "246810",
            "template_data": {"ma_phieu": "ABCD-1234", "noi_dung": item.reply.text[:100]},
            "tracking_id": item.key[:64],
        }
    ]


async def test_without_a_template_or_a_phone_zns_sends_nothing(
    app: App, clock: FixedClock, oa_client: ZaloOaClient, oa: FakeZaloOa
) -> None:
    tokens = tokens_for(oa_client, app.store, clock)
    no_phone = Contacts(None)
    assert await fallback(oa_client, tokens, no_phone).deliver(late_notice()) is None
    assert no_phone.asked == [7]
    no_template = Contacts(("+84912345678", "ABCD-1234"))
    assert (
        await fallback(oa_client, tokens, no_template, template="").deliver(late_notice()) is None
    )
    assert no_template.asked == []
    # Nothing was sent, and no token was even asked for.
    assert oa.zns == [] and oa.refreshes == []


async def test_undeliverable_asks_the_officers_to_phone(
    app: App, clock: FixedClock, oa_client: ZaloOaClient
) -> None:
    contacts = Contacts(None)
    item = late_notice()
    await fallback(oa_client, tokens_for(oa_client, app.store, clock), contacts).undeliverable(
        item
    )
    assert contacts.phoned == [item]


@pytest.mark.parametrize(
    ("status", "answer", "expected", "forgets_token"),
    [
        (200, {"error": -124, "message": "Access token is invalid"}, Unavailable, True),
        (200, {"error": -32, "message": "Too many requests"}, RetryAfter, False),
        (200, {"error": -108, "message": "Phone number is invalid"}, Rejected, False),
        (500, {"message": "Internal"}, Unavailable, False),
    ],
)
async def test_each_zns_refusal_means_what_the_outbox_must_do(
    app: App,
    clock: FixedClock,
    oa_client: ZaloOaClient,
    oa: FakeZaloOa,
    status: int,
    answer: dict[str, Any],
    expected: type[SendFailure],
    forgets_token: bool,
) -> None:
    zns = fallback(
        oa_client,
        tokens_for(oa_client, app.store, clock),
        Contacts(("+84912345678", "ABCD-1234")),
    )
    oa.inject(TEMPLATES, status, json.dumps(answer))
    with pytest.raises(expected):
        await zns.deliver(late_notice())
    assert oa.zns == []
    assert (await stored(app)).access_token == ("" if forgets_token else "at-1")


async def test_zns_through_an_unreachable_api_is_tried_again_later(
    app: App, clock: FixedClock, oa_client: ZaloOaClient, oa: FakeZaloOa
) -> None:
    tokens = tokens_for(oa_client, app.store, clock)
    assert await tokens.access_token() == "at-1"
    await oa.stop()
    zns = fallback(oa_client, tokens, Contacts(("+84912345678", "ABCD-1234")))
    with pytest.raises(Unavailable, match=r"^Client\w*Error: "):
        await zns.deliver(late_notice())


# --- the error tables ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "expected", "seconds"),
    [
        (-230, OutsideWindow, None),  # not written within 7 days
        (-232, OutsideWindow, None),
        (-211, OutsideWindow, None),  # out of quota: another way
        (-218, OutsideWindow, None),
        (-244, OutsideWindow, None),  # refuses consultation messages: ZNS may still reach
        (-213, Unreachable, None),  # no longer follows the OA
        (-227, Unreachable, None),
        (-234, ChannelDown, NIGHT_WAIT_SECONDS),  # not at night: try in an hour
        (-224, ChannelDown, SETUP_WAIT_SECONDS),  # the OA's package: the admins act
        (-221, ChannelDown, SETUP_WAIT_SECONDS),
        (-321, ChannelDown, SETUP_WAIT_SECONDS),  # unpaid: ZNS would fail as well
        (-201, Rejected, None),  # a field is invalid (v3; before, a bad token)
        (-200, Unavailable, None),
    ],
)
async def test_each_known_oa_code_means_what_its_table_says(
    app: App,
    clock: FixedClock,
    oa_client: ZaloOaClient,
    oa: FakeZaloOa,
    code: int,
    expected: type[SendFailure],
    seconds: float | None,
) -> None:
    tokens = tokens_for(oa_client, app.store, clock)
    alerts = Alerts()
    oa.inject(MESSAGES, 200, json.dumps({"error": code, "message": OA_ERRORS[code].message}))
    with pytest.raises(expected) as raised:
        await ZaloOaSender(oa_client, tokens, alerts).send(USER, Reply("Xin chào"))
    assert type(raised.value) is expected and str(code) in str(raised.value)
    if isinstance(raised.value, ChannelDown):
        assert raised.value.seconds == seconds
    # Only an OA that is not set up tells the administrators.
    setup = OA_ERRORS[code].meaning is Meaning.SETUP
    assert alerts.said == ([f"OA {code}: {OA_ERRORS[code].message}"] if setup else [])
    assert await tokens.access_token() == "at-1"


@pytest.mark.parametrize(
    ("status", "expected", "token_forgotten"),
    [
        (200, Rejected, False),
        (400, Rejected, False),
        (503, Unavailable, False),
        (408, Unavailable, False),
        (429, RetryAfter, False),
        (401, Unavailable, True),
    ],
)
async def test_an_unknown_code_is_logged_once_with_the_answer_and_read_by_its_http_class(
    app: App,
    clock: FixedClock,
    oa_client: ZaloOaClient,
    oa: FakeZaloOa,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    status: int,
    expected: type[SendFailure],
    token_forgotten: bool,
) -> None:
    monkeypatch.setattr(zalo_errors, "_reported", set())  # as in a process just started
    code = -9000 - status
    answer = {"error": code, "message": "Điều gì đó mới", "data": {"hint": [1, 2]}}
    tokens = tokens_for(oa_client, app.store, clock)
    sender = ZaloOaSender(oa_client, tokens)
    for _ in range(2):
        oa.inject(MESSAGES, status, json.dumps(answer))
    with caplog.at_level(logging.WARNING, logger="handlers.zalo.errors"):
        for _ in range(2):
            with pytest.raises(expected):
                await sender.send(USER, Reply("Xin chào"))
    logged = [r.getMessage() for r in caplog.records if str(code) in r.getMessage()]
    assert len(logged) == 1
    assert f"HTTP {status}" in logged[0] and '"hint": [1, 2]' in logged[0]
    assert "Điều gì đó mới" in logged[0]
    assert (await stored(app)).access_token == ("" if token_forgotten else "at-1")


@pytest.mark.parametrize(
    ("code", "expected", "alerted"),
    [
        (-133, ChannelDown, False),  # not at night
        (-114, Rejected, False),  # the citizen cannot receive ZNS: the officers phone
        (-141, Rejected, False),
        (-115, Rejected, False),  # no balance
        # The template not approved: the admins are told, the officers phone.
        (-131, Rejected, True),
        (-146, Rejected, True),
        (-100, Unavailable, False),
    ],
)
async def test_each_known_zns_code_means_what_its_table_says(
    app: App,
    clock: FixedClock,
    oa_client: ZaloOaClient,
    oa: FakeZaloOa,
    code: int,
    expected: type[SendFailure],
    alerted: bool,
) -> None:
    alerts = Alerts()
    zns = ZnsFallback(
        oa_client,
        tokens_for(oa_client, app.store, clock),
        template_id="246810",
        code_param="ma_phieu",
        text_param="noi_dung",
        contact=Contacts(("+84912345678", "ABCD-1234")).contact,
        tell_officers=Contacts(None).tell_officers,
        on_setup_error=alerts,
    )
    oa.inject(TEMPLATES, 200, json.dumps({"error": code, "message": ZNS_ERRORS[code].message}))
    with pytest.raises(expected):
        await zns.deliver(late_notice())
    assert bool(alerts.said) == alerted


def test_every_table_entry_names_its_source_and_its_own_code() -> None:
    for table in (BOT_ERRORS, OA_ERRORS, ZNS_ERRORS):
        for code, entry in table.items():
            assert entry.code == code and entry.message
            assert entry.source.startswith("https://")
    # The codes the window and the tokens rest on come from Zalo's own pages.
    assert OA_ERRORS[-230].source.startswith("https://developers.zalo.me/")
    assert {c for c, e in OA_ERRORS.items() if e.meaning is Meaning.TOKEN} == {-216, -220, -124}


@pytest.mark.parametrize(
    "answer",
    [
        {"error": "0", "message": "Success", "data": {"message_id": 12345}},
        {"error": 0, "data": None},
        {"error": 0, "data": ["not", "an", "object"]},
        {"message": "Success"},
    ],
)
async def test_a_success_in_any_of_its_shapes_is_a_success(
    app: App, clock: FixedClock, oa_client: ZaloOaClient, oa: FakeZaloOa, answer: Any
) -> None:
    oa.inject(MESSAGES, 200, json.dumps(answer))
    sender = ZaloOaSender(oa_client, tokens_for(oa_client, app.store, clock))
    sent = await sender.send(USER, Reply("Xin chào"))
    assert sent == ("12345" if isinstance(answer.get("data"), dict) and answer["data"] else "")


async def test_a_long_oa_reply_says_how_many_parts_went_and_the_retry_sends_the_rest(
    app: App, clock: FixedClock, oa_client: ZaloOaClient, oa: FakeZaloOa
) -> None:
    text = "\n".join(f"Dòng {n}: " + "chữ " * 40 for n in range(30))
    oa.inject(MESSAGES, 503, json.dumps({"message": "overloaded"}), after=1)
    sender = ZaloOaSender(oa_client, tokens_for(oa_client, app.store, clock))
    with pytest.raises(Unavailable) as failed:
        await sender.send(USER, Reply(text))
    assert failed.value.delivered == 1 and len(oa.to(USER)) == 1
    await sender.send(USER, Reply(text), skip=failed.value.delivered)
    parts = [m.text for m in oa.to(USER)]
    assert len(parts) > 2 and len(set(parts)) == len(parts)
    assert "\n".join(parts) == text
