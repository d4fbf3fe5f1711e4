"""Configuration: one TOML file validated into a frozen, typed object.

Where the file comes from: ``--config PATH``, else ``$TIEPDAN_CONFIG``, else ``./config.toml`` when
present, else the built-in defaults (identical to ``config.example.toml``). Secrets may come from
the environment instead of the file; see ``ENV_OVERRIDES``. This is the only module that reads the
environment or the configuration file.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.core.repeats import DEFAULT_THRESHOLD as DEFAULT_REPEAT_THRESHOLD

# Vietnamese, English and Khmer (ភាសាខ្មែរ, for the Khmer citizens of the Mekong Delta).
SUPPORTED_LOCALES = ("vi", "en", "km")
Locale = Literal["vi", "en", "km"]
_OFFERED_BY_DEFAULT: tuple[Locale, ...] = ("vi", "en")
CONFIG_ENV = "TIEPDAN_CONFIG"
_URL = r"^https?://[^\s/]+(/[^\s]*)?$"
DEFAULT_CONFIG_FILE = Path("config.toml")

# Environment variables that override a key of the file (they win when set and non-empty).
ENV_OVERRIDES: Mapping[str, tuple[str, str]] = {
    "TIEPDAN_DATABASE_URL": ("database", "url"),
    "TIEPDAN_TELEGRAM_TOKEN": ("telegram", "token"),
    "TIEPDAN_TELEGRAM_WEBHOOK_SECRET": ("telegram", "webhook_secret"),
    "TIEPDAN_ZALO_BOT_TOKEN": ("zalo_bot", "token"),
    "TIEPDAN_ZALO_BOT_WEBHOOK_SECRET": ("zalo_bot", "webhook_secret"),
    "TIEPDAN_ZALO_OA_SECRET_KEY": ("zalo_oa", "secret_key"),
    "TIEPDAN_ZALO_OA_APP_SECRET": ("zalo_oa", "app_secret"),
    "TIEPDAN_ZALO_OA_REFRESH_TOKEN": ("zalo_oa", "refresh_token"),
    "TIEPDAN_METRICS_TOKEN": ("web", "metrics_token"),
    # `make run` sets it: the demo console with its public feeds, without a config file.
    "TIEPDAN_WEB_ENABLED": ("web", "enabled"),
}


# The catalogs and content files shipped inside the package (a wheel carries them).
DEFAULT_LOCALES_DIR = Path(__file__).resolve().parent / "locales"


class ConfigError(Exception):
    """The configuration cannot be used; the message names the key and the problem."""


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class BotConfig(_Section):
    default_locale: Locale = "vi"
    # The languages this deployment offers; Vietnamese always (the record is Vietnamese).
    locales: list[Locale] = Field(default_factory=lambda: list(_OFFERED_BY_DEFAULT))
    timezone: str = "Asia/Ho_Chi_Minh"
    locales_dir: str = ""

    @model_validator(mode="after")
    def _offered(self) -> BotConfig:
        if "vi" not in self.locales:
            raise ValueError('locales must include "vi": the official record is Vietnamese')
        if len(set(self.locales)) != len(self.locales):
            raise ValueError("locales lists a language twice")
        if self.default_locale not in self.locales:
            raise ValueError(f"default_locale {self.default_locale!r} is not among locales")
        return self

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def locales_path(self) -> Path:
        if self.locales_dir:
            return Path(self.locales_dir)
        return DEFAULT_LOCALES_DIR


class DatabaseConfig(_Section):
    url: str = "sqlite+aiosqlite:///data/tiepdan.sqlite3"
    echo: bool = False
    busy_timeout_ms: Annotated[int, Field(ge=0, le=600_000)] = 5000
    sqlite_synchronous: Literal["full", "normal"] = "full"

    @field_validator("url")
    @classmethod
    def _supported_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "must start with sqlite+aiosqlite:// or postgresql+asyncpg:// (async drivers only)"
            )
        return value


class TelegramConfig(_Section):
    enabled: bool = False
    token: SecretStr = SecretStr("")
    # The bot's public user name (without @): the public pages and the printed poster link
    # to https://t.me/<username>?start=reg_<leader code>. Empty: they say how to find the bot.
    username: Annotated[str, Field(pattern=r"^([A-Za-z][A-Za-z0-9_]{1,28}[Bb][Oo][Tt])?$")] = ""
    api_base_url: Annotated[str, Field(pattern=_URL)] = "https://api.telegram.org"
    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str = ""
    webhook_secret: SecretStr = SecretStr("")
    officers_chat_id: Annotated[str, Field(pattern=r"^(-?\d{1,20})?$")] = ""
    poll_timeout_seconds: Annotated[int, Field(ge=0, le=50)] = 25
    concurrency: Annotated[int, Field(ge=1, le=256)] = 8
    # Telegram's own limit is 30; a local Bot API server (or a benchmark's fake) has none.
    messages_per_second: Annotated[float, Field(gt=0, le=100_000)] = 30.0
    private_chat_gap_seconds: Annotated[float, Field(ge=0, le=60)] = 1.0
    group_chat_gap_seconds: Annotated[float, Field(ge=0, le=600)] = 3.0
    chat_burst: Annotated[int, Field(ge=1, le=20)] = 3

    @field_validator("username", mode="before")
    @classmethod
    def _without_at(cls, value: object) -> object:
        return value.removeprefix("@") if isinstance(value, str) else value

    @model_validator(mode="after")
    def _usable(self) -> TelegramConfig:
        if not self.enabled:
            return self
        if not re.fullmatch(r"\d+:[A-Za-z0-9_-]+", self.token.get_secret_value()):
            raise ValueError("token: set the bot token from @BotFather (TIEPDAN_TELEGRAM_TOKEN)")
        if self.mode == "webhook":
            if not self.webhook_url.startswith("https://") and not self.webhook_url.startswith(
                "http://127.0.0.1"
            ):
                raise ValueError("webhook_url: webhook mode needs the public https:// URL")
            if not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", self.webhook_secret.get_secret_value()):
                raise ValueError(
                    "webhook_secret: webhook mode needs 16 to 256 characters of A-Z, a-z, "
                    "0-9, _ and - (TIEPDAN_TELEGRAM_WEBHOOK_SECRET)"
                )
        return self

    @property
    def webhook_path(self) -> str:
        return urlsplit(self.webhook_url).path or "/"


class ZaloBotConfig(_Section):
    enabled: bool = False
    token: SecretStr = SecretStr("")
    api_base_url: Annotated[str, Field(pattern=_URL)] = "https://bot-api.zaloplatforms.com"
    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str = ""
    webhook_secret: SecretStr = SecretStr("")
    poll_timeout_seconds: Annotated[int, Field(ge=1, le=60)] = 30
    concurrency: Annotated[int, Field(ge=1, le=256)] = 8
    # The platform publishes no limits: conservative, and configurable.
    messages_per_second: Annotated[float, Field(gt=0, le=1000)] = 10.0
    chat_gap_seconds: Annotated[float, Field(ge=0, le=60)] = 1.0
    chat_burst: Annotated[int, Field(ge=1, le=20)] = 3

    @model_validator(mode="after")
    def _usable(self) -> ZaloBotConfig:
        if not self.enabled:
            return self
        if not re.fullmatch(r"[^\s:/]+:[^\s/]+", self.token.get_secret_value()):
            raise ValueError(
                "token: set the bot token from the Zalo Bot Platform, BOT_ID:SECRET "
                "(TIEPDAN_ZALO_BOT_TOKEN)"
            )
        if self.mode == "webhook":
            if not self.webhook_url.startswith("https://"):
                raise ValueError("webhook_url: webhook mode needs the public https:// URL")
            if not re.fullmatch(r"[A-Za-z0-9_-]{8,256}", self.webhook_secret.get_secret_value()):
                raise ValueError(
                    "webhook_secret: webhook mode needs 8 to 256 characters of A-Z, a-z, "
                    "0-9, _ and - (TIEPDAN_ZALO_BOT_WEBHOOK_SECRET)"
                )
        return self

    @property
    def webhook_path(self) -> str:
        return urlsplit(self.webhook_url).path or "/"


class ZaloOAConfig(_Section):
    enabled: bool = False
    # The file Zalo asks a domain to serve before it accepts a webhook URL on it: its name
    # ("zalo_verifier….html") and its whole content, both from the developer console. Served
    # at the web root by [web], also before the OA is enabled (the domain is verified first).
    domain_verification_file: Annotated[
        str, Field(pattern=r"^([A-Za-z0-9][A-Za-z0-9_.-]{0,99}\.html)?$")
    ] = ""
    domain_verification_content: Annotated[str, Field(max_length=10_000)] = ""
    app_id: str = ""
    secret_key: SecretStr = SecretStr("")
    app_secret: SecretStr = SecretStr("")
    refresh_token: SecretStr = SecretStr("")
    # The Official Account's id, as in its public link https://zalo.me/<oa_id>: the public
    # pages and the printed poster link to it. Empty: no Zalo link.
    oa_id: Annotated[str, Field(pattern=r"^(\d{5,30})?$")] = ""
    oauth_base_url: Annotated[str, Field(pattern=_URL)] = "https://oauth.zaloapp.com"
    api_base_url: Annotated[str, Field(pattern=_URL)] = "https://openapi.zalo.me"
    zns_base_url: Annotated[str, Field(pattern=_URL)] = "https://business.openapi.zalo.me"
    webhook_path: Annotated[str, Field(pattern=r"^/[^\s]*$")] = "/zalo-oa/events"
    # Zalo takes consultation messages for 7 days after the citizen's last message (its
    # "conditions of consultation messages"; past them, error -230) and bills those sent
    # after the first 48 hours. 48: only free messages; past the window, the ZNS template
    # or the officers' phone (docs/zalo.md, "Consultation window").
    consultation_window_hours: Annotated[float, Field(gt=0, le=7 * 24)] = 7 * 24
    # Consultation messages the OA may send after each message of a citizen; 0: no limit.
    # Zalo allowed 8 free ones within 48 hours until 1 January 2026, and no limit since.
    free_replies_per_window: Annotated[int, Field(ge=0, le=1000)] = 0
    renew_before_minutes: Annotated[int, Field(ge=1, le=24 * 60)] = 60
    zns_template_id: str = ""
    zns_code_param: str = "ma_phieu"
    zns_text_param: str = "noi_dung"
    concurrency: Annotated[int, Field(ge=1, le=256)] = 8
    messages_per_second: Annotated[float, Field(gt=0, le=1000)] = 10.0
    chat_gap_seconds: Annotated[float, Field(ge=0, le=60)] = 0.5
    chat_burst: Annotated[int, Field(ge=1, le=20)] = 3

    @model_validator(mode="after")
    def _usable(self) -> ZaloOAConfig:
        if bool(self.domain_verification_file) != bool(self.domain_verification_content):
            raise ValueError(
                "domain_verification_file and domain_verification_content go together"
            )
        if not self.enabled:
            return self
        # Without secret_key the OA runs in registration mode (handlers/zalo/oa_events.py):
        # the developer console shows that key only once the webhook URL is saved.
        missing = [
            name
            for name, value in (
                ("app_id", self.app_id),
                ("app_secret", self.app_secret.get_secret_value()),
            )
            if not value
        ]
        if missing:
            raise ValueError(f"{', '.join(missing)}: needed to serve a Zalo Official Account")
        return self


class OfficerConfig(_Section):
    channel: Literal["console", "telegram", "zalo_bot", "zalo_oa"]
    user_id: Annotated[str, Field(min_length=1)]
    name: Annotated[str, Field(min_length=1)]
    role: Literal["officer", "supervisor", "admin"]
    units: tuple[str, ...] = ()
    permissions: tuple[Literal["confidential"], ...] = ()


class RegistrationConfig(_Section):
    max_active_per_citizen: Annotated[int, Field(ge=1, le=100)] = 3
    summary_max_chars: Annotated[int, Field(ge=100, le=10_000)] = 2000
    booking_horizon_days: Annotated[int, Field(ge=1, le=365)] = 60
    min_notice_working_days: Annotated[int, Field(ge=1, le=30)] = 2


_WorkingDays = Annotated[int, Field(ge=1, le=60)]


class DeadlinesConfig(_Section):
    """Working days the law gives for each step (bot/core/deadlines.py)."""

    complaint: _WorkingDays = 10
    denunciation: _WorkingDays = 7
    denunciation_extended: _WorkingDays = 10
    denunciation_forward: _WorkingDays = 5
    petition: _WorkingDays = 10
    feedback: _WorkingDays = 10
    refusal_notice: _WorkingDays = 3
    party_notice: _WorkingDays = 10

    @model_validator(mode="after")
    def _extension_is_longer(self) -> DeadlinesConfig:
        if self.denunciation_extended <= self.denunciation:
            raise ValueError("denunciation_extended must be longer than denunciation")
        return self


class ScheduleConfig(_Section):
    view_days: Annotated[int, Field(ge=1, le=365)] = 30
    materialise_days: Annotated[int, Field(ge=1, le=730)] = 60


class CalendarConfig(_Section):
    # Days off decided for public bodies on top of the public holidays (e.g. a Tết bridge day).
    days_off: tuple[date, ...] = ()
    # Saturdays or Sundays worked in exchange for a day off (ngày làm bù).
    working_days: tuple[date, ...] = ()

    @model_validator(mode="after")
    def _not_both(self) -> CalendarConfig:
        both = sorted(set(self.days_off) & set(self.working_days))
        if both:
            raise ValueError(f"{both[0].isoformat()} is both a day off and a working day")
        return self


class TriageConfig(_Section):
    # Reception in the head's place (tiếp thay): Party committees allow it unless listed in
    # the first list; state bodies (people's committees, agencies) refuse it unless listed in
    # the second.
    delegation_forbidden_units: tuple[str, ...] = ()
    delegation_allowed_units: tuple[str, ...] = ()
    # A registration this many working days or fewer from its deadline is flagged.
    due_soon_working_days: Annotated[int, Field(ge=0, le=10)] = 2
    queue_page_size: Annotated[int, Field(ge=1, le=50)] = 10
    # How alike (0–1: the share of the shorter text's meaningful words found in the other) an
    # earlier registration of the same citizen and kind must be for a new one to be flagged
    # as its likely repeat.
    repeat_threshold: Annotated[float, Field(gt=0, le=1)] = DEFAULT_REPEAT_THRESHOLD


_HH_MM = r"^([01]\d|2[0-3]):[0-5]\d$"


class RemindersConfig(_Section):
    # Local times (HH:MM) in [bot] timezone.
    citizen_eve_time: Annotated[str, Field(pattern=_HH_MM)] = "08:00"
    citizen_eve_working_days: Annotated[int, Field(ge=1, le=10)] = 1
    citizen_morning_time: Annotated[str, Field(pattern=_HH_MM)] = "06:30"
    leader_digest_time: Annotated[str, Field(pattern=_HH_MM)] = "15:00"
    leader_digest_working_days: Annotated[int, Field(ge=1, le=10)] = 1
    officer_digest_time: Annotated[str, Field(pattern=_HH_MM)] = "07:30"
    # How often digests and announcements are prepared.
    plan_every_seconds: Annotated[int, Field(ge=1, le=3600)] = 60


class OutboxConfig(_Section):
    # How often due messages are sent (a turn's replies go at once).
    dispatch_every_seconds: Annotated[float, Field(gt=0, le=3600)] = 5
    # A message that keeps failing is given up after this many attempts...
    max_attempts: Annotated[int, Field(ge=1, le=100)] = 8
    # ...with waits doubling from the first to the longest.
    retry_first_seconds: Annotated[float, Field(gt=0, le=3600)] = 10
    retry_max_seconds: Annotated[float, Field(gt=0, le=86_400)] = 3600
    # A message being sent is held this long; then another instance may take it over.
    lease_seconds: Annotated[float, Field(ge=1, le=3600)] = 120


class MinimumConfig(_Section):
    """At least ``days`` reception days per month or week, for heads in ``role`` at ``level``
    (empty: any level), from ``from`` until ``until`` (inclusive; empty: no end)."""

    role: Literal["party_secretary", "committee_chair", "agency_head"]
    level: Literal["province", "commune", ""] = ""
    days: Annotated[int, Field(ge=1, le=31)]
    per: Literal["month", "week"]
    valid_from: date = Field(alias="from")
    valid_until: date | None = Field(default=None, alias="until")
    basis: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> MinimumConfig:
        if self.valid_until is not None and self.valid_until < self.valid_from:
            raise ValueError("until is before from")
        return self


class ReportsConfig(_Section):
    # Leaders (by code) sent their unit's report of the past month, on the first working
    # day of each month, through their reminder contacts.
    monthly_to: tuple[str, ...] = ()
    monthly_time: Annotated[str, Field(pattern=_HH_MM)] = "08:00"
    # The legal minimum of reception days; when given, replaces the built-in rules entirely.
    minimums: tuple[MinimumConfig, ...] = ()


class WebConfig(_Section):
    # The HTTP server of webhooks, /healthz and the public documents. It always runs with a
    # network channel; ``enabled`` starts it with the console alone too.
    enabled: bool = False
    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=0, le=65535)] = 8080
    # Requests a minute per client address on the public routes, after a burst of
    # ``public_burst`` at once.
    public_rate_per_minute: Annotated[float, Field(gt=0, le=100_000)] = 60.0
    public_burst: Annotated[int, Field(ge=1, le=10_000)] = 30
    # The client is the last X-Forwarded-For address; only true behind a reverse proxy that
    # sets it, or any client could name itself.
    trust_forwarded_for: bool = False
    # GET /metrics (Prometheus) asks for ``Authorization: Bearer <token>`` when set; empty:
    # open to whoever reaches the server.
    metrics_token: SecretStr = SecretStr("")
    # The address citizens reach the public pages at, e.g. "https://tiepdan.example.gov.vn":
    # printed on the poster. Empty: the poster prints no address.
    public_url: Annotated[str, Field(pattern=r"^(https?://[^\s/?#]+(/[^\s?#]*)?)?$")] = ""
    # Origins whose pages may show the schedule page in an iframe (?embed=1), e.g.
    # ["https://xa.example.gov.vn"]. Empty: no site may frame any page.
    embed_origins: tuple[str, ...] = ()

    @field_validator("public_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("embed_origins")
    @classmethod
    def _origins(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        label = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
        for origin in value:
            if not re.fullmatch(rf"https?://(\*\.)?{label}(\.{label})*(:\d{{1,5}})?", origin):
                raise ValueError(
                    f"{origin!r} is not an origin: write the scheme and the host only, "
                    "e.g. https://xa.example.gov.vn"
                )
        return tuple(origin.lower() for origin in value)


class LogConfig(_Section):
    # "text": one line of words a record; "json": one JSON object a line, for a collector.
    format: Literal["text", "json"] = "text"


class OpenDataConfig(_Section):
    # Public, read-only routes on the [web] server: the public pages (/, /schedules/...,
    # /rules), the sessions as calendar feeds (/calendar/...) and the registrations, without
    # personal data, as Open311 (/open311/v2/...).
    enabled: bool = True
    # The deployment's domain, e.g. "tiepdan.example.gov.vn": Open311's jurisdiction_id, and
    # the end of every calendar event's UID ("tiepdan" when empty).
    jurisdiction_id: str = ""
    calendar_days_ahead: Annotated[int, Field(ge=1, le=730)] = 180

    @field_validator("jurisdiction_id")
    @classmethod
    def _domain(cls, value: str) -> str:
        label = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
        if value and not re.fullmatch(rf"{label}(\.{label})*", value):
            raise ValueError("must be a domain name, e.g. tiepdan.example.gov.vn")
        return value.lower()


class PrivacyConfig(_Section):
    controller: str = "Ban Tiếp công dân (đơn vị vận hành Tiếp Dân)"
    contact: str = "Trụ sở tiếp công dân của đơn vị vận hành"
    # 0: kept as long as the law on archives requires for reception records.
    retention_months: Annotated[int, Field(ge=0, le=1200)] = 0


class Config(_Section):
    bot: BotConfig = BotConfig()
    database: DatabaseConfig = DatabaseConfig()
    telegram: TelegramConfig = TelegramConfig()
    zalo_bot: ZaloBotConfig = ZaloBotConfig()
    zalo_oa: ZaloOAConfig = ZaloOAConfig()
    registration: RegistrationConfig = RegistrationConfig()
    deadlines: DeadlinesConfig = DeadlinesConfig()
    schedule: ScheduleConfig = ScheduleConfig()
    calendar: CalendarConfig = CalendarConfig()
    triage: TriageConfig = TriageConfig()
    reminders: RemindersConfig = RemindersConfig()
    outbox: OutboxConfig = OutboxConfig()
    web: WebConfig = WebConfig()
    open_data: OpenDataConfig = OpenDataConfig()
    reports: ReportsConfig = ReportsConfig()
    privacy: PrivacyConfig = PrivacyConfig()
    log: LogConfig = LogConfig()
    officers: tuple[OfficerConfig, ...] = ()

    @field_validator("officers")
    @classmethod
    def _unique_officers(cls, value: tuple[OfficerConfig, ...]) -> tuple[OfficerConfig, ...]:
        seen: set[tuple[str, str]] = set()
        for officer in value:
            key = (officer.channel, officer.user_id)
            if key in seen:
                raise ValueError(f"{officer.channel}:{officer.user_id} is listed twice")
            seen.add(key)
        return value

    @property
    def network_channels_enabled(self) -> bool:
        return self.telegram.enabled or self.zalo_bot.enabled or self.zalo_oa.enabled


def resolve_path(cli_path: str | None, environ: Mapping[str, str]) -> Path | None:
    """Pick the configuration file by the documented precedence; None means built-in defaults."""
    if cli_path:
        return Path(cli_path)
    if environ.get(CONFIG_ENV):
        return Path(environ[CONFIG_ENV])
    if DEFAULT_CONFIG_FILE.is_file():
        return DEFAULT_CONFIG_FILE
    return None


def load(cli_path: str | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """Load, merge secrets from the environment and validate; raise ConfigError on any problem."""
    env = os.environ if environ is None else environ
    path = resolve_path(cli_path, env)
    raw: dict[str, Any] = {}
    source = "built-in defaults"
    if path is not None:
        source = str(path)
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigError(f"{source}: file not found") from exc
        except UnicodeDecodeError as exc:
            raise ConfigError(f"{source}: not UTF-8 text ({exc.reason})") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{source}: not valid TOML: {exc}") from exc
        except OSError as exc:
            raise ConfigError(f"{source}: cannot be read: {exc.strerror}") from exc
    return parse(raw, env, source)


def parse(raw: dict[str, Any], environ: Mapping[str, str], source: str = "config") -> Config:
    merged = _with_secrets(raw, environ)
    try:
        return Config.model_validate(merged)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, source)) from exc


def _with_secrets(raw: dict[str, Any], environ: Mapping[str, str]) -> dict[str, Any]:
    merged = {key: dict(value) if isinstance(value, dict) else value for key, value in raw.items()}
    for variable, (section, key) in ENV_OVERRIDES.items():
        value = environ.get(variable)
        if value:
            table = merged.setdefault(section, {})
            if isinstance(table, dict):
                table[key] = value
    return merged


def _describe(exc: ValidationError, source: str) -> str:
    lines = [f"Invalid configuration in {source}:"]
    for error in exc.errors():
        location = _key_path(error["loc"])
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "unknown key (check its spelling and section)"
        lines.append(f"  {location}: {message}")
    return "\n".join(lines)


def _key_path(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item + 1}]")
        elif parts:
            parts.append(f".{item}")
        else:
            parts.append(item)
    return "".join(parts) or "(top level)"
