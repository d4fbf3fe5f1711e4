"""Configuration: one TOML file validated into a frozen, typed object."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from bot.config import Config, ConfigError, load, parse

OFFICER = {"channel": "telegram", "user_id": "1001", "name": "Cán bộ A", "role": "officer"}


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# --- defaults ------------------------------------------------------------------------------


def test_defaults() -> None:
    config = Config()
    assert config.bot.default_locale == "vi"
    assert config.bot.timezone == "Asia/Ho_Chi_Minh"
    assert config.bot.zone.key == "Asia/Ho_Chi_Minh"
    assert config.database.url == "sqlite+aiosqlite:///data/tiepdan.sqlite3"
    assert config.telegram.token.get_secret_value() == ""
    assert config.officers == ()
    assert not config.network_channels_enabled


def test_parse_of_an_empty_table_gives_the_defaults() -> None:
    assert parse({}, {}) == Config()


def test_parse_reads_values() -> None:
    config = parse(
        {
            "bot": {"default_locale": "en", "timezone": "UTC"},
            "database": {"url": "postgresql+asyncpg://u:p@db/tiepdan"},
            "telegram": {"enabled": True, "token": "123:from-file"},
            "registration": {"max_active_per_citizen": 5},
            "officers": [OFFICER],
        },
        {},
    )
    assert config.bot.default_locale == "en"
    assert config.bot.zone.key == "UTC"
    assert config.database.url == "postgresql+asyncpg://u:p@db/tiepdan"
    assert config.telegram.token.get_secret_value() == "123:from-file"
    assert "123:from-file" not in repr(config.telegram)
    assert config.registration.max_active_per_citizen == 5
    assert config.officers[0].role == "officer"
    assert config.network_channels_enabled


# --- errors name the key -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "key", "problem"),
    [
        ({"database": {"ulr": "x"}}, "database.ulr", "unknown key"),
        ({"databse": {}}, "databse", "unknown key"),
        ({"bot": {"timezone": "UTC", "colour": "red"}}, "bot.colour", "unknown key"),
        (
            {"registration": {"max_active_per_citizen": "lots"}},
            "registration.max_active_per_citizen",
            "integer",
        ),
        (
            {"registration": {"max_active_per_citizen": 0}},
            "registration.max_active_per_citizen",
            "greater than or equal",
        ),
        ({"bot": {"timezone": "Mars/Olympus"}}, "bot.timezone", "unknown time zone"),
        ({"bot": {"timezone": "Asia/Hanoi City"}}, "bot.timezone", "unknown time zone"),
        ({"bot": {"default_locale": "fr"}}, "bot.default_locale", "'vi', 'en' or 'km'"),
        ({"database": {"url": "sqlite:///x.db"}}, "database.url", "async drivers"),
        ({"telegram": {"enabled": "maybe"}}, "telegram.enabled", "boolean"),
        ({"officers": [{**OFFICER, "role": "boss"}]}, "officers[1].role", "'officer'"),
        (
            {"officers": [OFFICER, {**OFFICER, "user_id": "2", "channel": "sms"}]},
            "officers[2].channel",
            "'console'",
        ),
        ({"officers": [{**OFFICER, "name": ""}]}, "officers[1].name", "at least 1"),
        (
            {
                "reports": {
                    "minimums": [
                        {
                            "role": "committee_chair",
                            "days": 2,
                            "per": "month",
                            "from": date(2026, 7, 1),
                            "until": date(2026, 1, 1),
                        }
                    ]
                }
            },
            "reports.minimums[1]",
            "until is before from",
        ),
        ({"reports": {"monthly_time": "8h"}}, "reports.monthly_time", "pattern"),
    ],
)
def test_errors_name_the_dotted_key(raw: dict[str, Any], key: str, problem: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse(raw, {}, "my.toml")
    message = str(caught.value)
    assert "my.toml" in message
    assert f"  {key}: " in message
    assert problem in message


def test_all_problems_are_reported_at_once() -> None:
    with pytest.raises(ConfigError) as caught:
        parse({"database": {"ulr": "x"}, "bot": {"timezone": "Nowhere/Here"}}, {})
    message = str(caught.value)
    assert "database.ulr" in message
    assert "bot.timezone" in message


def test_duplicate_officers_are_rejected() -> None:
    with pytest.raises(ConfigError) as caught:
        parse({"officers": [OFFICER, {**OFFICER, "name": "Cán bộ B", "role": "admin"}]}, {})
    message = str(caught.value)
    assert "officers" in message
    assert "telegram:1001" in message
    assert "twice" in message


def test_same_user_id_on_two_channels_is_not_a_duplicate() -> None:
    config = parse({"officers": [OFFICER, {**OFFICER, "channel": "zalo_bot"}]}, {})
    assert [o.channel for o in config.officers] == ["telegram", "zalo_bot"]


# --- secrets from the environment ----------------------------------------------------------


def test_environment_overrides_the_file() -> None:
    raw: dict[str, Any] = {
        "telegram": {"enabled": True, "token": "123:from-file"},
        "database": {"url": "sqlite+aiosqlite:///file.sqlite3"},
    }
    environ = {
        "TIEPDAN_TELEGRAM_TOKEN": "123:from-env",
        "TIEPDAN_DATABASE_URL": "postgresql+asyncpg://env/db",
    }
    config = parse(raw, environ)
    assert config.telegram.token.get_secret_value() == "123:from-env"
    assert config.telegram.enabled
    assert config.database.url == "postgresql+asyncpg://env/db"
    # The caller's table is not modified.
    assert raw["telegram"]["token"] == "123:from-file"


def test_environment_fills_a_missing_section() -> None:
    config = parse({}, {"TIEPDAN_ZALO_OA_SECRET_KEY": "s3cret", "TIEPDAN_ZALO_BOT_TOKEN": "zb"})
    assert config.zalo_oa.secret_key.get_secret_value() == "s3cret"
    assert config.zalo_bot.token.get_secret_value() == "zb"


@pytest.mark.parametrize(("value", "enabled"), [("true", True), ("1", True), ("false", False)])
def test_the_environment_can_start_the_web_side_beside_the_console(
    value: str, enabled: bool
) -> None:
    assert parse({}, {"TIEPDAN_WEB_ENABLED": value}).web.enabled is enabled
    assert parse({"web": {"enabled": True}}, {}).web.enabled


def test_empty_environment_variable_does_not_override() -> None:
    config = parse({"telegram": {"token": "123:from-file"}}, {"TIEPDAN_TELEGRAM_TOKEN": ""})
    assert config.telegram.token.get_secret_value() == "123:from-file"


def test_invalid_database_url_from_the_environment_is_reported() -> None:
    with pytest.raises(ConfigError, match=r"database\.url"):
        parse({}, {"TIEPDAN_DATABASE_URL": "mysql://nope"})


# --- load: where the file comes from -------------------------------------------------------


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Two config files naming different time zones; the working directory is tmp_path."""
    monkeypatch.chdir(tmp_path)
    cli = write(tmp_path / "cli.toml", '[bot]\ntimezone = "UTC"\n')
    env = write(tmp_path / "env.toml", '[bot]\ntimezone = "Europe/Paris"\n')
    return {"cli": cli, "env": env}


