"""Slack in Socket Mode (SLACK_APP_TOKEN): maalbot's real app connects out to the fake's WebSocket.

The fake answers apps.connections.open with ws://127.0.0.1:<port>/link; envelopes are pushed down the
WebSocket as Slack does and the acknowledgements read back from it. No signing secret is set: Socket
Mode has no HTTP signatures, and POST /slack/events is not there to be called."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.settings import Settings
from bot.slack.app import SLACK_KEY, mount_slack
from bot.slack.settings import load_slack_settings
from bot.slack.socket import SocketModeError
from bot.web import build_app
from dialogs.service import ConversationService
from storage.db import Database
from tests.fakes.slack_api import BOT_USER_ID, TEAM_ID, FakeSlackApi
from tests.slack.conftest import DEMO, load_strategy, one_goal_strategy
from tests.slack.workspace import block_text, unescape

APP_TOKEN = "xapp-1-A0MAALBOT-1-test"
SOEREN = "U0SOEREN"


async def until[T](probe: Callable[[], T], timeout: float = 5.0) -> T:
    """Poll `probe` until it returns something truthy; fail after `timeout` seconds."""

    async def poll() -> T:
        while not (value := probe()):
            await asyncio.sleep(0.01)
        return value

    return await asyncio.wait_for(poll(), timeout)


def dm_envelope(envelope_id: str, event_id: str, text: str, *, retry: int | None = None) -> dict[str, Any]:
    """An events_api envelope with a message.im event, as Slack sends it over the WebSocket."""
    now = f"{time.time():.6f}"
    envelope: dict[str, Any] = {
        "envelope_id": envelope_id,
        "type": "events_api",
        "accepts_response_payload": False,
        "payload": {
            "token": "unused",
            "team_id": TEAM_ID,
            "api_app_id": "A0MAALBOT",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "event": {
                "type": "message",
                "channel_type": "im",
                "channel": "D" + SOEREN,
                "user": SOEREN,
                "text": text,
                "ts": now,
                "event_ts": now,
            },
            "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
        },
    }
    if retry is not None:
        envelope.update(retry_attempt=retry, retry_reason="timeout")
    return envelope


def said(fake: FakeSlackApi, channel: str) -> list[str]:
    """The text of every message the bot posted to `channel`, oldest first."""
    return [unescape("\n".join(block_text(m.get("blocks", [])))) for m in fake.posted(channel)]


@pytest.fixture
def socket_env(monkeypatch: pytest.MonkeyPatch, fake_slack: FakeSlackApi) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
    monkeypatch.setenv("SLACK_APP_TOKEN", APP_TOKEN)
    monkeypatch.setenv("SLACK_API_URL", fake_slack.api_url)
    monkeypatch.delenv("SLACK_SIGNING_SECRET", raising=False)
    monkeypatch.setenv("MAALBOT_REMINDERS", "off")


@pytest.fixture
async def socket_app(
    socket_env: None, demo_db: Database, fake_slack: FakeSlackApi, tmp_path: Path
) -> AsyncIterator[TestClient[Any, Any]]:
    """maalbot's app started (Socket Mode connected while it starts) with a one-goal strategy."""
    await load_strategy(demo_db, one_goal_strategy(tmp_path))
    fake_slack.add_user(SOEREN, f"soeren.oestergaard@{DEMO}", "Søren")
    async with TestClient(TestServer(build_app(Settings(), demo_db))) as client:
        yield client


async def test_a_dm_arrives_over_the_websocket_is_acked_and_answered_once(
    socket_app: TestClient[Any, Any], fake_slack: FakeSlackApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="maalbot.slack")
    bot = socket_app.app[SLACK_KEY]
    assert bot.settings.mode == "socket"
    # the app asked for a WebSocket URL with the app-level token, and connected once
    (opened,) = fake_slack.calls_to("apps.connections.open")
    assert opened.token == APP_TOKEN
    assert fake_slack.socket_connections == 1

    await fake_slack.push(dm_envelope("Env-1", "EvSOCKET1", "start"))
    assert await until(lambda: fake_slack.socket_replies("Env-1")) == [{"envelope_id": "Env-1"}]
    (first,) = await until(lambda: said(fake_slack, "D" + SOEREN))
    assert "Hej Søren Østergaard" in first
    assert "Hvilke lokale mål skal der til for at opnå mål 1?" in first
    # the person was linked through users.info, with the bot token
    assert all(c.token == "xoxb-test-token" for c in fake_slack.calls_to("users.info"))
    assert fake_slack.calls_to("users.info")

    # Slack retries the same event (same event_id, new envelope): acked again, not handled again
    await fake_slack.push(dm_envelope("Env-2", "EvSOCKET1", "start", retry=1))
    assert await until(lambda: fake_slack.socket_replies("Env-2")) == [{"envelope_id": "Env-2"}]
    ignored = "Slack retry of EvSOCKET1 ignored"
    await until(lambda: ignored in caplog.text or len(fake_slack.posted("D" + SOEREN)) > 1)
    await bot.drain()
    assert said(fake_slack, "D" + SOEREN) == [first], "the retry was handled a second time"
    assert ignored in caplog.text

    # the next event on the same connection is a new turn of the same conversation
    await fake_slack.push(dm_envelope("Env-3", "EvSOCKET2", "Alle børn har en fast ven"))
    await until(lambda: fake_slack.socket_replies("Env-3"))
    messages = await until(lambda: said(fake_slack, "D" + SOEREN)[1:])
    assert "Beskrivelse af indsatser" in "\n".join(messages)
    await bot.drain()
    assert fake_slack.socket_connections == 1  # no reconnects along the way
    # every message the client sent was an acknowledgement of an envelope it got, once each
    assert sorted(json.dumps(m) for m in fake_slack.socket_messages) == sorted(
        json.dumps({"envelope_id": e}) for e in ("Env-1", "Env-2", "Env-3")
    )


