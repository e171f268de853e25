"""Fixtures: the fake Slack Web API, and maalbot's real aiohttp app pointed at it over a test server."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiohttp.test_utils import TestClient, TestServer

from bot.settings import Settings
from bot.web import build_app
from dialogs.strategy import DEFAULT_STRATEGY_FILE, load_strategy_file
from storage import strategies
from storage.db import Database
from storage.org import import_org
from storage.org_file import parse_org_file
from tests.fakes.slack_api import FakeSlackApi
from tests.slack.workspace import SIGNING_SECRET, Workspace
from tests.snapshots import seed_once

DEMO_ORG = Path(__file__).resolve().parents[2] / "bot" / "data" / "demo_org.yaml"
DEMO = "demo.maalbot.dk"


async def load_strategy(db: Database, path: Path) -> None:
    async with db.transaction() as s:
        await strategies.save_strategy(s, load_strategy_file(path).model_dump(mode="json"))


def one_goal_strategy(tmp_path: Path) -> Path:
    """The default strategy cut to its first goal: the engine is generic, the tests get shorter."""
    path = tmp_path / "one-goal.yaml"
    path.write_text(_one_goal_text(), encoding="utf-8")
    return path


@functools.cache
def _one_goal_text() -> str:  # made once per worker: PyYAML's pure-Python dump is slow
    data: dict[str, Any] = yaml.safe_load(DEFAULT_STRATEGY_FILE.read_text(encoding="utf-8"))
    data["key"] = "one-goal"
    data["goals"] = data["goals"][:1]
    return yaml.safe_dump(data, allow_unicode=True)


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlackApi]:
    async with FakeSlackApi() as fake:
        yield fake


@pytest.fixture
async def demo_db(sqlite_db: Database) -> Database:
    async def seed(db: Database) -> None:
        await import_org(db, parse_org_file(DEMO_ORG))

    await seed_once(sqlite_db, "slack.import_org(DEMO_ORG)", seed)  # tests/snapshots.py
    return sqlite_db


@pytest.fixture
def slack_env(monkeypatch: pytest.MonkeyPatch, fake_slack: FakeSlackApi) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    monkeypatch.setenv("SLACK_API_URL", fake_slack.api_url)
    monkeypatch.delenv("SLACK_APP_TOKEN", raising=False)
    monkeypatch.setenv("MAALBOT_REMINDERS", "off")  # no real-time reminder ticks posting into the tests


async def start_workspace(db: Database, fake: FakeSlackApi) -> AsyncIterator[Workspace]:
    app = build_app(Settings(), db)
    async with TestClient(TestServer(app)) as client:
        yield Workspace(client, fake)


@pytest.fixture
async def workspace(
    slack_env: None, demo_db: Database, fake_slack: FakeSlackApi, tmp_path: Path
) -> AsyncIterator[Workspace]:
    """The demo municipality with a one-goal strategy, and Slack pointed at the fake."""
    await load_strategy(demo_db, one_goal_strategy(tmp_path))
    async for ws in start_workspace(demo_db, fake_slack):
        yield ws


@pytest.fixture
async def almen_workspace(slack_env: None, demo_db: Database, fake_slack: FakeSlackApi) -> AsyncIterator[Workspace]:
    """The demo municipality with the real default strategy (four goals)."""
    await load_strategy(demo_db, DEFAULT_STRATEGY_FILE)
    async for ws in start_workspace(demo_db, fake_slack):
        yield ws
