"""Data protection on the command line: `person export|erase|remove`, `org import --sync`, `purge`,
`audit INSTITUTION` and `db backup PATH`. Output is for the operator; nothing here logs personal data."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from storage.db import Database

ACTOR = "maalbot (command line)"  # who the audit log says acted from the command line
YES = {"y", "yes", "j", "ja"}


def add_privacy_parsers(sub: Any, db_commands: Any, org_import: argparse.ArgumentParser) -> None:
    """Add the commands to the CLI's subparsers, `db`'s subparsers and the `org import` parser."""
    person = sub.add_parser("person", help="one person's data: export, erase, remove").add_subparsers(
        dest="person_command", required=True
    )
    export = person.add_parser("export", help="everything stored about a person (GDPR art. 15)")
    export.add_argument("email")
    export.add_argument("--format", choices=("json", "md"), default="json")
    export.add_argument("--out", type=Path, help="write to this file instead of the terminal")
    erase = person.add_parser("erase", help="erase a person everywhere (GDPR art. 17); the board's content stays")
    erase.add_argument("email")
    erase.add_argument("--yes", action="store_true", help="do not ask")
    remove = person.add_parser("remove", help="a person who left: remove them and all their roles")
    remove.add_argument("email")
    remove.add_argument("--yes", action="store_true", help="do not ask")

    org_import.add_argument("--sync", action="store_true", help="also remove roles and people the file does not list")
    org_import.add_argument("--yes", action="store_true", help="with --sync: do not ask")

    purge = sub.add_parser("purge", help="delete what is past its retention age (see the README)")
    purge.add_argument("--dry-run", action="store_true", help="only count")

    audit = sub.add_parser("audit", help="the audit log of an institution")
    audit.add_argument("institution")
    audit.add_argument("--limit", type=int, default=200)

    backup = db_commands.add_parser("backup", help="a consistent copy of the SQLite database (safe while serving)")
    backup.add_argument("path", type=Path)


def _confirm(question: str, yes: bool) -> bool:
    if yes:
        return True
    print(f"{question} [y/N] ", end="", flush=True)
    answer = sys.stdin.readline()
    return answer.strip().casefold() in YES


async def run_person(args: argparse.Namespace, db: Database) -> int:
    from storage import privacy
    from storage.people import person_by_email
    from storage.privacy_export import as_markdown, person_data

    async with db.transaction() as s:
        person = await person_by_email(s, args.email)
        if person is None:
            print(f"maalbot: nobody with the email {args.email} is stored", file=sys.stderr)
            return 1
        if args.person_command == "export":
            data = await person_data(s, person)
        else:
            plan = await privacy.plan_removal(s, person)
    if args.person_command == "export":
        text = as_markdown(data) if args.format == "md" else json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        if args.out is None:
            sys.stdout.write(text)
        else:
            args.out.write_text(text, encoding="utf-8")
            print(f"Everything stored about {args.email} is in {args.out}")
        return 0
    erase = args.person_command == "erase"
    print(f"{'Erasing' if erase else 'Removing'} {args.email} deletes:")
    print("\n".join(f"  {line}" for line in plan.lines()) or "  (no roles, chats or messages)")
    if erase:
        print(
            "and replaces the name and email in the audit log, other members' notices and messages by "
            f"{privacy.PSEUDONYM!r}. What they wrote for their board stays in the board's registration."
        )
    else:
        print("What they wrote for their board stays; the audit log keeps their name.")
    if not _confirm("Go ahead?", args.yes):
        print("Nothing was changed.")
        return 1
    async with db.transaction() as s:
        person = await person_by_email(s, args.email)
        if person is not None:
            if erase:
                await privacy.erase_person(s, person, actor=ACTOR)
            else:
                await privacy.remove_person(s, person, actor=ACTOR)
    print(f"{args.email} has been {'erased' if erase else 'removed'}. Links and chat rights stopped at once.")
    return 0


async def run_org_sync(args: argparse.Namespace, db: Database) -> int:
    from storage.org_file import parse_org_file
    from storage.org_sync import plan_sync, sync_org

    org = parse_org_file(args.file)
    async with db.transaction() as s:
        plan = await plan_sync(s, org)
    if plan.empty:
        print("The file lists everybody who has a role: nothing will be removed.")
    else:
        print(f"{args.file.name} no longer lists these; --sync removes them:")
        print("\n".join(f"  {line}" for line in plan.lines()))
        if not _confirm("Remove them?", args.yes):
            print("Nothing was changed.")
            return 1
    report, done = await sync_org(db, org, actor=ACTOR)
    print(report.summary())
    print(f"Removed {len(done.roles)} roles and {len(done.people)} people.")
    return 0


async def run_purge(args: argparse.Namespace, db: Database, settings: Any) -> int:
    from storage.retention import purge

    found = await purge(db, settings.retention, datetime.now(UTC), dry_run=args.dry_run)
    verb = "would delete" if args.dry_run else "deleted"
    for name, n in found.items():
        print(f"{name}: {verb} {n}")
    return 0


async def run_audit(args: argparse.Namespace, db: Database) -> int:
    from dialogs.overview import match_names
    from storage import audit
    from storage.approval import institution_names

    async with db.transaction() as s:
        names = await institution_names(s)
        found = match_names(args.institution, list(names))
        if len(found) != 1:
            hint = f"could be: {', '.join(found)}" if found else "no such institution"
            print(f"maalbot: {args.institution!r} {hint}", file=sys.stderr)
            return 1
        lines = await audit.for_institution(s, names[found[0]], limit=args.limit)
    print(f"Audit log of {found[0]} (newest first, at most {args.limit}):")
    for line in lines:
        change = f"{line.before or ''} -> {line.after or ''}" if line.before else line.after or ""
        print(f"{line.at:%Y-%m-%d %H:%M} UTC\t{line.who or '-'}\t{line.action}\t{line.field}\t{change}")
    return 0


async def run_backup(args: argparse.Namespace, db: Database) -> int:
    from storage.backup import backup_sqlite

    pages = await backup_sqlite(db.url, args.path)
    print(f"Backup written to {args.path} ({pages} pages). Restore: see «Backups» in the README.")
    return 0
