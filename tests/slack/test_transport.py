"""The route itself: signatures, stale requests, retries, rate limits, unknown users and settings."""

from __future__ import annotations

import json
import logging
import time

import pytest
from aiohttp import web
from sqlalchemy import func, select

from bot.settings import Settings, SettingsError
from bot.slack.app import SLACK_KEY, mount_slack
from bot.slack.settings import SlackSettings
from bot.web import DB_KEY, SERVICE_KEY, build_app
from storage.db import Database
from storage.models import ConversationState, Identity, ProcessedEvent
from tests.slack.conftest import DEMO
from tests.slack.workspace import Workspace


async def count(db: Database, model: type[object]) -> int:
    async with db.transaction() as s:
        return int(await s.scalar(select(func.count()).select_from(model)) or 0)


def dm_event(user: str, text: str) -> dict[str, object]:
    return {"type": "message", "channel_type": "im", "channel": "D" + user, "user": user, "text": text, "ts": "1.1"}


async def test_url_verification_challenge(workspace: Workspace) -> None:
    body = json.dumps({"token": "x", "challenge": "abc123", "type": "url_verification"})
    response = await workspace.client.post(
        "/slack/events",
        data=body,
        headers={"Content-Type": "application/json", **workspace.signed_headers(body)},
    )
    assert response.status == 200
    assert "abc123" in await response.text()


@pytest.mark.parametrize("tamper", ["bad signature", "stale timestamp", "no signature"])
async def test_unverified_requests_are_refused_and_change_nothing(workspace: Workspace, tamper: str) -> None:
    workspace.person("U0SOEREN", f"soeren.oestergaard@{DEMO}")
    body = json.dumps(
        {"type": "event_callback", "team_id": "T0DEMO", "event_id": "EvTAMPER", "event": dm_event("U0SOEREN", "start")}
    )
    if tamper == "no signature":
        response = await workspace.client.post("/slack/events", data=body, headers={"Content-Type": "application/json"})
        status = response.status
    else:
        status = await workspace.post(
            body,
            "application/json",
            secret="not-the-secret" if tamper == "bad signature" else None,
            timestamp=int(time.time()) - 6 * 60 if tamper == "stale timestamp" else None,
        )
    await workspace.settle()
    assert status == 401
    assert workspace.fake.calls == []
    db = workspace.client.app[DB_KEY]
    assert await count(db, ProcessedEvent) == 0
    assert await count(db, Identity) == 0
    assert await count(db, ConversationState) == 0


async def test_a_retried_event_is_processed_once(workspace: Workspace) -> None:
    chair = workspace.person("U0SOEREN", f"soeren.oestergaard@{DEMO}")
    await chair.say("start", event_id="EvSAME")
    first = len(workspace.fake.posted("DU0SOEREN"))
    assert first >= 1
    # Slack did not see our 200 in time and sends the same event again, twice
    await chair.say("start", event_id="EvSAME", retry=1)
    await chair.say("start", event_id="EvSAME", retry=2)
    assert len(workspace.fake.posted("DU0SOEREN")) == first


async def test_a_retry_after_a_restart_is_still_recognised(workspace: Workspace) -> None:
    chair = workspace.person("U0SOEREN", f"soeren.oestergaard@{DEMO}")
    await chair.say("start", event_id="EvBEFORE")
    sent = len(workspace.fake.posted())
    restarted = build_app(Settings(), workspace.client.app[DB_KEY])  # nothing kept in memory
    from aiohttp.test_utils import TestClient, TestServer

    async with TestClient(TestServer(restarted)) as client:
        again = Workspace(client, workspace.fake)
        await again.event(dm_event("U0SOEREN", "start"), event_id="EvBEFORE", retry=1)
    assert len(workspace.fake.posted()) == sent


async def test_rate_limited_post_is_retried_and_sent_once(workspace: Workspace) -> None:
    chair = workspace.person("U0SOEREN", f"soeren.oestergaard@{DEMO}")
    workspace.fake.fail_once("chat.postMessage", status=429, retry_after=0)
    await chair.say("start")
    assert workspace.fake.attempts.count("chat.postMessage") == 2
    assert len(workspace.fake.posted("DU0SOEREN")) == 1
    chair.expect("Hvilke lokale mål skal der til for at opnå mål 1?")


