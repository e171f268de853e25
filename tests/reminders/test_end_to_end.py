"""Reminders end to end through Slack: `bot.scheduler.tick` through the real Slack notifier, registered the
way `maalbot serve` registers it, against the fake Slack Web API; and which notifiers the configuration
gives (Teams itself: `test_end_to_end_teams`).

Time is injected (`now`, the pacer's clock and sleep); no test waits."""

from __future__ import annotations

import argparse
import io
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.cli_remind import add_remind_parser, run_remind
from bot.delivery import LookupUnavailable, Notifier, SendStatus
from bot.notifiers import configured_notifiers
from bot.scheduler import REMINDER_NOTIFIERS, TickReport
from bot.settings import Settings, SettingsError
from bot.slack.app import SLACK_KEY
from bot.slack.reminders import SlackReminderNotifier
from bot.teams.reminders import TeamsReminderNotifier
from bot.web import SERVICE_KEY, build_app
from dialogs.messages import Reply
from dialogs.service import ConversationService
from storage.conversations import add_notice
from storage.db import Database
from tests.fakes.slack_api import FakeSlackApi
from tests.reminders.conftest import MONDAY, Clock, load_municipality, rows, run_tick
from tests.slack.workspace import SIGNING_SECRET, block_text, unescape

FATIMA = "fatima.ali@demo.maalbot.dk"  # a board member of Solsikken (Område Nord)
ADMIN = "admin@demo.maalbot.dk"
TEAMS_ENV = ("MICROSOFT_APP_ID", "MICROSOFT_APP_PASSWORD", "MICROSOFT_APP_TENANT_ID", "MICROSOFT_APP_TYPE")


def readable(messages: list[dict[str, Any]]) -> str:
    return unescape("\n".join(line for m in messages for line in block_text(m.get("blocks", []))))


# -- Slack ------------------------------------------------------------------------------------------------


class ErringSlackApi(FakeSlackApi):
    """The fake Web API, plus Slack's error answers for chosen channels or users (HTTP 200, ok: false)."""

    def __init__(self) -> None:
        super().__init__()
        self.errors: dict[str, str] = {}

    def _chat_postMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        error = self.errors.get(str(params["channel"]))
        return {"ok": False, "error": error} if error else super()._chat_postMessage(params)

    def _conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        error = self.errors.get(str(params["users"]))
        return {"ok": False, "error": error} if error else super()._conversations_open(params)

    def _users_lookupByEmail(self, params: dict[str, Any]) -> dict[str, Any]:
        error = self.errors.get("lookup")  # every look-up answers this error (HTTP 200, ok: false)
        return {"ok": False, "error": error} if error else super()._users_lookupByEmail(params)


@pytest.fixture
async def slack_api() -> AsyncIterator[ErringSlackApi]:
    fake = ErringSlackApi()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


@pytest.fixture
def slack_env(monkeypatch: pytest.MonkeyPatch, slack_api: ErringSlackApi) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    monkeypatch.setenv("SLACK_API_URL", slack_api.api_url)
    monkeypatch.delenv("SLACK_APP_TOKEN", raising=False)
    monkeypatch.delenv("MAALBOT_REMINDERS", raising=False)
    for name in TEAMS_ENV:
        monkeypatch.delenv(name, raising=False)


@dataclass
class SlackMunicipality:
    db: Database
    fake: ErringSlackApi
    service: ConversationService
    notifiers: list[Notifier]
    clock: Clock = field(default_factory=Clock)

    async def meet(self, user_id: str, email: str) -> None:
        """The person has written to the bot in Slack: their Slack user is linked to them by email."""
        assert await self.service.identify("slack", user_id, email=email) is not None

    async def tick(self, now: datetime) -> TickReport:
        return await run_tick(self.db, self.notifiers, now, self.clock)


@pytest.fixture
async def slack(slack_env: None, slack_api: ErringSlackApi, sqlite_db: Database, tmp_path: Path) -> SlackMunicipality:
    """`maalbot serve`'s application with Slack pointed at the fake (built, not started: the ticks are
    the test's, at injected times)."""
    await load_municipality(sqlite_db, tmp_path)
    app = build_app(Settings(), sqlite_db)
    notifiers = app[REMINDER_NOTIFIERS].copy()
    assert [n.platform for n in notifiers] == ["slack"]
    assert isinstance(notifiers[0], SlackReminderNotifier)
    return SlackMunicipality(sqlite_db, slack_api, app[SERVICE_KEY], notifiers)


