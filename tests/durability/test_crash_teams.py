"""Teams: the process dies during a turn; the Bot Connector redelivers the same activity after the
restart: it is processed once, and the answer the person was owed arrives."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from storage.db import Database
from storage.org import import_org
from storage.org_file import parse_org_file
from tests.durability.serve import Serve, until
from tests.durability.test_crash_slack import everything_finished, local_goals
from tests.fakes.bot_connector import FakeBotConnector
from tests.slack.conftest import DEMO, DEMO_ORG, load_strategy, one_goal_strategy
from tests.teams.conftest import BOT, TENANT

USER = "29:soeren"
CONVERSATION = {"id": "a:personal-soeren", "conversationType": "personal", "tenantId": TENANT}


def activity(connector: FakeBotConnector, activity_id: str, text: str) -> dict[str, Any]:
    return {
        "type": "message", "id": activity_id, "channelId": "msteams", "serviceUrl": connector.url,
        "from": {"id": USER, "name": "Søren", "aadObjectId": "aad-soeren"}, "recipient": BOT,
        "conversation": CONVERSATION, "channelData": {"tenant": {"id": TENANT}}, "text": text,
    }  # fmt: skip


@pytest.fixture
async def connector() -> AsyncIterator[FakeBotConnector]:
    fake = await FakeBotConnector().start()
    fake.add_member(USER, "Søren Østergaard", f"soeren.oestergaard@{DEMO}")
    try:
        yield fake
    finally:
        await fake.stop()


@pytest.fixture
async def serve(sqlite_db: Database, tmp_path: Path) -> AsyncIterator[Serve]:
    await import_org(sqlite_db, parse_org_file(DEMO_ORG))
    await load_strategy(sqlite_db, one_goal_strategy(tmp_path))
    server = Serve(
        sqlite_db.url.replace("sqlite+aiosqlite", "sqlite"), tmp_path, {"MAALBOT_PLATFORM_TIMEOUT": "30"}, dev=True
    )
    try:
        yield server
    finally:
        server.stop()


async def test_an_activity_redelivered_after_a_crash_mid_turn_is_processed_once(
    serve: Serve, connector: FakeBotConnector, sqlite_db: Database
) -> None:
    await serve.start()
    async with aiohttp.ClientSession() as session:
        assert await serve.teams_activity(session, activity(connector, "1", "start")) in (200, 202)
        assert any("Hvilke lokale mål" in t for t in connector.texts())

        # the answer's turn: the reply to it hangs at the connector, and the process dies meanwhile
        connector.hang_next("/activities", 120)
        answer = activity(connector, "2", "Alle børn har en fast ven")
        request = asyncio.ensure_future(serve.teams_activity(session, answer, timeout=120))
        await until(lambda: sum("/activities" in c.path for c in connector.calls) >= 2, what="the hung reply")
        serve.kill()
        with contextlib.suppress(aiohttp.ClientError):
            await request
        connector.reset()

        await serve.start()  # the Bot Connector sends the activity again (it never got a 2xx)
        assert await serve.teams_activity(session, answer) in (200, 202)
        await until(lambda: everything_finished(sqlite_db), what="the turn and its reply finished")
    assert [lg["text"] for lg in await local_goals(sqlite_db)] == ["Alle børn har en fast ven"]
    owed = [t for t in connector.texts() if "Beskrivelse af indsatser" in t]
    assert len(owed) == 1, connector.texts()
