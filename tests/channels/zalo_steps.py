"""A citizen going through the Zalo Bot Platform, using only what the bot sends: numbered
menus answered with numbers, the phone number typed."""

from __future__ import annotations

import re

from tests.fakes.zalo_bot import FakeZaloBot, SentText
from tests.support import ANSWERS

TICKET = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}\b")


async def pick(fake: FakeZaloBot, user: str, menu: SentText, words: str) -> SentText:
    return await fake.reply_to(user, str(menu.option(words)))


async def register(fake: FakeZaloBot, user: str, kind_label: str = "Khiếu nại") -> str:
    """From /register to the ticket code, in Vietnamese. Returns the ticket code."""
    consent = await fake.reply_to(user, "/register")
    asked_name = await pick(fake, user, consent, "Đồng ý")
    assert "Họ và tên" in asked_name.text, asked_name.text
    asked_phone = await fake.reply_to(user, ANSWERS["full_name"])
    assert "Số điện thoại" in asked_phone.text, asked_phone.text
    await fake.reply_to(user, ANSWERS["phone"])
    await fake.reply_to(user, ANSWERS["id_number"])
    await fake.reply_to(user, ANSWERS["province"])
    kinds = await fake.reply_to(user, ANSWERS["address"])
    leaders = await pick(fake, user, kinds, kind_label)
    sessions = await fake.reply_to(user, "1")  # the first leader on the list
    assert sessions.menu, sessions.text
    await fake.reply_to(user, "1")  # the first session
    interpreter = await fake.reply_to(user, ANSWERS["people_count"])
    assert interpreter.menu, interpreter.text
    await fake.reply_to(user, "1")  # no interpreter needed
    await fake.reply_to(user, ANSWERS["summary"])
    await fake.reply_to(user, ANSWERS["prior_handling"])
    review = await fake.reply_to(user, ANSWERS["request"])
    assert leaders.menu and review.menu, review.text
    done = await pick(fake, user, review, "Gửi phiếu đăng ký")
    found = TICKET.search(done.text)
    assert found, done.text
    return found.group(0)
