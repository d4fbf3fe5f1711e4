"""The public pages: what the law asks a body to post at its reception place and on its web
portal (the reception schedules of its heads), as HTML anyone can read without the bot.

- the units, with a link to each one's schedule;
- a unit's schedule: the published sessions of the next 60 days of the unit and of the units
  below it (as its calendar feed covers), cancelled and moved sessions marked in words;
- the poster: the notice of one month's sessions of the unit, for A4 paper, with a QR code per
  leader that opens a registration with that leader in the bot;
- the rules explainer, from the same content files as the bot (bot/core/content.py).

Pages are rendered from the templates in ``pages/`` (Jinja2, every value escaped) in the
reader's language; every word in them is a gettext message. The stylesheet is inlined, so a
page is one response: the server's Content-Security-Policy allows that one stylesheet by its
hash (``STYLE_HASH``) and nothing else, no script, no image but the inline QR codes.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import quote, urlencode

import segno
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from bot.core import registrations
from bot.core.content import Content
from bot.core.i18n import Catalogs, Translator
from bot.core.model import (
    CalendarOverride,
    Leader,
    SessionStatus,
    SessionView,
    Unit,
)
from bot.core.ports import Store
from bot.core.registrations import BookingRules, local_day
from bot.core.workdays import WorkCalendar
from bot.records.scope import UnknownUnit, resolve_scope

log = logging.getLogger(__name__)

# The schedule page shows this many days ahead.
DAYS_AHEAD = 60
TEMPLATES = Path(__file__).resolve().parent / "pages"


def _minified(css: str) -> str:
    """The stylesheet without its comments and spare white space (a fifth of its bytes)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    css = re.sub(r"\s+", " ", css)
    return re.sub(r"\s*([{};,>])\s*", r"\1", css).replace(";}", "}").strip()


STYLESHEET = _minified((TEMPLATES / "pages.css").read_text(encoding="utf-8"))
# What a Content-Security-Policy names to allow the inlined stylesheet, and only it.
STYLE_HASH = "sha256-" + base64.b64encode(hashlib.sha256(STYLESHEET.encode()).digest()).decode()
# Telegram's start parameter: up to 64 of A-Z, a-z, 0-9, _ and -.
_START_PARAMETER = re.compile(r"[A-Za-z0-9_-]{1,64}")
_MONTH = re.compile(r"(\d{4})-(\d{2})")
# The poster may be printed for this month and the next (a notice goes up before its month).
MONTHS_AHEAD = 1


@dataclass(frozen=True, slots=True)
class PageSettings:
    booking: BookingRules
    # Days off and make-up working days of the configuration (the database may add more).
    calendar: tuple[CalendarOverride, ...] = ()
    # [telegram] username and [zalo_oa] oa_id: where citizens register; empty: not published.
    telegram_username: str = ""
    zalo_oa_id: str = ""
    # [web] public_url: printed on the poster; empty: the poster prints no address.
    public_url: str = ""
    days_ahead: int = DAYS_AHEAD


@dataclass(frozen=True, slots=True)
class Page:
    html: bytes
    # False: answered 404 (an unknown unit, a month that cannot be printed).
    found: bool = True


@dataclass(frozen=True, slots=True)
class SessionLine:
    """One session as a row of a table."""

    starts_at: datetime
    day: str
    hours: str
    place: str
    # What a citizen may still do: "3 slots left", "full", "registration closed"; empty when
    # the session is cancelled.
    places: str
    cancelled: bool
    moved: bool


@dataclass(frozen=True, slots=True)
class Host:
    """A leader and their sessions in the page's window."""

    name: str
    title: str
    sessions: tuple[SessionLine, ...]
    # The bot's deep link that opens a registration with this leader; empty without one.
    register_url: str = ""
    qr: Markup | None = None


@dataclass(frozen=True, slots=True)
class UnitSection:
    code: str
    name: str
    address: str
    hosts: tuple[Host, ...]


