"""Reminders to web-chat people arrive by email through the outbox: the weekly nudge to a board member
who uses the web chat is an outbox row, sent by the scheduler through the email notifier to the local
SMTP server, with a sign-in link; a person is reminded where they last wrote to the bot."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from bot.delivery import RecordingNotifier
from bot.webchat import PLATFORM
from bot.webchat.platform import EmailNotifier
from bot.webchat.signin import SignIns, WebChatSettings
from storage import inbox, outbox, people, web_sessions
from storage.db import Database
from storage.org import import_org
from storage.org_file import OrgFileError, parse_org_file
from tests.reminders.conftest import MONDAY, Clock, load_municipality, run_tick
from tests.webchat.conftest import DEMO_ORG, FATIMA, SIGNER, SmtpServer, html_of, link_in, mailer_for, text_of

CAMILLA = "camilla.dahl@demo.maalbot.dk"


async def meet(db: Database, email: str, platform: str, user_key: str | None = None) -> int:
    """The person has written to the bot on `platform` (last used: it is their preferred channel)."""
    async with db.transaction() as s:
        person = await people.person_by_email(s, email)
        assert person is not None
        await people.link_identity(s, person, platform, user_key or str(person.id))
        await web_sessions.set_preferred(s, person.id, platform, MONDAY)
        return person.id


async def test_the_weekly_nudge_reaches_a_web_chat_member_by_email(
    sqlite_db: Database, smtp: SmtpServer, tmp_path: Path
) -> None:
    db = sqlite_db
    await load_municipality(db, tmp_path)
    fatima = await meet(db, FATIMA, "slack", "U-fatima")
    fatima = await meet(db, FATIMA, PLATFORM)  # she used the web chat after Slack: email it is
    camilla = await meet(db, CAMILLA, "slack", "U-camilla")
    slack = RecordingNotifier("slack")
    email = EmailNotifier(db, mailer_for(smtp), SignIns(db, SIGNER, WebChatSettings()), "da")

    report = await run_tick(db, [slack, email], MONDAY, Clock())

    assert report.sent >= 2
    message = await smtp.wait_for(FATIMA)
    body = text_of(message)
    assert "Solsikken" in body and "Svar på websiden" in body
    assert message["Subject"].startswith("Målbot: ")
    assert "Solsikken" in html_of(message)
    assert link_in(message).startswith("/chat/signin?token=")
    assert slack.to("U-fatima") == []
    assert len(slack.to("U-camilla")) == 1 and camilla
    async with db.transaction() as s:
        nudges = {r.recipient: r.status for r in await outbox.items(s, rule="nudge")}
        assert nudges[f"person:{fatima}"] == "sent"
    # the link in a reminder signs her in, also a day later (a requested link lives 30 minutes)
    token = parse_qs(urlsplit(link_in(message)).query)["token"][0]
    signed = await email.sign_ins.redeem(token, datetime.now(UTC) + timedelta(days=1))
    assert signed is not None and signed.person.id == fatima


async def test_a_member_who_wrote_in_slack_last_is_reminded_in_slack(
    sqlite_db: Database, smtp: SmtpServer, tmp_path: Path
) -> None:
    db = sqlite_db
    await load_municipality(db, tmp_path)
    fatima = await meet(db, FATIMA, PLATFORM)  # she signed in to the web chat once
    await meet(db, FATIMA, "slack", "U-fatima")
    async with db.transaction() as s:
        await web_sessions.set_preferred(s, fatima, PLATFORM, MONDAY)  # and the web chat was remembered
    await inbox.record(db, "slack", "Ev1", "U-fatima", {"kind": "turn"})  # but she wrote in Slack since
    slack = RecordingNotifier("slack")
    email = EmailNotifier(db, mailer_for(smtp), SignIns(db, SIGNER, WebChatSettings()), "da")

    await run_tick(db, [email, slack], MONDAY, Clock())

    assert len(slack.to("U-fatima")) == 1
    assert smtp.to(FATIMA) == []


async def test_the_organisation_file_may_set_the_channel(sqlite_db: Database, smtp: SmtpServer, tmp_path: Path) -> None:
    db = sqlite_db
    await load_municipality(db, tmp_path)
    org = tmp_path / "org.yaml"
    org.write_text(
        DEMO_ORG.read_text(encoding="utf-8").replace(
            "{name: Fatima Ali, email: fatima.ali@demo.maalbot.dk}",
            "{name: Fatima Ali, email: fatima.ali@demo.maalbot.dk, channel: email}",
        ),
        encoding="utf-8",
    )
    await import_org(db, parse_org_file(org))
    fatima = await meet(db, FATIMA, PLATFORM)
    await meet(db, FATIMA, "slack", "U-fatima")  # using Slack does not overrule the file
    await inbox.record(db, "slack", "Ev1", "U-fatima", {"kind": "turn"})
    slack = RecordingNotifier("slack")
    email = EmailNotifier(db, mailer_for(smtp), SignIns(db, SIGNER, WebChatSettings()), "da")

    await run_tick(db, [slack, email], MONDAY, Clock())

    assert slack.to("U-fatima") == []
    assert "Solsikken" in text_of(await smtp.wait_for(FATIMA))
    async with db.transaction() as s:
        assert await web_sessions.preferred_platform(s, fatima) == PLATFORM


def test_an_unknown_channel_in_the_organisation_file_is_a_clear_problem(tmp_path: Path) -> None:
    org = tmp_path / "org.yaml"
    org.write_text(
        DEMO_ORG.read_text(encoding="utf-8").replace(
            "{name: Fatima Ali, email: fatima.ali@demo.maalbot.dk}",
            "{name: Fatima Ali, email: fatima.ali@demo.maalbot.dk, channel: fax}",
        ),
        encoding="utf-8",
    )
    with pytest.raises(OrgFileError) as raised:
        parse_org_file(org)
    assert "unknown channel 'fax' (use slack, teams, email, web)" in str(raised.value.problems)
