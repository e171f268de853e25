"""`maalbot remind --now [--dry-run]`: run one reminder round from the command line.

`--dry-run` prints what would be sent, to whom and why, and writes nothing. Without it the round
really sends, through the notifiers the caller passes (Slack, Teams); `--console` prints the messages
here instead, and marks them sent, so use it only on a database whose reminders nobody else sends."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:  # imported when the command runs: `maalbot --help` starts without them
    from bot.delivery import Notifier
    from storage.db import Database


def _moment(text: str) -> datetime:
    """An ISO date-time; without a zone it is read as Europe/Copenhagen wall-clock time."""
    from zoneinfo import ZoneInfo

    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo("Europe/Copenhagen"))
    return value.astimezone(UTC)


def add_remind_parser(sub: Any) -> argparse.ArgumentParser:
    """Add `remind` to the `maalbot` subcommands (`sub` is argparse's subparsers object)."""
    remind: argparse.ArgumentParser = sub.add_parser("remind", help="run the reminders (digests, nudges, follow-ups)")
    remind.add_argument("--now", action="store_true", required=True, help="run one round now")
    remind.add_argument("--dry-run", action="store_true", help="only print what would be sent, to whom and why")
    remind.add_argument("--console", action="store_true", help="print the messages here instead of sending them")
    remind.add_argument(
        "--at",
        type=_moment,
        metavar="DATETIME",
        help="pretend it is this moment (ISO, local time), e.g. with --dry-run",
    )
    return remind


UNCAPPED = 10**9


async def run_remind(
    args: argparse.Namespace,
    db: Database,
    notifiers: Sequence[Notifier] = (),
    *,
    out: TextIO | None = None,
    default_locale: str = "da",
) -> int:
    from bot.delivery import ConsoleNotifier
    from bot.scheduler import new_instance_id, tick

    out = out or sys.stdout
    now: datetime = args.at or datetime.now(UTC)
    chosen = list(notifiers)
    if args.console:
        chosen = [ConsoleNotifier(out)]
    if not args.dry_run and not chosen:
        print(
            "maalbot: no Slack or Teams notifier is configured; use --dry-run to see what would be sent, "
            "or --console to print the messages here",
            file=sys.stderr,
        )
        return 1
    # one run by hand writes every new item (no later tick of this process would write the rest)
    report = await tick(
        db,
        chosen,
        now,
        instance_id=new_instance_id(),
        dry_run=args.dry_run,
        default_locale=default_locale,
        max_new=UNCAPPED,
    )
    for line in report.lines:
        print(line, file=out)
    if args.dry_run:
        from bot.reach_report import unreachable_lines

        for line in await unreachable_lines(db, notifiers):
            print(line, file=out)
    if not args.dry_run:
        held = f" (held: {report.held})" if report.held else ""
        print(
            f"{report.enqueued} new due, {report.sent} sent, {report.retried} to retry, "
            f"{report.failed} failed, {report.skipped} skipped{held}.",
            file=out,
        )
    return 0