@dataclass(frozen=True, slots=True)
class Block:
    kind: str  # "p" or "ul"
    lines: list[str]


@dataclass(frozen=True, slots=True)
class TopicView:
    id: str
    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class UnitEntry:
    """A unit in the list of units, with the units below it."""

    code: str
    name: str
    sessions: int
    below: tuple[UnitEntry, ...] = field(default_factory=tuple)


class PublicPages:
    """Renders the pages; reads the database through the Store only."""

    def __init__(
        self,
        store: Store,
        catalogs: Catalogs,
        content: Content,
        settings: PageSettings,
    ) -> None:
        self._store = store
        self._catalogs = catalogs
        self._content = content
        self._settings = settings
        self._templates = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._templates.filters["fill"] = fill
        self._templates.globals["link"] = link

    def translator(self, lang: str | None) -> Translator:
        """The reader's language: ``?lang=`` when the deployment speaks it, else the default."""
        return self._catalogs.get(lang)

    # --- the pages ----------------------------------------------------------------------------

    async def index(self, tr: Translator, now: datetime) -> Page:
        async with self._store.transaction() as repo:
            units = await repo.units()
            sessions = await repo.sessions_in(now, now + timedelta(days=self._settings.days_ahead))
            active = {leader.id for leader in await repo.leaders()}
        counted: dict[int, int] = {}
        for session in _shown(sessions, active, now):
            if session.status is not SessionStatus.CANCELLED:
                counted[session.unit_id] = counted.get(session.unit_id, 0) + 1
        return self._render(
            "index.html",
            tr,
            path="/",
            title=tr._("Citizen reception schedules"),
            units=_tree(units, counted),
            days=self._settings.days_ahead,
        )

    async def schedule(self, code: str, tr: Translator, now: datetime, *, embed: bool) -> Page:
        """The unit's sessions and those of every unit below it, over the next days."""
        async with self._store.transaction() as repo:
            units = await repo.units()
            try:
                scope = resolve_scope(units, code)
            except UnknownUnit:
                return self.not_found(tr)
            end = now + timedelta(days=self._settings.days_ahead)
            # From a day back: a session under way is still on the page until it ends.
            sessions = await repo.sessions_in(
                now - timedelta(days=1), end, unit_ids=scope.unit_ids
            )
            leaders = {leader.id: leader for leader in await repo.leaders()}
            work = WorkCalendar([*self._settings.calendar, *await repo.calendar_overrides()])
        shown = _shown(sessions, set(leaders), now)
        order = [u for u in _in_tree_order(units) if scope.unit_ids and u.id in scope.unit_ids]
        sections = [
            UnitSection(
                unit.code,
                unit.name,
                unit.address,
                self._hosts(
                    [s for s in shown if s.unit_id == unit.id], leaders, tr, now, work, qr=False
                ),
            )
            for unit in order
        ]
        unit = next(u for u in units if u.code == scope.code)
        return self._render(
            "schedule.html",
            tr,
            path=f"/schedules/{quote(unit.code, safe='')}",
            query={"embed": "1"} if embed else {},
            title=tr._("Citizen reception schedule: {unit}", unit=unit.name),
            unit=unit,
            sections=[section for section in sections if section.hosts],
            below=len(order) > 1,
            marks=_marks(
                line for section in sections for host in section.hosts for line in host.sessions
            ),
            days=self._settings.days_ahead,
            embed=embed,
            calendar_url=_with_query(
                f"/calendar/{quote(unit.code, safe='')}.ics", self._lang_query(tr.locale)
            ),
            bot=self._bot(tr),
        )

    async def poster(self, code: str, tr: Translator, now: datetime, month: str | None) -> Page:
        """One month's sessions of the unit itself, to print and post at its reception place."""
        today = local_day(now, tr.zone)
        first = _month(month, today)
        if first is None:
            return self.not_found(tr)
        following = _next_month(first)
        async with self._store.transaction() as repo:
            units = await repo.units()
            unit = next((u for u in units if u.code.casefold() == code.casefold()), None)
            if unit is None:
                return self.not_found(tr)
            start = datetime.combine(first, datetime.min.time(), tr.zone)
            end = datetime.combine(following, datetime.min.time(), tr.zone)
            sessions = await repo.sessions_in(start, end, unit_ids=frozenset({unit.id}))
            leaders = {leader.id: leader for leader in await repo.leaders()}
            work = WorkCalendar([*self._settings.calendar, *await repo.calendar_overrides()])
        # The whole month, the sessions already held too: it is the month's notice.
        shown = [
            s for s in sessions if s.published and (s.leader_id in leaders or s.starts_at <= now)
        ]
        hosts = self._hosts(shown, leaders, tr, now, work, qr=True)
        path = f"/schedules/{quote(unit.code, safe='')}"
        later = _next_month(today.replace(day=1))
        return self._render(
            "poster.html",
            tr,
            path=f"{path}/poster",
            query={"month": f"{first:%Y-%m}"} if month else {},
            title=tr._("Citizen reception schedule, {month}", month=tr.month(first)),
            unit=unit,
            month=tr.month(first),
            hosts=hosts,
            marks=_marks(line for host in hosts for line in host.sessions),
            printed=tr.day(today),
            schedule_url=(
                _with_query(f"{self._settings.public_url}{path}", self._lang_query(tr.locale))
                if self._settings.public_url
                else ""
            ),
            next_month_url=(
                _with_query(
                    f"{path}/poster", {**self._lang_query(tr.locale), "month": f"{later:%Y-%m}"}
                )
                if first != later
                else ""
            ),
            this_month_url=(
                _with_query(f"{path}/poster", self._lang_query(tr.locale))
                if first != today.replace(day=1)
                else ""
            ),
            bot=self._bot(tr, qr=True),
        )

    def rules(self, tr: Translator) -> Page:
        topics = [
            TopicView(topic.id, topic.title, _blocks(topic.body))
            for topic in self._content.topics(tr.locale)
        ]
        return self._render(
            "rules.html",
            tr,
            path="/rules",
            title=tr._("Rules of citizen reception"),
            topics=topics,
            # A translation not yet reviewed says so, and links to the text that prevails.
            original=(
                ""
                if self._content.reviewed(tr.locale, "rules")
                else _with_query("/rules", self._lang_query("vi"))
            ),
        )

    def not_found(self, tr: Translator) -> Page:
        # Its language link leads to the list of units, where the reader goes on.
        page = self._render(
            "not_found.html", tr, path="/", current="", title=tr._("There is no such page")
        )
        return Page(page.html, found=False)

    def unavailable(self, tr: Translator) -> Page:
        return self._render(
            "unavailable.html",
            tr,
            path="/",
            current="",
            title=tr._("This page cannot be shown right now"),
        )

    # --- parts ---------------------------------------------------------------------------------

    def _hosts(
        self,
        sessions: Sequence[SessionView],
        leaders: Mapping[int, Leader],
        tr: Translator,
        now: datetime,
        work: WorkCalendar,
        *,
        qr: bool,
    ) -> tuple[Host, ...]:
        by_leader: dict[int, list[SessionView]] = {}
        for session in sorted(sessions, key=lambda s: (s.leader_id, s.starts_at, s.id)):
            by_leader.setdefault(session.leader_id, []).append(session)
        hosts = []
        for leader_id, own in by_leader.items():
            first = own[0]
            leader = leaders.get(leader_id)
            url = self._register_url(leader) if leader is not None else ""
            label = tr._(
                "QR code: register to meet {name}, {title}, on Telegram",
                name=first.leader_name,
                title=first.leader_title,
            )
            hosts.append(
                Host(
                    name=first.leader_name,
                    title=first.leader_title,
                    sessions=tuple(self._line(s, tr, now, work) for s in own),
                    register_url=url,
                    qr=qr_code(url, label) if qr and url else None,
                )
            )
        return tuple(hosts)

    def _line(
        self, session: SessionView, tr: Translator, now: datetime, work: WorkCalendar
    ) -> SessionLine:
        cancelled = session.status is SessionStatus.CANCELLED
        if cancelled:
            places = ""
        elif registrations.bookable(session, now, work, self._settings.booking):
            places = tr.n_("{n} slot left", "{n} slots left", session.remaining)
        elif session.remaining == 0:
            places = tr._("full")
        else:
            places = tr._("registration closed")
        return SessionLine(
            starts_at=session.starts_at.astimezone(tr.zone),
            day=tr.day_of(session.starts_at),
            hours=f"{tr.hour(session.starts_at)}–{tr.hour(session.ends_at)}",
            place=session.location,
            places=places,
            cancelled=cancelled,
            # A planned session whose time or place changed after it was first published.
            moved=session.status is SessionStatus.PLANNED and session.revision > 0,
        )

    def _register_url(self, leader: Leader) -> str:
        username = self._settings.telegram_username
        if not username:
            return ""
        start = f"reg_{leader.code}"
        if not _START_PARAMETER.fullmatch(start):
            return f"https://t.me/{username}"
        return f"https://t.me/{username}?start={start}"

    def _bot(self, tr: Translator, *, qr: bool = False) -> BotLinks:
        username = self._settings.telegram_username
        oa = self._settings.zalo_oa_id
        zalo = f"https://zalo.me/{oa}" if oa else ""
        return BotLinks(
            telegram=f"https://t.me/{username}" if username else "",
            telegram_name=f"@{username}" if username else "",
            zalo=zalo,
            zalo_qr=(
                qr_code(zalo, tr._("QR code: the Tiếp Dân Official Account on Zalo"))
                if qr and zalo
                else None
            ),
        )

    def _render(
        self,
        template: str,
        tr: Translator,
        *,
        path: str,
        title: str,
        query: Mapping[str, str] | None = None,
        current: str | None = None,
        **context: object,
    ) -> Page:
        """``path`` and ``query``: where the language links lead (this page in the other
        language); ``current``: the site link marked as the page being read (``path``)."""
        query = dict(query or {})
        own = self._lang_query(tr.locale)
        switches = [
            LanguageLink(
                locale,
                _LANGUAGE_NAMES.get(locale, locale),
                _with_query(path, {**query, **self._lang_query(locale)}),
            )
            for locale in self._catalogs.locales
            if locale != tr.locale
        ]

        def href(target: str, **params: str) -> str:
            return _with_query(target, {**params, **own})

        html = self._templates.get_template(template).render(
            _=tr._,
            n_=tr.n_,
            lang=tr.locale,
            current=path if current is None else current,
            title=title,
            css=Markup(STYLESHEET),
            href=href,
            switches=switches,
            **context,
        )
        return Page(html.encode("utf-8"))

    def _lang_query(self, locale: str) -> dict[str, str]:
        return {} if locale == self._catalogs.default else {"lang": locale}


