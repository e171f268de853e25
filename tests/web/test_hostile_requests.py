"""What an outsider without credentials can send to `maalbot serve`'s app: each gets a short 4xx, the
log gets no traceback, no line the outsider wrote, no request body, and no `Server` header goes out."""

from __future__ import annotations

import base64
import io
import json
import logging
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from aiohttp.test_utils import TestClient, TestServer
from slack_sdk.signature import SignatureVerifier

from bot.logs import LOG_FORMAT, MAX_MESSAGE, make_safe
from bot.settings import Settings
from bot.teams.guard import token_looks_valid
from bot.web import build_app
from storage.db import Database
from tests.fakes.slack_api import FakeSlackApi
from tests.slack.workspace import SIGNING_SECRET

FORGED = "2026-11-29 12:00:00,000 ERROR maalbot.slack: forged"
APP_ID = "00000000-0000-0000-0000-000000000001"
ACTIVITY = {
    "type": "message",
    "id": "1",
    "channelId": "msteams",
    "serviceUrl": "http://127.0.0.1:9/",
    "from": {"id": "29:someone"},
    "recipient": {"id": "28:bot"},
    "conversation": {"id": "a:1", "conversationType": "personal"},
    "text": "start",
}


@dataclass
class Logs:
    stream: io.StringIO

    @property
    def lines(self) -> list[str]:
        return self.stream.getvalue().splitlines()

    def assert_clean(self) -> None:
        text = self.stream.getvalue()
        assert "Traceback" not in text
        assert not [line for line in self.lines if "forged" in line and not line.startswith(_prefixes())]
        assert all(len(line) < MAX_MESSAGE + 200 for line in self.lines)


def _prefixes() -> tuple[str, ...]:
    """A log line made by us starts with the time; a forged line would start with the outsider's text."""
    return (time.strftime("%Y-"),)


@pytest.fixture
def logs() -> Iterator[Logs]:
    """The root logger as `maalbot serve` configures it (bot.logs), writing into a string."""
    stream = io.StringIO()
    handler = make_safe(logging.StreamHandler(stream))
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield Logs(stream)
    root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture
async def client(
    monkeypatch: pytest.MonkeyPatch, sqlite_db: Database, logs: Logs
) -> AsyncIterator[TestClient[Any, Any]]:
    async with FakeSlackApi() as fake:
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
        monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
        monkeypatch.setenv("SLACK_API_URL", fake.api_url)
        monkeypatch.delenv("SLACK_APP_TOKEN", raising=False)
        monkeypatch.setenv("MICROSOFT_APP_ID", APP_ID)
        monkeypatch.setenv("MICROSOFT_APP_PASSWORD", "not-a-real-secret")
        monkeypatch.setenv("MICROSOFT_APP_TENANT_ID", "00000000-0000-0000-0000-0000000000aa")
        monkeypatch.setenv("MICROSOFT_APP_TYPE", "SingleTenant")
        monkeypatch.setenv("MAALBOT_LINK_SECRET", "hostile-requests-test-secret-0123456789")
        monkeypatch.setenv("MAALBOT_REMINDERS", "off")
        async with TestClient(TestServer(build_app(Settings(), sqlite_db), host="127.0.0.1")) as test_client:
            yield test_client
        assert not fake.calls, "a refused request made the bot call Slack"


def signed(body: bytes, timestamp: str | None = None) -> dict[str, str]:
    ts = timestamp or str(int(time.time()))
    signature = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=ts, body=body)
    assert signature is not None
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature}


SIGNED_BUT_MALFORMED = {
    "not JSON": (b'{"type": "event_callback", ', "application/json"),
    "a JSON array": (b"[1, 2, 3]", "application/json"),
    "payload= that is not JSON": (b"payload=%7Bnot-json", "application/x-www-form-urlencoded"),
    "deeply nested payload": (
        urlencode({"payload": "[" * 100_000}).encode(),
        "application/x-www-form-urlencoded",
    ),
}


@pytest.mark.parametrize("name", SIGNED_BUT_MALFORMED)
async def test_a_signed_slack_request_with_a_malformed_body_is_400(
    client: TestClient[Any, Any], logs: Logs, name: str
) -> None:
    body, content_type = SIGNED_BUT_MALFORMED[name]
    response = await client.post("/slack/events", data=body, headers={"Content-Type": content_type, **signed(body)})
    assert response.status == 400
    assert len(await response.read()) < 100
    logs.assert_clean()
    assert any("not a Slack payload" in line for line in logs.lines)


