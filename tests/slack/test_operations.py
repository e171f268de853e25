"""What an IT department's monitoring reads: /healthz, /readyz, and Prometheus metrics after real turns."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families

from bot.settings import Settings
from bot.web import build_app
from storage.db import Database
from tests.fakes.slack_api import FakeSlackApi
from tests.slack.conftest import DEMO, start_workspace
from tests.slack.workspace import Workspace


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


async def scrape(workspace: Workspace, **headers: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = await workspace.client.get("/metrics", headers=headers)
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    return samples(await response.text())


SLACK = (("platform", "slack"),)


async def test_metrics_count_turns_and_read_the_outbox(workspace: Workspace) -> None:
    before = await scrape(workspace)
    mette = workspace.person("U0METTE", f"mette.noergaard@{DEMO}", "Mette")
    for text in ("status", "hvem mangler?", "hjælp"):
        await mette.say(text)
    after = await scrape(workspace)
    turns = after[("maalbot_turns_total", SLACK)] - before.get(("maalbot_turns_total", SLACK), 0.0)
    assert turns == 3
    observed = after[("maalbot_turn_seconds_count", SLACK)] - before.get(("maalbot_turn_seconds_count", SLACK), 0.0)
    assert observed == 3
    assert after[("maalbot_turn_seconds_bucket", (("le", "+Inf"), *SLACK))] >= 3
    assert after[("maalbot_outbox_backlog", ())] == 0  # every reply was delivered
    assert after[("maalbot_outbox_oldest_unsent_seconds", ())] == 0
    assert ("maalbot_scheduler_tick_seconds_count", ()) in after


async def test_metrics_need_the_token_when_one_is_set(
    slack_env: None, demo_db: Database, fake_slack: FakeSlackApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAALBOT_METRICS_TOKEN", "scrape-me-0123456789")
    async for ws in start_workspace(demo_db, fake_slack):
        assert (await ws.client.get("/metrics")).status == 401
        wrong = await ws.client.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status == 401
        assert "maalbot_turns" in str(await scrape(ws, Authorization="Bearer scrape-me-0123456789"))


async def test_readyz_says_whether_the_schema_is_at_head(workspace: Workspace, tmp_path: Path) -> None:
    ready = await workspace.client.get("/readyz")
    assert ready.status == 200 and (await ready.json())["status"] == "ok"
    assert (await workspace.client.get("/healthz")).status == 200

    empty = Database(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")  # reachable, never migrated
    async with TestClient(TestServer(build_app(Settings(), empty))) as client:
        response = await client.get("/readyz")
        assert response.status == 503
        assert (await response.json())["migrations"] == "behind"
        assert (await client.get("/healthz")).status == 200  # alive, but not ready