@dataclass(frozen=True, slots=True)
class BotLinks:
    telegram: str
    telegram_name: str
    zalo: str
    zalo_qr: Markup | None = None

    @property
    def any(self) -> bool:
        return bool(self.telegram or self.zalo)


@dataclass(frozen=True, slots=True)
class LanguageLink:
    locale: str
    name: str
    url: str


# Each language named in itself, as a reader looks for it.
_LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English", "km": "ភាសាខ្មែរ"}


def qr_code(url: str, label: str) -> Markup:
    """An inline SVG QR code of ``url`` (error correction M, the standard quiet zone), named
    for assistive technology by ``label``."""
    svg = segno.make(url, error="m", micro=False).svg_inline(
        scale=1, omitsize=True, svgclass="qr-code", lineclass=None
    )
    named = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)
    return Markup(named)


def _marks(lines: Iterable[SessionLine]) -> frozenset[str]:
    """Which marks the page shows, so that its legend explains those."""
    marks: set[str] = set()
    for line in lines:
        if line.cancelled:
            marks.add("cancelled")
        elif line.moved:
            marks.add("moved")
    return frozenset(marks)


def _with_query(path: str, query: Mapping[str, str]) -> str:
    return f"{path}?{urlencode(query)}" if query else path


def _shown(
    sessions: Iterable[SessionView], active_leaders: set[int], now: datetime
) -> list[SessionView]:
    """Published sessions not over yet; a leader no longer in office holds none of theirs."""
    return [
        s
        for s in sessions
        if s.published
        and s.ends_at > now
        and (s.leader_id in active_leaders or s.starts_at <= now)
    ]


