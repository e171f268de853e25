"""Fixtures: the fake Slack Web API, and maalbot's real aiohttp app pointed at it over a test server.

The demo municipality and its strategy are seeded once per session and copied (tests/snapshots.py);
a strategy file is parsed once per content (`strategy_definition`): parsing the YAML and validating it
cost ~0.1 s of CPU per test."""

from __future__ import annotations

import copy
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


_DEFINITIONS: dict[str, dict[str, Any]] = {}  # a strategy file's text -> its validated definition


def strategy_definition(path: Path) -> dict[str, Any]:
    """`load_strategy_file(path)` as a JSON-ready definition, parsed once per file content (a copy)."""
    text = path.read_text(encoding="utf-8")
    if text not in _DEFINITIONS:
        _DEFINITIONS[text] = load_strategy_file(path).model_dump(mode="json")
    return copy.deepcopy(_DEFINITIONS[text])


async def load_strategy(db: Database, path: Path) -> None:
    async with db.transaction() as s:
        await strategies.save_strategy(s, strategy_definition(path))


@functools.cache
def _one_goal_yaml() -> str:
    data: dict[str, Any] = yaml.safe_load(DEFAULT_STRATEGY_FILE.read_text(encoding="utf-8"))
    data["key"] = "one-goal"
    data["goals"] = data["goals"][:1]
    return yaml.safe_dump(data, allow_unicode=True)


def one_goal_strategy(tmp_path: Path) -> Path:
    """The default strategy cut to its first goal: the engine is generic, the tests get shorter."""
    path = tmp_path / "one-goal.yaml"
    path.write_text(_one_goal_yaml(), encoding="utf-8")
    return path


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


async def with_strategy(demo_db: Database, strategy: Path, name: str) -> Database:
    """`demo_db` (the demo municipality) with the strategy file `strategy` loaded (`name` says which),
    seeded once per session and copied like the demo itself."""

    async def seed(db: Database) -> None:
        await load_strategy(db, strategy)

    await seed_once(demo_db, f"slack.import_org(DEMO_ORG), then load_strategy({name})", seed)
    return demo_db


@pytest.fixture
async def workspace(
    slack_env: None, demo_db: Database, fake_slack: FakeSlackApi, tmp_path: Path
) -> AsyncIterator[Workspace]:
    """The demo municipality with a one-goal strategy, and Slack pointed at the fake."""
    db = await with_strategy(demo_db, one_goal_strategy(tmp_path), "one-goal")
    async for ws in start_workspace(db, fake_slack):
        yield ws


@pytest.fixture
async def almen_workspace(slack_env: None, demo_db: Database, fake_slack: FakeSlackApi) -> AsyncIterator[Workspace]:
    """The demo municipality with the real default strategy (four goals)."""
    db = await with_strategy(demo_db, DEFAULT_STRATEGY_FILE, "almen")
    async for ws in start_workspace(db, fake_slack):
        yield ws
