"""The web chat as a `bot.outbound.Platform`, and email as the way it writes first.

A turn's replies are «sent» by writing them to the person's chat page (`web_messages`): the deliverer
does it from the outbox like a Slack or Teams send, so a reply shown is a reply stored. Reminders,
notices and follow-up questions to a web-chat person (identity platform "web", user key = person id)
go by email with a sign-in link (`EmailNotifier`), through the scheduler's outbox rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from bot.delivery import Notifier, SendResult
from bot.email.mailer import Mailer, build_message
from bot.email.render import html_body, plain_text, subject_of
from bot.webchat import PLATFORM
from bot.webchat.signin import SignIns
from dialogs.messages import Reply
from dialogs.reminders.render import reply_to_json
from dialogs.texts import texts
from storage import people, web_sessions
from storage.db import Database
from storage.models import Person


class EmailNotifier:
    """Writes first to web-chat people by email. Without SMTP settings every send is a permanent
    failure (logged by the scheduler), so nothing waits for a mail server that is not there."""

    platform = PLATFORM

    def __init__(self, db: Database, mailer: Mailer | None, sign_ins: SignIns, default_locale: str = "da") -> None:
        self.db = db
        self.mailer = mailer
        self.sign_ins = sign_ins
        self.default_locale = default_locale

    async def send_to_person(self, user_key: str, replies: list[Reply]) -> SendResult:
        try:
            person_id = int(user_key)
        except ValueError:
            return SendResult.permanent("not a web-chat user key")
        return await self.send_email(person_id, replies)

    async def send_email(self, person_id: int, replies: list[Reply], *, requested: bool = False) -> SendResult:
        """Replies by email with a sign-in link: a short-lived one when the person asked for it."""
        if self.mailer is None:
            return SendResult.permanent("no MAALBOT_SMTP_URL")
        async with self.db.transaction() as s:
            person = await s.get(Person, person_id)
        if person is None or "@" not in person.email:
            return SendResult.permanent("no email address")
        locale = person.locale or self.default_locale
        t = texts(locale)
        link = self.sign_ins.link(person_id, datetime.now(UTC), for_email=not requested)
        message = build_message(
            self.mailer.settings,
            person.email,
            subject_of(replies, t),
            plain_text(replies, link, t),
            html_body(replies, link, t, t.locale),
        )
        return await self.mailer.send(message)

    async def send_to_channel(self, channel: str, replies: list[Reply]) -> SendResult:
        return SendResult.permanent("email has no channels")


class WebChatPlatform:
    name = PLATFORM

    def __init__(self, db: Database, notifier: Notifier) -> None:
        self.db = db
        self.notifier = notifier

    async def ensure_person(self, user_key: str) -> None:
        """Nothing to do: the sign-in link names the person, and signing in links the identity."""

    async def find_person(self, email: str) -> str | None:
        """Anyone in the organisation file can be reached: the web chat's user key is the person's id."""
        return await _person_key(self.db, email)

    def render(self, replies: list[Reply], locale: str | None) -> Sequence[Any]:
        return [[reply_to_json(r) for r in replies]]

    async def send_part(self, to: dict[str, Any], part: list[dict[str, Any]]) -> SendResult:
        person_id = to.get("person_id")
        if person_id is None:
            return SendResult.permanent("no person")
        now = datetime.now(UTC)
        async with self.db.transaction() as s:
            if await s.get(Person, int(person_id)) is None:
                return SendResult.permanent("the person is gone")
            for reply in part:
                web_sessions.add_message(s, int(person_id), "out", {"reply": reply}, now)
        return SendResult.ok()


class EmailPlatform:
    """Sign-in links by email, through the outbox like every other message (`bot.webchat.routes`
    writes the row; the link itself is made when the email is sent, so no working link is stored)."""

    name = "email"

    def __init__(self, notifier: EmailNotifier) -> None:
        self.notifier: Notifier = notifier
        self.email = notifier

    async def ensure_person(self, user_key: str) -> None:
        """Nobody writes to the bot by email."""

    async def find_person(self, email: str) -> str | None:
        return await _person_key(self.email.db, email)

    def render(self, replies: list[Reply], locale: str | None) -> Sequence[Any]:
        return [replies]

    async def send_part(self, to: dict[str, Any], part: list[Reply]) -> SendResult:
        # a requested link lives minutes; an invitation's as long as a reminder's
        return await self.email.send_email(int(to["person_id"]), part, requested=not to.get("invite"))


async def _person_key(db: Database, email: str) -> str | None:
    async with db.read() as s:
        person = await people.person_by_email(s, email)
        return str(person.id) if person is not None else None
