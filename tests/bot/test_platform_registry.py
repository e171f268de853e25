"""Platforms are a registry (`bot.platforms.REGISTRY`): the web app mounts, and the reminders use, every
platform listed there, and name none of them."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot import platforms
from bot.notifiers import configured_notifiers
from bot.scheduler import REMINDER_NOTIFIERS
from bot.settings import Settings
from bot.web import build_app
from storage.db import Database
from tests.bot import registry_platform


@pytest.fixture
def with_echo(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "MICROSOFT_APP_ID", "MAALBOT_REMINDERS"):
        monkeypatch.delenv(name, raising=False)
    entry = platforms.PlatformEntry("echo", "tests.bot.registry_platform", 0.5)
    monkeypatch.setattr(platforms, "REGISTRY", (*platforms.REGISTRY, entry))


async def test_a_platform_in_the_registry_is_mounted_and_reminds(
    with_echo: None, sqlite_db: Database, tmp_path: Path
) -> None:
    app = build_app(Settings(MAALBOT_DATA_DIR=tmp_path), sqlite_db)
    assert app[REMINDER_NOTIFIERS] == [registry_platform.NOTIFIER]  # Slack and Teams are not configured here
    assert configured_notifiers(sqlite_db) == [registry_platform.NOTIFIER]
    async with TestClient(TestServer(app)) as client:
        response = await client.post("/echo/messages")
        assert response.status == 200
        assert await response.json() == {"platform": "echo"}


async def test_reminders_off_leaves_every_platform_out(
    with_echo: None, sqlite_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAALBOT_REMINDERS", "off")
    assert build_app(Settings(MAALBOT_DATA_DIR=tmp_path), sqlite_db)[REMINDER_NOTIFIERS] == []


def test_the_registry_lists_slack_before_teams_with_their_pace() -> None:
    assert [(e.name, e.interval) for e in platforms.REGISTRY] == [("slack", 1.0), ("teams", 1 / 7)]
    for entry in platforms.REGISTRY:
        wiring = entry.load()
        assert callable(wiring.mount) and callable(wiring.reminder_notifier) and callable(wiring.configured_notifier)
