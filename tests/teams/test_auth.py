"""With credentials every request must carry a valid Bot Framework JWT; without them Teams runs
only in development mode, and `serve` refuses half-configured Teams."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer, make_mocked_request
from pydantic import SecretStr
from sqlalchemy import func, select

from bot.teams.app import mount_teams
from bot.teams.settings import TeamsSettings, teams_startup_problem
from dialogs.service import ConversationService
from storage.db import Database
from storage.models import ProcessedEvent

CREDENTIALS: dict[str, Any] = {
    "app_id": "00000000-0000-0000-0000-000000000001",
    "app_password": SecretStr("not-a-real-secret"),
    "tenant_id": "00000000-0000-0000-0000-0000000000aa",
    "app_type": "SingleTenant",
}
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


async def count(db: Database, model: type[object]) -> int:
    async with db.transaction() as s:
        return int(await s.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.parametrize("authorization", [None, "Bearer not.a.jwt", "Basic abc"])
async def test_unsigned_request_is_refused_when_credentials_are_set(
    sqlite_db: Database, authorization: str | None
) -> None:
    app = web.Application()
    mount_teams(app, ConversationService(sqlite_db), sqlite_db, TeamsSettings.model_construct(**CREDENTIALS), dev=False)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        headers = {"Authorization": authorization} if authorization else {}
        response = await client.post("/api/messages", json=ACTIVITY, headers=headers)
        assert response.status == 401
    assert await count(sqlite_db, ProcessedEvent) == 0  # refused before the bot saw the activity


@pytest.mark.parametrize("remote", ["192.0.2.7", "10.0.0.5", "::ffff:192.0.2.7"])
async def test_dev_mode_refuses_requests_from_other_machines(sqlite_db: Database, remote: str) -> None:
    app = web.Application()
    mount_teams(app, ConversationService(sqlite_db), sqlite_db, TeamsSettings.model_construct(), dev=True)
    transport = mock.Mock()
    transport.get_extra_info.side_effect = lambda name, default=None: (remote, 5000) if name == "peername" else default
    request = make_mocked_request("POST", "/api/messages", app=app, transport=transport)
    assert request.remote == remote
    match = await app.router.resolve(request)
    response = await match.handler(request)
    assert response.status == 403
    assert await count(sqlite_db, ProcessedEvent) == 0


async def test_no_route_without_credentials_outside_dev(sqlite_db: Database) -> None:
    app = web.Application()
    assert (
        mount_teams(app, ConversationService(sqlite_db), sqlite_db, TeamsSettings.model_construct(), dev=False) is None
    )
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        assert (await client.post("/api/messages", json=ACTIVITY)).status == 404


def test_startup_problem() -> None:
    assert teams_startup_problem(TeamsSettings.model_construct(), dev=False) is None  # Teams not used
    assert teams_startup_problem(TeamsSettings.model_construct(**CREDENTIALS), dev=False) is None
    half = TeamsSettings.model_construct(app_id="abc")
    problem = teams_startup_problem(half, dev=False)
    assert problem is not None and "MICROSOFT_APP_PASSWORD" in problem
    assert teams_startup_problem(half, dev=True) is None
    single = TeamsSettings.model_construct(app_id="abc", app_password=SecretStr("x"), app_type="SingleTenant")
    assert "MICROSOFT_APP_TENANT_ID" in (teams_startup_problem(single, dev=False) or "")


def test_settings_read_the_botbuilder_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MICROSOFT_APP_ID", "app")
    monkeypatch.setenv("MICROSOFT_APP_PASSWORD", "secret")
    monkeypatch.setenv("MICROSOFT_APP_TYPE", "MultiTenant")
    settings = TeamsSettings()
    assert settings.has_credentials and "secret" not in repr(settings)
