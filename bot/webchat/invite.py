"""`maalbot invite EMAIL | --institution NAME | --all-missing`: email board members a sign-in link to
the web chat (valid for `MAALBOT_EMAIL_LINK_HOURS`, 72 by default), through the outbox.

`--all-missing` invites every board member and chair the bot has never met (no Slack, Teams or web
identity). The command prints how many were invited and sent, never who."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from sqlalchemy import select

from bot.email.mailer import Mailer
from bot.email.settings import smtp_settings
from bot.links_settings import link_signer
from bot.outbound import Deliverer
from bot.scheduler import new_instance_id
from bot.settings import SettingsError
from bot.webchat.platform import EmailNotifier, EmailPlatform
from bot.webchat.signin import SignIns, webchat_settings
from dialogs.messages import Reply
from dialogs.reminders.render import reply_to_json
from dialogs.texts import texts
from storage import outbox, people
from storage.db import Database
from storage.models import Identity, Institution, Membership, OutboxItem, OutboxStatus, Person, Role


def add_invite_parser(sub: Any) -> None:
    invite: argparse.ArgumentParser = sub.add_parser("invite", help="email board members a link to the web chat")
    who = invite.add_mutually_exclusive_group(required=True)
    who.add_argument("email", nargs="?", help="one person's email address")
    who.add_argument("--institution", metavar="NAME", help="every board member of this institution")
    who.add_argument("--all-missing", action="store_true", help="every board member the bot has never met")


async def invitees(db: Database, args: argparse.Namespace) -> list[Person] | str:
    """The people to invite, or why there are none (a message for the operator)."""
    board = (Role.MEMBER.value, Role.CHAIR.value)
    async with db.transaction() as s:
        if args.email:
            person = await people.person_by_email(s, args.email)
            return [person] if person else "no person with that email in the organisation file"
        if args.institution:
            wanted = args.institution.strip().casefold()
            found = [i for i in (await s.scalars(select(Institution))).all() if i.name.casefold() == wanted]
            if not found:
                return f"no institution called {args.institution!r}"
            return await people.board_people(s, found[0].id, board)
        met = select(Identity.person_id)
        rows = await s.scalars(
            select(Person)
            .join(Membership, Membership.person_id == Person.id)
            .where(Membership.role.in_(board), Person.id.not_in(met))
            .distinct()
            .order_by(Person.id)
        )
        return list(rows.all())


async def run_invite(
    args: argparse.Namespace, db: Database, *, default_locale: str = "da", out: TextIO | None = None
) -> int:
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
            row = await s.scalar(
                select(OutboxItem.status)
                .where(OutboxItem.recipient == outbox.conversation_key("email", str(person.id)))
                .order_by(OutboxItem.id.desc())
                .limit(1)
            )
        sent += row == OutboxStatus.SENT.value
    print(f"Invited {len(chosen)}; sent {sent} (the rest are retried by `maalbot serve`).", file=out)
    return 0


async def invite(db: Database, deliverer: Deliverer, person: Person, default_locale: str) -> None:
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