async def test_no_http_events_endpoint_in_socket_mode(
    socket_app: TestClient[Any, Any], fake_slack: FakeSlackApi
) -> None:
    """Without a signing secret nothing may be accepted over HTTP: /slack/events is not mounted at all."""
    body = json.dumps(
        {
            "type": "event_callback",
            "team_id": TEAM_ID,
            "event_id": "EvHTTP",
            "event": dm_envelope("x", "EvHTTP", "start")["payload"]["event"],
        }
    )
    response = await socket_app.post("/slack/events", data=body, headers={"Content-Type": "application/json"})
    assert response.status == 404
    challenge = json.dumps({"type": "url_verification", "challenge": "c"})
    response = await socket_app.post("/slack/events", data=challenge, headers={"Content-Type": "application/json"})
    assert response.status == 404
    await socket_app.app[SLACK_KEY].drain()
    assert not fake_slack.posted()
    assert fake_slack.socket_connections == 1


async def test_the_websocket_closes_with_the_app(socket_env: None, demo_db: Database, fake_slack: FakeSlackApi) -> None:
    async with TestClient(TestServer(build_app(Settings(), demo_db))):
        assert fake_slack.open_sockets == 1
    await until(lambda: fake_slack.open_sockets == 0)
    assert fake_slack.socket_connections == 1


# -- start-up that cannot connect, and the order of shutdown ----------------------------------------------


async def test_a_refused_app_token_stops_start_up_at_once_with_one_clear_line(
    socket_env: None, demo_db: Database, fake_slack: FakeSlackApi, caplog: pytest.LogCaptureFixture
) -> None:
    fake_slack.connections_open = {"ok": False, "error": "invalid_auth"}
    caplog.set_level(logging.INFO, logger="maalbot")
    server = TestServer(build_app(Settings(), demo_db))
    try:
        with pytest.raises(SocketModeError, match=r"refused the app token \(apps.connections.open: invalid_auth\)"):
            await asyncio.wait_for(server.start_server(), 5)  # at once: no waiting for the 30 s bound
    finally:
        await server.close()
    errors = [r.getMessage() for r in caplog.records if r.name.startswith("maalbot") and r.levelno >= logging.ERROR]
    assert errors == [
        "Slack Socket Mode could not connect: Slack refused the app token (apps.connections.open: invalid_auth); "
        "Målbot does not start"
    ]
    assert APP_TOKEN not in caplog.text and "xoxb-test-token" not in caplog.text
    assert len(fake_slack.calls_to("apps.connections.open")) == 1  # not retried
    assert fake_slack.socket_connections == 0


async def test_an_unreachable_socket_stops_start_up_after_the_bound(
    socket_env: None, demo_db: Database, fake_slack: FakeSlackApi, caplog: pytest.LogCaptureFixture
) -> None:
    """apps.connections.open answers, but the WebSocket cannot be opened: the SDK would retry forever."""
    fake_slack.connections_open = {"ok": True, "url": fake_slack.socket_url.removesuffix("/link") + "/nowhere"}
    caplog.set_level(logging.INFO, logger="maalbot")
    app = web.Application()
    service = ConversationService(demo_db)
    mount_slack(app, service, demo_db, load_slack_settings(), socket_connect_timeout=0.2)
    runner = web.AppRunner(app)
    try:
        with pytest.raises(SocketModeError, match=r"not connected within 0.2 s"):
            await asyncio.wait_for(runner.setup(), 5)
    finally:
        await runner.cleanup()
    assert "Slack Socket Mode could not connect: not connected within 0.2 s; Målbot does not start" in caplog.text
    assert fake_slack.open_sockets == 0


async def test_shutdown_disconnects_before_the_work_is_drained(
    socket_env: None, demo_db: Database, fake_slack: FakeSlackApi, tmp_path: Path
) -> None:
    await load_strategy(demo_db, one_goal_strategy(tmp_path))
    fake_slack.add_user(SOEREN, f"soeren.oestergaard@{DEMO}", "Søren")
    client = TestClient(TestServer(build_app(Settings(), demo_db)))
    await client.start_server()
    bot = client.app[SLACK_KEY]
    connected_at_drain: list[int] = []
    drain = bot.background.drain

    async def observed_drain() -> None:
        connected_at_drain.append(fake_slack.open_sockets)
        await drain()

    bot.background.drain = observed_drain  # type: ignore[method-assign]
    await fake_slack.push(dm_envelope("Env-1", "EvLAST", "start"))
    await until(lambda: fake_slack.socket_replies("Env-1"))
    await client.close()  # shutdown: disconnect, then drain what was taken on

    assert connected_at_drain == [0], "the WebSocket was still open while the work was drained"
    assert said(fake_slack, "D" + SOEREN), "the turn taken on before shutdown was finished"
    # an envelope Slack sends now finds no connection: nothing is acknowledged or handled after the drain
    with pytest.raises(TimeoutError):
        await fake_slack.push(dm_envelope("Env-2", "EvLATE", "hjælp"), timeout=0.1)
    assert fake_slack.socket_replies("Env-2") == []
    assert fake_slack.socket_connections == 1
