"""Command line: ``tiepdan`` (equal to ``python -m bot``)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Sequence
from datetime import date
from importlib import metadata
from pathlib import Path

from bot import app as application
from bot import config as configuration
from bot import logs, records, schedule_file, scheduler, web_side
from bot.core.workdays import WorkCalendar
from bot.demo import load_demo
from bot.outbox import Dispatcher
from handlers.console import ConsoleChannel, ConsoleSender
from handlers.web import WebServer
from storage import backup, health, migrate

log = logging.getLogger("tiepdan")

DEFAULT_CONSOLE_USER = "local"


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="tiepdan",
        description="Tiếp Dân: register citizens for leaders' reception sessions.",
    )
    root.add_argument(
        "--config",
        metavar="PATH",
        help="configuration file (default: $TIEPDAN_CONFIG, else ./config.toml, else defaults)",
    )
    root.add_argument(
        "--log-level", default="WARNING", choices=["DEBUG", "INFO", "WARNING", "ERROR"]
    )
    root.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser(
        "run",
        help="upgrade the database and start the enabled channels (console if none, with the "
        "HTTP server when [web] enabled = true)",
    )
    console = commands.add_parser("console", help="chat with the bot in this terminal")
    console.add_argument(
        "--user",
        default=DEFAULT_CONSOLE_USER,
        metavar="ID",
        help='console identity; match an [[officers]] entry with channel = "console" to act '
        "as that officer",
    )
    commands.add_parser("demo", help="load the example province, commune, leaders and schedules")
    schedule = commands.add_parser("schedule", help="import units, leaders and schedules")
    schedule_commands = schedule.add_subparsers(
        dest="schedule_command", required=True, metavar="ACTION"
    )
    importing = schedule_commands.add_parser(
        "import", help="apply a schedule file (see docs/schedule-file.md)"
    )
    importing.add_argument("file", metavar="FILE")
    export = commands.add_parser(
        "export", help="write the reception logbook or the periodic report of a period to a file"
    )
    export.add_argument("record", choices=["logbook", "report"])
    export.add_argument("--unit", metavar="CODE", help="a unit and those below it (default: all)")
    export.add_argument(
        "--period",
        metavar="P",
        help="2026-11, 11/2026, q3, 2026-q3, 6m, 9m, 2026 (default: last month)",
    )
    export.add_argument("--from", dest="first", metavar="YYYY-MM-DD", type=date.fromisoformat)
    export.add_argument("--to", dest="last", metavar="YYYY-MM-DD", type=date.fromisoformat)
    export.add_argument(
        "--format",
        choices=["xlsx", "csv", "txt"],
        default="xlsx",
        help="xlsx (both), csv (logbook), txt (the report's summary)",
    )
    export.add_argument("--locale", choices=list(configuration.SUPPORTED_LOCALES))
    export.add_argument(
        "--out", metavar="FILE", help="default: a name after the record and period"
    )
    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_commands.add_parser("upgrade", help="apply pending migrations")
    db_commands.add_parser("current", help="show the schema revision of the database")
    backup_command = db_commands.add_parser(
        "backup",
        help="write a consistent copy of the database to FILE, safe while the bot runs "
        "(SQLite: a database file; PostgreSQL: pg_dump's custom format)",
    )
    backup_command.add_argument("file", metavar="FILE")
    restore = db_commands.add_parser(
        "restore", help="replace the configured database by a backup (stop the bot first)"
    )
    restore.add_argument("file", metavar="FILE")
    restore.add_argument(
        "--force", action="store_true", help="replace a database that is not empty"
    )
    db_commands.add_parser(
        "check",
        help="check integrity, migrations, and messages or updates left behind "
        "(exit 1 on any problem)",
    )
    return root


async def _console(app: application.App, user: str, *, serve_web: bool = False) -> None:
    await application.prepare(app)
    dispatcher: Dispatcher | None = None

    async def deliver() -> None:
        if dispatcher is not None:
            await dispatcher.tick()

    channel = ConsoleChannel(
        app.dialogue,
        user,
        sys.stdin,
        sys.stdout,
        interactive=sys.stdin.isatty(),
        after_turn=deliver,
    )
    dispatcher = application.dispatcher(app, [ConsoleSender(channel)])
    # What came in while this user was away (notices, reminders) is shown first.
    await dispatcher.drain()
    server = await _web_beside_the_console(app) if serve_web else None
    ticks = scheduler.build(app, dispatcher)
    ticks.start()
    try:
        await channel.run()
    finally:
        await ticks.stop()
        if server is not None:
            await server.stop()


async def _web_beside_the_console(app: application.App) -> WebServer | None:
    server = web_side.build(app)
    try:
        await server.start()
    except OSError as trouble:
        # The console is what the person at the keyboard came for: it goes on without it.
        print(f"HTTP server not started ({trouble.strerror}): set [web] port", file=sys.stderr)  # noqa: T201
        return None
    # On stderr: stdout is the conversation.
    for line in web_side.addresses(app.config, server.port):
        print(line, file=sys.stderr)  # noqa: T201
    return server


async def _run(app: application.App) -> int:
    config = app.config
    if not (config.telegram.enabled or config.zalo_bot.enabled or config.zalo_oa.enabled):
        await _console(app, DEFAULT_CONSOLE_USER, serve_web=config.web.enabled)
        return 0
    # Imported here: aiogram takes seconds to import, which the other commands do not need.
    from bot import runtime  # noqa: PLC0415

    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, stopping.set)
    await runtime.serve(app, stopping)
    return 0


async def _demo(app: application.App) -> None:
    await migrate.upgrade(app.engine)
    async with app.store.transaction() as repo:
        await load_demo(repo, app.services.clock.now())
    await application.prepare(app)
    print("Demo data loaded: 2 units per level, 4 leaders and their schedules.")  # noqa: T201


async def _import_schedule(app: application.App, path: str) -> int:
    try:
        plan = schedule_file.read(Path(path))
    except schedule_file.ScheduleFileError as exc:
        print(exc, file=sys.stderr)  # noqa: T201
        return 2
    await migrate.upgrade(app.engine)
    try:
        async with app.store.transaction() as repo:
            report = await schedule_file.apply(
                repo,
                plan,
                app.config.bot.zone,
                app.services.clock.now(),
                app.services.settings.calendar,
            )
    except schedule_file.ScheduleFileError as exc:
        print(exc, file=sys.stderr)  # noqa: T201
        return 2
    await application.prepare(app)
    print(  # noqa: T201
        f"Imported {report.units} units, {report.leaders} leaders, {report.rules} rules, "
        f"{report.sessions} sessions, {report.days} calendar days."
    )
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)  # noqa: T201
    return 0


async def _export(app: application.App, args: argparse.Namespace) -> int:
    """The whole record, denunciations included: the operator at this machine holds the
    database already. Sharing the file is theirs to govern."""
    zone = app.config.bot.zone
    today = app.services.clock.now().astimezone(zone).date()
    try:
        if args.first or args.last:
            if not (args.first and args.last) or args.period:
                raise records.report.PeriodError("give --from and --to together, or --period")
            period = records.report.Period(args.first, args.last)
        else:
            period = records.report.parse_period(args.period or "", today)
    except records.report.PeriodError as exc:
        print(f"export: bad period: {exc}", file=sys.stderr)  # noqa: T201
        return 2
    wanted = {"logbook": {"xlsx", "csv"}, "report": {"xlsx", "txt"}}[args.record]
    if args.format not in wanted:
        formats = " or ".join(sorted(wanted))
        print(f"export: a {args.record} is written as {formats}", file=sys.stderr)  # noqa: T201
        return 2
    await migrate.upgrade(app.engine)
    tr = app.services.catalogs.get(args.locale or app.config.bot.default_locale)
    try:
        async with app.store.transaction() as repo:
            if args.record == "logbook":
                book = await records.logbook.read(
                    repo,
                    records.logbook.load_form(),
                    args.unit,
                    period.first,
                    period.last,
                    zone,
                    reveal_confidential=True,
                )
                content = (
                    records.logbook.to_csv(book)
                    if args.format == "csv"
                    else records.logbook.to_xlsx(book)
                )
                name, count = f"so-tiep-cong-dan-{period.slug}", f"{len(book.rows)} receptions"
            else:
                calendar = WorkCalendar(
                    [*app.services.settings.calendar, *await repo.calendar_overrides()]
                )
                figures = await records.report.read(
                    repo,
                    app.services.settings.minimums,
                    calendar,
                    args.unit,
                    period,
                    zone,
                    app.services.clock.now(),
                )
                content = (
                    records.report.summary(tr, figures).encode("utf-8")
                    if args.format == "txt"
                    else records.report.to_xlsx(tr, figures)
                )
                name, count = (
                    f"bao-cao-tiep-cong-dan-{period.slug}",
                    f"{figures.submitted} registrations",
                )
    except records.scope.UnknownUnit as exc:
        print(f"export: no unit {exc.code}", file=sys.stderr)  # noqa: T201
        return 2
    out = Path(args.out or f"{name}.{args.format}")
    await asyncio.to_thread(out.write_bytes, content)
    print(f"Wrote {out} ({count}, {period.first:%d/%m/%Y}–{period.last:%d/%m/%Y}).")  # noqa: T201
    return 0


async def _db(app: application.App, args: argparse.Namespace) -> int:
    action = args.db_command
    if action == "backup":
        return await _back_up(app, Path(args.file))
    if action == "restore":
        return await _restore(app, Path(args.file), force=args.force)
    if action == "check":
        findings = await health.examine(app.engine, app.services.clock.now())
        for finding in findings:
            status = "OK" if finding.ok else "PROBLEM"
            print(f"{status:<7} {finding.check}: {finding.detail}")  # noqa: T201
        return 0 if all(finding.ok for finding in findings) else 1
    if action == "upgrade":
        await migrate.upgrade(app.engine)
    print(await migrate.current_revision(app.engine) or "(empty database)")  # noqa: T201
    return 0


async def _back_up(app: application.App, file: Path) -> int:
    try:
        await backup.take(app.engine, file)
    except backup.BackupError as exc:
        print(f"backup: {exc}", file=sys.stderr)  # noqa: T201
        return 2
    print(f"Wrote {file}.")  # noqa: T201
    return 0


async def _restore(app: application.App, file: Path, *, force: bool) -> int:
    try:
        restored = await backup.restore(app.engine, file, force=force)
    except backup.BackupError as exc:
        print(f"restore: {exc}", file=sys.stderr)  # noqa: T201
        return 2
    if restored.behind:
        print(  # noqa: T201
            f"Restored {file} (schema {restored.revision}, older than this version's "
            f"{migrate.HEAD_REVISION}): tiepdan db upgrade, or tiepdan run, will migrate it."
        )
    else:
        print(f"Restored {file} (schema {restored.revision}).")  # noqa: T201
    return 0


async def _main(args: argparse.Namespace, cfg: configuration.Config) -> int:
    app = application.build(cfg)
    try:
        if args.command == "run":
            return await _run(app)
        if args.command == "console":
            await _console(app, args.user)
        elif args.command == "demo":
            await _demo(app)
        elif args.command == "db":
            return await _db(app, args)
        elif args.command == "schedule":
            return await _import_schedule(app, args.file)
        elif args.command == "export":
            return await _export(app, args)
        return 0
    finally:
        await app.close()


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=args.log_level, format=logs.TEXT_FORMAT)
    try:
        cfg = configuration.load(args.config)
    except configuration.ConfigError as exc:
        print(exc, file=sys.stderr)  # noqa: T201
        return 2
    # The configured format ([log] format) from here on, with each turn's channel and update.
    logs.configure(args.log_level, cfg.log.format)
    try:
        return asyncio.run(_main(args, cfg))
    except KeyboardInterrupt:
        return 130


def _version() -> str:
    try:
        return metadata.version("tiepdan")
    except metadata.PackageNotFoundError:
        # Run from a checkout that was never installed.
        return "unknown"


if __name__ == "__main__":
    sys.exit(main())
