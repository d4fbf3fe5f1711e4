"""A citizen going through Telegram, using only what the bot sends: its messages and buttons."""

from __future__ import annotations

import re

from tests.fakes.telegram import FakeTelegram, Sent
from tests.support import ANSWERS

TICKET = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}\b")


async def say(fake: FakeTelegram, user: int, text: str) -> Sent:
    return await fake.reply_to(user, fake.write(user, text))


async def tap(fake: FakeTelegram, user: int, data_prefix: str) -> Sent:
    return await fake.reply_to(user, fake.press(user, data_prefix))


async def register(
    fake: FakeTelegram,
    user: int,
    kind: str = "complaint",
    summary: str = ANSWERS["summary"],
) -> str:
    """From /register to the ticket code; the phone number is shared with the contact
    button (after someone else's number is refused). Returns the ticket code."""
    await say(fake, user, "/register")
    await tap(fake, user, "reg:consent:yes")
    asked_phone = await say(fake, user, ANSWERS["full_name"])
    assert any(m.asks_for_contact() for m in fake.to(user)[-2:]), asked_phone.text
    refused = await fake.reply_to(user, fake.share_contact(user, "+84 912 000 111", owner=999))
    assert "của người khác" in refused.text or "someone else" in refused.text
    await fake.reply_to(user, fake.share_contact(user, "84912345678", owner=user))
    for step in ("id_number", "province", "address"):
        await say(fake, user, ANSWERS[step])
    await tap(fake, user, f"reg:kind:{kind}")
    if kind == "denunciation":
        await tap(fake, user, "reg:confidential:ok")
    await tap(fake, user, "reg:leader:")
    await tap(fake, user, "reg:session:")
    await say(fake, user, ANSWERS["people_count"])
    await tap(fake, user, "reg:interpreter:none")
    await say(fake, user, summary)
    await say(fake, user, ANSWERS["prior_handling"])
    review = await say(fake, user, ANSWERS["request"])
    assert any(b["callback_data"] == "reg:review:submit" for b in review.buttons()), review.text
    done = await tap(fake, user, "reg:review:submit")
    found = TICKET.search(done.text)
    assert found, done.text
    return found.group(0)
