"""Greeting, main menu, help, language and privacy: the pages every citizen passes through."""

from __future__ import annotations

from bot.core.i18n import N_, Translator
from bot.core.model import Choice, Reply
from bot.dialogue.context import Replies, Turn
from bot.dialogue.rules import ORIGINAL, original_label, translation_notice

# The privacy notice in Vietnamese, which prevails over its translations.
ORIGINAL_PRIVACY = "privacy_vi"

LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English", "km": "ភាសាខ្មែរ (Khmer)"}


def menu_choices(turn: Turn) -> tuple[Choice, ...]:
    _ = turn._
    return (
        Choice(_("📅 Reception schedules"), "m:schedule"),
        Choice(_("📝 Register to meet a leader"), "m:register"),
        Choice(_("📋 My registrations"), "m:status"),
        Choice(_("⚖️ Rules on citizen reception"), "m:rules"),
        Choice(_("🌐 Language"), "m:lang"),
        Choice(_("❓ Help"), "m:help"),
    )


def welcome(turn: Turn) -> Replies:
    _ = turn._
    text = "\n\n".join(
        (
            _(
                "Welcome to Tiếp Dân. Here you can register to meet the head of the Party "
                "committee or the chair of the People's Committee at their citizen reception "
                "sessions, and follow your registration until you are received."
            ),
            _(
                "Registering here is free, and you keep your right to come in person to the "
                "citizen reception office."
            ),
            _("What would you like to do?"),
        )
    )
    return [Reply(text, menu_choices(turn))]


def main_menu(turn: Turn, lead: str | None = None) -> Replies:
    text = turn._("What would you like to do?")
    if lead:
        text = f"{lead}\n\n{text}"
    return [Reply(text, menu_choices(turn))]


def not_understood(turn: Turn) -> Replies:
    return main_menu(
        turn,
        turn._(
            "Sorry, I did not understand. Choose an item below, or ask a question in a few "
            "words, for example: “when will I get an answer?”"
        ),
    )


# The citizen's commands: listed in /help, and in the channel's own command menu (Telegram).
CITIZEN_COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", N_("the main menu")),
    ("schedule", N_("reception schedules of the leaders")),
    ("register", N_("register to meet a leader")),
    ("status", N_("your registrations, their progress, withdrawing one")),
    ("link", N_("follow here a matter the reception office recorded for you")),
    ("rules", N_("what the law says about citizen reception")),
    ("lang", N_("choose your language")),
    ("privacy", N_("how your personal data is used")),
    ("mydata", N_("everything this service holds about you, and a copy")),
    ("correct", N_("correct your name, phone or address on a registration")),
    ("withdraw", N_("withdraw your consent and have your data erased")),
    ("help", N_("what I can do, and help while registering")),
)


def citizen_commands(tr: Translator) -> list[tuple[str, str]]:
    return [(name, tr._(what)) for name, what in CITIZEN_COMMANDS]


def help_page(turn: Turn) -> Replies:
    _ = turn._
    lines = [_("What I can do, and the commands you can type:"), ""]
    lines += [f"/{name}: {what}" for name, what in citizen_commands(turn.tr) if name != "help"]
    lines += [
        _("While registering: /back goes one step back, /cancel stops and deletes your answers."),
        "",
        _("You can also ask a question in your own words, for example “who receives citizens?”."),
    ]
    return [Reply("\n".join(lines), menu_choices(turn))]


def language_picker(turn: Turn) -> Replies:
    choices = tuple(
        Choice(LANGUAGE_NAMES.get(locale, locale), f"l:{locale}")
        for locale in turn.services.catalogs.locales
    )
    return [Reply(turn._("Choose your language:"), choices)]


async def set_language(turn: Turn, locale: str) -> Reply | None:
    """Switch the citizen's language; None when the locale is not offered."""
    if not turn.services.catalogs.supported(locale):
        return None
    await turn.repo.set_citizen_locale(turn.citizen.id, locale)
    turn.use_locale(locale)
    return Reply(turn._("From now on I will write in English."))


def privacy_notice_text(turn: Turn, *, original: bool = False) -> str:
    """The privacy notice in the citizen's language; ``original``: in Vietnamese, which
    prevails over a translation (a translation not yet reviewed says so, and how to read
    the Vietnamese)."""
    content = turn.services.content
    tr = turn.services.catalogs.get(ORIGINAL) if original else turn.tr
    notice = content.privacy(tr.locale)
    privacy = turn.settings.privacy
    if privacy.retention_months:
        retention = tr.n_("{n} month", "{n} months", privacy.retention_months)
    else:
        retention = tr._("as long as the law on archives requires for citizen reception records")
    body = notice.body.format(
        controller=privacy.controller, contact=privacy.contact, retention=retention
    )
    text = f"{notice.title}\n\n{body}"
    if not content.reviewed(tr.locale, "privacy"):
        # One word, so that Telegram makes it a link to tap.
        original_text = turn._("The Vietnamese text: {command}", command=f"/{ORIGINAL_PRIVACY}")
        text = f"{translation_notice(turn)} {original_text}\n\n{text}"
    return text


def privacy_page(turn: Turn, *, original: bool = False) -> Replies:
    choices = menu_choices(turn)
    if not original and not turn.services.content.reviewed(turn.locale, "privacy"):
        choices = (Choice(original_label(turn), f"m:{ORIGINAL_PRIVACY}"), *choices)
    return [Reply(privacy_notice_text(turn, original=original), choices)]