def test_load_prefers_the_cli_path(files: dict[str, Path], tmp_path: Path) -> None:
    write(tmp_path / "config.toml", '[bot]\ntimezone = "Asia/Tokyo"\n')
    config = load(str(files["cli"]), {"TIEPDAN_CONFIG": str(files["env"])})
    assert config.bot.timezone == "UTC"


def test_load_then_the_environment_variable(files: dict[str, Path], tmp_path: Path) -> None:
    write(tmp_path / "config.toml", '[bot]\ntimezone = "Asia/Tokyo"\n')
    assert load(None, {"TIEPDAN_CONFIG": str(files["env"])}).bot.timezone == "Europe/Paris"
    assert load("", {"TIEPDAN_CONFIG": str(files["env"])}).bot.timezone == "Europe/Paris"


def test_load_then_config_toml_in_the_working_directory(
    files: dict[str, Path], tmp_path: Path
) -> None:
    write(tmp_path / "config.toml", '[bot]\ntimezone = "Asia/Tokyo"\n')
    assert load(None, {}).bot.timezone == "Asia/Tokyo"
    assert load(None, {"TIEPDAN_CONFIG": ""}).bot.timezone == "Asia/Tokyo"


def test_load_falls_back_to_the_defaults(files: dict[str, Path]) -> None:
    assert not Path("config.toml").exists()
    assert load(None, {}) == Config()


