"""The one entry point every channel calls: ``Dialogue.handle(Incoming) -> list[Reply]``."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections import OrderedDict
from collections.abc import AsyncIterator, Hashable, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import datetime

from bot.core import choices
from bot.core.model import (
    MENU_BY_TEXT_CHANNELS,
    DialogState,
    Hold,
    Incoming,
    OutboxItem,
    OutboxMessage,
    Reply,
    StoredUpdate,
)
from bot.core.ports import Repository, StoreUnavailable
from bot.dialogue import (
    attendance,
    link,
    menu,
    officer,
    registration,
    rights,
    rules,
    schedule,
    status,
)
from bot.dialogue.context import Replies, Services, Turn

log = logging.getLogger(__name__)

# Ids inside button payloads: ASCII digits that fit a database integer.
_NUMBER = re.compile(r"\d{1,9}", re.ASCII)


class KeyedLocks:
    """One FIFO lock per key, dropped when nobody holds or waits for it.

    Within a process this keeps one user's messages in arrival order; across processes the
    database row lock taken by ``Repository.open_conversation`` keeps them apart.
    """

    def __init__(self) -> None:
        self._locks: dict[Hashable, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key: Hashable) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    def __len__(self) -> int:
        return len(self._locks)


class RecentLocales:
    """The language of recently seen users, only to apologise when the database fails."""

    def __init__(self, size: int = 10_000) -> None:
        self._size = size
        self._locales: OrderedDict[tuple[str, str], str] = OrderedDict()

    def get(self, key: tuple[str, str]) -> str | None:
        return self._locales.get(key)

    def remember(self, key: tuple[str, str], locale: str) -> None:
        self._locales[key] = locale
        self._locales.move_to_end(key)
        while len(self._locales) > self._size:
            self._locales.popitem(last=False)


class Dialogue:
    def __init__(self, services: Services) -> None:
        self.services = services
        self._locks = KeyedLocks()
        self._recent_locales = RecentLocales()

    async def handle(self, incoming: Incoming) -> list[Reply]:
        """Answer one message directly (the console, tests)."""
        key = (incoming.channel, incoming.user_id)
        async with self._locks.hold(key):
            try:
                async with self.services.store.transaction() as repo:
                    return await self._turn(repo, incoming, self.services.clock.now())
            except Exception:
                log.exception("could not handle a message from %s:%s", *key)
                return [self._apology(key)]

    async def handle_update(
        self, stored: StoredUpdate, incoming: Incoming | None, hold: Hold
    ) -> list[OutboxItem]:
        """Act on a stored update exactly once, and write its replies to the outbox, already
        held by ``hold`` (the dispatcher that sends them as soon as this returns).

        Marking the update processed, the turn's changes, the dialog state and the replies
        commit in one transaction: a crash before the commit leaves the update to be processed
        again, a crash after it leaves replies the dispatcher sends once their hold runs out.
        Returns the replies to send now; none when the update was processed before.
        ``incoming`` is None for an update the channel does not act on.
        """
        services = self.services
        if incoming is None:
            async with services.store.transaction() as repo:
                await repo.claim_updates([stored.id], services.clock.now())
            return []
        key = (incoming.channel, incoming.user_id)
        async with self._locks.hold(key):
            try:
                async with services.store.transaction() as repo:
                    now = services.clock.now()
                    if not await repo.claim_updates([stored.id], now):
                        return []
                    replies = await self._turn(repo, incoming, now)
                    messages = _reply_messages(stored, incoming, replies, now)
                    return await repo.enqueue_held(messages, hold)
            except StoreUnavailable:
                raise  # nothing is wrong with the update: it is tried again shortly
            except Exception as exc:
                log.exception("could not handle update %s from %s:%s", stored.id, *key)
                # If the database itself is failing this raises too, and the update stays
                # unprocessed for the next sweep.
                async with services.store.transaction() as repo:
                    now = services.clock.now()
                    await repo.note_update_failure(stored.id, f"{type(exc).__name__}: {exc}", now)
                    apology = _reply_messages(stored, incoming, [self._apology(key)], now)
                    return await repo.enqueue_held(apology, hold)

    async def handle_updates(
        self, updates: Sequence[tuple[StoredUpdate, Incoming | None]], hold: Hold
    ) -> list[list[OutboxItem]]:
        """``handle_update`` for updates of different users, in one transaction: one commit
        for all (with durable commits, that is most of the cost). Each user appears once; the
        updates run in their order. If anything fails, nothing of the batch is kept and each
        update is handled again alone, so that only a failing one fails."""
        if len(updates) == 1:
            return [await self.handle_update(*updates[0], hold)]
        services = self.services
        keys = sorted({(i.channel, i.user_id) for _, i in updates if i is not None})
        try:
            async with contextlib.AsyncExitStack() as held:
                for key in keys:
                    await held.enter_async_context(self._locks.hold(key))
                async with services.store.transaction() as repo:
                    now = services.clock.now()
                    claimed = await repo.claim_updates([stored.id for stored, _ in updates], now)
                    messages: list[list[OutboxMessage]] = []
                    for stored, incoming in updates:
                        if stored.id not in claimed or incoming is None:
                            messages.append([])
                            continue
                        replies = await self._turn(repo, incoming, now)
                        messages.append(_reply_messages(stored, incoming, replies, now))
                    # All the batch's replies in one statement, then given back to each update.
                    queued = await repo.enqueue_held([m for ms in messages for m in ms], hold)
                    by_key = {item.key: item for item in queued}
                    return [
                        [by_key[m.idempotency_key] for m in ms if m.idempotency_key in by_key]
                        for ms in messages
                    ]
        except StoreUnavailable:
            raise  # each alone would fail the same way: the inbox tries the batch again
        except Exception:
            # A failing turn, or on PostgreSQL a deadlock with another instance's batch.
            log.warning("a batch of %d updates failed; each is handled alone", len(updates))
            return [
                await self.handle_update(stored, incoming, hold) for stored, incoming in updates
            ]

    def _apology(self, key: tuple[str, str]) -> Reply:
        tr = self.services.catalogs.get(self._recent_locales.get(key))
        return Reply(
            tr._(
                "Sorry, something went wrong on our side and your last message was not "
                "processed. Your earlier answers are kept; please send it again in a moment. "
                "If this keeps happening while you register, send /cancel to start again."
            )
        )

    async def _turn(self, repo: Repository, incoming: Incoming, now: datetime) -> list[Reply]:
        services = self.services
        citizen, state = await repo.open_conversation(
            incoming.channel,
            incoming.user_id,
            incoming.chat_id,
            services.catalogs.default,
            now,
        )
        before = _fingerprint(state)
        incoming = await _menu_answer(repo, incoming)
        turn = Turn(
            services=services,
            repo=repo,
            incoming=incoming,
            citizen=citizen,
            state=state,
            tr=services.catalogs.get(citizen.locale),
            now=now,
        )
        replies = await route(turn)
        if _fingerprint(turn.state) != before:
            await repo.save_dialog(citizen.id, turn.state, now)
        self._recent_locales.remember((incoming.channel, incoming.user_id), turn.locale)
        return replies


def _fingerprint(state: DialogState) -> str:
    """The state as stored, to write it back only when a turn changed it (nested parts
    change in place, so a shallow copy would not tell)."""
    return json.dumps(state.data, sort_keys=True, default=str)


async def _menu_answer(repo: Repository, incoming: Incoming) -> Incoming:
    """On a channel without buttons, a number or an option's words typed in answer to the
    last menu the chat was sent press that option."""
    text = (incoming.text or "").strip()
    if incoming.channel not in MENU_BY_TEXT_CHANNELS or not text or text.startswith("/"):
        return incoming
    payload = choices.pick(text, await repo.last_choices(incoming.channel, incoming.chat_id))
    return incoming if payload is None else replace(incoming, text=None, payload=payload)


def _reply_messages(
    stored: StoredUpdate, incoming: Incoming, replies: list[Reply], now: datetime
) -> list[OutboxMessage]:
    return [
        OutboxMessage(
            idempotency_key=f"inbox:{stored.id}:reply:{number}",
            channel=incoming.channel,
            recipient=incoming.chat_id,
            text=reply.text,
            due_at=now,
            choices=reply.choices,
            purpose="reply",
            contact_request=reply.contact_request,
            file=reply.file,
        )
        for number, reply in enumerate(replies)
    ]


async def route(turn: Turn) -> Replies:
    incoming = turn.incoming
    text = (incoming.text or "").strip()
    if incoming.attachment:
        return await _refuse_file(turn)
    if incoming.payload:
        return await on_payload(turn, incoming.payload)
    if text.startswith("/"):
        # A form (/walkin) puts its first field on the next line: any white space ends the name.
        name, *rest = text[1:].split(maxsplit=1) or [""]
        argument = rest[0] if rest else ""
        return await on_command(turn, name.split("@", 1)[0].lower(), argument.strip())
    if registration.active(turn):
        return await registration.on_input(turn, text, None, incoming.contact)
    if status.answering(turn) and text:
        return await status.receive_answer(turn, text)
    if incoming.contact is not None:
        return menu.main_menu(
            turn, turn._("Thank you, but I only need your phone number while you register.")
        )
    if text:
        answered = rules.answer_question(turn, text)
        if answered is not None:
            return answered
    return menu.not_understood(turn)


# What a citizen may send instead of text, by what the answer must say about it.
_SPOKEN = frozenset({"voice", "audio", "video_note"})
_PLACES = frozenset({"location", "venue"})
_FILES = frozenset({"photo", "document", "video", "animation"})


def _cannot_read(turn: Turn, kind: str) -> str:
    """What the bot says to something it cannot read: why, and how to go on (the dialog step
    is unchanged). Many older citizens send voice notes: they hear how to reach a person."""
    if kind in _SPOKEN:
        said = turn._(
            "I cannot listen to voice messages here, and I did not keep yours. Please type your "
            "message."
        )
    elif kind in _PLACES:
        said = turn._(
            "I cannot use a location here, and I did not keep it. Please type your address, "
            "for example “Số 5 ngõ 10 phố Huế, phường Hai Bà Trưng”."
        )
    elif kind in _FILES:
        said = turn._(
            "I cannot receive files here, and I did not keep the one you sent. Never send a "
            "photo of your identity card: bring your papers to the session instead."
        )
    else:
        said = turn._("I can only read text here: please type your message.")
    return (
        said
        + " "
        + turn._(
            "To speak to an officer, call or visit: {contact}.",
            contact=turn.settings.privacy.contact,
        )
    )


async def _refuse_file(turn: Turn) -> Replies:
    note = _cannot_read(turn, turn.incoming.attachment or "")
    if registration.active(turn):
        return await registration.repeat(turn, lead=note)
    return menu.main_menu(turn, note)


async def on_command(turn: Turn, name: str, argument: str) -> Replies:
    if name in officer.COMMANDS:
        handled = await officer.handle(turn, name, argument)
        if handled is not None:
            return handled
        # Not an officer: from here on exactly what an unknown command gets.
    if status.answering(turn):
        status.stop_answering(turn)
        if name == "cancel":
            return menu.main_menu(turn, turn._("Your answer was not sent."))
    in_wizard = registration.active(turn)
    if in_wizard and name == "start" and not argument:
        # Opening the chat again mid-registration brings back the question it stopped at.
        return await registration.resume(turn)
    if in_wizard and name in {"cancel", "back", "help", "register"}:
        if name == "cancel":
            return registration.cancel(turn)
        if name == "back":
            return await registration.back(turn)
        if name == "help":
            return await registration.repeat(turn, lead=registration.help_text(turn))
        return await registration.repeat(turn)
    if in_wizard and name == "lang" and argument:
        changed = await menu.set_language(turn, argument.lower())
        if changed is not None:
            return await registration.repeat(turn, lead=changed.text)
    if name == "cancel":
        return menu.main_menu(turn, turn._("There is nothing to cancel."))
    if name == "back":
        return menu.main_menu(turn)
    opens_registration = name == "register" or (name == "start" and argument.startswith("reg_"))
    pause_note = None if opens_registration else registration.suspend(turn)
    replies = await _page(turn, name, argument)
    if pause_note:
        replies = [Reply(pause_note), *replies]
    return replies


async def _page(turn: Turn, name: str, argument: str) -> Replies:
    if name == "start":
        return await _start(turn, argument)
    if name == "menu":
        return menu.main_menu(turn)
    if name == "help":
        return await _help(turn, argument)
    if name == "rules":
        return rules.topic_menu(turn)
    if name == "schedule":
        return await schedule.overview(turn)
    if name == "register":
        return await registration.start(turn)
    if name == "status":
        return await status.details(turn, argument) if argument else await status.overview(turn)
    if name in {"lang", "language"}:
        if argument:
            changed = await menu.set_language(turn, argument.lower())
            if changed is not None:
                return menu.main_menu(turn, changed.text)
        return menu.language_picker(turn)
    if name in {"privacy", menu.ORIGINAL_PRIVACY}:
        original = name == menu.ORIGINAL_PRIVACY or argument.strip().lower() == rules.ORIGINAL
        return menu.privacy_page(turn, original=original)
    if name == "link":
        return await link.run(turn, argument)
    if name == "mydata":
        return await rights.my_data(turn)
    if name == "correct":
        return await rights.correct(turn, argument)
    if name == "withdraw":
        return rights.ask_withdraw(turn)
    return _unknown_command(turn, name)


def _unknown_command(turn: Turn, name: str) -> Replies:
    return menu.main_menu(
        turn, turn._("I do not know the command /{name}. Here is what I can do:", name=name)
    )


async def _help(turn: Turn, topic: str) -> Replies:
    page = menu.help_page(turn)
    officers = await officer.help_text(turn, topic)
    if officers is None:
        return page
    if topic:
        return [Reply(officers)]
    return [*page, Reply(officers)]


async def _start(turn: Turn, argument: str) -> Replies:
    """/start, possibly with a deep-link parameter: ``reg_<leader code>`` or ``status``."""
    if argument == "status":
        return await status.overview(turn)
    if argument.startswith("reg_"):
        leader = await turn.repo.leader_by_code(argument.removeprefix("reg_"))
        return await registration.start(turn, leader.id if leader else None)
    return menu.welcome(turn)


async def on_payload(turn: Turn, payload: str) -> Replies:
    if status.answering(turn) and not payload.startswith("st:a:"):
        status.stop_answering(turn)
    namespace, _sep, rest = payload.partition(":")
    if namespace == "reg":
        return await registration.on_payload(turn, rest, turn.incoming.contact)
    opens_registration = namespace == "rs" or payload == "m:register"
    pause_note = None if opens_registration else registration.suspend(turn)
    replies = await _payload_page(turn, namespace, rest)
    if pause_note:
        replies = [Reply(pause_note), *replies]
    return replies


async def _payload_page(turn: Turn, namespace: str, rest: str) -> Replies:
    if namespace == "m":
        return await _page(turn, rest, "")
    if namespace == "r":
        topic_id, _sep, variant = rest.partition(":")
        return rules.show_topic(turn, topic_id, original=variant == rules.ORIGINAL)
    if namespace == "s" and _NUMBER.fullmatch(rest):
        return await schedule.for_unit(turn, int(rest))
    if namespace in {"sub", "unsub"} and _NUMBER.fullmatch(rest):
        return await schedule.follow(turn, int(rest), namespace == "sub")
    if namespace == "rs" and _NUMBER.fullmatch(rest):
        return await registration.start(turn, int(rest))
    if namespace == "l":
        changed = await menu.set_language(turn, rest)
        if changed is not None:
            return menu.main_menu(turn, changed.text)
        return menu.language_picker(turn)
    if namespace == "q" and _NUMBER.fullmatch(rest):
        page = await officer.queue_page(turn, int(rest))
        if page is not None:
            return page
    if namespace == "fq" and _NUMBER.fullmatch(rest):
        page = await officer.find_page(turn, int(rest))
        if page is not None:
            return page
    if namespace == "rc":
        answer, _sep, appointment = rest.partition(":")
        code, _sep, token = appointment.partition(":")
        if answer in {"yes", "no"}:
            return await attendance.answer(turn, answer == "yes", code, token)
    if namespace == "st":
        action, _sep, code = rest.partition(":")
        if action == "a":
            return await status.ask_answer(turn, code)
        if action == "v":
            return await status.details(turn, code)
        if action == "w":
            return await status.ask_withdraw(turn, code)
        if action == "y":
            return await status.withdraw(turn, code)
    if namespace == "rt" and rest in {"withdraw:yes", "withdraw:no"}:
        return await rights.withdraw(turn, rest.removeprefix("withdraw:"))
    return menu.main_menu(turn, turn._("That button is no longer valid. Here is the menu:"))
