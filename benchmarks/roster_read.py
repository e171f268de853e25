"""Reading a big team's roster: the whole path of `bot.teams.roster.TeamsRoster.refresh_team`.

    .venv/bin/python benchmarks/roster_read.py                       # 5000 members, 4000 in the organisation
    .venv/bin/python benchmarks/roster_read.py --members 10000 --org 8000 --runs 3

A fresh SQLite database holds an organisation of `--org` people (one area, 100 institutions); the fake
Bot Connector from `tests/fakes` serves a team of `--members` members (the first `--org` of them are the
organisation's people, the rest strangers), 200 a page. The bot (`mount_teams` in development mode, as in
the tests) reads the roster once into an empty store, then again with everything already stored.
Reports wall time per read, pages, people stored and the process's peak RSS."""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml
from aiohttp import web
from sqlalchemy import func, select

from bot.teams.app import TEAMS_ROSTER_KEY, mount_teams
from bot.teams.settings import TeamsSettings
from dialogs.service import ConversationService
from storage import team_members
from storage.db import Database, sqlite_url_for
from storage.migrate import upgrade
from storage.models import TeamMember
from storage.org import import_org
from storage.org_file import parse_org_yaml

ROOT = Path(__file__).resolve().parents[1]
TEAM = "19:benchmark-team@thread.tacv2"
TENANT = "tenant-benchmark"


def org_yaml(people: int) -> str:
    institutions: list[dict[str, Any]] = []
    for i in range(100):
        board = [{"name": f"Person {n}", "email": f"p{n}@roster.maalbot.dk"} for n in range(i, people, 100)]
        institutions.append({"name": f"Institution {i:03d}", "kind": "skole", "board": board})
    return yaml.safe_dump({"municipality": "Benchmark", "areas": [{"name": "Område", "institutions": institutions}]})


async def run(members: int, people: int, runs: int) -> None:
    if str(ROOT) not in sys.path:  # for tests.fakes
        sys.path.insert(0, str(ROOT))
    from tests.fakes.bot_connector import FakeBotConnector

    with tempfile.TemporaryDirectory() as tmp:
        db = Database(sqlite_url_for(Path(tmp) / "roster.db"))
        await upgrade(db)
        await import_org(db, parse_org_yaml(org_yaml(people)))
        connector = await FakeBotConnector().start()
        for n in range(members):
            email = f"p{n}@roster.maalbot.dk" if n < people else f"stranger{n}@example.org"
            connector.add_to_team(TEAM, f"29:user-{n}", f"User {n}", email)
        app = web.Application()
        mount_teams(app, ConversationService(db), db, TeamsSettings.model_construct(), dev=True)
        roster = app[TEAMS_ROSTER_KEY]
        reference = {
            "channelId": "msteams",
            "serviceUrl": connector.url,
            "conversation": {"id": TEAM, "conversationType": "channel", "tenantId": TENANT},
            "agent": {"id": "28:maalbot-app", "name": "Målbot"},
        }
        await team_members.install(db, TEAM, TENANT, reference)
        first: list[float] = []
        again: list[float] = []
        for _ in range(runs):
            await team_members.forget_team(db, TEAM, "teams")
            await team_members.install(db, TEAM, TENANT, reference)
            for times in (first, again):
                connector.reset()
                start = time.perf_counter()
                assert await roster.refresh_team(TEAM)
                times.append(time.perf_counter() - start)
        pages = len(connector.roster_calls(TEAM))
        async with db.transaction() as s:
            stored = await s.scalar(select(func.count()).select_from(TeamMember))
        await connector.stop()
        await db.dispose()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"members {members}, in the organisation {people}, pages {pages}, stored {stored}")
    print(f"first read (empty store): median {statistics.median(first):.2f} s over {runs} runs")
    print(f"read again (all stored):  median {statistics.median(again):.2f} s over {runs} runs")
    print(f"peak RSS {rss:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--org", type=int, default=4000)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    asyncio.run(run(args.members, args.org, args.runs))


if __name__ == "__main__":
    main()