def test_load_reads_os_environ_by_default(
    files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIEPDAN_CONFIG", str(files["env"]))
    monkeypatch.setenv("TIEPDAN_TELEGRAM_TOKEN", "123:os-env-token")
    config = load()
    assert config.bot.timezone == "Europe/Paris"
    assert config.telegram.token.get_secret_value() == "123:os-env-token"


def test_load_merges_environment_secrets_into_the_file(files: dict[str, Path]) -> None:
    path = write(files["cli"], '[telegram]\nenabled = true\ntoken = "file"\n')
    config = load(str(path), {"TIEPDAN_TELEGRAM_TOKEN": "123:env"})
    assert config.telegram.token.get_secret_value() == "123:env"


@pytest.mark.parametrize(
    ("telegram", "complaint"),
    [
        ({"enabled": True}, "set the bot token"),
        ({"enabled": True, "token": "not a token"}, "set the bot token"),
        (
            {"enabled": True, "token": "1:a", "mode": "webhook", "webhook_secret": "s" * 20},
            "webhook mode needs the public https:// URL",
        ),
        (
            {
                "enabled": True,
                "token": "1:a",
                "mode": "webhook",
                "webhook_url": "https://tiepdan.example/tg",
                "webhook_secret": "short",
            },
            "webhook_secret: webhook mode needs 16 to 256 characters",
        ),
        ({"officers_chat_id": "@officers"}, "telegram.officers_chat_id"),
    ],
)
def test_an_unusable_telegram_section_is_refused_at_start(
    telegram: dict[str, object], complaint: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        parse({"telegram": telegram}, {})
    assert complaint in str(caught.value)


def test_a_webhook_takes_its_path_from_the_public_url() -> None:
    config = parse(
        {
            "telegram": {
                "enabled": True,
                "token": "1:a",
                "mode": "webhook",
                "webhook_url": "https://tiepdan.example.gov.vn/hooks/telegram",
            }
        },
        {"TIEPDAN_TELEGRAM_WEBHOOK_SECRET": "a-secret-of-20-chars"},
    )
    assert config.telegram.webhook_path == "/hooks/telegram"
    assert config.telegram.webhook_secret.get_secret_value() == "a-secret-of-20-chars"


def test_load_missing_file_names_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "config.toml"
    with pytest.raises(ConfigError) as caught:
        load(str(missing), {})
    assert str(missing) in str(caught.value)
    assert "not found" in str(caught.value)


def test_load_missing_file_from_the_environment_names_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "env-missing.toml"
    with pytest.raises(ConfigError, match=r"env-missing\.toml"):
        load(None, {"TIEPDAN_CONFIG": str(missing)})


def test_load_invalid_toml_names_the_path(tmp_path: Path) -> None:
    path = write(tmp_path / "broken.toml", "[bot\ntimezone = 'UTC'\n")
    with pytest.raises(ConfigError) as caught:
        load(str(path), {})
    assert str(path) in str(caught.value)
    assert "not valid TOML" in str(caught.value)


def test_load_validation_error_names_the_path_and_key(tmp_path: Path) -> None:
    path = write(tmp_path / "typo.toml", '[database]\nulr = "x"\n')
    with pytest.raises(ConfigError) as caught:
        load(str(path), {})
    assert str(path) in str(caught.value)
    assert "database.ulr: unknown key" in str(caught.value)


def test_load_non_utf8_file_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "utf16.toml"
    # Windows Notepad's "Unicode" is UTF-16.
    path.write_bytes('[privacy]\ncontroller = "Ban Tiếp công dân"\n'.encode("utf-16"))
    with pytest.raises(ConfigError) as caught:
        load(str(path), {})
    assert str(path) in str(caught.value)
    assert "UTF-8" in str(caught.value)


def test_load_directory_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load(str(tmp_path), {})
    assert str(caught.value).startswith(f"{tmp_path}: ")


# --- frozen --------------------------------------------------------------------------------


def test_config_is_frozen() -> None:
    config = parse({"officers": [OFFICER]}, {})
    with pytest.raises(ValidationError, match="frozen"):
        config.bot = config.bot
    with pytest.raises(ValidationError, match="frozen"):
        config.bot.timezone = "UTC"
    with pytest.raises(ValidationError, match="frozen"):
        config.officers[0].role = "admin"
    with pytest.raises(AttributeError):
        config.officers.append(config.officers[0])  # type: ignore[attr-defined]
    assert config.bot.timezone == "Asia/Ho_Chi_Minh"


# --- where the public pages send citizens, and who may frame them ----------------------------


def test_the_bot_user_name_may_be_written_with_its_at() -> None:
    parsed = parse({"telegram": {"username": "@TiepDanAnHoaBot"}}, {})
    assert parsed.telegram.username == "TiepDanAnHoaBot"


@pytest.mark.parametrize(
    ("section", "raw", "key"),
    [
        ("telegram", {"username": "TiepDanAnHoa"}, "telegram.username"),
        ("telegram", {"username": "Bot"}, "telegram.username"),
        ("telegram", {"username": "tiep dan bot"}, "telegram.username"),
        ("zalo_oa", {"oa_id": "zalo.me/123456"}, "zalo_oa.oa_id"),
        ("web", {"public_url": "tiepdan.example.gov.vn"}, "web.public_url"),
        ("web", {"public_url": "https://tiepdan.example.gov.vn/?a=1"}, "web.public_url"),
        ("web", {"embed_origins": ["https://xa.example.gov.vn/lich"]}, "web.embed_origins"),
        ("web", {"embed_origins": ["https://a.gov.vn; script-src *"]}, "web.embed_origins"),
        ("web", {"embed_origins": ["*"]}, "web.embed_origins"),
        ("web", {"embed_origins": ["xa.example.gov.vn"]}, "web.embed_origins"),
    ],
)
def test_public_addresses_are_refused_unless_well_formed(
    section: str, raw: dict[str, Any], key: str
) -> None:
    with pytest.raises(ConfigError, match=re.escape(key)):
        parse({section: raw}, {})


def test_public_addresses_are_read_as_given() -> None:
    parsed = parse(
        {
            "zalo_oa": {"oa_id": "4318690667034730183"},
            "web": {
                "public_url": "https://tiepdan.example.gov.vn/",
                "embed_origins": ["https://XA.example.gov.vn", "https://*.hanoi.gov.vn:8443"],
            },
        },
        {},
    )
    assert parsed.zalo_oa.oa_id == "4318690667034730183"
    assert parsed.web.public_url == "https://tiepdan.example.gov.vn"
    assert parsed.web.embed_origins == ("https://xa.example.gov.vn", "https://*.hanoi.gov.vn:8443")
