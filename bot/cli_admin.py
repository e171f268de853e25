"""`maalbot registration approve|return|reopen INSTITUTION --by ADMIN_EMAIL`: the administration's
decisions from the command line, the same as in chat (`dialogs.approval.Approvals.perform`)."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported when the command runs: `maalbot --help` starts without them
    from dialogs.approval import AdminCommand, Outcome
    from storage.db import Database

REOPEN_TO = ("submitted", "draft")


def add_admin_parsers(sub: Any) -> None:
    """Add the `registration` command to the CLI's subparsers (`parser.add_subparsers(...)`)."""
    registration = sub.add_parser("registration", help="approve, return or reopen a board's registration")
    actions = registration.add_subparsers(dest="registration_command", required=True)
    for name, help_text in (
        ("approve", "approve a submitted registration (it is then locked)"),
        ("return", "return a registration to the board with a comment"),
        ("reopen", "reopen an approved registration"),
    ):
        p = actions.add_parser(name, help=help_text)
        p.add_argument("institution", help="the institution's name (forgiving: case, æøå, small typos)")
        p.add_argument("--comment", metavar="TEXT", required=name == "return", help="a comment for the board")
        p.add_argument("--strategy", metavar="KEY", help="strategy key (default: the active strategy)")
        p.add_argument("--by", required=True, metavar="ADMIN_EMAIL", help="the admin who decides (for the audit log)")
        if name == "reopen":
            p.add_argument("--to", choices=REOPEN_TO, default="submitted", help="the status after reopening")


async def run_admin(args: argparse.Namespace, db: Database) -> int:
    """Run `maalbot registration ...`; 0 when done, 1 with a one-line reason on stderr otherwise."""
    from dialogs.approval import AdminCommand, Approvals
    from storage import people

    async with db.transaction() as s:
        person = await people.person_by_email(s, args.by)
        person_id = person.id if person is not None else None
    if person_id is None:
        print(f"maalbot: {args.by} is not a known person", file=sys.stderr)
        return 1
    command = AdminCommand(
        args.registration_command, " ".join(args.institution.split()), args.comment, getattr(args, "to", "submitted")
    )
    outcome = await Approvals(db, clock=lambda: datetime.now(UTC)).perform(person_id, command, args.strategy)
    message = _message(command, outcome, args)
    if outcome.code != "done":
        print(f"maalbot: {message}", file=sys.stderr)
        return 1
    print(message)
    return 0


def _message(command: AdminCommand, outcome: Outcome, args: argparse.Namespace) -> str:
    decision = outcome.decision
    if outcome.code == "done" and decision is not None:
        return (
            f"{decision.institution}: {decision.before} -> {decision.after}. "
            f"{decision.notified} people on the board will be told."
        )
    match outcome.code:
        case "not_admin":
            return f"{args.by} is not an admin"
        case "needs_comment":
            return "a returned registration needs --comment for the board"
        case "no_strategy":
            return f"no strategy {args.strategy!r}" if args.strategy else "no strategy has been loaded yet"
        case "unknown":
            return f"no institution called {command.target!r}"
        case "ambiguous":
            return f"{command.target!r} could be: {', '.join(outcome.names)}"
        case "not_started":
            return f"{outcome.names[0]} has not started its registration"
        case "changed":  # approval: changed after it was submitted; the chat shows the changes and asks
            return f"{outcome.names[0]} was changed after it was submitted: approve it in chat, or wait for the chair"
    return f"cannot {command.action} the registration for {outcome.names[0]}: it is {outcome.status}"
