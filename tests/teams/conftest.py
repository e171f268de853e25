"""Teams scenario fixtures: the real aiohttp app with `/api/messages` in development mode, a fake
Bot Connector as every activity's `serviceUrl`, the demo organisation and a one-goal strategy."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.teams.app import TEAMS_NOTIFIER_KEY, mount_teams
from bot.teams.notifier import RetryPolicy, TeamsNotifier
from bot.teams.settings import TeamsSettings
from dialogs.service import ConversationService
from dialogs.strategy import DEFAULT_STRATEGY_FILE, load_strategy_file
from storage import strategies
from storage.db import Database
from storage.org import import_org
from storage.org_file import parse_org_file
from tests.fakes.bot_connector import FakeBotConnector
from tests.snapshots import seed_once

ROOT = Path(__file__).resolve().parents[2]
DEMO_ORG = ROOT / "bot" / "data" / "demo_org.yaml"
TENANT = "tenant-demo"
BOT = {"id": "28:maalbot-app", "name": "Målbot"}
NORTH_CHANNEL = "19:demo-omraade-nord@thread.tacv2"
NOW = datetime(2026, 11, 24, 9, tzinfo=UTC)
_ids = itertools.count(1000)


def one_goal_strategy(tmp_path: Path) -> dict[str, Any]:
    data = yaml.safe_load(DEFAULT_STRATEGY_FILE.read_text(encoding="utf-8"))
    data["goals"] = data["goals"][:1]
    path = tmp_path / "one-goal.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_strategy_file(path).model_dump(mode="json")


@dataclass
class Teams:
    """The bot's `/api/messages` and the fake connector behind it."""

    client: TestClient[Any, Any]
    connector: FakeBotConnector
    db: Database
    service: ConversationService
    notifier: TeamsNotifier
    sleeps: list[float] = field(default_factory=list)

    def activity(self, user_id: str, conversation: dict[str, Any], **fields: Any) -> dict[str, Any]:
        return {
            "type": "message",
            "id": str(next(_ids)),
            "channelId": "msteams",
            "serviceUrl": self.connector.url,
            "from": {"id": user_id, "name": user_id, "aadObjectId": f"aad-{user_id}"},
            "recipient": BOT,
            "conversation": conversation,
            "channelData": {"tenant": {"id": TENANT}},
            **fields,
        }

    async def post(self, activity: dict[str, Any]) -> int:
        response = await self.client.post("/api/messages", json=activity)
        await response.read()
        return response.status

    def person(self, name: str, email: str) -> TeamsUser:
        user_id = f"29:{name}"
        self.connector.add_member(user_id, name, email)
        return TeamsUser(self, user_id)


@dataclass
class TeamsUser:
    teams: Teams
    user_id: str

    @property
    def conversation(self) -> dict[str, Any]:
        return {"id": f"a:personal-{self.user_id}", "conversationType": "personal", "tenantId": TENANT}

    async def send(self, **fields: Any) -> list[str]:
        """Post a message activity; return what the person could read in the bot's answer."""
        self.teams.connector.reset()
        status = await self.teams.post(self.teams.activity(self.user_id, self.conversation, **fields))
        assert status in (200, 202), status
        return self.teams.connector.texts()

    async def say(self, text: str) -> list[str]:
        return await self.send(text=text)

    async def submit(self, **value: str) -> list[str]:
        """An Action.Submit: Teams sends a message with no text and the card's data as `value`."""
        return await self.send(value=value)

    def buttons(self) -> dict[str, dict[str, Any]]:
        """Every Action.Submit in the last answer, by title."""
        found: dict[str, dict[str, Any]] = {}

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                if node.get("type") == "Action.Submit":
                    found[str(node.get("title"))] = node.get("data") or {}
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for item in node:
                    walk(item)

        walk(self.teams.connector.cards())
        return found

    async def press(self, title: str) -> list[str]:
        return await self.submit(**self.buttons()[title])


@pytest.fixture
async def connector() -> AsyncIterator[FakeBotConnector]:
    fake = await FakeBotConnector().start()
    try:
        yield fake
    finally:
        await fake.stop()


@pytest.fixture
async def teams(sqlite_db: Database, connector: FakeBotConnector, tmp_path: Path) -> AsyncIterator[Teams]:
    async def seed(db: Database) -> None:
        async with db.transaction() as s:
            await strategies.save_strategy(s, one_goal_strategy(tmp_path))
        await import_org(db, parse_org_file(DEMO_ORG))

    await seed_once(sqlite_db, "teams(one_goal_strategy, DEMO_ORG)", seed)  # tests/snapshots.py
    service = ConversationService(sqlite_db, clock=lambda: NOW)
    app = web.Application()
    mount_teams(app, service, sqlite_db, TeamsSettings.model_construct(), dev=True)
    notifier = app[TEAMS_NOTIFIER_KEY]
    fixture = Teams(TestClient(TestServer(app, host="127.0.0.1")), connector, sqlite_db, service, notifier)

    async def no_sleep(seconds: float) -> None:
        fixture.sleeps.append(seconds)

    notifier.sleep = no_sleep
    notifier.policy = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05)
    await fixture.client.start_server()
    try:
        yield fixture
    finally:
        await fixture.client.close()
