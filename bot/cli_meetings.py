"""`maalbot meeting plan FILE.csv` and `maalbot meeting list`: the administration plans the meetings of
the seeds (dialogue meetings, area and cross-area collaboration meetings) and sees what is planned.
The CSV format is in `dialogs.meetings.planning` and the README («Møder og aftaler»)."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from storage.db import Database


def add_meeting_parser(sub: Any) -> argparse.ArgumentParser:
    """Add `meeting` to the `maalbot` subcommands (`sub` is argparse's subparsers object)."""
    meeting: argparse.ArgumentParser = sub.add_parser("meeting", help="dialogue and collaboration meetings")
    commands = meeting.add_subparsers(dest="meeting_command", required=True)
    plan = commands.add_parser("plan", help="plan meetings from a CSV file (institution,date,template,participants)")
    plan.add_argument("file", type=Path)
    listing = commands.add_parser("list", help="list planned meetings from today (or --from DATE)")
    listing.add_argument("--from", dest="start", type=date.fromisoformat, metavar="YYYY-MM-DD")
    commands.add_parser("templates", help="list the meeting templates")
    return meeting


async def run_meeting(
    args: argparse.Namespace, db: Database, *, locale: str = "da", out: TextIO | None = None, today: date | None = None
) -> int:
    from dialogs.meetings.planning import plan_from_csv
    from dialogs.meetings.templates import builtin_templates
    from dialogs.texts import texts

    out = out or sys.stdout
    t = texts(locale)
    templates = builtin_templates()
    if args.meeting_command == "templates":
        for key, template in templates.items():
            print(f"{key}\t{template.title.get(t.locale)}", file=out)
        return 0
    if args.meeting_command == "plan":
        try:
            text = args.file.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            print(t("{file}: the file is not UTF-8 text; save it as «CSV UTF-8».", file=args.file), file=sys.stderr)
            return 1
        report = await plan_from_csv(db, text, t, templates=templates)
        if report.problems:
            print(
                t("{file}: nothing was planned. Fix these lines and load the file again:", file=args.file),
                file=sys.stderr,
            )
            for problem in report.problems:
                print(f"  {problem}", file=sys.stderr)
            return 1
        print(
            t("{created} meetings planned, {updated} updated.", created=report.created, updated=report.updated),
            file=out,
        )
        return 0
    from storage import meetings

    start = args.start or today or datetime.now(UTC).date()
    async with db.read() as s:
        rows = await meetings.meeting_views(s, start=start)
    if not rows:
        print(t("No meetings are planned from {date}.", date=start.isoformat()), file=out)
        return 0
    for m in rows:
        title = templates[m.template_key].title.get(t.locale) if m.template_key in templates else m.template_key
        when = f"{m.held_on.isoformat()} {m.start_time or ''}".rstrip()
        print(f"{m.id}\t{when}\t{title}\t{m.where or '-'}\t" + t("{n} taking part", n=len(m.participants)), file=out)
    return 0
