"""Two `maalbot serve` instances on one PostgreSQL, one person's events alternating between them:
the order is kept, each answer is stored once, and each reply is sent once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import select

from storage import outbox
from storage.db import Database
from storage.models import InboxItem
from storage.org import import_org
from storage.org_file import parse_org_file
from tests.durability.serve import Serve, until
from tests.durability.test_crash_slack import USER, everything_finished, local_goals, said
from tests.fakes.slack_api import FakeSlackApi
from tests.slack.conftest import DEMO, DEMO_ORG, load_strategy, one_goal_strategy
from tests.slack.workspace import SIGNING_SECRET

ITEMS = [f"Indsats {n:02d}" for n in range(1, 17)]


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlackApi]:
    async with FakeSlackApi() as api:
        api.add_user(USER, f"soeren.oestergaard@{DEMO}", "Søren")
        yield api


@pytest.fixture
async def instances(pg_db: Database, fake: FakeSlackApi, tmp_path: Path) -> AsyncIterator[tuple[Serve, Serve]]:
    await import_org(pg_db, parse_org_file(DEMO_ORG))
    await load_strategy(pg_db, one_goal_strategy(tmp_path))
    env = {"SLACK_BOT_TOKEN": "xoxb-test-token", "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": fake.api_url}
    pair = (Serve(pg_db.url, tmp_path, env), Serve(pg_db.url, tmp_path, env))
    try:
        yield pair
    finally:
        for server in pair:
            server.stop()


async def test_events_alternating_between_two_instances_keep_order_and_run_once(
    instances: tuple[Serve, Serve], fake: FakeSlackApi, pg_db: Database
) -> None:
    a, b = instances
    await a.start()
    await b.start()
    async with aiohttp.ClientSession() as session:
        assert await a.slack_dm(session, "EvTWO0000", USER, "start") == 200
        await until(lambda: any("Hvilke lokale mål" in t for t in said(fake)), what="the first question")
        assert await b.slack_dm(session, "EvTWO0001", USER, "Alle børn har en fast ven") == 200
        await until(lambda: any("Beskrivelse af indsatser" in t for t in said(fake)), what="the second question")
        for n, item in enumerate(ITEMS, start=2):
            server = a if n % 2 == 0 else b
            assert await server.slack_dm(session, f"EvTWO{n:04d}", USER, item) == 200
        # Slack retries two of them on the other instance: nothing runs twice
        assert await b.slack_dm(session, "EvTWO0002", USER, ITEMS[0]) == 200
        assert await a.slack_dm(session, "EvTWO0003", USER, ITEMS[1]) == 200
    await until(lambda: everything_finished(pg_db), what="every turn and reply finished")
    (goal,) = await local_goals(pg_db)
    assert goal["interventions"] == ITEMS  # in the order sent, each once
    async with pg_db.transaction() as s:
        rows = (await s.scalars(select(InboxItem).order_by(InboxItem.id))).all()
        replies = await outbox.items(s, rule=outbox.REPLY)
    assert len(rows) == len(ITEMS) + 2 and {r.status for r in rows} == {"done"}
    assert len(replies) == len(rows) and {r.status for r in replies} == {"sent"}
    # each reply row was posted once: as many DM posts as reply rows (one message each here)
    assert len(fake.posted("D" + USER)) == len(replies)