UNSIGNED = {
    "no signature": {},
    "timestamp abc": {"X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "v0=" + "0" * 64},
    "timestamp with a line break": {"X-Slack-Request-Timestamp": "1\tERROR", "X-Slack-Signature": "v0=1"},
    "wrong signature": {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=" + "a" * 64},
}


@pytest.mark.parametrize("name", UNSIGNED)
@pytest.mark.parametrize("body", [b"not json at all", b"[1]", b"payload=%7Bnope", b"x\n" + FORGED.encode() + b"\n"])
async def test_an_unsigned_slack_request_is_401_and_its_body_is_not_logged(
    client: TestClient[Any, Any], logs: Logs, name: str, body: bytes
) -> None:
    headers = {"Content-Type": "application/json", **UNSIGNED[name]}
    response = await client.post("/slack/events", data=body, headers=headers)
    assert response.status == 401
    logs.assert_clean()
    assert body.decode() not in logs.stream.getvalue()
    assert any("Slack request refused" in line for line in logs.lines)


async def test_a_body_that_is_not_utf8_cannot_be_signed_and_is_401(client: TestClient[Any, Any], logs: Logs) -> None:
    body = b'{"text": "\xff\xfe"}'
    ts = str(int(time.time()))
    headers = {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": "v0=" + "b" * 64}
    response = await client.post("/slack/events", data=body, headers={"Content-Type": "application/json", **headers})
    assert response.status == 401
    logs.assert_clean()


async def test_a_900_kb_forged_body_with_a_stale_signature_leaves_one_short_line(
    client: TestClient[Any, Any], logs: Logs
) -> None:
    body = ("a" * 900_000 + "\n" + FORGED + "\n").encode()
    stale = str(int(time.time()) - 3600)
    response = await client.post(
        "/slack/events", data=body, headers={"Content-Type": "text/plain", **signed(body, stale)}
    )
    assert response.status == 401
    logs.assert_clean()
    assert len(logs.stream.getvalue()) < 2000


def part(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def jwt_without_kid(header: dict[str, Any] | None = None) -> str:
    claims = part({"aud": APP_ID, "iss": "https://api.botframework.com"})
    return f"{part(header or {'alg': 'RS256', 'typ': 'JWT'})}.{claims}.{part({'sig': 1})}"


def test_a_token_shaped_like_a_bot_framework_token_goes_on_to_the_sdk() -> None:
    assert token_looks_valid(jwt_without_kid({"alg": "RS256", "kid": "key-1", "typ": "JWT"}))
    assert not token_looks_valid(jwt_without_kid({"alg": "none", "kid": "key-1"}))
    assert not token_looks_valid(jwt_without_kid({"alg": "RS256", "kid": ""}))


@pytest.mark.parametrize(
    "token",
    [jwt_without_kid(), "a.b.c", "x" * 5000, "eyJhbGciOiJIUzI1NiIsImtpZCI6MX0.e30.c2ln"],
    ids=["no kid", "not base64", "long", "kid not a string"],
)
async def test_a_teams_bearer_token_without_a_key_id_is_401(
    client: TestClient[Any, Any], logs: Logs, token: str
) -> None:
    response = await client.post("/api/messages", json=ACTIVITY, headers={"Authorization": f"Bearer {token}"})
    assert response.status == 401
    logs.assert_clean()


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.mark.parametrize(
    "token",
    [f"{b64(b'[' * 5000)}.c2ln", f"{b64(b'[' * 2500)}.c2ln", "\n" + FORGED, "a.b.c", "W" * 5000, "."],
    ids=["5000 nested", "2500 nested", "forged line", "not base64", "long", "dot"],
)
async def test_a_status_link_with_a_hostile_token_is_403(client: TestClient[Any, Any], logs: Logs, token: str) -> None:
    response = await client.get("/status", params={"token": token})
    assert response.status == 403
    logs.assert_clean()


async def test_a_request_line_too_long_to_parse_is_400_in_one_log_line(
    client: TestClient[Any, Any], logs: Logs
) -> None:
    response = await client.get("/status", params={"token": "[" * 5000})
    assert response.status == 400
    logs.assert_clean()
    assert any("bad HTTP request refused with 400" in line for line in logs.lines)


@pytest.mark.parametrize("path", ["/healthz", "/status?token=x", "/slack/events", "/nowhere"])
async def test_no_response_announces_the_server_software(client: TestClient[Any, Any], path: str) -> None:
    response = await (client.post(path, data=b"{}") if path == "/slack/events" else client.get(path))
    assert response.status in (200, 401, 403, 404)
    assert "Server" not in response.headers


async def test_a_body_over_one_megabyte_is_413(client: TestClient[Any, Any], logs: Logs) -> None:
    body = io.BytesIO(b"x" * (1024**2 + 1))  # a stream: aiohttp's client refuses such raw bytes in one piece
    response = await client.post("/slack/events", data=body, headers={"Content-Type": "application/json"})
    assert response.status == 413
    logs.assert_clean()