async def test_weekly_digest_in_the_area_channel_and_a_nudge_by_dm(slack: SlackMunicipality) -> None:
    await slack.meet("UFATIMA", FATIMA)
    report = await slack.tick(MONDAY)

    (north,) = slack.fake.posted("#maal-nord")
    table = readable([north])
    for institution in ("Solsikken", "Mælkebøtten", "Ærøvej Skole"):
        assert institution in table
    assert "Område Nord" in table
    assert "Børnehuset Åbrinken" not in table  # Område Syd's institutions are in its own channel
    assert "Børnehuset Åbrinken" in readable(slack.fake.posted("#maal-syd"))

    assert [c.params["users"] for c in slack.fake.calls_to("conversations.open")] == ["UFATIMA"]
    (nudge,) = slack.fake.posted("DUFATIMA")
    assert "Solsikken" in readable([nudge])
    buttons = [e for b in nudge["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons, "the nudge has a button to continue"
    assert north["unfurl_links"] in (False, "false", "0", 0)

    digests = await rows(slack.db, "digest")
    assert {status for (recipient, _), (status, _) in digests.items() if recipient.endswith(":slack")} == {"sent"}
    assert {status for (recipient, _), (status, _) in digests.items() if recipient.endswith(":teams")} == {
        "skipped"  # Område Nord's Teams channel: Teams is not configured here
    }
    fatima = [v for (recipient, _), v in (await rows(slack.db, "nudge")).items() if v[0] == "sent"]
    assert len(fatima) == 1
    assert report.sent == 3  # two channel digests and Fatima's nudge; nobody else has met the bot
    assert slack.clock.sleeps == []  # one message per conversation: no pacing needed


async def test_a_member_who_never_wrote_to_the_bot_gets_the_monday_nudge(slack: SlackMunicipality) -> None:
    """Found in the workspace by the email in the organisation file (users.lookupByEmail), linked, nudged."""
    slack.fake.add_user("UFATIMA", FATIMA, "Fatima Ali")
    report = await slack.tick(MONDAY)

    (nudge,) = slack.fake.posted("DUFATIMA")
    assert "Solsikken" in readable([nudge])
    lookups = [c.params["email"] for c in slack.fake.calls_to("users.lookupByEmail")]
    assert FATIMA in lookups
    assert all(c.token == "xoxb-test-token" for c in slack.fake.calls_to("users.lookupByEmail"))
    assert report.sent == 3  # two channel digests and Fatima's nudge; the others are not in the workspace
    nudges = {status for status, _ in (await rows(slack.db, "nudge")).values()}
    assert nudges == {"sent", "failed"}

    # linked: her first message is recognised without asking Slack who she is, and she is not looked up again
    person = await slack.service.identify("slack", "UFATIMA")
    assert person is not None and person.name == "Fatima Ali"
    slack.fake.clear()
    await slack.tick(MONDAY + timedelta(days=7))
    assert FATIMA not in [c.params["email"] for c in slack.fake.calls_to("users.lookupByEmail")]
    assert len(slack.fake.posted("DUFATIMA")) == 1


async def test_a_notice_made_elsewhere_reaches_a_slack_person_on_the_next_tick(slack: SlackMunicipality) -> None:
    """E.g. the board submitted in Teams: the Slack members hear it from the scheduler, not at their next turn."""
    await slack.meet("UFATIMA", FATIMA)
    await slack.tick(MONDAY)  # the week's digests and nudges
    slack.fake.clear()
    person = await slack.service.identify("slack", "UFATIMA")
    assert person is not None
    async with slack.db.transaction() as s:
        await add_notice(s, person.id, "submitted", {"name": "Line Mørch", "institution": "Solsikken"})
    report = await slack.tick(MONDAY + timedelta(hours=1))
    assert report.notices == 1
    (told,) = slack.fake.posted("DUFATIMA")
    assert "Line Mørch har sendt registreringen for Solsikken" in readable([told])
    await slack.tick(MONDAY + timedelta(hours=2))
    assert len(slack.fake.posted("DUFATIMA")) == 1


async def test_looking_people_up_in_slack(slack: SlackMunicipality) -> None:
    notifier = slack.notifiers[0]
    assert isinstance(notifier, SlackReminderNotifier)
    slack.fake.add_user("UFATIMA", FATIMA.upper(), "Fatima Ali")
    slack.fake.add_user("UBOTTY", "bot@demo.maalbot.dk", "A bot", is_bot=True)
    slack.fake.add_user("UGONE", "gone@demo.maalbot.dk", "Gone")
    slack.fake.users["UGONE"]["deleted"] = True
    assert await notifier.find_person(FATIMA) == "UFATIMA"
    assert await notifier.find_person("nobody@demo.maalbot.dk") is None  # users_not_found
    assert await notifier.find_person("bot@demo.maalbot.dk") is None
    assert await notifier.find_person("gone@demo.maalbot.dk") is None
    assert slack.fake.attempts.count("users.lookupByEmail") == 4
    assert await notifier.find_person(f" {FATIMA.upper()} ") == "UFATIMA"  # a person is asked about once
    assert await notifier.find_person("nobody@demo.maalbot.dk") is None  # «not there» is kept for a while too
    assert slack.fake.attempts.count("users.lookupByEmail") == 4

    slack.fake.fail_once("users.lookupByEmail", 429, retry_after=30)  # rate limited: not now, no retry here
    with pytest.raises(LookupUnavailable) as caught:
        await notifier.find_person("camilla.dahl@demo.maalbot.dk")
    assert caught.value.result.status is SendStatus.TRANSIENT and caught.value.result.retry_after == 30
    slack.fake.fail_once("users.lookupByEmail", 503)
    with pytest.raises(LookupUnavailable):  # a failed look-up is not kept: asked again next time
        await notifier.find_person("camilla.dahl@demo.maalbot.dk")
    assert slack.fake.attempts.count("users.lookupByEmail") == 6


async def test_a_rate_limited_look_up_is_tried_on_a_later_tick(slack: SlackMunicipality) -> None:
    slack.fake.add_user("UFATIMA", FATIMA, "Fatima Ali")
    slack.fake.errors["lookup"] = "ratelimited"
    report = await slack.tick(MONDAY)
    assert not slack.fake.posted("DUFATIMA")
    pending = {v for v in (await rows(slack.db, "nudge")).values() if v[0] == "pending"}
    assert pending == {("pending", "users.lookupByEmail: ratelimited")}
    assert report.retried == len(slack.fake.calls_to("users.lookupByEmail"))  # every look-up said «not now»

    del slack.fake.errors["lookup"]
    await slack.tick(MONDAY + timedelta(minutes=2))  # after the first backoff
    assert len(slack.fake.posted("DUFATIMA")) == 1


async def test_a_rate_limit_is_left_to_the_scheduler(slack: SlackMunicipality) -> None:
    slack.fake.fail_once("chat.postMessage", 429, retry_after=120)
    report = await slack.tick(MONDAY)
    assert report.retried == 1
    # the client did not retry by itself: one refused call, then one call per other message
    assert slack.fake.attempts.count("chat.postMessage") == len(slack.fake.posted()) + 1
    [(key, (_status, error))] = [(k, v) for k, v in (await rows(slack.db, "digest")).items() if v[0] == "pending"]
    assert error == "ratelimited"

    await slack.tick(MONDAY + timedelta(seconds=90))  # Retry-After (120 s) is honoured
    assert len(slack.fake.posted()) == 1
    await slack.tick(MONDAY + timedelta(seconds=121))
    assert len(slack.fake.posted()) == 2
    assert (await rows(slack.db, "digest"))[key][0] == "sent"


async def test_a_server_error_is_transient(slack: SlackMunicipality) -> None:
    slack.fake.fail_once("chat.postMessage", 503)
    report = await slack.tick(MONDAY)
    assert report.retried == 1 and report.sent == 1
    assert slack.fake.attempts.count("chat.postMessage") == 2  # two channels, no retry inside the client
    pending = [v for v in (await rows(slack.db, "digest")).values() if v[0] == "pending"]
    assert pending == [("pending", "HTTP 503 (ratelimited)")]  # the status, and the fake's body


async def test_a_channel_the_bot_is_not_in_is_reported_to_the_admins(slack: SlackMunicipality) -> None:
    await slack.meet("UADMIN", ADMIN)
    slack.fake.errors["#maal-syd"] = "not_in_channel"
    report = await slack.tick(MONDAY)
    assert report.failed >= 1
    assert len(slack.fake.posted("#maal-syd")) == 1  # tried once: a permanent error is not retried
    failed = {k: v for k, v in (await rows(slack.db, "digest")).items() if v[0] == "failed"}
    assert list(failed.values()) == [("failed", "permanent: not_in_channel")]

    slack.fake.clear()
    await slack.tick(MONDAY + timedelta(days=7))
    admin_digest = readable(slack.fake.posted("DUADMIN"))
    assert "Jeg kunne ikke nå frem til" in admin_digest
    assert "#maal-syd (Område Syd)" in admin_digest
    assert "permanent: not_in_channel" in admin_digest


@pytest.mark.parametrize(
    ("error", "status"),
    [
        ("user_not_found", SendStatus.PERMANENT),
        ("account_inactive", SendStatus.PERMANENT),
        ("cannot_dm_bot", SendStatus.PERMANENT),
        ("invalid_auth", SendStatus.PERMANENT),
        ("internal_error", SendStatus.TRANSIENT),
    ],
)
async def test_dm_errors(slack: SlackMunicipality, error: str, status: SendStatus) -> None:
    notifier = slack.notifiers[0]
    slack.fake.errors["UGONE"] = error
    result = await notifier.send_to_person("UGONE", [Reply("Hej")])
    assert (result.status, result.error) == (status, error)
    assert not slack.fake.posted()


@pytest.mark.parametrize("error", ["channel_not_found", "not_in_channel", "is_archived", "invalid_auth"])
async def test_channel_errors_are_permanent(slack: SlackMunicipality, error: str) -> None:
    slack.fake.errors["#gone"] = error
    result = await slack.notifiers[0].send_to_channel("#gone", [Reply("Hej")])
    assert (result.status, result.error) == (SendStatus.PERMANENT, error)


async def test_a_long_reminder_is_split_into_several_messages(slack: SlackMunicipality) -> None:
    replies = [Reply(f"Linje {n}", facts=tuple((f"Institution {n}.{m}", "✓") for m in range(20))) for n in range(5)]
    result = await slack.notifiers[0].send_to_person("UFATIMA", replies)
    assert result.status is SendStatus.OK
    messages = slack.fake.posted("DUFATIMA")
    assert len(messages) >= 2 and all(len(m["blocks"]) <= 50 for m in messages)
    assert len(slack.fake.calls_to("conversations.open")) == 1
    await slack.notifiers[0].send_to_person("UFATIMA", [Reply("Igen")])
    assert len(slack.fake.calls_to("conversations.open")) == 1  # the DM channel is remembered


async def test_maalbot_remind_sends_through_the_configured_slack(
    slack_env: None, slack_api: ErringSlackApi, sqlite_db: Database, tmp_path: Path
) -> None:
    await load_municipality(sqlite_db, tmp_path)
    parser = argparse.ArgumentParser()
    add_remind_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["remind", "--now", "--at", "2026-03-02T09:00"])
    out = io.StringIO()
    assert await run_remind(args, sqlite_db, configured_notifiers(sqlite_db), out=out) == 0
    assert len(slack_api.posted("#maal-nord")) == 1 and len(slack_api.posted("#maal-syd")) == 1
    assert "2 sent" in out.getvalue()


async def test_the_serving_notifier_shares_the_slack_connection_pool(slack_env: None, sqlite_db: Database) -> None:
    app = build_app(Settings(), sqlite_db)  # an empty database: the scheduler has nothing to send
    async with TestClient(TestServer(app)) as client:
        (notifier,) = client.app[REMINDER_NOTIFIERS]
        assert isinstance(notifier, SlackReminderNotifier)
        assert notifier.client.session is not None
        assert notifier.client.session is client.app[SLACK_KEY].channel.client.session


# -- configuration ------------------------------------------------------------------------------------------


def test_nothing_configured_means_no_notifiers(monkeypatch: pytest.MonkeyPatch, sqlite_db: Database) -> None:
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", *TEAMS_ENV):
        monkeypatch.delenv(name, raising=False)
    assert configured_notifiers(sqlite_db) == []


async def test_teams_with_credentials_is_configured(
    monkeypatch: pytest.MonkeyPatch, slack_env: None, sqlite_db: Database
) -> None:
    monkeypatch.setenv("MICROSOFT_APP_ID", "00000000-0000-0000-0000-000000000001")
    monkeypatch.setenv("MICROSOFT_APP_PASSWORD", "not-a-real-secret")
    monkeypatch.setenv("MICROSOFT_APP_TENANT_ID", "tenant-demo")
    notifiers = configured_notifiers(sqlite_db)
    assert [n.platform for n in notifiers] == ["slack", "teams"]
    assert isinstance(notifiers[1], TeamsReminderNotifier)
    assert notifiers[1].notifier.app_id == "00000000-0000-0000-0000-000000000001"
    served = build_app(Settings(), sqlite_db)[REMINDER_NOTIFIERS]  # `maalbot serve`: the same two
    assert [n.platform for n in served] == ["slack", "teams"]


def test_half_configured_teams_is_left_out(
    monkeypatch: pytest.MonkeyPatch, sqlite_db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    for name in ("SLACK_BOT_TOKEN", *TEAMS_ENV):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MICROSOFT_APP_ID", "00000000-0000-0000-0000-000000000001")
    with caplog.at_level(logging.WARNING, logger="maalbot.reminders"):
        assert configured_notifiers(sqlite_db) == []
    assert "MICROSOFT_APP_PASSWORD is not set" in caplog.text


async def test_reminders_can_be_switched_off(
    monkeypatch: pytest.MonkeyPatch, slack_env: None, sqlite_db: Database
) -> None:
    monkeypatch.setenv("MAALBOT_REMINDERS", "off")
    assert build_app(Settings(), sqlite_db)[REMINDER_NOTIFIERS] == []
    monkeypatch.setenv("MAALBOT_REMINDERS", "maybe")
    with pytest.raises(SettingsError, match="MAALBOT_REMINDERS"):
        build_app(Settings(), sqlite_db)
