"""PostgreSQL restarted in the middle of 30 answers: no acknowledged answer is lost, and anyone whose
answer could not be saved was told so (an unacknowledged event is sent again by Slack, as here)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.outbound import PIPELINE_KEY
from bot.settings import Settings
from bot.web import build_app
from storage.db import Database
from storage.org import import_org
from storage.org_file import parse_org_file
from tests.conftest import restart_postgres
from tests.durability.test_crash_slack import local_goals
from tests.fakes.slack_api import FakeSlackApi
from tests.slack.conftest import DEMO, DEMO_ORG, load_strategy, one_goal_strategy
from tests.slack.workspace import Workspace

ITEMS = [f"Indsats {n:02d}" for n in range(1, 31)]


@pytest.fixture
async def pg_workspace(
    slack_env: None, pg_db: Database, fake_slack: FakeSlackApi, tmp_path: Path
) -> AsyncIterator[Workspace]:
    await import_org(pg_db, parse_org_file(DEMO_ORG))
    await load_strategy(pg_db, one_goal_strategy(tmp_path))
    app = build_app(Settings(), pg_db)
    async with TestClient(TestServer(app)) as client:
        yield Workspace(client, fake_slack)


async def test_a_postgres_restart_in_the_middle_of_30_answers_loses_no_acknowledged_answer(
    pg_workspace: Workspace,
) -> None:
    ws = pg_workspace
    chair = ws.person("U0SOEREN", f"soeren.oestergaard@{DEMO}")
    await chair.say("start")
    await chair.say("Alle børn har en fast ven")
    chair.expect("Beskrivelse af indsatser")
    dm = "D" + chair.user_id
    not_acknowledged: list[tuple[str, str]] = []
    restart: asyncio.Task[None] | None = None
    for n, item in enumerate(ITEMS):
        if n == 8:
            restart = asyncio.create_task(asyncio.to_thread(restart_postgres))
            await asyncio.sleep(0.05)
        event = {"type": "message", "channel_type": "im", "channel": dm, "user": chair.user_id, "text": item,
                 "ts": f"{n}.0", "event_ts": f"{n}.0"}  # fmt: skip
        status = await ws.event(event, event_id=f"EvPG{n:04d}", settle=False)
        if status != 200:
            not_acknowledged.append((f"EvPG{n:04d}", item))
        if restart is not None and not restart.done():
            await asyncio.sleep(0.1)  # a person's pace while the server is down and starting again
    assert restart is not None
    await restart
    await asyncio.wait_for(ws.settle(), 60)
    # Slack sends what it did not get a 200 for again, with the same event_id
    for event_id, item in not_acknowledged:
        event = {"type": "message", "channel_type": "im", "channel": dm, "user": chair.user_id, "text": item,
                 "ts": event_id, "event_ts": event_id}  # fmt: skip
        assert await ws.event(event, event_id=event_id, retry=1) == 200
    await asyncio.wait_for(ws.settle(), 60)
    await asyncio.wait_for(ws.client.app[PIPELINE_KEY].deliverer.flush_all(), 60)

    (goal,) = await local_goals(ws.client.app[PIPELINE_KEY].db)
    stored = goal["interventions"]
    told_not_saved = "\n".join(str(m.get("text")) for m in ws.fake.posted(dm)).count("IKKE gemt")
    assert sorted(set(stored)) == sorted(stored), "an answer was stored twice"
    missing = [item for item in ITEMS if item not in stored]
    assert len(missing) <= told_not_saved, (missing, told_not_saved)
    assert not missing or told_not_saved  # nothing disappears silently