def _in_tree_order(units: Sequence[Unit]) -> list[Unit]:
    """Each unit followed by the units below it, depth first, siblings in their given order."""
    children: dict[int | None, list[Unit]] = {}
    ids = {unit.id for unit in units}
    for unit in units:
        parent = unit.parent_id if unit.parent_id in ids else None
        children.setdefault(parent, []).append(unit)
    ordered: list[Unit] = []
    stack = list(reversed(children.get(None, [])))
    while stack:
        unit = stack.pop()
        ordered.append(unit)
        stack.extend(reversed(children.get(unit.id, [])))
    return ordered


def _tree(units: Sequence[Unit], counted: Mapping[int, int]) -> tuple[UnitEntry, ...]:
    children: dict[int | None, list[Unit]] = {}
    ids = {unit.id for unit in units}
    for unit in units:
        children.setdefault(unit.parent_id if unit.parent_id in ids else None, []).append(unit)

    def entry(unit: Unit, seen: frozenset[int]) -> UnitEntry:
        below = tuple(
            entry(child, seen | {child.id})
            for child in children.get(unit.id, [])
            if child.id not in seen
        )
        return UnitEntry(unit.code, unit.name, counted.get(unit.id, 0), below)

    return tuple(entry(unit, frozenset({unit.id})) for unit in children.get(None, []))


