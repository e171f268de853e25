"""Reminders end to end through Teams: `bot.scheduler.tick` through the real Teams notifier, registered
the way `maalbot serve` registers it, against the fake Bot Connector.

Time is injected (`now`, the pacer's clock and sleep); no test waits."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.delivery import Notifier
from bot.notifiers import register_reminder_notifiers
from bot.scheduler import REMINDER_NOTIFIERS, TickReport
from bot.teams.app import TEAMS_NOTIFIER_KEY, mount_teams
from bot.teams.notifier import RetryPolicy
from bot.teams.settings import TeamsSettings
from dialogs.service import ConversationService
from storage.db import Database
from storage.models import ConversationRef
from tests.fakes.bot_connector import FakeBotConnector
from tests.reminders.conftest import MONDAY, Clock, load_municipality, rows, run_tick
from tests.teams.conftest import NORTH_CHANNEL, Teams, TeamsUser

FATIMA = "fatima.ali@demo.maalbot.dk"  # a board member of Solsikken (Område Nord)
ADMIN = "admin@demo.maalbot.dk"


@dataclass
class TeamsMunicipality:
    teams: Teams
    notifiers: list[Notifier]
    clock: Clock = field(default_factory=Clock)

    async def meet(self, name: str, email: str) -> TeamsUser:
        """The person writes to the bot in Teams: the bot looks them up, links them and keeps the chat."""
        user = self.teams.person(name, email)
        await user.say("hej")
        self.teams.connector.reset()
        return user

    async def tick(self, now: datetime) -> TickReport:
        return await run_tick(self.teams.db, self.notifiers, now, self.clock)


@pytest.fixture
async def teams(
    monkeypatch: pytest.MonkeyPatch, sqlite_db: Database, tmp_path: Path
) -> AsyncIterator[TeamsMunicipality]:
    """`/api/messages` in development mode with every activity's serviceUrl at the fake connector, and
    the reminder notifiers registered as `build_app` registers them (development mode's Teams: only
    when asked for with MAALBOT_REMINDERS=on)."""
    monkeypatch.setenv("MAALBOT_REMINDERS", "on")
    await load_municipality(sqlite_db, tmp_path)
    connector = await FakeBotConnector().start()
    service = ConversationService(sqlite_db)
    app = web.Application()
    mount_teams(app, service, sqlite_db, TeamsSettings.model_construct(), dev=True)
    register_reminder_notifiers(app)
    notifier = app[TEAMS_NOTIFIER_KEY]
    fixture = Teams(TestClient(TestServer(app, host="127.0.0.1")), connector, sqlite_db, service, notifier)

    async def no_sleep(seconds: float) -> None:
        fixture.sleeps.append(seconds)

    notifier.sleep = no_sleep
    notifier.policy = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05)
    notifiers = app[REMINDER_NOTIFIERS].copy()
    assert [n.platform for n in notifiers] == ["teams"]
    await fixture.client.start_server()
    try:
        yield TeamsMunicipality(fixture, notifiers)
    finally:
        await fixture.client.close()
        await connector.stop()


async def test_development_teams_sends_reminders_only_when_asked(
    monkeypatch: pytest.MonkeyPatch, sqlite_db: Database
) -> None:
    service = ConversationService(sqlite_db)
    for switch, platforms in ((None, []), ("on", ["teams"]), ("off", [])):
        if switch is None:
            monkeypatch.delenv("MAALBOT_REMINDERS", raising=False)
        else:
            monkeypatch.setenv("MAALBOT_REMINDERS", switch)
        app = web.Application()
        mount_teams(app, service, sqlite_db, TeamsSettings.model_construct(), dev=True)
        register_reminder_notifiers(app)
        assert [n.platform for n in app[REMINDER_NOTIFIERS]] == platforms, switch


async def usable(db: Database, key: str) -> bool:
    async with db.transaction() as s:
        ref = await s.scalar(select(ConversationRef).where(ConversationRef.conversation_key == key))
        assert ref is not None
        return ref.usable


async def test_teams_nudge_in_the_personal_chat_and_digest_in_the_channel(teams: TeamsMunicipality) -> None:
    fatima = await teams.meet("fatima", FATIMA)
    report = await teams.tick(MONDAY)
    connector = teams.teams.connector

    nudges = [c for c in connector.posted() if c.path == f"/v3/conversations/{fatima.conversation['id']}/activities"]
    assert len(nudges) == 1
    assert any("Solsikken" in text for text in connector.texts()[-len(nudges) * 20 :])

    (thread,) = connector.created()  # the digest: a new thread in Område Nord's channel
    assert thread.body["channelData"]["channel"]["id"] == NORTH_CHANNEL
    assert thread.body["isGroup"] is True
    table = "\n".join(connector.texts())
    for institution in ("Solsikken", "Mælkebøtten", "Ærøvej Skole"):
        assert institution in table
    assert "Børnehuset Åbrinken" not in table  # Område Syd has no Teams channel

    digests = await rows(teams.teams.db, "digest")
    assert {status for (recipient, _), (status, _) in digests.items() if recipient.endswith(":teams")} == {"sent"}
    assert {status for (recipient, _), (status, _) in digests.items() if recipient.endswith(":slack")} == {"skipped"}
    assert report.sent == 2


async def test_a_blocked_teams_chat_is_permanent_and_reported_to_the_admins(teams: TeamsMunicipality) -> None:
    fatima = await teams.meet("fatima", FATIMA)
    await teams.meet("anne", ADMIN)
    await teams.tick(MONDAY)
    connector = teams.teams.connector

    key = fatima.conversation["id"]
    connector.block(key, 403)  # Fatima blocked the bot
    connector.reset()
    report = await teams.tick(MONDAY + timedelta(days=7))
    assert len([c for c in connector.posted() if key in c.path]) == 1  # no retries
    assert not teams.teams.sleeps
    assert not await usable(teams.teams.db, key)
    fatimas = [v for (_, period), v in (await rows(teams.teams.db, "nudge")).items() if period == "2026-W11"]
    assert ("failed", "permanent: blocked or gone (HTTP 403/404)") in fatimas
    assert report.failed >= 1

    connector.reset()
    await teams.tick(MONDAY + timedelta(days=14))
    anne = [c for c in connector.posted() if c.path == "/v3/conversations/a:personal-29:anne/activities"]
    assert anne, "the admin's digest"
    texts = "\n".join(connector.texts())
    assert "Jeg kunne ikke nå frem til" in texts
    assert "Fatima Ali: permanent: blocked or gone (HTTP 403/404)" in texts


async def test_exhausted_teams_retries_are_transient(teams: TeamsMunicipality) -> None:
    fatima = await teams.meet("fatima", FATIMA)
    teams.teams.connector.fail_next(fatima.conversation["id"], 502, times=3)  # the notifier's 3 attempts
    report = await teams.tick(MONDAY)
    assert report.retried == 1
    assert len(teams.teams.sleeps) == 2  # the notifier's own bounded retries, within the one call
    pending = [v for v in (await rows(teams.teams.db, "nudge")).values() if v[0] == "pending"]
    assert pending == [("pending", "Teams delivery failed (retries exhausted or an error)")]

    await teams.tick(MONDAY + timedelta(minutes=2))
    sent = [v for v in (await rows(teams.teams.db, "nudge")).values() if v[0] == "sent"]
    assert len(sent) == 1
