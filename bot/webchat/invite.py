"""`maalbot invite EMAIL | --institution NAME | --all-missing`: email board members a sign-in link to
the web chat (valid for `MAALBOT_EMAIL_LINK_HOURS`, 72 by default), through the outbox.

`--all-missing` invites every board member and chair the bot has never met (no Slack, Teams or web
identity). The command prints how many were invited and sent, never who."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:  # imported when the command runs: `maalbot --help` starts without them
    from bot.outbound import Deliverer
    from storage.db import Database
    from storage.models import Person


def add_invite_parser(sub: Any) -> None:
    invite: argparse.ArgumentParser = sub.add_parser("invite", help="email board members a link to the web chat")
    who = invite.add_mutually_exclusive_group(required=True)
    who.add_argument("email", nargs="?", help="one person's email address")
    who.add_argument("--institution", metavar="NAME", help="every board member of this institution")
    who.add_argument("--all-missing", action="store_true", help="every board member the bot has never met")


async def invitees(db: Database, args: argparse.Namespace) -> list[Person] | str:
    """The people to invite (those `policy.Occasion.INVITE` names), or why there are none (a message
    for the operator)."""
    from storage import people, policy

    async with db.transaction() as s:
        if args.email:
            person = await people.person_by_email(s, args.email)
            return [person] if person else "no person with that email in the organisation file"
        if args.institution:
            institution_id = await people.institution_id_named(s, args.institution)
            if institution_id is None:
                return f"no institution called {args.institution!r}"
            return await people.told_on_board(s, institution_id, policy.Occasion.INVITE)
        return await people.board_people_never_met(s, policy.Occasion.INVITE)


async def run_invite(
    args: argparse.Namespace, db: Database, *, default_locale: str = "da", out: TextIO | None = None
) -> int:
    from bot.email.mailer import Mailer
    from bot.email.settings import smtp_settings
    from bot.links_settings import link_signer
    from bot.outbound import Deliverer
    from bot.scheduler import new_instance_id
    from bot.settings import SettingsError
    from bot.webchat.platform import EmailNotifier, EmailPlatform
    from bot.webchat.signin import SignIns, webchat_settings
    from storage import outbox
    from storage.models import OutboxStatus

    out = out or sys.stdout
    try:
        smtp, signer = smtp_settings(), link_signer()
        settings = webchat_settings()
    except SettingsError as exc:
        print(f"maalbot: {exc}", file=sys.stderr)
        return 2
    if smtp is None or signer is None:
        print("maalbot: invitations need MAALBOT_SMTP_URL, MAALBOT_SMTP_FROM and MAALBOT_LINK_SECRET", file=sys.stderr)
        return 2
    chosen = await invitees(db, args)
    if isinstance(chosen, str):
        print(f"maalbot: {chosen}", file=sys.stderr)
        return 1
    notifier = EmailNotifier(db, Mailer(smtp), SignIns(db, signer, settings), default_locale)
    deliverer = Deliverer(db, {"email": EmailPlatform(notifier)}, instance_id=new_instance_id())
    sent = 0
    for person in chosen:
        await invite(db, deliverer, person, default_locale)
        async with db.transaction() as s:
            status = await outbox.newest_status(s, outbox.conversation_key("email", str(person.id)))
        sent += status == OutboxStatus.SENT.value
    print(f"Invited {len(chosen)}; sent {sent} (the rest are retried by `maalbot serve`).", file=out)
    return 0


async def invite(db: Database, deliverer: Deliverer, person: Person, default_locale: str) -> None:
    from dialogs.messages import Reply
    from dialogs.reminders.render import reply_to_json
    from dialogs.texts import texts
    from storage import outbox

    t = texts(person.locale or default_locale)
    reply = Reply(
        t(
            "Your board registers its local goals with Målbot. You can take part from your phone or computer: "
            "open the link, and the bot asks you one question at a time."
        ),
        title=t("Invitation to Målbot's chat"),
    )
    recipient = outbox.conversation_key("email", str(person.id))
    payload = {"to": {"platform": "email", "person_id": person.id, "invite": True},
               "replies": [reply_to_json(reply)], "locale": person.locale or default_locale}  # fmt: skip
    now = datetime.now(UTC)
    async with db.transaction() as s:
        outbox.add_reply(s, recipient, f"invite:{person.id}:{now.timestamp():.0f}", payload, now)
    await deliverer.flush(recipient)
