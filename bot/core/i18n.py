"""Translations and locale-aware formatting, the same for every channel.

Messages are English msgids with named placeholders: ``_("Your code is {code}", code=code)``.
Catalogs are Babel ``.po`` files under ``bot/locales/<locale>/LC_MESSAGES/messages.po``,
compiled in memory at start (fuzzy entries included: a translation under review is shown), so a
forgotten ``make compile`` or an editor's ``.mo`` can never show other text; a ``.mo`` alone
serves where there is no ``.po``.
"""

from __future__ import annotations

import io
import logging
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

log = logging.getLogger(__name__)

DOMAIN = "messages"
# Vietnamese administrative texts write a date "ngày 15/02/2027" (docs/glossary.md), where
# Babel's own Vietnamese formats give "15 tháng 2, 2027" and "15/2/27".
_DAY = {"vi": "EEEE, 'ngày' dd/MM/y"}
_SHORT_DAY = {"vi": "dd/MM/y"}
# A month: "tháng 12/2026", "December 2026".
_MONTH = {"vi": "'tháng' MM/y"}


def N_(message: str) -> str:
    """Mark a msgid for extraction where it is defined; translate it later with ``_``."""
    return message


class Translator:
    """Translates and formats for one locale and one time zone."""

    def __init__(self, locale: str, zone: ZoneInfo, translations: NullTranslations) -> None:
        self.locale = locale
        self.zone = zone
        self._translations = translations

    def _(self, message: str, /, **params: object) -> str:
        return self._format(self._translations.gettext(message), message, params)

    def n_(self, singular: str, plural: str, n: int, /, **params: object) -> str:
        translated = self._translations.ngettext(singular, plural, n)
        return self._format(translated, singular if n == 1 else plural, {"n": n, **params})

    @staticmethod
    def _format(translated: str, fallback: str, params: dict[str, object]) -> str:
        if not params:
            return translated
        try:
            return translated.format(**params)
        except (KeyError, IndexError, ValueError):
            # A translator broke a placeholder: show the English rather than nothing.
            log.error("bad placeholder in translation of %r", fallback)
            return fallback.format(**params)

    def day(self, value: date) -> str:
        """A full date as people write it: "Thứ Hai, ngày 15/02/2027", "Monday, February 15,
        2027"."""
        return format_date(value, format=_DAY.get(self.locale, "full"), locale=self.locale)

    def short_day(self, value: date) -> str:
        return format_date(value, format=_SHORT_DAY.get(self.locale, "short"), locale=self.locale)

    def month(self, value: date) -> str:
        """The month of a date: "tháng 12/2026", "December 2026"."""
        return format_date(value, format=_MONTH.get(self.locale, "MMMM y"), locale=self.locale)

    def hour(self, instant: datetime) -> str:
        """The local clock time of an instant: "08:00" / "8:00 AM"."""
        return format_time(instant, format="short", tzinfo=self.zone, locale=self.locale)

    def day_of(self, instant: datetime) -> str:
        return self.day(instant.astimezone(self.zone).date())

    def when(self, instant: datetime) -> str:
        """Local date and time in words: "Thứ Hai, ngày 15/02/2027 lúc 08:00"."""
        return self._("{date} at {time}", date=self.day_of(instant), time=self.hour(instant))


class Catalogs:
    """All locales the deployment speaks, loaded once at start-up."""

    def __init__(self, locales_dir: Path, locales: tuple[str, ...], default: str, zone: ZoneInfo):
        if default not in locales:
            raise ValueError(f"default locale {default!r} is not among {locales}")
        self.locales = locales
        self.default = default
        self.zone = zone
        self._translators = {
            locale: Translator(locale, zone, _load(locales_dir, locale)) for locale in locales
        }

    def get(self, locale: str | None) -> Translator:
        if locale in self._translators:
            return self._translators[locale]
        return self._translators[self.default]

    def supported(self, locale: str) -> bool:
        return locale in self._translators


def _load(locales_dir: Path, locale: str) -> NullTranslations:
    folder = locales_dir / locale / "LC_MESSAGES"
    po_path = folder / f"{DOMAIN}.po"
    mo_path = folder / f"{DOMAIN}.mo"
    # The .po is the truth: a .mo beside it may be stale, or written by an editor without
    # the entries still under review (Poedit leaves out fuzzy ones). Compiling three
    # catalogs in memory takes about 30 ms.
    if not po_path.is_file() and mo_path.is_file():
        with mo_path.open("rb") as handle:
            return Translations(handle, domain=DOMAIN)
    if po_path.is_file():
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=locale, domain=DOMAIN)
        buffer = io.BytesIO()
        # A fuzzy entry is a translation a native speaker has not yet reviewed (Khmer,
        # docs/translating.md): shown, as it serves its reader better than English.
        write_mo(buffer, catalog, use_fuzzy=True)
        buffer.seek(0)
        return Translations(buffer, domain=DOMAIN)
    log.warning("no catalog for locale %s under %s; showing msgids", locale, locales_dir)
    return NullTranslations()