def _month(asked: str | None, today: date) -> date | None:
    """The first day of the month to print: this month, or ``YYYY-MM`` if it is this month or
    one of the next MONTHS_AHEAD; None for any other."""
    first = today.replace(day=1)
    if not asked:
        return first
    found = _MONTH.fullmatch(asked)
    if found is None or not 1 <= int(found.group(2)) <= 12:
        return None
    wanted = date(int(found.group(1)), int(found.group(2)), 1)
    allowed = [first]
    for _ in range(MONTHS_AHEAD):
        allowed.append(_next_month(allowed[-1]))
    return wanted if wanted in allowed else None


def _next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def _blocks(body: str) -> tuple[Block, ...]:
    """A content file's plain text as blocks: a paragraph for each line, a list for each run
    of lines that start with "•"."""
    blocks: list[Block] = []
    for line in (raw.strip() for raw in body.splitlines()):
        if not line:
            continue
        if line.startswith("•"):
            item = line.removeprefix("•").strip()
            if blocks and blocks[-1].kind == "ul":
                blocks[-1].lines.append(item)
            else:
                blocks.append(Block("ul", [item]))
        else:
            blocks.append(Block("p", [line]))
    return tuple(blocks)


def fill(text: str, **parts: object) -> Markup:
    """A translated sentence with markup (a link) in its placeholders: the sentence is escaped,
    each part too unless it is already markup (``link``)."""
    try:
        return escape(text).format(**parts)
    except (KeyError, IndexError, ValueError):
        log.error("bad placeholder in translation of %r", text)
        return escape(text)


def link(url: str, text: str, *, new_tab: bool = False, css: str = "") -> Markup:
    """A link; ``new_tab`` for one leaving a page shown in another site's iframe."""
    extra = Markup(' target="_blank" rel="noopener"') if new_tab else Markup("")
    style = Markup(' class="{}"').format(css) if css else Markup("")
    return Markup('<a href="{}"{}{}>{}</a>').format(url, style, extra, text)
