"""The deployment files of deploy/ (docs/operations.md, "Install and run"): the systemd units
verify and keep their hardening, the bot runs under MemoryDenyWriteExecute, the nightly backup
script backs up and rotates, the PostgreSQL set-up gives its role what the bot needs and no
more, and the reverse proxies pass on the bot's webhooks and public routes and nothing else."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import stat
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import make_url

from bot import app as application
from bot import web_side
from bot.config import (
    Config,
    DatabaseConfig,
    TelegramConfig,
    WebConfig,
    ZaloBotConfig,
    ZaloOAConfig,
)

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
GUIDE = ROOT / "docs" / "operations.md"
SERVICE = DEPLOY / "tiepdan.service"
BACKUP_SERVICE = DEPLOY / "tiepdan-backup.service"
BACKUP_TIMER = DEPLOY / "tiepdan-backup.timer"
BACKUP_SCRIPT = DEPLOY / "tiepdan-backup"
SQL = DEPLOY / "postgresql-setup.sql"
# The console script of the environment running the tests: the real `tiepdan`.
TIEPDAN = Path(sys.executable).with_name("tiepdan")
# Where the units expect things on a server.
SERVER_TIEPDAN = "/opt/tiepdan/venv/bin/tiepdan"
SERVER_BACKUP_SCRIPT = "/opt/tiepdan/bin/tiepdan-backup"
# Routes of [web] that stay on the machine: the readiness check and the metrics.
INTERNAL_ROUTES = {"/healthz", "/metrics"}
DAY = 24 * 3600


# --- systemd ---------------------------------------------------------------------------------


def unit_settings(path: Path) -> dict[str, list[str]]:
    """Every ``Key=value`` of a unit, by ``Section.Key``; a key may repeat (systemd adds up)."""
    settings: dict[str, list[str]] = {}
    section = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        settings.setdefault(f"{section}.{key.strip()}", []).append(value.strip())
    return settings


def one(settings: dict[str, list[str]], key: str) -> str:
    values = settings.get(key)
    assert values, f"{key} is missing"
    return values[-1]


# What both services must keep: the brief of the hardening, checked value by value.
HARDENING = {
    "User": "tiepdan",
    "WorkingDirectory": "/var/lib/tiepdan",
    "EnvironmentFile": "-/etc/tiepdan/secrets.env",
    "UMask": "0077",
    "ProtectSystem": "strict",
    "ReadWritePaths": "/var/lib/tiepdan",
    "ProtectHome": "true",
    "PrivateTmp": "true",
    "PrivateDevices": "true",
    "NoNewPrivileges": "true",
    "ProtectKernelTunables": "true",
    "ProtectKernelModules": "true",
    "ProtectKernelLogs": "true",
    "ProtectControlGroups": "true",
    "RestrictAddressFamilies": "AF_UNIX AF_INET AF_INET6",
    "RestrictNamespaces": "true",
    "LockPersonality": "true",
    "MemoryDenyWriteExecute": "true",
    "CapabilityBoundingSet": "",
    "AmbientCapabilities": "",
}


@pytest.mark.parametrize("unit", [SERVICE, BACKUP_SERVICE], ids=lambda unit: unit.name)
def test_the_services_are_hardened(unit: Path) -> None:
    settings = unit_settings(unit)
    for key, value in HARDENING.items():
        assert one(settings, f"Service.{key}") == value, key
    filters = settings["Service.SystemCallFilter"]
    assert filters[0] == "@system-service"
    # Nothing after the allow list may widen it again (only ~deny lists).
    assert all(extra.startswith("~") for extra in filters[1:])


def test_the_bot_service_runs_and_restarts() -> None:
    settings = unit_settings(SERVICE)
    assert one(settings, "Service.ExecStart") == (
        f"{SERVER_TIEPDAN} --config /etc/tiepdan/config.toml run"
    )
    assert one(settings, "Service.Restart") == "on-failure"
    assert 1 <= seconds(one(settings, "Service.RestartSec")) <= 60
    # The graceful stop: receiving is cancelled, the turns in hand and the message on the wire
    # finish; a Telegram long poll's request alone may take 40 s.
    assert seconds(one(settings, "Service.TimeoutStopSec")) >= 60
    assert one(settings, "Install.WantedBy") == "multi-user.target"


def test_the_backup_runs_nightly_with_the_scripts_defaults() -> None:
    timer = unit_settings(BACKUP_TIMER)
    assert one(timer, "Timer.OnCalendar") == "*-*-* 02:30"
    assert one(timer, "Timer.Persistent") == "true"
    assert one(timer, "Install.WantedBy") == "timers.target"
    service = unit_settings(BACKUP_SERVICE)
    assert one(service, "Service.Type") == "oneshot"
    assert one(service, "Service.ExecStart") == SERVER_BACKUP_SCRIPT
    in_unit = {
        name: value
        for name, _, value in (line.partition("=") for line in service["Service.Environment"])
    }
    in_script = dict(
        re.findall(r"\$\{(TIEPDAN_[A-Z_]+):-([^}]*)\}", BACKUP_SCRIPT.read_text(encoding="utf-8"))
    )
    # Every value the unit sets is the script's own default; the copy off the machine is off.
    assert in_unit == {name: value for name, value in in_script.items() if value}
    assert in_script["TIEPDAN_BACKUP_COPY_TO"] == ""
    # The same program and configuration as the bot's.
    bot = one(unit_settings(SERVICE), "Service.ExecStart").split()
    assert in_unit["TIEPDAN_BIN"] == bot[0]
    assert in_unit["TIEPDAN_CONFIG"] == bot[bot.index("--config") + 1]
    assert in_unit["TIEPDAN_BACKUP_DIR"].startswith(one(service, "Service.ReadWritePaths") + "/")


def seconds(value: str) -> float:
    units = {"": 1, "s": 1, "sec": 1, "min": 60, "m": 60, "h": 3600}
    match = re.fullmatch(r"(\d+)\s*([a-z]*)", value)
    assert match and match.group(2) in units, value
    return int(match.group(1)) * units[match.group(2)]


@pytest.fixture
def units_here(tmp_path: Path) -> list[Path]:
    """The three units, with the programs they start pointed at ones that exist here (the
    venv's tiepdan, the script in deploy/): `systemd-analyze verify` checks they exist."""
    if not TIEPDAN.exists():
        pytest.skip(f"no tiepdan console script beside {sys.executable}")
    copies = []
    for unit in (SERVICE, BACKUP_SERVICE, BACKUP_TIMER):
        text = unit.read_text(encoding="utf-8")
        text = text.replace(SERVER_TIEPDAN, str(TIEPDAN))
        text = text.replace(SERVER_BACKUP_SCRIPT, str(BACKUP_SCRIPT))
        copy = tmp_path / unit.name
        copy.write_text(text, encoding="utf-8")
        copies.append(copy)
    return copies


def systemd_analyze() -> str:
    found = shutil.which("systemd-analyze")
    if found is None:
        pytest.skip("systemd-analyze is not installed")
    return found


def test_systemd_verifies_the_units(units_here: list[Path]) -> None:
    result = subprocess.run(
        [systemd_analyze(), "verify", *map(str, units_here)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # An unknown key or a bad value is only a warning on stderr, with the exit code 0.
    ours = [
        line
        for line in result.stderr.splitlines()
        if any(unit.name in line or str(unit) in line for unit in units_here)
    ]
    assert result.returncode == 0, result.stderr
    assert ours == []


def test_systemd_rates_the_services_safe(units_here: list[Path]) -> None:
    analyze = systemd_analyze()
    for unit in units_here[:2]:
        result = subprocess.run(
            [analyze, "security", "--offline=true", "--threshold=25", "--no-pager", str(unit)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if "--offline" in result.stderr:
            pytest.skip("this systemd-analyze cannot rate a unit file (systemd < 250)")
        # Exposure out of 10, the threshold in tenths: at most 2.5 ("OK").
        assert result.returncode == 0, result.stdout[-2000:]


# --- MemoryDenyWriteExecute ------------------------------------------------------------------

# The launcher: refuse writable-and-executable memory to this process and all it executes
# (what the unit's MemoryDenyWriteExecute does), check it holds, then become the command.
MDWE_LAUNCHER = """
import ctypes, mmap, os, sys
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(65, 1, 0, 0, 0) != 0:
    sys.exit(77)
try:
    mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
except PermissionError:
    os.execv(sys.argv[1], sys.argv[1:])
sys.exit(78)
"""


def under_mdwe(*command: str, stdin: str = "", cwd: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-c", MDWE_LAUNCHER, *command],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        check=False,
    )
    if result.returncode == 77:
        pytest.skip("this kernel cannot refuse write+execute memory (PR_SET_MDWE, Linux 6.3)")
    assert result.returncode != 78, "write+execute memory was not refused"
    return result


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_MDWE is Linux's")
def test_the_bot_runs_without_writable_executable_memory(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path}/tiepdan.sqlite3"\n'
        "[web]\nenabled = true\nport = 0\n",
        encoding="utf-8",
    )
    if not TIEPDAN.exists():
        pytest.skip(f"no tiepdan console script beside {sys.executable}")
    demo = under_mdwe(str(TIEPDAN), "--config", str(config), "demo", cwd=tmp_path)
    assert demo.returncode == 0, demo.stderr
    # The console with the web server beside it: aiohttp's server, SQLite, the catalogs.
    chat = under_mdwe(
        str(TIEPDAN), "--config", str(config), "run", stdin="/start\n1\n", cwd=tmp_path
    )
    assert chat.returncode == 0, chat.stderr
    assert "HTTP server" in chat.stderr
    assert "Lê Văn Hùng" in chat.stdout
    # The network channels' libraries, which the console does not import.
    imports = under_mdwe(
        sys.executable, "-c", "import bot.runtime, storage.backup, asyncpg", cwd=ROOT
    )
    assert imports.returncode == 0, imports.stderr


# --- the nightly backup script ---------------------------------------------------------------


def test_the_backup_script_is_shellcheck_clean() -> None:
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        pytest.skip("shellcheck is not installed")
    result = subprocess.run(
        [shellcheck, "--shell=sh", str(BACKUP_SCRIPT)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout
    assert stat.S_IMODE(BACKUP_SCRIPT.stat().st_mode) & 0o111, "deploy/tiepdan-backup: chmod +x"


@pytest.fixture
def sqlite_deployment(tmp_path: Path) -> dict[str, str]:
    """A configuration on a SQLite file with the demo in it, and the script's environment."""
    if not TIEPDAN.exists():
        pytest.skip(f"no tiepdan console script beside {sys.executable}")
    config = tmp_path / "config.toml"
    config.write_text(
        f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path}/data/tiepdan.sqlite3"\n',
        encoding="utf-8",
    )
    (tmp_path / "data").mkdir()
    subprocess.run(
        [str(TIEPDAN), "--config", str(config), "demo"],
        cwd=tmp_path,
        capture_output=True,
        timeout=120,
        check=True,
    )
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith("TIEPDAN_")
    }
    environment |= {
        "TIEPDAN_BIN": str(TIEPDAN),
        "TIEPDAN_CONFIG": str(config),
        "TIEPDAN_BACKUP_DIR": str(tmp_path / "backups"),
        "TIEPDAN_BACKUP_KEEP_DAYS": "14",
        "TIEPDAN_BACKUP_KEEP_MONTHLY_DAYS": "365",
    }
    return environment


def run_backup(environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BACKUP_SCRIPT)],
        env=environment,
        cwd=Path(environment["TIEPDAN_BACKUP_DIR"]).parent,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def aged(path: Path, days: float) -> Path:
    path.write_bytes(b"an old backup")
    when = time.time() - days * DAY
    os.utime(path, (when, when))
    return path


def test_the_backup_script_backs_up_and_rotates(sqlite_deployment: dict[str, str]) -> None:
    backups = Path(sqlite_deployment["TIEPDAN_BACKUP_DIR"])
    backups.mkdir()
    recent = aged(backups / "tiepdan-2026-11-20.backup", 13)
    old = aged(backups / "tiepdan-2026-11-10.backup", 16)
    month_first = aged(backups / "tiepdan-2026-11-01.backup", 40)
    last_year = aged(backups / "tiepdan-2025-06-01.backup", 400)
    interrupted = aged(backups / ".tiepdan-2026-11-29.backup.partial", 2)
    not_ours = aged(backups / "notes.txt", 400)

    result = run_backup(sqlite_deployment)

    assert result.returncode == 0, result.stderr
    today = backups / f"tiepdan-{time.strftime('%Y-%m-%d')}.backup"
    assert f"Wrote {today}" in result.stdout
    # A database file with the demo in it, for its owner's eyes only.
    assert stat.S_IMODE(today.stat().st_mode) == 0o600
    with sqlite3.connect(today) as copy:
        assert copy.execute("SELECT count(*) FROM leaders").fetchone()[0] == 4
    assert recent.exists()
    assert month_first.exists()
    assert not_ours.exists()
    assert not old.exists()
    assert not last_year.exists()
    assert not interrupted.exists()
    # Each deletion is named in the log (the journal).
    assert str(old) in result.stdout

    # Keeping no days at all deletes every other nightly file, never the one just written.
    result = run_backup(sqlite_deployment | {"TIEPDAN_BACKUP_KEEP_DAYS": "0"})
    assert result.returncode == 0, result.stderr
    assert sorted(path.name for path in backups.iterdir()) == sorted(
        [today.name, month_first.name, not_ours.name]
    )


def test_a_failed_backup_deletes_nothing(sqlite_deployment: dict[str, str]) -> None:
    backups = Path(sqlite_deployment["TIEPDAN_BACKUP_DIR"])
    backups.mkdir()
    old = aged(backups / "tiepdan-2026-10-10.backup", 60)
    broken = sqlite_deployment | {"TIEPDAN_CONFIG": str(backups / "missing.toml")}
    result = run_backup(broken)
    assert result.returncode != 0
    assert old.exists()
    bad_days = run_backup(sqlite_deployment | {"TIEPDAN_BACKUP_KEEP_DAYS": "two weeks"})
    assert bad_days.returncode == 2
    assert "whole numbers" in bad_days.stderr
    assert old.exists()


# --- PostgreSQL ------------------------------------------------------------------------------


def test_the_postgresql_setup_says_what_it_grants() -> None:
    sql = SQL.read_text(encoding="utf-8")
    statements = " ".join(
        line for line in sql.splitlines() if not line.lstrip().startswith(("--", "\\"))
    )
    statements = re.sub(r"\s+", " ", statements)
    role = re.search(r"CREATE ROLE :\"role\" WITH ([^;]+);", statements)
    assert role, "CREATE ROLE"
    attributes = role.group(1).split()
    for attribute in ("LOGIN", "NOSUPERUSER", "NOCREATEDB", "NOCREATEROLE", "NOREPLICATION"):
        assert attribute in attributes
    assert "CONNECTION LIMIT" in role.group(1)
    assert 'CREATE DATABASE :"database" WITH OWNER :"role"' in statements
    assert 'REVOKE ALL ON DATABASE :"database" FROM PUBLIC;' in statements
    assert "REVOKE CREATE ON SCHEMA public FROM PUBLIC;" in statements
    # The password is typed, hashed by psql (SCRAM), never written in the file.
    assert "\\password :role" in sql
    assert "PASSWORD '" not in sql
    assert "scram-sha-256" in sql


def psql() -> str:
    found = shutil.which("psql")
    if found is None:
        pytest.skip("psql is not installed")
    return found


@pytest.mark.postgres
def test_the_postgresql_setup_runs_and_the_role_can_migrate(tmp_path: Path) -> None:
    """Run by a superuser of the test server (the setup creates a role, which the tests' own
    role may not), under names of its own, dropped afterwards."""
    shared = os.environ.get("TIEPDAN_TEST_PG_URL", "")
    if not shared:
        pytest.skip("TIEPDAN_TEST_PG_URL is not set")
    url = make_url(shared)
    server = ["-X", "-w", "-h", url.host or "127.0.0.1", "-p", str(url.port or 5432)]
    admin = os.environ.get("TIEPDAN_TEST_PG_ADMIN", "postgres")
    environment = {name: value for name, value in os.environ.items() if not name.startswith("PG")}

    def as_admin(*arguments: str, stdin: str = "", database: str = "postgres") -> str:
        result = subprocess.run(
            [psql(), *server, "-U", admin, "-d", database, "-v", "ON_ERROR_STOP=1", *arguments],
            input=stdin,
            capture_output=True,
            text=True,
            env=environment,
            timeout=60,
            check=False,
            # No terminal: psql's password prompt reads the standard input.
            start_new_session=True,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    probe = subprocess.run(
        [psql(), *server, "-U", admin, "-d", "postgres", "-Atc", "SHOW is_superuser"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=30,
        check=False,
    )
    if probe.returncode != 0 or probe.stdout.strip() != "on":
        pytest.skip(
            f"no superuser {admin!r} without a password on the test server (CI's has one; "
            "set TIEPDAN_TEST_PG_ADMIN): creating a role needs CREATEROLE"
        )
    suffix = uuid.uuid4().hex[:10]
    role, database = f"tiepdan_setup_{suffix}", f"tiepdan_setup_{suffix}_db"
    password = f"pw-{uuid.uuid4().hex}"
    try:
        as_admin(
            "-v",
            f"role={role}",
            "-v",
            f"database={database}",
            "-f",
            str(SQL),
            stdin=f"{password}\n{password}\n",
        )
        granted = as_admin(
            "-Atc",
            "SELECT rolsuper, rolcreatedb, rolcreaterole, rolcanlogin, rolconnlimit, "
            f"rolpassword LIKE 'SCRAM-SHA-256$%' FROM pg_authid WHERE rolname = '{role}'",
        )
        assert granted.strip() == "f|f|f|t|50|t"
        owned = as_admin(
            "-Atc",
            f"SELECT pg_get_userbyid(datdba), datacl::text FROM pg_database "
            f"WHERE datname = '{database}'",
        )
        owner, acl = owned.strip().split("|")
        assert owner == role
        assert not re.search(r"(^|[{,])=", acl), f"PUBLIC keeps rights on the database: {acl}"
        schema = as_admin(
            "-Atc",
            "SELECT pg_get_userbyid(nspowner), has_schema_privilege('public', 'public', "
            "'CREATE') FROM pg_namespace WHERE nspname = 'public'",
            database=database,
        )
        assert schema.strip() == f"{role}|f"
        # The role runs the migrations itself, and checks the result.
        config = tmp_path / "config.toml"
        role_url = url.set(username=role, password=password, database=database)
        rendered = role_url.render_as_string(hide_password=False)
        config.write_text(f'[database]\nurl = "{rendered}"\n', encoding="utf-8")
        clean = {
            name: value for name, value in environment.items() if not name.startswith("TIEPDAN_")
        }
        for command in (["db", "upgrade"], ["db", "check"]):
            result = subprocess.run(
                [str(TIEPDAN), "--config", str(config), *command],
                cwd=tmp_path,
                env=clean,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            assert result.returncode == 0, result.stdout + result.stderr
    finally:
        as_admin(
            "-c",
            f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)',
            "-c",
            f'DROP ROLE IF EXISTS "{role}"',
        )


# --- the reverse proxies ---------------------------------------------------------------------


def webhook_paths() -> set[str]:
    """The webhook paths the guide tells to use, read by the configuration itself."""
    guide = GUIDE.read_text(encoding="utf-8")
    telegram = re.findall(r'webhook_url = "(https://[^"]+/telegram/[^"]*)"', guide)
    zalo_bot = re.findall(r'webhook_url = "(https://[^"]+/zalo-bot/[^"]*)"', guide)
    assert telegram, "the guide shows a Telegram webhook_url"
    assert zalo_bot, "the guide shows a Zalo bot webhook_url"
    return (
        {TelegramConfig(webhook_url=url).webhook_path for url in telegram}
        | {ZaloBotConfig(webhook_url=url).webhook_path for url in zalo_bot}
        | {ZaloOAConfig().webhook_path}
    )


def public_get_routes(tmp_path: Path) -> set[str]:
    """The GET routes of [web] as `tiepdan run` builds it (open data enabled, by default)."""
    config = Config(database=DatabaseConfig(url=f"sqlite+aiosqlite:///{tmp_path}/tiepdan.sqlite3"))
    server = web_side.build(application.build(config))
    return {
        route.resource.canonical
        for route in server._app.router.routes()
        if route.method == "GET" and route.resource is not None
    }


def matches(path: str, exact: set[str], prefixes: set[str]) -> bool:
    """A route (``/calendar/{unit}.ics``) is passed on when a prefix covers its fixed start."""
    fixed = path.split("{", 1)[0]
    return path in exact or any(fixed.startswith(prefix) for prefix in prefixes)


def blocks(text: str, opening: str) -> Iterator[tuple[re.Match[str], str]]:
    """Each ``opening {`` of a brace-structured file, with the text inside its braces."""
    for found in re.finditer(opening + r"\s*\{", text):
        depth, end = 1, found.end()
        while depth:
            depth += {"{": 1, "}": -1}.get(text[end], 0)
            end += 1
        yield found, text[found.end() : end - 1]


def without_comments(text: str) -> str:
    return "\n".join(line.split("#", 1)[0] for line in text.splitlines())


def nginx_locations() -> dict[str, tuple[set[str], set[str]]]:
    """By method (POST, GET): the exact and the prefix locations passed on to the bot."""
    text = without_comments((DEPLOY / "nginx.conf").read_text(encoding="utf-8"))
    passed: dict[str, tuple[set[str], set[str]]] = {"POST": (set(), set()), "GET": (set(), set())}
    for found, body in blocks(text, r"location\s+(=\s+)?(\S+)"):
        if "proxy_pass http://tiepdan;" not in body:
            continue
        method = re.search(r"limit_except\s+(\w+)", body)
        assert method, f"location {found.group(2)} limits its methods"
        exact, prefixes = passed[method.group(1)]
        (exact if found.group(1) else prefixes).add(found.group(2))
    return passed


def caddy_paths() -> dict[str, tuple[set[str], set[str]]]:
    text = without_comments((DEPLOY / "Caddyfile").read_text(encoding="utf-8"))
    matchers = {found.group(1): body for found, body in blocks(text, r"(?m)^\s*(@\w+)")}
    passed: dict[str, tuple[set[str], set[str]]] = {"POST": (set(), set()), "GET": (set(), set())}
    for found, body in blocks(text, r"handle\s+(@\w+)"):
        assert "reverse_proxy 127.0.0.1:8080" in body
        matcher = matchers[found.group(1)]
        methods = re.search(r"method\s+([^\n]+)", matcher)
        paths = re.search(r"path\s+([^\n]+)", matcher)
        assert methods and paths, found.group(1)
        exact, prefixes = passed[methods.group(1).split()[0]]
        for path in paths.group(1).split():
            if path.endswith("*"):
                prefixes.add(path.rstrip("*"))
            else:
                exact.add(path)
    # Whatever no matcher took is refused.
    assert re.search(r"handle\s*\{\s*respond 404\s*\}", text)
    return passed


@pytest.mark.parametrize("proxy", ["nginx", "caddy"])
def test_the_proxies_pass_on_the_webhooks_and_public_routes_only(
    proxy: str, tmp_path: Path
) -> None:
    passed = nginx_locations() if proxy == "nginx" else caddy_paths()
    post_exact, post_prefixes = passed["POST"]
    get_exact, get_prefixes = passed["GET"]
    # Each webhook, exactly, for POST.
    assert post_exact == webhook_paths()
    assert post_prefixes == set()
    routes = public_get_routes(tmp_path)
    assert "/healthz" in routes
    assert routes - INTERNAL_ROUTES, "no public route found"
    for route in routes - INTERNAL_ROUTES:
        assert matches(route, get_exact, get_prefixes), f"{proxy} does not pass on {route}"
    # The list of units is the site's front page: "/" exactly, nothing else below it.
    assert "/" in routes
    for route in INTERNAL_ROUTES | {"/anything", "/rules/x", "/favicon.ico"}:
        assert not matches(route, get_exact | post_exact, get_prefixes), f"{proxy}: {route}"


def test_the_nginx_example_sets_the_limits_and_the_client_address() -> None:
    text = without_comments((DEPLOY / "nginx.conf").read_text(encoding="utf-8"))
    web = WebConfig()
    assert f"server {web.host}:{web.port};" in text
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in text
    # 1 MiB: the most the bot reads (handlers.web.MAX_BODY).
    assert re.search(r"client_max_body_size 1m;", text)
    for timeout in ("client_body_timeout", "client_header_timeout", "proxy_read_timeout"):
        assert re.search(rf"{timeout} \d+s;", text), timeout
    # A location that sets a header drops the server's: none may.
    for found, body in blocks(text, r"location\s+(=\s+)?(\S+)"):
        assert "proxy_set_header" not in body, found.group(2)


def test_the_caddy_example_sets_the_limits() -> None:
    text = without_comments((DEPLOY / "Caddyfile").read_text(encoding="utf-8"))
    assert re.search(r"request_body\s*\{\s*max_size 1MiB\s*\}", text)
    for timeout in ("read_header", "read_body", "response_header_timeout"):
        assert re.search(rf"{timeout} \d+[sm]", text), timeout


@pytest.mark.parametrize("example", ["nginx.conf", "Caddyfile"])
def test_the_proxy_examples_say_to_trust_the_forwarded_address(example: str) -> None:
    text = (DEPLOY / example).read_text(encoding="utf-8")
    assert "trust_forwarded_for = true" in text


def test_nginx_accepts_its_example(tmp_path: Path) -> None:
    nginx = shutil.which("nginx")
    openssl = shutil.which("openssl")
    if nginx is None or openssl is None:
        pytest.skip("nginx (and openssl, for a test certificate) are not installed")
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=tiepdan.example.gov.vn",
            "-keyout",
            str(tmp_path / "key.pem"),
            "-out",
            str(tmp_path / "cert.pem"),
        ],
        capture_output=True,
        timeout=60,
        check=True,
    )
    site = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    site = re.sub(r"ssl_certificate /\S+;", f"ssl_certificate {tmp_path}/cert.pem;", site)
    site = re.sub(r"ssl_certificate_key /\S+;", f"ssl_certificate_key {tmp_path}/key.pem;", site)
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log stderr;\nevents {{}}\n"
        f"http {{ access_log off; include {tmp_path}/site.conf; }}\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-e", "stderr", "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_caddy_adapts_its_example() -> None:
    caddy = shutil.which("caddy")
    if caddy is None:
        pytest.skip("caddy is not installed")
    result = subprocess.run(
        [caddy, "adapt", "--adapter", "caddyfile", "--config", str(DEPLOY / "Caddyfile")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
