"""`maalbot invite`: sign-in links by email to one person, a board, or every board member the bot has
never met, through the outbox to the local SMTP server."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from bot.cli import build_parser
from bot.webchat.invite import run_invite
from storage import outbox
from storage.db import Database
from storage.models import Identity, Person
from tests.webchat.conftest import FATIMA, SmtpServer, link_in, load_demo, text_of

PETER = "peter.holm@demo.maalbot.dk"
LONE = "lone.baek@demo.maalbot.dk"  # Solsikken's leader, not on the board


@pytest.fixture
def smtp_env(smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> SmtpServer:
    monkeypatch.setenv("MAALBOT_SMTP_URL", f"smtp://127.0.0.1:{smtp.port}?starttls=off")
    monkeypatch.setenv("MAALBOT_SMTP_FROM", "maalbot@kommune.example")
    monkeypatch.setenv("MAALBOT_LINK_SECRET", "invite-test-secret-0123456789abcdef")
    monkeypatch.setenv("MAALBOT_PUBLIC_URL", "http://testserver")
    return smtp


async def invite(db: Database, *argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = await run_invite(build_parser().parse_args(["invite", *argv]), db, out=out)
    return code, out.getvalue()


async def test_all_missing_invites_only_board_members_the_bot_has_never_met(
    sqlite_db: Database, smtp_env: SmtpServer
) -> None:
    await load_demo(sqlite_db)
    async with sqlite_db.transaction() as s:
        for person in (await s.scalars(select(Person))).all():
            if person.email not in (FATIMA, PETER, LONE):
                s.add(Identity(person_id=person.id, platform="slack", user_key=f"U{person.id}"))

    code, said = await invite(sqlite_db, "--all-missing")

    assert code == 0 and said.startswith("Invited 2; sent 2")
    assert "@" not in said  # who was invited is not printed
    assert sorted(str(m["To"]) for m in smtp_env.messages) == [FATIMA, PETER]  # not the leader
    message = smtp_env.to(FATIMA)[0]
    assert message["Subject"] == "Målbot: Invitation til Målbots chat"
    assert "Bestyrelsen registrerer sine lokale mål med Målbot" in text_of(message)
    assert link_in(message).startswith("/chat/signin?token=")
    async with sqlite_db.transaction() as s:
        assert {r.status for r in await outbox.items(s, rule=outbox.REPLY)} == {"sent"}


async def test_one_email_and_an_institution(sqlite_db: Database, smtp_env: SmtpServer) -> None:
    await load_demo(sqlite_db)
    assert (await invite(sqlite_db, FATIMA))[0] == 0
    assert [str(m["To"]) for m in smtp_env.messages] == [FATIMA]
    code, said = await invite(sqlite_db, "--institution", "mælkebøtten")
    assert code == 0 and said.startswith("Invited 3; sent 3")  # the board, not its leader
    assert (await invite(sqlite_db, "nobody@example.com"))[0] == 1
    assert (await invite(sqlite_db, "--institution", "Findes Ikke"))[0] == 1
    assert len(smtp_env.messages) == 4
