"""The `maalbot` command line.

Every command imports what it needs when it runs (inside its function), so that `maalbot --help` and
the light commands start in a fraction of the time the whole bot takes to import (pydantic's models,
SQLAlchemy, aiohttp, the Slack and Teams SDKs, openpyxl/python-docx: benchmarks/README.md, «Start-up»).
Types for annotations come from `TYPE_CHECKING` imports."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.settings import Settings
    from dialogs.strategy import Strategy
    from storage.db import Database

DEMO_ORG_FILE = Path(__file__).parent / "data" / "demo_org.yaml"
# dialogs.strategy.DEFAULT_STRATEGY_FILE, without importing it (tests/bot/test_cli_startup.py checks they agree)
DEFAULT_STRATEGY_FILE = Path(__file__).parents[1] / "dialogs" / "strategies" / "almen.yaml"
EXPORT_FORMATS = ("json", "csv", "xlsx", "md", "docx", "html")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="maalbot", description="Målbot: local goals for school and daycare boards")
    sub = parser.add_subparsers(dest="command", required=True)

    db = sub.add_parser("db", help="database schema and backups").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="create or upgrade the schema to the newest version")

    strategy = sub.add_parser("strategy", help="strategies as data").add_subparsers(
        dest="strategy_command", required=True
    )
    load = strategy.add_parser("load", help="load a strategy YAML file and make it the active strategy")
    load.add_argument("file", type=Path)
    validate = strategy.add_parser("validate", help="check a strategy YAML file without loading it")
    validate.add_argument("file", type=Path)
    strategy.add_parser("list", help="list loaded strategies, the active one first")

    org = sub.add_parser("org", help="areas, institutions and people").add_subparsers(dest="org_command", required=True)
    org_import = org.add_parser("import", help="import or update from a YAML or CSV file")
    org_import.add_argument("file", type=Path)

    demo = sub.add_parser(
        "demo", help="load a fictional demo municipality and a copy of the default strategy whose period is current"
    )
    demo.add_argument("--if-empty", action="store_true", help="only when the database has no people yet")

    chat = sub.add_parser("chat", help="talk to the bot in this terminal")
    chat.add_argument("--user", required=True, metavar="EMAIL", help="who you are (an email from the org file)")

    export = sub.add_parser("export", help="export the registrations")
    export.add_argument("--format", required=True, choices=EXPORT_FORMATS)
    export.add_argument("--out", required=True, type=Path)
    export.add_argument("--strategy", metavar="KEY", help="strategy key (default: the active strategy)")
    export.add_argument(
        "--include-drafts", action="store_true", help="docx/html: also registrations that are not submitted yet"
    )
    export.add_argument(
        "--lang", "--language", dest="lang", choices=("da", "en"),
        help="language of the words in the file (default: MAALBOT_LOCALE, which is Danish unless set)",
    )  # fmt: skip

    serve = sub.add_parser("serve", help="start the bot's web server")
    serve.add_argument("--dev", action="store_true", help="local development mode on 127.0.0.1")

    from bot.cli_admin import add_admin_parsers
    from bot.cli_privacy import add_privacy_parsers
    from bot.cli_remind import add_remind_parser

    add_admin_parsers(sub)
    add_privacy_parsers(sub, db, org_import)
    add_remind_parser(sub)
    from bot.cli_meetings import add_meeting_parser  # the meeting cycle (bot/cli_meetings.py)

    add_meeting_parser(sub)
    from bot.webchat.invite import add_invite_parser

    add_invite_parser(sub)

    manifest = sub.add_parser("manifest", help="the Slack app manifest and the Teams app package").add_subparsers(
        dest="manifest_command", required=True
    )
    slack = manifest.add_parser("slack", help="print the Slack app manifest with the request URLs filled in")
    slack.add_argument("--url", required=True, help="the bot's public https base URL")
    teams = manifest.add_parser("teams", help="build the Teams app package (zip)")
    teams.add_argument("--app-id", required=True, help="the Azure Bot's Microsoft app id")
    teams.add_argument("--out", required=True, type=Path, help="where to write the .zip")
    return parser


def cmd_manifest(args: argparse.Namespace) -> int:
    if args.manifest_command == "slack":
        from bot.slack.manifest import render_manifest

        print(render_manifest(args.url), end="")
        return 0
    from bot.teams.package import build_package

    build_package(args.app_id, args.out)
    print(f"Teams app package written to {args.out}")
    return 0


def load_strategy_file(path: Path) -> Strategy:
    """`dialogs.strategy.load_strategy_file`, imported on first use."""
    from dialogs.strategy import load_strategy_file as load

    return load(path)


class DatabaseNotReady(ValueError):
    """The database cannot be reached, or its schema is not the one this version needs."""


async def _with_db(settings: Settings, work: Callable[[Database], Awaitable[int]], *, needs_schema: bool = True) -> int:
    from storage.db import Database

    db = Database(settings.resolved_database_url)
    try:
        await _check_database(settings, db, needs_schema=needs_schema)
        return await work(db)
    finally:
        await db.dispose()


async def _check_database(settings: Settings, db: Database, *, needs_schema: bool) -> None:
    """One line instead of a traceback when the database is unreachable or not migrated yet."""
    from bot.settings import hide_password
    from storage.migrate import current_revision, head_revision

    try:
        revision = await current_revision(db)
    except Exception as exc:  # the drivers raise many kinds (OSError, DBAPIError, asyncpg's own)
        text = str(getattr(exc, "orig", None) or exc).strip()  # `orig`: the driver's error, without SQL
        reason = hide_password(text.splitlines()[0] if text else type(exc).__name__, settings.database_url or "")
        raise DatabaseNotReady(f"cannot open the database {settings.database_for_display}: {reason}") from None
    if not needs_schema:
        return
    head = head_revision()
    if revision is None:
        raise DatabaseNotReady("the database has no tables yet: run `maalbot db upgrade` first")
    if revision != head:
        raise DatabaseNotReady(
            f"the database schema ({revision}) is not the one this version of maalbot uses ({head}): "
            "run `maalbot db upgrade` first"
        )


async def _ready(_db: Database) -> int:
    return 0  # `_with_db` has checked the database


async def cmd_db_upgrade(db: Database) -> int:
    from storage.migrate import upgrade

    await upgrade(db)
    print("Database schema is up to date.")
    return 0


async def load_strategy(db: Database, path: Path) -> int:
    from storage.strategies import save_strategy

    strategy = load_strategy_file(path)
    async with db.transaction() as s:
        _row, created = await save_strategy(s, strategy.model_dump(mode="json"))
    print(
        f"Strategy {strategy.key!r} {'loaded' if created else 'updated'}: {len(strategy.goals)} goals, "
        f"{len(strategy.questions)} questions. It is now the active strategy."
    )
    return 0


async def cmd_strategy_list(db: Database) -> int:
    from storage.strategies import list_strategies

    async with db.transaction() as s:
        rows = await list_strategies(s)
    if not rows:
        print("No strategies loaded. Load one with: maalbot strategy load FILE")
    for n, row in enumerate(rows):
        print(f"{row.key}\t{row.title}{'\t(active)' if n == 0 else ''}")
    return 0


async def cmd_org_import(db: Database, path: Path) -> int:
    from storage.org import import_org
    from storage.org_file import parse_org_file

    report = await import_org(db, parse_org_file(path))
    print(report.summary())
    return 0


async def cmd_demo(db: Database, if_empty: bool, today: date | None = None) -> int:
    """The demo municipality, and the default strategy with a period around `today` (dialogs/demo_strategy.py)."""
    from dialogs.demo_strategy import demo_strategy
    from storage.org import import_org
    from storage.org_file import parse_org_file
    from storage.people import count_people
    from storage.strategies import save_strategy, strategy_by_key

    strategy = demo_strategy(today or date.today())
    async with db.transaction() as s:
        people = await count_people(s)
        have_demo = await strategy_by_key(s, strategy.key) is not None
    if if_empty and people:
        print("The database already has data; the demo was not loaded again.")
        return 0
    if not have_demo:
        async with db.transaction() as s:
            await save_strategy(s, strategy.model_dump(mode="json"))
        print(
            f"Demo strategy {strategy.key!r} loaded: period {strategy.period.start} to {strategy.period.end}, "
            f"deadline {strategy.deadline}. It is now the active strategy."
        )
    report = await import_org(db, parse_org_file(DEMO_ORG_FILE))
    print("Demo municipality: " + report.summary())
    return 0


async def cmd_export(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    from bot.reports import prepare, render_file
    from dialogs.texts import texts
    from storage.export import build_export

    data = await prepare(db, await build_export(db, args.strategy), settings.municipality, args.format)
    body = render_file(data, args.format, texts(args.lang or settings.locale), include_drafts=args.include_drafts)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(body)
    print(f"Exported {len(data['institutions'])} institutions to {args.out}")
    return 0


async def cmd_chat(settings: Settings, db: Database, email: str) -> int:
    from bot.console import run_console
    from bot.links_settings import link_signer
    from dialogs.links_chat import LinkAnswers
    from dialogs.service import ConversationService

    service = ConversationService(
        db, default_locale=settings.locale, timezone=settings.timezone, contact=settings.contact
    )
    service.links = LinkAnswers(db, link_signer(), default_locale=settings.locale, timezone=settings.timezone)
    return await run_console(service, email, sys.stdin, sys.stdout)


def cmd_serve(settings: Settings, dev: bool) -> int:
    from bot.serve import serve

    return serve(settings, dev=dev)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    import asyncio

    from bot.logs import configure_logging
    from bot.settings import SettingsError, load_settings

    quiet = args.command == "chat"  # the terminal is the conversation: only real problems in between
    configure_logging(logging.ERROR if quiet else logging.INFO)  # one escaped, bounded line per record
    logging.getLogger("aiosqlite").setLevel(logging.WARNING)  # its DEBUG lines carry SQL parameters: personal data
    try:
        if args.command == "strategy" and args.strategy_command == "validate":
            strategy = load_strategy_file(args.file)
            print(
                f"{args.file}: valid strategy {strategy.key!r} with {len(strategy.goals)} goals and "
                f"{len(strategy.questions)} questions."
            )
            return 0
        if args.command == "manifest":
            return cmd_manifest(args)
        settings = load_settings()
        if args.command == "serve":
            asyncio.run(_with_db(settings, _ready))  # refuse to start on a database without the schema
            return cmd_serve(settings, args.dev)
        needs_schema = args.command != "db" or args.db_command == "backup"
        return asyncio.run(_with_db(settings, lambda db: _dispatch(args, settings, db), needs_schema=needs_schema))
    except SettingsError as exc:
        print(f"maalbot: bad setting: {exc}", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        print(f"maalbot: {exc.filename or exc}: file not found", file=sys.stderr)
        return 1
    except ValueError as exc:  # dialogs.strategy.StrategyFileError among them
        print(f"maalbot: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


async def _dispatch(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    match args.command:
        case "db" if args.db_command == "backup":
            from bot.cli_privacy import run_backup

            return await run_backup(args, db)
        case "db":
            return await cmd_db_upgrade(db)
        case "strategy" if args.strategy_command == "load":
            return await load_strategy(db, args.file)
        case "strategy":
            return await cmd_strategy_list(db)
        case "org" if args.sync:
            from bot.cli_privacy import run_org_sync

            return await run_org_sync(args, db)
        case "org":
            return await cmd_org_import(db, args.file)
        case "person":
            from bot.cli_privacy import run_person

            return await run_person(args, db)
        case "purge":
            from bot.cli_privacy import run_purge

            return await run_purge(args, db, settings)
        case "audit":
            from bot.cli_privacy import run_audit

            return await run_audit(args, db)
        case "demo":
            return await cmd_demo(db, args.if_empty)
        case "export":
            return await cmd_export(settings, db, args)
        case "remind":
            from bot.cli_remind import run_remind
            from bot.notifiers import configured_notifiers

            return await run_remind(args, db, configured_notifiers(db), default_locale=settings.locale)
        case "registration":
            from bot.cli_admin import run_admin

            return await run_admin(args, db)
        case "chat":
            return await cmd_chat(settings, db, args.user)
        case "meeting":
            from bot.cli_meetings import run_meeting

            return await run_meeting(args, db, locale=settings.locale)
        case "invite":
            from bot.webchat.invite import run_invite

            return await run_invite(args, db, default_locale=settings.locale)
    raise AssertionError(args.command)


if __name__ == "__main__":
    sys.exit(main())