async def test_server_error_is_retried(workspace: Workspace) -> None:
    chair = workspace.person("U0SOEREN", f"soeren.oestergaard@{DEMO}")
    workspace.fake.fail_once("chat.postMessage", status=503)
    await chair.say("start")
    assert workspace.fake.attempts.count("chat.postMessage") == 2
    assert len(workspace.fake.posted("DU0SOEREN")) == 1


async def test_unknown_slack_user_is_told_politely_and_nothing_else(workspace: Workspace) -> None:
    stranger = workspace.person("U0STRANGER", "someone@elsewhere.example", "Stranger")
    await stranger.say("start")
    stranger.expect("kan ikke finde dig", "forvaltningen")
    assert len(stranger.messages) == 1
    db = workspace.client.app[DB_KEY]
    assert await count(db, Identity) == 0
    assert await count(db, ConversationState) == 0
    assert [c.method for c in workspace.fake.calls] == ["auth.test", "users.info", "chat.postMessage"]


async def test_user_without_email_in_slack_is_unknown(workspace: Workspace) -> None:
    nobody = workspace.person("U0NOMAIL", None, "No Mail")
    await nobody.say("hej")
    nobody.expect("kan ikke finde dig")


async def test_bot_messages_and_edits_are_ignored(workspace: Workspace) -> None:
    workspace.person("U0SOEREN", f"soeren.oestergaard@{DEMO}")  # a real person: only the event kind decides
    await workspace.event({**dm_event("UBOT", "echo"), "bot_id": "BBOT"})
    await workspace.event({**dm_event("U0SOEREN", "edited"), "subtype": "message_changed"})
    assert workspace.fake.posted() == []
    assert not workspace.fake.calls_to("users.info")


async def test_identity_is_looked_up_once(workspace: Workspace) -> None:
    chair = workspace.person("U0SOEREN", f"soeren.oestergaard@{DEMO}")
    await chair.say("start")
    await chair.say("hjælp")
    assert len(workspace.fake.calls_to("users.info")) == 1


def test_slack_is_off_without_a_token(caplog: pytest.LogCaptureFixture) -> None:
    app = web.Application()
    with caplog.at_level(logging.INFO, logger="maalbot.slack"):
        assert mount_slack(app, None, None, SlackSettings.model_validate({})) is None  # type: ignore[arg-type]
    assert SLACK_KEY not in app
    assert [r.getMessage() for r in caplog.records] == ["Slack is off (SLACK_BOT_TOKEN is not set)"]
    assert not [r for r in app.router.routes() if r.resource and r.resource.canonical == "/slack/events"]


def test_a_bot_token_without_signing_secret_stops_start_up(
    monkeypatch: pytest.MonkeyPatch, sqlite_db: Database
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.delenv("SLACK_SIGNING_SECRET", raising=False)
    monkeypatch.delenv("SLACK_APP_TOKEN", raising=False)
    with pytest.raises(SettingsError, match="SLACK_SIGNING_SECRET is not set"):
        build_app(Settings(), sqlite_db)


def test_socket_mode_needs_no_signing_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = SlackSettings.model_validate({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"})
    settings.check()
    assert settings.mode == "socket"
    with pytest.raises(SettingsError, match="xapp-"):
        SlackSettings.model_validate({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-2"}).check()


def test_service_key_is_shared(workspace: Workspace) -> None:
    assert workspace.client.app[SLACK_KEY].handlers.service is workspace.client.app[SERVICE_KEY]


async def test_a_failing_turn_still_answers(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    chair = workspace.person("U0SOEREN", f"soeren.oestergaard@{DEMO}")
    service = workspace.client.app[SERVICE_KEY]

    async def broken(*_args: object, **_kw: object) -> list[object]:
        raise RuntimeError("a bug in the turn")

    monkeypatch.setattr(service, "step", broken)  # every turn runs `step` inside the turn's transaction
    await chair.say("start")
    chair.expect("Beklager, der gik noget galt hos mig, så beskeden er IKKE gemt.")
    monkeypatch.undo()  # the failed message is not replayed and does not block the next one
    await chair.say("start")
    chair.expect("Hvilke lokale mål skal der til for at opnå mål 1?")
