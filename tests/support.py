"""Test helpers: a citizen chatting with the dialogue, and a typical registration's answers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from bot.app import App
from bot.core.model import Choice, Incoming, Leader, Reply, SharedContact
from bot.dialogue import Dialogue
from storage.tables import RegistrationRow

# A complete, valid registration as typed by a citizen.
ANSWERS = {
    "full_name": "Nguyễn Văn An",
    "phone": "0912 345 678",
    "id_number": "001090012345",
    "province": "Hà Nội",
    "address": "Số 5 ngõ 10 phố Huế, phường Hai Bà Trưng",
    "people_count": "1",
    "summary": "Tôi khiếu nại quyết định thu hồi đất số 12/QĐ-UBND vì bồi thường chưa đúng.",
    "prior_handling": "UBND xã đã trả lời bằng văn bản ngày 10/10/2026.",
    "request": "Đề nghị xem xét lại quyết định thu hồi đất.",
}


class Chat:
    """One citizen talking to the bot; keeps the last replies to tap their buttons."""

    def __init__(self, dialogue: Dialogue, user_id: str = "1001", channel: str = "console"):
        self.dialogue = dialogue
        self.user_id = user_id
        self.channel = channel
        self.replies: list[Reply] = []

    async def _handle(self, incoming: Incoming) -> list[Reply]:
        self.replies = await self.dialogue.handle(incoming)
        return self.replies

    def _incoming(self, **fields: object) -> Incoming:
        return Incoming(
            channel=self.channel,
            user_id=self.user_id,
            chat_id=self.user_id,
            **fields,  # type: ignore[arg-type]
        )

    async def send(self, text: str) -> list[Reply]:
        return await self._handle(self._incoming(text=text))

    async def press(self, payload: str) -> list[Reply]:
        """Press a button by its payload, whether or not it is on screen (an old message)."""
        return await self._handle(self._incoming(payload=payload))

    async def tap(self, label: str) -> list[Reply]:
        """Tap the on-screen button whose label contains ``label``."""
        return await self.press(self.choice(label).payload)

    async def share_contact(self, phone: str, owner: str | None) -> list[Reply]:
        return await self._handle(
            self._incoming(contact=SharedContact(phone=phone, owner_user_id=owner))
        )

    def choice(self, label: str) -> Choice:
        matches = [c for c in self.choices if label.casefold() in c.label.casefold()]
        if len(matches) != 1:
            raise AssertionError(f"{len(matches)} buttons match {label!r}: {self.labels}")
        return matches[0]

    @property
    def choices(self) -> list[Choice]:
        return [choice for reply in self.replies for choice in reply.choices]

    @property
    def labels(self) -> list[str]:
        return [choice.label for choice in self.choices]

    @property
    def payloads(self) -> list[str]:
        return [choice.payload for choice in self.choices]

    @property
    def text(self) -> str:
        return "\n\n".join(reply.text for reply in self.replies)

    def first_payload(self, prefix: str) -> str:
        return next(p for p in self.payloads if p.startswith(prefix))


async def register(
    chat: Chat,
    kind: str = "complaint",
    answers: dict[str, str] | None = None,
    representatives: Sequence[str] = ("Nguyễn Văn Bình", "Trần Thị Cúc"),
    leader_id: int | None = None,
    interpreter: str = "",
) -> str:
    """Go through the whole wizard with valid answers; return the ticket code."""
    given = {**ANSWERS, **(answers or {})}
    await chat.send("/register")
    await chat.press("reg:consent:yes")
    for step in ("full_name", "phone", "id_number", "province", "address"):
        await chat.send(given[step])
    await chat.press(f"reg:kind:{kind}")
    if kind == "denunciation":
        await chat.press("reg:confidential:ok")
    await chat.press(f"reg:leader:{leader_id}" if leader_id else chat.first_payload("reg:leader:"))
    await chat.press(chat.first_payload("reg:session:"))
    await chat.send(given["people_count"])
    if int(given["people_count"]) >= 5:
        await chat.send(", ".join(representatives))
    if interpreter:
        await chat.send(interpreter)
    else:
        await chat.press("reg:interpreter:none")
    await chat.send(given["summary"])
    await chat.send(given["prior_handling"])
    await chat.send(given["request"])
    await chat.press("reg:review:submit")
    return next(
        word.strip(".")
        for word in chat.text.split()
        if len(word.strip(".")) == 9 and word.strip(".")[4] == "-"
    )


class RecordingSender:
    """A channel that records what it is asked to send, and fails on request."""

    def __init__(
        self,
        channel: str = "console",
        only_recipient: str | None = None,
        failures: list[Exception] | None = None,
    ) -> None:
        self.channel = channel
        self.only_recipient = only_recipient
        self.sent: list[tuple[str, str, tuple[Choice, ...]]] = []
        self.replies: list[Reply] = []
        # Raised, in order, by the next sends (then sending succeeds).
        self.failures = list(failures or [])

    async def send(self, recipient: str, reply: Reply, *, skip: int = 0) -> str:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append((recipient, reply.text, reply.choices))
        self.replies.append(reply)
        return f"{self.channel}-{len(self.sent)}"

    def texts(self, recipient: str | None = None) -> list[str]:
        return [text for to, text, _choices in self.sent if recipient in (None, to)]


# --- helpers for tests over the whole app ----------------------------------------------


async def leader(app: App, code: str) -> Leader:
    async with app.store.transaction() as repo:
        found = await repo.leader_by_code(code)
    assert found is not None
    return found


async def officer(app: App, user_id: str = "officer") -> Chat:
    chat = Chat(app.dialogue, user_id=user_id)
    await chat.send("/lang en")
    return chat


async def citizen(app: App, user_id: str = "1001", locale: str = "en") -> Chat:
    chat = Chat(app.dialogue, user_id=user_id)
    await chat.send(f"/lang {locale}")
    return chat


async def submitted(
    app: App, user_id: str = "1001", locale: str = "en", leader_code: str = "bt-tinh", **kw: Any
) -> str:
    chat = await citizen(app, user_id, locale)
    return await register(chat, leader_id=(await leader(app, leader_code)).id, **kw)


async def row(app: App, code: str) -> Any:
    async with app.engine.connect() as connection:
        return (
            await connection.execute(select(RegistrationRow).where(RegistrationRow.code == code))
        ).one()
